import type { Bus } from '@dockside/core';

/** Where the page looks: one account and region at a time. */
export interface Scope {
  accountId: string;
  region: string;
}

/**
 * Calls any loaded service's operation, as the page needs it (the dashboard reads every plugin
 * through the bus, never their stores); undefined when that service is not loaded here.
 */
export type AwsCall = (service: string, operation: string, input?: object) => Promise<any>;

export function awsCaller(bus: Bus, scope: Scope): AwsCall {
  const call = bus.call as unknown as (s: string, o: string, i: object, opts: Scope) => Promise<any>;
  return (service, operation, input = {}) =>
    bus.isLoaded(service) ? call.call(bus, service, operation, input, scope) : Promise.resolve(undefined);
}

/** Every page of a paginated list call, concatenated (`key` names the list in the output). */
export async function listAll<T>(
  call: AwsCall,
  service: string,
  operation: string,
  key: string,
  input: Record<string, unknown> = {},
  token: { in: string; out: string } = { in: 'nextToken', out: 'nextToken' },
): Promise<T[]> {
  const all: T[] = [];
  let next: string | undefined;
  do {
    const page = await call(service, operation, { ...input, ...(next ? { [token.in]: next } : {}) });
    if (!page) return all;
    all.push(...((page[key] as T[] | undefined) ?? []));
    next = page[token.out];
  } while (next);
  return all;
}

/** `items` in groups of `size` (the Describe calls take at most 10, 20 or 100 names). */
export const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));
