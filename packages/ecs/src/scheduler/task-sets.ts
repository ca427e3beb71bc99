import { addStoppedEvent, countsOf, isHealthy, isProtected } from '../domain/deployments';
import type { TaskRecord } from '../state/types';
import { launch } from './launch';
import type { ReconcilePass } from './scheduler';
export function reconcileTaskSets(pass: ReconcilePass) {
  const { s, state, where, svc, cluster, tasks, now } = pass;
  const desired = svc.status === 'ACTIVE' ? svc.desiredCount : 0;
  const stopped: TaskRecord[] = [];
  for (const set of svc.taskSets) {
    const target = set.status === 'DRAINING' ? 0 : Math.ceil((desired * (set.scale?.value ?? 100)) / 100);
    set.computedDesiredCount = target;
    const mine = tasks.filter(
      (t) => t.startedBy === set.id && t.desiredStatus === 'RUNNING' && t.lastStatus !== 'STOPPED',
    );
    if (mine.length > target) {
      const order = mine
        .filter((t) => !isProtected(t, now) || set.status === 'DRAINING')
        .sort(
          (a, b) =>
            Number(isHealthy(a)) - Number(isHealthy(b)) ||
            new Date(b.createdAt!).getTime() - new Date(a.createdAt!).getTime(),
        );
      for (const t of order.slice(0, mine.length - target)) {
        s.stopTask(where, svc, t, `Scaling activity initiated by (deployment ${set.id})`);
        stopped.push(t);
      }
    } else if (mine.length < target && svc.status === 'ACTIVE' && cluster?.status === 'ACTIVE') {
      launch(s, state, where, svc, cluster, set.taskDefinition, set.id, target - mine.length, set);
    }
  }
  addStoppedEvent(svc, stopped);
  for (const set of svc.taskSets) {
    const mine = tasks.filter((t) => t.startedBy === set.id && t.lastStatus !== 'STOPPED');
    Object.assign(set, countsOf(tasks, set.id));
    const stable =
      set.runningCount === set.computedDesiredCount &&
      set.pendingCount === 0 &&
      mine.every((t) => t.desiredStatus === 'RUNNING');
    const status = stable ? 'STEADY_STATE' : 'STABILIZING';
    if (status !== set.stabilityStatus) {
      set.stabilityStatus = status;
      set.stabilityStatusAt = new Date();
    }
  }
  svc.taskSets = svc.taskSets.filter(
    (s) => s.status !== 'DRAINING' || tasks.some((t) => t.startedBy === s.id && t.lastStatus !== 'STOPPED'),
  );
  const primary = svc.taskSets.find((s) => s.status === 'PRIMARY');
  const steady =
    svc.taskSets.length > 0 && svc.taskSets.every((s) => s.stabilityStatus === 'STEADY_STATE') && Boolean(primary);
  if (steady) s.clearThrottle(svc);
  if (steady && !svc.steady)
    s.action(svc, 'TASKSET_STEADY_STATE', `(service ${svc.serviceName}) has reached a steady state.`);
  svc.steady = steady;
}
