/**
 * Per-log-group settings and the newer listing operations: KMS keys, deletion protection, bearer
 * token authentication, transformers (checked and evaluated by TestTransformer), field index
 * policies, syslog configurations, discovered fields, ListLogGroups and its aggregate form, the
 * groups of a query; and account-level settings: account policies and the storage tier.
 */
import type * as CWL from '@aws-sdk/client-cloudwatch-logs';
import { clone, ServiceError, type OperationMap, type RequestContext } from '@dockside/core';
import { invalid } from '../errors';
import type { GroupRecord, LogsState } from '../state/types';
import { TransformerError, checkTransformer, transform, type ProcessorConfig } from '../transformer';
import { findGroup } from './common';
import { notFound, pageOf } from './records';

const FIELD_WINDOW_MS = 15 * 60_000;
const KMS_KEY_ARN = /^arn:aws[\w-]*:kms:[\w-]+:\d{12}:key\/[\w-]+$/;
const POLICY_TYPES = [
  'DATA_PROTECTION_POLICY',
  'SUBSCRIPTION_FILTER_POLICY',
  'FIELD_INDEX_POLICY',
  'TRANSFORMER_POLICY',
  'METRIC_EXTRACTION_POLICY',
  'RETENTION_POLICY',
];

function checkJson(doc: string, what = 'Policy document'): Record<string, unknown> {
  try {
    const v = JSON.parse(doc);
    if (v && typeof v === 'object') return v;
  } catch {
    // answered below
  }
  throw invalid(`${what} is not valid JSON.`);
}

function transformerConfig(config: unknown[]): ProcessorConfig[] {
  try {
    checkTransformer(config as ProcessorConfig[]);
  } catch (e) {
    if (e instanceof TransformerError) throw invalid(e.message);
    throw e;
  }
  return config as ProcessorConfig[];
}

/** The fields CloudWatch Logs discovers in events: the system fields and every JSON key (dot paths). */
function discoveredFields(messages: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  const bump = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);
  const walk = (prefix: string, v: unknown, seen: Set<string>) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v)) walk(prefix ? `${prefix}.${k}` : k, x, seen);
    } else if (prefix && !seen.has(prefix)) {
      seen.add(prefix);
      bump(prefix);
    }
  };
  for (const m of messages) {
    for (const k of ['@timestamp', '@message', '@logStream', '@log', '@ingestionTime']) bump(k);
    if (!m.trimStart().startsWith('{')) continue;
    try {
      walk('', JSON.parse(m), new Set());
    } catch {
      // not JSON: only the system fields
    }
  }
  return counts;
}

