/**
 * Firing EventBridge Scheduler schedules by the plugin's clock: each due schedule invokes its target
 * once (a clock moved past several due times fires once, as rules do), FLEXIBLE windows delay the
 * invocation inside the window, and `ActionAfterCompletion: DELETE` removes a schedule after its
 * last invocation. Invocations are deliveries of the event engine: same retries, same records.
 */
import { randomUUID } from 'node:crypto';
import type * as EB from '@aws-sdk/client-eventbridge';
import type { Store } from '@dockside/core';
import { flexibleDelay, nextInvocation } from './domain/scheduler-expression';
import type { Where } from './domain/ids';
import type { EventEngine } from './engine';
import { timingOf } from './operations/scheduler';
import type { EventsState, ScheduleRecord } from './state/types';

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function fireDueSchedules(store: Store<EventsState>, engine: EventEngine, now: number) {
  for (const { accountId, region, state } of store.entries()) {
    for (const [key, rec] of Object.entries(state.schedules)) {
      if (rec.state !== 'ENABLED' || rec.nextFire === undefined) continue;
      const due = rec.nextFire;
      const window = rec.flexibleTimeWindow;
      const delay =
        window.Mode === 'FLEXIBLE' && window.MaximumWindowInMinutes
          ? flexibleDelay(rec.arn, due, window.MaximumWindowInMinutes)
          : 0;
      if (due + delay > now) continue;
      rec.nextFire = nextInvocation(timingOf(rec), Math.max(due, now));
      invokeSchedule(engine, { accountId, region }, rec, due);
      if (rec.nextFire === undefined && rec.actionAfterCompletion === 'DELETE') delete state.schedules[key];
    }
  }
}

/** Scheduler's context attributes in a target's Input. */
function withContext(input: string, rec: ScheduleRecord, due: number, executionId: string): string {
  const values: Record<string, string> = {
    'aws.scheduler.schedule-arn': rec.arn,
    'aws.scheduler.scheduled-time': iso(due),
    'aws.scheduler.execution-id': executionId,
    'aws.scheduler.attempt-number': '1',
  };
  return input.replace(/<(aws\.scheduler\.[a-z-]+)>/g, (whole, name: string) => values[name] ?? whole);
}

function invokeSchedule(engine: EventEngine, where: Where, rec: ScheduleRecord, due: number) {
  const t = rec.target;
  const raw = t.Input === undefined ? undefined : withContext(t.Input, rec, due, randomUUID());
  let parsed: unknown;
  try {
    parsed = raw === undefined ? undefined : JSON.parse(raw);
  } catch {
    parsed = raw; // a plain-text input (e.g. an SQS message body) stays text
  }
  const ecs = t.EcsParameters;
  const target: EB.Target = {
    Id: rec.name,
    Arn: t.Arn,
    RoleArn: t.RoleArn,
    ...(parsed === undefined ? {} : { Input: JSON.stringify(parsed) }),
    RetryPolicy: t.RetryPolicy,
    DeadLetterConfig: t.DeadLetterConfig,
    ...(ecs
      ? {
          EcsParameters: {
            ...ecs,
            Tags: ecs.Tags?.flatMap((m) => Object.entries(m).map(([Key, Value]) => ({ Key, Value }))),
          } as EB.EcsParameters,
        }
      : {}),
  };
  const bridge = t.EventBridgeParameters;
  const event = engine.newEvent(where, {
    source: bridge?.Source ?? 'aws.scheduler',
    'detail-type': bridge?.DetailType ?? 'Scheduled Event',
    detail: bridge ? (parsed ?? {}) : {},
    resources: [rec.arn],
    time: iso(due),
  });
  const rule = {
    name: rec.name,
    arn: rec.arn,
    bus: `schedule-group/${rec.group}`,
    state: 'ENABLED',
    targets: [target],
    startedBy: `scheduler/${rec.name}`,
  };
  void engine.deliver(where, rule, target, event, 1);
}
