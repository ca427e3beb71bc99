/** Archives (events kept by pattern), replays (archived events put back on a bus), connections and API destinations. */
import { randomUUID } from 'node:crypto';
import type * as EB from '@aws-sdk/client-eventbridge';
import { paginate, type RequestContext } from '@dockside/core';
import { apiDestinationArn, archiveArn, busName, connectionArn, replayArn, toDate } from '../domain/ids';
import { PatternError, parsePattern } from '../domain/pattern';
import { alreadyExists, illegalStatus, invalidPattern, notFound, validation } from '../errors';
import type { EventsEnv } from './context';

const page = <T>(items: T[], key: (t: T) => string, input: { Limit?: number; NextToken?: string }) =>
  paginate(
    items,
    key,
    { maxResults: input.Limit, nextToken: input.NextToken },
    { defaultMax: 100, maxLimit: 100, errorCode: 'ValidationException' },
  );

/** The named record, or ResourceNotFoundException in EventBridge's words. */
function existing<T>(records: Record<string, T>, name: string | undefined, kind: string): T {
  const found = records[name ?? ''];
  if (!found) throw notFound(`${kind} ${name} does not exist.`);
  return found;
}

export function archiveOperations(env: EventsEnv) {
  const stateOf = (ctx: RequestContext) => env.engine.stateOf(ctx);
  return {
    CreateArchive(input: EB.CreateArchiveRequest, ctx: RequestContext): EB.CreateArchiveResponse {
      const s = stateOf(ctx);
      if (s.archives[input.ArchiveName!]) throw alreadyExists(`Archive ${input.ArchiveName} already exists.`);
      const bus = busName(input.EventSourceArn);
      if (!s.buses[bus]) throw notFound(`Event bus ${bus} does not exist.`);
      if (input.EventPattern) {
        try {
          parsePattern(input.EventPattern);
        } catch (e) {
          if (e instanceof PatternError) throw invalidPattern(e.message);
          throw e;
        }
      }
      const a = {
        name: input.ArchiveName!,
        arn: archiveArn(ctx, input.ArchiveName!),
        sourceArn: s.buses[bus].arn,
        description: input.Description,
        pattern: input.EventPattern,
        retentionDays: input.RetentionDays ?? 0,
        state: 'ENABLED',
        createdAt: new Date(),
        events: [],
      };
      s.archives[a.name] = a;
      return { ArchiveArn: a.arn, State: 'ENABLED', CreationTime: a.createdAt };
    },
    DescribeArchive(input: EB.DescribeArchiveRequest, ctx: RequestContext): EB.DescribeArchiveResponse {
      const a = existing(stateOf(ctx).archives, input.ArchiveName, 'Archive');
      return {
        ArchiveArn: a.arn,
        ArchiveName: a.name,
        EventSourceArn: a.sourceArn,
        Description: a.description,
        EventPattern: a.pattern,
        State: a.state as EB.ArchiveState,
        RetentionDays: a.retentionDays,
        SizeBytes: a.events.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e.event)), 0),
        EventCount: a.events.length,
        CreationTime: a.createdAt,
      };
    },
    UpdateArchive(input: EB.UpdateArchiveRequest, ctx: RequestContext): EB.UpdateArchiveResponse {
      const a = existing(stateOf(ctx).archives, input.ArchiveName, 'Archive');
      if (input.EventPattern !== undefined) a.pattern = input.EventPattern;
      if (input.Description !== undefined) a.description = input.Description;
      if (input.RetentionDays !== undefined) a.retentionDays = input.RetentionDays;
      return { ArchiveArn: a.arn, State: a.state as EB.ArchiveState, CreationTime: a.createdAt };
    },
    DeleteArchive(input: EB.DeleteArchiveRequest, ctx: RequestContext): EB.DeleteArchiveResponse {
      const s = stateOf(ctx);
      existing(s.archives, input.ArchiveName, 'Archive');
      delete s.archives[input.ArchiveName!];
      return {};
    },
    ListArchives(input: EB.ListArchivesRequest, ctx: RequestContext): EB.ListArchivesResponse {
      const list = Object.values(stateOf(ctx).archives).filter(
        (a) =>
          (!input.NamePrefix || a.name.startsWith(input.NamePrefix)) &&
          (!input.EventSourceArn || a.sourceArn === input.EventSourceArn),
      );
      const { page: p, nextToken } = page(list, (a) => a.name, input);
      return {
        Archives: p.map((a) => ({
          ArchiveName: a.name,
          EventSourceArn: a.sourceArn,
          State: a.state as EB.ArchiveState,
          RetentionDays: a.retentionDays,
          EventCount: a.events.length,
          CreationTime: a.createdAt,
        })),
        NextToken: nextToken,
      };
    },
    StartReplay(input: EB.StartReplayRequest, ctx: RequestContext): EB.StartReplayResponse {
      const s = stateOf(ctx);
      if (s.replays[input.ReplayName!]) throw alreadyExists(`Replay ${input.ReplayName} already exists.`);
      const archive = Object.values(s.archives).find((a) => a.arn === input.EventSourceArn);
      if (!archive) throw notFound(`Archive ${input.EventSourceArn} does not exist.`);
      const start = toDate(input.EventStartTime);
      const end = toDate(input.EventEndTime);
      if (start >= end)
        throw validation('Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.');
      const r = {
        name: input.ReplayName!,
        arn: replayArn(ctx, input.ReplayName!),
        archiveArn: archive.arn,
        description: input.Description,
        destination: input.Destination!,
        eventStartTime: start,
        eventEndTime: end,
        state: 'RUNNING',
        replayStartTime: new Date(),
      } as (typeof s.replays)[string];
      s.replays[r.name] = r;
      // Replayed events carry `replay-name`; only the rules the destination lists (or all) see them.
      setImmediate(() => {
        const dest = busName(r.destination.Arn);
        for (const { event } of archive.events) {
          const t = Date.parse(event.time);
          if (t < start.getTime() || t >= end.getTime() || r.state !== 'RUNNING') continue;
          env.engine.put(ctx, dest, { ...event, 'replay-name': r.name });
          r.eventLastReplayedTime = new Date(event.time);
        }
        if (r.state === 'RUNNING') r.state = 'COMPLETED';
        r.replayEndTime = new Date();
      });
      return { ReplayArn: r.arn, State: 'STARTING', ReplayStartTime: r.replayStartTime };
    },
    DescribeReplay(input: EB.DescribeReplayRequest, ctx: RequestContext): EB.DescribeReplayResponse {
      const r = existing(stateOf(ctx).replays, input.ReplayName, 'Replay');
      return {
        ReplayName: r.name,
        ReplayArn: r.arn,
        Description: r.description,
        State: r.state as EB.ReplayState,
        StateReason: r.stateReason,
        EventSourceArn: r.archiveArn,
        Destination: r.destination,
        EventStartTime: r.eventStartTime,
        EventEndTime: r.eventEndTime,
        EventLastReplayedTime: r.eventLastReplayedTime,
        ReplayStartTime: r.replayStartTime,
        ReplayEndTime: r.replayEndTime,
      };
    },
    ListReplays(input: EB.ListReplaysRequest, ctx: RequestContext): EB.ListReplaysResponse {
      const list = Object.values(stateOf(ctx).replays).filter(
        (r) => (!input.NamePrefix || r.name.startsWith(input.NamePrefix)) && (!input.State || r.state === input.State),
      );
      const { page: p, nextToken } = page(list, (r) => r.name, input);
      return {
        Replays: p.map((r) => ({
          ReplayName: r.name,
          EventSourceArn: r.archiveArn,
          State: r.state as EB.ReplayState,
          EventStartTime: r.eventStartTime,
          EventEndTime: r.eventEndTime,
          ReplayStartTime: r.replayStartTime,
          ReplayEndTime: r.replayEndTime,
        })),
        NextToken: nextToken,
      };
    },
    CancelReplay(input: EB.CancelReplayRequest, ctx: RequestContext): EB.CancelReplayResponse {
      const r = existing(stateOf(ctx).replays, input.ReplayName, 'Replay');
      if (r.state !== 'RUNNING' && r.state !== 'STARTING') throw illegalStatus(`Replay ${r.name} is not running.`);
      r.state = 'CANCELLED';
      return { ReplayArn: r.arn, State: 'CANCELLING' };
    },

    CreateConnection(input: EB.CreateConnectionRequest, ctx: RequestContext): EB.CreateConnectionResponse {
      const s = stateOf(ctx);
      if (s.connections[input.Name!]) throw alreadyExists(`Connection ${input.Name} already exists.`);
      const now = new Date();
      const c = {
        Name: input.Name,
        ConnectionArn: connectionArn(ctx, input.Name!, randomUUID()),
        Description: input.Description,
        ConnectionState: 'AUTHORIZED' as const,
        AuthorizationType: input.AuthorizationType,
        CreationTime: now,
        LastModifiedTime: now,
        LastAuthorizedTime: now,
        SecretArn: `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:events!connection/${input.Name}/${randomUUID()}`,
        authParameters: input.AuthParameters,
      };
      s.connections[c.Name!] = c;
      return {
        ConnectionArn: c.ConnectionArn,
        ConnectionState: c.ConnectionState,
        CreationTime: now,
        LastModifiedTime: now,
      };
    },
    DescribeConnection(input: EB.DescribeConnectionRequest, ctx: RequestContext): EB.DescribeConnectionResponse {
      const c = existing(stateOf(ctx).connections, input.Name, 'Connection');
      const { authParameters: _a, ...out } = c;
      return out;
    },
    UpdateConnection(input: EB.UpdateConnectionRequest, ctx: RequestContext): EB.UpdateConnectionResponse {
      const c = existing(stateOf(ctx).connections, input.Name, 'Connection');
      if (input.AuthorizationType) c.AuthorizationType = input.AuthorizationType;
      if (input.AuthParameters)
        c.authParameters = {
          ...c.authParameters,
          ...(input.AuthParameters as EB.CreateConnectionAuthRequestParameters),
        };
      if (input.Description !== undefined) c.Description = input.Description;
      c.LastModifiedTime = new Date();
      return {
        ConnectionArn: c.ConnectionArn,
        ConnectionState: c.ConnectionState,
        CreationTime: c.CreationTime,
        LastModifiedTime: c.LastModifiedTime,
      };
    },
    DeleteConnection(input: EB.DeleteConnectionRequest, ctx: RequestContext): EB.DeleteConnectionResponse {
      const s = stateOf(ctx);
      const c = existing(s.connections, input.Name, 'Connection');
      delete s.connections[input.Name!];
      return {
        ConnectionArn: c.ConnectionArn,
        ConnectionState: 'DELETING',
        CreationTime: c.CreationTime,
        LastModifiedTime: new Date(),
      };
    },
    ListConnections(input: EB.ListConnectionsRequest, ctx: RequestContext): EB.ListConnectionsResponse {
      const list = Object.values(stateOf(ctx).connections).filter(
        (c) => !input.NamePrefix || c.Name!.startsWith(input.NamePrefix),
      );
      const { page: p, nextToken } = page(list, (c) => c.Name!, input);
      return { Connections: p.map(({ authParameters: _a, SecretArn: _s, ...c }) => c), NextToken: nextToken };
    },
    DeauthorizeConnection(
      input: EB.DeauthorizeConnectionRequest,
      ctx: RequestContext,
    ): EB.DeauthorizeConnectionResponse {
      const c = existing(stateOf(ctx).connections, input.Name, 'Connection');
      c.ConnectionState = 'DEAUTHORIZED';
      return {
        ConnectionArn: c.ConnectionArn,
        ConnectionState: c.ConnectionState,
        CreationTime: c.CreationTime,
        LastModifiedTime: new Date(),
      };
    },

    CreateApiDestination(input: EB.CreateApiDestinationRequest, ctx: RequestContext): EB.CreateApiDestinationResponse {
      const s = stateOf(ctx);
      if (s.apiDestinations[input.Name!]) throw alreadyExists(`API destination ${input.Name} already exists.`);
      if (!Object.values(s.connections).some((c) => c.ConnectionArn === input.ConnectionArn))
        throw notFound(`Connection ${input.ConnectionArn} does not exist.`);
      const now = new Date();
      const d: EB.DescribeApiDestinationResponse = {
        ApiDestinationArn: apiDestinationArn(ctx, input.Name!, randomUUID()),
        Name: input.Name,
        Description: input.Description,
        ApiDestinationState: 'ACTIVE',
        ConnectionArn: input.ConnectionArn,
        InvocationEndpoint: input.InvocationEndpoint,
        HttpMethod: input.HttpMethod,
        InvocationRateLimitPerSecond: input.InvocationRateLimitPerSecond ?? 300,
        CreationTime: now,
        LastModifiedTime: now,
      };
      s.apiDestinations[input.Name!] = d;
      return {
        ApiDestinationArn: d.ApiDestinationArn,
        ApiDestinationState: 'ACTIVE',
        CreationTime: now,
        LastModifiedTime: now,
      };
    },
    DescribeApiDestination(
      input: EB.DescribeApiDestinationRequest,
      ctx: RequestContext,
    ): EB.DescribeApiDestinationResponse {
      const d = existing(stateOf(ctx).apiDestinations, input.Name, 'API destination');
      return d;
    },
    UpdateApiDestination(input: EB.UpdateApiDestinationRequest, ctx: RequestContext): EB.UpdateApiDestinationResponse {
      const d = existing(stateOf(ctx).apiDestinations, input.Name, 'API destination');
      Object.assign(d, Object.fromEntries(Object.entries(input).filter(([k, v]) => k !== 'Name' && v !== undefined)), {
        LastModifiedTime: new Date(),
      });
      return {
        ApiDestinationArn: d.ApiDestinationArn,
        ApiDestinationState: d.ApiDestinationState,
        CreationTime: d.CreationTime,
        LastModifiedTime: d.LastModifiedTime,
      };
    },
    DeleteApiDestination(input: EB.DeleteApiDestinationRequest, ctx: RequestContext): EB.DeleteApiDestinationResponse {
      const s = stateOf(ctx);
      existing(s.apiDestinations, input.Name, 'API destination');
      delete s.apiDestinations[input.Name!];
      return {};
    },
    ListApiDestinations(input: EB.ListApiDestinationsRequest, ctx: RequestContext): EB.ListApiDestinationsResponse {
      const list = Object.values(stateOf(ctx).apiDestinations).filter(
        (d) =>
          (!input.NamePrefix || d.Name!.startsWith(input.NamePrefix)) &&
          (!input.ConnectionArn || d.ConnectionArn === input.ConnectionArn),
      );
      const { page: p, nextToken } = page(list, (d) => d.Name!, input);
      return { ApiDestinations: p, NextToken: nextToken };
    },
  };
}
