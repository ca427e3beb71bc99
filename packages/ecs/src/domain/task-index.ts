import type { EcsState, TaskRecord } from '../state/types';

export const PENDING_STATUSES = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING']);

export type TaskCounts = {
  runningTasksCount: number;
  pendingTasksCount: number;
  runningEC2TasksCount: number;
  runningFargateTasksCount: number;
  pendingEC2TasksCount: number;
  pendingFargateTasksCount: number;
};

/**
 * Figures derived from every task of a partition, cached until a task changes: per-cluster
 * counts (DescribeClusters would otherwise scan every task per request) and the sorted ARN list
 * ListTasks pages through. One index per plugin instance; `touch()` on every task change.
 */
export class TaskIndex {
  private epoch = 0;
  private readonly counts = new WeakMap<EcsState, { epoch: number; byCluster: Map<string, TaskCounts> }>();
  private readonly live = new WeakMap<EcsState, { epoch: number; byInstance: Map<string, TaskRecord[]> }>();
  private readonly sorted = new WeakMap<EcsState, { count: number; epoch: number; tasks: TaskRecord[] }>();

  /** A task was created or changed status. */
  touch(): void {
    this.epoch++;
  }

  countsOf(state: EcsState, clusterArn: string): Partial<TaskCounts> {
    let cached = this.counts.get(state);
    if (!cached || cached.epoch !== this.epoch) {
      cached = { epoch: this.epoch, byCluster: new Map() };
      for (const t of Object.values(state.tasks)) {
        let c = cached.byCluster.get(t.clusterArn);
        if (!c) {
          c = {
            runningTasksCount: 0,
            pendingTasksCount: 0,
            runningEC2TasksCount: 0,
            runningFargateTasksCount: 0,
            pendingEC2TasksCount: 0,
            pendingFargateTasksCount: 0,
          };
          cached.byCluster.set(t.clusterArn, c);
        }
        const fargate = t.launchType === 'FARGATE';
        if (t.lastStatus === 'RUNNING') {
          c.runningTasksCount++;
          c[fargate ? 'runningFargateTasksCount' : 'runningEC2TasksCount']++;
        } else if (PENDING_STATUSES.has(t.lastStatus!)) {
          c.pendingTasksCount++;
          c[fargate ? 'pendingFargateTasksCount' : 'pendingEC2TasksCount']++;
        }
      }
      this.counts.set(state, cached);
    }
    return { ...(cached.byCluster.get(clusterArn) ?? {}) };
  }

  /** The tasks that have not stopped, by the container instance they sit on (placement's view). */
  liveByInstance(state: EcsState): Map<string, TaskRecord[]> {
    let cached = this.live.get(state);
    if (!cached || cached.epoch !== this.epoch) {
      cached = { epoch: this.epoch, byInstance: new Map() };
      for (const t of Object.values(state.tasks)) {
        if (!t.containerInstanceArn || t.lastStatus === 'STOPPED') continue;
        const list = cached.byInstance.get(t.containerInstanceArn) ?? [];
        list.push(t);
        cached.byInstance.set(t.containerInstanceArn, list);
      }
      this.live.set(state, cached);
    }
    return cached.byInstance;
  }

  /**
   * Tasks in ARN order, rebuilt only when tasks were added (tasks are never removed but by reset,
   * and a task's record is created once and changed in place). While no task changed (same epoch)
   * the list is answered as it is: counting the keys per call (Object.keys of 1,000 tasks) was most
   * of a ListTasks page (bench/api-floor.mjs). The records are held, not only their ARNs: looking
   * each ARN up in `state.tasks` (a dictionary) was ~8 % of a ListTasks page's CPU (perf profile).
   */
  sortedTasks(state: EcsState): TaskRecord[] {
    let entry = this.sorted.get(state);
    if (entry && entry.epoch === this.epoch) return entry.tasks;
    let count = 0;
    for (const _ in state.tasks) count++;
    if (!entry || entry.count !== count) {
      const arns = Object.keys(state.tasks).sort();
      entry = { count, epoch: this.epoch, tasks: arns.map((a) => state.tasks[a]) };
    } else entry.epoch = this.epoch;
    this.sorted.set(state, entry);
    return entry.tasks;
  }
}
