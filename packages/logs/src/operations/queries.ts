import { randomUUID } from 'node:crypto';
import type * as CWL from '@aws-sdk/client-cloudwatch-logs';
import { ServiceError, type OperationMap, type RequestContext } from '@dockside/core';
import { MalformedQuery, fieldValue, runQuery, type Row } from '../insights';
import type { LogsState } from '../state/types';
import { findGroup, invalid } from './common';

interface QueryRecord {
  queryId: string;
  status: 'Complete' | 'Cancelled';
  results: CWL.ResultField[][];
  statistics: CWL.QueryStatistics;
}

const fmt = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

/** Logs Insights: queries run to completion at StartQuery; results are kept for GetQueryResults. */
export function queryOperations(stateOf: (ctx: RequestContext) => LogsState): OperationMap {
  const queries = new Map<string, QueryRecord>();
  return {
    StartQuery(input: CWL.StartQueryRequest, ctx): CWL.StartQueryResponse {
      const state = stateOf(ctx);
      const names = [
        ...(input.logGroupName ? [input.logGroupName] : []),
        ...(input.logGroupNames ?? []),
        ...(input.logGroupIdentifiers ?? []),
      ];
      if (!names.length) throw invalid('Specify logGroupName, logGroupNames or logGroupIdentifiers.');
      if (input.endTime! < input.startTime!) throw invalid('endTime must be greater than or equal to startTime.');
      const groups = names.map((n) => findGroup(state, n));
      const from = input.startTime! * 1000;
      const to = input.endTime! * 1000 + 999;
      const rows: Row[] = [];
      let bytes = 0;
      for (const g of groups) {
        for (const s of Object.values(g.streams)) {
          for (const e of s.events) {
            if (e.timestamp < from || e.timestamp > to) continue;
            bytes += Buffer.byteLength(e.message);
            let json: unknown;
            if (e.message.startsWith('{')) {
              try {
                json = JSON.parse(e.message);
              } catch {
                json = undefined;
              }
            }
            rows.push({
              '@timestamp': e.timestamp,
              '@message': e.message,
              '@logStream': s.logStreamName,
              '@log': `${ctx.accountId}:${g.logGroupName}`,
              '@ingestionTime': e.ingestionTime,
              __json: json,
            });
          }
        }
      }
      rows.sort((a, b) => (b['@timestamp'] as number) - (a['@timestamp'] as number));
      let result;
      try {
        result = runQuery(input.queryString!, rows);
      } catch (e) {
        if (e instanceof MalformedQuery || e instanceof SyntaxError) {
          throw new ServiceError('MalformedQueryException', `Query is malformed: ${e.message}`, {
            fields: { queryCompileError: { message: e.message } },
          });
        }
        throw e;
      }
      const limited = result.rows.slice(0, input.limit ?? 10_000);
      const queryId = randomUUID();
      queries.set(queryId, {
        queryId,
        status: 'Complete',
        results: limited.map((r) => {
          const fields: CWL.ResultField[] = [];
          for (const c of result.columns) {
            const v = fieldValue(r, c);
            if (v === undefined || v === null) continue;
            fields.push({
              field: c,
              value: c === '@timestamp' ? fmt(v as number) : typeof v === 'object' ? JSON.stringify(v) : String(v),
            });
          }
          return fields;
        }),
        statistics: { recordsMatched: result.rows.length, recordsScanned: rows.length, bytesScanned: bytes },
      });
      return { queryId };
    },
    GetQueryResults(input: CWL.GetQueryResultsRequest): CWL.GetQueryResultsResponse {
      const q = queries.get(input.queryId!);
      if (!q) throw new ServiceError('ResourceNotFoundException', `Query ${input.queryId} does not exist.`);
      return { status: q.status, results: q.results, statistics: q.statistics };
    },
    StopQuery(input: CWL.StopQueryRequest): CWL.StopQueryResponse {
      const q = queries.get(input.queryId!);
      if (!q) throw new ServiceError('ResourceNotFoundException', `Query ${input.queryId} does not exist.`);
      // Queries here finish as they start: there is nothing running to stop.
      return { success: false };
    },
  };
}
