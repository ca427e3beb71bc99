/** Tasks through @aws-sdk/client-ecs against a real gateway and real Docker. */
import Docker from 'dockerode';
import {
  ClusterContainsTasksException,
  ClusterNotFoundException,
  DeleteClusterCommand,
  DescribeClustersCommand,
  DescribeTasksCommand,
  InvalidParameterException,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  TagResourceCommand,
  ListTagsForResourceCommand,
  paginateListTasks,
} from '@aws-sdk/client-ecs';
import type { EcsTaskChange } from '@dockside/ecs';

import { BUSYBOX, useEcs, waitForTask } from './helpers';

const { gw, client } = useEcs();
const events: EcsTaskChange[] = [];
beforeAll(async () => {
  gw.t.gateway.bus.subscribe('ecs.task', (e) => void events.push(e));
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'oneshot',
      tags: [{ key: 'from', value: 'td' }],
      containerDefinitions: [
        {
          name: 'main',
          image: BUSYBOX,
          memory: 32,
          command: ['sh', '-c', 'echo "hello $GREETING"; exit 3'],
          environment: [{ name: 'GREETING', value: 'world' }],
        },
      ],
    }),
  );
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'sleeper',
      containerDefinitions: [{ name: 'main', image: BUSYBOX, memory: 32, command: ['sleep', '3600'], stopTimeout: 1 }],
    }),
  );
});

const docker = new Docker();

test('a one-shot task runs to STOPPED with its exit code, passing every status, and its container is removed', async () => {
  const { tasks, failures } = await client.send(new RunTaskCommand({ taskDefinition: 'oneshot', startedBy: 'test-1' }));
  expect(failures).toEqual([]);
  const started = tasks![0];
  expect(started).toMatchObject({
    lastStatus: 'PROVISIONING',
    desiredStatus: 'RUNNING',
    launchType: 'EC2',
    group: 'family:oneshot',
    startedBy: 'test-1',
    version: 1,
  });
  expect(started.taskArn).toMatch(/^arn:aws:ecs:us-east-1:000000000000:task\/default\/[0-9a-f]{32}$/);
  expect(started.containers?.[0]).toMatchObject({ name: 'main', lastStatus: 'PENDING', image: BUSYBOX });

  const done = await waitForTask(client, started.taskArn!, 'STOPPED');
  expect(done).toMatchObject({
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    connectivity: 'DISCONNECTED',
  });
  expect(done.containers?.[0]).toMatchObject({ lastStatus: 'STOPPED', exitCode: 3 });
  expect(done.containers?.[0].imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  for (const k of [
    'createdAt',
    'pullStartedAt',
    'pullStoppedAt',
    'connectivityAt',
    'startedAt',
    'stoppingAt',
    'executionStoppedAt',
    'stoppedAt',
  ] as const) {
    expect(done[k]).toBeInstanceOf(Date);
  }
  expect(done.startedAt!.getTime()).toBeLessThanOrEqual(done.stoppedAt!.getTime());

  const mine = events.filter((e) => e.taskArn === started.taskArn);
  const sequence = mine.map((e) => e.lastStatus).filter((s, i, a) => s !== a[i - 1]);
  expect(sequence).toEqual([
    'PROVISIONING',
    'PENDING',
    'ACTIVATING',
    'RUNNING',
    'DEACTIVATING',
    'STOPPING',
    'DEPROVISIONING',
    'STOPPED',
  ]);
  const versions = mine.map((e) => e.version);
  expect(versions).toEqual([...versions].sort((a, b) => a - b));
  expect(new Set(versions).size).toBe(versions.length);
  expect(done.version).toBe(versions[versions.length - 1]);

  const left = await docker.listContainers({
    all: true,
    filters: { label: [`com.amazonaws.ecs.task-arn=${started.taskArn}`] },
  });
  expect(left).toEqual([]);
});

test('overrides: command and environment reach the container; output is captured live on the bus', async () => {
  const lines: string[] = [];
  const off = gw.t.gateway.bus.subscribe(
    'ecs.container-output',
    (e) => void lines.push(`${e.containerName}:${e.stream}:${e.line}`),
  );
  const { tasks } = await client.send(
    new RunTaskCommand({
      taskDefinition: 'oneshot',
      overrides: {
        containerOverrides: [
          {
            name: 'main',
            command: ['sh', '-c', 'echo "hi $GREETING $EXTRA $AWS_REGION $AWS_EXECUTION_ENV"; echo oops >&2'],
            environment: [
              { name: 'GREETING', value: 'override' },
              { name: 'EXTRA', value: 'x' },
            ],
          },
        ],
      },
    }),
  );
  const done = await waitForTask(client, tasks![0].taskArn!, 'STOPPED');
  off();
  expect(done.overrides?.containerOverrides?.[0].name).toBe('main');
  expect(done.containers?.[0].exitCode).toBe(0);
  expect(lines).toContain('main:stdout:hi override x us-east-1 AWS_ECS_EC2');
  expect(lines).toContain('main:stderr:oops');
});

test('StopTask: SIGTERM, then SIGKILL after the container stopTimeout; the caller reason is kept', async () => {
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'stubborn',
      containerDefinitions: [
        {
          name: 'main',
          image: BUSYBOX,
          memory: 32,
          stopTimeout: 3,
          // Ignores SIGTERM: only SIGKILL ends it.
          command: ['sh', '-c', "trap '' TERM; echo ready; while true; do sleep 1; done"],
        },
      ],
    }),
  );
  const { tasks } = await client.send(new RunTaskCommand({ taskDefinition: 'stubborn' }));
  const arn = tasks![0].taskArn!;
  await waitForTask(client, arn, 'RUNNING');
  const before = Date.now();
  const stopped = await client.send(new StopTaskCommand({ task: arn, reason: 'deploying v2' }));
  expect(stopped.task).toMatchObject({
    desiredStatus: 'STOPPED',
    stoppedReason: 'deploying v2',
    stopCode: 'UserInitiated',
  });
  const done = await waitForTask(client, arn, 'STOPPED');
  const took = Date.now() - before;
  // stopTimeout is 3 s: the kill comes no sooner, and before the 30 s default could have passed.
  expect(took).toBeGreaterThanOrEqual(2800);
  expect(took).toBeLessThan(30_000);
  expect(done.containers?.[0].exitCode).toBe(137);
  expect(done).toMatchObject({ stopCode: 'UserInitiated', stoppedReason: 'deploying v2' });
});

