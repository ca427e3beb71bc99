import type * as ECS from '@aws-sdk/client-ecs';
import type { ClusterRecord, EcsState, TaskDefinitionRecord, TaskRecord } from '../../state/types';
import { place, type Placement } from './place';

/** Places `count` tasks of `definition` on the cluster's container instances (RunTask, services). */
export function placeOnCluster(
  state: EcsState,
  live: Map<string, TaskRecord[]>,
  cluster: ClusterRecord,
  definition: TaskDefinitionRecord,
  count: number,
  group: string,
  how: { constraints: ECS.PlacementConstraint[]; strategy: ECS.PlacementStrategy[] },
): Placement {
  return place({
    instances: Object.values(state.containerInstances).filter((ci) => ci.clusterName === cluster.clusterName),
    live,
    definition,
    count,
    group,
    ...how,
  });
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
