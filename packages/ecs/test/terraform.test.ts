/**
 * Terraform, as infrastructure code uses it: the hashicorp/aws provider (from the machine's
 * filesystem mirror) applies test/terraform/main.tf against Dockside, re-plans with no changes
 * (no drift), and destroys. Skipped where `terraform` or the provider mirror is absent.
 */
import * as path from 'node:path';
import { DescribeClustersCommand, ECSClient } from '@aws-sdk/client-ecs';
import { ecs } from '@dockside/ecs';
import { logs } from '@dockside/logs';
import { secrets } from '@dockside/secrets';
import { terraformAvailable, useTerraformWorkspace, useTestGateway } from '@dockside/testing';

const gw = useTestGateway(() => ({
  plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never' }), logs(), secrets()],
}));
const ws = useTerraformWorkspace(path.join(__dirname, 'terraform', 'main.tf'), {
  endpoints: ['ecs', 'cloudwatchlogs', 'secretsmanager', 'ssm'],
});
const tf = (args: string[]) => ws.run(args);

// A machine without terraform or its provider mirror cannot run this: it is skipped there, not failed.
const withTerraform = terraformAvailable() ? test : test.skip;

withTerraform(
  'apply, re-plan with no changes, destroy',
  async () => {
    const vars = ['-var', `endpoint=${gw.endpoint}`];
    const init = await tf(['init', '-input=false']);
    expect(init.out).toContain('Terraform has been successfully initialized');
    const apply = await tf(['apply', '-auto-approve', '-input=false', ...vars]);
    expect(apply).toMatchObject({ status: 0, out: expect.stringContaining('Apply complete!') });
    expect(apply.out).toContain('Apply complete! Resources: 7 added, 0 changed, 0 destroyed.');

    const cluster = (
      await gw.client(ECSClient).send(new DescribeClustersCommand({ clusters: ['tf-cluster'], include: ['TAGS'] }))
    ).clusters![0];
    expect(cluster).toMatchObject({
      status: 'ACTIVE',
      activeServicesCount: 1,
      tags: [{ key: 'team', value: 'platform' }],
    });

    // No drift: what Dockside answers on refresh is what Terraform wrote.
    const plan = await tf(['plan', '-detailed-exitcode', '-input=false', ...vars]);
    expect(plan).toMatchObject({ status: 0, out: expect.stringContaining('No changes.') });
    expect(plan.out).toContain('No changes.');

    const destroy = await tf(['destroy', '-auto-approve', '-input=false', ...vars]);
    expect(destroy).toMatchObject({ status: 0, out: expect.stringContaining('Destroy complete!') });
    expect(destroy.out).toContain('Destroy complete! Resources: 7 destroyed.');
  },
  600_000,
);
