import type * as EC2 from '@aws-sdk/client-ec2';
import { invalidParameterValue } from '../errors';

/** What a filter name reads from a resource: one value, several, or none. */
export type Field<T> = (r: T) => string | string[] | boolean | number | undefined;

const wildcard = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

/**
 * EC2's filter semantics: filters AND together, a filter's values OR together, values take `*`
 * and `?` wildcards, and `tag:<key>`, `tag-key`, `tag-value` read the resource's tags. A name the
 * resource does not know is refused as EC2 refuses it.
 */
export function applyFilters<T>(
  items: T[],
  filters: EC2.Filter[] | undefined,
  fields: Record<string, Field<T>>,
  tagsOf: (r: T) => Record<string, string>,
): T[] {
  if (!filters?.length) return items;
  const tests = filters.map((f) => {
    const name = f.Name ?? '';
    const patterns = (f.Values ?? []).map(wildcard);
    let read: (r: T) => string[];
    if (name.startsWith('tag:')) {
      const key = name.slice(4);
      read = (r) => (tagsOf(r)[key] !== undefined ? [tagsOf(r)[key]] : []);
    } else if (name === 'tag-key') read = (r) => Object.keys(tagsOf(r));
    else if (name === 'tag-value') read = (r) => Object.values(tagsOf(r));
    else {
      const field = fields[name];
      if (!field) throw invalidParameterValue(`The filter '${name}' is invalid`);
      read = (r) => {
        const v = field(r);
        return v === undefined ? [] : (Array.isArray(v) ? v : [v]).map(String);
      };
    }
    return (r: T) => read(r).some((v) => patterns.some((p) => p.test(v)));
  });
  return items.filter((r) => tests.every((t) => t(r)));
}

/** EC2's tag list shape for a resource's tags. */
export const tagList = (tags: Record<string, string> | undefined): EC2.Tag[] =>
  Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
