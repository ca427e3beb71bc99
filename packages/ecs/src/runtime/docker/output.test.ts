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
});
