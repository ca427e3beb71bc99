/** What happens to containers: kept on request, removed on shutdown, orphans of dead instances removed. */
import { spawn } from 'node:child_process';
import Docker from 'dockerode';
import { CreateClusterCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { ecs } from '@dockside/ecs';
import { startTestGateway, waitFor } from '@dockside/testing';
import { BUSYBOX, waitForTask } from './helpers';

const docker = new Docker();
const byTask = (arn: string) =>
  docker.listContainers({ all: true, filters: { label: [`com.amazonaws.ecs.task-arn=${arn}`] } });

async function gatewayWithTaskDef(options: Parameters<typeof ecs>[0] = {}) {
  const t = await startTestGateway({ plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never', ...options })] });
  const client = t.client(ECSClient);
  await client.send(new CreateClusterCommand({}));
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'f',
      containerDefinitions: [
        {
          name: 'main',
          image: BUSYBOX,
          memory: 32,
          command: [
            'sh',
            '-c',
            'echo "meta=$ECS_CONTAINER_METADATA_URI_V4 v3=$ECS_CONTAINER_METADATA_URI"; sleep ${SLEEP:-0}',
          ],
        },
      ],
    }),
  );
  return { t, client };
}

test('containers are removed after STOPPED, or kept with keepContainers; metadata URIs are injected per container', async () => {
  const { t, client } = await gatewayWithTaskDef({ keepContainers: true });
  const lines: string[] = [];
  t.gateway.bus.subscribe('ecs.container-output', (e) => void lines.push(e.line));
  try {
    const { tasks } = await client.send(new RunTaskCommand({ taskDefinition: 'f' }));
    const done = await waitForTask(client, tasks![0].taskArn!, 'STOPPED');
    const kept = await byTask(done.taskArn!);
    expect(kept.map((c) => c.Id)).toEqual([done.containers![0].runtimeId]);
    const token = done.containers![0].containerArn!.split('/').pop();
    const port = new URL(t.endpoint).port;
    // Bridge containers reach Dockside at the ECS agent address, not their own loopback.
    expect(lines).toEqual([
      `meta=http://169.254.170.2:${port}/v4/${token} v3=http://169.254.170.2:${port}/v3/${token}`,
    ]);
    await docker.getContainer(kept[0].Id).remove({ force: true });
  } finally {
    await t.stop();
  }
});

test('shutdown stops and removes every container it started', async () => {
  const { t, client } = await gatewayWithTaskDef();
  const { tasks } = await client.send(
    new RunTaskCommand({
      taskDefinition: 'f',
      count: 2,
      overrides: { containerOverrides: [{ name: 'main', environment: [{ name: 'SLEEP', value: '3600' }] }] },
    }),
  );
  await Promise.all(tasks!.map((x) => waitForTask(client, x.taskArn!, 'RUNNING')));
  expect((await byTask(tasks![0].taskArn!)).length).toBe(1);
  await t.stop();
  for (const x of tasks!) expect(await byTask(x.taskArn!)).toEqual([]);
});

test('containers left by a Dockside process that died are removed by the next one', async () => {
  // A process that is certainly gone: spawn one and let it exit.
  const dead = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => dead.once('exit', r));
  const orphan = await docker.createContainer({
    Image: BUSYBOX,
    Cmd: ['sleep', '3600'],
    Labels: { 'dockside.instance': 'dockside-old', 'dockside.pid': String(dead.pid) },
  });
  await orphan.start();
  const { t, client } = await gatewayWithTaskDef();
  try {
    const { tasks } = await client.send(new RunTaskCommand({ taskDefinition: 'f' }));
    await waitForTask(client, tasks![0].taskArn!, 'STOPPED');
    await waitFor(
      async () =>
        !(await orphan.inspect().then(
          () => true,
          () => false,
        )),
      { what: 'the orphan to be removed', timeoutMs: 15_000 },
    );
  } finally {
    await t.stop();
    await orphan.remove({ force: true }).catch(() => undefined);
  }
});

test('a failed pull (prefer-cached, unreachable registry) stops the task with CannotPullContainerError', async () => {
  const t = await startTestGateway({ plugins: [ecs({ instancesPerCluster: 1 })] });
  try {
    const client = t.client(ECSClient);
    await client.send(new CreateClusterCommand({}));
    // A registry on a closed loopback port: the engine fails at once, and no traffic leaves the machine.
    await client.send(
      new RegisterTaskDefinitionCommand({
        family: 'p',
        containerDefinitions: [{ name: 'main', image: '127.0.0.1:1/nothing:latest', memory: 32 }],
      }),
    );
    const { tasks } = await client.send(new RunTaskCommand({ taskDefinition: 'p' }));
    const done = await waitForTask(client, tasks![0].taskArn!, 'STOPPED');
    expect(done.stopCode).toBe('TaskFailedToStart');
    expect(done.stoppedReason).toMatch(/^CannotPullContainerError: Error response from daemon: .*127\.0\.0\.1:1/);
    expect(done.pullStartedAt).toBeInstanceOf(Date);
  } finally {
    await t.stop();
  }
});
