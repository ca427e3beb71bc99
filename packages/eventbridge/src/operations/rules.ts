/** Event buses, rules, targets, PutEvents, TestEventPattern, tags. */
import type * as EB from '@aws-sdk/client-eventbridge';
import { paginate, type RequestContext } from '@dockside/core';
import { busArn, busName, ruleArn, toDate } from '../domain/ids';
import { PatternError, matches, parsePattern } from '../domain/pattern';
import { ScheduleError, nextFire, parseSchedule } from '../domain/schedule';
import { alreadyExists, invalidPattern, limitExceeded, managedRule, notFound, validation } from '../errors';
import type { EventsState, RuleRecord } from '../state/types';
import type { EventsEnv } from './context';

const MAX_EVENT_BYTES = 256 * 1024;

function checkPattern(text: string) {
  try {
    return parsePattern(text);
  } catch (e) {
    if (e instanceof PatternError) throw invalidPattern(e.message);
    throw e;
  }
}

function getBus(s: EventsState, name: string | undefined) {
  const n = busName(name);
  const bus = s.buses[n];
  if (!bus) throw notFound(`Event bus ${n} does not exist.`);
  return bus;
}

function getRule(s: EventsState, bus: string | undefined, name: string | undefined): RuleRecord {
  const b = busName(bus);
  const rule = s.rules[`${b}|${name}`];
  if (!rule) throw notFound(`Rule ${name} does not exist on EventBus ${b}.`);
  return rule;
}

const ruleOut = (r: RuleRecord, s: EventsState): EB.DescribeRuleResponse => ({
  Name: r.name,
  Arn: r.arn,
  EventPattern: r.pattern,
  ScheduleExpression: r.schedule,
  State: r.state as EB.RuleState,
  Description: r.description,
  RoleArn: r.roleArn,
  ManagedBy: r.managedBy,
  EventBusName: r.bus,
  CreatedBy: s.buses[r.bus]?.arn.split(':')[4],
});

