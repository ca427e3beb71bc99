import type * as ECS from '@aws-sdk/client-ecs';
import { descendingKey, paginate, type OperationMap } from '@dockside/core';
import { checkConstraints } from '../domain/placement/place';
import { rootPrincipal } from '../domain/account-settings';
import { ecsArn } from '../domain/arn';
import type { EcsDomain } from '../domain/context';
import { setTags, tagsOf } from '../domain/tags';
import { validateTaskDefinition } from '../domain/task-definition-rules';
import { parseRef, resolveTaskDefinition, taskDefinitionView } from '../domain/task-definitions';
import { clientException, invalidParameter } from '../errors';
import type { TaskDefinitionRecord } from '../state/types';

export function taskDefinitionOperations(d: EcsDomain): OperationMap {
  return {
    RegisterTaskDefinition(input: ECS.RegisterTaskDefinitionRequest, ctx): ECS.RegisterTaskDefinitionResponse {
      const state = d.stateOf(ctx);
      const v = validateTaskDefinition(input);
      const family = input.family!;
      const revision = (state.lastRevision[family] ?? 0) + 1;
      const arn = ecsArn(ctx, `task-definition/${family}:${revision}`);
      checkConstraints(input.placementConstraints, 'task-definition');
      // Tags are checked before the revision is taken, so a refused call uses no revision number.
      setTags(state, arn, input.tags ?? [], { replace: true });
      const td: TaskDefinitionRecord = {
        taskDefinitionArn: arn,
        containerDefinitions: v.containerDefinitions,
        family,
        ...(input.taskRoleArn ? { taskRoleArn: input.taskRoleArn } : {}),
        ...(input.executionRoleArn ? { executionRoleArn: input.executionRoleArn } : {}),
        networkMode: v.networkMode as ECS.NetworkMode,
        revision,
        // An EFS volume's rootDirectory defaults to '/', and is returned that way.
        volumes: (input.volumes ?? []).map((v) =>
          v.efsVolumeConfiguration
            ? { ...v, efsVolumeConfiguration: { rootDirectory: '/', ...v.efsVolumeConfiguration } }
            : v,
        ),
        status: 'ACTIVE',
        requiresAttributes: [],
        placementConstraints: input.placementConstraints ?? [],
        compatibilities: v.compatibilities as ECS.Compatibility[],
        ...(input.runtimePlatform ? { runtimePlatform: input.runtimePlatform } : {}),
        ...(input.requiresCompatibilities ? { requiresCompatibilities: input.requiresCompatibilities } : {}),
        ...(v.cpu ? { cpu: v.cpu } : {}),
        ...(v.memory ? { memory: v.memory } : {}),
        ...(input.inferenceAccelerators ? { inferenceAccelerators: input.inferenceAccelerators } : {}),
        ...(input.pidMode ? { pidMode: input.pidMode } : {}),
        ...(input.ipcMode ? { ipcMode: input.ipcMode } : {}),
        ...(input.proxyConfiguration ? { proxyConfiguration: input.proxyConfiguration } : {}),
        ...(input.ephemeralStorage ? { ephemeralStorage: input.ephemeralStorage } : {}),
        ...(input.enableFaultInjection !== undefined ? { enableFaultInjection: input.enableFaultInjection } : {}),
        registeredAt: new Date(),
        registeredBy: rootPrincipal(ctx),
      };
      state.lastRevision[family] = revision;
      (state.taskDefinitions[family] ??= {})[revision] = td;
      return { taskDefinition: taskDefinitionView(td), tags: tagsOf(state, arn) };
    },

    DescribeTaskDefinition(input: ECS.DescribeTaskDefinitionRequest, ctx): ECS.DescribeTaskDefinitionResponse {
      const state = d.stateOf(ctx);
      const td = resolveTaskDefinition(state, ctx, input.taskDefinition!);
      return {
        taskDefinition: taskDefinitionView(td),
        ...(input.include?.includes('TAGS') ? { tags: tagsOf(state, td.taskDefinitionArn) } : {}),
      };
    },

    DeregisterTaskDefinition(input: ECS.DeregisterTaskDefinitionRequest, ctx): ECS.DeregisterTaskDefinitionResponse {
      const state = d.stateOf(ctx);
      const { revision } = parseRef(ctx, input.taskDefinition!);
      if (revision === undefined)
        throw clientException(
          'Invalid revision number. Specify the task definition as family:revision or its full ARN.',
        );
      const td = resolveTaskDefinition(state, ctx, input.taskDefinition!);
      if (td.status === 'ACTIVE') {
        td.status = 'INACTIVE';
        td.deregisteredAt = new Date();
      }
      return { taskDefinition: taskDefinitionView(td) };
    },

    DeleteTaskDefinitions(input: ECS.DeleteTaskDefinitionsRequest, ctx): ECS.DeleteTaskDefinitionsResponse {
      const state = d.stateOf(ctx);
      const refs = input.taskDefinitions ?? [];
      if (refs.length > 10) throw invalidParameter('You can delete at most 10 task definitions in one request.');
      const taskDefinitions: ECS.TaskDefinition[] = [];
      const failures: ECS.Failure[] = [];
      for (const ref of refs) {
        let td: TaskDefinitionRecord;
        try {
          if (parseRef(ctx, ref).revision === undefined) throw clientException('missing revision');
          td = resolveTaskDefinition(state, ctx, ref);
        } catch {
          failures.push({
            arn: ref,
            reason: 'TASK_DEFINITION_NOT_FOUND',
            detail: 'The specified task definition does not exist.',
          });
          continue;
        }
        if (td.status === 'ACTIVE') {
          failures.push({
            arn: td.taskDefinitionArn,
            reason: 'TASK_DEFINITION_IN_ACTIVE_STATE',
            detail:
              'The specified task definition is still in ACTIVE status. Please deregister the target and try again.',
          });
          continue;
        }
        td.status = 'DELETE_IN_PROGRESS';
        taskDefinitions.push(taskDefinitionView(td));
      }
      return { taskDefinitions, failures };
    },

    ListTaskDefinitions(input: ECS.ListTaskDefinitionsRequest, ctx): ECS.ListTaskDefinitionsResponse {
      const state = d.stateOf(ctx);
      const status = input.status ?? 'ACTIVE';
      const all: TaskDefinitionRecord[] = [];
      for (const [family, revisions] of Object.entries(state.taskDefinitions)) {
        // ListTaskDefinitions' familyPrefix names one family exactly (ListTaskDefinitionFamilies' is a prefix).
        if (input.familyPrefix && family !== input.familyPrefix) continue;
        for (const td of Object.values(revisions)) if (td.status === status) all.push(td);
      }
      // Sorted by family, then revision; the key keeps that order as text.
      const key = (td: TaskDefinitionRecord) => `${td.family}\u0001${String(td.revision).padStart(10, '0')}`;
      const desc = input.sort === 'DESC';
      const ordered = all
        .map((td) => ({ td, k: desc ? descendingKey(key(td)) : key(td) }))
        .sort((a, b) => (a.k < b.k ? -1 : 1));
      const { page, nextToken } = paginate(ordered, (x) => x.k, input, { defaultMax: 100, maxLimit: 100 });
      return { taskDefinitionArns: page.map((x) => x.td.taskDefinitionArn), ...(nextToken ? { nextToken } : {}) };
    },

    ListTaskDefinitionFamilies(
      input: ECS.ListTaskDefinitionFamiliesRequest,
      ctx,
    ): ECS.ListTaskDefinitionFamiliesResponse {
      const state = d.stateOf(ctx);
      const status = input.status ?? 'ACTIVE';
      const families = Object.entries(state.taskDefinitions)
        .filter(([family]) => !input.familyPrefix || family.startsWith(input.familyPrefix))
        .filter(([, revisions]) => {
          const list = Object.values(revisions).filter((r) => r.status !== 'DELETE_IN_PROGRESS');
          if (!list.length) return false;
          const active = list.some((r) => r.status === 'ACTIVE');
          return status === 'ALL' || (status === 'ACTIVE' ? active : !active);
        })
        .map(([family]) => family)
        .sort();
      const { page, nextToken } = paginate(families, (f) => f, input, { defaultMax: 100, maxLimit: 100 });
      return { families: page, ...(nextToken ? { nextToken } : {}) };
    },
  };
}
