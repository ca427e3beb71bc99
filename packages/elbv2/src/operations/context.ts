/** What every ELBv2 operation module gets: the state of the caller's account and region, and the data plane. */
import type { RequestContext } from '@dockside/core';
import type { Elbv2State } from '../state/types';

export interface Elbv2Env {
  stateOf(ctx: RequestContext): Elbv2State;
  /** Tells the data plane and health checks that listeners, rules or targets changed. */
  changed(): void;
  /** Options.timeScale (1 = AWS timing). */
  scale: number;
}
