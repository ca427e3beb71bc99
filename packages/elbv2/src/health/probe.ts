/** One health check of one target: HTTP(S) GET against the matcher, or a TCP connect. */
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { CheckResult } from '../domain/health';
import type { HealthCheck } from '../state/types';

/** Whether a status code matches `200`, `200,202` or `200-299` (comma-separated mixes too). */
export function matchesCode(spec: string, code: number): boolean {
  return spec.split(',').some((part) => {
    const [lo, hi] = part.trim().split('-').map(Number);
    return hi === undefined ? code === lo : code >= lo && code <= hi;
  });
}

export function probe(host: string, port: number, hc: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  const protocol = hc.protocol ?? 'TCP';
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: CheckResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(() => {
      finish({ ok: false, reason: 'Target.Timeout' });
      cleanup();
    }, timeoutMs);
    let cleanup = () => {};
    if (protocol === 'HTTP' || protocol === 'HTTPS') {
      const mod = protocol === 'HTTPS' ? https : http;
      const req = mod.request(
        {
          host,
          port,
          path: hc.path ?? '/',
          method: 'GET',
          agent: false,
          rejectUnauthorized: false,
          headers: { 'User-Agent': 'ELB-HealthChecker/2.0', Connection: 'close' },
        },
        (res) => {
          const code = res.statusCode ?? 0;
          res.resume();
          const spec = hc.matcher?.HttpCode ?? '200';
          finish(
            matchesCode(spec, code)
              ? { ok: true }
              : {
                  ok: false,
                  reason: 'Target.ResponseCodeMismatch',
                  description: `Health checks failed with these codes: [${code}]`,
                },
          );
        },
      );
      req.on('error', () => finish({ ok: false, reason: 'Target.FailedHealthChecks' }));
      req.end();
      cleanup = () => req.destroy();
    } else {
      const sock = net.connect({ host, port }, () => {
        sock.destroy();
        finish({ ok: true });
      });
      sock.on('error', () => finish({ ok: false, reason: 'Target.FailedHealthChecks' }));
      cleanup = () => sock.destroy();
    }
  });
}
