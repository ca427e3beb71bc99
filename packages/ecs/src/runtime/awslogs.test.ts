import { AwsLogsShipper, type LogsCall, awsLogsConfig, strftimeToRegExp } from './awslogs';

type Sent = { op: string; input: Record<string, unknown>; region: string; opts?: { trusted?: boolean } };
const shipper = (options: Record<string, string>) => {
  const sent: Sent[] = [];
  const cfg = awsLogsConfig({ logDriver: 'awslogs', options: { 'awslogs-group': 'g', ...options } }, 'us-east-1')!;
  // A fake logs contract: records each call, answers nothing.
  const call = (async (
    _service: string,
    op: string,
    input: Record<string, unknown>,
    region: string,
    opts?: { trusted?: boolean },
  ) => void sent.push({ op, input, region, ...(opts ? { opts } : {}) })) as unknown as LogsCall;
  const s = new AwsLogsShipper(cfg, 'stream', call, () => undefined);
  const puts = () =>
    sent
      .filter((x) => x.op === 'PutLogEvents')
      .map((x) => (x.input.logEvents as Array<{ message: string }>).map((e) => e.message));
  return { s, sent, puts };
};
const line = (text: string, timestamp = Date.now()) => ({ stream: 'stdout' as const, timestamp, line: text });

test('options: region, create-group, stream prefix, modes', () => {
  expect(awsLogsConfig({ logDriver: 'json-file' }, 'us-east-1')).toBeUndefined();
  expect(() => awsLogsConfig({ logDriver: 'awslogs', options: {} }, 'us-east-1')).toThrow('awslogs-group');
  expect(
    awsLogsConfig(
      {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': 'g',
          'awslogs-region': 'eu-west-1',
          'awslogs-create-group': 'true',
          mode: 'non-blocking',
          'max-buffer-size': '2m',
        },
      },
      'us-east-1',
    ),
  ).toMatchObject({
    region: 'eu-west-1',
    createGroup: true,
    nonBlocking: true,
    maxBufferBytes: 2 * 1024 * 1024,
  });
});

test('init creates the group only with create-group, tolerating existing ones', async () => {
  const a = shipper({ 'awslogs-create-group': 'true', 'awslogs-region': 'ap-south-1' });
  await a.s.init();
  expect(a.sent.map((x) => `${x.op}@${x.region}`)).toEqual(['CreateLogGroup@ap-south-1', 'CreateLogStream@ap-south-1']);
  const b = shipper({});
  await b.s.init();
  expect(b.sent.map((x) => x.op)).toEqual(['CreateLogStream']);
});

test('batches respect 10,000 events and split oversized events at 256 KiB', async () => {
  const { s, puts } = shipper({});
  for (let i = 0; i < 10_001; i++) s.push(line(`l${i}`));
  s.push(line('x'.repeat(300 * 1024)));
  await s.close();
  const batches = puts();
  expect(batches.map((b) => b.length)).toEqual([10_000, 3]);
  expect(batches[1][1].length + batches[1][2].length).toBe(300 * 1024);
  expect(Buffer.byteLength(batches[1][1])).toBeLessThanOrEqual(256 * 1024 - 26);
});

test('non-blocking mode drops lines past max-buffer-size; blocking keeps all', async () => {
  const nb = shipper({ mode: 'non-blocking', 'max-buffer-size': '1k' });
  for (let i = 0; i < 100; i++) nb.s.push(line('y'.repeat(100)));
  await nb.s.close();
  expect(nb.puts().flat().length).toBeLessThan(100);
  expect(nb.s.dropped).toBe(100 - nb.puts().flat().length);
  const bl = shipper({});
  for (let i = 0; i < 100; i++) bl.s.push(line('y'.repeat(100)));
  await bl.s.close();
  expect(bl.puts().flat()).toHaveLength(100);
});

test('multiline: lines join the event started by the pattern; the first line keeps its time', async () => {
  const { s, sent, puts } = shipper({ 'awslogs-multiline-pattern': '^\\[' });
  s.push(line('[1] start', 1000));
  s.push(line('  more', 1500));
  s.push(line('[2] next', 2000));
  await s.close();
  expect(puts()).toEqual([['[1] start\n  more', '[2] next']]);
  expect((sent[0].input.logEvents as Array<{ timestamp: number }>).map((e) => e.timestamp)).toEqual([1000, 2000]);
});

test('strftime formats become anchored patterns', () => {
  const re = strftimeToRegExp('%Y-%m-%dT%H:%M:%S%z');
  expect(re.test('2024-01-02T10:00:00+0100 rest')).toBe(true);
  expect(re.test('x 2024-01-02T10:00:00+0100')).toBe(false);
  expect(strftimeToRegExp('[%b %d, %Y %I:%M:%S %p]').test('[Jan 02, 2024 09:15:00 PM] x')).toBe(true);
  expect(() => strftimeToRegExp('%Q')).toThrow('unsupported');
});

test('a burst is sent at the end of the turn it was read in; a trickle waits for the flush timer; calls are trusted', async () => {
  const { s, sent, puts } = shipper({});
  for (let i = 0; i < 600; i++) s.push(line(`burst ${i}`));
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  expect(puts().flat()).toHaveLength(600);
  s.push(line('one more'));
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  expect(puts().flat()).toHaveLength(600);
  await s.close();
  expect(puts().flat().at(-1)).toBe('one more');
  expect(sent.map((x) => x.opts)).toEqual([{ trusted: true }, { trusted: true }]);
});
