/**
 * EventBridge Scheduler's expressions: `at(yyyy-mm-ddThh:mm:ss)` once, `rate(…)` and `cron(…)` as
 * rules read them, with `cron` and `at` in the schedule's time zone (daylight saving included),
 * bounded by StartDate / EndDate.
 */
import { type Schedule, ScheduleError, nextFire, parseSchedule } from './schedule';
import { fromWall, toWall } from './timezone';

export type SchedulerExpression = { kind: 'at'; wall: number } | Schedule;

export function parseSchedulerExpression(expr: string): SchedulerExpression {
  const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(expr);
  if (at) {
    const [y, mo, d, h, mi, s] = at.slice(1).map(Number);
    const wall = Date.UTC(y, mo - 1, d, h, mi, s);
    const back = new Date(wall);
    if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59)
      throw new ScheduleError('not a calendar date and time');
    return { kind: 'at', wall };
  }
  if (expr.startsWith('at(')) throw new ScheduleError('expected at(yyyy-mm-ddThh:mm:ss)');
  return parseSchedule(expr);
}

export interface Timing {
  expression: SchedulerExpression;
  timezone: string;
  startDate?: number;
  endDate?: number;
  /** When the schedule was created or last updated: a rate without StartDate counts from here. */
  since: number;
}

/**
 * The first invocation strictly after `after`, or undefined when none is left. A rate schedule
 * fires first at its StartDate (or at once), then every period; EndDate is ignored for `at()`.
 */
export function nextInvocation(t: Timing, after: number): number | undefined {
  const e = t.expression;
  if (e.kind === 'at') {
    const at = fromWall(t.timezone, e.wall);
    return at > after ? at : undefined;
  }
  let next: number | undefined;
  if (e.kind === 'rate') {
    const anchor = t.startDate ?? t.since;
    next = after < anchor ? anchor : nextFire(e, after, anchor);
  } else {
    const from = Math.max(after, (t.startDate ?? -Infinity) - 1);
    const wall = nextFire(e, toWall(t.timezone, from), 0);
    next = wall === undefined ? undefined : fromWall(t.timezone, wall);
  }
  return next !== undefined && t.endDate !== undefined && next > t.endDate ? undefined : next;
}

/**
 * Where inside a FLEXIBLE window an invocation lands: a spread that is the same for the same
 * schedule and due time (so a test that moves the clock past the window sees it fire).
 */
export function flexibleDelay(arn: string, due: number, windowMinutes: number): number {
  let h = 2166136261;
  for (const c of `${arn}@${due}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h % (windowMinutes * 60_000);
}
