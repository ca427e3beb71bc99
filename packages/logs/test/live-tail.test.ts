/**
 * StartLiveTail through the real SDK client: the event stream opens with sessionStart, then
 * carries the events stored after it (filtered by stream and pattern) as sessionUpdate batches.
 * The SDK prefixes this operation's host with `stream-`; against a local endpoint that prefix
 * has to be turned off (`disableHostPrefix: true`), as for any custom endpoint.
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  StartLiveTailCommand,
  type StartLiveTailResponseStream,
} from '@aws-sdk/client-cloudwatch-logs';
import { logs } from '@dockside/logs';
import { rejection, useTestGateway, waitFor } from '@dockside/testing';

const gw = useTestGateway(() => ({ plugins: [logs()] }));
const cwl = gw.sdk(CloudWatchLogsClient);

test('sessionStart, then sessionUpdate with the matching events as they are stored', async () => {
  await cwl.send(new CreateLogGroupCommand({ logGroupName: '/live' }));
  for (const s of ['app/1', 'other'])
    await cwl.send(new CreateLogStreamCommand({ logGroupName: '/live', logStreamName: s }));
  const tail = gw.client(CloudWatchLogsClient, { disableHostPrefix: true } as never);
  const abort = new AbortController();
  const out = await tail.send(
    new StartLiveTailCommand({
      logGroupIdentifiers: ['/live'],
      logStreamNamePrefixes: ['app/'],
      logEventFilterPattern: 'ERROR',
    }),
    { abortSignal: abort.signal },
  );
  const received: StartLiveTailResponseStream[] = [];
  const reading = (async () => {
    try {
      for await (const ev of out.responseStream!) received.push(ev);
    } catch {
      // aborted at the end of the test
    }
  })();
  await waitFor(() => received.some((e) => e.sessionStart), { what: 'sessionStart' });
  expect(received[0].sessionStart).toMatchObject({ logGroupIdentifiers: ['/live'], logEventFilterPattern: 'ERROR' });

  const now = Date.now();
  await cwl.send(
    new PutLogEventsCommand({
      logGroupName: '/live',
      logStreamName: 'app/1',
      logEvents: [
        { timestamp: now, message: 'ERROR disk full' },
        { timestamp: now, message: 'INFO fine' },
      ],
    }),
  );
  await cwl.send(
    new PutLogEventsCommand({
      logGroupName: '/live',
      logStreamName: 'other',
      logEvents: [{ timestamp: now, message: 'ERROR elsewhere' }],
    }),
  );
  const update = await waitFor(() => received.find((e) => e.sessionUpdate)?.sessionUpdate, { what: 'a sessionUpdate' });
  expect(update.sessionResults).toEqual([
    expect.objectContaining({
      logGroupIdentifier: '/live',
      logStreamName: 'app/1',
      message: 'ERROR disk full',
      timestamp: now,
    }),
  ]);
  abort.abort();
  await reading;
});

test('a missing log group is refused before the stream opens', async () => {
  const tail = gw.client(CloudWatchLogsClient, { disableHostPrefix: true } as never);
  expect((await rejection(tail.send(new StartLiveTailCommand({ logGroupIdentifiers: ['/missing'] })))).name).toBe(
    'ResourceNotFoundException',
  );
});
