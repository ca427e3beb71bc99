/**
 * Blue/green traffic with an ALB: a service's `loadBalancers[].advancedConfiguration` names an
 * alternate target group and listener rules. Green tasks register with the side blue is not
 * on; TEST_TRAFFIC_SHIFT points the test rule at green, PRODUCTION_TRAFFIC_SHIFT moves the
 * production rule's forward weights to green (all at once for BLUE_GREEN, stepPercent every
 * stepBakeTime for LINEAR, canaryPercent for canaryBakeTime then the rest for CANARY), through
 * the elbv2 plugin's ModifyRule. A rollback points the rules back at blue.
 */
import type * as ECS from '@aws-sdk/client-ecs';
import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import { isServiceNotLoaded } from '@dockside/core';
import type { Where } from '../domain/context';
import type { DeploymentRecord, ServiceRecord } from '../state/types';
import type { ServiceScheduler } from './scheduler';

type Which = 'test' | 'production';

const ruleOf = (lb: ECS.LoadBalancer, which: Which) =>
  which === 'test' ? lb.advancedConfiguration?.testListenerRule : lb.advancedConfiguration?.productionListenerRule;

/** Load balancer entries that take part in blue/green traffic shifting. */
export const shifted = (svc: ServiceRecord) =>
  (svc.loadBalancers ?? []).filter((lb) => lb.targetGroupArn && lb.advancedConfiguration?.alternateTargetGroupArn);

/** The target group of one side of an entry. */
const groupOf = (lb: ECS.LoadBalancer, side: 'primary' | 'alternate' | undefined) =>
  side === 'alternate' ? lb.advancedConfiguration!.alternateTargetGroupArn! : lb.targetGroupArn!;

/** Share of production traffic green should have `elapsedMs` into PRODUCTION_TRAFFIC_SHIFT. */
export function productionPercent(
  cfg: ECS.DeploymentConfiguration | undefined,
  elapsedMs: number,
  timeScale = 1,
): number {
  const minute = 60_000 * timeScale;
  if (cfg?.strategy === 'LINEAR') {
    const step = cfg.linearConfiguration?.stepPercent ?? 10;
    const bake = (cfg.linearConfiguration?.stepBakeTimeInMinutes ?? 6) * minute;
    return bake <= 0 ? 100 : Math.min(100, step * (1 + Math.floor(elapsedMs / bake)));
  }
  if (cfg?.strategy === 'CANARY') {
    const bake = (cfg.canaryConfiguration?.canaryBakeTimeInMinutes ?? 10) * minute;
    return elapsedMs >= bake ? 100 : (cfg.canaryConfiguration?.canaryPercent ?? 5);
  }
  return 100;
}

/** Rewrites the forward action of a rule to split between blue and green. */
async function setWeights(
  s: ServiceScheduler,
  where: Where,
  ruleArn: string,
  blueTg: string,
  greenTg: string,
  percent: number,
) {
  const { Rules } = await s.bus.call('elasticloadbalancing', 'DescribeRules', { RuleArns: [ruleArn] }, where);
  const actions: Action[] = (Rules?.[0]?.Actions ?? []).map((a) =>
    a.Type !== 'forward'
      ? a
      : {
          Type: 'forward',
          Order: a.Order,
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: blueTg, Weight: 100 - percent },
              { TargetGroupArn: greenTg, Weight: percent },
            ],
            TargetGroupStickinessConfig: a.ForwardConfig?.TargetGroupStickinessConfig ?? { Enabled: false },
          },
        },
  );
  await s.bus.call('elasticloadbalancing', 'ModifyRule', { RuleArn: ruleArn, Actions: actions }, where);
}

/**
 * Moves `which` traffic toward green for this pass; true once green has all of it (or there
 * is nothing to shift). Each step is applied once; the next pass sees it applied.
 */
export function shiftTraffic(
  s: ServiceScheduler,
  where: Where,
  svc: ServiceRecord,
  green: DeploymentRecord,
  blue: DeploymentRecord | undefined,
  which: Which,
  elapsedMs: number,
): boolean {
  const entries = shifted(svc).filter((lb) => ruleOf(lb, which));
  if (!entries.length) return true;
  const percent =
    which === 'test' ? 100 : productionPercent(svc.deploymentConfiguration, elapsedMs, s.opts.deploymentTimeScale);
  const key = `${which}:${percent}`;
  const t = (green.traffic ??= {});
  if (t.applied?.includes(key)) return percent === 100;
  if (t.pending === key) return false;
  t.pending = key;
  void Promise.all(
    entries.map((lb) =>
      setWeights(s, where, ruleOf(lb, which)!, groupOf(lb, blue?.targetSide), groupOf(lb, green.targetSide), percent),
    ),
  )
    .then(() => {
      (t.applied ??= []).push(key);
      s.logger.info({ service: svc.serviceArn, deployment: green.id, which, percent }, 'blue/green traffic shifted');
      s.schedule(where, svc.serviceArn);
    })
    .catch((err) => {
      if (!isServiceNotLoaded(err)) s.logger.warn({ err, service: svc.serviceArn }, 'traffic shift failed');
      else (t.applied ??= []).push(key);
      s.schedule(where, svc.serviceArn);
    })
    .finally(() => {
      if (t.pending === key) delete t.pending;
    });
  return false;
}

/** A rollback: the test and production rules forward to blue again. */
export function revertTraffic(
  s: ServiceScheduler,
  where: Where,
  svc: ServiceRecord,
  green: DeploymentRecord,
  blue: DeploymentRecord,
) {
  if (!green.traffic?.applied?.length) return;
  for (const lb of shifted(svc)) {
    for (const which of ['test', 'production'] as const) {
      const rule = ruleOf(lb, which);
      if (!rule) continue;
      void setWeights(s, where, rule, groupOf(lb, blue.targetSide), groupOf(lb, green.targetSide), 0).catch((err) =>
        s.logger.warn({ err, service: svc.serviceArn }, 'traffic rollback failed'),
      );
    }
  }
}