export function ruleOperations(env: EventsEnv) {
  const { clock } = env;
  const stateOf = (ctx: RequestContext) => env.engine.stateOf(ctx);
  return {
    CreateEventBus(input: EB.CreateEventBusRequest, ctx: RequestContext): EB.CreateEventBusResponse {
      const s = stateOf(ctx);
      const name = input.Name!;
      if (name === 'default' || name.includes('/')) throw validation(`Event bus name '${name}' is not valid.`);
      if (s.buses[name]) throw alreadyExists(`Event bus ${name} already exists.`);
      const bus = {
        name,
        arn: busArn(ctx, name),
        description: input.Description,
        createdAt: new Date(),
        kmsKeyIdentifier: input.KmsKeyIdentifier,
        deadLetterConfig: input.DeadLetterConfig,
      };
      s.buses[name] = bus;
      if (input.Tags?.length) s.tags[bus.arn] = input.Tags;
      return {
        EventBusArn: bus.arn,
        Description: bus.description,
        KmsKeyIdentifier: bus.kmsKeyIdentifier,
        DeadLetterConfig: bus.deadLetterConfig,
      };
    },
    DescribeEventBus(input: EB.DescribeEventBusRequest, ctx: RequestContext): EB.DescribeEventBusResponse {
      const bus = getBus(stateOf(ctx), input.Name);
      return {
        Name: bus.name,
        Arn: bus.arn,
        Policy: bus.policy,
        Description: bus.description,
        CreationTime: bus.createdAt,
        LastModifiedTime: bus.createdAt,
        KmsKeyIdentifier: bus.kmsKeyIdentifier,
        DeadLetterConfig: bus.deadLetterConfig,
      };
    },
    UpdateEventBus(input: EB.UpdateEventBusRequest, ctx: RequestContext): EB.UpdateEventBusResponse {
      const bus = getBus(stateOf(ctx), input.Name);
      if (input.Description !== undefined) bus.description = input.Description;
      if (input.KmsKeyIdentifier !== undefined) bus.kmsKeyIdentifier = input.KmsKeyIdentifier;
      if (input.DeadLetterConfig !== undefined) bus.deadLetterConfig = input.DeadLetterConfig;
      return {
        Arn: bus.arn,
        Name: bus.name,
        Description: bus.description,
        KmsKeyIdentifier: bus.kmsKeyIdentifier,
        DeadLetterConfig: bus.deadLetterConfig,
      };
    },
    DeleteEventBus(input: EB.DeleteEventBusRequest, ctx: RequestContext): void {
      const s = stateOf(ctx);
      if (input.Name === 'default') throw validation('Cannot delete event bus default.');
      const bus = s.buses[input.Name!];
      if (!bus) return;
      for (const [k, r] of Object.entries(s.rules)) if (r.bus === bus.name) delete s.rules[k];
      delete s.buses[bus.name];
      delete s.tags[bus.arn];
      return;
    },
    ListEventBuses(input: EB.ListEventBusesRequest, ctx: RequestContext): EB.ListEventBusesResponse {
      const buses = Object.values(stateOf(ctx).buses)
        .filter((b) => !input.NamePrefix || b.name.startsWith(input.NamePrefix))
        .sort((a, b) => a.name.localeCompare(b.name));
      const { page, nextToken } = paginate(
        buses,
        (b) => b.name,
        { maxResults: input.Limit, nextToken: input.NextToken },
        { defaultMax: 100, maxLimit: 100, errorCode: 'ValidationException' },
      );
      return {
        EventBuses: page.map((b) => ({
          Name: b.name,
          Arn: b.arn,
          Description: b.description,
          Policy: b.policy,
          CreationTime: b.createdAt,
        })),
        NextToken: nextToken,
      };
    },
    PutPermission(input: EB.PutPermissionRequest, ctx: RequestContext): void {
      const bus = getBus(stateOf(ctx), input.EventBusName);
      if (input.Policy) {
        policyDocument(input.Policy);
        bus.policy = input.Policy;
      } else {
        if (!input.StatementId || !input.Action || !input.Principal)
          throw validation('StatementId, Action and Principal are required when Policy is not given.');
        const doc = bus.policy ? policyDocument(bus.policy) : { Version: '2012-10-17', Statement: [] };
        doc.Statement = doc.Statement.filter((st: { Sid?: string }) => st.Sid !== input.StatementId);
        doc.Statement.push({
          Sid: input.StatementId,
          Effect: 'Allow',
          Principal: input.Principal === '*' ? '*' : { AWS: `arn:aws:iam::${input.Principal}:root` },
          Action: input.Action,
          Resource: bus.arn,
        });
        bus.policy = JSON.stringify(doc);
      }
    },
    RemovePermission(input: EB.RemovePermissionRequest, ctx: RequestContext): void {
      const bus = getBus(stateOf(ctx), input.EventBusName);
      if (input.RemoveAllPermissions) {
        delete bus.policy;
        return;
      }
      const doc = bus.policy ? policyDocument(bus.policy) : { Statement: [] };
      const before = doc.Statement.length;
      doc.Statement = doc.Statement.filter((st: { Sid?: string }) => st.Sid !== input.StatementId);
      if (doc.Statement.length === before) throw notFound(`Statement with the provided id does not exist.`);
      bus.policy = doc.Statement.length ? JSON.stringify(doc) : undefined;
    },

    PutRule(input: EB.PutRuleRequest, ctx: RequestContext): EB.PutRuleResponse {
      const s = stateOf(ctx);
      const bus = getBus(s, input.EventBusName);
      if (!input.EventPattern && !input.ScheduleExpression)
        throw validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
      if (input.EventPattern) checkPattern(input.EventPattern);
      if (input.ScheduleExpression) {
        if (bus.name !== 'default') throw validation('ScheduleExpression is supported only on the default event bus.');
        try {
          parseSchedule(input.ScheduleExpression);
        } catch (e) {
          if (e instanceof ScheduleError) throw validation(`Parameter ScheduleExpression is not valid.`);
          throw e;
        }
      }
      const key = `${bus.name}|${input.Name}`;
      const existing = s.rules[key];
      if (existing?.managedBy)
        throw managedRule(`Rule ${input.Name} is managed by ${existing.managedBy} and cannot be modified.`);
      const rule: RuleRecord = {
        name: input.Name!,
        arn: ruleArn(ctx, bus.name, input.Name!),
        bus: bus.name,
        pattern: input.EventPattern,
        schedule: input.ScheduleExpression,
        state: input.State ?? 'ENABLED',
        description: input.Description,
        roleArn: input.RoleArn,
        targets: existing?.targets ?? [],
      };
      if (rule.schedule) rule.nextFire = nextFire(parseSchedule(rule.schedule), clock.now(), clock.now());
      s.rules[key] = rule;
      if (input.Tags?.length) s.tags[rule.arn] = input.Tags;
      return { RuleArn: rule.arn };
    },
    DescribeRule(input: EB.DescribeRuleRequest, ctx: RequestContext): EB.DescribeRuleResponse {
      const s = stateOf(ctx);
      return ruleOut(getRule(s, input.EventBusName, input.Name), s);
    },
    DeleteRule(input: EB.DeleteRuleRequest, ctx: RequestContext): void {
      const s = stateOf(ctx);
      const key = `${busName(input.EventBusName)}|${input.Name}`;
      const rule = s.rules[key];
      if (!rule) return;
      if (rule.managedBy && !input.Force)
        throw managedRule(`Rule ${rule.name} is managed by ${rule.managedBy}; use Force to delete it.`);
      if (rule.targets.length) throw validation("Rule can't be deleted since it has targets.");
      delete s.rules[key];
      delete s.tags[rule.arn];
    },
    EnableRule(input: EB.EnableRuleRequest, ctx: RequestContext): void {
      const rule = getRule(stateOf(ctx), input.EventBusName, input.Name);
      rule.state = 'ENABLED';
      if (rule.schedule) rule.nextFire = nextFire(parseSchedule(rule.schedule), clock.now(), clock.now());
    },
    DisableRule(input: EB.DisableRuleRequest, ctx: RequestContext): void {
      getRule(stateOf(ctx), input.EventBusName, input.Name).state = 'DISABLED';
    },
    ListRules(input: EB.ListRulesRequest, ctx: RequestContext): EB.ListRulesResponse {
      const s = stateOf(ctx);
      const bus = getBus(s, input.EventBusName).name;
      const rules = Object.values(s.rules)
        .filter((r) => r.bus === bus && (!input.NamePrefix || r.name.startsWith(input.NamePrefix)))
        .sort((a, b) => a.name.localeCompare(b.name));
      const { page, nextToken } = paginate(
        rules,
        (r) => r.name,
        { maxResults: input.Limit, nextToken: input.NextToken },
        { defaultMax: 100, maxLimit: 100, errorCode: 'ValidationException' },
      );
      return { Rules: page.map((r) => ruleOut(r, s)), NextToken: nextToken };
    },
    ListRuleNamesByTarget(
      input: EB.ListRuleNamesByTargetRequest,
      ctx: RequestContext,
    ): EB.ListRuleNamesByTargetResponse {
      const s = stateOf(ctx);
      const bus = busName(input.EventBusName);
      const names = Object.values(s.rules)
        .filter((r) => r.bus === bus && r.targets.some((t) => t.Arn === input.TargetArn))
        .map((r) => r.name)
        .sort();
      const { page, nextToken } = paginate(
        names,
        (n) => n,
        { maxResults: input.Limit, nextToken: input.NextToken },
        { defaultMax: 100, maxLimit: 100, errorCode: 'ValidationException' },
      );
      return { RuleNames: page, NextToken: nextToken };
    },

    PutTargets(input: EB.PutTargetsRequest, ctx: RequestContext): EB.PutTargetsResponse {
      const rule = getRule(stateOf(ctx), input.EventBusName, input.Rule);
      const failed: EB.PutTargetsResultEntry[] = [];
      for (const t of input.Targets ?? []) {
        if ([t.Input, t.InputPath, t.InputTransformer].filter((x) => x !== undefined).length > 1) {
          failed.push({
            TargetId: t.Id,
            ErrorCode: 'ValidationException',
            ErrorMessage: 'Only one of Input, InputPath, or InputTransformer must be provided.',
          });
          continue;
        }
        if (t.Input !== undefined) {
          try {
            JSON.parse(t.Input);
          } catch {
            failed.push({ TargetId: t.Id, ErrorCode: 'ValidationException', ErrorMessage: 'Input is not valid JSON.' });
            continue;
          }
        }
        if (!/^arn:aws[\w-]*:/.test(t.Arn ?? '')) {
          failed.push({
            TargetId: t.Id,
            ErrorCode: 'ValidationException',
            ErrorMessage: `Parameter ${t.Arn} is not valid. Reason: Provided Arn is not in correct format.`,
          });
          continue;
        }
        const i = rule.targets.findIndex((x) => x.Id === t.Id);
        if (i < 0 && rule.targets.length >= 5)
          throw limitExceeded(`The requested resource exceeds the maximum number allowed.`);
        if (i >= 0) rule.targets[i] = t;
        else rule.targets.push(t);
      }
      return { FailedEntryCount: failed.length, FailedEntries: failed };
    },
    RemoveTargets(input: EB.RemoveTargetsRequest, ctx: RequestContext): EB.RemoveTargetsResponse {
      const rule = getRule(stateOf(ctx), input.EventBusName, input.Rule);
      const failed: EB.RemoveTargetsResultEntry[] = [];
      for (const id of input.Ids ?? []) {
        if (!rule.targets.some((t) => t.Id === id))
          failed.push({
            TargetId: id,
            ErrorCode: 'ResourceNotFoundException',
            ErrorMessage: `Target ${id} does not exist.`,
          });
      }
      rule.targets = rule.targets.filter((t) => !input.Ids?.includes(t.Id!));
      return { FailedEntryCount: failed.length, FailedEntries: failed };
    },
    ListTargetsByRule(input: EB.ListTargetsByRuleRequest, ctx: RequestContext): EB.ListTargetsByRuleResponse {
      const rule = getRule(stateOf(ctx), input.EventBusName, input.Rule);
      const { page, nextToken } = paginate(
        rule.targets,
        (t) => t.Id!,
        { maxResults: input.Limit, nextToken: input.NextToken },
        { defaultMax: 100, maxLimit: 100, errorCode: 'ValidationException' },
      );
      return { Targets: page, NextToken: nextToken };
    },

    PutEvents(input: EB.PutEventsRequest, ctx: RequestContext): EB.PutEventsResponse {
      const s = stateOf(ctx);
      const results: EB.PutEventsResultEntry[] = [];
      const total = (input.Entries ?? []).reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e)), 0);
      if (total > MAX_EVENT_BYTES) throw validation('Total size of the entries in the request is over the limit.');
      for (const e of input.Entries ?? []) {
        if (!e.Source || !e.DetailType || e.Detail === undefined) {
          results.push({
            ErrorCode: 'InvalidArgument',
            ErrorMessage: `Parameter(s) ${['Source', 'DetailType', 'Detail'].filter((k) => !e[k as keyof typeof e]).join(', ')} must be specified.`,
          });
          continue;
        }
        let detail: unknown;
        try {
          detail = JSON.parse(e.Detail);
          if (!detail || typeof detail !== 'object' || Array.isArray(detail)) throw new Error('not an object');
        } catch {
          results.push({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });
          continue;
        }
        const bus = busName(e.EventBusName);
        if (!s.buses[bus]) {
          results.push({
            ErrorCode: 'NotAuthorizedForSourceException',
            ErrorMessage: `Event bus ${bus} does not exist.`,
          });
          continue;
        }
        const event = env.engine.newEvent(ctx, {
          source: e.Source,
          'detail-type': e.DetailType,
          detail,
          resources: e.Resources,
          time: e.Time
            ? toDate(e.Time)
                .toISOString()
                .replace(/\.\d{3}Z$/, 'Z')
            : undefined,
        });
        env.engine.put(ctx, bus, event);
        results.push({ EventId: event.id });
      }
      return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
    },
    TestEventPattern(input: EB.TestEventPatternRequest): EB.TestEventPatternResponse {
      const pattern = checkPattern(input.EventPattern!);
      let event: unknown;
      try {
        event = JSON.parse(input.Event!);
      } catch {
        throw validation('Parameter Event is not valid.');
      }
      const e = event as Record<string, unknown>;
      for (const k of ['id', 'account', 'source', 'time', 'region', 'detail-type']) {
        if (e[k] === undefined)
          throw validation(`Parameter Event is not valid. Reason: Provided Event is missing '${k}'.`);
      }
      return { Result: matches(pattern, event as never) };
    },

    TagResource(input: EB.TagResourceRequest, ctx: RequestContext): EB.TagResourceResponse {
      const s = stateOf(ctx);
      must(s, input.ResourceARN!);
      const tags = [...(s.tags[input.ResourceARN!] ?? [])];
      for (const t of input.Tags ?? []) {
        const i = tags.findIndex((x) => x.Key === t.Key);
        if (i >= 0) tags[i] = t;
        else tags.push(t);
      }
      s.tags[input.ResourceARN!] = tags;
      return {};
    },
    UntagResource(input: EB.UntagResourceRequest, ctx: RequestContext): EB.UntagResourceResponse {
      const s = stateOf(ctx);
      must(s, input.ResourceARN!);
      s.tags[input.ResourceARN!] = (s.tags[input.ResourceARN!] ?? []).filter((t) => !input.TagKeys?.includes(t.Key!));
      return {};
    },
    ListTagsForResource(input: EB.ListTagsForResourceRequest, ctx: RequestContext): EB.ListTagsForResourceResponse {
      const s = stateOf(ctx);
      must(s, input.ResourceARN!);
      return { Tags: s.tags[input.ResourceARN!] ?? [] };
    },
  };
}

/** Tags go on buses and rules that exist. */
function must(s: EventsState, arn: string) {
  const ok = Object.values(s.buses).some((b) => b.arn === arn) || Object.values(s.rules).some((r) => r.arn === arn);
  if (!ok) throw notFound(`Resource ${arn} does not exist.`);
}

/** A bus policy as a document with a Statement list (PutPermission refuses anything else, as AWS does). */
function policyDocument(text: string): { Statement: Array<Record<string, unknown>>; [k: string]: unknown } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw validation('The policy is not valid JSON.');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw validation('The policy must be a JSON object.');
  const d = doc as { Statement?: unknown };
  if (d.Statement === undefined) d.Statement = [];
  else if (!Array.isArray(d.Statement)) d.Statement = [d.Statement];
  return d as { Statement: Array<Record<string, unknown>> };
}
