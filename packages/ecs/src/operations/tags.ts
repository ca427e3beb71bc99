import type * as ECS from '@aws-sdk/client-ecs';
import { ServiceError, type OperationMap, type RequestContext } from '@dockside/core';
import { parseEcsArn } from '../arn';
import type { EcsState } from '../state/types';

/**
 * Tags of every taggable ECS resource live in one map by ARN. A resource family makes itself
 * taggable by registering an existence check for its ARN type here.
 */
export type TaggableCheck = (state: EcsState, arn: string, id: string) => boolean;
export const taggable: Record<string, { exists: TaggableCheck; notFound: () => ServiceError }> = {};

const MAX_TAGS = 50;

export function tagsOf(state: EcsState, arn: string): ECS.Tag[] {
  return (state.tags[arn] ?? []).map((t) => ({ ...t }));
}

export function deleteTags(state: EcsState, arn: string): void {
  delete state.tags[arn];
}

function checkTag(t: ECS.Tag) {
  const key = t.key ?? '';
  if (key.length < 1 || key.length > 128) {
    throw new ServiceError('InvalidParameterException', 'Tag keys must be between 1 and 128 characters in length.');
  }
  if ((t.value ?? '').length > 256) {
    throw new ServiceError('InvalidParameterException', 'Tag values must be between 0 and 256 characters in length.');
  }
  if (key.toLowerCase().startsWith('aws:')) {
    throw new ServiceError('InvalidParameterException', 'Tag keys and values prefixed with aws: are reserved for AWS use and cannot be used.');
  }
}

/**
 * Validates then stores tags (merging by key unless `replace`); nothing is stored on error.
 * `system` tags (ECS managed tags such as `aws:ecs:serviceName`) skip the check for `aws:` keys.
 */
export function setTags(state: EcsState, arn: string, tags: ECS.Tag[], opts: { replace?: boolean; system?: ECS.Tag[] } = {}): void {
  tags.forEach(checkTag);
  tags = [...tags, ...(opts.system ?? [])];
  const merged = new Map((opts.replace ? [] : (state.tags[arn] ?? [])).map((t) => [t.key!, t.value ?? '']));
  for (const t of tags) merged.set(t.key!, t.value ?? '');
  if (merged.size > MAX_TAGS) {
    throw new ServiceError('InvalidParameterException', `The resource can have at most ${MAX_TAGS} tags.`);
  }
  if (merged.size) state.tags[arn] = [...merged].map(([key, value]) => ({ key, value }));
  else delete state.tags[arn];
}

function existingResource(state: EcsState, ctx: RequestContext, arn: string): string {
  const p = parseEcsArn(arn);
  if (!p || !taggable[p.type]) {
    throw new ServiceError('InvalidParameterException', `The ARN ${arn} is not a valid ECS resource ARN.`);
  }
  const kind = taggable[p.type];
  if (p.region !== ctx.region || p.accountId !== ctx.accountId || !kind.exists(state, arn, p.id)) throw kind.notFound();
  return arn;
}

export function tagOperations(stateOf: (ctx: RequestContext) => EcsState): OperationMap {
  return {
    TagResource(input: ECS.TagResourceRequest, ctx): ECS.TagResourceResponse {
      const state = stateOf(ctx);
      setTags(state, existingResource(state, ctx, input.resourceArn!), input.tags ?? []);
      return {};
    },
    UntagResource(input: ECS.UntagResourceRequest, ctx): ECS.UntagResourceResponse {
      const state = stateOf(ctx);
      const arn = existingResource(state, ctx, input.resourceArn!);
      const drop = new Set(input.tagKeys ?? []);
      setTags(state, arn, tagsOf(state, arn).filter((t) => !drop.has(t.key!)), { replace: true });
      return {};
    },
    ListTagsForResource(input: ECS.ListTagsForResourceRequest, ctx): ECS.ListTagsForResourceResponse {
      const state = stateOf(ctx);
      return { tags: tagsOf(state, existingResource(state, ctx, input.resourceArn!)) };
    },
  };
}
