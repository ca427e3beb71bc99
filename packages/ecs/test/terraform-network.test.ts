/**
 * Terraform with the network declared, as real ECS configurations are: a VPC, two subnets in the
 * zones `aws_availability_zones` lists, a security group, an ALB in those subnets with an `ip`
 * target group and listener, and an ECS cluster with a Fargate service in the subnets behind the
 * ALB — applied against Dockside (ec2, elbv2, ecs), re-planned with no changes, and destroyed.
 * Skipped where `terraform` or the provider mirror is absent.
 */
import * as net from 'node:net';
import * as path from 'node:path';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { ec2 } from '@dockside/ec2';
import { ecs } from '@dockside/ecs';
import { elbv2 } from '@dockside/elbv2';
import { terraformAvailable, useTerraformWorkspace, useTestGateway } from '@dockside/testing';

const gw = useTestGateway(() => ({ plugins: [ec2(), elbv2({ timeScale: 0.01 }), ecs({ pullPolicy: 'never' })] }));
const ws = useTerraformWorkspace(path.join(__dirname, 'terraform-network', 'main.tf'), {
  endpoints: ['ec2', 'elbv2', 'ecs'],
});

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });

(terraformAvailable() ? test : test.skip)(
  'a VPC, subnets, a security group, an ALB and a Fargate service in them: apply, re-plan with no changes, destroy',
  async () => {
    const vars = ['-var', `endpoint=${gw.endpoint}`, '-var', `alb_port=${await freePort()}`];
    expect((await ws.run(['init', '-input=false'])).status).toBe(0);
    const apply = await ws.run(['apply', '-auto-approve', '-input=false', ...vars]);
    expect(apply.out).toContain('Apply complete! Resources: 10 added, 0 changed, 0 destroyed.');
    const vpcId = /vpc_id = "(vpc-[0-9a-f]+)"/.exec(apply.out)![1];
    const [svc] = (
      await gw.client(ECSClient).send(new DescribeServicesCommand({ cluster: 'tf-net', services: ['tf-net-app'] }))
    ).services!;
    const subnets = svc.networkConfiguration!.awsvpcConfiguration!.subnets!;
    expect(subnets).toHaveLength(2);
    expect(subnets.every((s) => /^subnet-[0-9a-f]{17}$/.test(s))).toBe(true);
    expect(vpcId).toMatch(/^vpc-/);

    const plan = await ws.run(['plan', '-detailed-exitcode', '-input=false', ...vars]);
    expect(plan.out).toContain('No changes.');
    expect(plan.status).toBe(0);

    const destroy = await ws.run(['destroy', '-auto-approve', '-input=false', ...vars]);
    expect(destroy.out).toContain('Destroy complete! Resources: 10 destroyed.');
  },
  600_000,
);
