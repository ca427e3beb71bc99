import type * as ECS from '@aws-sdk/client-ecs';
import { clone, type RequestContext } from '@dockside/core';
import { clientException, invalidParameter } from '../errors';
import type { EcsState, TaskDefinitionRecord } from '../state/types';
import { parseEcsArn } from './arn';

/** `family`, `family:revision` or a full ARN → family and optional revision. */
export function parseRef(ctx: RequestContext, ref: string): { family: string; revision?: number } {
  let body = ref;
  if (ref.startsWith('arn:')) {
    const p = parseEcsArn(ref);
    if (!p || p.type !== 'task-definition')
      throw clientException(`Invalid revision number or task definition ARN: ${ref}`);
    if (p.region !== ctx.region || p.accountId !== ctx.accountId)
      throw clientException('Unable to describe task definition.');
    body = p.id;
  }
  const m = /^([a-zA-Z0-9_-]{1,255})(?::(\d+))?$/.exec(body);
  const rev = /^[a-zA-Z0-9_-]{1,255}:(.+)$/.exec(body)?.[1];
  if (!m && rev !== undefined) throw invalidParameter(`Invalid revision number. Number: ${rev}`);
  if (!m) throw clientException(`Invalid revision number or task definition: ${ref}`);
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
  if (!td || td.status === 'DELETE_IN_PROGRESS') throw clientException('Unable to describe task definition.');
  return td;
}

/** The API view: the stored record minus nothing (records are stored in API shape). */
export const taskDefinitionView = (td: TaskDefinitionRecord): ECS.TaskDefinition => clone(td);
