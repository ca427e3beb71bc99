import type * as ECS from '@aws-sdk/client-ecs';
import type { OperationMap, RequestContext } from '@dockside/core';
import type { EcsDomain } from '../domain/context';
import { addEvent } from '../domain/deployments';
import {
  checkLoadBalancers,
  existingService,
  findTaskSet,
  newTaskSet,
  taskSetService,
  taskSetView,
  tdOf,
} from '../domain/services';
import { invalidParameter } from '../errors';
import { ServiceScheduler } from '../scheduler/scheduler';
import type { ServiceRecord } from '../state/types';

/** Task sets of EXTERNAL and CODE_DEPLOY services. */
export function taskSetOperations(d: EcsDomain, scheduler: ServiceScheduler): OperationMap {
  const kick = (ctx: RequestContext, svc: ServiceRecord) => scheduler.schedule(ctx, svc.serviceArn);
  return {
    CreateTaskSet(input: ECS.CreateTaskSetRequest, ctx): ECS.CreateTaskSetResponse {
      const state = d.stateOf(ctx);
      const { cluster, svc } = taskSetService(state, ctx, input);
      const td = tdOf(state, ctx, input.taskDefinition!);
      if (input.scale && (input.scale.value === undefined || input.scale.value < 0 || input.scale.value > 100))
        throw invalidParameter('scale.value must be between 0 and 100.');
      checkLoadBalancers(input.loadBalancers, td);
      const set = newTaskSet(state, ctx, svc, cluster, td, input, 'ACTIVE');
      kick(ctx, svc);
      return { taskSet: taskSetView(state, set, false) };
    },

    UpdateTaskSet(input: ECS.UpdateTaskSetRequest, ctx): ECS.UpdateTaskSetResponse {
      const state = d.stateOf(ctx);
      const { svc } = taskSetService(state, ctx, input);
      const set = findTaskSet(svc, input.taskSet);
      if (!input.scale || input.scale.value === undefined || input.scale.value < 0 || input.scale.value > 100)
        throw invalidParameter('scale.value must be between 0 and 100.');
      set.scale = { value: input.scale.value, unit: input.scale.unit ?? 'PERCENT' };
      set.updatedAt = new Date();
      kick(ctx, svc);
      return { taskSet: taskSetView(state, set, false) };
    },

    DeleteTaskSet(input: ECS.DeleteTaskSetRequest, ctx): ECS.DeleteTaskSetResponse {
      const state = d.stateOf(ctx);
      const { svc } = taskSetService(state, ctx, input);
      const set = findTaskSet(svc, input.taskSet);
      if (set.status === 'PRIMARY')
        throw invalidParameter(
          'The primary task set of a service cannot be deleted; make another task set primary first.',
        );
      if (!input.force && ((set.scale?.value ?? 0) > 0 || (set.runningCount ?? 0) > 0 || (set.pendingCount ?? 0) > 0)) {
        throw invalidParameter(
          'The task set cannot be deleted until it has been scaled down to zero; set force to delete it anyway.',
        );
      }
      set.status = 'DRAINING';
      set.updatedAt = new Date();
      kick(ctx, svc);
      return { taskSet: taskSetView(state, set, false) };
    },

    DescribeTaskSets(input: ECS.DescribeTaskSetsRequest, ctx): ECS.DescribeTaskSetsResponse {
      const state = d.stateOf(ctx);
      const svc = existingService(state, ctx, input);
      const withTags = Boolean(input.include?.includes('TAGS'));
      if (!input.taskSets?.length)
        return { taskSets: svc.taskSets.map((s) => taskSetView(state, s, withTags)), failures: [] };
      const taskSets: ECS.TaskSet[] = [];
      const failures: ECS.Failure[] = [];
      for (const ref of input.taskSets) {
        const set = svc.taskSets.find((s) => s.id === ref || s.taskSetArn === ref);
        if (set) taskSets.push(taskSetView(state, set, withTags));
        else failures.push({ arn: ref, reason: 'MISSING' });
      }
      return { taskSets, failures };
    },

    UpdateServicePrimaryTaskSet(
      input: ECS.UpdateServicePrimaryTaskSetRequest,
      ctx,
    ): ECS.UpdateServicePrimaryTaskSetResponse {
      const state = d.stateOf(ctx);
      const { svc } = taskSetService(state, ctx, input);
      const set = findTaskSet(svc, input.primaryTaskSet);
      if (set.status === 'DRAINING') throw invalidParameter('A draining task set cannot become the primary task set.');
      const now = new Date();
      for (const s of svc.taskSets) {
        if (s.status === 'PRIMARY' && s !== set) {
          s.status = 'ACTIVE';
          s.updatedAt = now;
        }
      }
      set.status = 'PRIMARY';
      set.updatedAt = now;
      svc.taskDefinition = set.taskDefinition;
      addEvent(svc, `(service ${svc.serviceName}) updated the primary task set to (task-set ${set.id}).`);
      kick(ctx, svc);
      return { taskSet: taskSetView(state, set, false) };
    },
  };
}
