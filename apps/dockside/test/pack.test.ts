/**
 * The CLI as users get it: packed into one tarball (scripts/pack.mjs) and started with npx from
 * an empty folder, then driven by the SDK. Slow (npm installs the bundled tarball), so alone here.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { ensureBusyboxImage, waitFor } from '@dockside/testing';

const appDir = path.join(__dirname, '..');

test('npx runs the packed tarball', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-npx-'));
  try {
    const tarball = execFileSync(process.execPath, [path.join(appDir, 'scripts', 'pack.mjs'), dir], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop()!;
    expect(fs.existsSync(tarball)).toBe(true);
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    const child = spawn('npx', ['-y', '--package', tarball, 'dockside', '--port', '0', '--ecs-instances', '1'], {
      cwd: empty,
      env: { ...process.env, npm_config_cache: path.join(dir, 'npm-cache') },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 150_000);
        child.stdout.on('data', () => {
          const m = /ready on (http:\/\/\S+) in/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
        child.once('exit', (code) => reject(new Error(`npx exited ${code}: ${out}`)));
      });
      // Every plugin the app depends on is in the tarball.
      await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(
        /services: ecs, logs, elasticloadbalancing, events, scheduler, secretsmanager, ssm, ecr, ec2\b/,
      );
      const ecs = new ECSClient({
        endpoint: url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
        maxAttempts: 1,
      });
      const { cluster } = await ecs.send(new CreateClusterCommand({ clusterName: 'from-npx' }));
      expect(cluster?.clusterArn).toBe('arn:aws:ecs:us-east-1:000000000000:cluster/from-npx');
      // The bundled Docker client starts a real container.
      const image = await ensureBusyboxImage();
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'npx',
          containerDefinitions: [{ name: 'c', image, memory: 32, command: ['sleep', '60'] }],
        }),
      );
      const run = await ecs.send(new RunTaskCommand({ cluster: 'from-npx', taskDefinition: 'npx' }));
      const taskArn = run.tasks![0].taskArn!;
      const described = async () =>
        (await ecs.send(new DescribeTasksCommand({ cluster: 'from-npx', tasks: [taskArn] }))).tasks![0];
      await waitFor(async () => (await described()).lastStatus === 'RUNNING', { timeoutMs: 60_000 });
      await ecs.send(new StopTaskCommand({ cluster: 'from-npx', task: taskArn }));
      await waitFor(async () => (await described()).lastStatus === 'STOPPED', { timeoutMs: 60_000 });

      // What npx installed: no dependencies, no type declarations, well under 10 MB.
      const installed = fs
        .readdirSync(path.join(dir, 'npm-cache', '_npx'))
        .map((h) => path.join(dir, 'npm-cache', '_npx', h, 'node_modules'))
        .find((m) => fs.existsSync(path.join(m, 'dockside')))!;
      const files = (fs.readdirSync(installed, { recursive: true }) as string[]).filter((f) =>
        fs.statSync(path.join(installed, f)).isFile(),
      );
      const bytes = files.reduce((n, f) => n + fs.statSync(path.join(installed, f)).size, 0);
      expect(files.filter((f) => f.endsWith('.d.ts'))).toEqual([]);
      // Nothing beside the package itself (npm's own .bin link and lock file aside).
      expect(files.filter((f) => !/^(dockside\/|\.bin\/|\.package-lock)/.test(f))).toEqual([]);
      expect(bytes).toBeLessThan(10 * 1024 * 1024);
      // After its first start, the CLI keeps V8's code cache beside the bundle, owner-only.
      const cacheDir = path.join(installed, 'dockside', '.cache');
      await waitFor(() => fs.existsSync(cacheDir) && fs.readdirSync(cacheDir).some((f) => f.endsWith('.bin')));
      expect(fs.statSync(cacheDir).mode & 0o077).toBe(0);
    } finally {
      // npx runs dockside as a child: end the whole group.
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 240_000);
