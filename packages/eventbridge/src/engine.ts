/**
 * Where events go: PutEvents (and ECS, and schedules) hand an event to a bus; every enabled rule
 * of the bus whose pattern matches delivers it to its targets — ECS RunTask, CloudWatch Logs,
 * another bus, an API destination — with the target's input, and retries by its RetryPolicy.
 * Archives on the bus keep what their pattern matches.
 */
import { randomUUID } from 'node:crypto';
import type * as EB from '@aws-sdk/client-eventbridge';
import type * as ECS from '@aws-sdk/client-ecs';
import type { Bus, Logger, Store } from '@dockside/core';
import type {} from '@dockside/ecs';
import type {} from '@dockside/logs';
import { targetInput } from './domain/input';
import { busArn, busName, type Where } from './domain/ids';
import { matches, parsePattern } from './domain/pattern';
import type { BusEvent, EventsState, RuleRecord } from './state/types';

const MAX_DELIVERIES = 500;

/** Services whose API members are camelCase (ECS, Logs, ECR): universal-target input is converted to it. */
const CAMEL_CASE_SERVICES = new Set(['ecs', 'logs', 'ecr']);
const camelKeys = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(camelKeys)
    : v && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k.charAt(0).toLowerCase() + k.slice(1), camelKeys(x)]))
      : v;

export class EventEngine {
  constructor(
    private readonly store: Store<EventsState>,
    private readonly bus: Bus,
    private readonly logger: Logger,
    private readonly keepEvents: number,
  ) {}

  stateOf(where: Where): EventsState {
    const s = this.store.get(where.accountId, where.region);
    // Made at the account's first use here, the stand-in for when AWS made it with the account.
    s.buses.default ??= { name: 'default', arn: busArn(where, 'default'), createdAt: new Date() };
    return s;
  }

