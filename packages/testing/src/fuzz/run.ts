/**
 * The fuzzer's driver: seeded requests over every operation of every loaded service (inputs
 * valid in shape, inputs broken on purpose, protocol garbage), a few cut and stalled
 * connections, sent with bounded concurrency to a running gateway. It reports every 5xx that
 * is not a deliberate `NotImplemented`, and every request the gateway never answered.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import type { DocksidePlugin, ProtocolDef } from '@dockside/core';
import { encodeRequest, garbage, type FuzzRequest } from './requests';
import { rng, structure } from './values';

export interface FuzzOptions {
  /** The gateway's URL (`http://127.0.0.1:4566`). */
  endpoint: string;
  plugins: DocksidePlugin[];
  seed: number;
  /** How many requests; or stop at `deadline` (epoch ms), whichever comes first. */
  requests: number;
  deadline?: number;
  concurrency?: number;
  /** Operations not to send valid-shaped input to (they would start real work: containers…). */
  skip?: (service: string, operation: string) => boolean;
}

export interface FuzzFailure {
  label: string;
  status?: number;
  error?: string;
  body?: string;
  /** The request, to replay it. */
  request: { method: string; path: string; headers: Record<string, string>; body?: string };
}

export interface FuzzReport {
  seed: number;
  sent: number;
  byStatus: Record<string, number>;
  failures: FuzzFailure[];
}

function send(endpoint: string, req: FuzzRequest): Promise<{ status: number; body: string }> {
  const url = new URL(req.path, endpoint);
  return new Promise((resolve, reject) => {
    const r = http.request(url, { method: req.method, headers: req.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, 500) }),
      );
      res.on('error', reject);
    });
    r.setTimeout(30_000, () => r.destroy(new Error('no answer within 30 s')));
    r.on('error', reject);
    r.end(req.body);
  });
}

/** Opens a connection, writes part of a request, then cuts it (or lets it stall until `ms`). */
function cutConnection(endpoint: string, partial: string, ms: number): Promise<void> {
  const url = new URL(endpoint);
  return new Promise((resolve) => {
    const s = net.connect(Number(url.port), url.hostname, () => {
      s.write(partial);
      setTimeout(() => {
        s.destroy();
        resolve();
      }, ms);
    });
    s.on('error', () => resolve());
  });
}

export async function fuzz(o: FuzzOptions): Promise<FuzzReport> {
  const r = rng(o.seed);
  const services: Array<{ p: ProtocolDef; ops: string[] }> = o.plugins.flatMap((plugin) =>
    (plugin.protocols ?? []).map((p) => ({ p, ops: Object.keys(p.model().operations).sort() })),
  );
  const report: FuzzReport = { seed: o.seed, sent: 0, byStatus: {}, failures: [] };
  const next = (): FuzzRequest | 'cut' => {
    const roll = r.next();
    const { p, ops } = r.pick(services);
    if (roll < 0.05) return garbage(r, p);
    if (roll < 0.06) return 'cut';
    const model = p.model();
    const op = r.pick(ops);
    const breakage = roll < 0.55 ? 0 : r.pick([0.05, 0.2, 0.5]);
    if (!breakage && o.skip?.(p.signingName, op)) return garbage(r, p);
    const input = model.operations[op].input ? structure({ model, r, breakage }, model.operations[op].input!) : {};
    return encodeRequest(p, model, op, input);
  };
  let remaining = o.requests;
  const worker = async () => {
    while (remaining > 0 && (!o.deadline || Date.now() < o.deadline)) {
      remaining--;
      const req = next();
      report.sent++;
      if (req === 'cut') {
        await cutConnection(
          o.endpoint,
          r.pick(['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a"', 'GET /', 'POST / HTTP/1.1\r\n']),
          r.int(5, 50),
        );
        continue;
      }
      try {
        const res = await send(o.endpoint, req);
        report.byStatus[res.status] = (report.byStatus[res.status] ?? 0) + 1;
        // 5xx is a failure, except a deliberate NotImplemented (an out-of-scope operation says so).
        if (res.status >= 500 && !/NotImplemented/.test(res.body))
          report.failures.push({ label: req.label, status: res.status, body: res.body, request: printable(req) });
      } catch (e) {
        report.failures.push({ label: req.label, error: (e as Error).message, request: printable(req) });
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency ?? 8 }, worker));
  return report;
}

const printable = (req: FuzzRequest) => ({
  method: req.method,
  path: req.path,
  headers: req.headers,
  ...(req.body !== undefined ? { body: String(req.body).slice(0, 2000) } : {}),
});
