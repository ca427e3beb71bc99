/**
 * EventBridge Scheduler through the real `@aws-sdk/client-scheduler` (restJson1): schedules and
 * groups with Scheduler's defaults and errors, and schedules that really fire on the driven clock —
 * an at() schedule running an ECS task once and deleting itself, the universal
 * `aws-sdk:ecs:runTask` target, and an EventBridge PutEvents target.
 */
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import {
  ConflictException,
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  SchedulerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateScheduleCommand,
  ValidationException,
  type CreateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import { ecs } from '@dockside/ecs';
import { eventbridge } from '@dockside/eventbridge';
import { logs } from '@dockside/logs';
import { TEST_IMAGES, ensureBusyboxImage, rejection, useTestGateway, waitFor } from '@dockside/testing';

const gw = useTestGateway(
  () => ({ plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never' }), logs(), eventbridge({ tickMs: 100 })] }),
  { resetEach: true },
);
const scheduler = gw.sdk(SchedulerClient);
const ecsClient = gw.sdk(ECSClient);
const ROLE = 'arn:aws:iam::000000000000:role/scheduler';
const CLUSTER = 'arn:aws:ecs:us-east-1:000000000000:cluster/default';

const schedule = (name: string, extra: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommandInput => ({
  Name: name,
  ScheduleExpression: 'rate(1 hour)',
  FlexibleTimeWindow: { Mode: 'OFF' },
  Target: { Arn: 'arn:aws:sqs:us-east-1:000000000000:queue', RoleArn: ROLE, Input: 'hello' },
  ...extra,
});

/** Moves the plugin's clock forward (schedules due by then fire). */
async function advance(seconds: number) {
  const res = await fetch(`${gw.endpoint}/_dockside/events/clock/advance`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seconds }),
  });
  return (await res.json()).now as string;
}
const clockNow = async () => Date.parse(await advance(0.001));

test('schedules and groups: defaults, update, list, tags, and Scheduler errors', async () => {
  const { ScheduleArn } = await scheduler.send(new CreateScheduleCommand(schedule('nightly')));
  expect(ScheduleArn).toBe('arn:aws:scheduler:us-east-1:000000000000:schedule/default/nightly');
  const got = await scheduler.send(new GetScheduleCommand({ Name: 'nightly' }));
  expect(got).toMatchObject({
    Arn: ScheduleArn,
    GroupName: 'default',
    State: 'ENABLED',
    ScheduleExpressionTimezone: 'UTC',
    ActionAfterCompletion: 'NONE',
    CreationDate: expect.any(Date),
    Target: { RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 }, Input: 'hello' },
  });
  const again = await rejection(scheduler.send(new CreateScheduleCommand(schedule('nightly'))));
  expect(again).toBeInstanceOf(ConflictException);
  expect(again.message).toBe('Schedule nightly already exists.');

  // Groups: the default one exists; a schedule lives in its group; deleting the group deletes it.
  await scheduler.send(new CreateScheduleGroupCommand({ Name: 'team', Tags: [{ Key: 'owner', Value: 'ops' }] }));
  const group = await scheduler.send(new GetScheduleGroupCommand({ Name: 'team' }));
  expect(group).toMatchObject({ Name: 'team', State: 'ACTIVE' });
  await scheduler.send(new CreateScheduleCommand(schedule('nightly', { GroupName: 'team' })));
  await scheduler.send(
    new UpdateScheduleCommand({
      ...schedule('nightly', { GroupName: 'team', ScheduleExpression: 'cron(0 9 ? * MON-FRI *)' }),
      ScheduleExpressionTimezone: 'Europe/Paris',
      State: 'DISABLED',
    }),
  );
  expect(await scheduler.send(new GetScheduleCommand({ Name: 'nightly', GroupName: 'team' }))).toMatchObject({
    ScheduleExpression: 'cron(0 9 ? * MON-FRI *)',
    ScheduleExpressionTimezone: 'Europe/Paris',
    State: 'DISABLED',
  });
  const listed = await scheduler.send(new ListSchedulesCommand({ NamePrefix: 'night' }));
  expect(listed.Schedules!.map((s) => `${s.GroupName}/${s.Name}/${s.State}`).sort()).toEqual([
    'default/nightly/ENABLED',
    'team/nightly/DISABLED',
  ]);
  const firstPage = await scheduler.send(new ListSchedulesCommand({ MaxResults: 1 }));
  expect(firstPage.Schedules).toHaveLength(1);
  const secondPage = await scheduler.send(new ListSchedulesCommand({ MaxResults: 1, NextToken: firstPage.NextToken }));
  expect(secondPage.Schedules![0].Arn).not.toBe(firstPage.Schedules![0].Arn);
  expect(secondPage.NextToken).toBeUndefined();

  await scheduler.send(new TagResourceCommand({ ResourceArn: group.Arn, Tags: [{ Key: 'env', Value: 'test' }] }));
  await scheduler.send(new UntagResourceCommand({ ResourceArn: group.Arn, TagKeys: ['owner'] }));
  expect((await scheduler.send(new ListTagsForResourceCommand({ ResourceArn: group.Arn }))).Tags).toEqual([
    { Key: 'env', Value: 'test' },
  ]);
  const groups = await scheduler.send(new ListScheduleGroupsCommand({}));
  expect(groups.ScheduleGroups!.map((g) => g.Name)).toEqual(['default', 'team']);
  await scheduler.send(new DeleteScheduleGroupCommand({ Name: 'team' }));
  const gone = await rejection(scheduler.send(new GetScheduleCommand({ Name: 'nightly', GroupName: 'team' })));
  expect(gone).toBeInstanceOf(ResourceNotFoundException);
  expect(gone.message).toBe('Schedule group team does not exist.');
  const missing = await rejection(scheduler.send(new GetScheduleCommand({ Name: 'nope' })));
  expect([missing.name, missing.message]).toEqual(['ResourceNotFoundException', 'Schedule nope does not exist.']);
  expect(await rejection(scheduler.send(new DeleteScheduleGroupCommand({ Name: 'default' })))).toBeInstanceOf(
    ValidationException,
  );

  // Validation: expressions, time zones, flexible windows, names (model constraints), read-only universal actions.
  const invalid = async (input: CreateScheduleCommandInput) => {
    const e = await rejection(scheduler.send(new CreateScheduleCommand(input)));
    expect(e).toBeInstanceOf(ValidationException);
    return e.message;
  };
  expect(await invalid(schedule('bad', { ScheduleExpression: 'cron(0 9 * * *)' }))).toBe(
    'Invalid Schedule Expression cron(0 9 * * *)',
  );
  expect(await invalid(schedule('bad', { ScheduleExpression: 'at(2026-02-30T10:00:00)' }))).toContain(
    'Invalid Schedule Expression',
  );
  expect(await invalid(schedule('bad', { ScheduleExpressionTimezone: 'Mars/Olympus' }))).toContain('Mars/Olympus');
  expect(await invalid(schedule('bad', { FlexibleTimeWindow: { Mode: 'FLEXIBLE' } }))).toContain(
    'MaximumWindowInMinutes',
  );
  expect(await invalid(schedule('bad name!'))).toContain("'bad name!'");
  expect(
    await invalid(
      schedule('bad', { Target: { Arn: 'arn:aws:scheduler:::aws-sdk:ecs:describeTasks', RoleArn: ROLE, Input: '{}' } }),
    ),
  ).toContain('read-only');
  // A group that does not exist.
  const noGroup = await rejection(scheduler.send(new CreateScheduleCommand(schedule('x', { GroupName: 'ghost' }))));
  expect(noGroup).toBeInstanceOf(ResourceNotFoundException);
});

