/** Target groups: create (idempotent), describe, modify health checks, attributes, delete (refused while in use). */
import type * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import type { RequestContext } from '@dockside/core';
import { checkAttributes, TG_ATTRIBUTE_RULES } from '../domain/attributes';
import { healthCheckDefaults, targetGroupAttributes } from '../domain/defaults';
import { attributesOut, markerPage, targetGroupOut } from '../domain/describe';
import { targetGroupArn } from '../domain/ids';
import {
  getLoadBalancer,
  getTargetGroup,
  loadBalancersOf,
  listenersOf,
  forwardedGroups,
  rulesOf,
} from '../domain/lookup';
import { checkName } from '../domain/names';
import { setTags } from '../domain/tags';
import { duplicateTgName, invalid, resourceInUse, tgNotFound } from '../errors';
import type { HealthCheck, TargetGroupRecord } from '../state/types';
import type { Elbv2Env } from './context';

type HealthInput = Pick<
  ELB.CreateTargetGroupInput,
  | 'HealthCheckProtocol'
  | 'HealthCheckPort'
  | 'HealthCheckEnabled'
  | 'HealthCheckPath'
  | 'HealthCheckIntervalSeconds'
  | 'HealthCheckTimeoutSeconds'
  | 'HealthyThresholdCount'
  | 'UnhealthyThresholdCount'
  | 'Matcher'
>;

const HTTPISH = new Set(['HTTP', 'HTTPS']);

/** Applies health-check settings over `base`, with AWS's ranges. */
function healthCheck(
  base: HealthCheck,
  input: HealthInput,
  tg: Pick<TargetGroupRecord, 'protocol' | 'targetType'>,
): HealthCheck {
  const hc: HealthCheck = {
    ...base,
    enabled: input.HealthCheckEnabled ?? base.enabled,
    protocol: input.HealthCheckProtocol ?? base.protocol,
    port: input.HealthCheckPort ?? base.port,
    path: input.HealthCheckPath ?? base.path,
    intervalSeconds: input.HealthCheckIntervalSeconds ?? base.intervalSeconds,
    timeoutSeconds: input.HealthCheckTimeoutSeconds ?? base.timeoutSeconds,
    healthyThreshold: input.HealthyThresholdCount ?? base.healthyThreshold,
    unhealthyThreshold: input.UnhealthyThresholdCount ?? base.unhealthyThreshold,
    matcher: input.Matcher ?? base.matcher,
  };
  if (input.HealthCheckProtocol && HTTPISH.has(input.HealthCheckProtocol)) {
    hc.path ??= '/';
    hc.matcher ??= { HttpCode: HTTPISH.has(tg.protocol ?? '') ? '200' : '200-399' };
  }
  if (input.HealthCheckEnabled === false && tg.targetType !== 'lambda') {
    throw invalid(`Health checks cannot be disabled for target groups with target type '${tg.targetType}'`);
  }
  if (hc.protocol && !HTTPISH.has(hc.protocol) && (input.HealthCheckPath || input.Matcher)) {
    throw invalid(`Health check path and matcher are not supported for health check protocol '${hc.protocol}'`);
  }
  if (
    hc.port !== undefined &&
    hc.port !== 'traffic-port' &&
    !(/^\d+$/.test(hc.port) && +hc.port >= 1 && +hc.port <= 65535)
  ) {
    throw invalid(`Health check port '${hc.port}' must be 'traffic-port' or a number between 1 and 65535`);
  }
  if (hc.path !== undefined && !hc.path.startsWith('/'))
    throw invalid(`Health check path '${hc.path}' must begin with a '/' character`);
  if (hc.timeoutSeconds >= hc.intervalSeconds && tg.targetType !== 'lambda') {
    throw invalid(
      `Health check timeout '${hc.timeoutSeconds}' must be smaller than the interval '${hc.intervalSeconds}'`,
    );
  }
  const code = hc.matcher?.HttpCode;
  if (code !== undefined && !/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(code)) {
    throw invalid(
      `Health check matcher HTTP code '${code}' must be a code, a comma-separated list or a range (200-299)`,
    );
  }
  return hc;
}

