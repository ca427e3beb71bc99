import type * as ECS from '@aws-sdk/client-ecs';

/** Every status a task passes through, in order (as Fargate reports them). */
export const TASK_STATUSES = [
  'PROVISIONING',
  'PENDING',
  'ACTIVATING',
  'RUNNING',
  'DEACTIVATING',
  'STOPPING',
  'DEPROVISIONING',
  'STOPPED',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

const rank = (s: string) => TASK_STATUSES.indexOf(s as TaskStatus);

/**
 * The statuses to pass through to reach `target` from `current`, in order. A task never moves
 * backwards, and never skips a status: a task stopped before it ran still goes
 * DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED, as ECS reports it. A task that never
 * reached RUNNING goes from where it is straight to the stopping half of the sequence.
 */
export function pathTo(current: TaskStatus, target: TaskStatus): TaskStatus[] {
  const from = rank(current);
  const to = rank(target);
  if (to <= from) return [];
  const running = rank('RUNNING');
  if (to > running && from < running) {
    // Skip the start-up statuses not reached yet: go to DEACTIVATING next.
    return TASK_STATUSES.slice(rank('DEACTIVATING'), to + 1) as TaskStatus[];
  }
  return TASK_STATUSES.slice(from + 1, to + 1) as TaskStatus[];
}

/** Applies one status to a task record: timestamps of that status, and a higher version. */
export function applyStatus(task: ECS.Task, status: TaskStatus, now = new Date()): void {
  task.lastStatus = status;
  task.version = (task.version ?? 0) + 1;
  switch (status) {
    case 'PENDING':
      task.connectivity = 'CONNECTED';
      task.connectivityAt = now;
      break;
    case 'RUNNING':
      task.startedAt = now;
      break;
    case 'DEACTIVATING':
      task.desiredStatus = 'STOPPED';
      task.stoppingAt ??= now;
      break;
    case 'STOPPING':
      task.stoppingAt ??= now;
      break;
    case 'DEPROVISIONING':
      task.executionStoppedAt ??= now;
      break;
    case 'STOPPED':
      task.executionStoppedAt ??= now;
      task.stoppedAt = now;
      task.connectivity = 'DISCONNECTED';
      break;
  }
}

/**
 * The task's health from its essential containers' health: UNHEALTHY if any is unhealthy,
 * HEALTHY if all that have a health check are healthy, UNKNOWN otherwise (or with no checks).
 */
export function taskHealth(
  containers: Array<{ essential: boolean; hasHealthCheck: boolean; healthStatus?: string }>,
): ECS.HealthStatus {
  const checked = containers.filter((c) => c.essential && c.hasHealthCheck);
  if (!checked.length) return 'UNKNOWN';
  if (checked.some((c) => c.healthStatus === 'UNHEALTHY')) return 'UNHEALTHY';
  if (checked.every((c) => c.healthStatus === 'HEALTHY')) return 'HEALTHY';
  return 'UNKNOWN';
}

/** Start waves: containers whose dependencies are all in earlier waves (dependsOn + volumesFrom). */
export function startOrder(defs: ECS.ContainerDefinition[]): string[][] {
  const remaining = new Map(defs.map((d) => [d.name!, d]));
  const done = new Set<string>();
  const waves: string[][] = [];
  while (remaining.size) {
    const wave = [...remaining.values()]
      .filter((d) =>
        [
          ...(d.dependsOn ?? []).map((x) => x.containerName!),
          ...(d.volumesFrom ?? []).map((x) => x.sourceContainer!),
        ].every((n) => done.has(n)),
      )
      .map((d) => d.name!);
    if (!wave.length) throw new Error('cyclic container dependencies');
    wave.forEach((n) => {
      remaining.delete(n);
      done.add(n);
    });
    waves.push(wave);
  }
  return waves;
}
