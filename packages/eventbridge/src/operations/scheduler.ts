/**
 * EventBridge Scheduler (`scheduler`, restJson1): schedules and schedule groups, and tags on groups.
 * Schedules fire by the plugin's clock (see ../scheduler-tick.ts).
 */
import type * as SCH from '@aws-sdk/client-scheduler';
import { ServiceError, paginate, type RequestContext } from '@dockside/core';
import { toDate } from '../domain/ids';
import { ScheduleError } from '../domain/schedule';
import { nextInvocation, parseSchedulerExpression, type Timing } from '../domain/scheduler-expression';
import { isTimeZone } from '../domain/timezone';
import { validation } from '../errors';
import type { EventsState, ScheduleGroupRecord, ScheduleRecord } from '../state/types';
import type { EventsEnv } from './context';

const notFound = (message: string) => new ServiceError('ResourceNotFoundException', message, { httpStatus: 404 });
const conflict = (message: string) => new ServiceError('ConflictException', message, { httpStatus: 409 });

type Where = { accountId: string; region: string };
const base = (w: Where) => `arn:aws:scheduler:${w.region}:${w.accountId}`;
const groupArn = (w: Where, name: string) => `${base(w)}:schedule-group/${name}`;
const scheduleArn = (w: Where, group: string, name: string) => `${base(w)}:schedule/${group}/${name}`;

/** Read-only API actions a universal target may not call (AWS refuses them). */
const READ_ONLY = /^(get|describe|list|search|query|poll|receive|generate|verify|is)[A-Z]/;

/** The groups of a region, the `default` group always among them. */
export function groupsOf(s: EventsState, w: Where): Record<string, ScheduleGroupRecord> {
  if (!s.scheduleGroups.default) {
    // Made at the account's first use of EventBridge Scheduler here (AWS: with the account).
    const now = new Date();
    s.scheduleGroups.default = {
      name: 'default',
      arn: groupArn(w, 'default'),
      state: 'ACTIVE',
      creationDate: now,
      lastModificationDate: now,
    };
  }
  return s.scheduleGroups;
}

function getGroup(s: EventsState, w: Where, name: string): ScheduleGroupRecord {
  const g = groupsOf(s, w)[name];
  if (!g) throw notFound(`Schedule group ${name} does not exist.`);
  return g;
}

function getSchedule(s: EventsState, w: Where, group: string | undefined, name: string | undefined): ScheduleRecord {
  const g = group ?? 'default';
  getGroup(s, w, g);
  const rec = s.schedules[`${g}|${name}`];
  if (!rec) throw notFound(`Schedule ${name} does not exist.`);
  return rec;
}

type ScheduleInput = SCH.CreateScheduleInput | SCH.UpdateScheduleInput;

/** Checks a Create/Update input as Scheduler does; returns the timing it describes. */
function checkSchedule(input: ScheduleInput, now: number): Timing {
  let expression;
  try {
    expression = parseSchedulerExpression(input.ScheduleExpression!);
  } catch (e) {
    if (e instanceof ScheduleError) throw validation(`Invalid Schedule Expression ${input.ScheduleExpression}`);
    throw e;
  }
  const timezone = input.ScheduleExpressionTimezone ?? 'UTC';
  if (!isTimeZone(timezone)) throw validation(`Invalid Schedule Expression Timezone ${timezone}`);
  const startDate = input.StartDate === undefined ? undefined : toDate(input.StartDate).getTime();
  const endDate = input.EndDate === undefined ? undefined : toDate(input.EndDate).getTime();
  if (startDate !== undefined && endDate !== undefined && endDate <= startDate)
    throw validation('The EndDate must be after the StartDate.');
  const window = input.FlexibleTimeWindow!;
  if (window.Mode === 'FLEXIBLE' && window.MaximumWindowInMinutes === undefined)
    throw validation('MaximumWindowInMinutes must be provided when FlexibleTimeWindow Mode is FLEXIBLE.');
  if (window.Mode === 'OFF' && window.MaximumWindowInMinutes !== undefined)
    throw validation('MaximumWindowInMinutes must not be provided when FlexibleTimeWindow Mode is OFF.');
  const target = input.Target!;
  const universal = /^arn:aws[\w-]*:scheduler:::aws-sdk:([\w-]+):(\w+)$/.exec(target.Arn ?? '');
  if (universal && READ_ONLY.test(universal[2]))
    throw validation(
      `Invalid request provided: Target Arn ${target.Arn} is not supported: read-only API actions are not allowed.`,
    );
  if (target.Input !== undefined && (target.EcsParameters || target.EventBridgeParameters || universal)) {
    try {
      JSON.parse(target.Input);
    } catch {
      throw validation('Invalid request provided: Target Input must be valid JSON for this target.');
    }
  }
  return { expression, timezone, startDate, endDate, since: now };
}

