/** Tags of any ELBv2 resource (at most 50, keys unique). */
import type * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import { duplicateTagKeys, tooManyTags } from '../errors';
import type { Elbv2State } from '../state/types';

/** Adds or replaces tags on a resource, keeping AWS's limits. */
export function setTags(s: Elbv2State, arn: string, tags: ELB.Tag[]) {
  const seen = new Set<string>();
  for (const t of tags) {
    if (seen.has(t.Key!)) throw duplicateTagKeys(t.Key!);
    seen.add(t.Key!);
  }
  const current = [...(s.tags[arn] ?? [])];
  for (const t of tags) {
    const i = current.findIndex((x) => x.Key === t.Key);
    const tag = { Key: t.Key, Value: t.Value ?? '' };
    if (i >= 0) current[i] = tag;
    else current.push(tag);
  }
  if (current.length > 50) throw tooManyTags();
  if (current.length || s.tags[arn]) s.tags[arn] = current;
}
