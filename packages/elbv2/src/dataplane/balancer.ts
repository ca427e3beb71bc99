/**
 * Which target gets a request or connection: healthy targets only, except that a group whose
 * targets are all unhealthy fails open to all of them; draining targets never get new ones.
 * Round robin or least outstanding requests, sticky sessions, slow start.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { targetKey } from '../domain/health';
import type { TargetGroupRecord, TargetRecord } from '../state/types';

/** Targets a new request may go to (empty: the group has none to offer). */
export function candidates(targets: TargetRecord[]): TargetRecord[] {
  const live = targets.filter((t) => t.state !== 'draining');
  const healthy = live.filter((t) => t.state === 'healthy' || t.state === 'unavailable');
  return healthy.length ? healthy : live;
}

export class Balancer {
  private readonly counters = new Map<string, number>();
  /** Requests in flight per target group + target. */
  readonly outstanding = new Map<string, number>();
  private readonly secret = randomBytes(16);

  pick(tg: TargetGroupRecord, pool: TargetRecord[], scale: number, now = Date.now()): TargetRecord | undefined {
    if (!pool.length) return undefined;
    if (pool.length === 1) return pool[0];
    const slowStart = Number(tg.attributes['slow_start.duration_seconds'] ?? 0) * 1000 * scale;
    if (slowStart > 0) {
      const weights = pool.map((t) =>
        t.healthyAt === undefined ? 1 : Math.max(0.05, Math.min(1, (now - t.healthyAt) / slowStart)),
      );
      if (weights.some((w) => w < 1)) return weighted(pool, weights);
    }
    if (tg.attributes['load_balancing.algorithm.type'] === 'least_outstanding_requests') {
      let best = pool[0];
      for (const t of pool) if (this.inFlight(tg, t) < this.inFlight(tg, best)) best = t;
      return best;
    }
    if (tg.attributes['load_balancing.algorithm.type'] === 'weighted_random')
      return weighted(
        pool,
        pool.map(() => 1),
      );
    const n = this.counters.get(tg.arn) ?? 0;
    this.counters.set(tg.arn, n + 1);
    return pool[n % pool.length];
  }

  private inFlight(tg: TargetGroupRecord, t: TargetRecord) {
    return this.outstanding.get(`${tg.arn}|${targetKey(t.id, t.port)}`) ?? 0;
  }

  begin(tg: TargetGroupRecord, t: TargetRecord): () => void {
    const k = `${tg.arn}|${targetKey(t.id, t.port)}`;
    this.outstanding.set(k, (this.outstanding.get(k) ?? 0) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const n = (this.outstanding.get(k) ?? 1) - 1;
      if (n <= 0) this.outstanding.delete(k);
      else this.outstanding.set(k, n);
    };
  }

  /** An opaque, signed cookie value naming a target (or a target group). */
  seal(value: string): string {
    const mac = createHmac('sha256', this.secret).update(value).digest('base64url').slice(0, 16);
    return `${Buffer.from(value).toString('base64url')}.${mac}`;
  }

  open(cookie: string | undefined): string | undefined {
    if (!cookie) return undefined;
    const [body, mac] = cookie.split('.');
    if (!body || !mac) return undefined;
    const value = Buffer.from(body, 'base64url').toString('utf8');
    return this.seal(value) === cookie ? value : undefined;
  }
}

function weighted<T>(items: T[], weights: number[]): T | undefined {
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) return undefined;
  let r = Math.random() * total;
  for (let i = 0; i < items.length; i++) {
    r -= weights[i];
    if (r < 0) return items[i];
  }
  return items[items.length - 1];
}

/** Picks one target group of a weighted forward (weight 0 never gets traffic). */
export function pickGroup<T extends { Weight?: number }>(groups: T[]): T | undefined {
  return weighted(
    groups,
    groups.map((g) => g.Weight ?? 1),
  );
}

/** Reads one cookie from a Cookie header. */
export function cookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}
