/** AddTags, RemoveTags, DescribeTags on load balancers, target groups, listeners, rules and trust stores. */
import type * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import type { RequestContext } from '@dockside/core';
import { arnKind } from '../domain/ids';
import { getListener, getLoadBalancer, getRule, getTargetGroup, getTrustStore } from '../domain/lookup';
import { setTags } from '../domain/tags';
import { invalid } from '../errors';
import type { Elbv2State } from '../state/types';
import type { Elbv2Env } from './context';

/** Fails with the resource's own not-found error unless it exists. */
function mustExist(s: Elbv2State, arn: string) {
  const kind = arnKind(arn);
  if (kind === 'loadbalancer') getLoadBalancer(s, arn);
  else if (kind === 'targetgroup') getTargetGroup(s, arn);
  else if (kind === 'listener') getListener(s, arn);
  else if (kind === 'listener-rule') getRule(s, arn);
  else if (kind === 'truststore') getTrustStore(s, arn);
  else throw invalid(`'${arn}' is not a valid resource ARN`);
}

export function tagOperations(env: Elbv2Env) {
  const { stateOf } = env;
  return {
    AddTags(input: ELB.AddTagsInput, ctx: RequestContext): ELB.AddTagsOutput {
      const s = stateOf(ctx);
      for (const arn of input.ResourceArns ?? []) mustExist(s, arn);
      for (const arn of input.ResourceArns ?? []) setTags(s, arn, input.Tags ?? []);
      return {};
    },
    RemoveTags(input: ELB.RemoveTagsInput, ctx: RequestContext): ELB.RemoveTagsOutput {
      const s = stateOf(ctx);
      for (const arn of input.ResourceArns ?? []) mustExist(s, arn);
      const drop = new Set(input.TagKeys ?? []);
      for (const arn of input.ResourceArns ?? []) {
        if (s.tags[arn]) s.tags[arn] = s.tags[arn].filter((t) => !drop.has(t.Key!));
      }
      return {};
    },
    DescribeTags(input: ELB.DescribeTagsInput, ctx: RequestContext): ELB.DescribeTagsOutput {
      const s = stateOf(ctx);
      for (const arn of input.ResourceArns ?? []) mustExist(s, arn);
      return {
        TagDescriptions: (input.ResourceArns ?? []).map((arn) => ({ ResourceArn: arn, Tags: s.tags[arn] ?? [] })),
      };
    },
  };
}
