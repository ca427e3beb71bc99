/**
 * EventBridge through the real SDK client: buses, rules, targets, PutEvents with per-entry
 * errors, TestEventPattern, an InputTransformer delivering to a log group, archive and replay, an
 * API destination posting to a local HTTP server, the "why didn't my rule fire" route, and
 * `aws events put-events` through the AWS CLI.
 */
import { execFile } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { CloudWatchLogsClient, CreateLogGroupCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateApiDestinationCommand,
  CreateArchiveCommand,
  CreateConnectionCommand,
  CreateEventBusCommand,
  DeleteRuleCommand,
  DescribeArchiveCommand,
  DescribeEventBusCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  InvalidEventPatternException,
  ListEventBusesCommand,
  ListRuleNamesByTargetCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  ResourceNotFoundException,
  StartReplayCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { GetScheduleGroupCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { eventbridge } from '@dockside/eventbridge';
import { logs } from '@dockside/logs';
import { awsCliAvailable, rejection, useTestGateway, waitFor } from '@dockside/testing';

const gw = useTestGateway(() => ({ plugins: [eventbridge(), logs()] }), { resetEach: true });
const eb = gw.sdk(EventBridgeClient);
const cwl = gw.sdk(CloudWatchLogsClient);
const scheduler = gw.sdk(SchedulerClient);
const ACCOUNT = '000000000000';

const messages = (group: string) =>
  waitFor(
    async () => {
      const r = await cwl.send(new FilterLogEventsCommand({ logGroupName: group }));
      return r.events?.length ? r.events.map((e) => e.message!) : undefined;
    },
    { what: `events in ${group}` },
  );

test('the default bus and the default schedule group are made at the first use, not dated 1970', async () => {
  // Second precision on the wire: the creation can read up to a second before this line.
  const before = Date.now() - 1000;
  const bus = await eb.send(new DescribeEventBusCommand({}));
  expect(bus).toMatchObject({ Name: 'default', Arn: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default` });
  expect(bus.CreationTime!.getTime()).toBeGreaterThanOrEqual(before);
  expect(bus.CreationTime!.getTime()).toBeLessThanOrEqual(Date.now());
  const listed = (await eb.send(new ListEventBusesCommand({}))).EventBuses!.find((b) => b.Name === 'default')!;
  expect(listed.CreationTime).toEqual(bus.CreationTime);
  const group = await scheduler.send(new GetScheduleGroupCommand({ Name: 'default' }));
  expect(group.CreationDate!.getTime()).toBeGreaterThanOrEqual(before);
  expect(group.LastModificationDate).toEqual(group.CreationDate);
});

test('rules and targets: invalid patterns, limits, ListRuleNamesByTarget, a rule with targets cannot be deleted', async () => {
  const bad = await rejection(eb.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"source":"aws.ec2"}' })));
  expect(bad).toBeInstanceOf(InvalidEventPatternException);
  expect(bad.message).toBe("Event pattern is not valid. Reason: 'source' must be an object or an array");
  const { RuleArn } = await eb.send(
    new PutRuleCommand({ Name: 'orders', EventPattern: JSON.stringify({ source: ['shop'] }) }),
  );
  expect(RuleArn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/orders`);
  const logArn = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/events/orders`;
  const put = await eb.send(
    new PutTargetsCommand({
      Rule: 'orders',
      Targets: [
        { Id: 'logs', Arn: logArn },
        { Id: 'both', Arn: logArn, Input: '{}', InputPath: '$.detail' },
      ],
    }),
  );
  expect(put).toMatchObject({
    FailedEntryCount: 1,
    FailedEntries: [{ TargetId: 'both', ErrorCode: 'ValidationException' }],
  });
  expect((await eb.send(new ListTargetsByRuleCommand({ Rule: 'orders' }))).Targets!.map((t) => t.Id)).toEqual(['logs']);
  expect((await eb.send(new ListRuleNamesByTargetCommand({ TargetArn: logArn }))).RuleNames).toEqual(['orders']);
  const del = await rejection(eb.send(new DeleteRuleCommand({ Name: 'orders' })));
  expect(del.message).toBe("Rule can't be deleted since it has targets.");
  expect(
    await rejection(eb.send(new PutRuleCommand({ Name: 'x', EventBusName: 'nope', EventPattern: '{"a":["b"]}' }))),
  ).toBeInstanceOf(ResourceNotFoundException);
  const test1 = await eb.send(
    new TestEventPatternCommand({
      EventPattern: JSON.stringify({ detail: { amount: [{ numeric: ['>', 100] }] } }),
      Event: JSON.stringify({
        id: '1',
        account: ACCOUNT,
        source: 's',
        time: '2026-01-01T00:00:00Z',
        region: 'us-east-1',
        'detail-type': 'd',
        resources: [],
        detail: { amount: 150 },
      }),
    }),
  );
  expect(test1.Result).toBe(true);
});

test('PutEvents: per-entry errors and ids; an InputTransformer delivers to a log group', async () => {
  await cwl.send(new CreateLogGroupCommand({ logGroupName: '/events/orders' }));
  await eb.send(
    new PutRuleCommand({
      Name: 'big-orders',
      EventPattern: JSON.stringify({ source: ['shop'], detail: { total: [{ numeric: ['>=', 100] }] } }),
    }),
  );
  await eb.send(
    new PutTargetsCommand({
      Rule: 'big-orders',
      Targets: [
        {
          Id: 'log',
          Arn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/events/orders`,
          InputTransformer: {
            InputPathsMap: { id: '$.detail.id', total: '$.detail.total' },
            InputTemplate: '{"order":"<id>","total":<total>,"rule":"<aws.events.rule-name>"}',
          },
        },
      ],
    }),
  );
  const out = await eb.send(
    new PutEventsCommand({
      Entries: [
        { Source: 'shop', DetailType: 'Order', Detail: JSON.stringify({ id: 'o-1', total: 250 }) },
        { Source: 'shop', DetailType: 'Order', Detail: JSON.stringify({ id: 'o-2', total: 5 }) },
        { Source: 'shop', DetailType: 'Order', Detail: 'not json' },
        { Source: 'shop', Detail: '{}' },
      ],
    }),
  );
  expect(out.FailedEntryCount).toBe(2);
  expect(out.Entries![0].EventId).toMatch(/^[0-9a-f-]{36}$/);
  expect(out.Entries![2]).toEqual({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });
  expect(out.Entries![3].ErrorCode).toBe('InvalidArgument');
  expect(await messages('/events/orders')).toEqual(['{"order":"o-1","total":250,"rule":"big-orders"}']);
  // Why the second order did not fire: the first field that failed.
  const why = await fetch(`${gw.endpoint}/_dockside/events/explain`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ rule: 'big-orders', event: { source: 'shop', detail: { id: 'o-2', total: 5 } } }),
  });
  expect(await why.json()).toEqual({ matched: false, failedField: 'detail.total' });
  const deliveries = (await (await fetch(`${gw.endpoint}/_dockside/events/deliveries?rule=big-orders`)).json())
    .deliveries;
  expect(deliveries).toEqual([expect.objectContaining({ targetId: 'log', outcome: 'delivered', attempt: 1 })]);
});

