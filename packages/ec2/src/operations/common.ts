import type * as EC2 from '@aws-sdk/client-ec2';
import type { RequestContext, Store } from '@dockside/core';
import { ensureDefaults } from '../domain/network';
import { tagList } from '../domain/filters';
import { invalidParameterValue } from '../errors';
import type { Ec2State } from '../state/types';

export type StateOf = (ctx: RequestContext) => Ec2State;

/** The state of a request's account + region, with the default VPC made on first use. */
export const stateOfStore =
  (store: Store<Ec2State>): StateOf =>
  (ctx) => {
    const s = store.get(ctx.accountId, ctx.region);
    ensureDefaults(s, ctx.region);
    return s;
  };

/** Tags from `TagSpecifications` for the resource type being created (others are refused). */
export function tagsFromSpecs(specs: EC2.TagSpecification[] | undefined, resourceType: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const s of specs ?? []) {
    if (s.ResourceType && s.ResourceType !== resourceType)
      throw invalidParameterValue(`'${s.ResourceType}' is not a valid taggable resource type for this operation.`);
    for (const t of s.Tags ?? []) tags[t.Key!] = t.Value ?? '';
  }
  return tags;
}

export const tagsOf = (state: Ec2State, id: string) => state.tags[id] ?? {};
export const tagsView = (state: Ec2State, id: string) => tagList(state.tags[id]);

/** One page of `items`, by EC2's MaxResults (5–1000) and an opaque NextToken. */
export function page<T>(
  items: T[],
  input: { MaxResults?: number; NextToken?: string },
): { items: T[]; NextToken?: string } {
  const start = input.NextToken ? Number(Buffer.from(input.NextToken, 'base64url').toString()) : 0;
  if (!Number.isInteger(start) || start < 0)
    throw invalidParameterValue(`Invalid value '${input.NextToken}' for nextToken`);
  if (input.MaxResults === undefined) return { items: items.slice(start) };
  if (input.MaxResults < 5 || input.MaxResults > 1000)
    throw invalidParameterValue(
      `Value ( ${input.MaxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`,
    );
  const end = start + input.MaxResults;
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { NextToken: Buffer.from(String(end)).toString('base64url') } : {}),
  };
}