test('StopTask without a reason, and a task that stops on its own keeps its first reason', async () => {
  const { tasks } = await client.send(new RunTaskCommand({ taskDefinition: 'sleeper' }));
  const arn = tasks![0].taskArn!;
  await waitForTask(client, arn, 'RUNNING');
  await client.send(new StopTaskCommand({ task: arn }));
  const done = await waitForTask(client, arn, 'STOPPED');
  expect(done).toMatchObject({ stopCode: 'UserInitiated', stoppedReason: 'Task stopped by user' });
  await expect(client.send(new StopTaskCommand({ task: 'f'.repeat(32) }))).rejects.toThrow(
    'The referenced task was not found.',
  );
});

test('DescribeTasks failures, ListTasks filters and pagination, cluster counts', async () => {
  const run = await client.send(
    new RunTaskCommand({ taskDefinition: 'sleeper', count: 3, startedBy: 'lister', group: 'g1' }),
  );
  const arns = run.tasks!.map((x) => x.taskArn!).sort();
  await Promise.all(arns.map((a) => waitForTask(client, a, 'RUNNING')));
  const d = await client.send(new DescribeTasksCommand({ tasks: [arns[0], 'deadbeef'] }));
  expect(d.tasks?.map((x) => x.taskArn)).toEqual([arns[0]]);
  expect(d.failures).toEqual([{ arn: 'arn:aws:ecs:us-east-1:000000000000:task/default/deadbeef', reason: 'MISSING' }]);

  const byStarter = await client.send(new ListTasksCommand({ startedBy: 'lister' }));
  expect(byStarter.taskArns).toEqual(arns);
  expect((await client.send(new ListTasksCommand({ family: 'sleeper', startedBy: 'lister' }))).taskArns).toEqual(arns);
  expect((await client.send(new ListTasksCommand({ family: 'nope' }))).taskArns).toEqual([]);
  expect((await client.send(new ListTasksCommand({ startedBy: 'lister', launchType: 'FARGATE' }))).taskArns).toEqual(
    [],
  );
  const paged: string[] = [];
  for await (const p of paginateListTasks({ client, pageSize: 2 }, { startedBy: 'lister' }))
    paged.push(...(p.taskArns ?? []));
  expect(paged).toEqual(arns);

  const cluster = (await client.send(new DescribeClustersCommand({ include: ['STATISTICS'] }))).clusters![0];
  expect(cluster.runningTasksCount).toBeGreaterThanOrEqual(3);
  expect(cluster.statistics?.find((s) => s.name === 'runningEC2TasksCount')?.value).toBe(
    String(cluster.runningTasksCount),
  );
  await expect(client.send(new DeleteClusterCommand({ cluster: 'default' }))).rejects.toBeInstanceOf(
    ClusterContainsTasksException,
  );

  await Promise.all(arns.map((a) => client.send(new StopTaskCommand({ task: a }))));
  await Promise.all(arns.map((a) => waitForTask(client, a, 'STOPPED')));
  expect((await client.send(new ListTasksCommand({ startedBy: 'lister' }))).taskArns).toEqual([]);
  expect((await client.send(new ListTasksCommand({ startedBy: 'lister', desiredStatus: 'STOPPED' }))).taskArns).toEqual(
    arns,
  );
});

