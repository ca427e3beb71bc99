import { groupNotFound, invalid, streamNotFound } from '../errors';
import type { GroupRecord, LogsState, StreamRecord } from '../state/types';

export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
const DAY = 86_400_000;

/** A log group by name or ARN (`logGroupIdentifier` accepts either). */
export function findGroup(state: LogsState, nameOrArn: string | undefined): GroupRecord {
  if (!nameOrArn) throw invalid('Either logGroupName or logGroupIdentifier must be specified.');
  const name = nameOrArn.startsWith('arn:') ? nameOrArn.replace(/:\*$/, '').split(':log-group:')[1] : nameOrArn;
  const g = name !== undefined ? state.groups[name] : undefined;
  if (!g) throw groupNotFound();
  expire(g);
  return g;
}

export function findStream(g: GroupRecord, name: string | undefined): StreamRecord {
  const s = name !== undefined ? g.streams[name] : undefined;
  if (!s) throw streamNotFound();
  return s;
}

/** Drops events older than the group's retention (run on every read and write, and periodically). */
export function expire(g: GroupRecord, now = Date.now()): void {
  if (!g.retentionInDays) return;
  const cutoff = now - g.retentionInDays * DAY;
  for (const s of Object.values(g.streams)) {
    if (s.events.length && s.events[0].timestamp < cutoff) s.events = s.events.filter((e) => e.timestamp >= cutoff);
  }
}

export function storedBytes(s: StreamRecord): number {
  let n = 0;
  for (const e of s.events) n += Buffer.byteLength(e.message);
  return n;
}

export const eventId = (g: GroupRecord, e: { seq: number; timestamp: number }) =>
  `${String(e.timestamp).padStart(16, '0')}${String(e.seq).padStart(20, '0')}`;
