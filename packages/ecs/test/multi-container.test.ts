/** Multi-container tasks on real Docker: dependsOn, essential semantics, health, OOM, no engine. */
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { ecs } from '@dockside/ecs';
import { startTestGateway } from '@dockside/testing';
import { BUSYBOX, useEcs, waitForTask } from './helpers';

const { gw, client } = useEcs();

test('three containers: HEALTHY and SUCCESS dependencies order the start; a non-essential exit is recorded only', async () => {
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'three',
      containerDefinitions: [
        {
          name: 'db',
          image: BUSYBOX,
          memory: 32,
          stopTimeout: 2,
          command: ['sh', '-c', "trap 'exit 0' TERM; sleep 1; touch /tmp/ready; echo db-ready; sleep 3600 & wait"],
          // A generous timeout and retry count: on a loaded CI machine an exec can take seconds, and three
          // slow checks in a row turned db UNHEALTHY after app had started (a legal ECS state, not the point here).
          healthCheck: { command: ['CMD-SHELL', 'test -f /tmp/ready'], interval: 5, timeout: 10, retries: 10 },
        },
        {
          name: 'init',
          image: BUSYBOX,
          memory: 32,
          essential: false,
          command: ['sh', '-c', 'echo init-done'],
          dependsOn: [{ containerName: 'db', condition: 'START' }],
        },
        { name: 'side', image: BUSYBOX, memory: 32, essential: false, command: ['sh', '-c', 'exit 7'] },
        {
          name: 'app',
          image: BUSYBOX,
          memory: 32,
          command: ['sh', '-c', 'echo app-start; sleep 2; exit 0'],
          dependsOn: [
            { containerName: 'db', condition: 'HEALTHY' },
            { containerName: 'init', condition: 'SUCCESS' },
          ],
        },
      ],
    }),
  );
  const lines: string[] = [];
  const off = gw.t.gateway.bus.subscribe(
    'ecs.container-output',
    (e) => void lines.push(`${e.containerName}:${e.line}`),
  );
  const { tasks } = await client.send(new RunTaskCommand({ taskDefinition: 'three' }));
  const arn = tasks![0].taskArn!;

  // Observe the task while it runs: app must never run before db is HEALTHY.
  const seen: Task[] = [];
  let last: Task | undefined;
  do {
    last = (await client.send(new DescribeTasksCommand({ tasks: [arn] }))).tasks![0];
    seen.push(last);
    await new Promise((r) => setTimeout(r, 100));
  } while (last.lastStatus !== 'STOPPED');
  off();

  const c = (task: Task, name: string) => task.containers!.find((x) => x.name === name)!;
  // db may turn unhealthy later (ECS only orders the start); what matters is that it was HEALTHY no later than
  // the first look at app out of PENDING.
  const firstHealthy = seen.findIndex((s) => c(s, 'db').healthStatus === 'HEALTHY');
  const firstAppStarted = seen.findIndex((s) => c(s, 'app').lastStatus !== 'PENDING');
  expect(firstAppStarted).toBeGreaterThanOrEqual(0);
  expect(firstHealthy).toBeGreaterThanOrEqual(0);
  expect(firstHealthy).toBeLessThanOrEqual(firstAppStarted);
  expect(c(seen[firstAppStarted], 'db').healthStatus).toBe('HEALTHY');
  expect(seen.some((s) => c(s, 'db').healthStatus === 'HEALTHY' && s.healthStatus === 'HEALTHY')).toBe(true);
  // The non-essential `side` exited with 7 while the task kept running.
  expect(seen.some((s) => c(s, 'side').exitCode === 7 && s.lastStatus === 'RUNNING')).toBe(true);
  expect(lines.indexOf('init:init-done')).toBeGreaterThanOrEqual(0);
  expect(lines.indexOf('app:app-start')).toBeGreaterThan(lines.indexOf('init:init-done'));
  expect(lines.indexOf('app:app-start')).toBeGreaterThan(lines.indexOf('db:db-ready'));

  expect(last).toMatchObject({
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
  });
  expect(Object.fromEntries(last.containers!.map((x) => [x.name, x.exitCode]))).toEqual({
    db: 0,
    init: 0,
    side: 7,
    app: 0,
  });
}, 90_000);

