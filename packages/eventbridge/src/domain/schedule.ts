/**
 * Schedule expressions of rules: `rate(5 minutes)` and `cron(Minutes Hours Day-of-month Month
 * Day-of-week Year)` in UTC with `* , - / ? L W #`, as EventBridge reads them.
 */
export type Schedule = { kind: 'rate'; everyMs: number } | { kind: 'cron'; fields: CronFields };

interface CronFields {
  minutes: Set<number>;
  hours: Set<number>;
  dom: DayField;
  months: Set<number>;
  dow: DowField;
  years?: Set<number>;
}
type DayField = { any: true } | { last: true; offset: number } | { weekday: number } | { set: Set<number> };
type DowField = { any: true } | { last: number } | { nth: [number, number] } | { set: Set<number> };

export class ScheduleError extends Error {}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function parseSet(field: string, lo: number, hi: number, names: string[] = [], nameBase = 1): Set<number> {
  const out = new Set<number>();
  const num = (s: string) => {
    const i = names.indexOf(s.toUpperCase());
    const n = i >= 0 ? i + nameBase : Number(s);
    if (!Number.isInteger(n) || n < lo || n > hi) throw new ScheduleError(`value '${s}' out of range ${lo}-${hi}`);
    return n;
  };
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new ScheduleError(`bad increment in '${part}'`);
    let from = lo;
    let to = hi;
    if (range !== '*') {
      const [a, b] = range.split('-');
      from = num(a);
      to = b === undefined ? (stepText === undefined ? from : hi) : num(b);
    }
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

export function parseSchedule(expr: string): Schedule {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expr);
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2];
    if (n < 1) throw new ScheduleError('rate must be at least 1');
    if ((n === 1) !== !unit.endsWith('s'))
      throw new ScheduleError(`use '${n === 1 ? unit.replace(/s$/, '') : `${unit}s`}' with ${n}`);
    const ms = { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[unit.replace(/s$/, '') as 'minute'];
    return { kind: 'rate', everyMs: n * ms };
  }
  const cron = /^cron\((.+)\)$/.exec(expr);
  if (!cron) throw new ScheduleError('expected rate(...) or cron(...)');
  const f = cron[1].trim().split(/\s+/);
  if (f.length !== 6) throw new ScheduleError('cron needs 6 fields: minutes hours day-of-month month day-of-week year');
  const [mi, h, dom, mo, dow, y] = f;
  if ((dom === '?') === (dow === '?')) throw new ScheduleError("one of day-of-month and day-of-week must be '?'");
  const domField: DayField =
    dom === '?'
      ? { any: true }
      : /^L(-\d+)?$/.test(dom)
        ? { last: true, offset: Number(dom.slice(2) || 0) }
        : /^\d+W$/.test(dom)
          ? { weekday: Number(dom.slice(0, -1)) }
          : { set: parseSet(dom, 1, 31) };
  const dowField: DowField =
    dow === '?'
      ? { any: true }
      : /^([1-7]|[A-Z]{3})L$/i.test(dow)
        ? { last: [...parseSet(dow.slice(0, -1), 1, 7, DAYS)][0] }
        : /^([1-7]|[A-Z]{3})#[1-5]$/i.test(dow)
          ? { nth: [[...parseSet(dow.split('#')[0], 1, 7, DAYS)][0], Number(dow.split('#')[1])] }
          : dow === 'L'
            ? { set: new Set([7]) }
            : { set: parseSet(dow, 1, 7, DAYS) };
  return {
    kind: 'cron',
    fields: {
      minutes: parseSet(mi, 0, 59),
      hours: parseSet(h, 0, 23),
      dom: domField,
      months: parseSet(mo, 1, 12, MONTHS),
      dow: dowField,
      years: y === '*' ? undefined : parseSet(y, 1970, 2199),
    },
  };
}

function dayMatches(f: CronFields, d: Date): boolean {
  const day = d.getUTCDate();
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  const dow = d.getUTCDay() + 1; // 1 = SUN
  const dom = f.dom;
  if (!('any' in dom)) {
    if ('set' in dom) return dom.set.has(day);
    if ('last' in dom) return day === last - dom.offset;
    // nearest weekday to the given day, within the month
    let target = Math.min(dom.weekday, last);
    const wd = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), target)).getUTCDay();
    if (wd === 6) target = target === 1 ? 3 : target - 1;
    else if (wd === 0) target = target === last ? target - 2 : target + 1;
    return day === target;
  }
  const w = f.dow;
  if ('any' in w) return true;
  if ('set' in w) return w.set.has(dow);
  if ('last' in w) return dow === w.last && day + 7 > last;
  return dow === w.nth[0] && Math.ceil(day / 7) === w.nth[1];
}

/** The first fire time strictly after `after` (epoch ms), or undefined within the next 5 years. */
export function nextFire(s: Schedule, after: number, anchor: number): number | undefined {
  if (s.kind === 'rate') {
    const n = Math.floor((after - anchor) / s.everyMs) + 1;
    return anchor + Math.max(1, n) * s.everyMs;
  }
  const f = s.fields;
  const d = new Date(Math.floor(after / 60_000) * 60_000 + 60_000);
  const limit = after + 5 * 366 * 86_400_000;
  while (d.getTime() < limit) {
    if (f.years && !f.years.has(d.getUTCFullYear())) {
      d.setUTCFullYear(d.getUTCFullYear() + 1, 0, 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!f.months.has(d.getUTCMonth() + 1)) {
      d.setUTCMonth(d.getUTCMonth() + 1, 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!dayMatches(f, d)) {
      d.setUTCDate(d.getUTCDate() + 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!f.hours.has(d.getUTCHours())) {
      d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!f.minutes.has(d.getUTCMinutes())) {
      d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    return d.getTime();
  }
  return undefined;
}
