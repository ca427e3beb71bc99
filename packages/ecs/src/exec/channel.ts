/**
 * One ECS Exec session's data channel, the server side of what the session-manager-plugin speaks:
 * the token in the first text frame, then binary messages. Input is acknowledged once, at once, and
 * applied in sequence order (PayloadType 1 to the command's stdin, 3 resizes its TTY); the
 * command's output goes out as `output_stream_data` numbered from 0 (the first with SYN); when the
 * command exits the channel sends `channel_closed` and closes. No handshake is started (the
 * plugin does not need one) and incoming digests are not checked (as the service does not).
 */
import type { WebSocket } from 'ws';
import type { InteractiveExec } from '../runtime/engine';
import { ackFor, channelClosed, decodeFrame, encodeFrame, Flags, type Frame, PayloadType } from './frames';

/** Output larger than this goes in several messages (the plugin's own input chunk size). */
const CHUNK = 1024;

export class DataChannel {
  private outSeq = 0;
  private expected = 0;
  private readonly early = new Map<number, Frame>();
  private exec?: InteractiveExec;
  private authed = false;
  private closed = false;
  /** Input that came before the command started. */
  private pending: Frame[] = [];
  private applied: Promise<void> = Promise.resolve();

  constructor(
    private readonly ws: WebSocket,
    private readonly session: { sessionId: string; token: string },
    private readonly open: (size: { cols: number; rows: number }) => Promise<InteractiveExec>,
    private readonly onEnd: (exitCode: number | undefined) => void,
    /** The socket closed before a valid token came: the session stays open for another. */
    private readonly onRefused: () => void,
  ) {
    ws.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(Buffer.from(data), isBinary));
    ws.on('close', () => this.end());
    ws.on('error', () => this.end());
  }

  private onMessage(data: Buffer, isBinary: boolean) {
    if (!this.authed) {
      let token: unknown;
      try {
        token = isBinary ? undefined : (JSON.parse(data.toString('utf8')) as { TokenValue?: unknown }).TokenValue;
      } catch {
        token = undefined;
      }
      if (token !== this.session.token) return void this.ws.close(1008, 'invalid token');
      this.authed = true;
      void this.start();
      return;
    }
    let f: Frame;
    try {
      f = decodeFrame(data);
    } catch {
      return; // not a data channel message: ignored, as the agent does
    }
    if (f.messageType !== 'input_stream_data') return; // acks and anything else need no answer
    this.send(ackFor(f));
    if (f.sequenceNumber < this.expected) return; // a resend of what was already applied
    this.early.set(f.sequenceNumber, f);
    for (let next = this.early.get(this.expected); next; next = this.early.get(this.expected)) {
      this.early.delete(this.expected);
      this.expected++;
      if (this.exec) this.apply(next);
      else this.pending.push(next);
    }
  }

  /** Applies input in order: keystrokes after a resize wait for the TTY to have its new size. */
  private apply(f: Frame) {
    this.applied = this.applied.then(async () => {
      if (f.payloadType === PayloadType.Output) this.exec!.stream.write(f.payload);
      else if (f.payloadType === PayloadType.Size) {
        let size: { cols?: number; rows?: number };
        try {
          size = JSON.parse(f.payload.toString('utf8'));
        } catch {
          return; // a malformed size is ignored
        }
        if (size.cols! > 0 && size.rows! > 0) await this.exec!.resize(size.cols!, size.rows!);
      }
    });
  }

  private async start() {
    const size = this.pending.find((f) => f.payloadType === PayloadType.Size);
    let initial = { cols: 80, rows: 24 };
    try {
      if (size) initial = JSON.parse(size.payload.toString('utf8'));
    } catch {
      // keep 80x24
    }
    try {
      this.exec = await this.open(initial);
    } catch (e) {
      this.output(Buffer.from(`${(e as Error).message}\r\n`));
      return this.finish(undefined);
    }
    if (this.closed) return void this.exec.stream.destroy();
    for (const f of this.pending.splice(0)) this.apply(f);
    this.exec.stream.on('data', (chunk: Buffer) => this.output(chunk));
    this.exec.stream.on('end', () => void this.exec!.exitCode().then((code) => this.finish(code)));
    this.exec.stream.on('error', () => this.finish(undefined));
  }

  private output(chunk: Buffer) {
    for (let i = 0; i < chunk.length; i += CHUNK) {
      const seq = this.outSeq++;
      this.send(
        encodeFrame({
          messageType: 'output_stream_data',
          sequenceNumber: seq,
          flags: seq === 0 ? Flags.Syn : Flags.Data,
          payloadType: PayloadType.Output,
          payload: chunk.subarray(i, i + CHUNK),
        }),
      );
    }
  }

  private send(b: Buffer) {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(b);
  }

  /** The command ended: `channel_closed`, then the socket closes. */
  private finish(code: number | undefined) {
    if (this.closed) return;
    this.send(channelClosed(this.session.sessionId));
    this.ws.close(1000);
    this.end(code);
  }

  /** Ends the session from outside (SSM TerminateSession, the task stopping). */
  terminate() {
    this.exec?.stream.destroy();
    this.finish(undefined);
  }

  private end(code?: number) {
    if (this.closed) return;
    this.closed = true;
    if (!this.authed) return this.onRefused();
    this.exec?.stream.end();
    this.onEnd(code);
  }
}
