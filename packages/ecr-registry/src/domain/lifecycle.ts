/** Lifecycle policies: the rule grammar (validated as ECR does) and which images each rule selects. */
import type * as ECR from '@aws-sdk/client-ecr';
import { invalidParameter } from '../errors';
import type { ImageRecord, RepositoryRecord } from '../state/types';
import { tagsOf } from './images';

export interface Rule {
  rulePriority: number;
  description?: string;
  selection: {
    tagStatus: 'tagged' | 'untagged' | 'any';
    tagPrefixList?: string[];
    tagPatternList?: string[];
    storageClass?: 'standard' | 'archive';
    countType: 'imageCountMoreThan' | 'sinceImagePushed' | 'sinceImagePulled' | 'sinceImageTransitioned';
    countUnit?: 'days';
    countNumber: number;
  };
  action: { type: 'expire' | 'transition'; targetStorageClass?: 'archive' };
}

const fail = (why: string) =>
  invalidParameter(
    `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ${why}'`,
  );

/** Parses and validates a policy document; returns its rules by priority. */
export function parsePolicy(text: string): Rule[] {
  let doc: { rules?: unknown };
  try {
    doc = JSON.parse(text);
  } catch {
    throw fail('the policy is not valid JSON');
  }
  if (!doc || !Array.isArray(doc.rules) || !doc.rules.length) throw fail('the policy must contain at least one rule');
  const rules = doc.rules as Rule[];
  const seen = new Set<number>();
  for (const r of rules) {
    if (!Number.isInteger(r.rulePriority) || r.rulePriority < 1)
      throw fail('rulePriority must be an integer of at least 1');
    if (seen.has(r.rulePriority)) throw fail(`rulePriority ${r.rulePriority} is not unique`);
    seen.add(r.rulePriority);
    const s = r.selection;
    if (!s || !['tagged', 'untagged', 'any'].includes(s.tagStatus))
      throw fail('selection.tagStatus must be tagged, untagged or any');
    if (s.tagStatus === 'tagged' && !s.tagPrefixList?.length && !s.tagPatternList?.length) {
      throw fail("a rule with tagStatus 'tagged' needs tagPrefixList or tagPatternList");
    }
    if (s.tagStatus !== 'tagged' && (s.tagPrefixList || s.tagPatternList))
      throw fail("tagPrefixList and tagPatternList are only for tagStatus 'tagged'");
    if (s.tagPrefixList && s.tagPatternList) throw fail('tagPrefixList and tagPatternList cannot both be given');
    for (const p of s.tagPatternList ?? [])
      if ((p.match(/\*/g) ?? []).length > 4) throw fail(`the tag pattern '${p}' has more than 4 wildcards`);
    if (
      !['imageCountMoreThan', 'sinceImagePushed', 'sinceImagePulled', 'sinceImageTransitioned'].includes(s.countType)
    ) {
      throw fail(
        'selection.countType must be imageCountMoreThan, sinceImagePushed, sinceImagePulled or sinceImageTransitioned',
      );
    }
    if (s.countType === 'imageCountMoreThan' && s.countUnit)
      throw fail('countUnit is not allowed with imageCountMoreThan');
    if (s.countType !== 'imageCountMoreThan' && s.countUnit !== 'days')
      throw fail(`countUnit must be 'days' with ${s.countType}`);
    if (!Number.isInteger(s.countNumber) || s.countNumber < 1)
      throw fail('countNumber must be an integer of at least 1');
    if (s.storageClass && !['standard', 'archive'].includes(s.storageClass))
      throw fail('storageClass must be standard or archive');
    if (!r.action || !['expire', 'transition'].includes(r.action.type))
      throw fail('action.type must be expire or transition');
    if (r.action.type === 'transition' && r.action.targetStorageClass !== 'archive')
      throw fail("a transition needs targetStorageClass 'archive'");
  }
  const any = rules.filter((r) => r.selection.tagStatus === 'any');
  const top = Math.max(...rules.map((r) => r.rulePriority));
  if (any.some((r) => r.rulePriority !== top))
    throw fail("a rule with tagStatus 'any' must have the highest rulePriority");
  return [...rules].sort((a, b) => a.rulePriority - b.rulePriority);
}

const globToRegex = (p: string) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\?]/g, '\\$&').replace(/\*/g, '.*')}$`);

function selects(rule: Rule, tags: string[]): boolean {
  const s = rule.selection;
  if (s.tagStatus === 'untagged') return tags.length === 0;
  if (s.tagStatus === 'any') return true;
  if (!tags.length) return false;
  // Every prefix (or pattern) given must be matched by one of the image's tags.
  if (s.tagPrefixList) return s.tagPrefixList.every((p) => tags.some((t) => t.startsWith(p)));
  return (s.tagPatternList ?? []).every((p) => tags.some((t) => globToRegex(p).test(t)));
}

export interface Verdict {
  image: ImageRecord;
  rule: Rule;
}

/** Images each rule acts on (an image is acted on by the first rule, by priority, that selects it). */
export function evaluate(repo: RepositoryRecord, rules: Rule[], now = Date.now()): Verdict[] {
  const taken = new Set<string>();
  const out: Verdict[] = [];
  const days = (n: number) => n * 86_400_000;
  for (const rule of rules) {
    const cls = rule.selection.storageClass === 'archive' ? 'ARCHIVE' : 'STANDARD';
    const pool = Object.values(repo.images).filter(
      (i) => !taken.has(i.digest) && i.storageClass === cls && selects(rule, tagsOf(repo, i.digest)),
    );
    let chosen: ImageRecord[];
    const n = rule.selection.countNumber;
    switch (rule.selection.countType) {
      case 'imageCountMoreThan':
        chosen = pool.sort((a, b) => b.pushedAt.getTime() - a.pushedAt.getTime()).slice(n);
        break;
      case 'sinceImagePushed':
        chosen = pool.filter((i) => now - i.pushedAt.getTime() > days(n));
        break;
      case 'sinceImagePulled':
        chosen = pool.filter((i) => now - (i.lastPulledAt ?? i.pushedAt).getTime() > days(n));
        break;
      default:
        chosen = pool.filter((i) => i.transitionedAt && now - i.transitionedAt.getTime() > days(n));
    }
    for (const image of chosen) {
      taken.add(image.digest);
      out.push({ image, rule });
    }
  }
  return out;
}

export function previewResult(repo: RepositoryRecord, v: Verdict): ECR.LifecyclePolicyPreviewResult {
  const tags = tagsOf(repo, v.image.digest);
  return {
    imageTags: tags.length ? tags : undefined,
    imageDigest: v.image.digest,
    imagePushedAt: v.image.pushedAt,
    action: {
      type: v.rule.action.type === 'expire' ? 'EXPIRE' : 'TRANSITION',
      targetStorageClass: v.rule.action.type === 'transition' ? 'ARCHIVE' : undefined,
    },
    appliedRulePriority: v.rule.rulePriority,
    storageClass: v.image.storageClass,
  } as ECR.LifecyclePolicyPreviewResult;
}
