/**
 * Target health as DescribeTargetHealth reports it, and the transitions health-check results
 * cause (API_TargetHealth: states, reason codes and their descriptions).
 */
import type * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Elbv2State, TargetGroupRecord, TargetRecord } from '../state/types';
import { loadBalancersOf } from './lookup';

export const DESCRIPTIONS: Record<string, string> = {
  'Elb.RegistrationInProgress': 'Target registration is in progress',
  'Elb.InitialHealthChecking': 'Initial health checks in progress',
  'Elb.InternalError': 'Health checks failed due to an internal error',
  'Target.ResponseCodeMismatch': 'Health checks failed',
  'Target.Timeout': 'Request timed out',
  'Target.FailedHealthChecks': 'Health checks failed',
  'Target.NotRegistered': 'Target is not registered to the target group',
  'Target.NotInUse': 'Target group is not configured to receive traffic from the load balancer',
  'Target.DeregistrationInProgress': 'Target deregistration is in progress',
  'Target.HealthCheckDisabled': 'Health checks are disabled',
  'Target.InvalidState': 'Target is in the stopped or terminated state',
};

export const targetKey = (id: string, port: number) => `${id}:${port}`;

/** A fresh registration: `initial` while the first checks run (or `unavailable` without checks). */
export function newTarget(
  tg: TargetGroupRecord,
  id: string,
  port: number,
  az: string | undefined,
  now: number,
): TargetRecord {
  const t: TargetRecord = {
    id,
    port,
    availabilityZone: az,
    state: 'initial',
    registeredAt: now,
    passes: 0,
    failures: 0,
  };
  if (!tg.healthCheck.enabled) setState(t, 'unavailable', 'Target.HealthCheckDisabled');
  else setState(t, 'initial', 'Elb.RegistrationInProgress');
  return t;
}

export function setState(t: TargetRecord, state: TargetRecord['state'], reason?: string, description?: string) {
  t.state = state;
  t.reason = reason;
  t.description = reason ? (description ?? DESCRIPTIONS[reason]) : undefined;
}

export type CheckResult = { ok: true } | { ok: false; reason: string; description?: string };

/** Applies one health-check result: one pass turns a new target healthy, then the thresholds apply. */
export function applyCheck(tg: TargetGroupRecord, t: TargetRecord, r: CheckResult, now: number) {
  if (t.state === 'draining' || t.state === 'unavailable') return;
  if (r.ok) {
    t.failures = 0;
    t.passes++;
    if (t.state === 'initial' || (t.state === 'unhealthy' && t.passes >= tg.healthCheck.healthyThreshold)) {
      setState(t, 'healthy');
      t.healthyAt = now;
    }
    return;
  }
  t.passes = 0;
  t.failures++;
  if (t.state === 'initial' && t.failures < tg.healthCheck.unhealthyThreshold) {
    setState(t, 'initial', 'Elb.InitialHealthChecking');
    return;
  }
  if (t.state === 'unhealthy' || t.failures >= tg.healthCheck.unhealthyThreshold) {
    setState(t, 'unhealthy', r.reason, r.description);
    delete t.healthyAt;
  }
}

/** Whether any listener forwards to the group (else its targets are `unused` / `Target.NotInUse`). */
export const inUse = (s: Elbv2State, tgArn: string) => loadBalancersOf(s, tgArn).length > 0;

/** One TargetHealthDescription. */
export function describeTarget(s: Elbv2State, tg: TargetGroupRecord, t: TargetRecord): ELB.TargetHealthDescription {
  let health: ELB.TargetHealth = {
    State: t.state,
    Reason: t.reason as ELB.TargetHealthReasonEnum,
    Description: t.description,
  };
  if (t.state !== 'draining' && t.state !== 'unavailable' && !inUse(s, tg.arn)) {
    health = { State: 'unused', Reason: 'Target.NotInUse', Description: DESCRIPTIONS['Target.NotInUse'] };
  }
  if (health.State === 'healthy') health = { State: 'healthy' };
  const hcPort = tg.healthCheck.port === 'traffic-port' || !tg.healthCheck.port ? String(t.port) : tg.healthCheck.port;
  return {
    Target: { Id: t.id, Port: tg.targetType === 'lambda' ? undefined : t.port, AvailabilityZone: t.availabilityZone },
    HealthCheckPort: tg.targetType === 'lambda' ? undefined : hcPort,
    TargetHealth: health,
  };
}
