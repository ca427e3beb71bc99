/** Checks listener and rule actions and conditions as ELBv2 does before storing them. */
import type * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import { ServiceError } from '@dockside/core';
import { incompatibleProtocols, invalid, invalidAction } from '../errors';
import type { Elbv2State, ListenerRecord, LoadBalancerRecord } from '../state/types';
import { forwardedGroups, getTargetGroup, loadBalancersOf } from './lookup';

const TERMINAL = new Set(['forward', 'redirect', 'fixed-response']);
const CONTENT_TYPES = ['text/plain', 'text/css', 'text/html', 'application/javascript', 'application/json'];
export const CONDITION_FIELDS = [
  'http-header',
  'http-request-method',
  'host-header',
  'path-pattern',
  'query-string',
  'source-ip',
] as const;

/** Validates actions for a listener of `lb` and returns them sorted by Order. */
export function checkActions(
  s: Elbv2State,
  lb: LoadBalancerRecord,
  listener: Pick<ListenerRecord, 'protocol'>,
  actions: ELB.Action[],
): ELB.Action[] {
  if (!actions.length) throw invalid('At least one action must be specified');
  if (actions.length > 1 && actions.some((a) => a.Order === undefined)) {
    throw invalid('An action order must be specified when there is more than one action');
  }
  const sorted = [...actions].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0));
  const orders = new Set(sorted.map((a) => a.Order));
  if (actions.length > 1 && orders.size !== actions.length) throw invalid('Action orders must be unique');
  const terminals = sorted.filter((a) => TERMINAL.has(a.Type!));
  if (terminals.length !== 1)
    throw invalidAction('Exactly one terminal action (forward, redirect or fixed-response) must be specified');
  if (!TERMINAL.has(sorted[sorted.length - 1].Type!))
    throw invalidAction('The terminal action must be the last action');
  for (const a of sorted) {
    if (lb.type !== 'application' && a.Type !== 'forward') {
      throw invalidAction(`Action type '${a.Type}' is not supported by ${lb.type} load balancers`);
    }
    if (a.Type === 'forward') checkForward(s, lb, listener, a);
    else if (a.Type === 'redirect') checkRedirect(a.RedirectConfig);
    else if (a.Type === 'fixed-response') checkFixedResponse(a.FixedResponseConfig);
    else if (a.Type?.startsWith('authenticate-') && listener.protocol !== 'HTTPS') {
      throw invalidAction(`Action type '${a.Type}' can only be used with HTTPS listeners`);
    }
  }
  return sorted;
}

function checkForward(
  s: Elbv2State,
  lb: LoadBalancerRecord,
  listener: Pick<ListenerRecord, 'protocol'>,
  a: ELB.Action,
) {
  const groups = a.ForwardConfig?.TargetGroups ?? [];
  if (!a.TargetGroupArn && !groups.length) throw invalid('A target group ARN must be specified for a forward action');
  if (a.TargetGroupArn && groups.length > 1) {
    throw invalid('You cannot specify both a target group ARN and a forward config with more than one target group');
  }
  if (a.TargetGroupArn && groups.length === 1 && groups[0].TargetGroupArn !== a.TargetGroupArn) {
    throw invalid('The target group ARN of the action must match the single target group of its forward config');
  }
  if (lb.type !== 'application' && groups.length > 1) {
    throw invalid('Network load balancer forward actions can have only one target group');
  }
  if (groups.length > 5)
    throw new ServiceError('TooManyTargetGroupsException', 'A forward action can have at most 5 target groups');
  for (const g of groups) {
    if (g.Weight !== undefined && (g.Weight < 0 || g.Weight > 999))
      throw invalid('Target group weight must be between 0 and 999');
  }
  const stick = a.ForwardConfig?.TargetGroupStickinessConfig;
  if (
    stick?.Enabled &&
    (stick.DurationSeconds === undefined || stick.DurationSeconds < 1 || stick.DurationSeconds > 604800)
  ) {
    throw invalid('Target group stickiness duration must be between 1 and 604800 seconds');
  }
  for (const arn of forwardedGroups([a])) {
    const tg = getTargetGroup(s, arn);
    const albProto = listener.protocol === 'HTTP' || listener.protocol === 'HTTPS';
    const tgAlbProto = tg.protocol === 'HTTP' || tg.protocol === 'HTTPS';
    if (tg.targetType !== 'lambda' && lb.type !== 'gateway' && albProto !== tgAlbProto) {
      throw incompatibleProtocols(
        `Listener protocol '${listener.protocol}' is not supported with a target group with the protocol '${tg.protocol}'`,
      );
    }
    const others = loadBalancersOf(s, arn).filter((x) => x !== lb.arn);
    if (others.length) {
      throw new ServiceError(
        'TargetGroupAssociationLimitException',
        `The following target groups cannot be associated with more than one load balancer: ${arn}`,
      );
    }
  }
}

function checkRedirect(c: ELB.RedirectActionConfig | undefined) {
  if (!c?.StatusCode) throw invalid('A redirect config with a status code must be specified for a redirect action');
  if (c.Protocol && !['HTTP', 'HTTPS', '#{protocol}'].includes(c.Protocol)) {
    throw invalid(`Redirect protocol '${c.Protocol}' must be one of 'HTTP, HTTPS, #{protocol}'`);
  }
  if (c.Port && c.Port !== '#{port}' && !(/^\d+$/.test(c.Port) && +c.Port >= 1 && +c.Port <= 65535)) {
    throw invalid(`Redirect port '${c.Port}' must be a number between 1 and 65535 or '#{port}'`);
  }
  if (c.Path && !c.Path.startsWith('/')) throw invalid(`Redirect path '${c.Path}' must start with '/'`);
  const same = ['Protocol', 'Host', 'Port', 'Path', 'Query'].every((k) => {
    const v = c[k as keyof ELB.RedirectActionConfig];
    return v === undefined || v === `#{${k.toLowerCase()}}`;
  });
  if (same)
    throw invalid('The redirect must change at least one of the following components: protocol, port, host, path');
}

