/** Listener rules: priorities 1–50000 unique per listener, the default rule last and undeletable. */
import type * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import { ServiceError, type RequestContext } from '@dockside/core';
import { checkActions, checkConditions, normaliseActions, normaliseCondition } from '../domain/actions';
import { markerPage, ruleOut } from '../domain/describe';
import { ruleArn } from '../domain/ids';
import { getListener, getLoadBalancer, getRule, orderedRules, rulesOf } from '../domain/lookup';
import { setTags } from '../domain/tags';
import { invalid, notPermitted, priorityInUse } from '../errors';
import type { RuleRecord } from '../state/types';
import type { Elbv2Env } from './context';

export function ruleOperations(env: Elbv2Env) {
  const { stateOf } = env;
  return {
    CreateRule(input: ELB.CreateRuleInput, ctx: RequestContext): ELB.CreateRuleOutput {
      const s = stateOf(ctx);
      const l = getListener(s, input.ListenerArn!);
      const lb = getLoadBalancer(s, l.loadBalancerArn);
      if (lb.type !== 'application') throw invalid('Rules are only supported by application load balancer listeners');
      const priority = input.Priority!;
      if (rulesOf(s, l.arn).some((r) => r.priority === priority)) throw priorityInUse(priority);
      checkConditions(input.Conditions ?? []);
      const actions = normaliseActions(checkActions(s, lb, l, input.Actions ?? []));
      if (rulesOf(s, l.arn).length > 100)
        throw new ServiceError('TooManyRulesException', 'The listener has reached its limit of 100 rules');
      const rule: RuleRecord = {
        arn: ruleArn(ctx, l.arn),
        listenerArn: l.arn,
        priority,
        conditions: (input.Conditions ?? []).map(normaliseCondition),
        actions,
        transforms: input.Transforms,
      };
      s.rules[rule.arn] = rule;
      setTags(s, rule.arn, input.Tags ?? []);
      env.changed();
      return { Rules: [ruleOut(rule)] };
    },

    DescribeRules(input: ELB.DescribeRulesInput, ctx: RequestContext): ELB.DescribeRulesOutput {
      const s = stateOf(ctx);
      if (!input.ListenerArn && !input.RuleArns?.length)
        throw invalid('You must specify either listener ARN or rule ARNs');
      if (input.ListenerArn && input.RuleArns?.length)
        throw invalid('Listener ARN and rule ARNs cannot be specified at the same time');
      const rules = input.ListenerArn
        ? orderedRules(s, getListener(s, input.ListenerArn).arn)
        : input.RuleArns!.map((arn) => getRule(s, arn));
      const { page, next } = markerPage(rules, input.Marker, input.PageSize);
      return { Rules: page.map(ruleOut), NextMarker: next };
    },

    ModifyRule(input: ELB.ModifyRuleInput, ctx: RequestContext): ELB.ModifyRuleOutput {
      const s = stateOf(ctx);
      const rule = getRule(s, input.RuleArn!);
      const l = getListener(s, rule.listenerArn);
      const lb = getLoadBalancer(s, l.loadBalancerArn);
      if (rule.priority === 'default' && input.Conditions?.length) {
        throw notPermitted('The conditions of a default rule cannot be modified');
      }
      if (input.Conditions?.length) checkConditions(input.Conditions);
      const actions = input.Actions?.length ? normaliseActions(checkActions(s, lb, l, input.Actions)) : undefined;
      if (input.Conditions?.length) rule.conditions = input.Conditions.map(normaliseCondition);
      if (actions) rule.actions = actions;
      if (input.ResetTransforms) delete rule.transforms;
      else if (input.Transforms) rule.transforms = input.Transforms;
      env.changed();
      return { Rules: [ruleOut(rule)] };
    },

    DeleteRule(input: ELB.DeleteRuleInput, ctx: RequestContext): ELB.DeleteRuleOutput {
      const s = stateOf(ctx);
      const rule = getRule(s, input.RuleArn!);
      if (rule.priority === 'default') throw notPermitted(`Default rule '${rule.arn}' cannot be deleted`);
      delete s.rules[rule.arn];
      delete s.tags[rule.arn];
      env.changed();
      return {};
    },

    SetRulePriorities(input: ELB.SetRulePrioritiesInput, ctx: RequestContext): ELB.SetRulePrioritiesOutput {
      const s = stateOf(ctx);
      const changes = (input.RulePriorities ?? []).map((p) => ({
        rule: getRule(s, p.RuleArn!),
        priority: p.Priority!,
      }));
      const listeners = new Set(changes.map((c) => c.rule.listenerArn));
      if (listeners.size > 1) throw invalid('Rule priorities can only be set for rules of the same listener');
      for (const c of changes)
        if (c.rule.priority === 'default')
          throw notPermitted(`Default rule '${c.rule.arn}' priority cannot be modified`);
      const given = new Set<number>();
      for (const c of changes) {
        if (given.has(c.priority)) throw priorityInUse(c.priority);
        given.add(c.priority);
      }
      const moved = new Set(changes.map((c) => c.rule.arn));
      for (const c of changes) {
        const clash = rulesOf(s, c.rule.listenerArn).find((r) => !moved.has(r.arn) && r.priority === c.priority);
        if (clash) throw priorityInUse(c.priority);
      }
      for (const c of changes) c.rule.priority = c.priority;
      env.changed();
      return { Rules: changes.map((c) => ruleOut(c.rule)) };
    },
  };
}
