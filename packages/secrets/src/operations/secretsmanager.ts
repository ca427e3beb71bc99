import type * as SM from '@aws-sdk/client-secrets-manager';
import {
  ServiceError,
  decodePageToken,
  encodePageToken,
  pageSize,
  type OperationMap,
  type RequestContext,
} from '@dockside/core';
import { type RegionState, addReplicas, removeReplicas, replicationStatus, syncReplicas } from '../domain/replication';
import {
  CURRENT,
  DAY,
  PENDING,
  SECRET_NAME,
  addVersion,
  checkPolicy,
  checkSecretFilters,
  checkTags,
  checkToken,
  checkValue,
  describe,
  findSecret,
  grantsPublicAccess,
  hasValue,
  live,
  matchesFilters,
  moveStage,
  pageOf,
  purge,
  randomPassword,
  sortKey,
  startOfDay,
  suffix,
  versionOf,
} from '../domain/secrets';
import { invalidParameter, invalidRequest, markedForDeletion, replicaRefused } from '../errors';
import type { SecretRecord, SecretsState } from '../state/types';
export function secretsManagerOperations(
  stateOf: (ctx: RequestContext) => SecretsState,
  stateIn: (accountId: string, region: string) => SecretsState,
): OperationMap {
  const lookup = (ctx: RequestContext, id: string | undefined) => findSecret(stateOf(ctx), id, ctx);
  const regions = (ctx: RequestContext) => (region: string) => stateIn(ctx.accountId, region);
  const ref = (s: SecretRecord) => ({ ARN: s.arn, Name: s.name });

  const getValue = (
    s: SecretRecord,
    input: { VersionId?: string; VersionStage?: string },
  ): SM.GetSecretValueResponse => {
    live(s);
    const v = versionOf(s, input.VersionId, input.VersionStage);
    const now = new Date();
    v.lastAccessedDate = now;
    s.lastAccessedDate = now;
    return {
      ARN: s.arn,
      Name: s.name,
      VersionId: v.versionId,
      ...(v.secretString !== undefined ? { SecretString: v.secretString } : {}),
      ...(v.secretBinary !== undefined ? { SecretBinary: v.secretBinary as unknown as Uint8Array } : {}),
      VersionStages: [...v.stages],
      CreatedDate: v.createdDate,
    };
  };

  const ops: OperationMap = {
    CreateSecret(input: SM.CreateSecretRequest, ctx): SM.CreateSecretResponse {
      const state = stateOf(ctx);
      purge(state);
      const name = input.Name ?? '';
      if (!SECRET_NAME.test(name)) {
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
      const now = new Date();
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
      if (hasValue(input)) {
        addVersion(
          s,
          token,
          { SecretString: input.SecretString, SecretBinary: input.SecretBinary as unknown as string },
          [CURRENT],
        );
      }
      if (input.AddReplicaRegions?.length)
        addReplicas(s, input.AddReplicaRegions, Boolean(input.ForceOverwriteReplicaSecret), regions(ctx));
      return {
        ...ref(s),
        ...(hasValue(input) ? { VersionId: token } : {}),
        ...(s.replicas ? { ReplicationStatus: replicationStatus(s) } : {}),
      };
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
      checkSecretFilters(input.Filters);
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
      // The request is checked before the secret is looked up, as AWS does.
      checkValue(input);
      if (!hasValue(input)) throw invalidParameter('You must provide either SecretString or SecretBinary.');
      const token = checkToken(input.ClientRequestToken);
      const stages = input.VersionStages ?? [CURRENT];
      if (stages.length < 1 || stages.length > 20)
        throw invalidParameter('VersionStages must contain between 1 and 20 labels.');
      const s = live(lookup(ctx, input.SecretId));
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
      s.lastChangedDate = new Date();
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
      s.lastChangedDate = new Date();
      return ref(s);
    },

    DescribeSecret(input: SM.DescribeSecretRequest, ctx): SM.DescribeSecretResponse {
      const s = lookup(ctx, input.SecretId);
      return {
        ...describe(s),
        ...(s.replicas ? { PrimaryRegion: ctx.region, ReplicationStatus: replicationStatus(s) } : {}),
        ...(s.primaryRegion ? { PrimaryRegion: s.primaryRegion } : {}),
      };
    },

    ReplicateSecretToRegions(input: SM.ReplicateSecretToRegionsRequest, ctx): SM.ReplicateSecretToRegionsResponse {
      const s = live(lookup(ctx, input.SecretId));
      addReplicas(s, input.AddReplicaRegions ?? [], Boolean(input.ForceOverwriteReplicaSecret), regions(ctx));
      return { ARN: s.arn, ReplicationStatus: replicationStatus(s) };
    },

    RemoveRegionsFromReplication(
      input: SM.RemoveRegionsFromReplicationRequest,
      ctx,
    ): SM.RemoveRegionsFromReplicationResponse {
      const s = live(lookup(ctx, input.SecretId));
      removeReplicas(s, input.RemoveReplicaRegions ?? [], regions(ctx));
      return { ARN: s.arn, ReplicationStatus: replicationStatus(s) };
    },

    StopReplicationToReplica(input: SM.StopReplicationToReplicaRequest, ctx): SM.StopReplicationToReplicaResponse {
      const s = lookup(ctx, input.SecretId);
      if (!s.primaryRegion) throw invalidRequest('This secret is not a replica secret.');
      // The replica becomes a standalone secret here; the primary forgets this region.
      const primary = stateIn(ctx.accountId, s.primaryRegion).secrets[s.name];
      if (primary?.replicas) {
        primary.replicas = primary.replicas.filter((r) => r.region !== ctx.region);
        if (!primary.replicas.length) delete primary.replicas;
      }
      delete s.primaryRegion;
      return { ARN: s.arn };
    },

    ListSecrets(input: SM.ListSecretsRequest, ctx): SM.ListSecretsResponse {
      checkSecretFilters(input.Filters);
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
            CreatedDate: v.createdDate,
            ...(v.lastAccessedDate ? { LastAccessedDate: startOfDay(v.lastAccessedDate) } : {}),
            KmsKeyIds: [s.kmsKeyId ?? 'DefaultEncryptionKey'],
          };
        }),
        ...(start + max < ids.length ? { NextToken: encodePageToken(page[page.length - 1]) } : {}),
      };
    },

    DeleteSecret(input: SM.DeleteSecretRequest, ctx): SM.DeleteSecretResponse {
      const state = stateOf(ctx);
      if (input.ForceDeleteWithoutRecovery && input.RecoveryWindowInDays !== undefined) {
        throw invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
      }
      const now = new Date();
      let s: SecretRecord;
      try {
        s = lookup(ctx, input.SecretId);
      } catch (e) {
        // AWS answers a forced delete of a secret that does not exist with success.
        if (!input.ForceDeleteWithoutRecovery || (e as ServiceError).code !== 'ResourceNotFoundException') throw e;
        const id = input.SecretId ?? '';
        return { ...(id.startsWith('arn:') ? { ARN: id } : { Name: id }), DeletionDate: now };
      }
      if (input.ForceDeleteWithoutRecovery) {
        delete state.secrets[s.name];
        return { ...ref(s), DeletionDate: now };
      }
      if (s.deletionDate !== undefined) throw markedForDeletion();
      const days = input.RecoveryWindowInDays ?? 30;
      if (!Number.isInteger(days) || days < 7 || days > 30) {
        throw invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
      }
      s.deletedDate = now;
      s.deletionDate = new Date(now.getTime() + days * DAY);
      return { ...ref(s), DeletionDate: s.deletionDate };
    },

    RestoreSecret(input: SM.RestoreSecretRequest, ctx): SM.RestoreSecretResponse {
      const s = lookup(ctx, input.SecretId);
      delete s.deletionDate;
      delete s.deletedDate;
      s.lastChangedDate = new Date();
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
      s.lastChangedDate = new Date();
    },

    UntagResource(input: SM.UntagResourceRequest, ctx): void {
      const s = live(lookup(ctx, input.SecretId));
      const drop = new Set(input.TagKeys ?? []);
      s.tags = s.tags.filter((t) => !drop.has(t.Key));
      s.lastChangedDate = new Date();
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
      // Parameters first, then the secret, then the Lambda function, as AWS checks them.
      const given = input.RotationRules;
      if (
        given?.AutomaticallyAfterDays !== undefined &&
        (given.AutomaticallyAfterDays < 1 || given.AutomaticallyAfterDays > 1000)
      ) {
        throw invalidParameter('AutomaticallyAfterDays must be between 1 and 1000.');
      }
      if (given?.AutomaticallyAfterDays !== undefined && given.ScheduleExpression !== undefined) {
        throw invalidParameter('You cannot specify both AutomaticallyAfterDays and ScheduleExpression.');
      }
      const s = live(lookup(ctx, input.SecretId));
      const lambdaArn = input.RotationLambdaARN ?? s.rotation?.lambdaArn;
      if (!lambdaArn) throw invalidRequest('No Lambda rotation function ARN is associated with this secret.');
      const rules = given ?? s.rotation?.rules;
      // Rotation is recorded; running it needs the Lambda function, which Dockside does not host.
      s.rotation = {
        enabled: true,
        lambdaArn,
        ...(rules ? { rules } : {}),
        ...(s.rotation?.lastRotatedDate ? { lastRotatedDate: s.rotation.lastRotatedDate } : {}),
      };
      s.lastChangedDate = new Date();
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
  return guardReplicas(ops, stateOf, regions);
}

