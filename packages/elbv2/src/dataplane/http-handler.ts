import type { Logger } from '@dockside/core';
/**
 * What an ALB listener does with one HTTP request: evaluate the rules, then forward (streaming
 * both ways), redirect or answer itself. WebSocket upgrades are piped through to the target.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import { targetHost } from '../domain/address';
import { targetKey } from '../domain/health';
import { orderedRules } from '../domain/lookup';
import type { Elbv2State, ListenerRecord, LoadBalancerRecord, TargetGroupRecord, TargetRecord } from '../state/types';
import { Balancer, candidates, cookie, pickGroup } from './balancer';
import { errorPage, forwardHeaders, withoutHopByHop } from './headers';
import { mtlsHeaders, mtlsMode } from './mtls';
import { redirectLocation, ruleMatches, type RequestFacts } from './match';

export interface Found {
  s: Elbv2State;
  listener: ListenerRecord;
  lb: LoadBalancerRecord;
}

export interface HttpPlane {
  find(listenerArn: string): Found | undefined;
  balancer: Balancer;
  scale: number;
  agent: http.Agent;
  tlsAgent: https.Agent;
  logger: Logger;
}

const STATUS_TEXT: Record<number, string> = {
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

function answer(res: http.ServerResponse, status: number, body?: string, type = 'text/html') {
  if (res.headersSent) return void res.destroy();
  const text = body ?? errorPage(status, STATUS_TEXT[status] ?? http.STATUS_CODES[status] ?? '');
  res.writeHead(status, { Server: 'awselb/2.0', 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function facts(req: http.IncomingMessage): RequestFacts & { rawQuery: string } {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const hostHeader = req.headers.host ?? '';
  const host = hostHeader.startsWith('[')
    ? hostHeader.slice(0, hostHeader.indexOf(']') + 1)
    : hostHeader.replace(/:\d+$/, '');
  return {
    method: req.method ?? 'GET',
    host,
    path: q < 0 ? url : url.slice(0, q),
    rawQuery: q < 0 ? '' : url.slice(q + 1),
    query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
    headers: req.headers,
    sourceIp: req.socket.remoteAddress ?? '',
  };
}

interface Choice {
  tg: TargetGroupRecord;
  target: TargetRecord;
  cookies: string[];
}

/** The terminal action of the first matching rule, with any actions before it. */
export function actionsFor(found: Found, f: RequestFacts): ELB.Action[] {
  for (const r of orderedRules(found.s, found.listener.arn)) if (ruleMatches(r.conditions, f)) return r.actions;
  return [];
}

export function choose(
  plane: HttpPlane,
  found: Found,
  action: ELB.Action,
  cookieHeader: string | undefined,
  secure: boolean,
): Choice | 'no-targets' {
  const groups = (action.ForwardConfig?.TargetGroups ?? [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }]).filter(
    (g) => (g.Weight ?? 1) > 0,
  );
  const cookies: string[] = [];
  const tgStick = action.ForwardConfig?.TargetGroupStickinessConfig;
  let group = undefined as (typeof groups)[number] | undefined;
  if (tgStick?.Enabled) {
    const sticky = plane.balancer.open(cookie(cookieHeader, 'AWSALBTG'));
    group = groups.find((g) => g.TargetGroupArn === sticky);
  }
  group ??= pickGroup(groups);
  if (!group?.TargetGroupArn) return 'no-targets';
  const tg = found.s.targetGroups[group.TargetGroupArn];
  if (!tg) return 'no-targets';
  if (tgStick?.Enabled)
    cookies.push(stickyCookie('AWSALBTG', plane.balancer.seal(tg.arn), tgStick.DurationSeconds ?? 3600, secure));
  const pool = candidates(Object.values(found.s.targets[tg.arn] ?? {}));
  if (!pool.length) return 'no-targets';
  let target: TargetRecord | undefined;
  const stick = tg.attributes['stickiness.enabled'] === 'true' ? tg.attributes['stickiness.type'] : undefined;
  const cookieName = stick === 'lb_cookie' ? 'AWSALB' : stick === 'app_cookie' ? 'AWSALBAPP-0' : undefined;
  if (cookieName) {
    const named = plane.balancer.open(cookie(cookieHeader, cookieName));
    target = pool.find((t) => `${tg.arn}|${targetKey(t.id, t.port)}` === named);
  }
  target ??= plane.balancer.pick(tg, pool, plane.scale);
  if (!target) return 'no-targets';
  if (stick === 'lb_cookie') {
    const seal = plane.balancer.seal(`${tg.arn}|${targetKey(target.id, target.port)}`);
    const secs = Number(tg.attributes['stickiness.lb_cookie.duration_seconds'] ?? 86400);
    cookies.push(stickyCookie('AWSALB', seal, secs, false), stickyCookie('AWSALBCORS', seal, secs, true));
  }
  return { tg, target, cookies };
}

