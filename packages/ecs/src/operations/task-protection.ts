import type * as ECS from '@aws-sdk/client-ecs';
import type { OperationMap } from '@dockside/core';
import { activeCluster } from '../domain/clusters';
import type { EcsDomain } from '../domain/context';
import { serviceArnOf } from '../domain/deployments';
import { protectionView } from '../domain/services';
import { findTask } from '../domain/tasks';
import { invalidParameter } from '../errors';
import { ServiceScheduler } from '../scheduler/scheduler';

/** Task scale-in protection (UpdateTaskProtection, GetTaskProtection). */
export function taskProtectionOperations(d: EcsDomain, scheduler: ServiceScheduler): OperationMap {
  return {
    UpdateTaskProtection(input: ECS.UpdateTaskProtectionRequest, ctx): ECS.UpdateTaskProtectionResponse {
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const minutes = input.expiresInMinutes ?? 120;
      if (input.protectionEnabled && (!Number.isInteger(minutes) || minutes < 1 || minutes > 2880))
        throw invalidParameter('expiresInMinutes must be between 1 and 2880.');
      if (!input.tasks?.length || input.tasks.length > 10)
        throw invalidParameter('tasks should have between 1 and 10 elements.');
      const protectedTasks: ECS.ProtectedTask[] = [];
      const failures: ECS.Failure[] = [];
      for (const ref of input.tasks) {
        const t = findTask(state, ctx, cluster, ref);
        if (!t) {
          failures.push({ arn: ref, reason: 'MISSING' });
          continue;
        }
        if (!serviceArnOf(t) || t.lastStatus === 'STOPPED') {
          failures.push({
            arn: t.taskArn,
            reason: 'TASK_NOT_VALID',
            detail:
              t.lastStatus === 'STOPPED'
                ? 'The task is stopped.'
                : 'Task protection applies only to tasks that belong to a service.',
          });
          continue;
        }
        if (input.protectionEnabled) t.protectedUntil = Date.now() + minutes * 60_000;
        else delete t.protectedUntil;
        protectedTasks.push(protectionView(t));
        const svcArn = serviceArnOf(t);
        if (svcArn) scheduler.schedule(ctx, svcArn);
      }
      return { protectedTasks, failures };
    },

    GetTaskProtection(input: ECS.GetTaskProtectionRequest, ctx): ECS.GetTaskProtectionResponse {
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const protectedTasks: ECS.ProtectedTask[] = [];
      const failures: ECS.Failure[] = [];
      const refs =
        input.tasks ??
        Object.values(state.tasks)
          .filter((t) => t.clusterArn === cluster.clusterArn && t.protectedUntil !== undefined)
          .map((t) => t.taskArn);
      for (const ref of refs) {
        const t = findTask(state, ctx, cluster, ref);
        if (!t) failures.push({ arn: ref, reason: 'MISSING' });
        else protectedTasks.push(protectionView(t));
      }
      return { protectedTasks, failures };
    },
  };
}
