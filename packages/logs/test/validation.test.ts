/**
 * CloudWatch Logs' input constraints from the published model: lengths, ranges and patterns,
 * several at once, checked before any lookup (a bad name on a missing group is a validation
 * error), in AWS's wording.
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  InvalidParameterException,
  PutMetricFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { logs } from '@dockside/logs';
import { rejection, useTestGateway } from '@dockside/testing';

const gw = useTestGateway(() => ({ plugins: [logs()] }));
const cwl = gw.sdk(CloudWatchLogsClient);

test('log group names: length and pattern, as AWS words them', async () => {
  const long = await rejection(cwl.send(new CreateLogGroupCommand({ logGroupName: 'g'.repeat(513) })));
  expect(long).toBeInstanceOf(InvalidParameterException);
  expect(long.message).toMatch(
    /^1 validation error detected: Value 'g+\.\.\.' at 'logGroupName' failed to satisfy constraint: Member must have length less than or equal to 512$/,
  );
  const bad = await rejection(cwl.send(new CreateLogGroupCommand({ logGroupName: 'bad name!' })));
  expect(bad.message).toBe(
    "1 validation error detected: Value 'bad name!' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
  );
  // Nothing was created by the refused calls.
  expect((await cwl.send(new DescribeLogGroupsCommand({}))).logGroups).toEqual([]);
});

test('every violation is reported, a member failing two constraints twice (as AWS does); numeric ranges', async () => {
  const err = await rejection(cwl.send(new DescribeLogGroupsCommand({ limit: 51, logGroupNamePrefix: '' })));
  expect(err.message).toMatch(/^3 validation errors detected: /);
  expect(err.message).toContain(
    "Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50",
  );
  expect(err.message).toContain(
    "Value '' at 'logGroupNamePrefix' failed to satisfy constraint: Member must have length greater than or equal to 1",
  );
  expect(err.message).toContain(
    "Value '' at 'logGroupNamePrefix' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
  );
});

test('validation comes before existence: metric filters and deletes on a missing group', async () => {
  const filter = await rejection(
    cwl.send(
      new PutMetricFilterCommand({
        logGroupName: '/missing',
        filterName: 'a:b',
        filterPattern: '',
        metricTransformations: [{ metricName: 'm', metricNamespace: 'n', metricValue: '1' }],
      }),
    ),
  );
  expect(filter.name).toBe('InvalidParameterException');
  expect(filter.message).toContain(
    "Value 'a:b' at 'filterName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*",
  );
  const del = await rejection(cwl.send(new DeleteLogGroupCommand({ logGroupName: 'no spaces allowed' })));
  expect(del.name).toBe('InvalidParameterException');
  expect((await rejection(cwl.send(new DeleteLogGroupCommand({ logGroupName: '/missing' })))).name).toBe(
    'ResourceNotFoundException',
  );
});
