/**
 * The fast path of plain-HTTP ALB listeners. Node's HTTP server and client cost most of a proxy's
 * time (a parser, request/response objects and header maps on each side); for the common request
 * — HTTP/1.1, a Content-Length body or none, routed to a `forward` — this reads the request head
 * from the socket, picks the target by the same rules, and writes the rewritten head and the body
 * bytes to a pooled connection, then relays the response by its framing (Content-Length, chunked,
 * or until the target closes). Anything else (upgrades, chunked or `Expect` requests, HTTP/1.0,
 * redirects, fixed responses, no targets, HTTPS targets) is handed with its unread bytes to the
 * full handler (./http-handler.ts), which then keeps the connection.
 * Measured in bench/elb.mjs against the same target hit directly.
 */
import * as net from 'node:net';
import { targetHost } from '../domain/address';
import { amznTraceId, errorPage, HOP_BY_HOP } from './headers';
import { actionsFor, appCookieFor, choose, type HttpPlane } from './http-handler';
import type { RequestFacts } from './match';

const CRLF2 = Buffer.from('\r\n\r\n');
const MAX_HEAD = 64 * 1024;

interface Head {
  method: string;
  url: string;
  /** Lower-cased names, in order, with their values as sent. */
  lines: Array<[string, string]>;
  get(name: string): string | undefined;
}

function parseHead(text: string): Head | undefined {
  const lines = text.split('\r\n');
  const first = /^([A-Z]+) (\S+) HTTP\/1\.1$/.exec(lines[0]);
  if (!first) return undefined;
  const out: Array<[string, string]> = [];
  for (let i = 1; i < lines.length; i++) {
    const c = lines[i].indexOf(':');
    if (c <= 0) return undefined;
    out.push([lines[i].slice(0, c).trim().toLowerCase(), lines[i].slice(c + 1).trim()]);
  }
  return {
    method: first[1],
    url: first[2],
    lines: out,
    get: (name) => out.find(([k]) => k === name)?.[1],
  };
}

/** Response framing, read from its head. */
interface ResponseHead {
  status: number;
  lines: Array<[string, string]>;
  raw: string;
}

function parseResponse(text: string): ResponseHead | undefined {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!m) return undefined;
  const out: Array<[string, string]> = [];
  for (let i = 1; i < lines.length; i++) {
    const c = lines[i].indexOf(':');
    if (c > 0) out.push([lines[i].slice(0, c).trim().toLowerCase(), lines[i].slice(c + 1).trim()]);
  }
  return { status: Number(m[1]), lines: out, raw: lines[0] };
}

/** Where a chunked body ends: feeds bytes, returns how many of them belong to the body (or -1: all, and more to come). */
class ChunkedEnd {
  private state: 'size' | 'data' | 'data-crlf' | 'trailer' = 'size';
  private line = '';
  private left = 0;

  feed(b: Buffer): number {
    for (let i = 0; i < b.length; i++) {
      const c = b[i];
      if (this.state === 'data') {
        const take = Math.min(this.left, b.length - i);
        this.left -= take;
        i += take - 1;
        if (this.left === 0) this.state = 'data-crlf';
        continue;
      }
      if (c !== 0x0a) {
        if (c !== 0x0d) this.line += String.fromCharCode(c);
        continue;
      }
      // end of a line
      const line = this.line;
      this.line = '';
      if (this.state === 'data-crlf') this.state = 'size';
      else if (this.state === 'size') {
        const size = parseInt(line.split(';')[0], 16);
        if (Number.isNaN(size)) throw new Error('bad chunk size');
        if (size === 0) this.state = 'trailer';
        else {
          this.left = size;
          this.state = 'data';
        }
      } else if (line === '') return i + 1; // the empty line after the last chunk (and trailers)
    }
    return -1;
  }
}

interface Pooled {
  socket: net.Socket;
  /** Set when it came from the idle pool (a stale one may be retried). */
  reused: boolean;
}

/** Idle keep-alive connections per target. */
export class UpstreamPool {
  private readonly idle = new Map<string, net.Socket[]>();

  take(host: string, port: number): Pooled {
    const list = this.idle.get(`${host}:${port}`);
    while (list?.length) {
      const s = list.pop()!;
      if (!s.destroyed) {
        s.removeAllListeners('close');
        s.removeAllListeners('error');
        return { socket: s, reused: true };
      }
    }
    const socket = net.connect({ host, port, noDelay: true });
    return { socket, reused: false };
  }

  give(host: string, port: number, s: net.Socket) {
    const key = `${host}:${port}`;
    const list = this.idle.get(key) ?? [];
    if (list.length >= 64) return void s.destroy();
    s.removeAllListeners('data');
    s.removeAllListeners('end');
    s.removeAllListeners('timeout');
    s.removeAllListeners('drain');
    s.setTimeout(0);
    s.on('error', () => s.destroy());
    s.on('close', () => {
      const i = list.indexOf(s);
      if (i >= 0) list.splice(i, 1);
    });
    list.push(s);
    this.idle.set(key, list);
  }

  destroy() {
    for (const list of this.idle.values()) for (const s of list) s.destroy();
    this.idle.clear();
  }
}

