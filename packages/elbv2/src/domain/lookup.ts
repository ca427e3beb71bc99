/** Finding resources by ARN (or failing with AWS's not-found error) and what refers to what. */
import type * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import { invalid, lbNotFound, listenerNotFound, ruleNotFound, tgNotFound, trustStoreNotFound } from '../errors';
import type { Elbv2State, ListenerRecord, LoadBalancerRecord, RuleRecord, TargetGroupRecord } from '../state/types';
import { arnKind } from './ids';

function checkArn(arn: string, kind: NonNullable<ReturnType<typeof arnKind>>, what: string) {
  if (arnKind(arn) !== kind) throw invalid(`'${arn}' is not a valid ${what} ARN`);
}

export function getLoadBalancer(s: Elbv2State, arn: string): LoadBalancerRecord {
  checkArn(arn, 'loadbalancer', 'load balancer');
  const lb = s.loadBalancers[arn];
  if (!lb) throw lbNotFound(`Load balancer '${arn}' not found`);
  return lb;
}

export function getTargetGroup(s: Elbv2State, arn: string): TargetGroupRecord {
  checkArn(arn, 'targetgroup', 'target group');
  const tg = s.targetGroups[arn];
  if (!tg) throw tgNotFound(`Target groups '${arn}' not found`);
  return tg;
}

export function getListener(s: Elbv2State, arn: string): ListenerRecord {
  checkArn(arn, 'listener', 'listener');
  const l = s.listeners[arn];
  if (!l) throw listenerNotFound(`Listener '${arn}' not found`);
  return l;
}

export function getRule(s: Elbv2State, arn: string): RuleRecord {
  checkArn(arn, 'listener-rule', 'rule');
  const r = s.rules[arn];
  if (!r) throw ruleNotFound(`Rule '${arn}' not found`);
  return r;
}

export function getTrustStore(s: Elbv2State, arn: string) {
  checkArn(arn, 'truststore', 'trust store');
  const t = s.trustStores[arn];
  if (!t) throw trustStoreNotFound(`Trust store '${arn}' not found`);
  return t;
}

/** Target groups an action list forwards to (plain or weighted). */
export function forwardedGroups(actions: ELB.Action[]): string[] {
  const out: string[] = [];
  for (const a of actions) {
    if (a.Type !== 'forward') continue;
    if (a.TargetGroupArn) out.push(a.TargetGroupArn);
    for (const t of a.ForwardConfig?.TargetGroups ?? []) if (t.TargetGroupArn) out.push(t.TargetGroupArn);
  }
  return [...new Set(out)];
}

export const rulesOf = (s: Elbv2State, listenerArn: string) =>
  Object.values(s.rules).filter((r) => r.listenerArn === listenerArn);

export const listenersOf = (s: Elbv2State, lbArn: string) =>
  Object.values(s.listeners).filter((l) => l.loadBalancerArn === lbArn);

/** Load balancers whose listeners or rules forward to the target group. */
export function loadBalancersOf(s: Elbv2State, tgArn: string): string[] {
  const lbs = new Set<string>();
  for (const r of Object.values(s.rules)) {
    if (!forwardedGroups(r.actions).includes(tgArn)) continue;
    const l = s.listeners[r.listenerArn];
    if (l) lbs.add(l.loadBalancerArn);
  }
  return [...lbs];
}

/** The default rule of a listener (every listener has exactly one). */
export const defaultRule = (s: Elbv2State, listenerArn: string) =>
  rulesOf(s, listenerArn).find((r) => r.priority === 'default')!;

/** Rules of a listener in evaluation order: ascending priority, the default last. */
export function orderedRules(s: Elbv2State, listenerArn: string): RuleRecord[] {
  const rank = (r: RuleRecord) => (r.priority === 'default' ? Infinity : r.priority);
  return rulesOf(s, listenerArn).sort((a, b) => rank(a) - rank(b));
}
