/**
 * `api/stream`: the bus's events for one account and region as server-sent events, so the page
 * updates when something happens instead of polling. With `?task=<arn>` the stream carries that
 * task's container output lines too (the only high-volume event, so only on request).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Bus, DocksideEvents } from '@dockside/core';
import type { Scope } from './aws';

/** Bus events the page reacts to (container output only with `task`). */
const FORWARDED = [
  'ecs.task',
  'ecs.cluster',
  'ecs.deployment',
  'ecs.service-action',
  'ecs.container-instance',
  'elbv2.target-health',
  'elbv2.listener-bound',
  'logs.events',
] as const;

/** A keep-alive comment this often keeps proxies and the browser from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

export function openStream(
  bus: Bus,
  scope: Scope,
  req: IncomingMessage,
  res: ServerResponse,
  opts: { task?: string },
): void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
  });
  res.write('retry: 1000\n\n');
  // One message kind, `{type, data}`: the page needs no list of event names.
  const send = (type: string, data: unknown) => res.write(`data: ${JSON.stringify({ type, data })}\n\n`);
  const here = (e: { accountId?: string; region?: string }) =>
    (e.accountId === undefined || e.accountId === scope.accountId) &&
    (e.region === undefined || e.region === scope.region);
  const offs = FORWARDED.map((type) =>
    bus.subscribe(type as keyof DocksideEvents, (e) => {
      const event = e as { accountId?: string; region?: string; events?: unknown[] };
      if (!here(event)) return;
      // Log events are announced by count: the page reads them through FilterLogEvents.
      if (type === 'logs.events') send(type, { ...event, events: undefined, count: event.events?.length ?? 0 });
      else send(type, event);
    }),
  );
  if (opts.task) {
    offs.push(
      bus.subscribe('ecs.container-output' as keyof DocksideEvents, (e) => {
        const line = e as { taskArn?: string };
        if (line.taskArn === opts.task) send('ecs.container-output', line);
      }),
    );
  }
  const keepalive = setInterval(() => res.write(': keep-alive\n\n'), KEEPALIVE_MS);
  keepalive.unref();
  const close = () => {
    clearInterval(keepalive);
    offs.forEach((off) => off());
  };
  req.on('close', close);
  res.on('error', close);
}
