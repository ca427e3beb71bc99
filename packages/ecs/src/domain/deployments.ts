/** Deployments and service tasks as ECS reasons about them: ids, thresholds, health, events. */
import { randomInt, randomUUID } from 'node:crypto';
import type { DeploymentRecord, ServiceRecord, TaskRecord } from '../state/types';
import { PENDING_STATUSES } from './task-index';

const MAX_EVENTS = 100;

/** `ecs-svc/` and 19 digits, as ECS names deployments and task sets. */
export const newDeploymentId = () =>
  `ecs-svc/${String(randomInt(1, 9)) + Array.from({ length: 18 }, () => randomInt(10)).join('')}`;

/** The service a task belongs to: started by one of its deployments or task sets, in its group. */
export const serviceArnOf = (task: Pick<TaskRecord, 'clusterArn' | 'group' | 'startedBy'>) =>
  task.group?.startsWith('service:') && task.startedBy?.startsWith('ecs-svc/')
    ? `${task.clusterArn.replace(':cluster/', ':service/')}/${task.group.slice('service:'.length)}`
    : undefined;

/** A new PRIMARY deployment, IN_PROGRESS with no tasks yet, on top of `fields`. */
export function startDeployment(
  fields: Omit<
    DeploymentRecord,
    | 'id'
    | 'status'
    | 'desiredCount'
    | 'pendingCount'
    | 'runningCount'
    | 'failedTasks'
    | 'createdAt'
    | 'updatedAt'
    | 'rolloutState'
  >,
  desiredCount: number,
  now: Date,
): DeploymentRecord {
  return {
    ...fields,
    id: newDeploymentId(),
    status: 'PRIMARY',
    desiredCount,
    pendingCount: 0,
    runningCount: 0,
    failedTasks: 0,
    createdAt: now,
    updatedAt: now,
    rolloutState: 'IN_PROGRESS',
  };
}

export const taskId = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

/** Circuit breaker threshold: half the desired count, at least 3, at most 200. */
export const failureThreshold = (desired: number) => Math.min(200, Math.max(3, Math.ceil(desired * 0.5)));

export function addEvent(svc: ServiceRecord, message: string): void {
  svc.events.unshift({ id: randomUUID(), createdAt: new Date(), message });
  if (svc.events.length > MAX_EVENTS) svc.events.length = MAX_EVENTS;
}

export const hasHealthCheck = (t: TaskRecord) =>
  (t.definition.containerDefinitions ?? []).some((d) => d.healthCheck && d.essential !== false);

/**
 * Counted healthy: RUNNING, not being stopped, its container health checks (if any) pass, and
 * no load balancer it is registered with reports its target unhealthy or still initial.
 */
export function isHealthy(t: TaskRecord): boolean {
  if (t.desiredStatus !== 'RUNNING' || t.lastStatus !== 'RUNNING') return false;
  if (hasHealthCheck(t) && t.healthStatus !== 'HEALTHY') return false;
  // `unavailable` (checks disabled) and `unused` (no listener uses the group) give no verdict.
  return Object.values(t.targetHealth ?? {}).every((h) => ['healthy', 'unavailable', 'unused'].includes(h.state));
}

export const isProtected = (t: TaskRecord, now: number) => t.protectedUntil !== undefined && t.protectedUntil > now;

/** The service event ECS gives when the scheduler stops tasks. */
export function addStoppedEvent(svc: ServiceRecord, stopped: TaskRecord[]): void {
  if (!stopped.length) return;
  const ids = stopped.map((t) => `(task ${taskId(t.taskArn)})`).join(' ');
  addEvent(svc, `(service ${svc.serviceName}) has stopped ${stopped.length} running tasks: ${ids}.`);
}

/** Running and pending counts of the live tasks a deployment or task set started. */
export function countsOf(tasks: TaskRecord[], startedBy: string): { runningCount: number; pendingCount: number } {
  const mine = tasks.filter((t) => t.startedBy === startedBy && t.lastStatus !== 'STOPPED');
  return {
    runningCount: mine.filter((t) => t.lastStatus === 'RUNNING').length,
    pendingCount: mine.filter((t) => PENDING_STATUSES.has(t.lastStatus!)).length,
  };
}
