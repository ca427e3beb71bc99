/** Load balancers: create (idempotent), describe, delete, attributes, subnets, security groups, capacity. */
import type * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import type { RequestContext } from '@dockside/core';
import { attributesOut, loadBalancerOut, markerPage } from '../domain/describe';
import { loadBalancerAttributes } from '../domain/defaults';
import { dnsName, loadBalancerArn } from '../domain/ids';
import { getLoadBalancer, listenersOf } from '../domain/lookup';
import { checkName } from '../domain/names';
import { setTags } from '../domain/tags';
import { checkAttributes, LB_ATTRIBUTE_RULES } from '../domain/attributes';
import { duplicateLbName, invalid, lbNotFound, notPermitted } from '../errors';
import { networkFromEc2 } from './ec2-network';
import type { Elbv2State, LoadBalancerRecord } from '../state/types';
import type { Elbv2Env } from './context';
import { deleteListener } from './listeners';

const DEFAULT_VPC = 'vpc-00000000000000000';

function subnetsOf(region: string, input: { Subnets?: string[]; SubnetMappings?: ELB.SubnetMapping[] }) {
  if (input.Subnets?.length && input.SubnetMappings?.length) {
    throw invalid('You can specify subnets or subnet mappings, not both');
  }
  const ids = input.Subnets ?? input.SubnetMappings?.map((m) => m.SubnetId!) ?? [];
  if (new Set(ids).size !== ids.length) throw invalid('Subnets must be unique');
  // Without an EC2 plugin, each subnet stands in its own zone (a, b, c …).
  return ids.map((subnetId, i) => ({ subnetId, zone: `${region}${String.fromCharCode(97 + (i % 6))}` }));
}

