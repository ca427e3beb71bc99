import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The terraform binary, or undefined on a machine without it. */
const terraformBinary = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
})();

/** The hashicorp/aws provider mirror shipped with the machine image: a folder named tf-plugins. */
const providerMirror = [process.env.TF_PLUGIN_MIRROR, '/opt/tf-plugins', path.join(os.homedir(), 'tf-plugins')].find(
  (d) => d && fs.existsSync(path.join(d, 'registry.terraform.io', 'hashicorp', 'aws')),
);

/** Whether Terraform tests can run here (terraform and the provider mirror are both present). */
export const terraformAvailable = (): boolean => Boolean(terraformBinary && providerMirror);

export interface TerraformWorkspace {
  /** Runs terraform in the workspace without blocking (the gateway may live in this process). */
  run(args: string[]): Promise<{ status: number | null; out: string }>;
  remove(): void;
}

/**
 * A scratch folder holding `mainTf`, with a CLI config that installs the aws provider from the
 * local mirror only (no registry access).
 */
export function terraformWorkspace(mainTf: string): TerraformWorkspace {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-tf-'));
  fs.copyFileSync(mainTf, path.join(dir, 'main.tf'));
  const rc = path.join(dir, 'terraformrc');
  fs.writeFileSync(rc, `provider_installation {\n  filesystem_mirror {\n    path = "${providerMirror}"\n  }\n}\n`);
  const env = { ...process.env, TF_CLI_CONFIG_FILE: rc, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_INPUT: '0' };
  return {
    run: (args) =>
      new Promise((resolve) => {
        const child = spawn(terraformBinary!, [...args, '-no-color'], {
          cwd: dir,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
        child.on('close', (status) => {
          clearTimeout(timer);
          resolve({ status, out });
        });
      }),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
