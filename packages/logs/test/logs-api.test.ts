/** CloudWatch Logs through @aws-sdk/client-cloudwatch-logs (and the AWS CLI once). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  InvalidParameterException,
  ListTagsForResourceCommand,
  ListTagsLogGroupCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  TagLogGroupCommand,
  TagResourceCommand,
  UntagLogGroupCommand,
  UntagResourceCommand,
  paginateFilterLogEvents,
  paginateGetLogEvents,
} from '@aws-sdk/client-cloudwatch-logs';
import { logs } from '@dockside/logs';
import { awsCliAvailable, startTestGateway, type TestGateway } from '@dockside/testing';

let t: TestGateway;
let cwl: CloudWatchLogsClient;
beforeAll(async () => {
  t = await startTestGateway({ plugins: [logs()] });
  cwl = t.client(CloudWatchLogsClient);
});
beforeEach(() => t.gateway.reset());
afterAll(() => t.stop());

const put = (group: string, stream: string, messages: Array<string | [number, string]>) =>
  cwl.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: stream,
      logEvents: messages.map((m, i) =>
        typeof m === 'string' ? { timestamp: Date.now() - 1000 + i, message: m } : { timestamp: m[0], message: m[1] },
      ),
    }),
  );
const setup = async (group: string, ...streams: string[]) => {
  await cwl.send(new CreateLogGroupCommand({ logGroupName: group }));
  for (const s of streams) await cwl.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: s }));
};

test('log groups: create, duplicate, describe with prefix/pattern and pages, delete', async () => {
  for (const g of ['/ecs/api', '/ecs/worker', '/lambda/fn', '/ecs/API-old'])
    await cwl.send(new CreateLogGroupCommand({ logGroupName: g, tags: { env: 'test' } }));
  await expect(cwl.send(new CreateLogGroupCommand({ logGroupName: '/ecs/api' }))).rejects.toBeInstanceOf(
    ResourceAlreadyExistsException,
  );
  await expect(cwl.send(new CreateLogGroupCommand({ logGroupName: 'bad name!' }))).rejects.toBeInstanceOf(
    InvalidParameterException,
  );
  const byPrefix = await cwl.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/ecs/' }));
  expect(byPrefix.logGroups?.map((g) => g.logGroupName)).toEqual(['/ecs/API-old', '/ecs/api', '/ecs/worker']);
  expect(byPrefix.logGroups?.[1]).toMatchObject({
    arn: 'arn:aws:logs:us-east-1:000000000000:log-group:/ecs/api:*',
    logGroupArn: 'arn:aws:logs:us-east-1:000000000000:log-group:/ecs/api',
    storedBytes: 0,
    metricFilterCount: 0,
    logGroupClass: 'STANDARD',
  });
  expect(
    (await cwl.send(new DescribeLogGroupsCommand({ logGroupNamePattern: 'api' }))).logGroups?.map(
      (g) => g.logGroupName,
    ),
  ).toEqual(['/ecs/API-old', '/ecs/api']);
  const page = await cwl.send(new DescribeLogGroupsCommand({ limit: 2 }));
  const rest = await cwl.send(new DescribeLogGroupsCommand({ limit: 2, nextToken: page.nextToken }));
  expect([...page.logGroups!, ...rest.logGroups!].map((g) => g.logGroupName)).toEqual([
    '/ecs/API-old',
    '/ecs/api',
    '/ecs/worker',
    '/lambda/fn',
  ]);
  await cwl.send(new DeleteLogGroupCommand({ logGroupName: '/lambda/fn' }));
  const err = await cwl.send(new DeleteLogGroupCommand({ logGroupName: '/lambda/fn' })).catch((e) => e);
  expect(err).toBeInstanceOf(ResourceNotFoundException);
  expect(err.message).toBe('The specified log group does not exist.');
});

test('tags: the ARN API and the legacy log-group API', async () => {
  await setup('/t');
  const arn = 'arn:aws:logs:us-east-1:000000000000:log-group:/t';
  await cwl.send(new TagResourceCommand({ resourceArn: arn, tags: { a: '1', b: '2' } }));
  await cwl.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['a'] }));
  await cwl.send(new TagLogGroupCommand({ logGroupName: '/t', tags: { c: '3' } }));
  expect((await cwl.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({ b: '2', c: '3' });
  await cwl.send(new UntagLogGroupCommand({ logGroupName: '/t', tags: ['b'] }));
  expect((await cwl.send(new ListTagsLogGroupCommand({ logGroupName: '/t' }))).tags).toEqual({ c: '3' });
  await expect(cwl.send(new ListTagsForResourceCommand({ resourceArn: `${arn}-nope` }))).rejects.toBeInstanceOf(
    ResourceNotFoundException,
  );
});

test('streams: create, describe (prefix, LastEventTime order, descending, timestamps, bytes), delete', async () => {
  await setup('/s', 'b-stream', 'a-stream', 'c-stream');
  await expect(
    cwl.send(new CreateLogStreamCommand({ logGroupName: '/s', logStreamName: 'a-stream' })),
  ).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
  const now = Date.now();
  await put('/s', 'a-stream', [
    [now - 3000, 'x'],
    [now - 2000, 'yy'],
  ]);
  await put('/s', 'c-stream', [[now - 5000, 'zzz']]);
  const byName = await cwl.send(new DescribeLogStreamsCommand({ logGroupName: '/s' }));
  expect(byName.logStreams?.map((s) => s.logStreamName)).toEqual(['a-stream', 'b-stream', 'c-stream']);
  expect(byName.logStreams?.[0]).toMatchObject({
    firstEventTimestamp: now - 3000,
    lastEventTimestamp: now - 2000,
    storedBytes: 3,
    arn: 'arn:aws:logs:us-east-1:000000000000:log-group:/s:log-stream:a-stream',
  });
  expect(byName.logStreams?.[0].lastIngestionTime).toBeGreaterThanOrEqual(now);
  const byTime = await cwl.send(
    new DescribeLogStreamsCommand({ logGroupName: '/s', orderBy: 'LastEventTime', descending: true }),
  );
  expect(byTime.logStreams?.map((s) => s.logStreamName)).toEqual(['a-stream', 'c-stream', 'b-stream']);
  expect(
    (await cwl.send(new DescribeLogStreamsCommand({ logGroupName: '/s', logStreamNamePrefix: 'b' }))).logStreams?.map(
      (s) => s.logStreamName,
    ),
  ).toEqual(['b-stream']);
  await expect(
    cwl.send(new DescribeLogStreamsCommand({ logGroupName: '/s', orderBy: 'LastEventTime', logStreamNamePrefix: 'a' })),
  ).rejects.toThrow('Cannot order by LastEventTime with a logStreamNamePrefix.');
  const paged = await cwl.send(new DescribeLogStreamsCommand({ logGroupName: '/s', limit: 2, descending: true }));
  const more = await cwl.send(
    new DescribeLogStreamsCommand({ logGroupName: '/s', limit: 2, descending: true, nextToken: paged.nextToken }),
  );
  expect([...paged.logStreams!, ...more.logStreams!].map((s) => s.logStreamName)).toEqual([
    'c-stream',
    'b-stream',
    'a-stream',
  ]);
  await cwl.send(new DeleteLogStreamCommand({ logGroupName: '/s', logStreamName: 'b-stream' }));
  await expect(cwl.send(new DeleteLogStreamCommand({ logGroupName: '/s', logStreamName: 'b-stream' }))).rejects.toThrow(
    'The specified log stream does not exist.',
  );
});

test('PutLogEvents: limits, order, too old/new/expired events, unknown group', async () => {
  await setup('/p', 's');
  const now = Date.now();
  const bad = async (logEvents: Array<{ timestamp: number; message: string }>, message: string) => {
    const err = await cwl
      .send(new PutLogEventsCommand({ logGroupName: '/p', logStreamName: 's', logEvents }))
      .catch((e) => e);
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect(err.message).toContain(message);
  };
  await bad(
    [
      { timestamp: now, message: 'b' },
      { timestamp: now - 1, message: 'a' },
    ],
    'must be in chronological order',
  );
  await bad(
    [
      { timestamp: now - 25 * 3600_000, message: 'a' },
      { timestamp: now, message: 'b' },
    ],
    'cannot span more than 24 hours',
  );
  await bad(
    [{ timestamp: now, message: 'x'.repeat(1_048_576) }],
    'Upload too large: 1048602 bytes exceeds limit of 1048576',
  );
  await bad(
    Array.from({ length: 10_001 }, () => ({ timestamp: now, message: 'm' })),
    // The model's list length, checked before the handler, with a bounded echo of the value.
    "at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to 10000",
  );
  const mixed = await cwl.send(
    new PutLogEventsCommand({
      logGroupName: '/p',
      logStreamName: 's',
      logEvents: [
        { timestamp: now - 15 * 3600_000, message: 'fine, 15 hours old' },
        { timestamp: now, message: 'fine' },
        { timestamp: now + 3 * 3600_000, message: 'too new' },
      ],
    }),
  );
  expect(mixed.rejectedLogEventsInfo).toEqual({ tooNewLogEventStartIndex: 2 });
  const old = await cwl.send(
    new PutLogEventsCommand({
      logGroupName: '/p',
      logStreamName: 's',
      logEvents: [{ timestamp: now - 15 * 86_400_000, message: 'too old' }],
    }),
  );
  expect(old.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 0 });
  expect(mixed.nextSequenceToken).toBeTruthy();
  expect(
    (await cwl.send(new GetLogEventsCommand({ logGroupName: '/p', logStreamName: 's' }))).events?.map((e) => e.message),
  ).toEqual(['fine, 15 hours old', 'fine']);
  await expect(
    cwl.send(
      new PutLogEventsCommand({
        logGroupName: '/nope',
        logStreamName: 's',
        logEvents: [{ timestamp: now, message: 'x' }],
      }),
    ),
  ).rejects.toThrow('The specified log group does not exist.');
  // Sequence tokens are accepted and ignored, as AWS now does.
  await cwl.send(
    new PutLogEventsCommand({
      logGroupName: '/p',
      logStreamName: 's',
      sequenceToken: 'whatever',
      logEvents: [{ timestamp: now, message: 'again' }],
    }),
  );
});

test('GetLogEvents: head/tail, time range, limit, tokens, and the SDK paginator', async () => {
  await setup('/g', 's');
  const base = Date.now() - 60_000;
  await put(
    '/g',
    's',
    Array.from({ length: 25 }, (_, i) => [base + i, `line ${i}`] as [number, string]),
  );
  const tail = await cwl.send(new GetLogEventsCommand({ logGroupName: '/g', logStreamName: 's', limit: 5 }));
  expect(tail.events?.map((e) => e.message)).toEqual(['line 20', 'line 21', 'line 22', 'line 23', 'line 24']);
  const head = await cwl.send(
    new GetLogEventsCommand({ logGroupName: '/g', logStreamName: 's', limit: 5, startFromHead: true }),
  );
  expect(head.events?.map((e) => e.message)).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4']);
  const next = await cwl.send(
    new GetLogEventsCommand({ logGroupName: '/g', logStreamName: 's', limit: 5, nextToken: head.nextForwardToken }),
  );
  expect(next.events?.[0].message).toBe('line 5');
  const back = await cwl.send(
    new GetLogEventsCommand({ logGroupName: '/g', logStreamName: 's', limit: 5, nextToken: tail.nextBackwardToken }),
  );
  expect(back.events?.map((e) => e.message)).toEqual(['line 15', 'line 16', 'line 17', 'line 18', 'line 19']);
  const end = await cwl.send(
    new GetLogEventsCommand({ logGroupName: '/g', logStreamName: 's', nextToken: tail.nextForwardToken }),
  );
  expect(end.events).toEqual([]);
  expect(end.nextForwardToken).toBe(tail.nextForwardToken);
  const range = await cwl.send(
    new GetLogEventsCommand({
      logGroupName: '/g',
      logStreamName: 's',
      startTime: base + 10,
      endTime: base + 13,
      startFromHead: true,
    }),
  );
  expect(range.events?.map((e) => e.message)).toEqual(['line 10', 'line 11', 'line 12']);
  const all: string[] = [];
  // GetLogEvents paginators end when the token comes back unchanged (stopOnSameToken).
  for await (const p of paginateGetLogEvents(
    { client: cwl, stopOnSameToken: true },
    { logGroupName: '/g', logStreamName: 's', startFromHead: true, limit: 7 },
  )) {
    all.push(...(p.events ?? []).map((e) => e.message!));
  }
  expect(all).toEqual(Array.from({ length: 25 }, (_, i) => `line ${i}`));
  await expect(
    cwl.send(new GetLogEventsCommand({ logGroupName: '/g', logStreamName: 's', nextToken: 'garbage' })),
  ).rejects.toBeInstanceOf(InvalidParameterException);
});

test('GetLogEvents answers at most 1 MB, and the tokens carry on from where it stopped', async () => {
  await setup('/big', 's');
  const base = Date.now() - 60_000;
  // Five events of 250,000 bytes (two batches: a batch is at most 1 MB too).
  const big = (i: number): [number, string] => [base + i, `${i}`.padEnd(250_000, 'x')];
  await put('/big', 's', [big(0), big(1), big(2)]);
  await put('/big', 's', [big(3), big(4)]);
  const head = await cwl.send(
    new GetLogEventsCommand({ logGroupName: '/big', logStreamName: 's', startFromHead: true }),
  );
  expect(head.events!.map((e) => e.message![0])).toEqual(['0', '1', '2', '3']);
  const rest = await cwl.send(
    new GetLogEventsCommand({ logGroupName: '/big', logStreamName: 's', nextToken: head.nextForwardToken }),
  );
  expect(rest.events!.map((e) => e.message![0])).toEqual(['4']);
  const tail = await cwl.send(new GetLogEventsCommand({ logGroupName: '/big', logStreamName: 's' }));
  expect(tail.events!.map((e) => e.message![0])).toEqual(['1', '2', '3', '4']);
});

test('FilterLogEvents across streams, each pattern family, pagination with the SDK paginator', async () => {
  await setup('/f', 'web-1', 'web-2', 'worker-1');
  const now = Date.now() - 10_000;
  await put('/f', 'web-1', [
    [now, 'ERROR disk full'],
    [now + 2, JSON.stringify({ level: 'error', latency: 250 })],
    [now + 4, '127.0.0.1 frank "GET /a" 500 10'],
  ]);
  await put('/f', 'web-2', [
    [now + 1, 'WARN slow'],
    [now + 3, JSON.stringify({ level: 'error', latency: 50 })],
    [now + 5, '10.0.0.1 alice "GET /b" 200 99'],
  ]);
  await put('/f', 'worker-1', [[now + 6, 'ERROR Exiting']]);
  const filter = async (filterPattern: string, extra: Record<string, unknown> = {}) =>
    (await cwl.send(new FilterLogEventsCommand({ logGroupName: '/f', filterPattern, ...extra }))).events?.map(
      (e) => `${e.logStreamName}:${e.message}`,
    );
  expect(await filter('ERROR -Exiting')).toEqual(['web-1:ERROR disk full']);
  expect(await filter('?WARN ?Exiting')).toEqual(['web-2:WARN slow', 'worker-1:ERROR Exiting']);
  expect(await filter('"disk full"')).toEqual(['web-1:ERROR disk full']);
  expect(await filter('{ $.level = "error" && $.latency > 100 }')).toEqual([
    `web-1:${JSON.stringify({ level: 'error', latency: 250 })}`,
  ]);
  expect(await filter('[ip, user, request, status = 5*, size]')).toEqual(['web-1:127.0.0.1 frank "GET /a" 500 10']);
  expect(await filter('ERROR', { logStreamNamePrefix: 'web' })).toEqual(['web-1:ERROR disk full']);
  expect(await filter('', { logStreamNames: ['web-2'], startTime: now + 2 })).toEqual([
    `web-2:${JSON.stringify({ level: 'error', latency: 50 })}`,
    'web-2:10.0.0.1 alice "GET /b" 200 99',
  ]);
  const paged: string[] = [];
  for await (const p of paginateFilterLogEvents({ client: cwl, pageSize: 2 }, { logGroupName: '/f' }))
    paged.push(...(p.events ?? []).map((e) => e.message!));
  expect(paged).toHaveLength(7);
  expect(new Set(paged).size).toBe(7);
  await expect(filter('{ $.level = }')).rejects.toBeInstanceOf(InvalidParameterException);
  await expect(filter('x', { logStreamNames: ['a'], logStreamNamePrefix: 'b' })).rejects.toBeInstanceOf(
    InvalidParameterException,
  );
});

test('retention really expires old events', async () => {
  await setup('/r', 's');
  const now = Date.now();
  await put('/r', 's', [[now - 3 * 86_400_000, 'three days old']]);
  await put('/r', 's', [[now - 1000, 'fresh']]);
  expect((await cwl.send(new GetLogEventsCommand({ logGroupName: '/r', logStreamName: 's' }))).events).toHaveLength(2);
  await expect(cwl.send(new PutRetentionPolicyCommand({ logGroupName: '/r', retentionInDays: 2 }))).rejects.toThrow(
    'Member must satisfy enum value set',
  );
  await cwl.send(new PutRetentionPolicyCommand({ logGroupName: '/r', retentionInDays: 1 }));
  expect(
    (await cwl.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/r' }))).logGroups?.[0].retentionInDays,
  ).toBe(1);
  expect(
    (await cwl.send(new GetLogEventsCommand({ logGroupName: '/r', logStreamName: 's' }))).events?.map((e) => e.message),
  ).toEqual(['fresh']);
  const expired = await put('/r', 's', [[now - 2 * 86_400_000, 'expired on arrival']]);
  expect(expired.rejectedLogEventsInfo).toEqual({ expiredLogEventEndIndex: 0 });
  await cwl.send(new DeleteRetentionPolicyCommand({ logGroupName: '/r' }));
  expect(
    (await cwl.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/r' }))).logGroups?.[0].retentionInDays,
  ).toBeUndefined();
});

// CI always runs this (.ci/run installs the AWS CLI); elsewhere it skips without `aws`.
(awsCliAvailable() || process.env.CI ? test : test.skip)('aws logs get-log-events against Dockside', async () => {
  await setup('/cli', 's');
  await put('/cli', 's', ['from the cli test']);
  // Asynchronously: this process is also the gateway the CLI talks to.
  const { stdout } = await promisify(execFile)(
    'aws',
    [
      '--endpoint-url',
      t.endpoint,
      '--region',
      'us-east-1',
      '--output',
      'json',
      'logs',
      'get-log-events',
      '--log-group-name',
      '/cli',
      '--log-stream-name',
      's',
    ],
    {
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PAGER: '' },
      encoding: 'utf8',
    },
  );
  const out = JSON.parse(stdout);
  expect(out.events.map((e: { message: string }) => e.message)).toEqual(['from the cli test']);
  expect(out.nextForwardToken).toMatch(/^f\//);
});

test('a large page of multi-byte messages comes back whole (its length counted in bytes)', async () => {
  await cwl.send(new CreateLogGroupCommand({ logGroupName: 'big' }));
  await cwl.send(new CreateLogStreamCommand({ logGroupName: 'big', logStreamName: 's' }));
  const now = Date.now();
  // ~60 KB of JSON, most characters two or three bytes in UTF-8.
  const logEvents = Array.from({ length: 200 }, (_, i) => ({ timestamp: now, message: `${i} ${'é€'.repeat(50)}` }));
  await cwl.send(new PutLogEventsCommand({ logGroupName: 'big', logStreamName: 's', logEvents }));
  const page = await cwl.send(
    new GetLogEventsCommand({ logGroupName: 'big', logStreamName: 's', startFromHead: true }),
  );
  expect(page.events!.map((e) => e.message)).toEqual(logEvents.map((e) => e.message));
});

test('pages of over 1 MB of JSON, mostly multi-byte characters, come back whole and in order', async () => {
  await cwl.send(new CreateLogGroupCommand({ logGroupName: 'wide' }));
  await cwl.send(new CreateLogStreamCommand({ logGroupName: 'wide', logStreamName: 's' }));
  const now = Date.now();
  const sent: string[] = [];
  for (let b = 0; b < 2; b++) {
    // 5,000 events of ~125 bytes: under PutLogEvents' 1 MB; a page of them is ~1.3 MB of JSON.
    const logEvents = Array.from({ length: 5000 }, (_, i) => ({
      timestamp: now,
      message: `${b}/${i} "q" \\ ${'€'.repeat(40)} 🚀`,
    }));
    sent.push(...logEvents.map((e) => e.message));
    await cwl.send(new PutLogEventsCommand({ logGroupName: 'wide', logStreamName: 's', logEvents }));
  }
  const got: string[] = [];
  let pages = 0;
  for await (const page of paginateGetLogEvents(
    { client: cwl, stopOnSameToken: true },
    { logGroupName: 'wide', logStreamName: 's', startFromHead: true },
  )) {
    if (page.events!.length) pages++;
    got.push(...page.events!.map((e) => e.message!));
  }
  expect(pages).toBeGreaterThan(1);
  expect(got.length).toBe(sent.length);
  expect(got).toEqual(sent);
});