/** Operations that change a secret: refused on replicas, and copied to the replicas of a primary. */
const WRITES = new Set([
  'PutSecretValue',
  'UpdateSecret',
  'UpdateSecretVersionStage',
  'DeleteSecret',
  'RestoreSecret',
  'TagResource',
  'UntagResource',
  'PutResourcePolicy',
  'DeleteResourcePolicy',
  'RotateSecret',
  'CancelRotateSecret',
  'ReplicateSecretToRegions',
  'RemoveRegionsFromReplication',
]);

function guardReplicas(
  ops: OperationMap,
  stateOf: (ctx: RequestContext) => SecretsState,
  regions: (ctx: RequestContext) => RegionState,
): OperationMap {
  const target = (ctx: RequestContext, id: unknown) => {
    try {
      return findSecret(stateOf(ctx), typeof id === 'string' ? id : undefined, ctx);
    } catch {
      return undefined;
    }
  };
  return Object.fromEntries(
    Object.entries(ops).map(([name, handler]) => {
      if (!WRITES.has(name)) return [name, handler];
      const guarded: typeof handler = async (input: { SecretId?: string }, ctx) => {
        const before = target(ctx, input.SecretId);
        if (before?.primaryRegion) throw replicaRefused();
        if (name === 'DeleteSecret' && before?.replicas?.length) {
          throw invalidRequest(
            'A primary secret that has replicas cannot be deleted. Remove the replica Regions (RemoveRegionsFromReplication) first.',
          );
        }
        const out = await handler(input, ctx);
        const after = target(ctx, input.SecretId);
        if (after?.replicas) syncReplicas(after, regions(ctx));
        return out;
      };
      return [name, guarded];
    }),
  );
}
