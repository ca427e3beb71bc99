import type * as ECS from '@aws-sdk/client-ecs';
import type { Where } from '../domain/context';
import { addEvent, taskId } from '../domain/deployments';
import { placementEvent } from '../domain/placement/cluster';
import { taskSlots } from '../domain/placement/slots';
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
  const strategy = from.capacityProviderStrategy?.length ? from.capacityProviderStrategy : undefined;
  const launchType = (
    strategy
      ? strategy[0].capacityProvider?.startsWith('FARGATE')
        ? 'FARGATE'
        : 'EC2'
      : (from.launchType ?? svc.launchType ?? 'EC2')
  ) as ECS.LaunchType;
  const group = `service:${svc.serviceName}`;
  // A strategy's base counts the service's tasks each provider already runs.
  const already = new Map<string, number>();
  for (const t of Object.values(state.tasks)) {
    if (t.group === group && t.clusterArn === svc.clusterArn && t.desiredStatus === 'RUNNING' && t.capacityProviderName)
      already.set(t.capacityProviderName, (already.get(t.capacityProviderName) ?? 0) + 1);
  }
  const placed = taskSlots(s, state, {
    where,
    cluster,
    definition,
    count,
    group,
    launchType,
    strategy,
    already,
    constraints: [
      ...(td.placementConstraints ?? []),
      ...(svc.placementConstraints ?? []),
      // A daemon runs one task on each instance.
      ...(svc.schedulingStrategy === 'DAEMON' ? [{ type: 'distinctInstance' as const }] : []),
    ],
    placementStrategy: svc.placementStrategy?.length ? svc.placementStrategy : DEFAULT_SERVICE_STRATEGY,
  });
  if (placed.slots.length < count && s.noticeOnce(svc, `placement:${svc.serviceArn}`)) {
    s.action(svc, 'SERVICE_TASK_PLACEMENT_FAILURE', placementEvent(svc.serviceName, { placed: [], ...placed }));
  }
  count = placed.slots.length;
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
      ...placed.slots[i],
      group,
      startedBy,
      platformVersion: from.platformVersion ?? svc.platformVersion,
      enableExecuteCommand: svc.enableExecuteCommand,
      subnets: (from.networkConfiguration ?? svc.networkConfiguration)?.awsvpcConfiguration?.subnets,
      securityGroups: (from.networkConfiguration ?? svc.networkConfiguration)?.awsvpcConfiguration?.securityGroups,
      tags,
      systemTags,
    });
    s.runtime.launch(task);
    started.push(task);
  }
  if (started.length) {
    s.clearNotice(svc, `ports:${svc.serviceArn}`);
    if (placed.slots.length === started.length) s.clearNotice(svc, `placement:${svc.serviceArn}`);
    addEvent(
      svc,
      `(service ${svc.serviceName}) has started ${started.length} tasks: ${started.map((t) => `(task ${taskId(t.taskArn)})`).join(' ')}.`,
    );
  }
}
