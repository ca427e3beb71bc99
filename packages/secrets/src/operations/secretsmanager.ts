import { randomInt, randomUUID } from 'node:crypto';
import type * as SM from '@aws-sdk/client-secrets-manager';
import {
  ServiceError,
  decodePageToken,
  encodePageToken,
  pageSize,
  type OperationMap,
  type RequestContext,
} from '@dockside/core';
import type { SecretRecord, SecretVersion, SecretsState } from '../state';

const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';
const PENDING = 'AWSPENDING';
const DAY = 86_400_000;
const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SUFFIX_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

const invalidParameter = (m: string) => new ServiceError('InvalidParameterException', m);
const invalidRequest = (m: string) => new ServiceError('InvalidRequestException', m);
export const secretNotFound = () =>
  new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
const markedForDeletion = () =>
  invalidRequest("You can't perform this operation on the secret because it was marked for deletion.");

const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));
const suffix = () => Array.from({ length: 6 }, () => SUFFIX_CHARS[randomInt(SUFFIX_CHARS.length)]).join('');

/** Secrets whose recovery window has passed are gone for good. */
function purge(state: SecretsState, now = Date.now()) {
  for (const [name, s] of Object.entries(state.secrets))
    if (s.deletionDate !== undefined && s.deletionDate <= now) delete state.secrets[name];
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

const live = (s: SecretRecord) => {
  if (s.deletionDate !== undefined) throw markedForDeletion();
  return s;
};

function checkValue(input: { SecretString?: string; SecretBinary?: unknown }) {
  if (input.SecretString !== undefined && input.SecretBinary !== undefined) {
    throw invalidParameter(
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  }
  if (input.SecretString !== undefined && Buffer.byteLength(input.SecretString) > 65_536) {
    throw invalidParameter('The secret value exceeds the maximum size of 65,536 bytes.');
  }
}

const hasValue = (input: { SecretString?: string; SecretBinary?: unknown }) =>
  input.SecretString !== undefined || input.SecretBinary !== undefined;

function checkToken(token: string | undefined): string {
  if (token === undefined) return randomUUID();
  if (token.length < 32 || token.length > 64) {
    throw invalidParameter('ClientRequestToken must be between 32 and 64 characters long.');
  }
  return token;
}

/** Attaches `stage` to `versionId`, taking it from whichever version had it; AWSCURRENT leaves AWSPREVIOUS behind. */
function moveStage(s: SecretRecord, stage: string, versionId: string) {
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
function addVersion(
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
  const now = Date.now();
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

function versionOf(s: SecretRecord, versionId?: string, stage?: string): SecretVersion {
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

const stagesMap = (s: SecretRecord, includeUnstaged = false) => {
  const out: Record<string, string[]> = {};
  for (const id of s.versionOrder)
    if (includeUnstaged || s.versions[id].stages.length) out[id] = [...s.versions[id].stages];
  return out;
};

function describe(s: SecretRecord): SM.DescribeSecretResponse {
  return {
    ARN: s.arn,
    Name: s.name,
    ...(s.description !== undefined ? { Description: s.description } : {}),
    ...(s.kmsKeyId ? { KmsKeyId: s.kmsKeyId } : {}),
    RotationEnabled: s.rotation?.enabled ?? false,
    ...(s.rotation?.lambdaArn ? { RotationLambdaARN: s.rotation.lambdaArn } : {}),
    ...(s.rotation?.rules ? { RotationRules: s.rotation.rules } : {}),
    ...(s.rotation?.lastRotatedDate ? { LastRotatedDate: date(s.rotation.lastRotatedDate) } : {}),
    LastChangedDate: date(s.lastChangedDate),
    ...(s.lastAccessedDate ? { LastAccessedDate: date(startOfDay(s.lastAccessedDate)) } : {}),
    ...(s.deletedDate !== undefined ? { DeletedDate: date(s.deletedDate) } : {}),
    Tags: s.tags.map((t) => ({ ...t })),
    VersionIdsToStages: stagesMap(s),
    CreatedDate: date(s.createdDate),
  };
}

/** AWS reports the last access rounded down to the day. */
const startOfDay = (ms: number) => ms - (ms % DAY);

function checkTags(tags: { Key?: string; Value?: string }[]) {
  for (const t of tags) {
    if (!t.Key || t.Key.length > 128) throw invalidParameter('Tag keys must be between 1 and 128 characters.');
    if (t.Key.toLowerCase().startsWith('aws:'))
      throw invalidParameter('Tag keys prefixed with aws: are reserved for AWS use.');
    if ((t.Value ?? '').length > 256) throw invalidParameter('Tag values must be at most 256 characters.');
  }
}

/** ListSecrets / BatchGetSecretValue filters: prefix matches, `!` negates, values OR'ed, filters AND'ed. */
function matchesFilters(s: SecretRecord, filters: SM.Filter[] | undefined): boolean {
  for (const f of filters ?? []) {
    const values = f.Values ?? [];
    if (!f.Key) throw invalidParameter('Filter key is required.');
    if (!values.length) throw invalidParameter(`Filter ${f.Key} needs at least one value.`);
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
          return { text: [s.arn.split(':')[3]], caseless: false };
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
const wordsOf = (text: string) => text.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+/g) ?? [];

function sortKey(s: SecretRecord, by: string | undefined): string {
  switch (by) {
    case 'name':
      return `${s.name}`;
    case 'last-changed-date':
      return `${String(s.lastChangedDate).padStart(15, '0')}\u0000${s.name}`;
    case 'last-accessed-date':
      return `${String(s.lastAccessedDate ?? 0).padStart(15, '0')}\u0000${s.name}`;
    default:
      return `${String(s.createdDate).padStart(15, '0')}\u0000${s.name}`;
  }
}

/** Pages over secrets sorted by `key`, in either direction; tokens name the last key returned. */
function pageOf(
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

function checkPolicy(policy: string | undefined): Record<string, unknown> {
  try {
    const doc = JSON.parse(policy ?? '');
    if (doc && typeof doc === 'object' && !Array.isArray(doc)) return doc;
  } catch {
    /* answered below */
  }
  throw new ServiceError('MalformedPolicyDocumentException', 'This resource policy contains a syntax error.');
}

export function secretsManagerOperations(stateOf: (ctx: RequestContext) => SecretsState): OperationMap {
  const lookup = (ctx: RequestContext, id: string | undefined) => findSecret(stateOf(ctx), id, ctx);
  const ref = (s: SecretRecord) => ({ ARN: s.arn, Name: s.name });

  const getValue = (
    s: SecretRecord,
    input: { VersionId?: string; VersionStage?: string },
  ): SM.GetSecretValueResponse => {
    live(s);
    const v = versionOf(s, input.VersionId, input.VersionStage);
    const now = Date.now();
    v.lastAccessedDate = now;
    s.lastAccessedDate = now;
    return {
      ARN: s.arn,
      Name: s.name,
      VersionId: v.versionId,
      ...(v.secretString !== undefined ? { SecretString: v.secretString } : {}),
      ...(v.secretBinary !== undefined ? { SecretBinary: v.secretBinary as unknown as Uint8Array } : {}),
      VersionStages: [...v.stages],
      CreatedDate: date(v.createdDate),
    };
  };

  return {
    CreateSecret(input: SM.CreateSecretRequest, ctx): SM.CreateSecretResponse {
      const state = stateOf(ctx);
      purge(state);
      const name = input.Name ?? '';
      if (!NAME.test(name)) {
        throw invalidParameter(
          'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
        );
      }
      checkValue(input);
      checkTags(input.Tags ?? []);
      const existing = state.secrets[name];
      if (existing) {
        if (existing.deletionDate !== undefined)
          throw invalidRequest(
            "You can't create this secret because a secret with this name is already scheduled for deletion.",
          );
        // A retry with the same token and value is answered as the first call was.
        if (input.ClientRequestToken && existing.versions[input.ClientRequestToken]) {
          const v = existing.versions[input.ClientRequestToken];
          if (
            v.secretString === input.SecretString &&
            v.secretBinary === (input.SecretBinary as unknown as string | undefined)
          ) {
            return { ...ref(existing), VersionId: v.versionId };
          }
        }
        throw new ServiceError(
          'ResourceExistsException',
          `The operation failed because the secret ${name} already exists.`,
        );
      }
      const token = checkToken(input.ClientRequestToken);
      const now = Date.now();
      const s: SecretRecord = {
        arn: `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:${name}-${suffix()}`,
        name,
        ...(input.Description !== undefined ? { description: input.Description } : {}),
        ...(input.KmsKeyId ? { kmsKeyId: input.KmsKeyId } : {}),
        createdDate: now,
        lastChangedDate: now,
        tags: (input.Tags ?? []).map((t) => ({ Key: t.Key!, Value: t.Value ?? '' })),
        versions: {},
        versionOrder: [],
      };
      state.secrets[name] = s;
      if (!hasValue(input)) return ref(s);
      const { version } = addVersion(
        s,
        token,
        { SecretString: input.SecretString, SecretBinary: input.SecretBinary as unknown as string },
        [CURRENT],
      );
      return { ...ref(s), VersionId: version.versionId, ReplicationStatus: [] };
    },

    GetSecretValue(input: SM.GetSecretValueRequest, ctx): SM.GetSecretValueResponse {
      return getValue(lookup(ctx, input.SecretId), input);
    },

    BatchGetSecretValue(input: SM.BatchGetSecretValueRequest, ctx): SM.BatchGetSecretValueResponse {
      const state = stateOf(ctx);
      purge(state);
      if (input.SecretIdList && input.Filters)
        throw invalidParameter('Either SecretIdList or Filters must be provided, but not both.');
      if (!input.SecretIdList && !input.Filters)
        throw invalidParameter('Either SecretIdList or Filters must be provided.');
      if (input.SecretIdList) {
        if (input.MaxResults !== undefined) throw invalidParameter('MaxResults can only be used with Filters.');
        if (input.SecretIdList.length < 1 || input.SecretIdList.length > 20)
          throw invalidParameter('SecretIdList must contain between 1 and 20 secret IDs.');
        const SecretValues: SM.SecretValueEntry[] = [];
        const Errors: SM.APIErrorType[] = [];
        for (const id of input.SecretIdList) {
          try {
            SecretValues.push(getValue(lookup(ctx, id), {}));
          } catch (e) {
            if (!(e instanceof ServiceError)) throw e;
            Errors.push({ SecretId: id, ErrorCode: e.code, Message: e.message });
          }
        }
        return { SecretValues, Errors };
      }
      const matching = Object.values(state.secrets).filter(
        (s) => s.deletionDate === undefined && matchesFilters(s, input.Filters),
      );
      const { page, nextToken } = pageOf(matching, (s) => sortKey(s, undefined), false, {
        MaxResults: input.MaxResults ?? 20,
        NextToken: input.NextToken,
      });
      const SecretValues: SM.SecretValueEntry[] = [];
      const Errors: SM.APIErrorType[] = [];
      for (const s of page) {
        try {
          SecretValues.push(getValue(s, {}));
        } catch (e) {
          if (!(e instanceof ServiceError)) throw e;
          Errors.push({ SecretId: s.arn, ErrorCode: e.code, Message: e.message });
        }
      }
      return { SecretValues, Errors, ...(nextToken ? { NextToken: nextToken } : {}) };
    },

    PutSecretValue(input: SM.PutSecretValueRequest, ctx): SM.PutSecretValueResponse {
      const s = live(lookup(ctx, input.SecretId));
      checkValue(input);
      if (!hasValue(input)) throw invalidParameter('You must provide either SecretString or SecretBinary.');
      const token = checkToken(input.ClientRequestToken);
      const stages = input.VersionStages ?? [CURRENT];
      if (stages.length < 1 || stages.length > 20)
        throw invalidParameter('VersionStages must contain between 1 and 20 labels.');
      const { version } = addVersion(
        s,
        token,
        { SecretString: input.SecretString, SecretBinary: input.SecretBinary as unknown as string },
        stages,
      );
      return { ...ref(s), VersionId: version.versionId, VersionStages: [...version.stages] };
    },

    UpdateSecret(input: SM.UpdateSecretRequest, ctx): SM.UpdateSecretResponse {
      const s = live(lookup(ctx, input.SecretId));
      checkValue(input);
      if (input.Description !== undefined) s.description = input.Description;
      if (input.KmsKeyId !== undefined) s.kmsKeyId = input.KmsKeyId;
      s.lastChangedDate = Date.now();
      if (!hasValue(input)) return ref(s);
      const token = checkToken(input.ClientRequestToken);
      const { version } = addVersion(
        s,
        token,
        { SecretString: input.SecretString, SecretBinary: input.SecretBinary as unknown as string },
        [CURRENT],
      );
      return { ...ref(s), VersionId: version.versionId };
    },

    UpdateSecretVersionStage(input: SM.UpdateSecretVersionStageRequest, ctx): SM.UpdateSecretVersionStageResponse {
      const s = live(lookup(ctx, input.SecretId));
      const stage = input.VersionStage!;
      const holder = Object.values(s.versions).find((v) => v.stages.includes(stage));
      if (input.MoveToVersionId !== undefined && !s.versions[input.MoveToVersionId]) {
        throw invalidParameter(`The version ${input.MoveToVersionId} doesn't exist for secret ${s.name}.`);
      }
      if (holder && holder.versionId !== input.MoveToVersionId && input.RemoveFromVersionId !== holder.versionId) {
        throw invalidParameter(
          `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.versionId}, so you must explicitly reference that version in RemoveFromVersionId.`,
        );
      }
      if (input.RemoveFromVersionId !== undefined && (!holder || holder.versionId !== input.RemoveFromVersionId)) {
        throw invalidParameter(`The staging label ${stage} is not attached to version ${input.RemoveFromVersionId}.`);
      }
      if (input.MoveToVersionId !== undefined) {
        moveStage(s, stage, input.MoveToVersionId);
      } else if (holder) {
        if (stage === CURRENT)
          throw invalidParameter(
            `You can only move staging label ${CURRENT} to a different secret version. It can't be completely removed.`,
          );
        holder.stages = holder.stages.filter((x) => x !== stage);
      }
      s.lastChangedDate = Date.now();
      return ref(s);
    },

    DescribeSecret(input: SM.DescribeSecretRequest, ctx): SM.DescribeSecretResponse {
      return describe(lookup(ctx, input.SecretId));
    },

    ListSecrets(input: SM.ListSecretsRequest, ctx): SM.ListSecretsResponse {
      const state = stateOf(ctx);
      purge(state);
      const matching = Object.values(state.secrets).filter(
        (s) => (input.IncludePlannedDeletion || s.deletionDate === undefined) && matchesFilters(s, input.Filters),
      );
      const { page, nextToken } = pageOf(matching, (s) => sortKey(s, input.SortBy), input.SortOrder === 'desc', input);
      return {
        SecretList: page.map((s) => {
          const { VersionIdsToStages, ...rest } = describe(s);
          return { ...rest, SecretVersionsToStages: VersionIdsToStages };
        }),
        ...(nextToken ? { NextToken: nextToken } : {}),
      };
    },

    ListSecretVersionIds(input: SM.ListSecretVersionIdsRequest, ctx): SM.ListSecretVersionIdsResponse {
      const s = lookup(ctx, input.SecretId);
      const max = pageSize(input.MaxResults, { defaultMax: 100, maxLimit: 100 });
      const ids = s.versionOrder.filter((id) => input.IncludeDeprecated || s.versions[id].stages.length);
      let start = 0;
      if (input.NextToken) {
        const after = decodePageToken(input.NextToken, 'InvalidNextTokenException');
        start = ids.indexOf(after) + 1;
      }
      const page = ids.slice(start, start + max);
      return {
        ...ref(s),
        Versions: page.map((id) => {
          const v = s.versions[id];
          return {
            VersionId: id,
            VersionStages: [...v.stages],
            CreatedDate: date(v.createdDate),
            ...(v.lastAccessedDate ? { LastAccessedDate: date(startOfDay(v.lastAccessedDate)) } : {}),
            KmsKeyIds: [s.kmsKeyId ?? 'DefaultEncryptionKey'],
          };
        }),
        ...(start + max < ids.length ? { NextToken: encodePageToken(page[page.length - 1]) } : {}),
      };
    },

    DeleteSecret(input: SM.DeleteSecretRequest, ctx): SM.DeleteSecretResponse {
      const state = stateOf(ctx);
      const s = lookup(ctx, input.SecretId);
      if (input.ForceDeleteWithoutRecovery && input.RecoveryWindowInDays !== undefined) {
        throw invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
      }
      const now = Date.now();
      if (input.ForceDeleteWithoutRecovery) {
        delete state.secrets[s.name];
        return { ...ref(s), DeletionDate: new Date(now) };
      }
      if (s.deletionDate !== undefined) throw markedForDeletion();
      const days = input.RecoveryWindowInDays ?? 30;
      if (!Number.isInteger(days) || days < 7 || days > 30) {
        throw invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
      }
      s.deletedDate = now;
      s.deletionDate = now + days * DAY;
      return { ...ref(s), DeletionDate: new Date(s.deletionDate) };
    },

    RestoreSecret(input: SM.RestoreSecretRequest, ctx): SM.RestoreSecretResponse {
      const s = lookup(ctx, input.SecretId);
      delete s.deletionDate;
      delete s.deletedDate;
      s.lastChangedDate = Date.now();
      return ref(s);
    },

    TagResource(input: SM.TagResourceRequest, ctx): void {
      const s = live(lookup(ctx, input.SecretId));
      checkTags(input.Tags ?? []);
      for (const t of input.Tags ?? []) {
        const at = s.tags.findIndex((x) => x.Key === t.Key);
        if (at >= 0) s.tags[at] = { Key: t.Key!, Value: t.Value ?? '' };
        else s.tags.push({ Key: t.Key!, Value: t.Value ?? '' });
      }
      if (s.tags.length > 50) throw invalidParameter('A secret can have at most 50 tags.');
      s.lastChangedDate = Date.now();
    },

    UntagResource(input: SM.UntagResourceRequest, ctx): void {
      const s = live(lookup(ctx, input.SecretId));
      const drop = new Set(input.TagKeys ?? []);
      s.tags = s.tags.filter((t) => !drop.has(t.Key));
      s.lastChangedDate = Date.now();
    },

    GetRandomPassword(input: SM.GetRandomPasswordRequest): SM.GetRandomPasswordResponse {
      return { RandomPassword: randomPassword(input) };
    },

    PutResourcePolicy(input: SM.PutResourcePolicyRequest, ctx): SM.PutResourcePolicyResponse {
      const s = live(lookup(ctx, input.SecretId));
      const doc = checkPolicy(input.ResourcePolicy);
      if ((input.BlockPublicPolicy ?? true) && grantsPublicAccess(doc)) {
        throw new ServiceError(
          'PublicPolicyException',
          'The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad access to the secret.',
        );
      }
      s.resourcePolicy = input.ResourcePolicy;
      return ref(s);
    },

    GetResourcePolicy(input: SM.GetResourcePolicyRequest, ctx): SM.GetResourcePolicyResponse {
      const s = lookup(ctx, input.SecretId);
      return { ...ref(s), ...(s.resourcePolicy ? { ResourcePolicy: s.resourcePolicy } : {}) };
    },

    DeleteResourcePolicy(input: SM.DeleteResourcePolicyRequest, ctx): SM.DeleteResourcePolicyResponse {
      const s = lookup(ctx, input.SecretId);
      delete s.resourcePolicy;
      return ref(s);
    },

    ValidateResourcePolicy(input: SM.ValidateResourcePolicyRequest, ctx): SM.ValidateResourcePolicyResponse {
      if (input.SecretId) lookup(ctx, input.SecretId);
      const doc = checkPolicy(input.ResourcePolicy);
      const errors: SM.ValidationErrorsEntry[] = [];
      const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
      if (!statements.length)
        errors.push({ CheckName: 'STATEMENT', ErrorMessage: 'The policy must contain at least one Statement.' });
      for (const st of statements as Record<string, unknown>[]) {
        if (st.Effect !== 'Allow' && st.Effect !== 'Deny')
          errors.push({ CheckName: 'EFFECT', ErrorMessage: 'Each Statement needs an Effect of Allow or Deny.' });
        if (!st.Action && !st.NotAction)
          errors.push({ CheckName: 'ACTION', ErrorMessage: 'Each Statement needs an Action or NotAction.' });
      }
      return { PolicyValidationPassed: errors.length === 0, ValidationErrors: errors };
    },

    RotateSecret(input: SM.RotateSecretRequest, ctx): SM.RotateSecretResponse {
      const s = live(lookup(ctx, input.SecretId));
      const lambdaArn = input.RotationLambdaARN ?? s.rotation?.lambdaArn;
      if (!lambdaArn) throw invalidRequest('No Lambda rotation function ARN is associated with this secret.');
      const rules = input.RotationRules ?? s.rotation?.rules;
      if (
        rules?.AutomaticallyAfterDays !== undefined &&
        (rules.AutomaticallyAfterDays < 1 || rules.AutomaticallyAfterDays > 1000)
      ) {
        throw invalidParameter('AutomaticallyAfterDays must be between 1 and 1000.');
      }
      // Rotation is recorded; running it needs the Lambda function, which Dockside does not host.
      s.rotation = {
        enabled: true,
        lambdaArn,
        ...(rules ? { rules } : {}),
        ...(s.rotation?.lastRotatedDate ? { lastRotatedDate: s.rotation.lastRotatedDate } : {}),
      };
      s.lastChangedDate = Date.now();
      if (input.RotateImmediately === false) return ref(s);
      throw new ServiceError(
        'AccessDeniedException',
        'Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com. (Dockside runs no Lambda: the rotation configuration was saved; RotateImmediately=false only records it.)',
        { httpStatus: 400 },
      );
    },

    CancelRotateSecret(input: SM.CancelRotateSecretRequest, ctx): SM.CancelRotateSecretResponse {
      const s = live(lookup(ctx, input.SecretId));
      if (s.rotation) s.rotation.enabled = false;
      const pending = Object.values(s.versions).find((v) => v.stages.includes(PENDING));
      if (pending) pending.stages = pending.stages.filter((x) => x !== PENDING);
      return { ...ref(s), ...(pending ? { VersionId: pending.versionId } : {}) };
    },
  };
}

/** A statement that allows `*` principals without conditions is broad access (BlockPublicPolicy). */
function grantsPublicAccess(doc: Record<string, unknown>): boolean {
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
