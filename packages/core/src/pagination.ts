import { ServiceError } from './errors';

export interface PageRequest {
  maxResults?: number;
  nextToken?: string;
}

/**
 * Token pagination over a list sorted by `key`: the token names the last key returned, so pages
 * stay correct when items are added or removed between calls. A token that was not issued here
 * is answered with `errorCode` (each service names its own).
 */
export function paginate<T>(
  items: T[],
  key: (item: T) => string,
  req: PageRequest,
  opts: { defaultMax: number; maxLimit?: number; errorCode?: string },
): { page: T[]; nextToken?: string } {
  const errorCode = opts.errorCode ?? 'InvalidParameterException';
  const max = pageSize(req.maxResults, opts);
  let start = 0;
  if (req.nextToken) {
    const after = decodePageToken(req.nextToken, errorCode);
    start = items.findIndex((i) => key(i) > after);
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + max);
  const more = start + max < items.length;
  return {
    page,
    nextToken: more ? encodePageToken(key(page[page.length - 1])) : undefined,
  };
}

/** The opaque token naming the last key returned. */
export const encodePageToken = (lastKey: string) => Buffer.from(JSON.stringify({ k: lastKey })).toString('base64url');

/** The last key a token names; a token not issued here is answered with `errorCode`. */
export function decodePageToken(token: string, errorCode = 'InvalidParameterException'): string {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof decoded?.k !== 'string') throw new Error('bad');
    return decoded.k;
  } catch {
    throw new ServiceError(errorCode, 'Invalid nextToken.');
  }
}

/** Checks maxResults against a service's limits (default when absent). */
export function pageSize(
  maxResults: number | undefined,
  opts: { defaultMax: number; maxLimit?: number; errorCode?: string },
): number {
  const max = maxResults ?? opts.defaultMax;
  if (!Number.isInteger(max) || max < 1 || (opts.maxLimit !== undefined && max > opts.maxLimit)) {
    throw new ServiceError(
      opts.errorCode ?? 'InvalidParameterException',
      `maxResults must be between 1 and ${opts.maxLimit ?? opts.defaultMax}.`,
    );
  }
  return max;
}

/** A key whose text order is the reverse of `k`'s, for paginating a descending listing. */
export function descendingKey(k: string): string {
  return [...k].map((c) => String.fromCharCode(0xffff - c.charCodeAt(0))).join('');
}
