/**
 * EventBridge with ECS and real containers: ECS's "ECS Task State Change" events drive a rule
 * (STOPPED with a non-zero exit code) that delivers to a log group; a scheduled rule on the
 * driven clock runs a task whose container sees the overrides from the target's Input; a RunTask
 * that fails is retried by the target's RetryPolicy.
 */
import { CloudWatchLogsClient, CreateLogGroupCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { ecs } from '@dockside/ecs';
import { eventbridge } from '@dockside/eventbridge';
import { logs } from '@dockside/logs';
import { TEST_IMAGES, ensureBusyboxImage, useTestGateway, waitFor } from '@dockside/testing';

const gw = useTestGateway(
  () => ({ plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never' }), logs(), eventbridge({ tickMs: 100 })] }),
  {
    ready: async (t) => {
      await ensureBusyboxImage();
      await t.client(ECSClient).send(new CreateClusterCommand({}));
      await t.client(ECSClient).send(
        new RegisterTaskDefinitionCommand({
          family: 'job',
          containerDefinitions: [
            {
              name: 'main',
              image: TEST_IMAGES.busybox,
              memory: 32,
              command: ['sh', '-c', 'echo "job: $GREETING"; exit 3'],
            },
          ],
        }),
      );
    },
  },
);
const eb = gw.sdk(EventBridgeClient);
const ecsClient = gw.sdk(ECSClient);
const cwl = gw.sdk(CloudWatchLogsClient);
const CLUSTER = 'arn:aws:ecs:us-east-1:000000000000:cluster/default';

const logMessages = (group: string, count = 1) =>
  waitFor(
    async () => {
      const r = await cwl.send(new FilterLogEventsCommand({ logGroupName: group }));
      return (r.events?.length ?? 0) >= count ? r.events!.map((e) => e.message!) : undefined;
    },
    { what: `${count} events in ${group}`, timeoutMs: 60_000 },
  );

test('a rule on STOPPED tasks with a non-zero exit code delivers ECS Task State Change to a log group', async () => {
  await cwl.send(new CreateLogGroupCommand({ logGroupName: '/events/failed-tasks' }));
  await eb.send(
    new PutRuleCommand({
      Name: 'failed-tasks',
      EventPattern: JSON.stringify({
        source: ['aws.ecs'],
        'detail-type': ['ECS Task State Change'],
        detail: { lastStatus: ['STOPPED'], containers: { exitCode: [{ numeric: ['>', 0] }] } },
      }),
    }),
  );
  await eb.send(
    new PutTargetsCommand({
      Rule: 'failed-tasks',
      Targets: [{ Id: 'log', Arn: 'arn:aws:logs:us-east-1:000000000000:log-group:/events/failed-tasks' }],
    }),
  );
  const { tasks } = await ecsClient.send(new RunTaskCommand({ taskDefinition: 'job' }));
  const [message] = await logMessages('/events/failed-tasks');
  const event = JSON.parse(message);
  expect(event).toMatchObject({
    version: '0',
    source: 'aws.ecs',
    'detail-type': 'ECS Task State Change',
    account: '000000000000',
    region: 'us-east-1',
    resources: [tasks![0].taskArn],
    detail: {
      taskArn: tasks![0].taskArn,
      clusterArn: CLUSTER,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      containers: [expect.objectContaining({ name: 'main', exitCode: 3, lastStatus: 'STOPPED' })],
    },
  });
  expect(event.detail.version).toBeGreaterThan(1);
  expect(event.detail.stoppedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

test('a scheduled rule on the driven clock runs a task with the overrides of the target Input; a failed RunTask is retried', async () => {
  await eb.send(new PutRuleCommand({ Name: 'every-5', ScheduleExpression: 'rate(5 minutes)' }));
  const input = {
    containerOverrides: [{ name: 'main', environment: [{ name: 'GREETING', value: 'hello from input' }] }],
  };
  await eb.send(
    new PutTargetsCommand({
      Rule: 'every-5',
      Targets: [
        {
          Id: 'job',
          Arn: CLUSTER,
          RoleArn: 'arn:aws:iam::000000000000:role/events',
          Input: JSON.stringify(input),
          EcsParameters: {
            TaskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/job',
            TaskCount: 1,
            LaunchType: 'EC2',
          },
        },
        // A cluster that does not exist yet: RunTask fails and is retried.
        {
          Id: 'later',
          Arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/later',
          RoleArn: 'arn:aws:iam::000000000000:role/events',
          EcsParameters: { TaskDefinitionArn: 'job' },
          RetryPolicy: { MaximumRetryAttempts: 5 },
        },
      ],
    }),
  );
  const before = (await ecsClient.send(new ListTasksCommand({ startedBy: 'events-rule/every-5' }))).taskArns ?? [];
  expect(before).toEqual([]);
  await (
    await fetch(`${gw.endpoint}/_dockside/events/clock/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"seconds":300}',
    })
  ).json();
  const arn = await waitFor(
    async () =>
      (await ecsClient.send(new ListTasksCommand({ startedBy: 'events-rule/every-5', desiredStatus: 'STOPPED' })))
        .taskArns?.[0],
    {
      what: 'the scheduled task',
      timeoutMs: 60_000,
    },
  );
  const task = (await ecsClient.send(new DescribeTasksCommand({ tasks: [arn] }))).tasks![0];
  expect(task.overrides?.containerOverrides?.[0]).toMatchObject({
    name: 'main',
    environment: [{ name: 'GREETING', value: 'hello from input' }],
  });
  const out = await (await fetch(`${gw.endpoint}/_dockside/ecs/tasks/${arn.split('/').pop()}/logs`)).json();
  expect(out.containers[0].lines.map((l: { line: string }) => l.line)).toContain('job: hello from input');
  // The retried target: failing until the cluster exists, then delivered.
  await waitFor(
    async () => {
      const d = (await (await fetch(`${gw.endpoint}/_dockside/events/deliveries?rule=every-5`)).json())
        .deliveries as Array<{ targetId: string; outcome: string }>;
      return d.some((x) => x.targetId === 'later' && x.outcome === 'retrying') ? true : undefined;
    },
    { what: 'a failed attempt' },
  );
  await ecsClient.send(new CreateClusterCommand({ clusterName: 'later' }));
  await waitFor(
    async () => {
      const d = (await (await fetch(`${gw.endpoint}/_dockside/events/deliveries?rule=every-5`)).json())
        .deliveries as Array<{ targetId: string; outcome: string; attempt: number }>;
      return d.find((x) => x.targetId === 'later' && x.outcome === 'delivered' && x.attempt > 1);
    },
    { what: 'the retried delivery', timeoutMs: 60_000 },
  );
  const retried =
    (await ecsClient.send(new ListTasksCommand({ cluster: 'later', startedBy: 'events-rule/every-5' }))).taskArns ?? [];
  const stopped =
    (
      await ecsClient.send(
        new ListTasksCommand({ cluster: 'later', startedBy: 'events-rule/every-5', desiredStatus: 'STOPPED' }),
      )
    ).taskArns ?? [];
  expect(retried.length + stopped.length).toBe(1);
});

test('registering and deregistering a container instance sends ECS Container Instance State Change', async () => {
  const { RegisterContainerInstanceCommand, DeregisterContainerInstanceCommand } = await import('@aws-sdk/client-ecs');
  const { containerInstance } = await ecsClient.send(
    new RegisterContainerInstanceCommand({ totalResources: [{ name: 'CPU', type: 'INTEGER', integerValue: 2048 }] }),
  );
  await ecsClient.send(
    new DeregisterContainerInstanceCommand({ containerInstance: containerInstance!.containerInstanceArn }),
  );
  const events = (await (await fetch(`${gw.endpoint}/_dockside/events/buses/default/events`)).json()).events as Array<{
    'detail-type': string;
    resources: string[];
    detail: { status: string; clusterArn: string; containerInstanceArn: string };
  }>;
  const changes = events.filter((e) => e['detail-type'] === 'ECS Container Instance State Change');
  expect(changes.map((e) => [e.resources[0], e.detail.status, e.detail.clusterArn])).toEqual([
    [containerInstance!.containerInstanceArn, 'ACTIVE', CLUSTER],
    [containerInstance!.containerInstanceArn, 'INACTIVE', CLUSTER],
  ]);
});
