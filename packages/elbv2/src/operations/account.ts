/** Account-level answers: SSL policies, limits, resource policies. */
import type * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import { markerPage } from '../domain/describe';
import { SSL_POLICIES } from '../domain/ssl-policies';
import { resourceNotFound, sslPolicyNotFound } from '../errors';

const LIMITS: [string, number][] = [
  ['application-load-balancers', 50],
  ['condition-values-per-alb-rule', 5],
  ['condition-wildcards-per-alb-rule', 5],
  ['gateway-load-balancers', 100],
  ['gateway-load-balancers-per-vpc', 100],
  ['geneve-target-groups', 100],
  ['listeners-per-application-load-balancer', 50],
  ['listeners-per-network-load-balancer', 50],
  ['network-load-balancers', 50],
  ['rules-per-application-load-balancer', 100],
  ['target-groups', 3000],
  ['target-groups-per-action-on-application-load-balancer', 5],
  ['target-groups-per-action-on-network-load-balancer', 1],
  ['target-groups-per-application-load-balancer', 100],
  ['targets-per-application-load-balancer', 1000],
  ['targets-per-availability-zone-per-gateway-load-balancer', 300],
  ['targets-per-availability-zone-per-network-load-balancer', 500],
  ['targets-per-network-load-balancer', 3000],
  ['certificates-per-application-load-balancer', 25],
  ['certificates-per-network-load-balancer', 25],
];

export function accountOperations() {
  return {
    DescribeSSLPolicies(input: ELB.DescribeSSLPoliciesInput): ELB.DescribeSSLPoliciesOutput {
      let list = SSL_POLICIES;
      if (input.Names?.length) {
        const missing = input.Names.filter((n) => !list.some((p) => p.Name === n));
        if (missing.length) throw sslPolicyNotFound(`SSL policies '[${missing.join(', ')}]' not found`);
        list = list.filter((p) => input.Names!.includes(p.Name!));
      }
      if (input.LoadBalancerType)
        list = list.filter((p) => p.SupportedLoadBalancerTypes!.includes(input.LoadBalancerType!));
      const { page, next } = markerPage(list, input.Marker, input.PageSize);
      return { SslPolicies: page, NextMarker: next };
    },
    DescribeAccountLimits(input: ELB.DescribeAccountLimitsInput): ELB.DescribeAccountLimitsOutput {
      const { page, next } = markerPage(LIMITS, input.Marker, input.PageSize);
      return { Limits: page.map(([Name, Max]) => ({ Name, Max: String(Max) })), NextMarker: next };
    },
    GetResourcePolicy(input: ELB.GetResourcePolicyInput): ELB.GetResourcePolicyOutput {
      throw resourceNotFound(`No resource policy is attached to '${input.ResourceArn}'`);
    },
  };
}
