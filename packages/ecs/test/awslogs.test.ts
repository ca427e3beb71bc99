/** awslogs from real ECS tasks into the Logs plugin: live, complete before STOPPED, multiline. */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateClusterCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type ContainerDefinition,
} from '@aws-sdk/client-ecs';
import { DocksideClient } from '@dockside/client';
import { ecs } from '@dockside/ecs';
import { logs } from '@dockside/logs';
import { startTestGateway, waitFor, type TestGateway } from '@dockside/testing';
import { BUSYBOX, startEcs, waitForTask } from './helpers';

let t: TestGateway;
let client: ECSClient;
let cwl: CloudWatchLogsClient;
beforeAll(async () => {
  t = await startTestGateway({ plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never' }), logs()] });
  client = t.client(ECSClient);
  cwl = t.client(CloudWatchLogsClient);
  await client.send(new CreateClusterCommand({}));
});
afterAll(() => t.stop());

const awslogs = (options: Record<string, string>) => ({
  logDriver: 'awslogs' as const,
  options: { 'awslogs-region': 'us-east-1', ...options },
});
async function runWith(family: string, def: Partial<ContainerDefinition>) {
  await client.send(
    new RegisterTaskDefinitionCommand({
      family,
      containerDefinitions: [{ name: 'app', image: BUSYBOX, memory: 32, ...def }],
    }),
  );
  return (await client.send(new RunTaskCommand({ taskDefinition: family }))).tasks![0];
}
const allEvents = async (group: string, stream: string) =>
  (await cwl.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true })))
    .events ?? [];

test('lines arrive live, multiline events are grouped, and everything is there right after STOPPED', async () => {
  await cwl.send(new CreateLogGroupCommand({ logGroupName: '/ecs/app' }));
  const script = [
    'for i in 1 2 3 4 5; do echo "2024-01-02 10:00:0$i INFO line $i"; done',
    'echo "2024-01-02 10:00:06 INFO marker-live"',
    'sleep 2',
    'echo "2024-01-02 10:00:07 ERROR boom"',
    'echo "    at handler (app.js:10)"',
    'echo "    at main (app.js:20)"',
    // (stdout only: stdout and stderr are separate pipes, so their relative order is not kept)
    'echo "2024-01-02 10:00:08 INFO done"',
  ].join('; ');
  const task = await runWith('shipper', {
    command: ['sh', '-c', script],
    logConfiguration: awslogs({
      'awslogs-group': '/ecs/app',
      'awslogs-stream-prefix': 'web',
      'awslogs-datetime-format': '%Y-%m-%d %H:%M:%S',
    }),
  });
  const id = task.taskArn!.split('/').pop();
  const stream = `web/app/${id}`;
  // Live: the marker is readable within a second of being written, while the task still runs.
  const written = await waitFor(
    async () =>
      (await new DocksideClient(t.endpoint).ecs.logs(task.taskArn!)).containers[0].lines.find((l) =>
        l.line.includes('marker-live'),
      ),
    { what: 'the marker to be written', intervalMs: 20 },
  );
  await waitFor(async () => (await allEvents('/ecs/app', stream)).some((e) => e.message!.includes('marker-live')), {
    timeoutMs: Math.max(1, written.timestamp + 1000 - Date.now()),
    intervalMs: 20,
    what: 'the marker in CloudWatch Logs within a second',
  });
  const running = await client.send(
    new (await import('@aws-sdk/client-ecs')).DescribeTasksCommand({ tasks: [task.taskArn!] }),
  );
  expect(running.tasks![0].lastStatus).not.toBe('STOPPED');

  await waitForTask(client, task.taskArn!, 'STOPPED');
  const events = await allEvents('/ecs/app', stream);
  expect(events.map((e) => e.message)).toEqual([
    ...[1, 2, 3, 4, 5].map((i) => `2024-01-02 10:00:0${i} INFO line ${i}`),
    '2024-01-02 10:00:06 INFO marker-live',
    '2024-01-02 10:00:07 ERROR boom\n    at handler (app.js:10)\n    at main (app.js:20)',
    '2024-01-02 10:00:08 INFO done',
  ]);
  // Timestamps are when each line was written: the two halves are ~2 s apart.
  expect(events[6].timestamp! - events[5].timestamp!).toBeGreaterThanOrEqual(1500);
});