/** The target as GetSchedule shows it: Scheduler's defaults filled in. */
function targetWithDefaults(t: SCH.Target): SCH.Target {
  return {
    ...t,
    RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185, ...t.RetryPolicy },
    ...(t.EcsParameters ? { EcsParameters: { TaskCount: 1, ...t.EcsParameters } } : {}),
  };
}

function writeSchedule(rec: ScheduleRecord | undefined, input: ScheduleInput, w: Where, group: string, now: number) {
  const timing = checkSchedule(input, now);
  const at = new Date(now);
  const out: ScheduleRecord = {
    name: input.Name!,
    group,
    arn: scheduleArn(w, group, input.Name!),
    expression: input.ScheduleExpression!,
    timezone: input.ScheduleExpressionTimezone ?? 'UTC',
    startDate: timing.startDate === undefined ? undefined : new Date(timing.startDate),
    endDate: timing.endDate === undefined ? undefined : new Date(timing.endDate),
    description: input.Description,
    state: input.State ?? 'ENABLED',
    kmsKeyArn: input.KmsKeyArn,
    target: targetWithDefaults(input.Target!),
    flexibleTimeWindow: input.FlexibleTimeWindow!,
    actionAfterCompletion: input.ActionAfterCompletion ?? 'NONE',
    creationDate: rec?.creationDate ?? at,
    lastModificationDate: at,
    // An at() already in the past never fires; a rate starts at once.
    nextFire: nextInvocation(timing, now - 1),
  };
  return out;
}

/** The timing of a stored schedule (what the tick recomputes the next invocation from). */
export function timingOf(rec: ScheduleRecord): Timing {
  return {
    expression: parseSchedulerExpression(rec.expression),
    timezone: rec.timezone,
    startDate: rec.startDate ? new Date(rec.startDate).getTime() : undefined,
    endDate: rec.endDate ? new Date(rec.endDate).getTime() : undefined,
    since: new Date(rec.lastModificationDate).getTime(),
  };
}

