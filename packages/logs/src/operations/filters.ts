import type * as CWL from '@aws-sdk/client-cloudwatch-logs';
import { ServiceError, paginate, type OperationMap, type RequestContext } from '@dockside/core';
import { invalid } from '../errors';
import { FilterPatternError, compileFilterPattern, splitFields } from '../filter-pattern';
import type { LogsState } from '../state/types';
import { findGroup } from './common';

const MAX_METRIC_FILTERS = 100;
const MAX_SUBSCRIPTION_FILTERS = 2;
const FILTER_NAME = /^[^:*]{1,512}$/;

function checkPattern(pattern: string | undefined) {
  try {
    compileFilterPattern(pattern);
  } catch (e) {
    if (e instanceof FilterPatternError) throw invalid(`Invalid filter pattern: ${e.message}`);
    throw e;
  }
}

/** `$name` → value for each named field of a space-delimited pattern, as TestMetricFilter reports. */
function extracted(pattern: string, message: string): Record<string, string> {
  const p = pattern.trim();
  if (!p.startsWith('[')) return {};
  const names = p
    .slice(1, -1)
    .split(',')
    .map((s) => /^\s*([A-Za-z0-9_-]+)/.exec(s)?.[1]);
  const values = splitFields(message);
  const out: Record<string, string> = {};
  names.forEach((n, i) => {
    if (n && values[i] !== undefined) out[`$${n}`] = values[i];
  });
  return out;
}

/**
 * Metric filters and subscription filters: stored and validated. Their destinations (CloudWatch
 * metrics, Kinesis, Lambda, Firehose) are not Dockside services yet, so nothing is delivered.
 */
