/**
 * The daemon scheduler: exactly one task of each daemon on every ACTIVE container instance of its
 * capacity providers. A new instance gets the daemon's task; a stopped daemon task is replaced;
 * an instance that goes (deregistered, or draining with nothing else left on it) loses its task;
 * a new revision replaces tasks at most `drainPercent` of the instances at a time; a deployment is
 * SUCCESSFUL once every instance runs the revision; a deleted daemon stops its tasks, then goes.
 */
import type { Where } from '../domain/context';
import {
  asTaskDefinition,
  daemonGroup,
  daemonInstances,
  daemonTasks,
  findDaemonTaskDefinition,
  revisionTag,
} from '../domain/daemons';
import { tagsOf } from '../domain/tags';
import { createTaskRecord, effectiveDefinition } from '../domain/tasks';
import type { DaemonRecord, EcsState } from '../state/types';
import type { ServiceScheduler } from './scheduler';

export function reconcileDaemons(s: ServiceScheduler, state: EcsState, where: Where) {
  for (const d of Object.values(state.daemons)) reconcileDaemon(s, state, where, d);
}

function reconcileDaemon(s: ServiceScheduler, state: EcsState, where: Where, d: DaemonRecord) {
  const tasks = daemonTasks(state, d).filter((t) => t.desiredStatus === 'RUNNING');
  const stop = (reason: string) => (t: (typeof tasks)[number]) =>
    void s.runtime.stop(t, 'ServiceSchedulerInitiated', reason);
  if (d.status === 'DELETE_IN_PROGRESS') {
    tasks.forEach(stop('Daemon deleted'));
    if (!daemonTasks(state, d).length) delete state.daemons[d.daemonArn];
    return;
  }
  const cluster = state.clusters[d.clusterArn.slice(d.clusterArn.lastIndexOf('/') + 1)];
  if (!cluster) return;
  const instances = daemonInstances(state, d);
  const byArn = new Map(instances.map((ci) => [ci.containerInstanceArn, ci]));
  // Tasks whose instance left the daemon (deregistered, another provider, or draining and empty).
  for (const t of tasks) {
    const ci = t.containerInstanceArn ? byArn.get(t.containerInstanceArn) : undefined;
    const othersOnIt = () =>
      Object.values(state.tasks).some(
        (o) => o.containerInstanceArn === ci?.containerInstanceArn && o.group !== t.group && o.lastStatus !== 'STOPPED',
      );
    if (!ci || ci.status === 'INACTIVE' || (ci.status === 'DRAINING' && !othersOnIt()))
      stop('Container instance left the daemon')(t);
  }
  const current = revisionTag(d.revisionArn);
  const active = instances.filter((ci) => ci.status === 'ACTIVE');
  const revision = state.daemonRevisions[d.revisionArn];
  const tdRecord = revision && findDaemonTaskDefinitionSafe(state, revision.daemonTaskDefinitionArn!);
  if (!tdRecord) return;
  const budget = Math.max(1, Math.floor((active.length * (d.deploymentConfiguration.drainPercent ?? 25)) / 100));
  let replacing = active.filter((ci) =>
    tasks.some(
      (t) =>
        t.containerInstanceArn === ci.containerInstanceArn && t.startedBy === current && t.lastStatus !== 'RUNNING',
    ),
  ).length;
  // Every live task of the daemon, stopping ones included, read once: launches below only go to
  // instances that had none, so this list answers every later question of this pass.
  const live = daemonTasks(state, d);
  for (const ci of active) {
    const mine = tasks.filter((t) => t.containerInstanceArn === ci.containerInstanceArn);
    if (mine.some((t) => t.startedBy === current)) continue;
    const old = mine.filter((t) => t.startedBy !== current);
    if (old.length) {
      if (replacing < budget) {
        old.forEach(stop('Daemon deployment replaced the task with a new revision'));
        replacing++;
      }
      continue; // the new task starts once the old one is gone
    }
    // A task stopping on this instance (replaced, or exited) must be gone first.
    if (live.some((t) => t.containerInstanceArn === ci.containerInstanceArn)) continue;
    const td = asTaskDefinition(tdRecord);
    const task = createTaskRecord(state, where, cluster, td, effectiveDefinition(td, undefined), {
      launchType: 'MANAGED_INSTANCES',
      containerInstance: ci,
      capacityProviderName: ci.capacityProviderName,
      group: daemonGroup(d),
      startedBy: current,
      enableExecuteCommand: revision.enableExecuteCommand,
      tags: revision.propagateTags === 'DAEMON' ? tagsOf(state, d.daemonArn) : [],
      systemTags: revision.enableECSManagedTags
        ? [
            { key: 'aws:ecs:clusterName', value: cluster.clusterName },
            { key: 'aws:ecs:daemonName', value: d.daemonName },
          ]
        : [],
    });
    s.runtime.launch(task);
  }
  const dep = state.daemonDeployments[d.deploymentArn];
  const done =
    active.every((ci) =>
      live.some(
        (t) =>
          t.containerInstanceArn === ci.containerInstanceArn && t.startedBy === current && t.lastStatus === 'RUNNING',
      ),
    ) && !live.some((t) => t.startedBy !== current);
  if (dep?.status === 'IN_PROGRESS' && done) {
    dep.status = 'SUCCESSFUL';
    dep.statusReason = 'The daemon deployment completed successfully.';
    dep.finishedAt = new Date();
    if (dep.circuitBreaker) dep.circuitBreaker.status = 'MONITORING_COMPLETE';
  }
}

function findDaemonTaskDefinitionSafe(state: EcsState, arn: string) {
  try {
    return findDaemonTaskDefinition(state, arn);
  } catch {
    return undefined;
  }
}
