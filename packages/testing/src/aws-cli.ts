import { execFileSync } from 'node:child_process';

/**
 * Whether the AWS CLI is installed. It is not part of Node's toolchain: CI installs it (.ci/run),
 * so tests that need it run there always and skip, visibly, on a machine without it.
 */
export function awsCliAvailable(): boolean {
  try {
    execFileSync('aws', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
