/**
 * ECS's own events on the default bus of the task's account and region, with ECS's detail
 * shapes: "ECS Task State Change" (the task as DescribeTasks shows it, `version` rising per
 * change), "ECS Container Instance State Change", "ECS Deployment State Change", "ECS Service Action".
 */
import type * as ECS from '@aws-sdk/client-ecs';
import type { Bus, Logger } from '@dockside/core';
import type { EcsContainerInstanceChange, EcsDeploymentChange, EcsServiceAction, EcsTaskChange } from '@dockside/ecs';
import type { EventEngine } from './engine';

/** Dates become ISO strings (with milliseconds, as ECS writes them); undefined members go. */
function plain(value: unknown): unknown {
  // Not instanceof: a Date may come from another realm (a test runner's sandbox).
  if (Object.prototype.toString.call(value) === '[object Date]') return (value as Date).toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, plain(v)]),
    );
  }
  return value;
}

export function bridgeEcsEvents(bus: Bus, engine: EventEngine, logger: Logger): () => void {
  const lastVersion = new Map<string, number>();
  const onTask = async (e: EcsTaskChange) => {
    const where = { accountId: e.accountId, region: e.region };
    const { tasks } = await bus.call(
      'ecs',
      'DescribeTasks',
      { cluster: e.clusterArn, tasks: [e.taskArn], include: ['TAGS'] },
      where,
    );
    const task = tasks?.[0] as (ECS.Task & { version?: number }) | undefined;
    if (!task) return;
    const version = task.version ?? e.version;
    // One event per task version, in order: a later describe may already show a newer version.
    if ((lastVersion.get(e.taskArn) ?? 0) >= version) return;
    lastVersion.set(e.taskArn, version);
    if (e.lastStatus === 'STOPPED' && lastVersion.size > 10_000) lastVersion.clear();
    const { tags: _t, ...rest } = task;
    const detail = plain({ ...rest, updatedAt: new Date(), version });
    engine.put(
      where,
      'default',
      engine.newEvent(where, {
        source: 'aws.ecs',
        'detail-type': 'ECS Task State Change',
        resources: [e.taskArn],
        detail,
      }),
    );
  };
  const onDeployment = (e: EcsDeploymentChange) => {
    const where = { accountId: e.accountId, region: e.region };
    const detail = {
      eventType: e.eventName === 'SERVICE_DEPLOYMENT_FAILED' ? 'ERROR' : 'INFO',
      eventName: e.eventName,
      deploymentId: e.deploymentId,
      updatedAt: e.updatedAt,
      reason: e.reason,
    };
    engine.put(
      where,
      'default',
      engine.newEvent(where, {
        source: 'aws.ecs',
        'detail-type': 'ECS Deployment State Change',
        resources: [e.serviceArn],
        detail,
      }),
    );
  };
  const onAction = (e: EcsServiceAction) => {
    const where = { accountId: e.accountId, region: e.region };
    const warn =
      e.eventName === 'SERVICE_TASK_START_IMPAIRED' ||
      e.eventName === 'SERVICE_TASK_PLACEMENT_FAILURE' ||
      e.eventName === 'SERVICE_TASK_CONFIGURATION_FAILURE';
    const detail = {
      eventType: warn ? 'WARN' : 'INFO',
      eventName: e.eventName,
      clusterArn: e.clusterArn,
      createdAt: e.createdAt,
    };
    engine.put(
      where,
      'default',
      engine.newEvent(where, {
        source: 'aws.ecs',
        'detail-type': 'ECS Service Action',
        resources: [e.serviceArn],
        detail,
      }),
    );
  };
  const onInstance = (e: EcsContainerInstanceChange) => {
    const where = { accountId: e.accountId, region: e.region };
    const ci = e.containerInstance;
    const detail = plain({ ...ci, clusterArn: e.clusterArn, updatedAt: new Date() });
    engine.put(
      where,
      'default',
      engine.newEvent(where, {
        source: 'aws.ecs',
        'detail-type': 'ECS Container Instance State Change',
        resources: [ci.containerInstanceArn!],
        detail,
      }),
    );
  };
  const unsubscribe = [
    bus.subscribe('ecs.task', (e) =>
      onTask(e).catch((err) => logger.warn({ err }, 'ECS Task State Change not published')),
    ),
    bus.subscribe('ecs.deployment', onDeployment),
    bus.subscribe('ecs.container-instance', onInstance),
    bus.subscribe('ecs.service-action', onAction),
  ];
  return () => unsubscribe.forEach((u) => u());
}
