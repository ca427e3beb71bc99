import * as path from 'node:path';
import { Store, modelAt, type DocksidePlugin } from '@dockside/core';
import './contract';
import { Clock } from './clock';
import { nextFire, parseSchedule } from './domain/schedule';
import { bridgeEcsEvents } from './ecs-events';
import { EventEngine } from './engine';
import { archiveOperations } from './operations/archives';
import type { EventsEnv } from './operations/context';
import { ruleOperations } from './operations/rules';
import { schedulerOperations } from './operations/scheduler';
import { fireDueSchedules } from './scheduler-tick';
import type { EventbridgeOptions } from './options';
import { eventsRoutes } from './routes';
import { emptyEventsState, type EventsState } from './state/types';

export type { EventbridgeCalls } from './contract';
export type { EventbridgeOptions } from './options';
export type { BusEvent, Delivery } from './state/types';
export { matches, explain, parsePattern, PatternError } from './domain/pattern';

/**
 * The EventBridge plugin: buses, rules (the whole pattern language), targets delivered for real,
 * scheduled rules and EventBridge Scheduler schedules on a clock tests can drive, archives and
 * replays, and ECS's own events.
 * `createGateway({ plugins: [ecs(), logs(), eventbridge()] })`.
 */
export function eventbridge(options: EventbridgeOptions = {}): DocksidePlugin {
  const store = new Store<EventsState>(emptyEventsState);
  const clock = new Clock(options.clockOffsetMs ?? 0);
  let engine: EventEngine | undefined;
  const env: EventsEnv = {
    get engine() {
      return engine!;
    },
    clock,
  };
  /** Fires every scheduled rule that is due by the clock ("Scheduled Event" to its targets). */
  const tick = () => {
    if (!engine) return;
    const now = clock.now();
    for (const { accountId, region, state } of store.entries()) {
      for (const rule of Object.values(state.rules)) {
        if (!rule.schedule || rule.state === 'DISABLED' || rule.nextFire === undefined || rule.nextFire > now) continue;
        const where = { accountId, region };
        const schedule = parseSchedule(rule.schedule);
        // One event per due time passed (a clock moved by an hour fires an hourly rule once).
        const due = rule.nextFire;
        rule.nextFire = nextFire(schedule, now, due);
        const event = engine.newEvent(where, {
          source: 'aws.events',
          'detail-type': 'Scheduled Event',
          resources: [rule.arn],
          detail: {},
          time: new Date(due).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        });
        engine.stateOf(where).recent.default?.push(event);
        for (const t of rule.targets) void engine.deliver(where, rule, t, event, 1);
      }
    }
    fireDueSchedules(store, engine, now);
  };
  let timer: NodeJS.Timeout | undefined;
  let unbridge: (() => void) | undefined;
  return {
    name: 'eventbridge',
    protocols: [
      {
        signingName: 'events',
        // Above the largest request AWS accepts: PutEvents takes 256 KB of entries; JSON escaping of Detail can grow that sixfold.
        maxRequestBytes: 2 * 1024 * 1024,
        protocol: 'awsJson1_1',
        targetPrefix: 'AWSEvents',
        ...modelAt(path.join(__dirname, 'model.json')),
        validationErrorCode: 'ValidationException',
      },
      {
        signingName: 'scheduler',
        // Above the largest request AWS accepts: a schedule's target input is at most 8 KiB.
        maxRequestBytes: 1 * 1024 * 1024,
        protocol: 'restJson1',
        ...modelAt(path.join(__dirname, 'scheduler-model.json')),
        validationErrorCode: 'ValidationException',
        operations: schedulerOperations(env),
      },
    ],
    operations: { ...ruleOperations(env), ...archiveOperations(env) },
    state: store,
    setup(ctx) {
      engine = new EventEngine(store, ctx.bus, ctx.logger, options.keepEvents ?? 200);
      return {
        routes: eventsRoutes(engine, clock, tick, ctx.config),
        start() {
          timer = setInterval(tick, options.tickMs ?? 1000);
          timer.unref();
          unbridge = bridgeEcsEvents(ctx.bus, engine!, ctx.logger);
        },
        stop() {
          if (timer) clearInterval(timer);
          unbridge?.();
        },
      };
    },
  };
}

export default eventbridge;
