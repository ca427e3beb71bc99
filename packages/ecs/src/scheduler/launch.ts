import type * as ECS from '@aws-sdk/client-ecs';
import type { Where } from '../domain/context';
import { addEvent, taskId } from '../domain/deployments';
import { placeOnCluster, placementEvent } from '../domain/placement/cluster';
import type { Placement } from '../domain/placement/place';
import { tagsOf } from '../domain/tags';
import { createTaskRecord, effectiveDefinition, portsConflict } from '../domain/tasks';
import type {
  ClusterRecord,
  DeploymentRecord,
  EcsState,
  ServiceRecord,
  TaskDefinitionRecord,
  TaskRecord,
  TaskSetRecord,
} from '../state/types';
import { ServiceScheduler } from './scheduler';

/** ECS's default for services: spread over zones, then over instances. */
const DEFAULT_SERVICE_STRATEGY: ECS.PlacementStrategy[] = [
  { type: 'spread', field: 'attribute:ecs.availability-zone' },
  { type: 'spread', field: 'instanceId' },
];
export function launch(
  s: ServiceScheduler,
  state: EcsState,
  where: Where,
  svc: ServiceRecord,
  cluster: ClusterRecord,
  taskDefinitionArn: string,
  startedBy: string,
  count: number,
  from: DeploymentRecord | TaskSetRecord,
) {
  const [family, rev] = taskDefinitionArn.slice(taskDefinitionArn.lastIndexOf('/') + 1).split(':');
  const td: TaskDefinitionRecord | undefined = state.taskDefinitions[family]?.[Number(rev)];
  if (!td) return;
  if (s.throttled(svc)) return;
  const definition = effectiveDefinition(td, undefined);
  const started: TaskRecord[] = [];
  const launchType = (from.launchType ?? svc.launchType ?? 'EC2') as ECS.LaunchType;
  const group = `service:${svc.serviceName}`;
  let placed: Placement | undefined;
  if (launchType !== 'FARGATE') {
    placed = placeOnCluster(state, s.index.liveByInstance(state), cluster, definition, count, group, {
      constraints: [
        ...(td.placementConstraints ?? []),
        ...(svc.placementConstraints ?? []),
        // A daemon runs one task on each instance.
        ...(svc.schedulingStrategy === 'DAEMON' ? [{ type: 'distinctInstance' as const }] : []),
      ],
      strategy: svc.placementStrategy?.length ? svc.placementStrategy : DEFAULT_SERVICE_STRATEGY,
    });
    if (placed.placed.length < count && s.noticeOnce(svc, `placement:${svc.serviceArn}`)) {
      s.action(svc, 'SERVICE_TASK_PLACEMENT_FAILURE', placementEvent(svc.serviceName, placed));
    }
    count = placed.placed.length;
  }
  for (let i = 0; i < count; i++) {
    if (portsConflict(state, definition)) {
      const key = `ports:${svc.serviceArn}`;
      if (s.noticeOnce(svc, key)) {
        s.action(
          svc,
          'SERVICE_TASK_PLACEMENT_FAILURE',
          `(service ${svc.serviceName}) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance dockside) is already using a port required by your task.`,
        );
      }
      break;
    }
    const tags =
      svc.propagateTags === 'SERVICE'
        ? tagsOf(state, svc.serviceArn)
        : svc.propagateTags === 'TASK_DEFINITION'
          ? tagsOf(state, td.taskDefinitionArn)
          : [];
    const systemTags = svc.enableECSManagedTags
      ? [
          { key: 'aws:ecs:clusterName', value: cluster.clusterName },
          { key: 'aws:ecs:serviceName', value: svc.serviceName },
        ]
      : [];
    const task = createTaskRecord(state, where, cluster, td, definition, {
      launchType,
      containerInstance: placed?.placed[i],
      ...(from.capacityProviderStrategy?.[0]?.capacityProvider
        ? { capacityProviderName: from.capacityProviderStrategy[0].capacityProvider }
        : {}),
      group,
      startedBy,
      platformVersion: from.platformVersion ?? svc.platformVersion,
      enableExecuteCommand: svc.enableExecuteCommand,
      subnets: (from.networkConfiguration ?? svc.networkConfiguration)?.awsvpcConfiguration?.subnets,
      tags,
      systemTags,
    });
    s.runtime.launch(task);
    started.push(task);
  }
  if (started.length) {
    s.clearNotice(svc, `ports:${svc.serviceArn}`);
    if (placed?.placed.length === started.length) s.clearNotice(svc, `placement:${svc.serviceArn}`);
    addEvent(
      svc,
      `(service ${svc.serviceName}) has started ${started.length} tasks: ${started.map((t) => `(task ${taskId(t.taskArn)})`).join(' ')}.`,
    );
  }
}
