/**
 * The EventBridge plugin's public contract: PutEvents for other plugins (Scheduler-like
 * producers, tests). Types only.
 */
import type * as EB from '@aws-sdk/client-eventbridge';
import type { Call } from '@dockside/core';

export interface EventbridgeCalls {
  PutEvents: Call<EB.PutEventsRequest, EB.PutEventsResponse>;
}

declare module '@dockside/core' {
  interface DocksideServices {
    events: EventbridgeCalls;
  }
}
