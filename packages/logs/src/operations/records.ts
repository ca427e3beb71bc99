/**
 * Helpers for the Logs resources Dockside records without acting on them (deliveries, anomaly
 * detectors, lookup tables, scheduled queries, integrations, import tasks): one shape, `ArnRecord`,
 * so tagging, listing and lookups are written once.
 */
import { randomBytes } from 'node:crypto';
import { clone, ServiceError, paginate, type RequestContext } from '@dockside/core';
import type { ArnRecord, LogsState } from '../state/types';

export const notFound = (message: string) => new ServiceError('ResourceNotFoundException', message);
export const conflict = (message: string) => new ServiceError('ConflictException', message);

export const logsArn = (ctx: Pick<RequestContext, 'region' | 'accountId'>, resource: string) =>
  `arn:aws:logs:${ctx.region}:${ctx.accountId}:${resource}`;

/** A lower-case alphanumeric id of `n` characters, like the ids AWS gives deliveries and detectors. */
export function shortId(n = 16): string {
  const abc = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(n)].map((b) => abc[b % abc.length]).join('');
}

/** The record family `name` of the analytics resources, created on first use. */
export function family(state: LogsState, name: string): Record<string, ArnRecord> {
  return (state.records[name] ??= {});
}

export function view(r: ArnRecord, withTags = false): Record<string, unknown> {
  return { ...clone(r.fields), ...(withTags && Object.keys(r.tags).length ? { tags: { ...r.tags } } : {}) };
}

/** One page of records (sorted by `key`), with `nextToken` only when more remain. */
export function pageOf<T>(
  items: T[],
  key: (t: T) => string,
  input: { nextToken?: string; limit?: number; maxResults?: number },
  max = 50,
): { page: T[]; next: { nextToken?: string } } {
  const sorted = [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const { page, nextToken } = paginate(
    sorted,
    key,
    { maxResults: input.limit ?? input.maxResults, nextToken: input.nextToken },
    { defaultMax: max, maxLimit: max },
  );
  return { page, next: nextToken ? { nextToken } : {} };
}

/** Any recorded resource with tags, by ARN (log groups are looked up by the caller). */
export function taggedRecord(state: LogsState, arn: string): ArnRecord | undefined {
  for (const bag of [
    state.deliverySources,
    state.deliveryDestinations,
    state.deliveries,
    ...Object.values(state.records),
  ]) {
    for (const r of Object.values(bag)) if (r.arn === arn) return r;
  }
  return undefined;
}
