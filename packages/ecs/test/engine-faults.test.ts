/**
 * The container engine dying under a running gateway and coming back, against a private dockerd
 * this test starts on its own socket, data root and exec root (never the engine CI runs on):
 * tasks whose containers died stop with a reason, RunTask while the engine is down stops the task
 * TaskFailedToStart saying why, the API keeps answering, the next RunTask after the engine
 * returns runs, and nothing rejects unhandled. The private dockerd runs in its own network
 * namespace (`unshare --net`), so the host's networking is never touched. Skipped where dockerd
 * cannot be started that way (not root, no unshare).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { ecs } from '@dockside/ecs';
import { ensureBusyboxImage, startTestGateway, waitFor } from '@dockside/testing';
import Docker from 'dockerode';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-dockerd-'));
const socket = path.join(root, 'docker.sock');
const dockerdPath = ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find((p) => fs.existsSync(p));
const canRun = process.getuid?.() === 0 && Boolean(dockerdPath) && fs.existsSync('/usr/bin/unshare');
jest.setTimeout(180_000);

let dockerd: ChildProcess | undefined;
async function startEngine() {
  const log = fs.openSync(path.join(root, 'dockerd.log'), 'a');
  // In a network namespace of its own: a dockerd without a bridge deletes any `docker0` it sees,
  // which would be the host's (the CI engine's) otherwise.
  dockerd = spawn(
    'unshare',
    [
      '--net',
      dockerdPath!,
      '--host',
      `unix://${socket}`,
      '--data-root',
      path.join(root, 'data'),
      '--exec-root',
      path.join(root, 'exec'),
      '--pidfile',
      path.join(root, 'dockerd.pid'),
      // No bridge, no iptables: nothing of the host's networking is touched (nor its own namespace's).
      '--bridge',
      'none',
      '--iptables=false',
      '--ip6tables=false',
    ],
    { stdio: ['ignore', log, log] },
  );
  const docker = new Docker({ socketPath: socket });
  await waitFor(
    () =>
      docker.ping().then(
        () => true,
        () => undefined,
      ),
    { timeoutMs: 60_000, what: 'the private dockerd' },
  );
  return docker;
}
async function stopEngine() {
  const d = dockerd;
  dockerd = undefined;
  if (!d || d.exitCode !== null) return;
  const exited = new Promise((r) => d.once('exit', r));
  d.kill('SIGTERM');
  await exited;
}

afterAll(async () => {
  await stopEngine();
  fs.rmSync(root, { recursive: true, force: true });
});

(canRun ? test : test.skip)(
  'the engine dies and returns: tasks stop with reasons, the gateway serves and reconnects',
  async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    const docker = await startEngine();
    await ensureBusyboxImage(docker);
    const t = await startTestGateway({
      plugins: [ecs({ docker: { socketPath: socket }, pullPolicy: 'never', instancesPerCluster: 1 })],
    });
    const client = t.client(ECSClient);
    const task = async (arn: string) =>
      (await client.send(new DescribeTasksCommand({ cluster: 'faults', tasks: [arn] }))).tasks![0];
    const until = (arn: string, status: string) =>
      waitFor(async () => ((await task(arn)).lastStatus === status ? task(arn) : undefined), {
        timeoutMs: 60_000,
        what: `task to be ${status}`,
      });
    const run = async () =>
      (await client.send(new RunTaskCommand({ cluster: 'faults', taskDefinition: 'sleeper' }))).tasks![0].taskArn!;
    try {
      await client.send(new CreateClusterCommand({ clusterName: 'faults' }));
      await client.send(
        new RegisterTaskDefinitionCommand({
          family: 'sleeper',
          networkMode: 'none',
          containerDefinitions: [
            {
              name: 'main',
              image: 'dockside-test/busybox:latest',
              memory: 32,
              command: ['sleep', '3600'],
              stopTimeout: 1,
            },
          ],
        }),
      );
      const first = await run();
      await until(first, 'RUNNING');

      // The engine goes away (its containers with it).
      await stopEngine();
      const died: Task = await until(first, 'STOPPED');
      expect(died.stopCode).toBe('EssentialContainerExited');
      expect(died.containers![0].reason ?? died.stoppedReason).toBeTruthy();
      // The API keeps answering; RunTask records the task, which cannot start, and says why.
      expect((await client.send(new ListClustersCommand({}))).clusterArns).toHaveLength(1);
      const orphan = await run();
      const refused = await until(orphan, 'STOPPED');
      expect(refused.stopCode).toBe('TaskFailedToStart');
      expect(refused.stoppedReason).toMatch(new RegExp(`cannot reach the container engine at unix://${socket}`));

      // It comes back: the next task runs.
      await startEngine();
      const again = await run();
      await until(again, 'RUNNING');
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await t.stop();
    }
  },
);
