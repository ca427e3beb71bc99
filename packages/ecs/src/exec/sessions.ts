/**
 * ECS Exec sessions: ExecuteCommand makes one (an id, a token, a stream URL on the gateway), the
 * WebSocket at `/v1/data-channel/<sessionId>` serves its data channel (./channel.ts) with a
 * `docker exec` behind it, and SSM's TerminateSession (`ssm.terminate-session` from the SSM plugin)
 * or the task stopping ends it. Sessions are announced on the bus (`ssm.session`) so SSM can answer
 * ResumeSession and DescribeSessions for them.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Bus, Logger } from '@dockside/core';
import type {} from '@dockside/secrets';
import { WebSocketServer } from 'ws';
import type { ContainerEngine } from '../runtime/engine';
import { DataChannel } from './channel';

export const DATA_CHANNEL_PREFIX = '/v1/data-channel/';

export interface ExecSession {
  sessionId: string;
  token: string;
  streamUrl: string;
  accountId: string;
  region: string;
  taskArn: string;
  containerName: string;
  /** The Docker container the command runs in. */
  containerId: string;
  command: string[];
  /** `ecs:<cluster>_<taskId>_<runtimeId>`, as the CLI names the target to the plugin. */
  target: string;
  startedAt: Date;
  channel?: DataChannel;
}

/** Splits a command as a shell would split words (quotes and backslashes), without running a shell. */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < command.length) word = (word ?? '') + command[++i];
      else word = (word ?? '') + c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < command.length) word = (word ?? '') + command[++i];
    else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

export class ExecSessions {
  private readonly sessions = new Map<string, ExecSession>();
  private readonly wss = new WebSocketServer({ noServer: true });

  constructor(
    private readonly engine: () => ContainerEngine,
    private readonly bus: Bus,
    private readonly logger: Logger,
  ) {}

  create(s: Omit<ExecSession, 'sessionId' | 'token' | 'streamUrl' | 'startedAt'>, endpoint: string): ExecSession {
    const sessionId = `ecs-execute-command-${randomBytes(9).toString('hex').slice(0, 17)}`;
    const ws = endpoint.replace(/^http/, 'ws');
    const session: ExecSession = {
      ...s,
      sessionId,
      token: randomBytes(32).toString('base64url'),
      streamUrl: `${ws}${DATA_CHANNEL_PREFIX}${sessionId}?role=publish_subscribe`,
      startedAt: new Date(),
    };
    this.sessions.set(sessionId, session);
    this.announce(session, 'Connected');
    return session;
  }

  /** The gateway's upgrade hook: true when the request was a data channel of a known session. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const path = (req.url ?? '').split('?')[0];
    if (!path.startsWith(DATA_CHANNEL_PREFIX)) return false;
    const session = this.sessions.get(path.slice(DATA_CHANNEL_PREFIX.length));
    if (!session || session.channel) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      session.channel = new DataChannel(
        ws,
        session,
        (size) => this.engine().execInteractive(session.containerId, session.command, size),
        (code) => {
          this.sessions.delete(session.sessionId);
          this.announce(session, 'Terminated');
          this.logger.debug({ sessionId: session.sessionId, exitCode: code }, 'ECS Exec session ended');
        },
        () => delete session.channel,
      );
    });
    return true;
  }

  /** Ends a session (SSM TerminateSession); false when there is no such session. */
  terminate(sessionId: string): boolean {
    const s = this.sessions.get(sessionId);
    if (!s) return false;
    if (s.channel) s.channel.terminate();
    else {
      this.sessions.delete(sessionId);
      this.announce(s, 'Terminated');
    }
    return true;
  }

  /** Ends every session of a task (it stopped). */
  taskStopped(taskArn: string) {
    for (const s of [...this.sessions.values()]) if (s.taskArn === taskArn) this.terminate(s.sessionId);
  }

  close() {
    for (const id of [...this.sessions.keys()]) this.terminate(id);
    this.wss.close();
  }

  private announce(s: ExecSession, status: 'Connected' | 'Terminated') {
    this.bus.publish('ssm.session', {
      accountId: s.accountId,
      region: s.region,
      sessionId: s.sessionId,
      target: s.target,
      status,
      streamUrl: s.streamUrl,
      tokenValue: s.token,
      startedAt: s.startedAt.toISOString(),
    });
  }
}
