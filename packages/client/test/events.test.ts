/** The typed EventBridge introspection: recent events, deliveries, explain, the schedule clock. */
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { DocksideClient } from '@dockside/client';
import { eventbridge } from '@dockside/eventbridge';
import { logs } from '@dockside/logs';
import { useTestGateway, waitFor } from '@dockside/testing';

const gw = useTestGateway(() => ({ plugins: [eventbridge(), logs()] }));

test('events.recent, deliveries, explain and advanceClock', async () => {
  const eb = gw.client(EventBridgeClient);
  const api = new DocksideClient(gw.endpoint);
  await gw.client(CloudWatchLogsClient).send(new CreateLogGroupCommand({ logGroupName: '/typed' }));
  await eb.send(
    new PutRuleCommand({
      Name: 'typed',
      EventPattern: JSON.stringify({ source: ['typed'], detail: { n: [{ numeric: ['>', 1] }] } }),
    }),
  );
  await eb.send(
    new PutTargetsCommand({
      Rule: 'typed',
      Targets: [{ Id: 'l', Arn: 'arn:aws:logs:us-east-1:000000000000:log-group:/typed' }],
    }),
  );
  await eb.send(new PutEventsCommand({ Entries: [{ Source: 'typed', DetailType: 'T', Detail: '{"n":2}' }] }));
  const [event] = await api.events.recent();
  expect(event).toMatchObject({ source: 'typed', 'detail-type': 'T', detail: { n: 2 } });
  const delivered = await waitFor(
    async () => (await api.events.deliveries('typed')).find((d) => d.outcome === 'delivered'),
    { what: 'a delivery' },
  );
  expect(delivered).toMatchObject({ rule: 'typed', targetId: 'l', eventId: event.id, attempt: 1 });
  expect(await api.events.explain('typed', { source: 'typed', detail: { n: 1 } })).toEqual({
    matched: false,
    failedField: 'detail.n',
  });
  expect(await api.events.explain('typed', { source: 'typed', detail: { n: 5 } })).toEqual({ matched: true });
  const before = Date.now();
  const { now } = await api.events.advanceClock(60);
  // The clock is real time plus what was advanced: never less than 60 s ahead of `before`.
  expect(Date.parse(now)).toBeGreaterThanOrEqual(before + 60_000 - 1);
});
