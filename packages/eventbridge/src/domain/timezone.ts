/**
 * IANA time zones without a library: the zone's offset at an instant, read from Intl, and wall-clock
 * times (a zone's local time written as if it were UTC) converted both ways, daylight saving included.
 */
const formats = new Map<string, Intl.DateTimeFormat>();

function format(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(zone, f);
  }
  return f;
}

/** Whether Intl knows the zone (`Europe/Paris`, `UTC`, `America/New_York`). */
export function isTimeZone(zone: string): boolean {
  try {
    format(zone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at an instant, in ms (positive east of Greenwich). */
export function offsetAt(zone: string, instant: number): number {
  const parts = Object.fromEntries(
    format(zone)
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The zone's wall-clock time at an instant. */
export const toWall = (zone: string, instant: number) => instant + offsetAt(zone, instant);

/**
 * The instant a wall-clock time names in the zone. A time skipped by a spring-forward gap lands
 * after the gap; a repeated autumn hour takes its first occurrence.
 */
export function fromWall(zone: string, wall: number): number {
  // The offsets a day either side cover any one transition; try both.
  const before = wall - offsetAt(zone, wall - 86_400_000);
  const after = wall - offsetAt(zone, wall + 86_400_000);
  const valid = [before, after].filter((c) => toWall(zone, c) === wall);
  // In a gap neither is valid: the offset from before the gap puts the time just after it.
  return valid.length ? Math.min(...valid) : before;
}