function checkFixedResponse(c: ELB.FixedResponseActionConfig | undefined) {
  if (!c?.StatusCode)
    throw invalid('A fixed response config with a status code must be specified for a fixed-response action');
  if (!/^(2|4|5)\d\d$/.test(c.StatusCode)) throw invalid(`Fixed response status code '${c.StatusCode}' is not valid`);
  if (c.ContentType && !CONTENT_TYPES.includes(c.ContentType)) {
    throw invalid(`Fixed response content type '${c.ContentType}' must be one of '${CONTENT_TYPES.join(', ')}'`);
  }
  if ((c.MessageBody ?? '').length > 1024)
    throw invalid('Fixed response message body cannot be longer than 1024 characters');
}

/** Validates rule conditions (the default rule has none). */
export function checkConditions(conditions: ELB.RuleCondition[]) {
  if (!conditions.length) throw invalid('A rule must have at least one condition');
  let values = 0;
  const seen = new Set<string>();
  for (const c of conditions) {
    const f = c.Field as (typeof CONDITION_FIELDS)[number];
    if (!CONDITION_FIELDS.includes(f)) {
      throw invalid(`Condition field '${c.Field}' must be one of '[${CONDITION_FIELDS.join(', ')}]'`);
    }
    if (seen.has(f) && f !== 'http-header' && f !== 'query-string') {
      throw invalid(`A rule can have only one '${f}' condition`);
    }
    seen.add(f);
    const cfg = conditionValues(c);
    if (c.Values?.length && cfg.config)
      throw invalid(`You cannot specify both 'Values' and a config for condition '${f}'`);
    if (c.Values?.length && f !== 'host-header' && f !== 'path-pattern') {
      throw invalid(`Condition '${f}' must be given with its config, not 'Values'`);
    }
    const n = cfg.count;
    if (!n) throw invalid(`Condition '${f}' must have at least one value`);
    values += n;
    if (f === 'http-header' && !c.HttpHeaderConfig?.HttpHeaderName)
      throw invalid('An HTTP header name must be specified');
    if (f === 'path-pattern')
      for (const v of cfg.list)
        if (v.length > 128) throw invalid('A path pattern cannot be longer than 128 characters');
    if (f === 'source-ip')
      for (const v of cfg.list)
        if (!/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(v)) throw invalid(`'${v}' is not a valid CIDR block`);
  }
  if (values > 5) throw invalid('A rule can only have 5 condition values');
}

function conditionValues(c: ELB.RuleCondition): { config: boolean; count: number; list: string[] } {
  const cfg =
    c.HostHeaderConfig?.Values ??
    c.PathPatternConfig?.Values ??
    c.HttpHeaderConfig?.Values ??
    c.HttpRequestMethodConfig?.Values ??
    c.SourceIpConfig?.Values;
  if (cfg) return { config: true, count: cfg.length, list: cfg };
  if (c.QueryStringConfig?.Values) {
    return {
      config: true,
      count: c.QueryStringConfig.Values.length,
      list: c.QueryStringConfig.Values.map((v) => v.Value ?? ''),
    };
  }
  return { config: false, count: c.Values?.length ?? 0, list: c.Values ?? [] };
}

/** The config form AWS returns for conditions given in the legacy `Values` form (it echoes both). */
export function normaliseCondition(c: ELB.RuleCondition): ELB.RuleCondition {
  if (c.Field === 'host-header')
    return {
      ...c,
      HostHeaderConfig: c.HostHeaderConfig ?? { Values: c.Values },
      Values: c.Values ?? c.HostHeaderConfig?.Values,
    };
  if (c.Field === 'path-pattern')
    return {
      ...c,
      PathPatternConfig: c.PathPatternConfig ?? { Values: c.Values },
      Values: c.Values ?? c.PathPatternConfig?.Values,
    };
  return c;
}

/** A forward with TargetGroupArn also carries the one-group ForwardConfig AWS returns for it. */
export function normaliseActions(actions: ELB.Action[]): ELB.Action[] {
  return actions.map((a) => {
    if (a.Type !== 'forward') return a;
    if (a.TargetGroupArn && !a.ForwardConfig) {
      return {
        ...a,
        ForwardConfig: {
          TargetGroups: [{ TargetGroupArn: a.TargetGroupArn, Weight: 1 }],
          TargetGroupStickinessConfig: { Enabled: false },
        },
      };
    }
    const fc = a.ForwardConfig!;
    const groups = (fc.TargetGroups ?? []).map((g) => ({ ...g, Weight: g.Weight ?? 1 }));
    return {
      ...a,
      TargetGroupArn: a.TargetGroupArn ?? (groups.length === 1 ? groups[0].TargetGroupArn : undefined),
      ForwardConfig: {
        TargetGroups: groups,
        TargetGroupStickinessConfig: fc.TargetGroupStickinessConfig ?? { Enabled: false },
      },
    };
  });
}
