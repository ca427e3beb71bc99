/**
 * Terraform's hashicorp/aws provider (from the machine's mirror) applies test/terraform/main.tf
 * (ALB, target groups, listener, rules, attachment, NLB) against Dockside, re-plans with no
 * changes (no drift), sends a request through the listener it declared, and destroys.
 * Skipped where `terraform` or the provider mirror is absent.
 */
import * as http from 'node:http';
import * as path from 'node:path';
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { elbv2 } from '@dockside/elbv2';
import { terraformAvailable, useTerraformWorkspace, useTestGateway } from '@dockside/testing';
import { freePort } from './helpers';

const gw = useTestGateway(() => ({ plugins: [elbv2({ timeScale: 0.01 })] }));
const ws = useTerraformWorkspace(path.join(__dirname, 'terraform', 'main.tf'), { endpoints: ['elbv2'] });

const get = (port: number, headers: Record<string, string>) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/', headers, agent: false }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      })
      .on('error', reject);
  });

(terraformAvailable() ? test : test.skip)(
  'apply, re-plan with no changes, traffic through the declared listener, destroy',
  async () => {
    const albPort = await freePort();
    const vars = [
      '-var',
      `endpoint=${gw.endpoint}`,
      '-var',
      `alb_port=${albPort}`,
      '-var',
      `nlb_port=${await freePort()}`,
    ];
    const init = await ws.run(['init', '-input=false']);
    expect(init.out).toContain('Terraform has been successfully initialized');
    const apply = await ws.run(['apply', '-auto-approve', '-input=false', ...vars]);
    expect(apply.out).toContain('Apply complete! Resources: 10 added, 0 changed, 0 destroyed.');
    const lbs = await gw
      .client(ElasticLoadBalancingV2Client)
      .send(new DescribeLoadBalancersCommand({ Names: ['tf-web', 'tf-tcp'] }));
    expect(lbs.LoadBalancers!.map((lb) => [lb.Type, lb.Scheme, lb.State!.Code])).toEqual([
      ['application', 'internet-facing', 'active'],
      ['network', 'internal', 'active'],
    ]);
    expect(await get(albPort, { 'X-Maintenance': 'on' })).toEqual({ status: 503, body: 'down for maintenance' });

    const plan = await ws.run(['plan', '-detailed-exitcode', '-input=false', ...vars]);
    expect(plan.out).toContain('No changes.');
    expect(plan.status).toBe(0);

    const destroy = await ws.run(['destroy', '-auto-approve', '-input=false', ...vars]);
    expect(destroy.out).toContain('Destroy complete! Resources: 10 destroyed.');
  },
  600_000,
);
