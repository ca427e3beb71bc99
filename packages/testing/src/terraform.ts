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
 * The aws provider pointed at Dockside: static test credentials, no AWS account lookups, and the
 * given service endpoints (provider names: `ecs`, `elbv2`, `ecr`, `eventbridge`, …) set to the
 * `endpoint` variable every test passes.
 */
function providerTf(endpoints: string[]): string {
  return [
    'variable "endpoint" { type = string }',
    '',
    'terraform {',
    '  required_providers {',
    '    aws = { source = "hashicorp/aws" }',
    '  }',
    '}',
    '',
    'provider "aws" {',
    '  region                      = "us-east-1"',
    '  access_key                  = "test"',
    '  secret_key                  = "test"',
    '  skip_credentials_validation = true',
    '  skip_requesting_account_id  = true',
    '  skip_metadata_api_check     = true',
    '  skip_region_validation      = true',
    '  endpoints {',
    ...endpoints.map((e) => `    ${e} = var.endpoint`),
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * A scratch folder holding `mainTf` and a provider.tf for `endpoints`, with a CLI config that installs the aws provider from the
 * local mirror only (no registry access).
 */
export function terraformWorkspace(mainTf: string, opts: { endpoints: string[] }): TerraformWorkspace {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-tf-'));
  fs.copyFileSync(mainTf, path.join(dir, 'main.tf'));
  fs.writeFileSync(path.join(dir, 'provider.tf'), providerTf(opts.endpoints));
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

type Hook = (fn: () => unknown) => void;
declare const beforeAll: Hook;
declare const afterAll: Hook;

/** A workspace made before the file's tests and removed after them (see terraformWorkspace). */
export function useTerraformWorkspace(mainTf: string, opts: { endpoints: string[] }): Pick<TerraformWorkspace, 'run'> {
  let ws: TerraformWorkspace | undefined;
  beforeAll(() => void (ws = terraformWorkspace(mainTf, opts)));
  afterAll(() => ws?.remove());
  return { run: (args) => ws!.run(args) };
}
