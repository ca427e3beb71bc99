/** Health-check results move targets between AWS's states with the group's thresholds. */
import type { TargetGroupRecord } from '../state/types';
import { applyCheck, newTarget } from './health';

const tg = (enabled = true): TargetGroupRecord => ({
  arn: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/t/0123456789abcdef',
  name: 't',
  targetType: 'ip',
  protocol: 'HTTP',
  port: 80,
  healthCheck: { enabled, intervalSeconds: 30, timeoutSeconds: 5, healthyThreshold: 3, unhealthyThreshold: 2 },
  attributes: {},
});
const fail = {
  ok: false as const,
  reason: 'Target.ResponseCodeMismatch',
  description: 'Health checks failed with these codes: [500]',
};

test('a new target is initial, one pass makes it healthy; unhealthy after the unhealthy threshold; back after the healthy threshold', () => {
  const group = tg();
  const t = newTarget(group, '10.0.0.1', 80, undefined, 0);
  expect([t.state, t.reason, t.description]).toEqual([
    'initial',
    'Elb.RegistrationInProgress',
    'Target registration is in progress',
  ]);
  applyCheck(group, t, { ok: true }, 1);
  expect([t.state, t.reason]).toEqual(['healthy', undefined]);
  applyCheck(group, t, fail, 2);
  expect(t.state).toBe('healthy');
  applyCheck(group, t, fail, 3);
  expect([t.state, t.reason, t.description]).toEqual([
    'unhealthy',
    'Target.ResponseCodeMismatch',
    'Health checks failed with these codes: [500]',
  ]);
  applyCheck(group, t, { ok: true }, 4);
  applyCheck(group, t, { ok: true }, 5);
  expect(t.state).toBe('unhealthy');
  applyCheck(group, t, { ok: true }, 6);
  expect(t.state).toBe('healthy');
});

test('initial targets that fail say InitialHealthChecking until the unhealthy threshold; disabled checks are unavailable', () => {
  const group = tg();
  const t = newTarget(group, '10.0.0.1', 80, undefined, 0);
  applyCheck(group, t, { ok: false, reason: 'Target.Timeout' }, 1);
  expect([t.state, t.reason]).toEqual(['initial', 'Elb.InitialHealthChecking']);
  applyCheck(group, t, { ok: false, reason: 'Target.Timeout' }, 2);
  expect([t.state, t.reason, t.description]).toEqual(['unhealthy', 'Target.Timeout', 'Request timed out']);
  const off = newTarget(tg(false), '10.0.0.2', 80, undefined, 0);
  expect([off.state, off.reason]).toEqual(['unavailable', 'Target.HealthCheckDisabled']);
});
