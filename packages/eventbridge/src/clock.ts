/**
 * The clock schedules fire by: real time plus an offset tests move forward
 * (`POST /_dockside/events/clock/advance`), so no test waits minutes for a schedule.
 */
export class Clock {
  constructor(private offsetMs = 0) {}
  now(): number {
    return Date.now() + this.offsetMs;
  }
  advance(ms: number) {
    this.offsetMs += ms;
  }
}