export function loadBalancerOperations(env: Elbv2Env) {
  const { stateOf } = env;
  const activate = (lb: LoadBalancerRecord) => {
    const t = setTimeout(
      () => {
        if (lb.state === 'provisioning') lb.state = 'active';
        env.changed();
      },
      Math.round(1000 * env.scale),
    );
    t.unref();
  };
  return {
    async CreateLoadBalancer(
      input: ELB.CreateLoadBalancerInput,
      ctx: RequestContext,
    ): Promise<ELB.CreateLoadBalancerOutput> {
      const s = stateOf(ctx);
      const name = input.Name!;
      checkName('load balancer', name);
      const type = (input.Type ?? 'application') as LoadBalancerRecord['type'];
      const scheme = input.Scheme ?? 'internet-facing';
      let subnets = subnetsOf(ctx.region, input);
      // With the EC2 plugin, subnets and groups are EC2's (checked, with their zones and VPC).
      const net = await networkFromEc2(
        ctx,
        subnets.map((x) => x.subnetId),
        input.SecurityGroups,
        type,
      );
      if (net && subnets.length) subnets = net.subnets;
      if (type === 'application' && subnets.length === 1) {
        throw invalid('At least two subnets in two different Availability Zones must be specified');
      }
      if (type !== 'application' && input.SecurityGroups?.length && type === 'gateway') {
        throw invalid("Security groups are not supported for load balancers with type 'gateway'");
      }
      const existing = Object.values(s.loadBalancers).find((lb) => lb.name === name);
      if (existing) {
        const same =
          existing.type === type &&
          existing.scheme === scheme &&
          (!subnets.length || subnets.map((x) => x.subnetId).join() === existing.subnets.map((x) => x.subnetId).join());
        if (!same) throw duplicateLbName(name);
        return { LoadBalancers: [loadBalancerOut(existing)] };
      }
      const arn = loadBalancerArn(ctx, type, name);
      const lb: LoadBalancerRecord = {
        arn,
        name,
        type,
        scheme,
        dnsName: dnsName(ctx, name, scheme),
        createdTime: new Date(),
        state: 'provisioning',
        vpcId: net?.vpcId ?? DEFAULT_VPC,
        subnets: subnets.length
          ? subnets
          : (net?.subnets ?? [
              { subnetId: 'subnet-00000000000000001', zone: `${ctx.region}a` },
              { subnetId: 'subnet-00000000000000002', zone: `${ctx.region}b` },
            ]),
        securityGroups: net
          ? net.securityGroups
          : type === 'application'
            ? (input.SecurityGroups ?? ['sg-00000000000000000'])
            : input.SecurityGroups,
        ipAddressType: input.IpAddressType ?? 'ipv4',
        attributes: loadBalancerAttributes(type),
        ipamPools: input.IpamPools,
        customerOwnedIpv4Pool: input.CustomerOwnedIpv4Pool,
        enablePrefixForIpv6SourceNat: input.EnablePrefixForIpv6SourceNat,
      };
      setTags(s, arn, input.Tags ?? []);
      s.loadBalancers[arn] = lb;
      activate(lb);
      return { LoadBalancers: [loadBalancerOut(lb)] };
    },

    DescribeLoadBalancers(input: ELB.DescribeLoadBalancersInput, ctx: RequestContext): ELB.DescribeLoadBalancersOutput {
      const s = stateOf(ctx);
      if (input.LoadBalancerArns?.length && input.Names?.length) {
        throw invalid('Load balancer names and load balancer ARNs cannot be specified at the same time');
      }
      let lbs = Object.values(s.loadBalancers).sort((a, b) => a.createdTime.getTime() - b.createdTime.getTime());
      if (input.LoadBalancerArns?.length) lbs = input.LoadBalancerArns.map((arn) => getLoadBalancer(s, arn));
      if (input.Names?.length) {
        const missing = input.Names.filter((n) => !lbs.some((lb) => lb.name === n));
        if (missing.length) throw lbNotFound(`Load balancers '[${missing.join(', ')}]' not found`);
        lbs = input.Names.map((n) => lbs.find((lb) => lb.name === n)!);
      }
      const { page, next } = markerPage(lbs, input.Marker, input.PageSize);
      return { LoadBalancers: page.map(loadBalancerOut), NextMarker: next };
    },

    DeleteLoadBalancer(input: ELB.DeleteLoadBalancerInput, ctx: RequestContext): ELB.DeleteLoadBalancerOutput {
      const s = stateOf(ctx);
      const lb = s.loadBalancers[input.LoadBalancerArn!];
      if (!lb) {
        getLoadBalancer(s, input.LoadBalancerArn!); // a malformed ARN is an error; a missing one is not
        return {};
      }
      if (lb.attributes['deletion_protection.enabled'] === 'true') {
        throw notPermitted(`Load balancer '${lb.arn}' cannot be deleted because deletion protection is enabled`);
      }
      for (const l of listenersOf(s, lb.arn)) deleteListener(s, l.arn);
      delete s.loadBalancers[lb.arn];
      delete s.tags[lb.arn];
      env.changed();
      return {};
    },

    DescribeLoadBalancerAttributes(input: ELB.DescribeLoadBalancerAttributesInput, ctx: RequestContext) {
      const lb = getLoadBalancer(stateOf(ctx), input.LoadBalancerArn!);
      return { Attributes: attributesOut(lb.attributes) };
    },

    ModifyLoadBalancerAttributes(input: ELB.ModifyLoadBalancerAttributesInput, ctx: RequestContext) {
      const lb = getLoadBalancer(stateOf(ctx), input.LoadBalancerArn!);
      const changes = checkAttributes(LB_ATTRIBUTE_RULES, lb.attributes, input.Attributes ?? [], 'load balancer');
      Object.assign(lb.attributes, changes);
      env.changed();
      return { Attributes: attributesOut(lb.attributes) };
    },

    SetIpAddressType(input: ELB.SetIpAddressTypeInput, ctx: RequestContext): ELB.SetIpAddressTypeOutput {
      const lb = getLoadBalancer(stateOf(ctx), input.LoadBalancerArn!);
      if (lb.type === 'network' && input.IpAddressType === 'dualstack-without-public-ipv4') {
        throw invalid(
          "IP address type 'dualstack-without-public-ipv4' is only supported by application load balancers",
        );
      }
      lb.ipAddressType = input.IpAddressType!;
      return { IpAddressType: input.IpAddressType };
    },

    SetSecurityGroups(input: ELB.SetSecurityGroupsInput, ctx: RequestContext): ELB.SetSecurityGroupsOutput {
      const lb = getLoadBalancer(stateOf(ctx), input.LoadBalancerArn!);
      if (lb.type === 'gateway')
        throw invalid("Security groups are not supported for load balancers with type 'gateway'");
      if (lb.type === 'network' && !lb.securityGroups?.length && input.SecurityGroups?.length) {
        throw invalid('You cannot add security groups to a Network Load Balancer that was created without any');
      }
      lb.securityGroups = input.SecurityGroups ?? [];
      if (input.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic) {
        lb.enforceSecurityGroupInboundRulesOnPrivateLinkTraffic =
          input.EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic;
      }
      return {
        SecurityGroupIds: lb.securityGroups,
        EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic:
          lb.enforceSecurityGroupInboundRulesOnPrivateLinkTraffic as ELB.EnforceSecurityGroupInboundRulesOnPrivateLinkTrafficEnum,
      };
    },

    SetSubnets(input: ELB.SetSubnetsInput, ctx: RequestContext): ELB.SetSubnetsOutput {
      const lb = getLoadBalancer(stateOf(ctx), input.LoadBalancerArn!);
      const subnets = subnetsOf(ctx.region, input);
      if (lb.type === 'application' && subnets.length < 2) {
        throw invalid('At least two subnets in two different Availability Zones must be specified');
      }
      if (subnets.length) lb.subnets = subnets;
      if (input.IpAddressType) lb.ipAddressType = input.IpAddressType;
      return {
        AvailabilityZones: loadBalancerOut(lb).AvailabilityZones,
        IpAddressType: lb.ipAddressType as ELB.IpAddressType,
        EnablePrefixForIpv6SourceNat: lb.enablePrefixForIpv6SourceNat as ELB.EnablePrefixForIpv6SourceNatEnum,
      };
    },

    ModifyIpPools(input: ELB.ModifyIpPoolsInput, ctx: RequestContext): ELB.ModifyIpPoolsOutput {
      const lb = getLoadBalancer(stateOf(ctx), input.LoadBalancerArn!);
      if (input.RemoveIpamPools?.includes('ipv4')) delete lb.ipamPools;
      if (input.IpamPools) lb.ipamPools = input.IpamPools;
      return { IpamPools: lb.ipamPools };
    },

    DescribeCapacityReservation(
      input: ELB.DescribeCapacityReservationInput,
      ctx: RequestContext,
    ): ELB.DescribeCapacityReservationOutput {
      const lb = getLoadBalancer(stateOf(ctx), input.LoadBalancerArn!);
      return capacityOut(lb);
    },

    ModifyCapacityReservation(
      input: ELB.ModifyCapacityReservationInput,
      ctx: RequestContext,
    ): ELB.ModifyCapacityReservationOutput {
      const lb = getLoadBalancer(stateOf(ctx), input.LoadBalancerArn!);
      if (input.ResetCapacityReservation && input.MinimumLoadBalancerCapacity) {
        throw invalid('You cannot specify both a minimum capacity and a capacity reset');
      }
      if (lb.type === 'gateway')
        throw notPermitted('Capacity reservations are not supported for gateway load balancers');
      if (input.ResetCapacityReservation) delete lb.capacityUnits;
      else if (input.MinimumLoadBalancerCapacity?.CapacityUnits !== undefined)
        lb.capacityUnits = input.MinimumLoadBalancerCapacity.CapacityUnits;
      lb.capacityModifiedAt = new Date();
      return capacityOut(lb);
    },
  };
}

function capacityOut(lb: LoadBalancerRecord) {
  return {
    LastModifiedTime: lb.capacityModifiedAt,
    DecreaseRequestsRemaining: 3,
    MinimumLoadBalancerCapacity: lb.capacityUnits !== undefined ? { CapacityUnits: lb.capacityUnits } : undefined,
    CapacityReservationState:
      lb.capacityUnits !== undefined
        ? lb.subnets.map((s) => ({
            AvailabilityZone: s.zone,
            State: { Code: 'provisioned' as const },
            EffectiveCapacityUnits: lb.capacityUnits! / lb.subnets.length,
          }))
        : [],
  };
}

export type { Elbv2State };
