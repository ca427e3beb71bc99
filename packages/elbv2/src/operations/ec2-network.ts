/**
 * A load balancer's subnets and security groups, checked against the EC2 plugin when it is loaded
 * (as ELB checks them against EC2): each subnet exists, one per zone, all in one VPC; each group
 * exists in that VPC; an application load balancer without groups gets its VPC's default group.
 * Without the EC2 plugin, load balancers keep Dockside's stand-in VPC and zones.
 */
import type { RequestContext } from '@dockside/core';
import { ServiceError, isServiceError } from '@dockside/core';
import type {} from '@dockside/ec2';
import { invalidConfig } from '../errors';

export interface LbNetwork {
  vpcId: string;
  subnets: Array<{ subnetId: string; zone: string }>;
  securityGroups?: string[];
}

export async function networkFromEc2(
  ctx: RequestContext,
  subnetIds: string[],
  groups: string[] | undefined,
  type: string,
): Promise<LbNetwork | undefined> {
  if (!ctx.bus.isLoaded('ec2')) return undefined;
  const where = { accountId: ctx.accountId, region: ctx.region };
  let subnets;
  if (subnetIds.length) {
    subnets = [];
    for (const id of subnetIds) {
      try {
        subnets.push((await ctx.bus.call('ec2', 'DescribeSubnets', { SubnetIds: [id] }, where)).Subnets![0]);
      } catch (e) {
        if (!isServiceError(e)) throw e;
        throw new ServiceError('SubnetNotFoundException', `The subnet ID '${id}' is not valid`);
      }
    }
  } else {
    subnets = (
      await ctx.bus.call('ec2', 'DescribeSubnets', { Filters: [{ Name: 'default-for-az', Values: ['true'] }] }, where)
    ).Subnets!.slice(0, 2);
  }
  const zones = subnets.map((s) => s.AvailabilityZone!);
  if (new Set(zones).size !== zones.length)
    throw invalidConfig('A load balancer cannot be attached to multiple subnets in the same Availability Zone');
  const vpcs = new Set(subnets.map((s) => s.VpcId!));
  if (vpcs.size > 1) throw new ServiceError('InvalidSubnetException', 'The subnets must all be in the same VPC');
  const vpcId = [...vpcs][0];
  let securityGroups = groups;
  if (groups?.length) {
    for (const id of groups) {
      let vpc: string | undefined;
      try {
        vpc = (await ctx.bus.call('ec2', 'DescribeSecurityGroups', { GroupIds: [id] }, where)).SecurityGroups![0].VpcId;
      } catch (e) {
        if (!isServiceError(e)) throw e;
      }
      if (!vpc || vpc !== vpcId)
        throw new ServiceError('InvalidSecurityGroupException', `One or more security groups are invalid: '${id}'`);
    }
  } else if (type === 'application') {
    const def = await ctx.bus.call(
      'ec2',
      'DescribeSecurityGroups',
      {
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'group-name', Values: ['default'] },
        ],
      },
      where,
    );
    securityGroups = def.SecurityGroups!.map((g) => g.GroupId!);
  }
  return { vpcId, subnets: subnets.map((s) => ({ subnetId: s.SubnetId!, zone: s.AvailabilityZone! })), securityGroups };
}
