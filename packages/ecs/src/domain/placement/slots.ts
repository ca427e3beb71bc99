import type * as ECS from '@aws-sdk/client-ecs';
import type { ClusterRecord, ContainerInstanceRecord, EcsState, TaskDefinitionRecord } from '../../state/types';
import { distribute } from '../capacity-providers';
import { addVirtualInstances } from '../container-instances';
import type { EcsDomain, Where } from '../context';
import { placeOnCluster } from './cluster';

/** Where one task of a RunTask or a service launch goes: its capacity provider and instance. */
export interface Slot {
  capacityProviderName?: string;
  containerInstance?: ContainerInstanceRecord;
}

export interface SlotRequest {
  where: Where;
  cluster: ClusterRecord;
  definition: TaskDefinitionRecord;
  count: number;
  group: string;
  launchType: ECS.LaunchType;
  /** The capacity provider strategy in force, if any. */
  strategy?: ECS.CapacityProviderStrategyItem[];
  constraints: ECS.PlacementConstraint[];
  placementStrategy: ECS.PlacementStrategy[];
  /** Tasks the providers already have (a service's `base` counts them). */
  already?: Map<string, number>;
}

/**
 * The slots for `count` tasks: split over the strategy's providers by base and weight, and for
 * EC2 placed on instances (of the provider, when there is one). Fewer slots than tasks means the
 * rest could not be placed; `noInstances` is ECS's exception for a plain EC2 RunTask.
 */
export function taskSlots(
  d: Pick<EcsDomain, 'index' | 'virtualInstance'>,
  state: EcsState,
  r: SlotRequest,
): { slots: Slot[]; failures: ECS.Failure[]; noInstances: boolean } {
  const providers = r.strategy ? distribute(r.strategy, r.count, r.already) : [];
  if (r.launchType === 'FARGATE') {
    return {
      slots: Array.from({ length: r.count }, (_, i) => ({ capacityProviderName: providers[i] })),
      failures: [],
      noInstances: false,
    };
  }
  const live = d.index.liveByInstance(state);
  const how = { constraints: r.constraints, strategy: r.placementStrategy };
  if (!r.strategy) {
    const p = placeOnCluster(state, live, r.cluster, r.definition, r.count, r.group, how);
    return {
      slots: p.placed.map((ci) => ({ containerInstance: ci })),
      failures: p.failures,
      noInstances: p.noInstances,
    };
  }
  const slots: Slot[] = [];
  const failures: ECS.Failure[] = [];
  for (const name of [...new Set(providers)]) {
    const provider = state.capacityProviders[name];
    const n = providers.filter((x) => x === name).length;
    const p = placeOnCluster(state, live, r.cluster, r.definition, n, r.group, {
      ...how,
      provider,
      grow: (prov) => addVirtualInstances(state, r.where, r.cluster, 1, d.virtualInstance, prov.name)[0],
    });
    slots.push(...p.placed.map((ci) => ({ capacityProviderName: name, containerInstance: ci })));
    failures.push(...p.failures);
  }
  return { slots, failures, noInstances: false };
}
