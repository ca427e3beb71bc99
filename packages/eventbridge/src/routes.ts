/**
 * `/_dockside/events/…`: recent events per bus, deliveries per target with their outcome, why a
 * rule did or did not match an event (the first field that failed), and the schedule clock.
 */
import express from 'express';
import type { PluginRoutes } from '@dockside/core';
import type { Clock } from './clock';
import { explain, parsePattern } from './domain/pattern';
import type { EventEngine } from './engine';

const PREFIX = '/_dockside/events';

export function eventsRoutes(
  engine: EventEngine,
  clock: Clock,
  tick: () => void,
  defaults: { accountId: string; region: string },
): PluginRoutes {
  const where = (q: Record<string, unknown>) => ({
    accountId: typeof q.account === 'string' ? q.account : defaults.accountId,
    region: typeof q.region === 'string' ? q.region : defaults.region,
  });
  return {
    prefixes: [`${PREFIX}/`],
    mount(router) {
      router.get(`${PREFIX}/buses/:bus/events`, (req, res) => {
        res.json({ events: engine.stateOf(where(req.query)).recent[req.params.bus] ?? [] });
      });
      router.get(`${PREFIX}/deliveries`, (req, res) => {
        const rule = typeof req.query.rule === 'string' ? req.query.rule : undefined;
        res.json({ deliveries: engine.stateOf(where(req.query)).deliveries.filter((d) => !rule || d.rule === rule) });
      });
      router.post(`${PREFIX}/explain`, express.json({ limit: '256kb' }), (req, res) => {
        const body = req.body as { bus?: string; rule?: string; event?: unknown };
        const s = engine.stateOf(where(req.query));
        const rule = s.rules[`${body.bus ?? 'default'}|${body.rule}`];
        if (!rule?.pattern)
          return void res
            .status(404)
            .json({ __type: 'NotFound', message: `rule ${body.rule} with an event pattern not found` });
        const failed = explain(parsePattern(rule.pattern), body.event as never);
        res.json(failed === undefined ? { matched: true } : { matched: false, failedField: failed });
      });
      router.post(`${PREFIX}/clock/advance`, express.json(), (req, res) => {
        const seconds = Number((req.body as { seconds?: number })?.seconds ?? 0);
        if (!(seconds > 0))
          return void res
            .status(400)
            .json({ __type: 'ValidationException', message: 'seconds must be a positive number' });
        clock.advance(seconds * 1000);
        tick();
        res.json({ now: new Date(clock.now()).toISOString() });
      });
    },
  };
}