test('a custom bus, an archive of it, and a replay that puts the archived events back', async () => {
  const { EventBusArn } = await eb.send(new CreateEventBusCommand({ Name: 'orders' }));
  await eb.send(
    new CreateArchiveCommand({
      ArchiveName: 'all-orders',
      EventSourceArn: EventBusArn,
      EventPattern: JSON.stringify({ source: ['shop'] }),
    }),
  );
  const before = new Date(Date.now() - 60_000);
  await eb.send(
    new PutEventsCommand({
      Entries: [1, 2, 3].map((n) => ({
        Source: 'shop',
        DetailType: 'Order',
        Detail: JSON.stringify({ n }),
        EventBusName: 'orders',
      })),
    }),
  );
  expect((await eb.send(new DescribeArchiveCommand({ ArchiveName: 'all-orders' }))).EventCount).toBe(3);
  await cwl.send(new CreateLogGroupCommand({ logGroupName: '/events/replayed' }));
  await eb.send(
    new PutRuleCommand({
      Name: 'replayed',
      EventBusName: 'orders',
      EventPattern: JSON.stringify({ 'replay-name': [{ exists: true }] }),
    }),
  );
  await eb.send(
    new PutTargetsCommand({
      Rule: 'replayed',
      EventBusName: 'orders',
      Targets: [
        { Id: 'l', Arn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/events/replayed`, InputPath: '$.detail' },
      ],
    }),
  );
  await eb.send(
    new StartReplayCommand({
      ReplayName: 'again',
      EventSourceArn: `arn:aws:events:us-east-1:${ACCOUNT}:archive/all-orders`,
      EventStartTime: before,
      EventEndTime: new Date(Date.now() + 60_000),
      Destination: { Arn: EventBusArn },
    }),
  );
  await waitFor(
    async () =>
      (await eb.send(new DescribeReplayCommand({ ReplayName: 'again' }))).State === 'COMPLETED' ? true : undefined,
    { what: 'replay done' },
  );
  const got = await waitFor(
    async () => {
      const m = await messages('/events/replayed');
      return m.length === 3 ? m : undefined;
    },
    { what: 'three replayed events' },
  );
  expect(got.map((m) => JSON.parse(m).n).sort()).toEqual([1, 2, 3]);
});

test('an API destination posts the event to a local HTTP server with the connection auth', async () => {
  const seen: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ headers: req.headers, body });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { ConnectionArn } = await eb.send(
      new CreateConnectionCommand({
        Name: 'local',
        AuthorizationType: 'API_KEY',
        AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'X-Api-Key', ApiKeyValue: 'secret' } },
      }),
    );
    const { ApiDestinationArn } = await eb.send(
      new CreateApiDestinationCommand({
        Name: 'hook',
        ConnectionArn,
        InvocationEndpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
        HttpMethod: 'POST',
      }),
    );
    await eb.send(new PutRuleCommand({ Name: 'hooked', EventPattern: JSON.stringify({ source: ['app'] }) }));
    await eb.send(
      new PutTargetsCommand({ Rule: 'hooked', Targets: [{ Id: 'h', Arn: ApiDestinationArn, InputPath: '$.detail' }] }),
    );
    await eb.send(new PutEventsCommand({ Entries: [{ Source: 'app', DetailType: 'Ping', Detail: '{"ping":1}' }] }));
    await waitFor(async () => (seen.length ? true : undefined), { what: 'the API destination call' });
    expect(seen[0].headers['x-api-key']).toBe('secret');
    expect(JSON.parse(seen[0].body)).toEqual({ ping: 1 });
  } finally {
    server.close();
  }
});

(awsCliAvailable() || process.env.CI ? test : test.skip)('aws events put-events', async () => {
  const { stdout } = await promisify(execFile)(
    'aws',
    [
      '--endpoint-url',
      gw.endpoint,
      '--region',
      'us-east-1',
      '--output',
      'json',
      'events',
      'put-events',
      '--entries',
      JSON.stringify([{ Source: 'cli', DetailType: 'Hello', Detail: '{"a":1}' }]),
    ],
    {
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PAGER: '' },
      encoding: 'utf8',
    },
  );
  const out = JSON.parse(stdout);
  expect(out.FailedEntryCount).toBe(0);
  expect(out.Entries[0].EventId).toMatch(/^[0-9a-f-]{36}$/);
  const recent = (await (await fetch(`${gw.endpoint}/_dockside/events/buses/default/events`)).json()).events;
  expect(recent).toEqual([
    expect.objectContaining({ source: 'cli', 'detail-type': 'Hello', detail: { a: 1 }, account: ACCOUNT }),
  ]);
});
