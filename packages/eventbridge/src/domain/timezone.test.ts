import { fromWall, isTimeZone, offsetAt, toWall } from './timezone';

const utc = (s: string) => Date.parse(`${s}Z`);

test('offsets follow daylight saving', () => {
  expect(offsetAt('UTC', utc('2026-07-01T12:00:00'))).toBe(0);
  expect(offsetAt('America/New_York', utc('2026-01-15T12:00:00'))).toBe(-5 * 3600_000);
  expect(offsetAt('America/New_York', utc('2026-07-15T12:00:00'))).toBe(-4 * 3600_000);
  expect(offsetAt('Asia/Kolkata', utc('2026-07-15T12:00:00'))).toBe(5.5 * 3600_000);
});

test('wall-clock times convert both ways, gaps and repeated hours included', () => {
  expect(fromWall('Europe/Paris', utc('2026-07-01T09:00:00'))).toBe(utc('2026-07-01T07:00:00'));
  expect(toWall('Europe/Paris', utc('2026-07-01T07:00:00'))).toBe(utc('2026-07-01T09:00:00'));
  // 2026-03-08 02:30 does not exist in New York (clocks jump 02:00 → 03:00): it lands at 03:30 EDT.
  expect(fromWall('America/New_York', utc('2026-03-08T02:30:00'))).toBe(utc('2026-03-08T07:30:00'));
  // 2026-11-01 01:30 happens twice (EDT then EST): the first one.
  expect(fromWall('America/New_York', utc('2026-11-01T01:30:00'))).toBe(utc('2026-11-01T05:30:00'));
});

test('zone names', () => {
  expect(isTimeZone('Europe/Paris')).toBe(true);
  expect(isTimeZone('Mars/Olympus')).toBe(false);
});
