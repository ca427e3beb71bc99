/** Target choice: healthy first, fail-open, no draining; round robin, least outstanding, slow start; sealed cookies. */
import type { TargetGroupRecord, TargetRecord } from '../state/types';
import { Balancer, candidates, cookie, pickGroup } from './balancer';

const tg = (attributes: Record<string, string> = {}): TargetGroupRecord => ({
  arn: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/t/0123456789abcdef',
  name: 't',
  targetType: 'ip',
  protocol: 'HTTP',
  port: 80,
  healthCheck: { enabled: true, intervalSeconds: 30, timeoutSeconds: 5, healthyThreshold: 5, unhealthyThreshold: 2 },
  attributes: { 'load_balancing.algorithm.type': 'round_robin', 'slow_start.duration_seconds': '0', ...attributes },
});
const target = (id: string, state: TargetRecord['state'], healthyAt?: number): TargetRecord => ({
  id,
  port: 80,
  state,
  registeredAt: 0,
  healthyAt,
  passes: 0,
  failures: 0,
});

test('healthy targets only; all unhealthy fails open; draining never', () => {
  const h = target('h', 'healthy');
  const u = target('u', 'unhealthy');
  const d = target('d', 'draining');
  expect(candidates([h, u, d])).toEqual([h]);
  expect(candidates([u, d])).toEqual([u]);
  expect(candidates([d])).toEqual([]);
});

test('round robin takes each target in turn', () => {
  const b = new Balancer();
  const pool = [target('a', 'healthy'), target('b', 'healthy'), target('c', 'healthy')];
  expect([1, 2, 3, 4, 5, 6].map(() => b.pick(tg(), pool, 1)!.id)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
});

test('least outstanding requests picks the target with the fewest in flight', () => {
  const b = new Balancer();
  const group = tg({ 'load_balancing.algorithm.type': 'least_outstanding_requests' });
  const [a, c] = [target('a', 'healthy'), target('c', 'healthy')];
  const endA = b.begin(group, a);
  b.begin(group, a);
  expect(b.pick(group, [a, c], 1)!.id).toBe('c');
  b.begin(group, c);
  b.begin(group, c);
  b.begin(group, c);
  endA();
  expect(b.pick(group, [a, c], 1)!.id).toBe('a');
});

test('slow start: a target that just turned healthy gets a small, growing share', () => {
  const b = new Balancer();
  const group = tg({ 'slow_start.duration_seconds': '100' });
  const now = 1_000_000;
  const old = target('old', 'healthy', 0);
  const fresh = target('fresh', 'healthy', now - 10_000); // 10 % into a 100 s ramp
  const random = jest.spyOn(Math, 'random');
  try {
    // weights 1 and 0.1: the first 1/1.1 of the draw is the old target
    random.mockReturnValue(0.85);
    expect(b.pick(group, [old, fresh], 1, now)!.id).toBe('old');
    random.mockReturnValue(0.95);
    expect(b.pick(group, [old, fresh], 1, now)!.id).toBe('fresh');
    // half-way through the ramp: weights 1 and 0.5
    random.mockReturnValue(0.7);
    expect(b.pick(group, [old, fresh], 1, now + 40_000)!.id).toBe('fresh');
  } finally {
    random.mockRestore();
  }
});

test('sealed cookie values open only unchanged; weight 0 groups get nothing; cookies are read by name', () => {
  const b = new Balancer();
  const sealed = b.seal('tg|10.0.0.1:80');
  expect(b.open(sealed)).toBe('tg|10.0.0.1:80');
  expect(b.open(`${sealed}x`)).toBeUndefined();
  expect(new Balancer().open(sealed)).toBeUndefined();
  for (let i = 0; i < 20; i++)
    expect(
      pickGroup([
        { Weight: 0, n: 1 },
        { Weight: 5, n: 2 },
      ])!.n,
    ).toBe(2);
  expect(cookie('a=1; AWSALB=xyz; b=2', 'AWSALB')).toBe('xyz');
  expect(cookie('a=1', 'AWSALB')).toBeUndefined();
});