export function targetGroupOperations(env: Elbv2Env) {
  const { stateOf } = env;
  return {
    CreateTargetGroup(input: ELB.CreateTargetGroupInput, ctx: RequestContext): ELB.CreateTargetGroupOutput {
      const s = stateOf(ctx);
      const name = input.Name!;
      checkName('target group', name);
      const targetType = (input.TargetType ?? 'instance') as TargetGroupRecord['targetType'];
      if (targetType === 'lambda') {
        if (input.Protocol || input.Port || input.VpcId)
          throw invalid("A protocol, port and VPC ID cannot be specified for target groups with target type 'lambda'");
      } else {
        if (!input.Protocol) throw invalid('A protocol must be specified');
        if (input.Port === undefined && input.Protocol !== 'GENEVE') throw invalid('A port must be specified');
        if (!input.VpcId) throw invalid('A VPC ID must be specified');
      }
      if (input.ProtocolVersion && !HTTPISH.has(input.Protocol ?? '')) {
        throw invalid('A protocol version can only be specified for HTTP and HTTPS target groups');
      }
      if (targetType === 'alb' && input.Protocol !== 'TCP')
        throw invalid("Target groups of type 'alb' must use the TCP protocol");
      const shape = { protocol: input.Protocol, targetType };
      const hc = healthCheck(healthCheckDefaults(input.Protocol, targetType, input.HealthCheckProtocol), input, shape);
      const existing = Object.values(s.targetGroups).find((tg) => tg.name === name);
      if (existing) {
        const same =
          existing.protocol === input.Protocol &&
          existing.port === input.Port &&
          existing.vpcId === input.VpcId &&
          existing.targetType === targetType &&
          JSON.stringify(existing.healthCheck) === JSON.stringify(hc);
        if (!same) throw duplicateTgName(name);
        return { TargetGroups: [targetGroupOut(s, existing)] };
      }
      const tg: TargetGroupRecord = {
        arn: targetGroupArn(ctx, name),
        name,
        targetType,
        protocol: input.Protocol,
        protocolVersion: HTTPISH.has(input.Protocol ?? '') ? (input.ProtocolVersion ?? 'HTTP1') : undefined,
        port: input.Port ?? (input.Protocol === 'GENEVE' ? 6081 : undefined),
        vpcId: input.VpcId,
        ipAddressType: targetType === 'ip' || targetType === 'instance' ? (input.IpAddressType ?? 'ipv4') : undefined,
        targetControlPort: input.TargetControlPort,
        healthCheck: hc,
        attributes: targetGroupAttributes(shape),
      };
      setTags(s, tg.arn, input.Tags ?? []);
      s.targetGroups[tg.arn] = tg;
      s.targets[tg.arn] = {};
      return { TargetGroups: [targetGroupOut(s, tg)] };
    },

    DescribeTargetGroups(input: ELB.DescribeTargetGroupsInput, ctx: RequestContext): ELB.DescribeTargetGroupsOutput {
      const s = stateOf(ctx);
      const given = [input.LoadBalancerArn, input.TargetGroupArns?.length, input.Names?.length].filter(Boolean).length;
      if (given > 1)
        throw invalid(
          'Target group names, target group ARNs, and a load balancer ARN cannot be specified at the same time',
        );
      let tgs = Object.values(s.targetGroups).sort(
        (a, b) => a.name.localeCompare(b.name) || a.arn.localeCompare(b.arn),
      );
      if (input.LoadBalancerArn) {
        getLoadBalancer(s, input.LoadBalancerArn);
        tgs = tgs.filter((tg) => loadBalancersOf(s, tg.arn).includes(input.LoadBalancerArn!));
      }
      if (input.TargetGroupArns?.length) tgs = input.TargetGroupArns.map((arn) => getTargetGroup(s, arn));
      if (input.Names?.length) {
        const missing = input.Names.filter((n) => !tgs.some((tg) => tg.name === n));
        if (missing.length) throw tgNotFound(`Target groups '[${missing.join(', ')}]' not found`);
        tgs = input.Names.map((n) => tgs.find((tg) => tg.name === n)!);
      }
      const { page, next } = markerPage(tgs, input.Marker, input.PageSize);
      return { TargetGroups: page.map((tg) => targetGroupOut(s, tg)), NextMarker: next };
    },

    ModifyTargetGroup(input: ELB.ModifyTargetGroupInput, ctx: RequestContext): ELB.ModifyTargetGroupOutput {
      const s = stateOf(ctx);
      const tg = getTargetGroup(s, input.TargetGroupArn!);
      tg.healthCheck = healthCheck(tg.healthCheck, input, tg);
      env.changed();
      return { TargetGroups: [targetGroupOut(s, tg)] };
    },

    DeleteTargetGroup(input: ELB.DeleteTargetGroupInput, ctx: RequestContext): ELB.DeleteTargetGroupOutput {
      const s = stateOf(ctx);
      const tg = s.targetGroups[input.TargetGroupArn!];
      if (!tg) {
        getTargetGroup(s, input.TargetGroupArn!); // malformed ARNs are an error; a deleted group is not
        return {};
      }
      const users = Object.values(s.loadBalancers).flatMap((lb) =>
        listenersOf(s, lb.arn).filter((l) =>
          rulesOf(s, l.arn).some((r) => forwardedGroups(r.actions).includes(tg.arn)),
        ),
      );
      if (users.length) {
        throw resourceInUse(`Target group '${tg.arn}' is currently in use by a listener or a rule`);
      }
      delete s.targetGroups[tg.arn];
      delete s.targets[tg.arn];
      delete s.tags[tg.arn];
      env.changed();
      return {};
    },

    DescribeTargetGroupAttributes(input: ELB.DescribeTargetGroupAttributesInput, ctx: RequestContext) {
      const tg = getTargetGroup(stateOf(ctx), input.TargetGroupArn!);
      return { Attributes: attributesOut(tg.attributes) };
    },

    ModifyTargetGroupAttributes(input: ELB.ModifyTargetGroupAttributesInput, ctx: RequestContext) {
      const tg = getTargetGroup(stateOf(ctx), input.TargetGroupArn!);
      const changes = checkAttributes(TG_ATTRIBUTE_RULES, tg.attributes, input.Attributes ?? [], 'target group');
      const next = { ...tg.attributes, ...changes };
      if (
        next['stickiness.enabled'] === 'true' &&
        next['stickiness.type'] === 'app_cookie' &&
        !next['stickiness.app_cookie.cookie_name']
      ) {
        throw invalid(
          "The attribute 'stickiness.app_cookie.cookie_name' must be specified when the stickiness type is 'app_cookie'",
        );
      }
      tg.attributes = next;
      env.changed();
      return { Attributes: attributesOut(tg.attributes) };
    },
  };
}
