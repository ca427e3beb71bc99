/**
 * StartLiveTail: an event stream that opens with `sessionStart` and then sends `sessionUpdate`
 * batches of the log events stored in the named groups (and streams, and filter pattern), as
 * they are stored — what `aws logs start-live-tail` and the SDK read. Sessions end when the client
 * disconnects or after AWS's three hours.
 */
import { randomUUID } from 'node:crypto';
import type * as CWL from '@aws-sdk/client-cloudwatch-logs';
import { eventStream, type OperationMap, type RequestContext } from '@dockside/core';
import { invalid } from '../errors';
import { compileFilterPattern } from '../filter-pattern';
import type { LogsState } from '../state/types';
import { findGroup } from './common';

const FLUSH_MS = 250;
const MAX_SESSION_MS = 3 * 3600_000;
/** AWS sends at most 500 events a second per session, sampling the rest. */
const MAX_EVENTS_PER_UPDATE = 500;

export function liveTailOperations(stateOf: (ctx: RequestContext) => LogsState): OperationMap {
  return {
    StartLiveTail(input: CWL.StartLiveTailRequest, ctx) {
      const ids = input.logGroupIdentifiers ?? [];
      if (!ids.length || ids.length > 10) throw invalid('logGroupIdentifiers must name between 1 and 10 log groups.');
      if (input.logStreamNames?.length && input.logStreamNamePrefixes?.length) {
        throw invalid('You can specify either logStreamNames or logStreamNamePrefixes, but not both.');
      }
      // Every group must exist (by name or ARN), before the stream opens.
      const groups = new Map(ids.map((id) => [findGroup(stateOf(ctx), id).logGroupName, id]));
      const matches = compileFilterPattern(input.logEventFilterPattern);
      const sessionId = randomUUID();
      return eventStream((sink) => {
        sink.send('sessionStart', {
          requestId: ctx.requestId,
          sessionId,
          logGroupIdentifiers: ids,
          ...(input.logStreamNames ? { logStreamNames: input.logStreamNames } : {}),
          ...(input.logStreamNamePrefixes ? { logStreamNamePrefixes: input.logStreamNamePrefixes } : {}),
          ...(input.logEventFilterPattern ? { logEventFilterPattern: input.logEventFilterPattern } : {}),
        });
        let pending: CWL.LiveTailSessionLogEvent[] = [];
        let sampled = false;
        const unsubscribe = ctx.bus.subscribe('logs.events', (e) => {
          if (e.accountId !== ctx.accountId || e.region !== ctx.region) return;
          const id = groups.get(e.logGroupName);
          if (id === undefined) return;
          if (input.logStreamNames && !input.logStreamNames.includes(e.logStreamName)) return;
          if (input.logStreamNamePrefixes && !input.logStreamNamePrefixes.some((p) => e.logStreamName.startsWith(p)))
            return;
          for (const ev of e.events) {
            if (!matches(ev.message)) continue;
            if (pending.length >= MAX_EVENTS_PER_UPDATE) {
              sampled = true;
              continue;
            }
            pending.push({
              logStreamName: e.logStreamName,
              logGroupIdentifier: id,
              message: ev.message,
              timestamp: ev.timestamp,
              ingestionTime: ev.ingestionTime,
            });
          }
        });
        const flush = setInterval(() => {
          if (!pending.length) return;
          sink.send('sessionUpdate', { sessionMetadata: { sampled }, sessionResults: pending });
          pending = [];
          sampled = false;
        }, FLUSH_MS);
        const expire = setTimeout(() => sink.end(), MAX_SESSION_MS);
        flush.unref();
        expire.unref();
        return () => {
          unsubscribe();
          clearInterval(flush);
          clearTimeout(expire);
        };
      });
    },
  };
}
