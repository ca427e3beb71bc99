import type * as ECS from '@aws-sdk/client-ecs';
import { type RequestContext } from '@dockside/core';
import type { ContainerInstanceRecord, EcsState } from '../state/types';
import { ecsArn } from './arn';
import { tagsOf } from './tags';

/**
 * Container instances as the ECS agent registers them. Dockside runs tasks on its own engine,
 * so these exist for agents and tools that register them, and as the targets of attributes.
 */
export function findContainerInstance(
  state: EcsState,
  ctx: RequestContext,
  clusterName: string,
  ref: string,
): ContainerInstanceRecord | undefined {
  const arn = ref.startsWith('arn:') ? ref : ecsArn(ctx, `container-instance/${clusterName}/${ref}`);
  const ci = state.containerInstances[arn];
  return ci && ci.clusterName === clusterName ? ci : undefined;
}

export const containerInstanceView = (
  state: EcsState,
  ci: ContainerInstanceRecord,
  include?: string[],
): ECS.ContainerInstance => {
  const { clusterName: _c, ...rest } = ci;
  return { ...rest, ...(include?.includes('TAGS') ? { tags: tagsOf(state, ci.containerInstanceArn) } : {}) };
};
