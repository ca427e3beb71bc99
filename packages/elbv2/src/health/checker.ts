/**
 * Runs health checks for every target of every target group a listener uses, at each group's
 * interval (times the plugin's timeScale), and ends draining when the deregistration delay is
 * over. One ticker walks all targets; each target has its own next-check time.
 */
import type { Store, Logger } from '@dockside/core';
import type { TargetHealthChanged } from '../contract';
import { targetHost } from '../domain/address';
import { applyCheck, inUse, setState } from '../domain/health';
import type { Elbv2State, TargetRecord } from '../state/types';
import { probe } from './probe';

/** The shortest a check may wait for an answer, whatever the time scale: a loaded machine is slow. */
const MIN_TIMEOUT_MS = 1000;
const TICK_MS = 50;

export class HealthChecker {
  private timer?: NodeJS.Timeout;
  private readonly next = new WeakMap<TargetRecord, number>();
  private readonly running = new WeakSet<TargetRecord>();

  constructor(
    private readonly store: Store<Elbv2State>,
    private readonly scale: number,
    private readonly logger: Logger,
    private readonly onChange: () => void,
    /** Tells the bus (ECS listens) that a target's health changed. */
    private readonly publish: (e: TargetHealthChanged) => void,
  ) {}

  start() {
    this.timer ??= setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick() {
    const now = Date.now();
    for (const { accountId, region, state: s } of this.store.entries()) {
      const tell = (tgArn: string, t: TargetRecord, gone = false) =>
        this.publish({
          accountId,
          region,
          targetGroupArn: tgArn,
          target: { Id: t.id, Port: t.port },
          state: gone ? 'unused' : t.state,
          reason: gone ? 'Target.NotRegistered' : t.reason,
          description: gone ? undefined : t.description,
        });
      for (const [tgArn, targets] of Object.entries(s.targets)) {
        const tg = s.targetGroups[tgArn];
        if (!tg) continue;
        for (const [key, t] of Object.entries(targets)) {
          if (t.state === 'draining') {
            if ((t.drainUntil ?? 0) <= now) {
              delete targets[key];
              tell(tgArn, t, true);
              this.onChange();
            }
            continue;
          }
          if (!tg.healthCheck.enabled || !inUse(s, tgArn) || this.running.has(t)) continue;
          const due = this.next.get(t) ?? now + this.firstCheckDelay();
          if (!this.next.has(t)) this.next.set(t, due);
          if (due > now) continue;
          this.running.add(t);
          if (t.reason === 'Elb.RegistrationInProgress') setState(t, 'initial', 'Elb.InitialHealthChecking');
          const hc = tg.healthCheck;
          const port = hc.port && hc.port !== 'traffic-port' ? Number(hc.port) : t.port;
          const timeout = Math.max(MIN_TIMEOUT_MS, hc.timeoutSeconds * 1000 * this.scale);
          const before = t.state;
          const reasonBefore = t.reason;
          void probe(targetHost(tg, t), port, hc, timeout)
            .then((r) => {
              if (targets[key] !== t) return; // deregistered meanwhile
              applyCheck(tg, t, r, Date.now());
              if (t.state !== before || t.reason !== reasonBefore) {
                this.logger.debug(
                  { targetGroup: tg.name, target: key, state: t.state, reason: t.reason },
                  'target health',
                );
                tell(tgArn, t);
                this.onChange();
              }
            })
            .catch((err) => this.logger.warn({ err }, 'health check failed to run'))
            .finally(() => {
              this.running.delete(t);
              this.next.set(t, Date.now() + hc.intervalSeconds * 1000 * this.scale);
            });
        }
      }
    }
  }

  /** A new target is checked soon after registration (AWS starts within seconds). */
  private firstCheckDelay() {
    return Math.min(1000, 1000 * this.scale);
  }
}
