import type * as http from 'node:http';

const MIB = 1024 * 1024;
const CHUNK = 64 * 1024;
const encoder = new TextEncoder();

/**
 * Reused byte buffers for large answers. Encoding a 900 KB GetLogEvents page into a new Buffer
 * (`Buffer.from`) cost ~3 ms, nearly all of it the kernel zero-filling fresh pages on first
 * touch; writing into a buffer that was used before takes ~0.1 ms. A buffer goes back to the
 * pool only once the answer holding it has been handed to the kernel (`finish`): an answer whose
 * connection dies first simply leaves its buffer to the garbage collector.
 */
export class BodyBuffers {
  private readonly free: Buffer[] = [];
  private freeBytes = 0;

  constructor(
    /** Bytes kept for reuse at most (16 answers of 1 MiB writing at the same time). */
    private readonly keepBytes = 16 * MIB,
    /** Larger buffers are never kept (one odd answer should not pin its size in memory). */
    private readonly maxBytes = 4 * MIB,
  ) {}

  /** Answers `body` (text, or text in pieces) as UTF-8, its length written into `headers[lengthAt]`. */
  end(res: http.ServerResponse, status: number, headers: string[], lengthAt: number, body: string | string[]): void {
    const pieces = typeof body === 'string' ? [body] : body;
    let chars = 0;
    for (const p of pieces) chars += p.length;
    // Sized for ASCII (one byte per UTF-16 unit); text that needs more moves to a larger buffer.
    let buf = this.take(chars);
    let at = 0;
    for (let i = 0; i < pieces.length; i++) {
      chars -= pieces[i].length;
      let rest = pieces[i];
      for (;;) {
        const { read, written } = encoder.encodeInto(rest, buf.subarray(at));
        at += written;
        if (read === rest.length) break;
        rest = rest.slice(read);
        const bigger = this.take(at + 3 * (rest.length + chars));
        buf.copy(bigger, 0, 0, at);
        this.give(buf);
        buf = bigger;
      }
    }
    headers[lengthAt] = String(at);
    res.writeHead(status, headers);
    const kept = buf;
    res.end(buf.subarray(0, at), (err?: Error) => {
      if (!err) this.give(kept);
    });
  }

  private take(size: number): Buffer {
    for (let i = 0; i < this.free.length; i++) {
      if (this.free[i].length >= size) {
        const [buf] = this.free.splice(i, 1);
        this.freeBytes -= buf.length;
        return buf;
      }
    }
    // Rounded up to 64 KiB, so the next answer of about the same size fits the same buffer.
    return Buffer.allocUnsafeSlow(Math.ceil(size / CHUNK) * CHUNK || CHUNK);
  }

  private give(buf: Buffer) {
    if (buf.length > this.maxBytes || this.freeBytes + buf.length > this.keepBytes) return;
    this.free.push(buf);
    this.freeBytes += buf.length;
  }
}
