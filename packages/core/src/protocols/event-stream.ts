/**
 * AWS event streams (`application/vnd.amazon.eventstream`), the response encoding of streaming
 * operations such as CloudWatch Logs' StartLiveTail. A message is a prelude (total length,
 * headers length, CRC32 of both), typed headers, the payload, and a CRC32 of everything before.
 */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE), as the event-stream framing uses it. */
export function crc32(buf: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** One event-stream message with string-valued headers. */
export function encodeEventMessage(headers: Record<string, string>, payload: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name, 'utf8');
    const v = Buffer.from(value, 'utf8');
    const h = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
    h.writeUInt8(n.length, 0);
    n.copy(h, 1);
    h.writeUInt8(7, 1 + n.length); // 7: string
    h.writeUInt16BE(v.length, 2 + n.length);
    v.copy(h, 4 + n.length);
    parts.push(h);
  }
  const headerBytes = Buffer.concat(parts);
  const total = 12 + headerBytes.length + payload.length + 4;
  const prelude = Buffer.alloc(12);
  prelude.writeUInt32BE(total, 0);
  prelude.writeUInt32BE(headerBytes.length, 4);
  prelude.writeUInt32BE(crc32(prelude.subarray(0, 8)), 8);
  const body = Buffer.concat([prelude, headerBytes, payload]);
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([body, trailer]);
}

const EVENT_STREAM = Symbol.for('dockside.eventStream');

/** Where a streaming operation sends its events; `end()` closes the response. */
export interface EventSink {
  send(eventType: string, body: unknown): void;
  end(): void;
}

/** What a streaming operation returns: opened once the response starts; returns its closer. */
export interface EventStreamOutput {
  readonly [EVENT_STREAM]: true;
  open(sink: EventSink): () => void;
}

/** Marks an operation's output as an event stream (the gateway writes it as one). */
export function eventStream(open: (sink: EventSink) => () => void): EventStreamOutput {
  return { [EVENT_STREAM]: true, open };
}

export const isEventStream = (v: unknown): v is EventStreamOutput =>
  Boolean(v && typeof v === 'object' && (v as Record<symbol, unknown>)[EVENT_STREAM]);