test('the wire: unknown routes and malformed bodies get Scheduler errors, and the gateway keeps serving', async () => {
  const signed = {
    authorization:
      'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/scheduler/aws4_request, SignedHeaders=host, Signature=x',
    'content-type': 'application/json',
  };
  const unknown = await fetch(`${gw.endpoint}/schedules-nope/x`, { headers: signed });
  expect(unknown.status).toBe(404);
  expect(unknown.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
  const garbage = await fetch(`${gw.endpoint}/schedules/x`, { method: 'POST', headers: signed, body: '{not json' });
  expect(garbage.status).toBe(400);
  expect(garbage.headers.get('x-amzn-errortype')).toBe('SerializationException');
  const missing = await fetch(`${gw.endpoint}/schedules/x`, { method: 'POST', headers: signed, body: '{}' });
  expect(missing.status).toBe(400);
  expect(missing.headers.get('x-amzn-errortype')).toBe('ValidationException');
  expect((await scheduler.send(new ListSchedulesCommand({}))).Schedules).toEqual([]);
});

test('an at() schedule runs an ECS task once with its Input as overrides, then deletes itself', async () => {
  await ensureBusyboxImage();
  await ecsClient.send(new CreateClusterCommand({}));
  await ecsClient.send(
    new RegisterTaskDefinitionCommand({
      family: 'job',
      containerDefinitions: [
        { name: 'main', image: TEST_IMAGES.busybox, memory: 32, command: ['sh', '-c', 'echo "job: $GREETING"'] },
      ],
    }),
  );
  // Ten minutes ahead on the plugin's clock, written in New York time.
  const due = (await clockNow()) + 10 * 60_000;
  const ny = wallClock(due, 'America/New_York');
  await scheduler.send(
    new CreateScheduleCommand({
      Name: 'once',
      ScheduleExpression: `at(${ny})`,
      ScheduleExpressionTimezone: 'America/New_York',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: CLUSTER,
        RoleArn: ROLE,
        Input: JSON.stringify({
          containerOverrides: [
            { name: 'main', environment: [{ name: 'GREETING', value: '<aws.scheduler.schedule-arn>' }] },
          ],
        }),
        EcsParameters: { TaskDefinitionArn: 'job', LaunchType: 'EC2', Tags: [{ team: 'ops' }] },
      },
    }),
  );
  const startedBy = 'scheduler/once';
  await advance(5 * 60);
  expect((await ecsClient.send(new ListTasksCommand({ startedBy, desiredStatus: 'STOPPED' }))).taskArns).toEqual([]);
  expect((await scheduler.send(new ListSchedulesCommand({}))).Schedules).toHaveLength(1);
  await advance(6 * 60);
  const arn = await waitFor(
    async () => (await ecsClient.send(new ListTasksCommand({ startedBy, desiredStatus: 'STOPPED' }))).taskArns?.[0],
    { what: 'the scheduled task', timeoutMs: 60_000 },
  );
  const task = (await ecsClient.send(new DescribeTasksCommand({ tasks: [arn], include: ['TAGS'] }))).tasks![0];
  const scheduleArn = 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/once';
  expect(task.overrides?.containerOverrides?.[0].environment).toEqual([{ name: 'GREETING', value: scheduleArn }]);
  expect(task.tags).toEqual([{ key: 'team', value: 'ops' }]);
  const out = await (await fetch(`${gw.endpoint}/_dockside/ecs/tasks/${arn.split('/').pop()}/logs`)).json();
  expect(out.containers[0].lines.map((l: { line: string }) => l.line)).toContain(`job: ${scheduleArn}`);
  // Completed and deleted; moving the clock further runs nothing more.
  expect((await scheduler.send(new ListSchedulesCommand({}))).Schedules).toEqual([]);
  await advance(24 * 3600);
  const all = [
    ...((await ecsClient.send(new ListTasksCommand({ startedBy }))).taskArns ?? []),
    ...((await ecsClient.send(new ListTasksCommand({ startedBy, desiredStatus: 'STOPPED' }))).taskArns ?? []),
  ];
  expect(all).toEqual([arn]);
});

