/** Request and response headers as an ALB rewrites them: hop-by-hop stripped, X-Forwarded-* and X-Amzn-Trace-Id added. */
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Random bytes drawn from a pool refilled 4 KiB at a time (one syscall per 340 trace ids). */
let pool = Buffer.alloc(0);
let used = 0;
function random12(): string {
  if (used + 12 > pool.length) {
    pool = randomBytes(4096);
    used = 0;
  }
  used += 12;
  return pool.toString('hex', used - 12, used);
}

const traceId = () =>
  `1-${Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0')}-${random12()}`;

/** `Root=…` for a new request; an incoming Root is kept and gets a `Self=` field. */
export function amznTraceId(incoming: string | undefined): string {
  if (incoming && /Root=/.test(incoming)) return `Self=${traceId()};${incoming.replace(/(^|;)Self=[^;]*;?/, '$1')}`;
  return `Root=${traceId()}`;
}

export function withoutHopByHop(headers: IncomingHttpHeaders, keepUpgrade = false): OutgoingHttpHeaders {
  const out: Record<string, string | string[]> = {};
  const listed = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((x) => x.trim().toLowerCase())
      .filter(Boolean),
  );
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    if (keepUpgrade && (k === 'upgrade' || k === 'connection')) {
      out[k] = v;
      continue;
    }
    if (HOP_BY_HOP.has(k) || listed.has(k)) continue;
    out[k] = v;
  }
  return out;
}

/** The headers a request carries to its target. */
export function forwardHeaders(
  headers: IncomingHttpHeaders,
  clientIp: string,
  proto: 'http' | 'https',
  listenerPort: number,
  upgrade = false,
): OutgoingHttpHeaders {
  const out = withoutHopByHop(headers, upgrade);
  const ip = clientIp.startsWith('::ffff:') ? clientIp.slice(7) : clientIp;
  const xff = headers['x-forwarded-for'];
  out['x-forwarded-for'] = xff ? `${Array.isArray(xff) ? xff.join(', ') : xff}, ${ip}` : ip;
  out['x-forwarded-proto'] = proto;
  out['x-forwarded-port'] = String(listenerPort);
  out['x-amzn-trace-id'] = amznTraceId(headers['x-amzn-trace-id'] as string | undefined);
  return out;
}

/** The page an ALB answers with when it answers itself (502, 503, 504 …). */
export function errorPage(status: number, text: string): string {
  return `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n</body>\r\n</html>\r\n`;
}
