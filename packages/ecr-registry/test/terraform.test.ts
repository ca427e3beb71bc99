/**
 * Terraform's hashicorp/aws provider (from the machine's mirror) applies test/terraform/main.tf
 * (repository, lifecycle policy, repository policy) against Dockside, re-plans with no changes
 * (no drift), and destroys. Skipped where `terraform` or the provider mirror is absent.
 */
import * as path from 'node:path';
import { DescribeRepositoriesCommand, ECRClient, GetLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import { ecrRegistry } from '@dockside/ecr-registry';
import { terraformAvailable, useTerraformWorkspace, useTestGateway } from '@dockside/testing';

const gw = useTestGateway(() => ({ plugins: [ecrRegistry({ port: 0 })] }));
const ws = useTerraformWorkspace(path.join(__dirname, 'terraform', 'main.tf'), { endpoints: ['ecr', 'sts'] });

(terraformAvailable() ? test : test.skip)(
  'apply, re-plan with no changes, destroy',
  async () => {
    const vars = ['-var', `endpoint=${gw.endpoint}`];
    expect((await ws.run(['init', '-input=false'])).out).toContain('Terraform has been successfully initialized');
    const apply = await ws.run(['apply', '-auto-approve', '-input=false', ...vars]);
    expect(apply.out).toContain('Apply complete! Resources: 3 added, 0 changed, 0 destroyed.');
    const ecr = gw.client(ECRClient);
    const repo = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['tf/app'] }))).repositories![0];
    expect(repo).toMatchObject({ imageTagMutability: 'IMMUTABLE', imageScanningConfiguration: { scanOnPush: true } });
    expect(apply.out).toContain(`repository_url = "${repo.repositoryUri}"`);
    const policy = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'tf/app' }));
    expect(JSON.parse(policy.lifecyclePolicyText!).rules[0].selection.tagPrefixList).toEqual(['release-']);
    const plan = await ws.run(['plan', '-detailed-exitcode', '-input=false', ...vars]);
    expect(plan.out).toContain('No changes.');
    expect(plan.status).toBe(0);
    const destroy = await ws.run(['destroy', '-auto-approve', '-input=false', ...vars]);
    expect(destroy.out).toContain('Destroy complete! Resources: 3 destroyed.');
  },
  600_000,
);