export function groupSettingOperations(stateOf: (ctx: RequestContext) => LogsState): OperationMap {
  /** A group named by `logGroupName` or `resourceIdentifier` (exactly one). */
  const groupOf = (s: LogsState, input: { logGroupName?: string; resourceIdentifier?: string }): GroupRecord => {
    if (input.logGroupName && input.resourceIdentifier)
      throw invalid('Specify either logGroupName or resourceIdentifier, not both.');
    if (!input.logGroupName && !input.resourceIdentifier)
      throw invalid('Either logGroupName or resourceIdentifier must be specified.');
    return findGroup(s, input.logGroupName ?? input.resourceIdentifier);
  };
  const accountPolicyView = (ctx: RequestContext, p: LogsState['accountPolicies'][string]): CWL.AccountPolicy => ({
    policyName: p.policyName,
    policyDocument: p.policyDocument,
    lastUpdatedTime: p.lastUpdatedTime,
    policyType: p.policyType as CWL.PolicyType,
    scope: p.scope as CWL.Scope,
    ...(p.selectionCriteria ? { selectionCriteria: p.selectionCriteria } : {}),
    accountId: ctx.accountId,
  });
  return {
    AssociateKmsKey(input: CWL.AssociateKmsKeyRequest, ctx): void {
      const g = groupOf(stateOf(ctx), input);
      if (!KMS_KEY_ARN.test(input.kmsKeyId!)) throw invalid(`Specified KMS key ARN is not valid: ${input.kmsKeyId}`);
      g.kmsKeyId = input.kmsKeyId;
    },
    DisassociateKmsKey(input: CWL.DisassociateKmsKeyRequest, ctx): void {
      delete groupOf(stateOf(ctx), input).kmsKeyId;
    },
    PutLogGroupDeletionProtection(input: CWL.PutLogGroupDeletionProtectionRequest, ctx): void {
      findGroup(stateOf(ctx), input.logGroupIdentifier).deletionProtectionEnabled = input.deletionProtectionEnabled;
    },
    PutBearerTokenAuthentication(input: CWL.PutBearerTokenAuthenticationRequest, ctx): void {
      findGroup(stateOf(ctx), input.logGroupIdentifier).bearerTokenAuthenticationEnabled =
        input.bearerTokenAuthenticationEnabled;
    },

    PutTransformer(input: CWL.PutTransformerRequest, ctx): void {
      const config = transformerConfig(input.transformerConfig ?? []);
      const g = findGroup(stateOf(ctx), input.logGroupIdentifier);
      const now = Date.now();
      g.transformer = {
        config: clone(config),
        creationTime: g.transformer?.creationTime ?? now,
        lastModifiedTime: now,
      };
    },
    GetTransformer(input: CWL.GetTransformerRequest, ctx): CWL.GetTransformerResponse {
      const g = findGroup(stateOf(ctx), input.logGroupIdentifier);
      if (!g.transformer) throw notFound('The specified log group has no transformer.');
      return {
        logGroupIdentifier: input.logGroupIdentifier,
        creationTime: g.transformer.creationTime,
        lastModifiedTime: g.transformer.lastModifiedTime,
        transformerConfig: clone(g.transformer.config) as CWL.Processor[],
      };
    },
    DeleteTransformer(input: CWL.DeleteTransformerRequest, ctx): void {
      const g = findGroup(stateOf(ctx), input.logGroupIdentifier);
      if (!g.transformer) throw notFound('The specified log group has no transformer.');
      delete g.transformer;
    },
    TestTransformer(input: CWL.TestTransformerRequest): CWL.TestTransformerResponse {
      const config = transformerConfig(input.transformerConfig ?? []);
      try {
        return {
          transformedLogs: (input.logEventMessages ?? []).map((m, i) => {
            const out = transform(config, m);
            return {
              eventNumber: i + 1,
              eventMessage: m,
              ...(out !== undefined ? { transformedEventMessage: out } : {}),
            };
          }),
        };
      } catch (e) {
        if (e instanceof TransformerError) throw invalid(e.message);
        throw e;
      }
    },

    PutIndexPolicy(input: CWL.PutIndexPolicyRequest, ctx): CWL.PutIndexPolicyResponse {
      const doc = checkJson(input.policyDocument!);
      if (!Array.isArray(doc.Fields)) throw invalid('The index policy must have a Fields list.');
      const g = findGroup(stateOf(ctx), input.logGroupIdentifier);
      g.indexPolicy = { policyDocument: input.policyDocument!, lastUpdateTime: Date.now() };
      return { indexPolicy: indexView(g) };
    },
    DescribeIndexPolicies(input: CWL.DescribeIndexPoliciesRequest, ctx): CWL.DescribeIndexPoliciesResponse {
      const s = stateOf(ctx);
      const groups = (input.logGroupIdentifiers ?? []).map((id) => findGroup(s, id));
      return { indexPolicies: groups.filter((g) => g.indexPolicy).map(indexView) };
    },
    DeleteIndexPolicy(input: CWL.DeleteIndexPolicyRequest, ctx): void {
      const g = findGroup(stateOf(ctx), input.logGroupIdentifier);
      if (!g.indexPolicy) throw notFound('The specified log group has no index policy.');
      delete g.indexPolicy;
    },
    DescribeFieldIndexes(input: CWL.DescribeFieldIndexesRequest, ctx): CWL.DescribeFieldIndexesResponse {
      const s = stateOf(ctx);
      const fieldIndexes: CWL.FieldIndex[] = [];
      for (const id of input.logGroupIdentifiers ?? []) {
        const g = findGroup(s, id);
        if (!g.indexPolicy) continue;
        const events = Object.values(g.streams).flatMap((st) => st.events);
        const times = events.map((e) => e.timestamp);
        for (const field of (JSON.parse(g.indexPolicy.policyDocument).Fields as string[]) ?? []) {
          fieldIndexes.push({
            logGroupIdentifier: g.logGroupArn,
            fieldIndexName: field,
            lastScanTime: Date.now(),
            ...(times.length ? { firstEventTime: Math.min(...times), lastEventTime: Math.max(...times) } : {}),
            type: 'FIELD_INDEX',
          });
        }
      }
      return { fieldIndexes };
    },

    PutSyslogConfiguration(input: CWL.PutSyslogConfigurationRequest, ctx): void {
      const g = findGroup(stateOf(ctx), input.logGroupIdentifier);
      (g.syslog ??= {})[input.vpcEndpointId ?? ''] = { createdAt: Date.now() };
    },
    DeleteSyslogConfiguration(input: CWL.DeleteSyslogConfigurationRequest, ctx): void {
      const g = findGroup(stateOf(ctx), input.logGroupIdentifier);
      const key = input.vpcEndpointId ?? '';
      if (!g.syslog?.[key]) throw notFound('The specified syslog configuration does not exist.');
      delete g.syslog[key];
    },
    ListSyslogConfigurations(input: CWL.ListSyslogConfigurationsRequest, ctx): CWL.ListSyslogConfigurationsResponse {
      const s = stateOf(ctx);
      const groups = input.logGroupIdentifier ? [findGroup(s, input.logGroupIdentifier)] : Object.values(s.groups);
      const all = groups.flatMap((g) =>
        Object.entries(g.syslog ?? {})
          .filter(([vpce]) => !input.vpcEndpointId || vpce === input.vpcEndpointId)
          .map(([vpce, c]) => ({
            logGroupArn: g.logGroupArn,
            sourceType: 'VPCE' as const,
            ...(vpce ? { vpcEndpointId: vpce } : {}),
            createdAt: c.createdAt,
          })),
      );
      const { page, next } = pageOf(all, (c) => `${c.logGroupArn} ${c.vpcEndpointId ?? ''}`, input);
      return { syslogConfigurations: page, ...next };
    },

    GetLogGroupFields(input: CWL.GetLogGroupFieldsRequest, ctx): CWL.GetLogGroupFieldsResponse {
      const g = findGroup(stateOf(ctx), input.logGroupIdentifier ?? input.logGroupName);
      // With `time`, 8 minutes either side of it are searched; without, the last 15 minutes.
      const to = input.time !== undefined ? input.time * 1000 + FIELD_WINDOW_MS / 2 : Date.now();
      const from = to - FIELD_WINDOW_MS;
      const messages = Object.values(g.streams)
        .flatMap((st) => st.events)
        .filter((e) => e.timestamp >= from && e.timestamp <= to)
        .map((e) => e.message);
      if (!messages.length) return { logGroupFields: [] };
      const counts = discoveredFields(messages);
      return {
        logGroupFields: [...counts].map(([name, n]) => ({ name, percent: Math.round((n / messages.length) * 100) })),
      };
    },
    ListLogGroups(input: CWL.ListLogGroupsRequest, ctx): CWL.ListLogGroupsResponse {
      const pattern = input.logGroupNamePattern?.toLowerCase();
      const groups = Object.values(stateOf(ctx).groups)
        .filter((g) => !pattern || g.logGroupName.toLowerCase().includes(pattern))
        .filter((g) => !input.logGroupClass || g.logGroupClass === input.logGroupClass)
        .filter((g) =>
          (input.logGroupTags ?? []).every(
            (t) => g.tags[t.key!] !== undefined && (!t.values?.length || t.values.includes(g.tags[t.key!])),
          ),
        );
      const { page, next } = pageOf(groups, (g) => g.logGroupName, input, 1000);
      return {
        logGroups: page.map((g) => ({
          logGroupName: g.logGroupName,
          logGroupArn: g.logGroupArn,
          logGroupClass: g.logGroupClass as CWL.LogGroupClass,
        })),
        ...next,
      };
    },
    ListAggregateLogGroupSummaries(
      input: CWL.ListAggregateLogGroupSummariesRequest,
      ctx,
    ): CWL.ListAggregateLogGroupSummariesResponse {
      const pattern = input.logGroupNamePattern?.toLowerCase();
      const count = Object.values(stateOf(ctx).groups).filter(
        (g) =>
          (!pattern || g.logGroupName.toLowerCase().includes(pattern)) &&
          (!input.logGroupClass || g.logGroupClass === input.logGroupClass),
      ).length;
      // Dockside's groups carry no data source: they count as one unknown source.
      return {
        aggregateLogGroupSummaries: count
          ? [
              {
                logGroupCount: count,
                groupingIdentifiers: [
                  { key: 'dataSourceName', value: 'Unknown' },
                  { key: 'dataSourceType', value: 'Unknown' },
                ],
              },
            ]
          : [],
      };
    },
    ListLogGroupsForQuery(input: CWL.ListLogGroupsForQueryRequest, ctx): CWL.ListLogGroupsForQueryResponse {
      const q = stateOf(ctx).queries[input.queryId!];
      if (!q) throw notFound(`Query ${input.queryId} does not exist.`);
      const { page, next } = pageOf(q.logGroupArns ?? [], (a) => a, input, 500);
      return { logGroupIdentifiers: page, ...next };
    },

    PutAccountPolicy(input: CWL.PutAccountPolicyRequest, ctx): CWL.PutAccountPolicyResponse {
      if (!POLICY_TYPES.includes(input.policyType!)) throw invalid(`Invalid policy type: ${input.policyType}`);
      checkJson(input.policyDocument!);
      if (input.scope && input.scope !== 'ALL') throw invalid(`Invalid scope: ${input.scope}`);
      const p = {
        policyName: input.policyName!,
        policyDocument: input.policyDocument!,
        policyType: input.policyType!,
        scope: input.scope ?? 'ALL',
        ...(input.selectionCriteria ? { selectionCriteria: input.selectionCriteria } : {}),
        lastUpdatedTime: Date.now(),
      };
      if (!input.dryRun) stateOf(ctx).accountPolicies[`${p.policyType}/${p.policyName}`] = p;
      return { accountPolicy: accountPolicyView(ctx, p) };
    },
    DescribeAccountPolicies(input: CWL.DescribeAccountPoliciesRequest, ctx): CWL.DescribeAccountPoliciesResponse {
      if (!POLICY_TYPES.includes(input.policyType!)) throw invalid(`Invalid policy type: ${input.policyType}`);
      const list = Object.values(stateOf(ctx).accountPolicies).filter(
        (p) => p.policyType === input.policyType && (!input.policyName || p.policyName === input.policyName),
      );
      return { accountPolicies: list.map((p) => accountPolicyView(ctx, p)) };
    },
    DeleteAccountPolicy(input: CWL.DeleteAccountPolicyRequest, ctx): CWL.DeleteAccountPolicyResponse {
      const s = stateOf(ctx);
      const key = `${input.policyType}/${input.policyName}`;
      if (!s.accountPolicies[key]) throw notFound('Policy with the specified name and type does not exist.');
      if (!input.dryRun) delete s.accountPolicies[key];
      return {};
    },

    GetStorageTierPolicy(_input, ctx): CWL.GetStorageTierPolicyResponse {
      const t = stateOf(ctx).storageTier;
      return t
        ? { storageTier: t.storageTier as CWL.StorageTier, lastUpdatedTime: t.lastUpdatedTime }
        : { storageTier: 'STANDARD' };
    },
    PutStorageTierPolicy(input: CWL.PutStorageTierPolicyRequest, ctx): CWL.PutStorageTierPolicyResponse {
      if (!['STANDARD', 'INTELLIGENT_TIERING'].includes(input.storageTier!)) {
        throw new ServiceError('ValidationException', `Invalid storage tier: ${input.storageTier}`);
      }
      const t = { storageTier: input.storageTier!, lastUpdatedTime: Date.now() };
      stateOf(ctx).storageTier = t;
      return { storageTier: t.storageTier as CWL.StorageTier, lastUpdatedTime: t.lastUpdatedTime };
    },
  };
}

function indexView(g: GroupRecord): CWL.IndexPolicy {
  return {
    logGroupIdentifier: g.logGroupArn,
    lastUpdateTime: g.indexPolicy!.lastUpdateTime,
    policyDocument: g.indexPolicy!.policyDocument,
    source: 'LOG_GROUP',
  };
}