test('universal aws-sdk:ecs:runTask and EventBridge PutEvents targets fire on a rate schedule', async () => {
  await ensureBusyboxImage();
  await ecsClient.send(new CreateClusterCommand({ clusterName: 'jobs' }));
  await ecsClient.send(
    new RegisterTaskDefinitionCommand({
      family: 'tick',
      containerDefinitions: [{ name: 'main', image: TEST_IMAGES.busybox, memory: 32, command: ['true'] }],
    }),
  );
  const start = new Date((await clockNow()) + 60 * 60_000);
  await scheduler.send(
    new CreateScheduleCommand({
      Name: 'universal',
      ScheduleExpression: 'rate(1 hour)',
      StartDate: start,
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 5 },
      Target: {
        Arn: 'arn:aws:scheduler:::aws-sdk:ecs:runTask',
        RoleArn: ROLE,
        // The request as the API reference spells it; capitalised keys are accepted too.
        Input: JSON.stringify({ Cluster: 'jobs', TaskDefinition: 'tick', StartedBy: 'universal', LaunchType: 'EC2' }),
      },
    }),
  );
  await scheduler.send(
    new CreateScheduleCommand({
      Name: 'to-bus',
      ScheduleExpression: 'rate(1 hour)',
      StartDate: start,
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/default',
        RoleArn: ROLE,
        Input: JSON.stringify({ job: 'report', at: '<aws.scheduler.scheduled-time>' }),
        EventBridgeParameters: { Source: 'my.scheduler', DetailType: 'Report Due' },
      },
    }),
  );
  await advance(30 * 60);
  expect((await ecsClient.send(new ListTasksCommand({ cluster: 'jobs', startedBy: 'universal' }))).taskArns).toEqual(
    [],
  );
  // Past the start and past the 5-minute flexible window.
  await advance(36 * 60);
  await waitFor(
    async () => {
      const r = await Promise.all(
        (['RUNNING', 'STOPPED'] as const).map((desiredStatus) =>
          ecsClient.send(new ListTasksCommand({ cluster: 'jobs', startedBy: 'universal', desiredStatus })),
        ),
      );
      return r.flatMap((x) => x.taskArns ?? []).length === 1 || undefined;
    },
    { what: 'the task started by the universal target', timeoutMs: 60_000 },
  );
  const events = (await (await fetch(`${gw.endpoint}/_dockside/events/buses/default/events`)).json()).events as Array<{
    source: string;
    'detail-type': string;
    detail: { job: string; at: string };
    resources: string[];
  }>;
  const sent = events.find((e) => e.source === 'my.scheduler');
  expect(sent).toMatchObject({
    'detail-type': 'Report Due',
    detail: { job: 'report', at: start.toISOString().replace(/\.\d{3}Z$/, 'Z') },
    resources: ['arn:aws:scheduler:us-east-1:000000000000:schedule/default/to-bus'],
  });
});

/** An instant as the zone's wall clock, `yyyy-mm-ddThh:mm:ss` (the Swedish locale writes ISO dates). */
function wallClock(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  })
    .format(new Date(ms))
    .replace(' ', 'T');
}
