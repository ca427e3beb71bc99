/**
 * The ELBv2 plugin's public contract: the operations other plugins call through the bus (the
 * ECS service scheduler registers and deregisters its tasks with these). Types only.
 */
import type * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Call } from '@dockside/core';

export interface ElasticLoadBalancingCalls {
  RegisterTargets: Call<ELB.RegisterTargetsInput, ELB.RegisterTargetsOutput>;
  DeregisterTargets: Call<ELB.DeregisterTargetsInput, ELB.DeregisterTargetsOutput>;
  DescribeTargetHealth: Call<ELB.DescribeTargetHealthInput, ELB.DescribeTargetHealthOutput>;
}

declare module '@dockside/core' {
  interface DocksideServices {
    elasticloadbalancing: ElasticLoadBalancingCalls;
  }
}