test('a failed SUCCESS dependency stops the task before the dependent starts', async () => {
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'bad-init',
      containerDefinitions: [
        { name: 'init', image: BUSYBOX, memory: 32, essential: false, command: ['sh', '-c', 'exit 1'] },
        {
          name: 'app',
          image: BUSYBOX,
          memory: 32,
          command: ['sh', '-c', 'echo never'],
          dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }],
        },
      ],
    }),
  );
  const { tasks } = await client.send(new RunTaskCommand({ taskDefinition: 'bad-init' }));
  const done = await waitForTask(client, tasks![0].taskArn!, 'STOPPED');
  expect(done.stopCode).toBe('TaskFailedToStart');
  expect(done.stoppedReason).toContain(
    "dependency condition SUCCESS of container 'app' on 'init' can no longer be met: it exited with code 1",
  );
  const app = done.containers!.find((x) => x.name === 'app')!;
  expect(app.exitCode).toBeUndefined();
  expect(app.reason).toContain('dependency condition SUCCESS');
});

test('startTimeout bounds the wait for a dependency', async () => {
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'slow-dep',
      containerDefinitions: [
        {
          name: 'db',
          image: BUSYBOX,
          memory: 32,
          stopTimeout: 1,
          command: ['sleep', '3600'],
          healthCheck: { command: ['CMD-SHELL', 'exit 1'], interval: 5, retries: 10 },
        },
        {
          name: 'app',
          image: BUSYBOX,
          memory: 32,
          startTimeout: 2,
          command: ['true'],
          dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }],
        },
      ],
    }),
  );
  const { tasks } = await client.send(new RunTaskCommand({ taskDefinition: 'slow-dep' }));
  const done = await waitForTask(client, tasks![0].taskArn!, 'STOPPED');
  expect(done.stopCode).toBe('TaskFailedToStart');
  expect(done.stoppedReason).toMatch(
    /^ContainerRuntimeTimeoutError: Could not transition to running; timed out after waiting 2s/,
  );
});

test('an OOM-killed container reports OutOfMemoryError', async () => {
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'hungry',
      containerDefinitions: [
        { name: 'main', image: BUSYBOX, memory: 16, linuxParameters: { maxSwap: 0 }, command: ['tail', '/dev/zero'] },
      ],
    }),
  );
  const { tasks } = await client.send(new RunTaskCommand({ taskDefinition: 'hungry' }));
  const done = await waitForTask(client, tasks![0].taskArn!, 'STOPPED');
  expect(done.containers![0]).toMatchObject({
    exitCode: 137,
    reason: 'OutOfMemoryError: Container killed due to memory usage',
  });
  expect(done.stopCode).toBe('EssentialContainerExited');
});

test('no reachable engine: the API still works and tasks stop with TaskFailedToStart', async () => {
  const dead = await startTestGateway({
    plugins: [ecs({ instancesPerCluster: 1, docker: { socketPath: '/nonexistent/docker.sock' } })],
  });
  try {
    const c = dead.client(ECSClient);
    await c.send(new CreateClusterCommand({}));
    await c.send(
      new RegisterTaskDefinitionCommand({
        family: 'x',
        containerDefinitions: [{ name: 'main', image: BUSYBOX, memory: 32 }],
      }),
    );
    const { tasks } = await c.send(new RunTaskCommand({ taskDefinition: 'x' }));
    expect(tasks![0].lastStatus).toBe('PROVISIONING');
    const done = await waitForTask(c, tasks![0].taskArn!, 'STOPPED');
    expect(done.stopCode).toBe('TaskFailedToStart');
    expect(done.stoppedReason).toContain('cannot reach the container engine at unix:///nonexistent/docker.sock');
  } finally {
    await dead.stop();
  }
});