  newEvent(
    where: Where,
    fields: Pick<BusEvent, 'source' | 'detail-type' | 'detail'> & { resources?: string[]; time?: string },
  ): BusEvent {
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': fields['detail-type'],
      source: fields.source,
      account: where.accountId,
      time: fields.time ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: where.region,
      resources: fields.resources ?? [],
      detail: fields.detail,
    };
  }

  /** Parsed event patterns by their text (PutRule already checked them), so PutEvents does not re-parse per event. */
  private readonly patterns = new Map<string, ReturnType<typeof parsePattern>>();

  private pattern(text: string) {
    let p = this.patterns.get(text);
    if (!p) {
      if (this.patterns.size >= 10_000) this.patterns.clear();
      this.patterns.set(text, (p = parsePattern(text)));
    }
    return p;
  }

  /** Hands an event to a bus: recent list, archives, matching rules. */
  put(where: Where, bus: string, event: BusEvent) {
    const s = this.stateOf(where);
    const name = busName(bus);
    const recent = (s.recent[name] ??= []);
    recent.push(event);
    if (recent.length > this.keepEvents) recent.splice(0, recent.length - this.keepEvents);
    const arn = busArn(where, name);
    for (const a of Object.values(s.archives)) {
      if (a.sourceArn !== arn || a.state !== 'ENABLED' || event['replay-name']) continue;
      if (!a.pattern || matches(this.pattern(a.pattern), event as never)) a.events.push({ at: Date.now(), event });
    }
    for (const rule of Object.values(s.rules)) {
      if (rule.bus !== name || rule.state === 'DISABLED' || !rule.pattern) continue;
      if (!matches(this.pattern(rule.pattern), event as never)) continue;
      for (const t of rule.targets) void this.deliver(where, rule, t, event, 1);
    }
  }

  private record(s: EventsState, d: EventsState['deliveries'][number]) {
    s.deliveries.push(d);
    if (s.deliveries.length > MAX_DELIVERIES) s.deliveries.splice(0, s.deliveries.length - MAX_DELIVERIES);
  }

  /** One delivery attempt; a failure is retried by the target's RetryPolicy (exponential, 1 s first). */
  async deliver(where: Where, rule: RuleRecord, target: EB.Target, event: BusEvent, attempt: number): Promise<void> {
    const s = this.stateOf(where);
    const base = {
      at: new Date().toISOString(),
      bus: rule.bus,
      rule: rule.name,
      targetId: target.Id!,
      targetArn: target.Arn!,
      eventId: event.id,
      attempt,
    };
    try {
      const input = targetInput(target, event, rule);
      await this.send(where, rule, target, event, input);
      this.record(s, { ...base, outcome: 'delivered' });
    } catch (err) {
      const detail = (err as Error).message;
      const policy = target.RetryPolicy ?? {};
      const attempts = policy.MaximumRetryAttempts ?? 185;
      const maxAge = (policy.MaximumEventAgeInSeconds ?? 86400) * 1000;
      const delay = Math.min(60_000, 1000 * 2 ** (attempt - 1));
      const age = Date.now() - Date.parse(event.time) + delay;
      const retry = attempt <= attempts && age <= maxAge && !(err as { permanent?: boolean }).permanent;
      this.record(s, { ...base, outcome: retry ? 'retrying' : 'failed', detail });
      if (retry) setTimeout(() => void this.deliver(where, rule, target, event, attempt + 1), delay).unref();
      else this.logger.warn({ rule: rule.name, target: target.Id, err: detail }, 'event delivery failed');
    }
  }

  private async send(where: Where, rule: RuleRecord, target: EB.Target, event: BusEvent, input: unknown) {
    const arn = target.Arn ?? '';
    const m = /^arn:aws[\w-]*:([\w-]+):([\w-]*):(\d*):(.+)$/.exec(arn);
    if (!m) throw Object.assign(new Error(`'${arn}' is not an ARN`), { permanent: true });
    const [, service, region, accountId, resource] = m;
    const at = { accountId: accountId || where.accountId, region: region || where.region };
    if (service === 'logs' && resource.startsWith('log-group:')) {
      const group = resource.slice('log-group:'.length).replace(/:\*$/, '');
      await this.bus
        .call('logs', 'CreateLogStream', { logGroupName: group, logStreamName: event.id }, at)
        .catch((e: Error) => {
          if (e.name !== 'ResourceAlreadyExistsException') throw e;
        });
      await this.bus.call(
        'logs',
        'PutLogEvents',
        {
          logGroupName: group,
          logStreamName: event.id,
          logEvents: [
            {
              timestamp: Date.parse(event.time) || Date.now(),
              message: typeof input === 'string' ? input : JSON.stringify(input),
            },
          ],
        },
        at,
      );
      return;
    }
    if (service === 'ecs' && resource.startsWith('cluster/')) {
      await this.runTask(at, rule, target, resource.slice('cluster/'.length), input);
      return;
    }
    if (service === 'events' && resource.startsWith('event-bus/')) {
      this.put(at, resource.slice('event-bus/'.length), event);
      return;
    }
    if (service === 'scheduler' && resource.startsWith('aws-sdk:')) {
      await this.callUniversal(where, resource, input);
      return;
    }
    if (service === 'events' && resource.startsWith('api-destination/')) {
      await this.callApiDestination(at, arn, input);
      return;
    }
    throw Object.assign(new Error(`Dockside does not host ${service}: events to '${arn}' are not delivered`), {
      permanent: true,
    });
  }

  /** ECS RunTask with the target's EcsParameters; an object input is used as the task overrides. */
  private async runTask(where: Where, rule: RuleRecord, target: EB.Target, cluster: string, input: unknown) {
    const p = target.EcsParameters ?? ({} as EB.EcsParameters);
    const vpc = p.NetworkConfiguration?.awsvpcConfiguration;
    const overrides =
      input &&
      typeof input === 'object' &&
      !Array.isArray(input) &&
      ('containerOverrides' in input || 'taskRoleArn' in input || 'cpu' in input || 'memory' in input)
        ? (input as ECS.TaskOverride)
        : undefined;
    const req: ECS.RunTaskRequest = {
      cluster,
      taskDefinition: p.TaskDefinitionArn,
      count: p.TaskCount ?? 1,
      launchType: p.LaunchType as ECS.LaunchType | undefined,
      capacityProviderStrategy: p.CapacityProviderStrategy?.map((c) => ({
        capacityProvider: c.capacityProvider,
        weight: c.weight,
        base: c.base,
      })),
      networkConfiguration: vpc
        ? {
            awsvpcConfiguration: {
              subnets: vpc.Subnets,
              securityGroups: vpc.SecurityGroups,
              assignPublicIp: vpc.AssignPublicIp,
            },
          }
        : undefined,
      platformVersion: p.PlatformVersion,
      group: p.Group,
      placementConstraints: p.PlacementConstraints?.map((c) => ({
        type: c.type as ECS.PlacementConstraintType,
        expression: c.expression,
      })),
      placementStrategy: p.PlacementStrategy?.map((c) => ({
        type: c.type as ECS.PlacementStrategyType,
        field: c.field,
      })),
      enableECSManagedTags: p.EnableECSManagedTags,
      enableExecuteCommand: p.EnableExecuteCommand,
      propagateTags: p.PropagateTags as ECS.PropagateTags | undefined,
      referenceId: p.ReferenceId,
      tags: p.Tags?.map((t) => ({ key: t.Key, value: t.Value })),
      overrides,
      startedBy: (rule.startedBy ?? `events-rule/${rule.name}`).slice(0, 36),
    };
    const out = await this.bus.call('ecs', 'RunTask', req, where);
    if (!out.tasks?.length) {
      throw new Error(
        `RunTask started no task: ${(out.failures ?? []).map((f) => `${f.arn ?? ''} ${f.reason}`).join('; ')}`,
      );
    }
  }

  /**
   * A Scheduler universal target (`arn:aws:scheduler:::aws-sdk:<service>:<action>`): the action of a
   * service this gateway loads, with the input as its request. Keys may be written as the API
   * reference spells them or capitalised: services whose members are camelCase get them so.
   */
  private async callUniversal(where: Where, resource: string, input: unknown) {
    const [, service, action] = resource.split(':');
    const signing = service === 'eventbridge' ? 'events' : service;
    if (!this.bus.isLoaded(signing))
      throw Object.assign(new Error(`Dockside does not host ${service}: '${resource}' is not invoked`), {
        permanent: true,
      });
    const operation = action.charAt(0).toUpperCase() + action.slice(1);
    const request = CAMEL_CASE_SERVICES.has(signing) ? camelKeys(input) : input;
    const call = this.bus.call.bind(this.bus) as (s: string, o: string, i: unknown, w: Where) => Promise<unknown>;
    await call(signing, operation, request ?? {}, where);
  }

  private async callApiDestination(where: Where, arn: string, input: unknown) {
    const s = this.stateOf(where);
    const dest = Object.values(s.apiDestinations).find((d) => d.ApiDestinationArn === arn);
    if (!dest) throw Object.assign(new Error(`API destination '${arn}' does not exist`), { permanent: true });
    const conn = Object.values(s.connections).find((c) => c.ConnectionArn === dest.ConnectionArn);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Amazon/EventBridge/ApiDestinations',
    };
    const auth = conn?.authParameters;
    if (auth?.ApiKeyAuthParameters)
      headers[auth.ApiKeyAuthParameters.ApiKeyName!.toLowerCase()] = auth.ApiKeyAuthParameters.ApiKeyValue!;
    if (auth?.BasicAuthParameters) {
      headers.authorization = `Basic ${Buffer.from(`${auth.BasicAuthParameters.Username}:${auth.BasicAuthParameters.Password}`).toString('base64')}`;
    }
    for (const h of auth?.InvocationHttpParameters?.HeaderParameters ?? []) headers[h.Key!.toLowerCase()] = h.Value!;
    const method = dest.HttpMethod ?? 'POST';
    const res = await fetch(dest.InvocationEndpoint!, {
      method,
      headers,
      body:
        method === 'GET' || method === 'HEAD' ? undefined : typeof input === 'string' ? input : JSON.stringify(input),
    });
    await res.arrayBuffer();
    if (res.status >= 400)
      throw Object.assign(new Error(`API destination answered ${res.status}`), {
        permanent: res.status < 500 && res.status !== 429,
      });
  }
}
