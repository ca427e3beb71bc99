import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import type { OutputAttachment, OutputLine } from '../engine';

const MAX_LINES = 10_000;

/**
 * A container's stdout/stderr, attached before the container starts (so nothing is missed),
 * split into lines as they arrive, kept in a bounded buffer and handed to `onLine` live.
 */
export class OutputCapture implements OutputAttachment {
  /** A ring of the last MAX_LINES lines (shifting an array per line is O(n)). */
  private readonly buffer: OutputLine[] = [];
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
    this.read(container, stream, onLine, 0);
  }

  /** A running container's engine log from its start, following it; the first `skip` lines are passed over. */
  async follow(container: Docker.Container, skip: number, onLine: (l: OutputLine) => void): Promise<void> {
    const stream = (await container.logs({
      follow: true,
      stdout: true,
      stderr: true,
    })) as unknown as NodeJS.ReadableStream;
    this.read(container, stream, onLine, skip);
  }

  private read(
    container: Docker.Container,
    stream: NodeJS.ReadableStream,
    onLine: (l: OutputLine) => void,
    skip: number,
  ) {
    this.stream = stream;
    let skipped = 0;
    const emit = (s: OutputLine['stream']) => {
      let partial = '';
      const push = (line: string) => {
        // Lines of both streams count together, in the engine log's order (the cursor counts so).
        if (skipped < skip) {
          skipped++;
          return;
        }
        const l: OutputLine = { stream: s, timestamp: Date.now(), line };
        this.buffer[this.next] = l;
        this.next = (this.next + 1) % MAX_LINES;
        onLine(l);
      };
      return {
        data: (chunk: Buffer) => {
          partial += chunk.toString('utf8');
          let nl: number;
          while ((nl = partial.indexOf('\n')) >= 0) {
            push(partial.slice(0, nl).replace(/\r$/, ''));
            partial = partial.slice(nl + 1);
          }
        },
        end: () => {
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
    if (this.tty) {
      stream.on('data', out.data);
    } else {
      const o = new PassThrough();
      const e = new PassThrough();
      o.on('data', out.data);
      e.on('data', err.data);
      container.modem.demuxStream(stream, o, e);
    }
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
    return this.buffer.length < MAX_LINES
      ? [...this.buffer]
      : [...this.buffer.slice(this.next), ...this.buffer.slice(0, this.next)];
  }
}
