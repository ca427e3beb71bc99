/**
 * The ELBv2 plugin's public contract: the operations other plugins call through the bus (the
 * ECS service scheduler registers its tasks and shifts blue/green traffic with these), and the
 * event it publishes when a target's health changes. Types only.
 */
import type * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Call } from '@dockside/core';

export interface ElasticLoadBalancingCalls {
  RegisterTargets: Call<ELB.RegisterTargetsInput, ELB.RegisterTargetsOutput>;
  DeregisterTargets: Call<ELB.DeregisterTargetsInput, ELB.DeregisterTargetsOutput>;
  DescribeTargetHealth: Call<ELB.DescribeTargetHealthInput, ELB.DescribeTargetHealthOutput>;
  DescribeRules: Call<ELB.DescribeRulesInput, ELB.DescribeRulesOutput>;
  DescribeTargetGroups: Call<ELB.DescribeTargetGroupsInput, ELB.DescribeTargetGroupsOutput>;
  ModifyRule: Call<ELB.ModifyRuleInput, ELB.ModifyRuleOutput>;
  // What ECS's Express services and Gateways make and remove (load balancer, group, listener).
  CreateLoadBalancer: Call<ELB.CreateLoadBalancerInput, ELB.CreateLoadBalancerOutput>;
  DeleteLoadBalancer: Call<ELB.DeleteLoadBalancerInput, ELB.DeleteLoadBalancerOutput>;
  DescribeLoadBalancers: Call<ELB.DescribeLoadBalancersInput, ELB.DescribeLoadBalancersOutput>;
  CreateTargetGroup: Call<ELB.CreateTargetGroupInput, ELB.CreateTargetGroupOutput>;
  ModifyTargetGroup: Call<ELB.ModifyTargetGroupInput, ELB.ModifyTargetGroupOutput>;
  DeleteTargetGroup: Call<ELB.DeleteTargetGroupInput, ELB.DeleteTargetGroupOutput>;
  CreateListener: Call<ELB.CreateListenerInput, ELB.CreateListenerOutput>;
  DescribeListeners: Call<ELB.DescribeListenersInput, ELB.DescribeListenersOutput>;
  DeleteListener: Call<ELB.DeleteListenerInput, ELB.DeleteListenerOutput>;
}

/** A listener's socket was bound (at start, on creation, after a restart): where it really listens. */
export interface ListenerBound {
  accountId: string;
  region: string;
  listenerArn: string;
  loadBalancerArn: string;
  /** `http://127.0.0.1:20123`: the listener's own port, or the one it was mapped to. */
  url: string;
  boundPort: number;
}

/** A target's health changed (or it was registered, or it finished draining and is gone). */
export interface TargetHealthChanged {
  accountId: string;
  region: string;
  targetGroupArn: string;
  target: { Id: string; Port: number };
  /** `initial`, `healthy`, `unhealthy`, `draining`, `unavailable`, or `unused` once it is gone. */
  state: string;
  reason?: string;
  description?: string;
}

declare module '@dockside/core' {
  interface DocksideServices {
    elasticloadbalancing: ElasticLoadBalancingCalls;
  }
  interface DocksideEvents {
    'elbv2.target-health': TargetHealthChanged;
    'elbv2.listener-bound': ListenerBound;
  }
}
