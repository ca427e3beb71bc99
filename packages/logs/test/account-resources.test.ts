/**
 * Logs Insights rows with @ptr (read back with GetLogRecord) and DescribeQueries; query
 * definitions, resource policies, data protection policies, destinations and export tasks,
 * through the real SDK client.
 */
import {
  CancelExportTaskCommand,
  CloudWatchLogsClient,
  CreateExportTaskCommand,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteDataProtectionPolicyCommand,
  DeleteDestinationCommand,
  DeleteQueryDefinitionCommand,
  DeleteResourcePolicyCommand,
  DescribeDestinationsCommand,
  DescribeExportTasksCommand,
  DescribeQueriesCommand,
  DescribeQueryDefinitionsCommand,
  DescribeResourcePoliciesCommand,
  GetDataProtectionPolicyCommand,
  GetLogRecordCommand,
  GetQueryResultsCommand,
  PutDataProtectionPolicyCommand,
  PutDestinationCommand,
  PutDestinationPolicyCommand,
  PutLogEventsCommand,
  PutQueryDefinitionCommand,
  PutResourcePolicyCommand,
  StartQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { logs } from '@dockside/logs';
import { useTestGateway } from '@dockside/testing';

const gw = useTestGateway(() => ({ plugins: [logs()] }), { resetEach: true });
const cwl = gw.sdk(CloudWatchLogsClient);

test('Insights rows end with @ptr; GetLogRecord reads the record back; DescribeQueries lists the query', async () => {
  await cwl.send(new CreateLogGroupCommand({ logGroupName: '/q' }));
  await cwl.send(new CreateLogStreamCommand({ logGroupName: '/q', logStreamName: 's' }));
  const now = Date.now();
  await cwl.send(
    new PutLogEventsCommand({
      logGroupName: '/q',
      logStreamName: 's',
      logEvents: [{ timestamp: now, message: 'hello ptr' }],
    }),
  );
  const { queryId } = await cwl.send(
    new StartQueryCommand({
      logGroupName: '/q',
      startTime: Math.floor(now / 1000) - 60,
      endTime: Math.floor(now / 1000) + 60,
      queryString: 'fields @timestamp, @message',
    }),
  );
  const results = await cwl.send(new GetQueryResultsCommand({ queryId }));
  const row = results.results![0];
  const ptr = row.find((f) => f.field === '@ptr')?.value;
  expect(row[row.length - 1].field).toBe('@ptr');
  const record = await cwl.send(new GetLogRecordCommand({ logRecordPointer: ptr }));
  expect(record.logRecord).toMatchObject({ '@message': 'hello ptr', '@logStream': 's', '@log': '000000000000:/q' });
  const queries = await cwl.send(new DescribeQueriesCommand({ logGroupName: '/q' }));
  expect(queries.queries).toEqual([
    expect.objectContaining({
      queryId,
      queryString: 'fields @timestamp, @message',
      status: 'Complete',
      logGroupName: '/q',
    }),
  ]);
});

test('query definitions: create, update by id, list by prefix, delete', async () => {
  const { queryDefinitionId } = await cwl.send(
    new PutQueryDefinitionCommand({ name: 'errors/recent', queryString: 'filter @message like /ERROR/' }),
  );
  await cwl.send(
    new PutQueryDefinitionCommand({
      queryDefinitionId,
      name: 'errors/recent',
      queryString: 'filter @message like /ERR/',
      logGroupNames: ['/q'],
    }),
  );
  const list = await cwl.send(new DescribeQueryDefinitionsCommand({ queryDefinitionNamePrefix: 'errors/' }));
  expect(list.queryDefinitions).toEqual([
    expect.objectContaining({ queryDefinitionId, queryString: 'filter @message like /ERR/', logGroupNames: ['/q'] }),
  ]);
  expect((await cwl.send(new DeleteQueryDefinitionCommand({ queryDefinitionId }))).success).toBe(true);
  await expect(cwl.send(new DeleteQueryDefinitionCommand({ queryDefinitionId }))).rejects.toMatchObject({
    name: 'ResourceNotFoundException',
  });
});

test('resource policies and data protection policies', async () => {
  const doc = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'es.amazonaws.com' }, Action: 'logs:PutLogEvents', Resource: '*' },
    ],
  });
  const put = await cwl.send(new PutResourcePolicyCommand({ policyName: 'es', policyDocument: doc }));
  expect(put.resourcePolicy).toMatchObject({ policyName: 'es', policyDocument: doc, policyScope: 'ACCOUNT' });
  expect((await cwl.send(new DescribeResourcePoliciesCommand({}))).resourcePolicies?.map((p) => p.policyName)).toEqual([
    'es',
  ]);
  await expect(
    cwl.send(new PutResourcePolicyCommand({ policyName: 'bad', policyDocument: '{not json' })),
  ).rejects.toMatchObject({
    name: 'InvalidParameterException',
  });
  await cwl.send(new DeleteResourcePolicyCommand({ policyName: 'es' }));
  await expect(cwl.send(new DeleteResourcePolicyCommand({ policyName: 'es' }))).rejects.toMatchObject({
    name: 'ResourceNotFoundException',
  });

  await cwl.send(new CreateLogGroupCommand({ logGroupName: '/dp' }));
  const policy = JSON.stringify({ Name: 'p', Version: '2021-06-01', Statement: [] });
  await cwl.send(new PutDataProtectionPolicyCommand({ logGroupIdentifier: '/dp', policyDocument: policy }));
  expect((await cwl.send(new GetDataProtectionPolicyCommand({ logGroupIdentifier: '/dp' }))).policyDocument).toBe(
    policy,
  );
  await cwl.send(new DeleteDataProtectionPolicyCommand({ logGroupIdentifier: '/dp' }));
  expect(
    (await cwl.send(new GetDataProtectionPolicyCommand({ logGroupIdentifier: '/dp' }))).policyDocument,
  ).toBeUndefined();
});