export function schedulerOperations(env: EventsEnv) {
  const { clock } = env;
  const stateOf = (ctx: RequestContext) => env.engine.stateOf(ctx);
  return {
    CreateSchedule(input: SCH.CreateScheduleInput, ctx: RequestContext): SCH.CreateScheduleOutput {
      const s = stateOf(ctx);
      const group = input.GroupName ?? 'default';
      getGroup(s, ctx, group);
      const key = `${group}|${input.Name}`;
      if (s.schedules[key]) throw conflict(`Schedule ${input.Name} already exists.`);
      const rec = writeSchedule(undefined, input, ctx, group, clock.now());
      s.schedules[key] = rec;
      return { ScheduleArn: rec.arn };
    },

    UpdateSchedule(input: SCH.UpdateScheduleInput, ctx: RequestContext): SCH.UpdateScheduleOutput {
      const s = stateOf(ctx);
      const old = getSchedule(s, ctx, input.GroupName, input.Name);
      const rec = writeSchedule(old, input, ctx, old.group, clock.now());
      s.schedules[`${old.group}|${old.name}`] = rec;
      return { ScheduleArn: rec.arn };
    },

    GetSchedule(input: SCH.GetScheduleInput, ctx: RequestContext): SCH.GetScheduleOutput {
      const r = getSchedule(stateOf(ctx), ctx, input.GroupName, input.Name);
      return {
        Arn: r.arn,
        GroupName: r.group,
        Name: r.name,
        ScheduleExpression: r.expression,
        ScheduleExpressionTimezone: r.timezone,
        StartDate: r.startDate,
        EndDate: r.endDate,
        Description: r.description,
        State: r.state as SCH.ScheduleState,
        CreationDate: r.creationDate,
        LastModificationDate: r.lastModificationDate,
        KmsKeyArn: r.kmsKeyArn,
        Target: r.target,
        FlexibleTimeWindow: r.flexibleTimeWindow,
        ActionAfterCompletion: r.actionAfterCompletion as SCH.ActionAfterCompletion,
      };
    },

    DeleteSchedule(input: SCH.DeleteScheduleInput, ctx: RequestContext): SCH.DeleteScheduleOutput {
      const s = stateOf(ctx);
      const r = getSchedule(s, ctx, input.GroupName, input.Name);
      delete s.schedules[`${r.group}|${r.name}`];
      return {};
    },

    ListSchedules(input: SCH.ListSchedulesInput, ctx: RequestContext): SCH.ListSchedulesOutput {
      const s = stateOf(ctx);
      if (input.GroupName !== undefined) getGroup(s, ctx, input.GroupName);
      const all = Object.values(s.schedules)
        .filter(
          (r) =>
            (input.GroupName === undefined || r.group === input.GroupName) &&
            (!input.NamePrefix || r.name.startsWith(input.NamePrefix)) &&
            (!input.State || r.state === input.State),
        )
        .sort((a, b) => (a.arn < b.arn ? -1 : 1));
      const { page, nextToken } = paginate(
        all,
        (r) => r.arn,
        { maxResults: input.MaxResults, nextToken: input.NextToken },
        { defaultMax: 100, maxLimit: 100, errorCode: 'ValidationException' },
      );
      return {
        Schedules: page.map((r) => ({
          Arn: r.arn,
          Name: r.name,
          GroupName: r.group,
          State: r.state as SCH.ScheduleState,
          CreationDate: r.creationDate,
          LastModificationDate: r.lastModificationDate,
          Target: { Arn: r.target.Arn },
        })),
        NextToken: nextToken,
      };
    },

    CreateScheduleGroup(input: SCH.CreateScheduleGroupInput, ctx: RequestContext): SCH.CreateScheduleGroupOutput {
      const s = stateOf(ctx);
      const groups = groupsOf(s, ctx);
      if (groups[input.Name!]) throw conflict(`Schedule group ${input.Name} already exists.`);
      const at = new Date(clock.now());
      const g = {
        name: input.Name!,
        arn: groupArn(ctx, input.Name!),
        state: 'ACTIVE',
        creationDate: at,
        lastModificationDate: at,
      };
      groups[g.name] = g;
      if (input.Tags?.length) s.schedulerTags[g.arn] = input.Tags;
      return { ScheduleGroupArn: g.arn };
    },

    GetScheduleGroup(input: SCH.GetScheduleGroupInput, ctx: RequestContext): SCH.GetScheduleGroupOutput {
      const g = getGroup(stateOf(ctx), ctx, input.Name!);
      return groupOut(g);
    },

    /** Deletes the group and every schedule in it (the default group cannot be deleted). */
    DeleteScheduleGroup(input: SCH.DeleteScheduleGroupInput, ctx: RequestContext): SCH.DeleteScheduleGroupOutput {
      const s = stateOf(ctx);
      const g = getGroup(s, ctx, input.Name!);
      if (g.name === 'default') throw validation('The default schedule group cannot be deleted.');
      for (const [key, r] of Object.entries(s.schedules)) if (r.group === g.name) delete s.schedules[key];
      delete s.scheduleGroups[g.name];
      delete s.schedulerTags[g.arn];
      return {};
    },

    ListScheduleGroups(input: SCH.ListScheduleGroupsInput, ctx: RequestContext): SCH.ListScheduleGroupsOutput {
      const all = Object.values(groupsOf(stateOf(ctx), ctx))
        .filter((g) => !input.NamePrefix || g.name.startsWith(input.NamePrefix))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
      const { page, nextToken } = paginate(
        all,
        (g) => g.name,
        { maxResults: input.MaxResults, nextToken: input.NextToken },
        { defaultMax: 100, maxLimit: 100, errorCode: 'ValidationException' },
      );
      return { ScheduleGroups: page.map(groupOut), NextToken: nextToken };
    },

    TagResource(input: SCH.TagResourceInput, ctx: RequestContext): SCH.TagResourceOutput {
      const s = stateOf(ctx);
      const arn = taggable(s, ctx, input.ResourceArn!);
      const tags = new Map((s.schedulerTags[arn] ?? []).map((t) => [t.Key!, t.Value!]));
      for (const t of input.Tags ?? []) tags.set(t.Key!, t.Value!);
      if (tags.size > 200) throw validation('A resource can have at most 200 tags.');
      s.schedulerTags[arn] = [...tags].map(([Key, Value]) => ({ Key, Value }));
      return {};
    },

    UntagResource(input: SCH.UntagResourceInput, ctx: RequestContext): SCH.UntagResourceOutput {
      const s = stateOf(ctx);
      const arn = taggable(s, ctx, input.ResourceArn!);
      const drop = new Set(input.TagKeys ?? []);
      s.schedulerTags[arn] = (s.schedulerTags[arn] ?? []).filter((t) => !drop.has(t.Key!));
      return {};
    },

    ListTagsForResource(input: SCH.ListTagsForResourceInput, ctx: RequestContext): SCH.ListTagsForResourceOutput {
      const s = stateOf(ctx);
      return { Tags: s.schedulerTags[taggable(s, ctx, input.ResourceArn!)] ?? [] };
    },
  };
}

const groupOut = (g: ScheduleGroupRecord) => ({
  Arn: g.arn,
  Name: g.name,
  State: g.state as SCH.ScheduleGroupState,
  CreationDate: g.creationDate,
  LastModificationDate: g.lastModificationDate,
});

/** Only schedule groups carry tags. */
function taggable(s: EventsState, w: Where, arn: string): string {
  const m = /^arn:aws[\w-]*:scheduler:[\w-]+:\d{12}:schedule-group\/(.+)$/.exec(arn);
  if (!m) throw validation(`Invalid ARN ${arn}: only schedule groups can be tagged.`);
  const g = groupsOf(s, w)[m[1]];
  if (!g || g.arn !== arn) throw notFound(`Schedule group ${m[1]} does not exist.`);
  return arn;
}
