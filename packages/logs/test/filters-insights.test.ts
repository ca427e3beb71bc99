/** Metric and subscription filters, and Logs Insights queries, through the SDK. */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteMetricFilterCommand,
  DeleteSubscriptionFilterCommand,
  DescribeLogGroupsCommand,
  DescribeMetricFiltersCommand,
  DescribeSubscriptionFiltersCommand,
  GetQueryResultsCommand,
  InvalidParameterException,
  LimitExceededException,
  MalformedQueryException,
  PutLogEventsCommand,
  PutMetricFilterCommand,
  PutSubscriptionFilterCommand,
  ResourceNotFoundException,
  StartQueryCommand,
  TestMetricFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { logs } from '@dockside/logs';
import { startTestGateway, type TestGateway } from '@dockside/testing';

let t: TestGateway;
let cwl: CloudWatchLogsClient;
beforeAll(async () => {
  t = await startTestGateway({ plugins: [logs()] });
  cwl = t.client(CloudWatchLogsClient);
  await cwl.send(new CreateLogGroupCommand({ logGroupName: '/app' }));
  for (const s of ['a', 'b']) await cwl.send(new CreateLogStreamCommand({ logGroupName: '/app', logStreamName: s }));
  const now = Date.now() - 5_000;
  await cwl.send(
    new PutLogEventsCommand({
      logGroupName: '/app',
      logStreamName: 'a',
      logEvents: [
        { timestamp: now, message: JSON.stringify({ level: 'error', latency: 300, route: '/pay' }) },
        { timestamp: now + 1, message: JSON.stringify({ level: 'info', latency: 20, route: '/health' }) },
        { timestamp: now + 2, message: '10.0.0.1 GET /pay 503' },
      ],
    }),
  );
  await cwl.send(
    new PutLogEventsCommand({
      logGroupName: '/app',
      logStreamName: 'b',
      logEvents: [{ timestamp: now + 3, message: JSON.stringify({ level: 'error', latency: 100, route: '/pay' }) }],
    }),
  );
});
afterAll(() => t.stop());