export function filterOperations(stateOf: (ctx: RequestContext) => LogsState): OperationMap {
  return {
    PutMetricFilter(input: CWL.PutMetricFilterRequest, ctx): void {
      const g = findGroup(stateOf(ctx), input.logGroupName);
      if (!FILTER_NAME.test(input.filterName ?? '')) throw invalid(`Invalid filterName: ${input.filterName}`);
      checkPattern(input.filterPattern);
      const transformations = input.metricTransformations ?? [];
      if (transformations.length !== 1) throw invalid('metricTransformations must contain exactly one transformation.');
      if (!g.metricFilters[input.filterName!] && Object.keys(g.metricFilters).length >= MAX_METRIC_FILTERS) {
        throw new ServiceError('LimitExceededException', 'Resource limit exceeded.');
      }
      g.metricFilters[input.filterName!] = {
        filterName: input.filterName!,
        filterPattern: input.filterPattern ?? '',
        metricTransformations: transformations as unknown as Array<Record<string, unknown>>,
        creationTime: g.metricFilters[input.filterName!]?.creationTime ?? Date.now(),
      };
    },
    DescribeMetricFilters(input: CWL.DescribeMetricFiltersRequest, ctx): CWL.DescribeMetricFiltersResponse {
      const state = stateOf(ctx);
      if ((input.metricName === undefined) !== (input.metricNamespace === undefined)) {
        throw invalid('metricName and metricNamespace must be specified together.');
      }
      const groups = input.logGroupName ? [findGroup(state, input.logGroupName)] : Object.values(state.groups);
      const all = groups
        .flatMap((g) => Object.values(g.metricFilters).map((f) => ({ ...f, logGroupName: g.logGroupName })))
        .filter((f) => !input.filterNamePrefix || f.filterName.startsWith(input.filterNamePrefix))
        .filter(
          (f) =>
            !input.metricName ||
            f.metricTransformations.some(
              (m) => m.metricName === input.metricName && m.metricNamespace === input.metricNamespace,
            ),
        )
        .sort((a, b) => (`${a.logGroupName}\u0001${a.filterName}` < `${b.logGroupName}\u0001${b.filterName}` ? -1 : 1));
      const { page, nextToken } = paginate(
        all,
        (f) => `${f.logGroupName}\u0001${f.filterName}`,
        { maxResults: input.limit, nextToken: input.nextToken },
        { defaultMax: 50, maxLimit: 50 },
      );
      return { metricFilters: page as unknown as CWL.MetricFilter[], ...(nextToken ? { nextToken } : {}) };
    },
    DeleteMetricFilter(input: CWL.DeleteMetricFilterRequest, ctx): void {
      const g = findGroup(stateOf(ctx), input.logGroupName);
      if (!g.metricFilters[input.filterName!])
        throw new ServiceError('ResourceNotFoundException', 'The specified metric filter does not exist.');
      delete g.metricFilters[input.filterName!];
    },
    TestMetricFilter(input: CWL.TestMetricFilterRequest): CWL.TestMetricFilterResponse {
      checkPattern(input.filterPattern);
      const match = compileFilterPattern(input.filterPattern);
      const matches = (input.logEventMessages ?? [])
        .map((m, i) => ({
          eventNumber: i + 1,
          eventMessage: m,
          extractedValues: extracted(input.filterPattern ?? '', m),
        }))
        .filter((m) => match(m.eventMessage));
      return { matches };
    },

    PutSubscriptionFilter(input: CWL.PutSubscriptionFilterRequest, ctx): void {
      const g = findGroup(stateOf(ctx), input.logGroupName);
      if (!FILTER_NAME.test(input.filterName ?? '')) throw invalid(`Invalid filterName: ${input.filterName}`);
      checkPattern(input.filterPattern);
      if (!/^arn:aws[\w-]*:(kinesis|firehose|lambda|logs):/.test(input.destinationArn ?? '')) {
        throw invalid(
          `Invalid destinationArn: ${input.destinationArn}. Use a Kinesis stream, Firehose delivery stream, Lambda function or Logs destination ARN.`,
        );
      }
      if (
        !g.subscriptionFilters[input.filterName!] &&
        Object.keys(g.subscriptionFilters).length >= MAX_SUBSCRIPTION_FILTERS
      ) {
        throw new ServiceError('LimitExceededException', 'Resource limit exceeded.');
      }
      g.subscriptionFilters[input.filterName!] = {
        filterName: input.filterName!,
        filterPattern: input.filterPattern ?? '',
        destinationArn: input.destinationArn!,
        ...(input.roleArn ? { roleArn: input.roleArn } : {}),
        distribution: input.distribution ?? 'ByLogStream',
        creationTime: g.subscriptionFilters[input.filterName!]?.creationTime ?? Date.now(),
      };
    },
    DescribeSubscriptionFilters(
      input: CWL.DescribeSubscriptionFiltersRequest,
      ctx,
    ): CWL.DescribeSubscriptionFiltersResponse {
      const g = findGroup(stateOf(ctx), input.logGroupName);
      const all = Object.values(g.subscriptionFilters)
        .filter((f) => !input.filterNamePrefix || f.filterName.startsWith(input.filterNamePrefix))
        .sort((a, b) => (a.filterName < b.filterName ? -1 : 1))
        .map((f) => ({ ...f, logGroupName: g.logGroupName }));
      const { page, nextToken } = paginate(
        all,
        (f) => f.filterName,
        { maxResults: input.limit, nextToken: input.nextToken },
        { defaultMax: 50, maxLimit: 50 },
      );
      return { subscriptionFilters: page as CWL.SubscriptionFilter[], ...(nextToken ? { nextToken } : {}) };
    },
    DeleteSubscriptionFilter(input: CWL.DeleteSubscriptionFilterRequest, ctx): void {
      const g = findGroup(stateOf(ctx), input.logGroupName);
      if (!g.subscriptionFilters[input.filterName!])
        throw new ServiceError('ResourceNotFoundException', 'The specified subscription filter does not exist.');
      delete g.subscriptionFilters[input.filterName!];
    },
  };
}
