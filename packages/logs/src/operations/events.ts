import { randomBytes } from 'node:crypto';
import type * as CWL from '@aws-sdk/client-cloudwatch-logs';
import { paginate, type OperationMap, type RequestContext } from '@dockside/core';
import { invalid } from '../errors';
import { FilterPatternError, compileFilterPattern } from '../filter-pattern';
import type { LogsState, StoredEvent, StreamRecord } from '../state/types';
import { eventId, findGroup, findStream } from './common';

const MAX_BATCH_EVENTS = 10_000;
const MAX_BATCH_BYTES = 1_048_576;
const EVENT_OVERHEAD = 26;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Inserts in timestamp order (events usually arrive in order: append is the common case). */
function insert(s: StreamRecord, e: StoredEvent) {
  const list = s.events;
  if (!list.length || list[list.length - 1].timestamp <= e.timestamp) {
    list.push(e);
    return;
  }
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].timestamp <= e.timestamp) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, e);
}

const inRange = (e: StoredEvent, start?: number, end?: number) =>
  (start === undefined || e.timestamp >= start) && (end === undefined || e.timestamp < end);

/** PutLogEvents' limits on one batch: its size, its order, its span. */
function checkBatch(events: CWL.InputLogEvent[]) {
  let bytes = 0;
  for (const e of events) bytes += Buffer.byteLength(e.message ?? '') + EVENT_OVERHEAD;
  if (bytes > MAX_BATCH_BYTES) throw invalid(`Upload too large: ${bytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
  for (let i = 1; i < events.length; i++) {
    if (events[i].timestamp! < events[i - 1].timestamp!)
      throw invalid('Log events in a single PutLogEvents request must be in chronological order.');
  }
  if (events[events.length - 1].timestamp! - events[0].timestamp! > DAY) {
    throw invalid('The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
  }
}

/** GetLogEvents answers at most 1 MB of events. */
const MAX_RESPONSE_BYTES = 1_048_576;

export function eventOperations(stateOf: (ctx: RequestContext) => LogsState): OperationMap {
  return {
    PutLogEvents(input: CWL.PutLogEventsRequest, ctx): CWL.PutLogEventsResponse {
      const g = findGroup(stateOf(ctx), input.logGroupName);
      const s = findStream(g, input.logStreamName);
      const events = input.logEvents ?? [];
      if (events.length < 1 || events.length > MAX_BATCH_EVENTS) {
        throw invalid(
          `1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length between 1 and ${MAX_BATCH_EVENTS}`,
        );
      }
      // A trusted caller (the awslogs shipper) built the batch within these limits already.
      if (!ctx.trusted) checkBatch(events);
      const now = Date.now();
      const info: CWL.RejectedLogEventsInfo = {};
      const retentionCutoff = g.retentionInDays ? now - g.retentionInDays * DAY : undefined;
      // The stored events themselves are what subscribers see (read only), and only if there are any.
      const stored: StoredEvent[] | undefined = ctx.bus.hasSubscribers('logs.events') ? [] : undefined;
      for (let i = 0; i < events.length; i++) {
        const ts = events[i].timestamp!;
        if (ts > now + 2 * HOUR) info.tooNewLogEventStartIndex ??= i;
        else if (ts < now - 14 * DAY) info.tooOldLogEventEndIndex = i;
        else if (retentionCutoff !== undefined && ts < retentionCutoff) info.expiredLogEventEndIndex = i;
        else {
          const e: StoredEvent = { timestamp: ts, message: events[i].message!, ingestionTime: now, seq: ++g.seq };
          insert(s, e);
          stored?.push(e);
        }
      }
      s.lastIngestionTime = now;
      if (stored?.length) {
        ctx.bus.publish('logs.events', {
          accountId: ctx.accountId,
          region: ctx.region,
          logGroupName: g.logGroupName,
          logGroupArn: g.logGroupArn,
          logStreamName: s.logStreamName,
          events: stored,
        });
      }
      return {
        // Ignored since 2023 and by the shipper: a trusted caller is spared making one per batch.
        ...(ctx.trusted ? {} : { nextSequenceToken: randomBytes(28).toString('hex').replace(/^./, '4') }),
        ...(Object.keys(info).length ? { rejectedLogEventsInfo: info } : {}),
      };
    },

    GetLogEvents(input: CWL.GetLogEventsRequest, ctx): CWL.GetLogEventsResponse {
      const g = findGroup(stateOf(ctx), input.logGroupName ?? input.logGroupIdentifier);
      const s = findStream(g, input.logStreamName);
      const limit = input.limit ?? MAX_BATCH_EVENTS;
      if (limit < 1 || limit > MAX_BATCH_EVENTS) throw invalid(`limit must be between 1 and ${MAX_BATCH_EVENTS}`);
      // Without a time window the stream itself is the list (read only): copying 200,000 events per
      // page was the largest cost of a reader following a busy stream (bench/log-delivery.mjs profile).
      const list =
        input.startTime === undefined && input.endTime === undefined
          ? s.events
          : s.events.filter((e) => inRange(e, input.startTime, input.endTime));
      let start: number;
      let end: number;
      if (input.nextToken) {
        const m = /^([fb])\/(\d+)$/.exec(input.nextToken);
        if (!m) throw invalid('The specified nextToken is not valid.');
        const at = Math.min(Number(m[2]), list.length);
        if (m[1] === 'f') {
          start = at;
          end = Math.min(at + limit, list.length);
        } else {
          end = at;
          start = Math.max(0, at - limit);
        }
      } else if (input.startFromHead) {
        start = 0;
        end = Math.min(limit, list.length);
      } else {
        end = list.length;
        start = Math.max(0, end - limit);
      }
      // A response holds at most 1 MB (messages + 26 bytes each, as PutLogEvents counts): reading
      // forward keeps the oldest events of the window, reading backward the newest.
      const forward = input.nextToken ? input.nextToken.startsWith('f') : Boolean(input.startFromHead);
      let bytes = 0;
      const size = (i: number) => Buffer.byteLength(list[i].message) + 26;
      if (forward) {
        let e = start;
        while (e < end && (e === start || bytes + size(e) <= MAX_RESPONSE_BYTES)) bytes += size(e++);
        end = e;
      } else {
        let b = end;
        while (b > start && (b === end || bytes + size(b - 1) <= MAX_RESPONSE_BYTES)) bytes += size(--b);
        start = b;
      }
      // At either end of the stream the token comes back unchanged, which ends the SDK paginators.
      return {
        events: list
          .slice(start, end)
          .map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
        nextForwardToken: `f/${String(end).padStart(56, '0')}`,
        nextBackwardToken: `b/${String(start).padStart(56, '0')}`,
      };
    },

    FilterLogEvents(input: CWL.FilterLogEventsRequest, ctx): CWL.FilterLogEventsResponse {
      const g = findGroup(stateOf(ctx), input.logGroupName ?? input.logGroupIdentifier);
      if (input.logStreamNames?.length && input.logStreamNamePrefix) {
        throw invalid('logStreamNames and logStreamNamePrefix cannot both be specified.');
      }
      let match;
      try {
        match = compileFilterPattern(input.filterPattern);
      } catch (e) {
        if (e instanceof FilterPatternError) throw invalid(`Invalid filter pattern: ${e.message}`);
        throw e;
      }
      const streams = Object.values(g.streams).filter(
        (s) =>
          (!input.logStreamNames?.length || input.logStreamNames.includes(s.logStreamName)) &&
          (!input.logStreamNamePrefix || s.logStreamName.startsWith(input.logStreamNamePrefix)),
      );
      const found: Array<CWL.FilteredLogEvent & { eventId: string }> = [];
      for (const s of streams) {
        for (const e of s.events) {
          if (inRange(e, input.startTime, input.endTime) && match(e.message)) {
            found.push({
              logStreamName: s.logStreamName,
              timestamp: e.timestamp,
              message: e.message,
              ingestionTime: e.ingestionTime,
              eventId: eventId(g, e),
            });
          }
        }
      }
      found.sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
      const { page, nextToken } = paginate(
        found,
        (e) => e.eventId,
        { maxResults: input.limit, nextToken: input.nextToken },
        { defaultMax: MAX_BATCH_EVENTS, maxLimit: MAX_BATCH_EVENTS },
      );
      return {
        events: page,
        searchedLogStreams: streams.map((s) => ({ logStreamName: s.logStreamName, searchedCompletely: true })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
  };
}
