import type * as CWL from '@aws-sdk/client-cloudwatch-logs';
import { ServiceError, paginate, type OperationMap, type RequestContext } from '@dockside/core';
import { invalid } from '../errors';
import type { GroupRecord, LogsState } from '../state/types';
import { RETENTION_DAYS, expire, findGroup, storedBytes } from './common';
import { taggedRecord } from './records';

const GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const MAX_TAGS = 50;

export const groupArn = (ctx: Pick<RequestContext, 'region' | 'accountId'>, name: string) =>
  `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:${name}`;

function groupView(g: GroupRecord): CWL.LogGroup {
  expire(g);
  return {
    logGroupName: g.logGroupName,
    creationTime: g.creationTime,
    ...(g.retentionInDays ? { retentionInDays: g.retentionInDays } : {}),
    metricFilterCount: Object.keys(g.metricFilters).length,
    arn: `${g.logGroupArn}:*`,
    storedBytes: Object.values(g.streams).reduce((a, s) => a + storedBytes(s), 0),
    ...(g.kmsKeyId ? { kmsKeyId: g.kmsKeyId } : {}),
    logGroupClass: g.logGroupClass as CWL.LogGroupClass,
    logGroupArn: g.logGroupArn,
    ...(g.deletionProtectionEnabled !== undefined ? { deletionProtectionEnabled: g.deletionProtectionEnabled } : {}),
    ...(g.bearerTokenAuthenticationEnabled !== undefined
      ? { bearerTokenAuthenticationEnabled: g.bearerTokenAuthenticationEnabled }
      : {}),
  };
}

function checkTags(tags: Record<string, string>) {
  for (const [k, v] of Object.entries(tags)) {
    if (k.length < 1 || k.length > 128 || k.toLowerCase().startsWith('aws:')) throw invalid(`Invalid tag key: ${k}`);
    if (v.length > 256) throw invalid(`Invalid tag value for key ${k}`);
  }
}

function mergeTags(g: { tags: Record<string, string> }, tags: Record<string, string>) {
  checkTags(tags);
  const next = { ...g.tags, ...tags };
  if (Object.keys(next).length > MAX_TAGS)
    throw new ServiceError('LimitExceededException', `A log group can have at most ${MAX_TAGS} tags.`);
  g.tags = next;
}

