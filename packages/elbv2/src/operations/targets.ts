/** RegisterTargets, DeregisterTargets (draining for the deregistration delay) and DescribeTargetHealth. */
import { isIP } from 'node:net';
import type * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import { ServiceError, type RequestContext } from '@dockside/core';
import { DESCRIPTIONS, describeTarget, inUse, newTarget, setState, targetKey } from '../domain/health';
import { getTargetGroup } from '../domain/lookup';
import { invalid, invalidTarget } from '../errors';
import type { TargetGroupRecord } from '../state/types';
import type { Elbv2Env } from './context';

function checkTarget(tg: TargetGroupRecord, t: ELB.TargetDescription): number {
  const id = t.Id!;
  if (tg.targetType === 'ip' && !isIP(id)) throw invalidTarget(`The IP address '${id}' is not a valid IPv4 address`);
  if (tg.targetType === 'instance' && !/^i-[0-9a-f]{8,17}$/.test(id)) {
    throw invalidTarget(`The following targets are not valid instances: '${id}'`);
  }
  if (tg.targetType === 'lambda' && !/^arn:aws[\w-]*:lambda:/.test(id))
    throw invalidTarget(`The target '${id}' is not a valid Lambda function ARN`);
  if (tg.targetType === 'alb' && !/^arn:aws[\w-]*:elasticloadbalancing:.*:loadbalancer\/app\//.test(id)) {
    throw invalidTarget(`The target '${id}' is not a valid application load balancer ARN`);
  }
  if (tg.targetType === 'lambda') {
    if (t.Port !== undefined) throw invalid('A port cannot be specified for Lambda targets');
    return 0;
  }
  const port = t.Port ?? tg.port;
  if (port === undefined || port < 1 || port > 65535) throw invalid('A port must be specified for the target');
  return port;
}

export function targetOperations(env: Elbv2Env) {
  const { stateOf } = env;
  return {
    RegisterTargets(input: ELB.RegisterTargetsInput, ctx: RequestContext): ELB.RegisterTargetsOutput {
      const s = stateOf(ctx);
      const tg = getTargetGroup(s, input.TargetGroupArn!);
      const entries = (input.Targets ?? []).map((t) => ({ t, port: checkTarget(tg, t) }));
      if (tg.targetType === 'lambda' && (entries.length > 1 || Object.keys(s.targets[tg.arn] ?? {}).length)) {
        throw new ServiceError(
          'TooManyTargetsException',
          'A target group with target type lambda can have only one target',
        );
      }
      const targets = (s.targets[tg.arn] ??= {});
      const now = Date.now();
      for (const { t, port } of entries) {
        const key = targetKey(t.Id!, port);
        const have = targets[key];
        if (have && have.state !== 'draining') continue;
        targets[key] = newTarget(tg, t.Id!, port, t.AvailabilityZone, now);
      }
      env.changed();
      return {};
    },

    DeregisterTargets(input: ELB.DeregisterTargetsInput, ctx: RequestContext): ELB.DeregisterTargetsOutput {
      const s = stateOf(ctx);
      const tg = getTargetGroup(s, input.TargetGroupArn!);
      const targets = (s.targets[tg.arn] ??= {});
      const delaySeconds = Number(tg.attributes['deregistration_delay.timeout_seconds'] ?? 300);
      const now = Date.now();
      for (const t of input.Targets ?? []) {
        const matching = Object.entries(targets).filter(
          ([, x]) => x.id === t.Id && (t.Port === undefined ? true : x.port === t.Port),
        );
        // Deregistering a target that is not registered is a no-op, as on AWS.
        for (const [key, x] of matching) {
          if (x.state === 'draining') continue;
          if (!inUse(s, tg.arn) || delaySeconds === 0) {
            delete targets[key];
            continue;
          }
          setState(x, 'draining', 'Target.DeregistrationInProgress');
          x.drainUntil = now + delaySeconds * 1000 * env.scale;
        }
      }
      env.changed();
      return {};
    },

    DescribeTargetHealth(input: ELB.DescribeTargetHealthInput, ctx: RequestContext): ELB.DescribeTargetHealthOutput {
      const s = stateOf(ctx);
      const tg = getTargetGroup(s, input.TargetGroupArn!);
      const targets = Object.values(s.targets[tg.arn] ?? {});
      if (!input.Targets?.length) return { TargetHealthDescriptions: targets.map((t) => describeTarget(s, tg, t)) };
      return {
        TargetHealthDescriptions: input.Targets.flatMap((asked) => {
          const found = targets.filter((t) => t.id === asked.Id && (asked.Port === undefined || t.port === asked.Port));
          if (found.length) return found.map((t) => describeTarget(s, tg, t));
          const port = asked.Port ?? tg.port;
          return [
            {
              Target: { Id: asked.Id, Port: port, AvailabilityZone: asked.AvailabilityZone },
              HealthCheckPort:
                tg.healthCheck.port === 'traffic-port' && port !== undefined ? String(port) : tg.healthCheck.port,
              TargetHealth: {
                State: 'unused',
                Reason: 'Target.NotRegistered',
                Description: DESCRIPTIONS['Target.NotRegistered'],
              },
            },
          ];
        }),
      };
    },
  };
}