test('destinations with their access policy', async () => {
  const { destination } = await cwl.send(
    new PutDestinationCommand({
      destinationName: 'central',
      targetArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/logs',
      roleArn: 'arn:aws:iam::000000000000:role/cwl',
    }),
  );
  expect(destination).toMatchObject({
    destinationName: 'central',
    arn: 'arn:aws:logs:us-east-1:000000000000:destination:central',
  });
  await cwl.send(
    new PutDestinationPolicyCommand({
      destinationName: 'central',
      accessPolicy: '{"Version":"2012-10-17","Statement":[]}',
    }),
  );
  const list = await cwl.send(new DescribeDestinationsCommand({ DestinationNamePrefix: 'cen' }));
  expect(list.destinations).toEqual([
    expect.objectContaining({ destinationName: 'central', accessPolicy: '{"Version":"2012-10-17","Statement":[]}' }),
  ]);
  await cwl.send(new DeleteDestinationCommand({ destinationName: 'central' }));
  expect((await cwl.send(new DescribeDestinationsCommand({}))).destinations).toEqual([]);
});

test('export tasks are recorded; with no S3 here they fail with that reason and cannot be cancelled', async () => {
  await cwl.send(new CreateLogGroupCommand({ logGroupName: '/ex' }));
  const { taskId } = await cwl.send(
    new CreateExportTaskCommand({ logGroupName: '/ex', from: 0, to: Date.now(), destination: 'my-bucket' }),
  );
  const tasks = await cwl.send(new DescribeExportTasksCommand({ taskId }));
  expect(tasks.exportTasks).toEqual([
    expect.objectContaining({
      taskId,
      logGroupName: '/ex',
      destination: 'my-bucket',
      status: { code: 'FAILED', message: expect.stringContaining('no S3') },
    }),
  ]);
  await expect(cwl.send(new CancelExportTaskCommand({ taskId }))).rejects.toMatchObject({
    name: 'InvalidOperationException',
  });
  await expect(
    cwl.send(new CreateExportTaskCommand({ logGroupName: '/missing', from: 0, to: 1, destination: 'b' })),
  ).rejects.toMatchObject({
    name: 'ResourceNotFoundException',
  });
});
