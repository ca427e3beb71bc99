import type * as ECS from '@aws-sdk/client-ecs';
import type { RegionalCall } from '@dockside/core';
import type {} from '@dockside/logs';
import type { OutputLine } from './engine';

/**
 * The awslogs log driver, done by Dockside: a container's output goes to CloudWatch Logs line by
 * line as it is written, batched into internal PutLogEvents calls through the bus.
 */
export interface AwsLogsConfig {
  group: string;
  region: string;
  streamPrefix?: string;
  createGroup: boolean;
  /** Start of a new event, from awslogs-datetime-format or awslogs-multiline-pattern. */
  startPattern?: RegExp;
  nonBlocking: boolean;
  maxBufferBytes: number;
}

/** The logs plugin's contract, in the task's account. */
export type LogsCall = RegionalCall<'logs'>;

/** strftime directives Docker's awslogs driver accepts in awslogs-datetime-format. */
const STRFTIME: Record<string, string> = {
  a: '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)',
  A: '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)',
  b: '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)',
  B: '(?:January|February|March|April|May|June|July|August|September|October|November|December)',
  d: '(?:0[1-9]|[12][0-9]|3[01])',
  e: '(?: [1-9]|[12][0-9]|3[01])',
  H: '(?:[01][0-9]|2[0-3])',
  I: '(?:0[0-9]|1[0-2])',
  j: '(?:[0-2][0-9][0-9]|3[0-5][0-9]|36[0-6])',
  L: '\\.\\d{3}',
  m: '(?:0[1-9]|1[0-2])',
  M: '[0-5][0-9]',
  f: '\\d{1,9}',
  p: '(?:AM|PM|am|pm)',
  S: '[0-5][0-9]',
  T: '(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]',
  y: '\\d{2}',
  Y: '\\d{4}',
  z: '[+-]\\d{4}',
  Z: '[A-Z]{1,5}',
  '%': '%',
};

export function strftimeToRegExp(format: string): RegExp {
  let out = '^';
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c === '%' && i + 1 < format.length) {
      const d = format[++i];
      const re = STRFTIME[d];
      if (!re) throw new Error(`unsupported awslogs-datetime-format directive %${d}`);
      out += re;
    } else {
      out += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(out);
}

