/** What every EventBridge operation module gets. */
import type { EventEngine } from '../engine';
import type { Clock } from '../clock';

export interface EventsEnv {
  engine: EventEngine;
  clock: Clock;
}
