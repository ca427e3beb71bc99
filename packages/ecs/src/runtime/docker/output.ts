import { StringDecoder } from 'node:string_decoder';
import type Docker from 'dockerode';
import type { OutputAttachment, OutputLine } from '../engine';

const MAX_LINES = 10_000;
/** Output bytes taken in one turn of the event loop before other work gets its turn. */
const TURN_BYTES = 64 * 1024;

/**
 * A container's stdout/stderr, attached before the container starts (so nothing is missed),
 * split into lines as they arrive, kept in a bounded buffer and handed to `onLine` live.
 */
export class OutputCapture implements OutputAttachment {
  /**
   * A ring of the last MAX_LINES lines (shifting an array per line is O(n)), held as columns: a
   * line object kept for 10,000 lines outlives young-generation collections and is copied into the
   * old generation, where a burst of output left ~40 bytes of garbage per line (bench/log-delivery.mjs).
   */
  private readonly texts: string[] = [];
  private readonly times = new Float64Array(MAX_LINES);
  private readonly streams = new Uint8Array(MAX_LINES);
  private next = 0;
  private ended!: Promise<void>;
  private stream?: NodeJS.ReadableStream;

  constructor(private readonly tty: boolean) {}

  async attach(container: Docker.Container, onLine: (l: OutputLine) => void): Promise<void> {
    // Attached before start, so there is no past output to replay (and not every log driver can).
    const stream = (await container.attach({
      stream: true,
      stdout: true,
      stderr: true,
      logs: false,
    })) as NodeJS.ReadableStream;
    this.read(stream, onLine, 0);
  }

  /** A running container's engine log from its start, following it; the first `skip` lines are passed over. */
  async follow(container: Docker.Container, skip: number, onLine: (l: OutputLine) => void): Promise<void> {
    const stream = (await container.logs({
      follow: true,
      stdout: true,
      stderr: true,
    })) as unknown as NodeJS.ReadableStream;
    this.read(stream, onLine, skip);
  }

  private read(stream: NodeJS.ReadableStream, onLine: (l: OutputLine) => void, skip: number) {
    this.stream = stream;
    let skipped = 0;
    const emit = (s: OutputLine['stream']) => {
      // A character split between two frames is joined by the decoder, not turned into U+FFFD.
      const decoder = new StringDecoder('utf8');
      let partial = '';
      const push = (line: string) => {
        // Lines of both streams count together, in the engine log's order (the cursor counts so).
        if (skipped < skip) {
          skipped++;
          return;
        }
        const timestamp = Date.now();
        this.texts[this.next] = line;
        this.times[this.next] = timestamp;
        this.streams[this.next] = s === 'stderr' ? 1 : 0;
        this.next = (this.next + 1) % MAX_LINES;
        onLine({ stream: s, timestamp, line });
      };
      return {
        data: (chunk: Buffer) => {
          const text = partial + decoder.write(chunk);
          let from = 0;
          let nl: number;
          while ((nl = text.indexOf('\n', from)) >= 0) {
            push(text.charCodeAt(nl - 1) === 13 ? text.slice(from, nl - 1) : text.slice(from, nl));
            from = nl + 1;
          }
          partial = from ? text.slice(from) : text;
        },
        end: () => {
          partial += decoder.end();
          if (partial) push(partial);
          partial = '';
        },
      };
    };
    const out = emit('stdout');
    const err = emit('stderr');
    this.ended = new Promise<void>((resolve) => {
      const finish = () => {
        out.end();
        err.end();
        resolve();
      };
      stream.on('end', finish);
      stream.on('close', finish);
      stream.on('error', finish);
    });
    const take = this.tty ? out.data : demuxer(out.data, err.data);
    // Node reads a busy socket up to 32 times per readiness, so a container writing as fast as it
    // can kept the gateway on its output for 300 ms at a time and other API calls waited (the
    // DescribeClusters probe in bench/log-delivery.mjs). After TURN_BYTES the stream pauses until
    // the next turn of the event loop: other sockets are served between chunks.
    let taken = 0;
    const readable = stream as NodeJS.ReadableStream & { isPaused(): boolean };
    stream.on('data', (chunk: Buffer) => {
      take(chunk);
      taken += chunk.length;
      if (taken < TURN_BYTES || readable.isPaused()) return;
      stream.pause();
      setImmediate(() => {
        taken = 0;
        stream.resume();
      });
    });
  }

  /** Resolves once every byte the container wrote has been read (bounded, in case the engine hangs). */
  drained(timeoutMs = 5000): Promise<void> {
    return Promise.race([this.ended ?? Promise.resolve(), new Promise<void>((r) => setTimeout(r, timeoutMs).unref())]);
  }

  /** Closes the attach connection: the engine keeps it open for a container that never started. */
  close(): void {
    (this.stream as unknown as { destroy?: () => void } | undefined)?.destroy?.();
  }

  /** The kept lines, oldest first. */
  lines(): OutputLine[] {
    const n = this.texts.length;
    const from = n < MAX_LINES ? 0 : this.next;
    const out: OutputLine[] = [];
    for (let k = 0; k < n; k++) {
      const i = (from + k) % MAX_LINES;
      out.push({ stream: this.streams[i] ? 'stderr' : 'stdout', timestamp: this.times[i], line: this.texts[i] });
    }
    return out;
  }
}

/**
 * Splits Docker's multiplexed attach/logs stream (8-byte header: stream type, 3 zero bytes, a
 * big-endian payload length) into stdout and stderr payloads, without copying what is left of a
 * chunk per frame. docker-modem's demuxStream copies the remainder of its buffer for every frame,
 * which made a chunk of many small frames quadratic: it was the largest cost of a 200,000-line
 * burst after the per-line handler (bench/log-delivery.mjs profile, ~270 ms of 5 s).
 */
export function demuxer(stdout: (b: Buffer) => void, stderr: (b: Buffer) => void): (chunk: Buffer) => void {
  let held: Buffer | undefined;
  let raw = false;
  return (chunk) => {
    if (raw) return stdout(chunk);
    const buf = held ? Buffer.concat([held, chunk]) : chunk;
    held = undefined;
    let at = 0;
    while (buf.length - at >= 8) {
      const type = buf[at];
      if (type > 2) {
        // Not multiplexed after all (a TTY stream, or out of step): the rest is plain output.
        raw = true;
        return stdout(buf.subarray(at));
      }
      const size = buf.readUInt32BE(at + 4);
      if (buf.length - at - 8 < size) break;
      const payload = buf.subarray(at + 8, at + 8 + size);
      at += 8 + size;
      (type === 2 ? stderr : stdout)(payload);
    }
    if (at < buf.length) held = buf.subarray(at);
  };
}
