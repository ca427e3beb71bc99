import type * as ECS from '@aws-sdk/client-ecs';
import { ServiceError, descendingKey, paginate, type OperationMap, type RequestContext } from '@dockside/core';
import { ecsArn, parseEcsArn } from '../arn';
import type { EcsState, TaskDefinitionRecord } from '../state/types';
import { rootPrincipal } from './account-settings';
import { setTags, tagsOf } from './tags';
import { validateTaskDefinition } from './task-definition-rules';

const clientError = (message: string) => new ServiceError('ClientException', message);

/** `family`, `family:revision` or a full ARN → family and optional revision. */
function parseRef(ctx: RequestContext, ref: string): { family: string; revision?: number } {
  let body = ref;
  if (ref.startsWith('arn:')) {
    const p = parseEcsArn(ref);
    if (!p || p.type !== 'task-definition') throw clientError(`Invalid revision number or task definition ARN: ${ref}`);
    if (p.region !== ctx.region || p.accountId !== ctx.accountId) throw clientError('Unable to describe task definition.');
    body = p.id;
  }
  const m = /^([a-zA-Z0-9_-]{1,255})(?::(\d+))?$/.exec(body);
  if (!m) throw clientError(`Invalid revision number or task definition: ${ref}`);
  return { family: m[1], revision: m[2] ? Number(m[2]) : undefined };
}

/**
 * The task definition a reference names: a bare family means its latest ACTIVE revision.
 * DELETE_IN_PROGRESS revisions are not found.
 */
export function resolveTaskDefinition(state: EcsState, ctx: RequestContext, ref: string): TaskDefinitionRecord {
  const { family, revision } = parseRef(ctx, ref);
  const revisions = state.taskDefinitions[family] ?? {};
  let td: TaskDefinitionRecord | undefined;
  if (revision === undefined) {
    td = Object.values(revisions)
      .filter((r) => r.status === 'ACTIVE')
      .sort((a, b) => b.revision - a.revision)[0];
  } else {
    td = revisions[revision];
  }
  if (!td || td.status === 'DELETE_IN_PROGRESS') throw clientError('Unable to describe task definition.');
  return td;
}

/** The API view: the stored record minus nothing (records are stored in API shape). */
const view = (td: TaskDefinitionRecord): ECS.TaskDefinition => structuredClone(td);

export function taskDefinitionOperations(stateOf: (ctx: RequestContext) => EcsState): OperationMap {
  return {
    RegisterTaskDefinition(input: ECS.RegisterTaskDefinitionRequest, ctx): ECS.RegisterTaskDefinitionResponse {
      const state = stateOf(ctx);
      const v = validateTaskDefinition(input);
      const family = input.family!;
      const revision = (state.lastRevision[family] ?? 0) + 1;
      const arn = ecsArn(ctx, `task-definition/${family}:${revision}`);
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
        volumes: input.volumes ?? [],
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
      return { taskDefinition: view(td), tags: tagsOf(state, arn) };
    },

    DescribeTaskDefinition(input: ECS.DescribeTaskDefinitionRequest, ctx): ECS.DescribeTaskDefinitionResponse {
      const state = stateOf(ctx);
      const td = resolveTaskDefinition(state, ctx, input.taskDefinition!);
      return { taskDefinition: view(td), ...(input.include?.includes('TAGS') ? { tags: tagsOf(state, td.taskDefinitionArn) } : {}) };
    },

    DeregisterTaskDefinition(input: ECS.DeregisterTaskDefinitionRequest, ctx): ECS.DeregisterTaskDefinitionResponse {
      const state = stateOf(ctx);
      const { revision } = parseRef(ctx, input.taskDefinition!);
      if (revision === undefined) throw clientError('Invalid revision number. Specify the task definition as family:revision or its full ARN.');
      const td = resolveTaskDefinition(state, ctx, input.taskDefinition!);
      if (td.status === 'ACTIVE') {
        td.status = 'INACTIVE';
        td.deregisteredAt = new Date();
      }
      return { taskDefinition: view(td) };
    },

    DeleteTaskDefinitions(input: ECS.DeleteTaskDefinitionsRequest, ctx): ECS.DeleteTaskDefinitionsResponse {
      const state = stateOf(ctx);
      const refs = input.taskDefinitions ?? [];
      if (refs.length > 10) throw new ServiceError('InvalidParameterException', 'You can delete at most 10 task definitions in one request.');
      const taskDefinitions: ECS.TaskDefinition[] = [];
      const failures: ECS.Failure[] = [];
      for (const ref of refs) {
        let td: TaskDefinitionRecord;
        try {
          if (parseRef(ctx, ref).revision === undefined) throw clientError('missing revision');
          td = resolveTaskDefinition(state, ctx, ref);
        } catch {
          failures.push({ arn: ref, reason: 'TASK_DEFINITION_NOT_FOUND', detail: 'The specified task definition does not exist.' });
          continue;
        }
        if (td.status === 'ACTIVE') {
          failures.push({
            arn: td.taskDefinitionArn,
            reason: 'TASK_DEFINITION_IN_ACTIVE_STATE',
            detail: 'The specified task definition is still in ACTIVE status. Please deregister the target and try again.',
          });
          continue;
        }
        td.status = 'DELETE_IN_PROGRESS';
        taskDefinitions.push(view(td));
      }
      return { taskDefinitions, failures };
    },

    ListTaskDefinitions(input: ECS.ListTaskDefinitionsRequest, ctx): ECS.ListTaskDefinitionsResponse {
      const state = stateOf(ctx);
      const status = input.status ?? 'ACTIVE';
      const all: TaskDefinitionRecord[] = [];
      for (const [family, revisions] of Object.entries(state.taskDefinitions)) {
        if (input.familyPrefix && !family.startsWith(input.familyPrefix)) continue;
        for (const td of Object.values(revisions)) if (td.status === status) all.push(td);
      }
      // Sorted by family, then revision; the key keeps that order as text.
      const key = (td: TaskDefinitionRecord) => `${td.family}\u0001${String(td.revision).padStart(10, '0')}`;
      const desc = input.sort === 'DESC';
      const ordered = all.map((td) => ({ td, k: desc ? descendingKey(key(td)) : key(td) })).sort((a, b) => (a.k < b.k ? -1 : 1));
      const { page, nextToken } = paginate(ordered, (x) => x.k, input, { defaultMax: 100, maxLimit: 100 });
      return { taskDefinitionArns: page.map((x) => x.td.taskDefinitionArn), ...(nextToken ? { nextToken } : {}) };
    },

    ListTaskDefinitionFamilies(input: ECS.ListTaskDefinitionFamiliesRequest, ctx): ECS.ListTaskDefinitionFamiliesResponse {
      const state = stateOf(ctx);
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