const answer = (status: number, text: string) => {
  const body = errorPage(status, text);
  return `HTTP/1.1 ${status} ${text}\r\nServer: awselb/2.0\r\nContent-Type: text/html\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body}`;
};

const listedIn = (connection: string | undefined) =>
  new Set(
    (connection ?? '')
      .toLowerCase()
      .split(',')
      .map((x) => x.trim()),
  );

type Choice = Exclude<ReturnType<typeof choose>, 'no-targets'>;

/** The request being relayed on a connection. */
interface Exchange {
  /** Request body bytes still to come from the client. */
  bodyToSend: number;
  pump(chunk: Buffer): void;
  resume(): void;
  abort(): void;
}

/**
 * Serves one client connection of a plain-HTTP listener on the fast path for as long as its
 * requests allow; `fallback` takes the socket (its unread bytes put back) otherwise.
 */
export function serveFast(
  plane: HttpPlane,
  pool: UpstreamPool,
  listenerArn: string,
  client: net.Socket,
  fallback: (socket: net.Socket) => void,
) {
  let buf: Buffer = Buffer.alloc(0);
  let active: Exchange | undefined;
  let handedOff = false;
  client.setNoDelay(true);
  const onError = () => client.destroy();
  const onTimeout = () => {
    if (!active) client.destroy();
  };
  const onData = (chunk: Buffer) => {
    if (active && active.bodyToSend > 0) return active.pump(chunk);
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    if (!active) next();
  };
  const onDrain = () => active?.resume();
  const onClose = () => active?.abort();
  client.on('data', onData);
  client.on('error', onError);
  client.on('drain', onDrain);
  client.on('close', onClose);
  client.on('timeout', onTimeout);
  client.setTimeout(60_000); // an idle keep-alive connection is closed, as the full handler does

  const handOff = () => {
    handedOff = true;
    for (const [e, f] of [
      ['data', onData],
      ['error', onError],
      ['drain', onDrain],
      ['close', onClose],
      ['timeout', onTimeout],
    ] as const)
      client.removeListener(e, f as (...a: unknown[]) => void);
    client.setTimeout(0);
    if (buf.length) client.unshift(buf);
    buf = Buffer.alloc(0);
    fallback(client);
  };

  function next() {
    if (handedOff || client.destroyed || active) return;
    const end = buf.indexOf(CRLF2);
    if (end < 0) {
      if (buf.length > MAX_HEAD) handOff();
      return;
    }
    const head = parseHead(buf.toString('latin1', 0, end));
    if (!head || head.get('transfer-encoding') || head.get('upgrade') || head.get('expect')) return handOff();
    const lengthText = head.get('content-length');
    const length = lengthText === undefined ? 0 : Number(lengthText);
    if (!Number.isSafeInteger(length) || length < 0) return handOff();
    const found = plane.find(listenerArn);
    if (!found) return handOff();
    const q = head.url.indexOf('?');
    const headers: Record<string, string> = {};
    for (const [k, v] of head.lines) headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
    const hostHeader = headers.host ?? '';
    const facts: RequestFacts = {
      method: head.method,
      host: hostHeader.startsWith('[')
        ? hostHeader.slice(0, hostHeader.indexOf(']') + 1)
        : hostHeader.replace(/:\d+$/, ''),
      path: q < 0 ? head.url : head.url.slice(0, q),
      query: new URLSearchParams(q < 0 ? '' : head.url.slice(q + 1)),
      headers,
      sourceIp: client.remoteAddress ?? '',
    };
    const actions = actionsFor(found, facts);
    if (actions.length !== 1 || actions[0].Type !== 'forward') return handOff();
    const choice = choose(plane, found, actions[0], headers.cookie, false);
    if (choice === 'no-targets' || choice.tg.protocol === 'HTTPS') return handOff();
    buf = buf.subarray(end + 4);
    const idle = Number(found.lb.attributes['idle_timeout.timeout_seconds'] ?? 60) * 1000;
    active = exchange(head, length, found.listener.port ?? 80, idle, choice);
  }

  /** Relays one request and its response; calls next() when the connection is free again. */
  function exchange(head: Head, length: number, listenerPort: number, idleMs: number, choice: Choice): Exchange {
    const { tg, target } = choice;
    const host = targetHost(tg, target);
    const done = plane.balancer.begin(tg, target);
    const clientClose = listedIn(head.get('connection')).has('close');
    const listed = listedIn(head.get('connection'));
    let text = `${head.method} ${head.url} HTTP/1.1\r\n`;
    let xff = '';
    let trace: string | undefined;
    for (const [k, v] of head.lines) {
      if (HOP_BY_HOP.has(k) || listed.has(k)) continue;
      if (k === 'x-forwarded-for') xff = xff ? `${xff}, ${v}` : v;
      else if (k === 'x-amzn-trace-id') trace = v;
      else if (k !== 'x-forwarded-proto' && k !== 'x-forwarded-port') text += `${k}: ${v}\r\n`;
    }
    const ip = (client.remoteAddress ?? '').replace(/^::ffff:/, '');
    text += `x-forwarded-for: ${xff ? `${xff}, ${ip}` : ip}\r\nx-forwarded-proto: http\r\nx-forwarded-port: ${listenerPort}\r\nx-amzn-trace-id: ${amznTraceId(trace)}\r\nconnection: keep-alive\r\n\r\n`;
    // The body bytes already read with the head; the rest is pumped as it arrives.
    const first = buf.subarray(0, length);
    buf = buf.subarray(first.length);
    let finished = false;
    let up!: net.Socket;

    const ex: Exchange = {
      bodyToSend: length - first.length,
      pump(chunk) {
        const part = chunk.subarray(0, ex.bodyToSend);
        ex.bodyToSend -= part.length;
        if (!up.write(part)) client.pause();
        if (chunk.length > part.length) buf = Buffer.concat([buf, chunk.subarray(part.length)]);
      },
      resume: () => up?.resume(),
      abort() {
        if (finished) return;
        finished = true;
        done();
        up?.destroy();
      },
    };

    const attempt = (retried: boolean) => {
      const taken = pool.take(host, target.port);
      up = taken.socket;
      let gotHead = false;
      let upBuf: Buffer = Buffer.alloc(0);
      let bodyLeft = 0;
      let chunked: ChunkedEnd | undefined;
      let untilClose = false;
      let reusable = true;
      up.setTimeout(idleMs);
      up.on('drain', () => client.resume());

      const finish = (keepUp: boolean) => {
        if (finished) return;
        finished = true;
        done();
        if (keepUp && reusable && !up.destroyed) pool.give(host, target.port, up);
        else up.destroy();
        active = undefined;
        if (clientClose || untilClose) client.end();
        else next();
      };
      const fail = (status: 502 | 504) => {
        if (finished) return;
        if (!gotHead && !retried && status === 502 && taken.reused && length === 0) {
          up.removeAllListeners();
          up.destroy();
          return attempt(true);
        }
        if (gotHead) {
          ex.abort();
          return void client.destroy();
        }
        client.write(answer(status, status === 502 ? 'Bad Gateway' : 'Gateway Time-out'));
        reusable = false;
        finish(false);
      };
      const send = (b: Buffer) => {
        if (b.length && !client.write(b)) up.pause();
      };
      const relay = (b: Buffer) => {
        if (untilClose) return send(b);
        if (chunked) {
          let used: number;
          try {
            used = chunked.feed(b);
          } catch {
            return fail(502);
          }
          send(used < 0 ? b : b.subarray(0, used));
          if (used >= 0) finish(true);
          return;
        }
        const part = b.subarray(0, bodyLeft);
        bodyLeft -= part.length;
        send(part);
        if (bodyLeft === 0) finish(true);
      };

      up.on('data', (chunk: Buffer) => {
        if (finished) return;
        if (gotHead) return relay(chunk);
        upBuf = upBuf.length ? Buffer.concat([upBuf, chunk]) : chunk;
        const end = upBuf.indexOf(CRLF2);
        if (end < 0) return;
        const res = parseResponse(upBuf.toString('latin1', 0, end));
        if (!res) return fail(502);
        const rest = upBuf.subarray(end + 4);
        if (res.status < 200) {
          upBuf = rest; // an interim answer: the final one follows
          return;
        }
        gotHead = true;
        const get = (name: string) => res.lines.find(([k]) => k === name)?.[1];
        const upListed = listedIn(get('connection'));
        if (upListed.has('close')) reusable = false;
        let out = `${res.raw}\r\n`;
        for (const [k, v] of res.lines)
          if (k === 'transfer-encoding' || !(HOP_BY_HOP.has(k) || upListed.has(k))) out += `${k}: ${v}\r\n`;
        const setCookies = res.lines.filter(([k]) => k === 'set-cookie').map(([, v]) => v);
        for (const c of [...choice.cookies, ...appCookieFor(plane, tg, target, setCookies)])
          out += `set-cookie: ${c}\r\n`;
        const te = (get('transfer-encoding') ?? '').toLowerCase();
        const cl = get('content-length');
        if (head.method === 'HEAD' || res.status === 204 || res.status === 304) bodyLeft = 0;
        else if (te.includes('chunked')) chunked = new ChunkedEnd();
        else if (cl !== undefined && /^\d+$/.test(cl)) bodyLeft = Number(cl);
        else {
          untilClose = true;
          reusable = false;
        }
        out += untilClose || clientClose ? 'connection: close\r\n\r\n' : 'connection: keep-alive\r\n\r\n';
        // Head and the body bytes that came with it leave in one write (a syscall each otherwise).
        client.cork();
        client.write(out);
        if (!chunked && !untilClose && bodyLeft === 0) finish(true);
        else if (rest.length) relay(rest);
        client.uncork();
      });
      up.on('timeout', () => fail(504));
      up.on('error', () => (untilClose && gotHead ? finish(false) : fail(502)));
      up.on('end', () => {
        reusable = false;
        if (untilClose && gotHead) finish(false);
        else fail(502);
      });
      up.on('close', () => fail(502));
      up.cork();
      up.write(text);
      if (first.length) up.write(first);
      up.uncork();
    };
    attempt(false);
    return ex;
  }
}
