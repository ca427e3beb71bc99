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
  const max = req.maxResults ?? opts.defaultMax;
  if (!Number.isInteger(max) || max < 1 || (opts.maxLimit !== undefined && max > opts.maxLimit)) {
    throw new ServiceError(errorCode, `maxResults must be between 1 and ${opts.maxLimit ?? opts.defaultMax}.`);
  }
  let start = 0;
  if (req.nextToken) {
    let after: string;
    try {
      const decoded = JSON.parse(Buffer.from(req.nextToken, 'base64url').toString('utf8'));
      if (typeof decoded?.k !== 'string') throw new Error('bad');
      after = decoded.k;
    } catch {
      throw new ServiceError(errorCode, 'Invalid nextToken.');
    }
    start = items.findIndex((i) => key(i) > after);
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + max);
  const more = start + max < items.length;
  return {
    page,
    nextToken: more ? Buffer.from(JSON.stringify({ k: key(page[page.length - 1]) })).toString('base64url') : undefined,
  };
}

/** A key whose text order is the reverse of `k`'s, for paginating a descending listing. */
export function descendingKey(k: string): string {
  return [...k].map((c) => String.fromCharCode(0xffff - c.charCodeAt(0))).join('');
}
