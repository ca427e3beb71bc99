import { randomUUID } from 'node:crypto';
import type * as CWL from '@aws-sdk/client-cloudwatch-logs';
import { ServiceError, descendingKey, paginate, type OperationMap, type RequestContext } from '@dockside/core';
import { invalid } from '../errors';
import { MalformedQuery, type Row, fieldValue, runQuery } from '../insights';
import type { LogsState } from '../state/types';
import { findGroup } from './common';

const MAX_KEPT_QUERIES = 500;

const fmt = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

const queryNotFound = (id: string | undefined) =>
  new ServiceError('ResourceNotFoundException', `Query ${id} does not exist.`);

/**
 * Logs Insights: queries run to completion at StartQuery; results (each row with its `@ptr`)
 * are kept in the store for GetQueryResults, DescribeQueries and GetLogRecord.
 */
export function queryOperations(stateOf: (ctx: RequestContext) => LogsState): OperationMap {
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
      const records: Record<string, Record<string, string>> = {};
      const text = (c: string, v: unknown) =>
        c === '@timestamp' ? fmt(v as number) : typeof v === 'object' ? JSON.stringify(v) : String(v);
      const results = limited.map((r, i) => {
        const fields: Array<{ field: string; value: string }> = [];
        for (const c of result.columns) {
          const v = fieldValue(r, c);
          if (v === undefined || v === null) continue;
          fields.push({ field: c, value: text(c, v) });
        }
        // A record's row ends with its pointer, which GetLogRecord reads the record back with;
        // rows of a stats query stand for many records and have none.
        if (result.aggregated) return fields;
        const ptr = Buffer.from(`${queryId}:${i}`).toString('base64');
        const record: Record<string, string> = {};
        for (const k of ['@timestamp', '@message', '@logStream', '@log', '@ingestionTime']) {
          if (r[k] !== undefined) record[k] = String(r[k]);
        }
        records[ptr] = record;
        fields.push({ field: '@ptr', value: ptr });
        return fields;
      });
      state.queries[queryId] = {
        queryId,
        queryString: input.queryString!,
        ...(names.length === 1 ? { logGroupName: groups[0].logGroupName } : {}),
        logGroupArns: groups.map((g) => g.logGroupArn),
        createTime: Date.now(),
        status: 'Complete',
        results,
        statistics: { recordsMatched: result.rows.length, recordsScanned: rows.length, bytesScanned: bytes },
        records,
      };
      // Old queries go first: results are kept for the most recent ones.
      const ids = Object.keys(state.queries);
      if (ids.length > MAX_KEPT_QUERIES) delete state.queries[ids[0]];
      return { queryId };
    },
    GetQueryResults(input: CWL.GetQueryResultsRequest, ctx): CWL.GetQueryResultsResponse {
      const q = stateOf(ctx).queries[input.queryId!];
      if (!q) throw queryNotFound(input.queryId);
      return { queryLanguage: 'CWLI', status: q.status, results: q.results, statistics: q.statistics };
    },
    StopQuery(input: CWL.StopQueryRequest, ctx): CWL.StopQueryResponse {
      const q = stateOf(ctx).queries[input.queryId!];
      if (!q) throw queryNotFound(input.queryId);
      // Queries here finish as they start: there is nothing running to stop.
      return { success: false };
    },
    DescribeQueries(input: CWL.DescribeQueriesRequest, ctx): CWL.DescribeQueriesResponse {
      const list = Object.values(stateOf(ctx).queries)
        .filter(
          (q) =>
            (!input.logGroupName || q.logGroupName === input.logGroupName) &&
            (!input.status || q.status === input.status),
        )
        .map((q) => ({ q, k: `${descendingKey(String(q.createTime).padStart(15, '0'))}:${q.queryId}` }))
        .sort((a, b) => (a.k < b.k ? -1 : 1));
      const { page: rows, nextToken } = paginate(
        list,
        (x) => x.k,
        { maxResults: input.maxResults, nextToken: input.nextToken },
        { defaultMax: 1000, maxLimit: 1000 },
      );
      const page = rows.map((x) => x.q);
      return {
        queries: page.map((q) => ({
          queryLanguage: 'CWLI',
          queryId: q.queryId,
          queryString: q.queryString,
          status: q.status,
          createTime: q.createTime,
          ...(q.logGroupName ? { logGroupName: q.logGroupName } : {}),
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
    GetLogRecord(input: CWL.GetLogRecordRequest, ctx): CWL.GetLogRecordResponse {
      for (const q of Object.values(stateOf(ctx).queries)) {
        const record = q.records[input.logRecordPointer!];
        if (record) return { logRecord: { ...record } };
      }
      throw invalid('The specified log record pointer is not valid.');
    },
  };
}
