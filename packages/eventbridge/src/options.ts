/** Options of the EventBridge plugin (`eventbridge({...})`). */
export interface EventbridgeOptions {
  /**
   * Start the schedule clock this many ms ahead of real time (tests move it further with
   * `POST /_dockside/events/clock/advance`). Scheduled rules fire by this clock.
   */
  clockOffsetMs?: number;
  /** How often due schedules are checked (ms, default 1000). */
  tickMs?: number;
  /** Recent events kept per bus for introspection (default 200). */
  keepEvents?: number;
}
