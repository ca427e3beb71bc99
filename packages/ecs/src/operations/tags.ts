import type * as ECS from '@aws-sdk/client-ecs';
import type { OperationMap } from '@dockside/core';
import type { EcsDomain } from '../domain/context';
import { existingResource, setTags, tagsOf } from '../domain/tags';

export function tagOperations({ stateOf }: EcsDomain): OperationMap {
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
      setTags(
        state,
        arn,
        tagsOf(state, arn).filter((t) => !drop.has(t.key!)),
        { replace: true },
      );
      return {};
    },
    ListTagsForResource(input: ECS.ListTagsForResourceRequest, ctx): ECS.ListTagsForResourceResponse {
      const state = stateOf(ctx);
      return { tags: tagsOf(state, existingResource(state, ctx, input.resourceArn!)) };
    },
  };
}