function stickyCookie(name: string, value: string, seconds: number, crossSite: boolean) {
  const expires = new Date(Date.now() + seconds * 1000).toUTCString();
  return `${name}=${value}; Expires=${expires}; Path=/${crossSite ? '; SameSite=None; Secure' : ''}`;
}

export function handleRequest(
  plane: HttpPlane,
  listenerArn: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  secure: boolean,
) {
  const found = plane.find(listenerArn);
  if (!found) return answer(res, 503);
  const f = facts(req);
  for (const action of actionsFor(found, f)) {
    if (action.Type?.startsWith('authenticate-') || action.Type === 'jwt-validation') {
      return answer(
        res,
        501,
        `Dockside does not emulate the '${action.Type}' action: identity providers are not reachable locally. Remove the action from the rule for local runs.\n`,
        'text/plain',
      );
    }
    if (action.Type === 'fixed-response') {
      const c = action.FixedResponseConfig!;
      return answer(res, Number(c.StatusCode), c.MessageBody ?? '', c.ContentType ?? 'text/plain');
    }
    if (action.Type === 'redirect') {
      const c = action.RedirectConfig!;
      const location = redirectLocation(c, {
        protocol: secure ? 'HTTPS' : 'HTTP',
        host: f.host,
        port: found.listener.port ?? (secure ? 443 : 80),
        path: f.path,
        query: f.rawQuery,
      });
      res.writeHead(c.StatusCode === 'HTTP_301' ? 301 : 302, {
        Server: 'awselb/2.0',
        Location: location,
        'Content-Length': 0,
      });
      return res.end();
    }
    if (action.Type === 'forward') return forward(plane, found, action, req, res, secure);
  }
  return answer(res, 503);
}

