/**
 * Terraform's hashicorp/aws provider (from the machine's mirror) applies test/terraform/main.tf
 * (a VPC with two subnets in the zones `aws_availability_zones` lists, a security group, an internet
 * gateway, a route table and its association, an Elastic IP and a NAT gateway, an S3 gateway
 * endpoint, a managed prefix list, a launch template, the default VPC and `aws_subnets` read back) against Dockside, re-plans with no changes, and
 * destroys. Skipped where `terraform` or the provider mirror is absent.
 */
import * as path from 'node:path';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ec2 } from '@dockside/ec2';
import { terraformAvailable, useTerraformWorkspace, useTestGateway } from '@dockside/testing';

const gw = useTestGateway(() => ({ plugins: [ec2()] }));
const ws = useTerraformWorkspace(path.join(__dirname, 'terraform', 'main.tf'), { endpoints: ['ec2'] });
const client = gw.sdk(EC2Client);

(terraformAvailable() ? test : test.skip)(
  'apply, re-plan with no changes, destroy',
  async () => {
    const vars = ['-var', `endpoint=${gw.endpoint}`];
    const init = await ws.run(['init', '-input=false']);
    expect(init.status).toBe(0);
    const apply = await ws.run(['apply', '-auto-approve', '-input=false', ...vars]);
    expect(apply.out).toMatch(/Apply complete! Resources: 13 added/);
    expect(apply.out).toMatch(/default_vpc = "172\.31\.0\.0\/16"/);
    const { Vpcs } = await client.send(
      new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['dockside-tf'] }] }),
    );
    expect(Vpcs).toEqual([expect.objectContaining({ CidrBlock: '10.40.0.0/16' })]);
    const plan = await ws.run(['plan', '-detailed-exitcode', '-input=false', ...vars]);
    expect(plan.out).toMatch(/No changes/);
    expect(plan.status).toBe(0);
    const destroy = await ws.run(['destroy', '-auto-approve', '-input=false', ...vars]);
    expect(destroy.out).toMatch(/Destroy complete! Resources: 13 destroyed/);
    const after = await client.send(
      new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['dockside-tf'] }] }),
    );
    expect(after.Vpcs).toEqual([]);
  },
  300_000,
);
