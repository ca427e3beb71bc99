import type * as CWL from '@aws-sdk/client-cloudwatch-logs';
import { ServiceError, descendingKey, paginate, type OperationMap, type RequestContext } from '@dockside/core';
import { invalid } from '../errors';
import type { LogsState, StreamRecord } from '../state/types';
import { findGroup, findStream, storedBytes } from './common';

const STREAM_NAME = /^[^:*]{1,512}$/;

function streamView(s: StreamRecord): CWL.LogStream {
  const first = s.events[0];
  const last = s.events[s.events.length - 1];
  return {
    logStreamName: s.logStreamName,
    creationTime: s.creationTime,
    ...(first ? { firstEventTimestamp: first.timestamp, lastEventTimestamp: last.timestamp } : {}),
    ...(s.lastIngestionTime ? { lastIngestionTime: s.lastIngestionTime } : {}),
    arn: s.arn,
    storedBytes: storedBytes(s),
  };
}

export function streamOperations(stateOf: (ctx: RequestContext) => LogsState): OperationMap {
  return {
    CreateLogStream(input: CWL.CreateLogStreamRequest, ctx): void {
      const g = findGroup(stateOf(ctx), input.logGroupName);
      const name = input.logStreamName!;
      if (!STREAM_NAME.test(name)) {
        throw invalid(
          `1 validation error detected: Value '${name}' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*`,
        );
      }
      if (g.streams[name])
        throw new ServiceError('ResourceAlreadyExistsException', 'The specified log stream already exists');
      g.streams[name] = {
        logStreamName: name,
        arn: `${g.logGroupArn}:log-stream:${name}`,
        creationTime: Date.now(),
        events: [],
      };
    },

    DeleteLogStream(input: CWL.DeleteLogStreamRequest, ctx): void {
      const g = findGroup(stateOf(ctx), input.logGroupName);
      findStream(g, input.logStreamName);
      delete g.streams[input.logStreamName!];
    },

    DescribeLogStreams(input: CWL.DescribeLogStreamsRequest, ctx): CWL.DescribeLogStreamsResponse {
      const g = findGroup(stateOf(ctx), input.logGroupName ?? input.logGroupIdentifier);
      const byTime = input.orderBy === 'LastEventTime';
      if (byTime && input.logStreamNamePrefix)
        throw invalid('Cannot order by LastEventTime with a logStreamNamePrefix.');
      const key = (s: StreamRecord) => {
        const k = byTime
          ? `${String(s.events[s.events.length - 1]?.timestamp ?? 0).padStart(16, '0')}\u0001${s.logStreamName}`
          : s.logStreamName;
        return input.descending ? descendingKey(k) : k;
      };
      const streams = Object.values(g.streams)
        .filter((s) => !input.logStreamNamePrefix || s.logStreamName.startsWith(input.logStreamNamePrefix))
        .map((s) => ({ s, k: key(s) }))
        .sort((a, b) => (a.k < b.k ? -1 : 1));
      const { page, nextToken } = paginate(
        streams,
        (x) => x.k,
        { maxResults: input.limit, nextToken: input.nextToken },
        { defaultMax: 50, maxLimit: 50 },
      );
      return { logStreams: page.map((x) => streamView(x.s)), ...(nextToken ? { nextToken } : {}) };
    },
  };
}