test('clientToken makes RunTask idempotent; tags and propagateTags', async () => {
  const input = {
    taskDefinition: 'oneshot',
    clientToken: 'tok-1',
    tags: [{ key: 'run', value: '1' }],
    propagateTags: 'TASK_DEFINITION' as const,
  };
  const a = await client.send(new RunTaskCommand(input));
  const b = await client.send(new RunTaskCommand(input));
  expect(b.tasks?.map((x) => x.taskArn)).toEqual(a.tasks?.map((x) => x.taskArn));
  await expect(client.send(new RunTaskCommand({ ...input, count: 2 }))).rejects.toBeInstanceOf(
    InvalidParameterException,
  );
  const arn = a.tasks![0].taskArn!;
  expect(a.tasks![0].tags).toEqual([
    { key: 'run', value: '1' },
    { key: 'from', value: 'td' },
  ]);
  await client.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'more', value: 'x' }] }));
  expect((await client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toHaveLength(3);
  const described = await client.send(new DescribeTasksCommand({ tasks: [arn], include: ['TAGS'] }));
  expect(described.tasks?.[0].tags).toHaveLength(3);
  expect((await client.send(new DescribeTasksCommand({ tasks: [arn] }))).tasks?.[0].tags).toEqual([]);
  await waitForTask(client, arn, 'STOPPED');
});

test('RunTask validation answers as ECS does', async () => {
  const bad = async (input: ConstructorParameters<typeof RunTaskCommand>[0], message: string) => {
    const err = await client.send(new RunTaskCommand(input)).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect(err.message).toContain(message);
  };
  await bad({ taskDefinition: 'oneshot', count: 11 }, 'count must be between 1 and 10');
  await bad({ taskDefinition: 'nope' }, 'TaskDefinition not found.');
  await bad(
    { taskDefinition: 'oneshot', launchType: 'FARGATE' },
    'Task definition does not support launch_type FARGATE.',
  );
  await bad(
    { taskDefinition: 'oneshot', launchType: 'EC2', capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }] },
    'Specifying both a launch type and capacity provider strategy is not supported.',
  );
  await bad(
    { taskDefinition: 'oneshot', overrides: { containerOverrides: [{ name: 'ghost' }] } },
    'Override for container named ghost is not a container in the TaskDefinition.',
  );
  await bad(
    { taskDefinition: 'oneshot', networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } } },
    'Network Configuration is not valid',
  );
  await expect(client.send(new RunTaskCommand({ taskDefinition: 'oneshot', cluster: 'ghost' }))).rejects.toBeInstanceOf(
    ClusterNotFoundException,
  );
});

test('TaskFailedToStart when the image cannot be had', async () => {
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'missing-image',
      containerDefinitions: [{ name: 'main', image: 'dockside-test/not-built:latest', memory: 32 }],
    }),
  );
  const { tasks } = await client.send(new RunTaskCommand({ taskDefinition: 'missing-image' }));
  const done = await waitForTask(client, tasks![0].taskArn!, 'STOPPED');
  expect(done.stopCode).toBe('TaskFailedToStart');
  expect(done.stoppedReason).toMatch(/^CannotPullContainerError: /);
  expect(done.containers?.[0].reason).toMatch(/^CannotPullContainerError: /);
  expect(done.startedAt).toBeUndefined();
});