test('metric filters: put, describe, count on the group, delete, and TestMetricFilter', async () => {
  await cwl.send(
    new PutMetricFilterCommand({
      logGroupName: '/app',
      filterName: 'errors',
      filterPattern: '{ $.level = "error" }',
      metricTransformations: [{ metricName: 'Errors', metricNamespace: 'App', metricValue: '1' }],
    }),
  );
  const described = await cwl.send(new DescribeMetricFiltersCommand({ logGroupName: '/app' }));
  expect(described.metricFilters).toEqual([
    expect.objectContaining({
      filterName: 'errors',
      filterPattern: '{ $.level = "error" }',
      logGroupName: '/app',
      metricTransformations: [expect.objectContaining({ metricName: 'Errors' })],
    }),
  ]);
  expect(
    (await cwl.send(new DescribeMetricFiltersCommand({ metricName: 'Errors', metricNamespace: 'App' }))).metricFilters,
  ).toHaveLength(1);
  expect(
    (await cwl.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/app' }))).logGroups?.[0].metricFilterCount,
  ).toBe(1);
  await expect(
    cwl.send(
      new PutMetricFilterCommand({
        logGroupName: '/app',
        filterName: 'bad',
        filterPattern: '{ $.x = }',
        metricTransformations: [{ metricName: 'm', metricNamespace: 'n', metricValue: '1' }],
      }),
    ),
  ).rejects.toBeInstanceOf(InvalidParameterException);
  await cwl.send(new DeleteMetricFilterCommand({ logGroupName: '/app', filterName: 'errors' }));
  await expect(
    cwl.send(new DeleteMetricFilterCommand({ logGroupName: '/app', filterName: 'errors' })),
  ).rejects.toBeInstanceOf(ResourceNotFoundException);
  const test = await cwl.send(
    new TestMetricFilterCommand({
      filterPattern: '[ip, method, path, status = 5*]',
      logEventMessages: ['10.0.0.1 GET /pay 503', '10.0.0.1 GET /ok 200'],
    }),
  );
  expect(test.matches).toEqual([
    {
      eventNumber: 1,
      eventMessage: '10.0.0.1 GET /pay 503',
      extractedValues: { $ip: '10.0.0.1', $method: 'GET', $path: '/pay', $status: '503' },
    },
  ]);
});

test('subscription filters: stored and validated, at most two per group', async () => {
  const put = (filterName: string, destinationArn = 'arn:aws:lambda:us-east-1:000000000000:function:ship') =>
    cwl.send(
      new PutSubscriptionFilterCommand({ logGroupName: '/app', filterName, filterPattern: 'ERROR', destinationArn }),
    );
  await put('one');
  await put('two', 'arn:aws:kinesis:us-east-1:000000000000:stream/logs');
  await expect(put('three')).rejects.toBeInstanceOf(LimitExceededException);
  await expect(put('bad', 'arn:aws:s3:::bucket')).rejects.toBeInstanceOf(InvalidParameterException);
  const d = await cwl.send(new DescribeSubscriptionFiltersCommand({ logGroupName: '/app' }));
  expect(d.subscriptionFilters?.map((f) => [f.filterName, f.destinationArn, f.distribution])).toEqual([
    ['one', 'arn:aws:lambda:us-east-1:000000000000:function:ship', 'ByLogStream'],
    ['two', 'arn:aws:kinesis:us-east-1:000000000000:stream/logs', 'ByLogStream'],
  ]);
  await cwl.send(new DeleteSubscriptionFilterCommand({ logGroupName: '/app', filterName: 'one' }));
  expect(
    (await cwl.send(new DescribeSubscriptionFiltersCommand({ logGroupName: '/app' }))).subscriptionFilters,
  ).toHaveLength(1);
});

test('Insights: a stats query by field, a filtered fields query, a malformed one', async () => {
  const window = {
    logGroupName: '/app',
    startTime: Math.floor(Date.now() / 1000) - 3600,
    endTime: Math.floor(Date.now() / 1000) + 60,
  };
  const { queryId } = await cwl.send(
    new StartQueryCommand({
      ...window,
      queryString: 'filter level = "error" | stats count(*) as errors, avg(latency) as avgLatency by route',
    }),
  );
  const res = await cwl.send(new GetQueryResultsCommand({ queryId }));
  expect(res.status).toBe('Complete');
  expect(res.results).toEqual([
    [
      { field: 'route', value: '/pay' },
      { field: 'errors', value: '2' },
      { field: 'avgLatency', value: '200' },
    ],
  ]);
  expect(res.statistics).toMatchObject({ recordsMatched: 1, recordsScanned: 4 });
  const fields = await cwl.send(
    new StartQueryCommand({
      ...window,
      queryString: 'fields @timestamp, @logStream, latency | filter latency > 50 | sort latency desc',
    }),
  );
  const rows = (await cwl.send(new GetQueryResultsCommand({ queryId: fields.queryId }))).results!;
  // Record rows end with their @ptr (stats rows above have none), as on AWS.
  expect(
    rows.map((r) =>
      r.map((f) => `${f.field}=${f.field === '@timestamp' ? 'ts' : f.field === '@ptr' ? 'ptr' : f.value}`),
    ),
  ).toEqual([
    ['@timestamp=ts', '@logStream=a', 'latency=300', '@ptr=ptr'],
    ['@timestamp=ts', '@logStream=b', 'latency=100', '@ptr=ptr'],
  ]);
  expect(rows[0][0].value).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);
  await expect(cwl.send(new StartQueryCommand({ ...window, queryString: 'nonsense here' }))).rejects.toBeInstanceOf(
    MalformedQueryException,
  );
  await expect(cwl.send(new GetQueryResultsCommand({ queryId: 'nope' }))).rejects.toBeInstanceOf(
    ResourceNotFoundException,
  );
});
