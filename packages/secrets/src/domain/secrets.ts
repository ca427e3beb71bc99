/** Secrets Manager as the domain sees it: lookups, versions and stages, views, filters, passwords. */
import { randomInt, randomUUID } from 'node:crypto';
import type * as SM from '@aws-sdk/client-secrets-manager';
import { ServiceError, decodePageToken, encodePageToken, pageSize, type RequestContext } from '@dockside/core';
import { invalidParameter, markedForDeletion, secretNotFound } from '../errors';
import type { SecretRecord, SecretVersion, SecretsState } from '../state/types';

export const CURRENT = 'AWSCURRENT';
export const PREVIOUS = 'AWSPREVIOUS';
export const PENDING = 'AWSPENDING';
export const DAY = 86_400_000;
export const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
export const SUFFIX_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

export const suffix = () => Array.from({ length: 6 }, () => SUFFIX_CHARS[randomInt(SUFFIX_CHARS.length)]).join('');

/** Secrets whose recovery window has passed are gone for good. */
export function purge(state: SecretsState, now = Date.now()) {
  for (const [name, s] of Object.entries(state.secrets))
    if (s.deletionDate !== undefined && s.deletionDate.getTime() <= now) delete state.secrets[name];
}

/**
 * A secret by name, full ARN, or partial ARN (the ARN without its 6-character suffix), as
 * `SecretId` accepts everywhere.
 */
export function findSecret(
  state: SecretsState,
  id: string | undefined,
  ctx: Pick<RequestContext, 'accountId' | 'region'>,
): SecretRecord {
  purge(state);
  if (!id) throw invalidParameter('You must provide a value for the SecretId parameter.');
  if (id.startsWith('arn:')) {
    const m = /^arn:aws[\w-]*:secretsmanager:([^:]+):(\d{12}):secret:(.+)$/.exec(id);
    if (!m || m[1] !== ctx.region || m[2] !== ctx.accountId) throw secretNotFound();
    for (const s of Object.values(state.secrets)) if (s.arn === id || s.arn.slice(0, -7) === id) return s;
    throw secretNotFound();
  }
  const s = state.secrets[id];
  if (!s) throw secretNotFound();
  return s;
}

export const live = (s: SecretRecord) => {
  if (s.deletionDate !== undefined) throw markedForDeletion();
  return s;
};

