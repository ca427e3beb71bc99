/**
 * Session Manager sessions that other plugins host (ECS Exec): they announce them on the bus
 * (`ssm.session`), and SSM answers for them — TerminateSession asks the host to end one
 * (`ssm.terminate-session`), ResumeSession gives a live one's stream URL and token again (what the
 * session-manager-plugin calls after a dropped connection), DescribeSessions lists them.
 */
import type * as SSM from '@aws-sdk/client-ssm';
import { ServiceError, type OperationMap, type RequestContext } from '@dockside/core';
import type { SsmSessionEvent } from '../contract';

const KEEP_ENDED = 200;

export class SessionBook {
  private readonly byId = new Map<string, SsmSessionEvent & { endedAt?: string }>();

  record(e: SsmSessionEvent) {
    const known = this.byId.get(e.sessionId);
    this.byId.set(e.sessionId, {
      ...e,
      ...(e.status === 'Terminated' ? { endedAt: known?.endedAt ?? new Date().toISOString() } : {}),
    });
    const ended = [...this.byId.values()].filter((s) => s.status === 'Terminated');
    for (const s of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED))) this.byId.delete(s.sessionId);
  }

  get(ctx: RequestContext, id: string | undefined) {
    const s = id ? this.byId.get(id) : undefined;
    return s && s.accountId === ctx.accountId && s.region === ctx.region ? s : undefined;
  }

  list(ctx: RequestContext) {
    return [...this.byId.values()].filter((s) => s.accountId === ctx.accountId && s.region === ctx.region);
  }
}

const doesNotExist = (id: string | undefined) =>
  new ServiceError('DoesNotExistException', `Session ${id} does not exist.`);

export function sessionOperations(book: SessionBook): OperationMap {
  return {
    TerminateSession(input: SSM.TerminateSessionRequest, ctx: RequestContext): SSM.TerminateSessionResponse {
      const s = book.get(ctx, input.SessionId);
      // Ending a session twice (or one this account never had) is not an error on AWS either.
      if (s?.status === 'Connected')
        ctx.bus.publish('ssm.terminate-session', {
          accountId: ctx.accountId,
          region: ctx.region,
          sessionId: s.sessionId,
        });
      return { SessionId: input.SessionId };
    },

    ResumeSession(input: SSM.ResumeSessionRequest, ctx: RequestContext): SSM.ResumeSessionResponse {
      const s = book.get(ctx, input.SessionId);
      if (!s || s.status !== 'Connected') throw doesNotExist(input.SessionId);
      return { SessionId: s.sessionId, TokenValue: s.tokenValue, StreamUrl: s.streamUrl };
    },

    DescribeSessions(input: SSM.DescribeSessionsRequest, ctx: RequestContext): SSM.DescribeSessionsResponse {
      const active = input.State === 'Active';
      const sessions = book
        .list(ctx)
        .filter((s) => (active ? s.status === 'Connected' : s.status === 'Terminated'))
        .filter((s) =>
          (input.Filters ?? []).every((f) =>
            f.key === 'Target' ? s.target === f.value : f.key === 'SessionId' ? s.sessionId === f.value : true,
          ),
        );
      return {
        Sessions: sessions.map((s) => ({
          SessionId: s.sessionId,
          Target: s.target,
          Status: s.status,
          StartDate: new Date(s.startedAt),
          ...(s.endedAt ? { EndDate: new Date(s.endedAt) } : {}),
          Owner: `arn:aws:iam::${s.accountId}:root`,
          Reason: '',
        })),
      };
    },
  };
}
