import type { RequestContext, Store } from '@dockside/core';
import type { EcsState } from '../state/types';
import { DEFAULT_VIRTUAL_INSTANCE, type VirtualInstanceShape } from './container-instances';
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
  /** What Dockside's virtual container instances register (instancesPerCluster, managed scaling). */
  virtualInstance: VirtualInstanceShape;
}

export function createDomain(store: Store<EcsState>, virtualInstance = DEFAULT_VIRTUAL_INSTANCE): EcsDomain {
  return { store, stateOf: (w) => store.get(w.accountId, w.region), index: new TaskIndex(), virtualInstance };
}
