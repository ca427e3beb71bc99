import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { OutputCapture, demuxer } from './output';

const frame = (type: number, text: string | Buffer) => {
  const body = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const h = Buffer.alloc(8);
  h[0] = type;
  h.writeUInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
};

function run(chunks: Buffer[]) {
  const out: string[] = [];
  const err: string[] = [];
  const feed = demuxer(
    (b) => out.push(b.toString('latin1')),
    (b) => err.push(b.toString('latin1')),
  );
  for (const c of chunks) feed(c);
  return { out: out.join(''), err: err.join('') };
}

describe('demuxer', () => {
  it('splits many frames in one chunk by stream', () => {
    const all = Buffer.concat([frame(1, 'a\n'), frame(2, 'oops\n'), frame(1, 'b\n'), frame(1, '')]);
    expect(run([all])).toEqual({ out: 'a\nb\n', err: 'oops\n' });
  });

  it('joins a frame (header or payload) cut across chunks, at every cut point', () => {
    const all = Buffer.concat([frame(1, 'hello\n'), frame(2, 'err\n'), frame(1, 'world\n')]);
    for (let cut = 1; cut < all.length; cut++) {
      expect(run([all.subarray(0, cut), all.subarray(cut)])).toEqual({ out: 'hello\nworld\n', err: 'err\n' });
    }
    expect(run([...all].map((b) => Buffer.from([b])))).toEqual({ out: 'hello\nworld\n', err: 'err\n' });
  });

  it('passes a stream that is not multiplexed through as stdout', () => {
    expect(run([Buffer.from('plain text\n'), Buffer.from('more\n')])).toEqual({ out: 'plain text\nmore\n', err: '' });
  });
});

describe('OutputCapture', () => {
  it('makes lines of both streams, joining a character and a line split between frames', async () => {
    const stream = new PassThrough();
    const container = { logs: async () => stream } as unknown as Docker.Container;
    const capture = new OutputCapture(false);
    const lines: string[] = [];
    await capture.follow(container, 1, (l) => lines.push(`${l.stream}:${l.line}`));
    const euro = Buffer.from('€');
    stream.write(frame(1, 'skipped\nfirst\r\n'));
    stream.write(frame(1, Buffer.concat([Buffer.from('price 5'), euro.subarray(0, 1)])));
    stream.write(frame(2, 'warn\n'));
    stream.write(frame(1, Buffer.concat([euro.subarray(1), Buffer.from('\nlast, no newline')])));
    stream.end();
    await capture.drained();
    expect(lines).toEqual(['stdout:first', 'stderr:warn', 'stdout:price 5€', 'stdout:last, no newline']);
    expect(capture.lines().map((l) => l.line)).toEqual(['first', 'warn', 'price 5€', 'last, no newline']);
  });

  it('keeps the last 10,000 lines, oldest first, with their stream and time', async () => {
    const stream = new PassThrough();
    const container = { logs: async () => stream } as unknown as Docker.Container;
    const capture = new OutputCapture(false);
    await capture.follow(container, 0, () => undefined);
    const before = Date.now();
    let text = '';
    for (let i = 0; i < 10_005; i++) text += `line ${i}\n`;
    stream.write(frame(1, text));
    stream.write(frame(2, 'at the end\n'));
    stream.end();
    await capture.drained();
    const kept = capture.lines();
    expect(kept).toHaveLength(10_000);
    expect(kept[0]).toMatchObject({ stream: 'stdout', line: 'line 6' });
    expect(kept[9_998].line).toBe('line 10004');
    expect(kept[9_999]).toMatchObject({ stream: 'stderr', line: 'at the end' });
    expect(kept.every((l, i) => i === 9_999 || l.line === `line ${i + 6}`)).toBe(true);
    expect(kept[0].timestamp).toBeGreaterThanOrEqual(before);
    expect(kept[0].timestamp).toBeLessThanOrEqual(Date.now());
  });
});