test('awslogs-multiline-pattern groups lines too', async () => {
  await cwl.send(new CreateLogGroupCommand({ logGroupName: '/ecs/ml' }));
  const task = await runWith('multiline', {
    command: ['sh', '-c', 'echo "START a"; echo " detail 1"; echo "START b"; echo " detail 2"; echo " detail 3"'],
    logConfiguration: awslogs({
      'awslogs-group': '/ecs/ml',
      'awslogs-stream-prefix': 'p',
      'awslogs-multiline-pattern': '^START',
    }),
  });
  await waitForTask(client, task.taskArn!, 'STOPPED');
  const events = await allEvents('/ecs/ml', `p/app/${task.taskArn!.split('/').pop()}`);
  expect(events.map((e) => e.message)).toEqual(['START a\n detail 1', 'START b\n detail 2\n detail 3']);
});

test('awslogs-create-group makes the group; without a prefix the stream is the container id', async () => {
  const task = await runWith('creates', {
    command: ['echo', 'hi'],
    logConfiguration: awslogs({ 'awslogs-group': '/ecs/made-by-task', 'awslogs-create-group': 'true' }),
  });
  const done = await waitForTask(client, task.taskArn!, 'STOPPED');
  expect(
    (await cwl.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/ecs/made-by-task' }))).logGroups,
  ).toHaveLength(1);
  const streams = (await cwl.send(new DescribeLogStreamsCommand({ logGroupName: '/ecs/made-by-task' }))).logStreams!;
  expect(streams.map((s) => s.logStreamName)).toEqual([done.containers![0].runtimeId]);
  expect((await allEvents('/ecs/made-by-task', streams[0].logStreamName!)).map((e) => e.message)).toEqual(['hi']);
});

test('a missing group without awslogs-create-group fails the task as ECS reports it', async () => {
  const task = await runWith('nogroup', {
    command: ['echo', 'never'],
    logConfiguration: awslogs({ 'awslogs-group': '/ecs/missing' }),
  });
  const done = await waitForTask(client, task.taskArn!, 'STOPPED');
  expect(done.stopCode).toBe('TaskFailedToStart');
  expect(done.stoppedReason).toBe(
    'CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.',
  );
});

test('FilterLogEvents across the streams of several tasks, for each pattern family', async () => {
  await cwl.send(new CreateLogGroupCommand({ logGroupName: '/ecs/many' }));
  const lines = [
    'ERROR payment failed',
    '{"level":"error","latency":250,"path":"/pay"}',
    '{"level":"info","latency":20,"path":"/health"}',
    '10.0.0.1 GET /pay 503 12',
    '10.0.0.2 GET /health 200 3',
  ];
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'many',
      containerDefinitions: [
        {
          name: 'app',
          image: BUSYBOX,
          memory: 32,
          command: ['sh', '-c', lines.map((l) => `echo '${l}'`).join('; ')],
          logConfiguration: awslogs({ 'awslogs-group': '/ecs/many', 'awslogs-stream-prefix': 'svc' }),
        },
      ],
    }),
  );
  const { tasks } = await client.send(new RunTaskCommand({ taskDefinition: 'many', count: 3 }));
  await Promise.all(tasks!.map((x) => waitForTask(client, x.taskArn!, 'STOPPED')));
  const filter = async (filterPattern: string) => {
    const out = await cwl.send(
      new FilterLogEventsCommand({ logGroupName: '/ecs/many', logStreamNamePrefix: 'svc/app/', filterPattern }),
    );
    return {
      streams: new Set(out.events!.map((e) => e.logStreamName)).size,
      messages: [...new Set(out.events!.map((e) => e.message))],
    };
  };
  expect(await filter('ERROR')).toEqual({ streams: 3, messages: ['ERROR payment failed'] });
  expect(await filter('{ $.level = "error" && $.latency > 100 }')).toEqual({ streams: 3, messages: [lines[1]] });
  expect(await filter('[ip, method, path, status = 5*, ms]')).toEqual({ streams: 3, messages: [lines[3]] });
  expect(await filter('?payment ?health -ERROR')).toEqual({ streams: 3, messages: [lines[2], lines[4]] });
});

test('without the Logs plugin an awslogs task still runs; its output stays in the buffer', async () => {
  const { t: bare, client: c, api } = await startEcs();
  try {
    await c.send(
      new RegisterTaskDefinitionCommand({
        family: 'alone',
        containerDefinitions: [
          {
            name: 'app',
            image: BUSYBOX,
            memory: 32,
            command: ['echo', 'kept here'],
            logConfiguration: awslogs({ 'awslogs-group': '/ecs/none' }),
          },
        ],
      }),
    );
    const { tasks } = await c.send(new RunTaskCommand({ taskDefinition: 'alone' }));
    const done = await waitForTask(c, tasks![0].taskArn!, 'STOPPED');
    expect(done.stopCode).toBe('EssentialContainerExited');
    expect(done.containers![0].exitCode).toBe(0);
    expect((await api.ecs.logs(done.taskArn!)).containers[0].lines.map((l) => l.line)).toEqual(['kept here']);
  } finally {
    await bare.stop();
  }
});