export function groupOperations(stateOf: (ctx: RequestContext) => LogsState): OperationMap {
  /** The tags of the resource an ARN names: a log group, or another tagged Logs resource. */
  const tagsOf = (ctx: RequestContext, arn: string): { tags: Record<string, string> } =>
    taggedRecord(stateOf(ctx), arn) ?? byArn(ctx, arn);
  const byArn = (ctx: RequestContext, arn: string) => {
    const m = /^arn:aws[\w-]*:logs:([^:]+):(\d{12}):log-group:(.+?)(?::\*)?$/.exec(arn);
    if (!m || m[1] !== ctx.region || m[2] !== ctx.accountId)
      throw new ServiceError('ResourceNotFoundException', `The specified resource does not exist: ${arn}`);
    const g = stateOf(ctx).groups[m[3]];
    if (!g) throw new ServiceError('ResourceNotFoundException', `The specified resource does not exist: ${arn}`);
    return g;
  };
  return {
    CreateLogGroup(input: CWL.CreateLogGroupRequest, ctx): void {
      const state = stateOf(ctx);
      const name = input.logGroupName!;
      if (!GROUP_NAME.test(name)) {
        throw invalid(
          `1 validation error detected: Value '${name}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`,
        );
      }
      if (state.groups[name])
        throw new ServiceError('ResourceAlreadyExistsException', 'The specified log group already exists');
      const tags = input.tags ?? {};
      checkTags(tags);
      state.groups[name] = {
        logGroupName: name,
        logGroupArn: groupArn(ctx, name),
        creationTime: Date.now(),
        ...(input.kmsKeyId ? { kmsKeyId: input.kmsKeyId } : {}),
        logGroupClass: input.logGroupClass ?? 'STANDARD',
        ...(input.deletionProtectionEnabled !== undefined
          ? { deletionProtectionEnabled: input.deletionProtectionEnabled }
          : {}),
        tags: { ...tags },
        streams: {},
        seq: 0,
        metricFilters: {},
        subscriptionFilters: {},
      };
    },

    DeleteLogGroup(input: CWL.DeleteLogGroupRequest, ctx): void {
      const state = stateOf(ctx);
      if (findGroup(state, input.logGroupName).deletionProtectionEnabled) {
        throw new ServiceError(
          'ValidationException',
          'Cannot delete log group with deletion protection enabled. Disable deletion protection first.',
        );
      }
      delete state.groups[input.logGroupName!];
    },

    DescribeLogGroups(input: CWL.DescribeLogGroupsRequest, ctx): CWL.DescribeLogGroupsResponse {
      const state = stateOf(ctx);
      if (input.logGroupNamePrefix && input.logGroupNamePattern) {
        throw invalid(
          'LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive. Only one of these parameters can be passed.',
        );
      }
      const pattern = input.logGroupNamePattern?.toLowerCase();
      const groups = Object.values(state.groups)
        .filter((g) => !input.logGroupNamePrefix || g.logGroupName.startsWith(input.logGroupNamePrefix))
        .filter((g) => !pattern || g.logGroupName.toLowerCase().includes(pattern))
        .filter((g) => !input.logGroupClass || g.logGroupClass === input.logGroupClass)
        .sort((a, b) => (a.logGroupName < b.logGroupName ? -1 : 1));
      const { page, nextToken } = paginate(
        groups,
        (g) => g.logGroupName,
        { maxResults: input.limit, nextToken: input.nextToken },
        { defaultMax: 50, maxLimit: 50 },
      );
      return { logGroups: page.map(groupView), ...(nextToken ? { nextToken } : {}) };
    },

    PutRetentionPolicy(input: CWL.PutRetentionPolicyRequest, ctx): void {
      const g = findGroup(stateOf(ctx), input.logGroupName);
      if (!RETENTION_DAYS.includes(input.retentionInDays!)) {
        throw invalid(
          `1 validation error detected: Value '${input.retentionInDays}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`,
        );
      }
      g.retentionInDays = input.retentionInDays;
      expire(g);
    },

    DeleteRetentionPolicy(input: CWL.DeleteRetentionPolicyRequest, ctx): void {
      delete findGroup(stateOf(ctx), input.logGroupName).retentionInDays;
    },

    TagResource(input: CWL.TagResourceRequest, ctx): void {
      mergeTags(tagsOf(ctx, input.resourceArn!), input.tags ?? {});
    },
    UntagResource(input: CWL.UntagResourceRequest, ctx): void {
      const g = tagsOf(ctx, input.resourceArn!);
      for (const k of input.tagKeys ?? []) delete g.tags[k];
    },
    ListTagsForResource(input: CWL.ListTagsForResourceRequest, ctx): CWL.ListTagsForResourceResponse {
      return { tags: { ...tagsOf(ctx, input.resourceArn!).tags } };
    },
    TagLogGroup(input: CWL.TagLogGroupRequest, ctx): void {
      mergeTags(findGroup(stateOf(ctx), input.logGroupName), input.tags ?? {});
    },
    UntagLogGroup(input: CWL.UntagLogGroupRequest, ctx): void {
      const g = findGroup(stateOf(ctx), input.logGroupName);
      for (const k of input.tags ?? []) delete g.tags[k];
    },
    ListTagsLogGroup(input: CWL.ListTagsLogGroupRequest, ctx): CWL.ListTagsLogGroupResponse {
      return { tags: { ...findGroup(stateOf(ctx), input.logGroupName).tags } };
    },
  };
}
