/**
 * The rest of the CloudWatch Logs model through the real SDK client: deliveries, account policies,
 * transformers, deletion protection, KMS keys, index policies, discovered fields, ListLogGroups,
 * anomaly detectors, lookup tables, scheduled queries, integrations, imports and log objects; and
 * every operation of the model answered by Logs itself (none NotImplemented).
 */
import * as CWL from '@aws-sdk/client-cloudwatch-logs';
import { logs } from '@dockside/logs';
import { useTestGateway } from '@dockside/testing';

const gw = useTestGateway(() => ({ plugins: [logs()] }), { resetEach: true });
const cwl = gw.sdk(CWL.CloudWatchLogsClient);
const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const fails = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { name: string; message: string }) => e,
  );

async function group(name: string, messages: string[] = []) {
  await cwl.send(new CWL.CreateLogGroupCommand({ logGroupName: name }));
  if (!messages.length) return;
  await cwl.send(new CWL.CreateLogStreamCommand({ logGroupName: name, logStreamName: 's' }));
  const now = Date.now();
  await cwl.send(
    new CWL.PutLogEventsCommand({
      logGroupName: name,
      logStreamName: 's',
      logEvents: messages.map((message, i) => ({ timestamp: now - 1000 + i, message })),
    }),
  );
}

test('every operation of the Logs model is answered by Logs (no NotImplemented), and the gateway stays up', async () => {
  const commands = Object.entries(CWL).filter(
    ([k, v]) => k.endsWith('Command') && typeof v === 'function' && 'resolveMiddleware' in v.prototype,
  );
  expect(commands.length).toBeGreaterThan(100);
  const notImplemented: string[] = [];
  for (const [name, Command] of commands) {
    if (name === 'StartLiveTailCommand' || name === 'GetLogObjectCommand') continue; // event streams, tested elsewhere
    const err = await fails(cwl.send(new (Command as new (i: object) => CWL.CreateLogGroupCommand)({})));
    // Empty input is a validation error or an answer, never NotImplemented or an internal failure.
    if (err && /NotImplemented|Internal/.test(err.name)) notImplemented.push(`${name}: ${err.name}`);
  }
  expect(notImplemented).toEqual([]);
  await cwl.send(new CWL.DescribeLogGroupsCommand({}));
});