export function checkValue(input: { SecretString?: string; SecretBinary?: unknown }) {
  if (input.SecretString !== undefined && input.SecretBinary !== undefined) {
    throw invalidParameter(
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  }
  if (input.SecretString !== undefined && Buffer.byteLength(input.SecretString) > 65_536) {
    throw invalidParameter('The secret value exceeds the maximum size of 65,536 bytes.');
  }
}

export const hasValue = (input: { SecretString?: string; SecretBinary?: unknown }) =>
  input.SecretString !== undefined || input.SecretBinary !== undefined;

export function checkToken(token: string | undefined): string {
  if (token === undefined) return randomUUID();
  if (token.length < 32 || token.length > 64) {
    throw invalidParameter('ClientRequestToken must be between 32 and 64 characters long.');
  }
  return token;
}

/** Attaches `stage` to `versionId`, taking it from whichever version had it; AWSCURRENT leaves AWSPREVIOUS behind. */
export function moveStage(s: SecretRecord, stage: string, versionId: string) {
  const holder = Object.values(s.versions).find((v) => v.stages.includes(stage));
  if (holder?.versionId === versionId) return;
  if (holder) holder.stages = holder.stages.filter((x) => x !== stage);
  if (stage === CURRENT && holder) {
    for (const v of Object.values(s.versions)) v.stages = v.stages.filter((x) => x !== PREVIOUS);
    holder.stages.push(PREVIOUS);
  }
  const target = s.versions[versionId];
  if (!target.stages.includes(stage)) target.stages.push(stage);
}

/** Adds a version (idempotent on the token: same value → same version, other value → refused). */
export function addVersion(
  s: SecretRecord,
  token: string,
  input: { SecretString?: string; SecretBinary?: string },
  stages: string[],
): { version: SecretVersion; created: boolean } {
  const existing = s.versions[token];
  if (existing) {
    if (existing.secretString !== input.SecretString || existing.secretBinary !== input.SecretBinary) {
      throw new ServiceError(
        'ResourceExistsException',
        "You can't modify an existing version, you can only create a new version.",
      );
    }
    return { version: existing, created: false };
  }
  const now = new Date();
  const version: SecretVersion = {
    versionId: token,
    ...(input.SecretString !== undefined ? { secretString: input.SecretString } : {}),
    ...(input.SecretBinary !== undefined ? { secretBinary: input.SecretBinary } : {}),
    createdDate: now,
    stages: [],
  };
  s.versions[token] = version;
  s.versionOrder.push(token);
  for (const stage of stages) moveStage(s, stage, token);
  s.lastChangedDate = now;
  // AWS keeps about 100 versions: the oldest versions without a stage go first.
  while (s.versionOrder.length > 100) {
    const drop = s.versionOrder.find((id) => s.versions[id].stages.length === 0);
    if (!drop) break;
    delete s.versions[drop];
    s.versionOrder = s.versionOrder.filter((id) => id !== drop);
  }
  return { version, created: true };
}

export function versionOf(s: SecretRecord, versionId?: string, stage?: string): SecretVersion {
  if (versionId !== undefined) {
    const v = s.versions[versionId];
    if (!v || (stage !== undefined && !v.stages.includes(stage))) {
      throw new ServiceError(
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`,
      );
    }
    return v;
  }
  const label = stage ?? CURRENT;
  const v = Object.values(s.versions).find((x) => x.stages.includes(label));
  if (!v)
    throw new ServiceError(
      'ResourceNotFoundException',
      `Secrets Manager can't find the specified secret value for staging label: ${label}`,
    );
  return v;
}

export const stagesMap = (s: SecretRecord, includeUnstaged = false) => {
  const out: Record<string, string[]> = {};
  for (const id of s.versionOrder)
    if (includeUnstaged || s.versions[id].stages.length) out[id] = [...s.versions[id].stages];
  return out;
};

export function describe(s: SecretRecord): SM.DescribeSecretResponse {
  return {
    ARN: s.arn,
    Name: s.name,
    ...(s.description !== undefined ? { Description: s.description } : {}),
    ...(s.kmsKeyId ? { KmsKeyId: s.kmsKeyId } : {}),
    // AWS leaves out what was never set: RotationEnabled until rotation is configured, empty Tags
    // and VersionIdsToStages.
    ...(s.rotation ? { RotationEnabled: s.rotation.enabled } : {}),
    ...(s.rotation?.lambdaArn ? { RotationLambdaARN: s.rotation.lambdaArn } : {}),
    ...(s.rotation?.rules ? { RotationRules: s.rotation.rules } : {}),
    ...(s.rotation?.lastRotatedDate ? { LastRotatedDate: s.rotation.lastRotatedDate } : {}),
    LastChangedDate: s.lastChangedDate,
    ...(s.lastAccessedDate ? { LastAccessedDate: startOfDay(s.lastAccessedDate) } : {}),
    ...(s.deletedDate !== undefined ? { DeletedDate: s.deletedDate } : {}),
    ...(s.tags.length ? { Tags: s.tags.map((t) => ({ ...t })) } : {}),
    ...(Object.keys(stagesMap(s)).length ? { VersionIdsToStages: stagesMap(s) } : {}),
    CreatedDate: s.createdDate,
  };
}

/** Secrets Manager reports access dates at day granularity. */
export const startOfDay = (d: Date) => new Date(d.getTime() - (d.getTime() % DAY));

export function checkTags(tags: { Key?: string; Value?: string }[]) {
  for (const t of tags) {
    if (!t.Key || t.Key.length > 128) throw invalidParameter('Tag keys must be between 1 and 128 characters.');
    if (t.Key.toLowerCase().startsWith('aws:'))
      throw invalidParameter('Tag keys prefixed with aws: are reserved for AWS use.');
    if ((t.Value ?? '').length > 256) throw invalidParameter('Tag values must be at most 256 characters.');
  }
}

/** ListSecrets / BatchGetSecretValue filters: prefix matches, `!` negates, values OR'ed, filters AND'ed. */
/**
 * ListSecrets filters are checked before anything is listed, with AWS's messages (a key that is
 * not one of the model's values is refused by model validation, before this).
 */
export function checkSecretFilters(filters: SM.Filter[] | undefined): void {
  for (const f of filters ?? []) {
    if (!f.Key) throw invalidParameter('Invalid filter key');
    if (!f.Values) throw invalidParameter(`Invalid filter values for key: ${f.Key}`);
  }
}

export function matchesFilters(s: SecretRecord, filters: SM.Filter[] | undefined): boolean {
  for (const f of filters ?? []) {
    const values = f.Values ?? [];
    const attrs = (): { text: string[]; caseless: boolean } => {
      switch (f.Key) {
        case 'name':
          return { text: [s.name], caseless: false };
        case 'description':
          return { text: [s.description ?? ''], caseless: true };
        case 'tag-key':
          return { text: s.tags.map((t) => t.Key), caseless: false };
        case 'tag-value':
          return { text: s.tags.map((t) => t.Value), caseless: false };
        case 'primary-region':
          return { text: [s.primaryRegion ?? s.arn.split(':')[3]], caseless: false };
        case 'owning-service':
          return { text: [], caseless: false };
        default: {
          const words = [s.name, s.description ?? '', ...s.tags.flatMap((t) => [t.Key, t.Value])].flatMap(wordsOf);
          return { text: words, caseless: true };
        }
      }
    };
    const { text, caseless } = attrs();
    const any = values.some((raw) => {
      const negate = raw.startsWith('!');
      const value = negate ? raw.slice(1) : raw;
      const test = (t: string) => (caseless ? t.toLowerCase().startsWith(value.toLowerCase()) : t.startsWith(value));
      const hit =
        f.Key === 'all'
          ? wordsOf(value).every((w) => text.some((t) => t.toLowerCase().startsWith(w.toLowerCase())))
          : text.some(test);
      return negate ? !hit : hit;
    });
    if (!any) return false;
  }
  return true;
}

/** Words as the `all` filter sees them: split at punctuation, letter/digit and lower/upper changes. */
export const wordsOf = (text: string) => text.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+/g) ?? [];

export function sortKey(s: SecretRecord, by: string | undefined): string {
  switch (by) {
    case 'name':
      return `${s.name}`;
    case 'last-changed-date':
      return `${String(s.lastChangedDate.getTime()).padStart(15, '0')}\u0000${s.name}`;
    case 'last-accessed-date':
      return `${String(s.lastAccessedDate?.getTime() ?? 0).padStart(15, '0')}\u0000${s.name}`;
    default:
      return `${String(s.createdDate.getTime()).padStart(15, '0')}\u0000${s.name}`;
  }
}

/** Pages over secrets sorted by `key`, in either direction; tokens name the last key returned. */
export function pageOf(
  list: SecretRecord[],
  key: (s: SecretRecord) => string,
  desc: boolean,
  req: { MaxResults?: number; NextToken?: string },
) {
  const max = pageSize(req.MaxResults, { defaultMax: 100, maxLimit: 100, errorCode: 'InvalidParameterException' });
  const sorted = list.map((s) => ({ s, k: key(s) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  if (desc) sorted.reverse();
  let start = 0;
  if (req.NextToken) {
    const after = decodePageToken(req.NextToken, 'InvalidNextTokenException');
    start = sorted.findIndex((e) => (desc ? e.k < after : e.k > after));
    if (start < 0) start = sorted.length;
  }
  const page = sorted.slice(start, start + max);
  return {
    page: page.map((e) => e.s),
    nextToken: start + max < sorted.length ? encodePageToken(page[page.length - 1].k) : undefined,
  };
}

/** Secrets Manager's GetRandomPassword, with every option. */
export function randomPassword(input: SM.GetRandomPasswordRequest): string {
  const length = input.PasswordLength ?? 32;
  if (!Number.isInteger(length) || length < 1 || length > 4096)
    throw invalidParameter('PasswordLength must be between 1 and 4096.');
  const exclude = new Set(input.ExcludeCharacters ?? '');
  const keep = (chars: string) => [...chars].filter((c) => !exclude.has(c)).join('');
  const classes = [
    input.ExcludeLowercase ? '' : keep('abcdefghijklmnopqrstuvwxyz'),
    input.ExcludeUppercase ? '' : keep('ABCDEFGHIJKLMNOPQRSTUVWXYZ'),
    input.ExcludeNumbers ? '' : keep('0123456789'),
    input.ExcludePunctuation ? '' : keep(PUNCTUATION),
    input.IncludeSpace ? keep(' ') : '',
  ].filter(Boolean);
  const all = classes.join('');
  if (!all) throw invalidParameter('The password cannot be generated: every character type is excluded.');
  const requireEach = input.RequireEachIncludedType ?? true;
  if (requireEach && length < classes.length) {
    throw invalidParameter(
      `PasswordLength must be at least ${classes.length} to include each required character type.`,
    );
  }
  const chars = Array.from({ length }, () => all[randomInt(all.length)]);
  if (requireEach) {
    // One of each included type at distinct random positions.
    const positions = new Set<number>();
    while (positions.size < classes.length) positions.add(randomInt(length));
    [...positions].forEach((p, i) => (chars[p] = classes[i][randomInt(classes[i].length)]));
  }
  return chars.join('');
}

export function checkPolicy(policy: string | undefined): Record<string, unknown> {
  try {
    const doc = JSON.parse(policy ?? '');
    if (doc && typeof doc === 'object' && !Array.isArray(doc)) return doc;
  } catch {
    /* answered below */
  }
  throw new ServiceError('MalformedPolicyDocumentException', 'This resource policy contains a syntax error.');
}

/** A statement that allows `*` principals without conditions is broad access (BlockPublicPolicy). */
export function grantsPublicAccess(doc: Record<string, unknown>): boolean {
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  return (statements as Record<string, unknown>[]).some((st) => {
    if (st.Effect !== 'Allow' || st.Condition) return false;
    const p = st.Principal as unknown;
    return (
      p === '*' ||
      (typeof p === 'object' &&
        p !== null &&
        ((p as Record<string, unknown>).AWS === '*' ||
          (Array.isArray((p as Record<string, unknown>).AWS) && (p as Record<string, unknown[]>).AWS.includes('*'))))
    );
  });
}
