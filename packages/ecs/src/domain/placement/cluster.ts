import type * as ECS from '@aws-sdk/client-ecs';
import type {
  CapacityProviderRecord,
  ClusterRecord,
  ContainerInstanceRecord,
  EcsState,
  TaskDefinitionRecord,
  TaskRecord,
} from '../../state/types';
import { place, type Placement } from './place';

export interface PlacementHow {
  constraints: ECS.PlacementConstraint[];
  strategy: ECS.PlacementStrategy[];
  /** Only the instances of this capacity provider (a capacity provider strategy's EC2 provider). */
  provider?: CapacityProviderRecord;
  /** Adds one instance to the provider (managed scaling). */
  grow?: (provider: CapacityProviderRecord) => ContainerInstanceRecord;
}

/**
 * Places `count` tasks of `definition` on the cluster's container instances (RunTask, services).
 * A provider with managed scaling gets instances until the tasks fit (at most its maximum step).
 */
export function placeOnCluster(
  state: EcsState,
  live: Map<string, TaskRecord[]>,
  cluster: ClusterRecord,
  definition: TaskDefinitionRecord,
  count: number,
  group: string,
  how: PlacementHow,
): Placement {
  const instances = () =>
    Object.values(state.containerInstances).filter(
      (ci) =>
        ci.clusterName === cluster.clusterName && (!how.provider || ci.capacityProviderName === how.provider.name),
    );
  const attempt = () =>
    place({
      instances: instances(),
      live,
      definition,
      count,
      group,
      constraints: how.constraints,
      strategy: how.strategy,
    });
  let p = attempt();
  const scaling = how.provider?.autoScalingGroupProvider?.managedScaling;
  // Managed scaling and ECS Managed Instances both launch instances for tasks that do not fit.
  const grows = scaling?.status === 'ENABLED' || how.provider?.type === 'MANAGED_INSTANCES';
  if (!how.provider || !how.grow || !grows) {
    // A provider's tasks with no instance to go to are failures, not ECS's exception for the whole call.
    return how.provider && p.noInstances
      ? { ...p, noInstances: false, failures: [{ arn: how.provider.capacityProviderArn, reason: 'RESOURCE:CAPACITY' }] }
      : p;
  }
  for (let added = 0; p.placed.length < count && added < (scaling?.maximumScalingStepSize ?? 10000); added++) {
    const before = p.placed.length;
    how.grow(how.provider);
    p = attempt();
    if (p.placed.length === before) break; // the task does not fit even an empty instance
  }
  return p;
}

const id = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);
const WHY: Record<string, string> = {
  'RESOURCE:CPU': 'has insufficient CPU units available',
  'RESOURCE:MEMORY': 'has insufficient memory available',
  'RESOURCE:PORTS': 'is already using a port required by your task',
  AGENT: 'encountered error "AGENT"',
};

/** The service event ECS writes when a task cannot be placed. */
export function placementEvent(serviceName: string, p: Placement): string {
  const head = `(service ${serviceName}) was unable to place a task because no container instance met all of its requirements.`;
  const tail = 'For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.';
  if (p.noInstances) return `${head} Reason: No Container Instances were found in your cluster. ${tail}`;
  const f = p.failures[0];
  if (!f) return `${head} ${tail}`;
  const why = WHY[f.reason!] ?? `does not satisfy the placement constraints: ${f.reason}`;
  return `${head} The closest matching (container-instance ${id(f.arn!)}) ${why}. ${tail}`;
}