/** A bodiless request whose pooled connection the target had already closed can be sent again. */
const replayable = (req: http.IncomingMessage) =>
  (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') &&
  !req.headers['content-length'] &&
  !req.headers['transfer-encoding'];

function forward(
  plane: HttpPlane,
  found: Found,
  action: ELB.Action,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  secure: boolean,
) {
  const choice = choose(plane, found, action, req.headers.cookie, secure);
  if (choice === 'no-targets') return answer(res, 503);
  const { tg, target } = choice;
  const done = plane.balancer.begin(tg, target);
  const toHttps = tg.protocol === 'HTTPS';
  const idleMs = Number(found.lb.attributes['idle_timeout.timeout_seconds'] ?? 60) * 1000;
  const headers = forwardHeaders(
    req.headers,
    req.socket.remoteAddress ?? '',
    secure ? 'https' : 'http',
    found.listener.port ?? 80,
  );
  const mode = secure ? mtlsMode(found.listener.mutualAuthentication) : 'off';
  if (mode !== 'off') {
    // Only the load balancer speaks for the client's certificate.
    for (const k of Object.keys(headers)) if (k.startsWith('x-amzn-mtls-')) delete headers[k];
    Object.assign(headers, mtlsHeaders(req.socket as tls.TLSSocket, mode));
  }
  const send = (retried: boolean) => {
    const upstream = (toHttps ? https : http).request({
      host: targetHost(tg, target),
      port: target.port,
      method: req.method,
      path: req.url,
      headers,
      agent: toHttps ? plane.tlsAgent : plane.agent,
      rejectUnauthorized: false,
    });
    let timedOut = false;
    upstream.setTimeout(idleMs, () => {
      timedOut = true;
      upstream.destroy();
    });
    upstream.on('response', (up) => {
      const out = withoutHopByHop(up.headers);
      const cookies = [...choice.cookies, ...appCookieFor(plane, tg, target, up.headers['set-cookie'] ?? [])];
      if (cookies.length) out['set-cookie'] = [...(up.headers['set-cookie'] ?? []), ...cookies];
      res.writeHead(up.statusCode ?? 502, out);
      up.pipe(res);
      up.on('end', done);
      up.on('error', () => {
        done();
        res.destroy();
      });
    });
    upstream.on('error', () => {
      if (!retried && !timedOut && upstream.reusedSocket && replayable(req) && !res.headersSent) return send(true);
      done();
      answer(res, timedOut ? 504 : 502);
    });
    res.on('close', () => {
      done();
      if (!res.writableFinished) upstream.destroy();
    });
    if (retried) upstream.end();
    else req.pipe(upstream);
  };
  send(false);
}

/** app_cookie stickiness: when the application sets its cookie, the load balancer adds AWSALBAPP-0. */
export function appCookieFor(
  plane: HttpPlane,
  tg: TargetGroupRecord,
  target: TargetRecord,
  setCookies: string[],
): string[] {
  const name = tg.attributes['stickiness.app_cookie.cookie_name'];
  if (tg.attributes['stickiness.enabled'] !== 'true' || tg.attributes['stickiness.type'] !== 'app_cookie' || !name)
    return [];
  if (!setCookies.some((c) => c.startsWith(`${name}=`))) return [];
  const secs = Number(tg.attributes['stickiness.app_cookie.duration_seconds'] ?? 86400);
  return [
    stickyCookie('AWSALBAPP-0', plane.balancer.seal(`${tg.arn}|${targetKey(target.id, target.port)}`), secs, false),
  ];
}

/** A WebSocket (or other) upgrade: the request head goes to the target and both sockets are piped. */
export function handleUpgrade(
  plane: HttpPlane,
  listenerArn: string,
  req: http.IncomingMessage,
  socket: Duplex,
  head: Buffer,
  secure: boolean,
) {
  const refuse = (status: number) => {
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? ''}\r\nServer: awselb/2.0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    );
  };
  const found = plane.find(listenerArn);
  if (!found) return refuse(503);
  const action = actionsFor(found, facts(req)).find(
    (a) => a.Type !== undefined && ['forward', 'redirect', 'fixed-response'].includes(a.Type),
  );
  if (action?.Type !== 'forward') return refuse(action ? 400 : 503);
  const choice = choose(plane, found, action, req.headers.cookie, secure);
  if (choice === 'no-targets') return refuse(503);
  const { tg, target } = choice;
  const done = plane.balancer.begin(tg, target);
  const opts = { host: targetHost(tg, target), port: target.port };
  const up: net.Socket =
    tg.protocol === 'HTTPS' ? tls.connect({ ...opts, rejectUnauthorized: false }) : net.connect(opts);
  up.once(tg.protocol === 'HTTPS' ? 'secureConnect' : 'connect', () => {
    const headers = forwardHeaders(
      req.headers,
      req.socket.remoteAddress ?? '',
      secure ? 'https' : 'http',
      found.listener.port ?? 80,
      true,
    );
    let text = `${req.method} ${req.url} HTTP/1.1\r\n`;
    for (const [k, v] of Object.entries(headers))
      for (const one of Array.isArray(v) ? v : [v]) text += `${k}: ${one}\r\n`;
    up.write(`${text}\r\n`);
    if (head.length) up.write(head);
    up.pipe(socket);
    socket.pipe(up);
  });
  up.on('error', () => refuse(502));
  socket.on('error', () => up.destroy());
  up.on('close', () => {
    done();
    socket.destroy();
  });
  socket.on('close', () => up.destroy());
}
