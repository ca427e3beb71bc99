/** rate() and cron() schedules: parsing and the next fire time, in UTC. */
import { ScheduleError, nextFire, parseSchedule } from './schedule';

const at = (iso: string) => Date.parse(iso);
const next = (expr: string, after: string, anchor = after) =>
  new Date(nextFire(parseSchedule(expr), at(after), at(anchor))!).toISOString();

test('rate() fires every period from when the rule was created', () => {
  expect(next('rate(5 minutes)', '2026-01-01T00:00:00Z')).toBe('2026-01-01T00:05:00.000Z');
  expect(next('rate(1 hour)', '2026-01-01T00:30:00Z', '2026-01-01T00:00:00Z')).toBe('2026-01-01T01:00:00.000Z');
  expect(() => parseSchedule('rate(1 minutes)')).toThrow(ScheduleError);
  expect(() => parseSchedule('rate(0 minutes)')).toThrow(ScheduleError);
});

test.each([
  ['cron(0 12 * * ? *)', '2026-03-01T12:00:00Z', '2026-03-02T12:00:00.000Z'],
  ['cron(15 10 ? * 6L 2026)', '2026-03-01T00:00:00Z', '2026-03-27T10:15:00.000Z'],
  ['cron(0 18 ? * MON-FRI *)', '2026-03-06T18:00:00Z', '2026-03-09T18:00:00.000Z'],
  ['cron(0 8 1 * ? *)', '2026-03-01T09:00:00Z', '2026-04-01T08:00:00.000Z'],
  ['cron(0/10 * ? * MON-FRI *)', '2026-03-02T10:03:00Z', '2026-03-02T10:10:00.000Z'],
  ['cron(0 9 L * ? *)', '2026-02-01T00:00:00Z', '2026-02-28T09:00:00.000Z'],
  ['cron(0 9 15W * ? *)', '2026-08-01T00:00:00Z', '2026-08-14T09:00:00.000Z'],
  ['cron(0 10 ? * 2#1 *)', '2026-03-03T00:00:00Z', '2026-04-06T10:00:00.000Z'],
])('%s after %s → %s', (expr, after, expected) => {
  expect(next(expr, after)).toBe(expected);
});

test('cron needs six fields and one of the day fields as ?', () => {
  expect(() => parseSchedule('cron(0 12 * * *)')).toThrow('cron needs 6 fields');
  expect(() => parseSchedule('cron(0 12 * * MON *)')).toThrow("one of day-of-month and day-of-week must be '?'");
  expect(() => parseSchedule('cron(61 12 * * ? *)')).toThrow(ScheduleError);
});