function parseSize(v: string | undefined, dflt: number): number {
  if (!v) return dflt;
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)b?$/i.exec(v.trim());
  if (!m) return dflt;
  return Math.round(
    Number(m[1]) * ({ '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as Record<string, number>)[m[2].toLowerCase()],
  );
}

/** The awslogs settings of a container, or undefined when it uses another driver. */
export function awsLogsConfig(lc: ECS.LogConfiguration | undefined, taskRegion: string): AwsLogsConfig | undefined {
  if (lc?.logDriver !== 'awslogs') return undefined;
  const o = lc.options ?? {};
  if (!o['awslogs-group']) throw new Error("awslogs requires the 'awslogs-group' option");
  const startPattern = o['awslogs-datetime-format']
    ? strftimeToRegExp(o['awslogs-datetime-format'])
    : o['awslogs-multiline-pattern']
      ? new RegExp(o['awslogs-multiline-pattern'])
      : undefined;
  return {
    group: o['awslogs-group'],
    region: o['awslogs-region'] ?? taskRegion,
    streamPrefix: o['awslogs-stream-prefix'],
    createGroup: o['awslogs-create-group'] === 'true',
    startPattern,
    nonBlocking: o.mode === 'non-blocking',
    maxBufferBytes: parseSize(o['max-buffer-size'], 1024 * 1024),
  };
}

const MAX_BATCH_EVENTS = 10_000;
const MAX_BATCH_BYTES = 1_048_576;
const EVENT_OVERHEAD = 26;
const MAX_EVENT_BYTES = 256 * 1024 - EVENT_OVERHEAD;
const FLUSH_MS = 50;
/** Queued events that are sent at the end of this turn of the event loop, not after FLUSH_MS. */
const BURST_EVENTS = 500;
/** How long a multiline event waits for more lines before it is sent. */
const LINGER_MS = 250;

type LogEvent = { timestamp: number; message: string };

interface Pending {
  timestamp: number;
  message: string;
  /** Output lines this event completes (0 for all but the last part of a split event). */
  lines: number;
  /** Its size as PutLogEvents counts it (message bytes + 26), set when queued. */
  bytes?: number;
}

/** One container's awslogs stream. */
export class AwsLogsShipper {
  private queue: Pending[] = [];
  private queuedBytes = 0;
  private current?: Pending;
  private lingerTimer?: NodeJS.Timeout;
  private flushTimer?: NodeJS.Timeout;
  private flushSoon?: NodeJS.Immediate;
  private sending: Promise<void> = Promise.resolve();
  dropped = 0;
  failures = 0;

  constructor(
    private readonly cfg: AwsLogsConfig,
    readonly streamName: string,
    private readonly call: LogsCall,
    private readonly onError: (err: unknown) => void,
    /** Told how many output lines are in CloudWatch Logs (or dropped as non-blocking mode allows). */
    private readonly onDelivered: (lines: number) => void = () => undefined,
  ) {}

  /** Makes the group (with awslogs-create-group) and the stream; throws as the driver would. */
  async init(): Promise<void> {
    if (this.cfg.createGroup) {
      await this.call('logs', 'CreateLogGroup', { logGroupName: this.cfg.group }, this.cfg.region).catch((e) => {
        if ((e as { code?: string }).code !== 'ResourceAlreadyExistsException') throw e;
      });
    }
    await this.call(
      'logs',
      'CreateLogStream',
      { logGroupName: this.cfg.group, logStreamName: this.streamName },
      this.cfg.region,
    ).catch((e) => {
      if ((e as { code?: string }).code !== 'ResourceAlreadyExistsException') throw e;
    });
  }

  push(line: OutputLine): void {
    if (this.cfg.startPattern) {
      if (this.current && !this.cfg.startPattern.test(line.line)) {
        this.current.message += `\n${line.line}`;
        this.current.lines++;
      } else {
        this.endEvent();
        this.current = { timestamp: line.timestamp, message: line.line, lines: 1 };
      }
      if (this.lingerTimer) clearTimeout(this.lingerTimer);
      this.lingerTimer = setTimeout(() => this.endEvent(), LINGER_MS);
      this.lingerTimer.unref();
      return;
    }
    this.enqueue({ timestamp: line.timestamp, message: line.line, lines: 1 });
  }

  private endEvent() {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    if (this.current) this.enqueue(this.current);
    this.current = undefined;
  }

  private enqueue(e: Pending) {
    if (!e.message) e.message = ' ';
    const size = Buffer.byteLength(e.message);
    if (size <= MAX_EVENT_BYTES) this.add(e, size + EVENT_OVERHEAD);
    else {
      // CloudWatch caps an event at 256 KiB: longer messages are split, as the driver does.
      let msg = e.message;
      while (Buffer.byteLength(msg) > MAX_EVENT_BYTES) {
        const cut = Buffer.from(msg)
          .subarray(0, MAX_EVENT_BYTES)
          .toString('utf8')
          .replace(/\uFFFD$/, '');
        this.add({ timestamp: e.timestamp, message: cut, lines: 0 }, Buffer.byteLength(cut) + EVENT_OVERHEAD);
        msg = msg.slice(cut.length);
      }
      msg ||= ' ';
      this.add({ timestamp: e.timestamp, message: msg, lines: e.lines }, Buffer.byteLength(msg) + EVENT_OVERHEAD);
    }
    if (this.queue.length >= BURST_EVENTS && !this.flushSoon) {
      // A burst goes out once the output read so far is queued, instead of waiting out the timer
      // (a busy gateway runs timers late: ~150 ms of bench/log-delivery.mjs's write → stored delay).
      this.flushSoon = setImmediate(() => {
        this.flushSoon = undefined;
        void this.flush();
      });
    }
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        void this.flush();
      }, FLUSH_MS);
      this.flushTimer.unref();
    }
  }

  /** Queues one event of `bytes` (as PutLogEvents counts them), or drops it in non-blocking mode. */
  private add(p: Pending, bytes: number) {
    if (this.cfg.nonBlocking && this.queuedBytes + bytes > this.cfg.maxBufferBytes) {
      this.dropped++;
      if (p.lines) this.onDelivered(p.lines);
      return;
    }
    p.bytes = bytes;
    this.queue.push(p);
    this.queuedBytes += bytes;
  }

  /** Sends what is queued, in order, in batches within PutLogEvents' limits. */
  flush(): Promise<void> {
    const batches: Pending[][] = [];
    let batch: Pending[] = [];
    let bytes = 0;
    for (const e of this.queue) {
      const b = e.bytes!;
      if (
        batch.length &&
        (batch.length >= MAX_BATCH_EVENTS ||
          bytes + b > MAX_BATCH_BYTES ||
          e.timestamp - batch[0].timestamp > 23 * 3600_000)
      ) {
        batches.push(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(e);
      bytes += b;
    }
    if (batch.length) batches.push(batch);
    this.queue = [];
    this.queuedBytes = 0;
    for (const batch of batches) {
      // The queued events go as they are (PutLogEvents reads timestamp and message; the call is
      // trusted, so the extra fields are not refused): no second object per line.
      const events: LogEvent[] = batch;
      const lines = batch.reduce((n, e) => n + e.lines, 0);
      this.sending = this.sending.then(() =>
        this.call(
          'logs',
          'PutLogEvents',
          { logGroupName: this.cfg.group, logStreamName: this.streamName, logEvents: events },
          this.cfg.region,
          // Batches built here within PutLogEvents' limits, to a group and stream init() made.
          { trusted: true },
        ).then(
          () => this.onDelivered(lines),
          (err) => {
            this.failures++;
            this.onError(err);
          },
        ),
      );
    }
    return this.sending;
  }

  /** Sends everything, including a multiline event still waiting for lines. */
  async close(): Promise<void> {
    this.endEvent();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.flushSoon) clearImmediate(this.flushSoon);
    this.flushTimer = this.flushSoon = undefined;
    await this.flush();
  }
}
