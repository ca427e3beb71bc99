import type { RequestContext, Store } from '@dockside/core';
import type { EcsState } from '../state/types';
import { TaskIndex } from './task-index';

/** An account and region: where a request, a task or a service lives. */
export type Where = Pick<RequestContext, 'accountId' | 'region'>;

/**
 * One ECS plugin instance's domain: its store and the indexes derived from it. Built once per
 * `ecs()` and handed to the operations, the scheduler and the runtime, so two gateways in one
 * process share nothing.
 */
export interface EcsDomain {
  store: Store<EcsState>;
  stateOf(where: Where): EcsState;
  index: TaskIndex;
}

export function createDomain(store: Store<EcsState>): EcsDomain {
  return { store, stateOf: (w) => store.get(w.accountId, w.region), index: new TaskIndex() };
}
