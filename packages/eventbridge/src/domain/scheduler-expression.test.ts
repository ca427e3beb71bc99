import { flexibleDelay, nextInvocation, parseSchedulerExpression } from './scheduler-expression';

const utc = (s: string) => Date.parse(`${s}Z`);
const timing = (expr: string, extra: Partial<Parameters<typeof nextInvocation>[0]> = {}) => ({
  expression: parseSchedulerExpression(expr),
  timezone: 'UTC',
  since: utc('2026-06-01T00:00:00'),
  ...extra,
});

test('at() fires once, in its time zone', () => {
  const t = timing('at(2026-06-01T09:30:00)', { timezone: 'Europe/Paris' });
  expect(nextInvocation(t, utc('2026-06-01T00:00:00'))).toBe(utc('2026-06-01T07:30:00'));
  expect(nextInvocation(t, utc('2026-06-01T07:30:00'))).toBeUndefined();
  // EndDate does not apply to at().
  expect(nextInvocation({ ...t, endDate: utc('2026-01-01T00:00:00') }, 0)).toBe(utc('2026-06-01T07:30:00'));
});

test('rate() starts at once (or at StartDate) and stops at EndDate', () => {
  const t = timing('rate(5 minutes)');
  expect(nextInvocation(t, t.since - 1)).toBe(t.since);
  expect(nextInvocation(t, t.since)).toBe(t.since + 300_000);
  const bounded = { ...t, startDate: utc('2026-06-02T00:00:00'), endDate: utc('2026-06-02T00:07:00') };
  expect(nextInvocation(bounded, t.since)).toBe(utc('2026-06-02T00:00:00'));
  expect(nextInvocation(bounded, utc('2026-06-02T00:05:00'))).toBeUndefined();
});

test('cron() runs on wall-clock time across daylight saving', () => {
  const t = timing('cron(0 9 * * ? *)', { timezone: 'America/New_York' });
  expect(nextInvocation(t, utc('2026-01-10T00:00:00'))).toBe(utc('2026-01-10T14:00:00')); // EST
  expect(nextInvocation(t, utc('2026-07-10T00:00:00'))).toBe(utc('2026-07-10T13:00:00')); // EDT
  const started = { ...t, startDate: utc('2026-07-20T00:00:00') };
  expect(nextInvocation(started, utc('2026-07-10T00:00:00'))).toBe(utc('2026-07-20T13:00:00'));
});

test('bad expressions', () => {
  for (const bad of [
    'at(2026-02-30T00:00:00)',
    'at(2026-06-01 10:00:00)',
    'rate(1 minutes)',
    'cron(0 9 * * *)',
    'every day',
  ])
    expect(() => parseSchedulerExpression(bad)).toThrow();
});

test('a flexible window spreads invocations inside it, the same way each time', () => {
  const d = flexibleDelay('arn:aws:scheduler:us-east-1:000000000000:schedule/default/x', 1000, 15);
  expect(d).toBeGreaterThanOrEqual(0);
  expect(d).toBeLessThan(15 * 60_000);
  expect(flexibleDelay('arn:aws:scheduler:us-east-1:000000000000:schedule/default/x', 1000, 15)).toBe(d);
});