test('deliveries: sources, destinations, a delivery between them, in-use rules, policies and tags', async () => {
  await group('/vended');
  const { deliverySource } = await cwl.send(
    new CWL.PutDeliverySourceCommand({
      name: 'src',
      resourceArn: `arn:aws:bedrock:${REGION}:${ACCOUNT}:knowledge-base/kb1`,
      logType: 'APPLICATION_LOGS',
      tags: { team: 'a' },
    }),
  );
  expect(deliverySource).toMatchObject({
    name: 'src',
    arn: `arn:aws:logs:${REGION}:${ACCOUNT}:delivery-source:src`,
    service: 'bedrock',
    resourceArns: [`arn:aws:bedrock:${REGION}:${ACCOUNT}:knowledge-base/kb1`],
    tags: { team: 'a' },
  });
  const { deliveryDestination } = await cwl.send(
    new CWL.PutDeliveryDestinationCommand({
      name: 'dst',
      deliveryDestinationConfiguration: {
        destinationResourceArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/vended`,
      },
    }),
  );
  expect(deliveryDestination).toMatchObject({ deliveryDestinationType: 'CWL', outputFormat: 'json' });
  const { delivery } = await cwl.send(
    new CWL.CreateDeliveryCommand({ deliverySourceName: 'src', deliveryDestinationArn: deliveryDestination!.arn }),
  );
  expect(delivery).toMatchObject({ deliverySourceName: 'src', deliveryDestinationType: 'CWL' });
  expect(delivery!.arn).toBe(`arn:aws:logs:${REGION}:${ACCOUNT}:delivery:${delivery!.id}`);
  expect(
    await fails(
      cwl.send(
        new CWL.CreateDeliveryCommand({ deliverySourceName: 'src', deliveryDestinationArn: deliveryDestination!.arn }),
      ),
    ),
  ).toMatchObject({ name: 'ConflictException' });
  expect(await fails(cwl.send(new CWL.DeleteDeliverySourceCommand({ name: 'src' })))).toMatchObject({
    name: 'ConflictException',
  });
  await cwl.send(new CWL.UpdateDeliveryConfigurationCommand({ id: delivery!.id, recordFields: ['a', 'b'] }));
  const { deliveries } = await cwl.send(new CWL.DescribeDeliveriesCommand({ deliverySourceNames: ['src'] }));
  expect(deliveries).toHaveLength(1);
  expect(deliveries![0].recordFields).toEqual(['a', 'b']);

  await cwl.send(
    new CWL.PutDeliveryDestinationPolicyCommand({ deliveryDestinationName: 'dst', deliveryDestinationPolicy: '{}' }),
  );
  expect(
    (await cwl.send(new CWL.GetDeliveryDestinationPolicyCommand({ deliveryDestinationName: 'dst' }))).policy,
  ).toEqual({ deliveryDestinationPolicy: '{}' });

  await cwl.send(new CWL.TagResourceCommand({ resourceArn: deliverySource!.arn, tags: { env: 'dev' } }));
  expect((await cwl.send(new CWL.ListTagsForResourceCommand({ resourceArn: deliverySource!.arn }))).tags).toEqual({
    team: 'a',
    env: 'dev',
  });

  await cwl.send(new CWL.DeleteDeliveryCommand({ id: delivery!.id }));
  await cwl.send(new CWL.DeleteDeliverySourceCommand({ name: 'src' }));
  await cwl.send(new CWL.DeleteDeliveryDestinationCommand({ name: 'dst' }));
  expect(await fails(cwl.send(new CWL.GetDeliverySourceCommand({ name: 'src' })))).toMatchObject({
    name: 'ResourceNotFoundException',
  });
  // Validation comes before existence: a bad name on a missing source is a validation error.
  expect(await fails(cwl.send(new CWL.GetDeliverySourceCommand({ name: 'bad name!' })))).toMatchObject({
    name: 'InvalidParameterException',
  });
});

test('log group settings: deletion protection, KMS keys, bearer tokens show in DescribeLogGroups and act', async () => {
  await group('/protected');
  await cwl.send(
    new CWL.PutLogGroupDeletionProtectionCommand({ logGroupIdentifier: '/protected', deletionProtectionEnabled: true }),
  );
  const err = await fails(cwl.send(new CWL.DeleteLogGroupCommand({ logGroupName: '/protected' })));
  expect(err).toMatchObject({
    name: 'ValidationException',
    message: 'Cannot delete log group with deletion protection enabled. Disable deletion protection first.',
  });
  const key = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  await cwl.send(new CWL.AssociateKmsKeyCommand({ logGroupName: '/protected', kmsKeyId: key }));
  expect(
    await fails(cwl.send(new CWL.AssociateKmsKeyCommand({ logGroupName: '/protected', kmsKeyId: 'not-an-arn' }))),
  ).toMatchObject({ name: 'InvalidParameterException' });
  const [g] = (await cwl.send(new CWL.DescribeLogGroupsCommand({ logGroupNamePrefix: '/protected' }))).logGroups!;
  expect(g).toMatchObject({ kmsKeyId: key, deletionProtectionEnabled: true });
  await cwl.send(new CWL.DisassociateKmsKeyCommand({ logGroupName: '/protected' }));
  await cwl.send(
    new CWL.PutLogGroupDeletionProtectionCommand({
      logGroupIdentifier: '/protected',
      deletionProtectionEnabled: false,
    }),
  );
  await cwl.send(new CWL.DeleteLogGroupCommand({ logGroupName: '/protected' }));
  expect((await cwl.send(new CWL.DescribeLogGroupsCommand({}))).logGroups).toEqual([]);
});

test('transformers: checked as AWS checks them, stored per group, evaluated by TestTransformer', async () => {
  await group('/tx');
  const config: CWL.Processor[] = [
    { parseJSON: {} },
    { addKeys: { entries: [{ key: 'env', value: 'prod' }] } },
    { lowerCaseString: { withKeys: ['level'] } },
  ];
  await cwl.send(new CWL.PutTransformerCommand({ logGroupIdentifier: '/tx', transformerConfig: config }));
  const got = await cwl.send(new CWL.GetTransformerCommand({ logGroupIdentifier: '/tx' }));
  expect(got.transformerConfig).toEqual(config);
  expect(got.creationTime).toEqual(expect.any(Number));
  const bad = await fails(
    cwl.send(
      new CWL.PutTransformerCommand({
        logGroupIdentifier: '/tx',
        transformerConfig: [{ lowerCaseString: { withKeys: ['a'] } }],
      }),
    ),
  );
  expect(bad).toMatchObject({ name: 'InvalidParameterException', message: expect.stringMatching(/parser/) });
  const { transformedLogs } = await cwl.send(
    new CWL.TestTransformerCommand({ transformerConfig: config, logEventMessages: ['{"level":"INFO"}', 'plain'] }),
  );
  expect(transformedLogs).toEqual([
    { eventNumber: 1, eventMessage: '{"level":"INFO"}', transformedEventMessage: '{"level":"info","env":"prod"}' },
    { eventNumber: 2, eventMessage: 'plain' },
  ]);
  await cwl.send(new CWL.DeleteTransformerCommand({ logGroupIdentifier: '/tx' }));
  expect(await fails(cwl.send(new CWL.GetTransformerCommand({ logGroupIdentifier: '/tx' })))).toMatchObject({
    name: 'ResourceNotFoundException',
  });
});

test('discovered fields, index policies, ListLogGroups and the groups of a query', async () => {
  await group('/app', ['{"level":"info","req":{"id":1}}', '{"level":"warn"}', 'plain text', '{"level":"x"}']);
  await group('/other');
  const { logGroupFields } = await cwl.send(new CWL.GetLogGroupFieldsCommand({ logGroupName: '/app' }));
  const fields = Object.fromEntries(logGroupFields!.map((f) => [f.name, f.percent]));
  expect(fields).toMatchObject({ '@timestamp': 100, '@message': 100, level: 75, 'req.id': 25 });

  await cwl.send(
    new CWL.PutIndexPolicyCommand({ logGroupIdentifier: '/app', policyDocument: '{"Fields":["level","req.id"]}' }),
  );
  const { indexPolicies } = await cwl.send(new CWL.DescribeIndexPoliciesCommand({ logGroupIdentifiers: ['/app'] }));
  expect(indexPolicies).toEqual([expect.objectContaining({ source: 'LOG_GROUP' })]);
  const { fieldIndexes } = await cwl.send(new CWL.DescribeFieldIndexesCommand({ logGroupIdentifiers: ['/app'] }));
  expect(fieldIndexes!.map((f) => f.fieldIndexName)).toEqual(['level', 'req.id']);

  await cwl.send(new CWL.TagLogGroupCommand({ logGroupName: '/other', tags: { team: 'b' } }));
  const listed = await cwl.send(new CWL.ListLogGroupsCommand({ logGroupNamePattern: 'APP' }));
  expect(listed.logGroups).toEqual([
    {
      logGroupName: '/app',
      logGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/app`,
      logGroupClass: 'STANDARD',
    },
  ]);
  const tagged = await cwl.send(new CWL.ListLogGroupsCommand({ logGroupTags: [{ key: 'team', values: ['b'] }] }));
  expect(tagged.logGroups!.map((g) => g.logGroupName)).toEqual(['/other']);

  const now = Math.floor(Date.now() / 1000);
  const { queryId } = await cwl.send(
    new CWL.StartQueryCommand({
      logGroupIdentifiers: ['/app', '/other'],
      queryString: 'fields @message',
      startTime: now - 600,
      endTime: now + 60,
    }),
  );
  const forQuery = await cwl.send(new CWL.ListLogGroupsForQueryCommand({ queryId }));
  expect(forQuery.logGroupIdentifiers!.sort()).toEqual([
    `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/app`,
    `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/other`,
  ]);
  const { results } = await cwl.send(new CWL.GetQueryResultsCommand({ queryId }));
  const ptr = results![0].find((f) => f.field === '@ptr')!.value!;
  // GetLogObject is an event stream: the SDK's `stream-` host prefix is turned off, as for StartLiveTail.
  const streams = gw.client(CWL.CloudWatchLogsClient, { disableHostPrefix: true } as never);
  const obj = await streams.send(new CWL.GetLogObjectCommand({ logObjectPointer: ptr }));
  const chunks: string[] = [];
  for await (const ev of obj.fieldStream!) if (ev.fields?.data) chunks.push(Buffer.from(ev.fields.data).toString());
  expect(JSON.parse(chunks.join(''))).toMatchObject({ '@log': `${ACCOUNT}:/app` });
});

test('account policies and the storage tier', async () => {
  const { accountPolicy } = await cwl.send(
    new CWL.PutAccountPolicyCommand({
      policyName: 'sub',
      policyType: 'SUBSCRIPTION_FILTER_POLICY',
      policyDocument: '{"DestinationArn":"arn:aws:lambda:us-east-1:000000000000:function:f","FilterPattern":""}',
    }),
  );
  expect(accountPolicy).toMatchObject({ scope: 'ALL', accountId: ACCOUNT, policyType: 'SUBSCRIPTION_FILTER_POLICY' });
  const { accountPolicies } = await cwl.send(
    new CWL.DescribeAccountPoliciesCommand({ policyType: 'SUBSCRIPTION_FILTER_POLICY' }),
  );
  expect(accountPolicies!.map((p) => p.policyName)).toEqual(['sub']);
  await cwl.send(new CWL.DeleteAccountPolicyCommand({ policyName: 'sub', policyType: 'SUBSCRIPTION_FILTER_POLICY' }));
  expect(
    await fails(
      cwl.send(new CWL.DeleteAccountPolicyCommand({ policyName: 'sub', policyType: 'SUBSCRIPTION_FILTER_POLICY' })),
    ),
  ).toMatchObject({ name: 'ResourceNotFoundException' });
  expect((await cwl.send(new CWL.GetStorageTierPolicyCommand({}))).storageTier).toBe('STANDARD');
  await cwl.send(new CWL.PutStorageTierPolicyCommand({ storageTier: 'INTELLIGENT_TIERING' }));
  expect((await cwl.send(new CWL.GetStorageTierPolicyCommand({}))).storageTier).toBe('INTELLIGENT_TIERING');
});

test('anomaly detectors, lookup tables, scheduled queries, integrations and imports are recorded with AWS shapes', async () => {
  await group('/ad');
  const groupArn = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/ad`;
  const { anomalyDetectorArn } = await cwl.send(
    new CWL.CreateLogAnomalyDetectorCommand({
      logGroupArnList: [groupArn],
      detectorName: 'd',
      evaluationFrequency: 'TEN_MIN',
    }),
  );
  expect(anomalyDetectorArn).toMatch(new RegExp(`^arn:aws:logs:${REGION}:${ACCOUNT}:anomaly-detector:`));
  await cwl.send(new CWL.UpdateLogAnomalyDetectorCommand({ anomalyDetectorArn, enabled: false }));
  expect(await cwl.send(new CWL.GetLogAnomalyDetectorCommand({ anomalyDetectorArn }))).toMatchObject({
    detectorName: 'd',
    evaluationFrequency: 'TEN_MIN',
    anomalyDetectorStatus: 'PAUSED',
    logGroupArnList: [groupArn],
  });
  expect((await cwl.send(new CWL.ListAnomaliesCommand({ anomalyDetectorArn }))).anomalies).toEqual([]);
  expect(
    await fails(
      cwl.send(
        new CWL.CreateLogAnomalyDetectorCommand({
          logGroupArnList: [`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/missing`],
        }),
      ),
    ),
  ).toMatchObject({ name: 'ResourceNotFoundException' });

  const { lookupTableArn } = await cwl.send(
    new CWL.CreateLookupTableCommand({ lookupTableName: 'users', tableBody: 'id,name\n1,ann\n2,bob\n' }),
  );
  const { lookupTables } = await cwl.send(new CWL.DescribeLookupTablesCommand({}));
  expect(lookupTables).toEqual([
    expect.objectContaining({ lookupTableArn, tableFields: ['id', 'name'], recordsCount: 2, sizeBytes: 20 }),
  ]);
  expect((await cwl.send(new CWL.GetLookupTableCommand({ lookupTableArn }))).tableBody).toBe('id,name\n1,ann\n2,bob\n');

  const sq = await cwl.send(
    new CWL.CreateScheduledQueryCommand({
      name: 'hourly',
      queryLanguage: 'CWLI',
      queryString: 'fields @message',
      scheduleExpression: 'rate(1 hour)',
      executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/r`,
      logGroupIdentifiers: ['/ad'],
    }),
  );
  expect(sq.state).toBe('ENABLED');
  expect(await cwl.send(new CWL.GetScheduledQueryCommand({ identifier: 'hourly' }))).toMatchObject({
    scheduledQueryArn: sq.scheduledQueryArn,
    scheduleExpression: 'rate(1 hour)',
    logGroupIdentifiers: ['/ad'],
  });
  expect(
    await fails(
      cwl.send(
        new CWL.CreateScheduledQueryCommand({
          name: 'bad',
          queryLanguage: 'CWLI',
          queryString: 'fields @message',
          scheduleExpression: 'every hour',
          executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/r`,
        }),
      ),
    ),
  ).toMatchObject({ name: 'InvalidParameterException' });

  const integ = await cwl.send(
    new CWL.PutIntegrationCommand({
      integrationName: 'os',
      integrationType: 'OPENSEARCH',
      resourceConfig: {
        openSearchResourceConfig: {
          dataSourceRoleArn: `arn:aws:iam::${ACCOUNT}:role/r`,
          dashboardViewerPrincipals: [`arn:aws:iam::${ACCOUNT}:role/r`],
          retentionDays: 30,
        },
      },
    }),
  );
  expect(integ.integrationStatus).toBe('FAILED');
  const imp = await cwl.send(
    new CWL.CreateImportTaskCommand({
      importSourceArn: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:eventdatastore/eds1`,
      importRoleArn: `arn:aws:iam::${ACCOUNT}:role/r`,
    }),
  );
  const { imports } = await cwl.send(new CWL.DescribeImportTasksCommand({ importId: imp.importId }));
  expect(imports![0]).toMatchObject({ importStatus: 'FAILED', errorMessage: expect.stringMatching(/CloudTrail/) });
});
