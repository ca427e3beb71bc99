/**
 * Terraform, as infrastructure code uses it: the hashicorp/aws provider (from the machine's
 * filesystem mirror) applies test/terraform/main.tf against Dockside, re-plans with no changes
 * (no drift), and destroys. Skipped where `terraform` or the provider mirror is absent.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DescribeClustersCommand, ECSClient } from '@aws-sdk/client-ecs';
import { ecs } from '@dockside/ecs';
import { logs } from '@dockside/logs';
import { secrets } from '@dockside/secrets';
import { useTestGateway } from '@dockside/testing';

const terraform = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
})();
/** The provider mirror shipped with the machine image: a folder named tf-plugins. */
const mirror = [process.env.TF_PLUGIN_MIRROR, '/opt/tf-plugins', path.join(os.homedir(), 'tf-plugins')].find(
  (d) => d && fs.existsSync(path.join(d, 'registry.terraform.io', 'hashicorp', 'aws')),
);

const gw = useTestGateway(() => ({ plugins: [ecs({ pullPolicy: 'never' }), logs(), secrets()] }));
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-tf-'));
  fs.copyFileSync(path.join(__dirname, 'terraform', 'main.tf'), path.join(dir, 'main.tf'));
  const rc = path.join(dir, 'terraformrc');
  fs.writeFileSync(rc, `provider_installation {\n  filesystem_mirror {\n    path = "${mirror}"\n  }\n}\n`);
  env = { ...process.env, TF_CLI_CONFIG_FILE: rc, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_INPUT: '0' };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs terraform without blocking: the gateway it talks to lives in this same process. */
function tf(args: string[]): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(terraform!, [...args, '-no-color'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, out });
    });
  });
}

// A machine without terraform or its provider mirror cannot run this: it is skipped there, not failed.
const withTerraform = terraform && mirror ? test : test.skip;

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
