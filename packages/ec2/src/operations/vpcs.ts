import type * as EC2 from '@aws-sdk/client-ec2';
import type { OperationMap, RequestContext } from '@dockside/core';
import { contains, overlaps, parseCidr } from '../domain/cidr';
import { applyFilters } from '../domain/filters';
import { createSubnet, createVpc, findSubnet, findVpc, freeCount, vpcView, zonesOf } from '../domain/network';
import {
  dependencyViolation,
  invalidParameterValue,
  missingParameter,
  subnetConflict,
  subnetRange,
  vpcRange,
} from '../errors';
import type { Ec2State, SubnetRecord, VpcRecord } from '../state/types';
import { type StateOf, page, tagsFromSpecs, tagsOf, tagsView } from './common';

const VPC_ATTRIBUTES = {
  enableDnsSupport: 'EnableDnsSupport',
  enableDnsHostnames: 'EnableDnsHostnames',
  enableNetworkAddressUsageMetrics: 'EnableNetworkAddressUsageMetrics',
} as const;

export function subnetView(state: Ec2State, ctx: RequestContext, s: SubnetRecord): EC2.Subnet {
  const tags = tagsView(state, s.subnetId);
  return {
    AvailabilityZone: s.availabilityZone,
    AvailabilityZoneId: s.availabilityZoneId,
    AvailableIpAddressCount: freeCount(s),
    CidrBlock: s.cidrBlock,
    DefaultForAz: s.defaultForAz,
    MapPublicIpOnLaunch: s.mapPublicIpOnLaunch,
    MapCustomerOwnedIpOnLaunch: false,
    State: 'available',
    SubnetId: s.subnetId,
    VpcId: s.vpcId,
    OwnerId: ctx.accountId,
    AssignIpv6AddressOnCreation: false,
    Ipv6CidrBlockAssociationSet: [],
    SubnetArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:subnet/${s.subnetId}`,
    EnableDns64: false,
    Ipv6Native: false,
    PrivateDnsNameOptionsOnLaunch: {
      HostnameType: 'ip-name',
      EnableResourceNameDnsARecord: false,
      EnableResourceNameDnsAAAARecord: false,
    },
    ...(tags.length ? { Tags: tags } : {}),
  };
}

/** VPCs and subnets, with EC2's CIDR rules (sizes /16–/28, subnets inside their VPC, no overlaps). */
export function vpcOperations(stateOf: StateOf): OperationMap {
  const vpcFields = (ctx: RequestContext) => ({
    'vpc-id': (v: VpcRecord) => v.vpcId,
    cidr: (v: VpcRecord) => v.cidrBlock,
    'cidr-block-association.cidr-block': (v: VpcRecord) => v.cidrAssociations.map((a) => a.cidrBlock),
    'cidr-block-association.association-id': (v: VpcRecord) => v.cidrAssociations.map((a) => a.associationId),
    'cidr-block-association.state': () => 'associated',
    'dhcp-options-id': (v: VpcRecord) => v.dhcpOptionsId,
    'is-default': (v: VpcRecord) => v.isDefault,
    isDefault: (v: VpcRecord) => v.isDefault,
    'instance-tenancy': (v: VpcRecord) => v.instanceTenancy,
    'owner-id': () => ctx.accountId,
    state: () => 'available',
  });
  const subnetFields = (ctx: RequestContext) => ({
    'subnet-id': (s: SubnetRecord) => s.subnetId,
    subnetId: (s: SubnetRecord) => s.subnetId,
    'vpc-id': (s: SubnetRecord) => s.vpcId,
    vpcId: (s: SubnetRecord) => s.vpcId,
    'cidr-block': (s: SubnetRecord) => s.cidrBlock,
    cidr: (s: SubnetRecord) => s.cidrBlock,
    cidrBlock: (s: SubnetRecord) => s.cidrBlock,
    'availability-zone': (s: SubnetRecord) => s.availabilityZone,
    availabilityZone: (s: SubnetRecord) => s.availabilityZone,
    'availability-zone-id': (s: SubnetRecord) => s.availabilityZoneId,
    availabilityZoneId: (s: SubnetRecord) => s.availabilityZoneId,
    'default-for-az': (s: SubnetRecord) => s.defaultForAz,
    defaultForAz: (s: SubnetRecord) => s.defaultForAz,
    'map-public-ip-on-launch': (s: SubnetRecord) => s.mapPublicIpOnLaunch,
    'available-ip-address-count': (s: SubnetRecord) => freeCount(s),
    availableIpAddressCount: (s: SubnetRecord) => freeCount(s),
    'owner-id': () => ctx.accountId,
    'subnet-arn': (s: SubnetRecord) => `arn:aws:ec2:${ctx.region}:${ctx.accountId}:subnet/${s.subnetId}`,
    state: () => 'available',
  });
  return {
    CreateVpc(input: EC2.CreateVpcRequest, ctx): EC2.CreateVpcResult {
      const state = stateOf(ctx);
      if (!input.CidrBlock) throw missingParameter('cidrBlock');
      const c = parseCidr(input.CidrBlock);
      if (!c || c.prefix < 16 || c.prefix > 28) throw vpcRange(input.CidrBlock);
      const tags = tagsFromSpecs(input.TagSpecifications, 'vpc');
      const vpc = createVpc(state, input.CidrBlock, false, input.InstanceTenancy ?? 'default');
      if (Object.keys(tags).length) state.tags[vpc.vpcId] = tags;
      return { Vpc: { ...vpcView(vpc, ctx.accountId, tagsView(state, vpc.vpcId)), State: 'pending' } };
    },
    DescribeVpcs(input: EC2.DescribeVpcsRequest, ctx): EC2.DescribeVpcsResult {
      const state = stateOf(ctx);
      const listed = input.VpcIds?.length ? input.VpcIds.map((id) => findVpc(state, id)) : Object.values(state.vpcs);
      const filtered = applyFilters(listed, input.Filters, vpcFields(ctx), (v) => tagsOf(state, v.vpcId));
      const { items, NextToken } = page(filtered, input);
      return {
        Vpcs: items.map((v) => vpcView(v, ctx.accountId, tagsView(state, v.vpcId))),
        ...(NextToken ? { NextToken } : {}),
      };
    },
    DeleteVpc(input: EC2.DeleteVpcRequest, ctx): void {
      const state = stateOf(ctx);
      const vpc = findVpc(state, input.VpcId);
      const inUse =
        Object.values(state.subnets).some((s) => s.vpcId === vpc.vpcId) ||
        Object.values(state.securityGroups).some((g) => g.vpcId === vpc.vpcId && g.groupName !== 'default') ||
        Object.values(state.routeTables).some((r) => r.vpcId === vpc.vpcId && !r.main) ||
        Object.values(state.internetGateways).some((g) => g.vpcId === vpc.vpcId) ||
        Object.values(state.vpcEndpoints).some((e) => e.vpcId === vpc.vpcId);
      if (inUse) throw dependencyViolation('vpc', vpc.vpcId);
      for (const bag of [state.securityGroups, state.routeTables, state.networkAcls] as Array<
        Record<string, { vpcId: string }>
      >) {
        for (const [id, r] of Object.entries(bag)) if (r.vpcId === vpc.vpcId) delete bag[id];
      }
      delete state.vpcs[vpc.vpcId];
      delete state.tags[vpc.vpcId];
    },
    ModifyVpcAttribute(input: EC2.ModifyVpcAttributeRequest, ctx): void {
      const vpc = findVpc(stateOf(ctx), input.VpcId);
      const given = (Object.keys(VPC_ATTRIBUTES) as Array<keyof typeof VPC_ATTRIBUTES>).filter(
        (k) => input[VPC_ATTRIBUTES[k]] !== undefined,
      );
      if (given.length !== 1) throw invalidParameterValue('Exactly one attribute must be specified.');
      const value = input[VPC_ATTRIBUTES[given[0]]]!.Value;
      if (value === undefined) throw missingParameter(`${VPC_ATTRIBUTES[given[0]]}.Value`);
      if (given[0] === 'enableDnsHostnames' && value && !vpc.enableDnsSupport)
        throw invalidParameterValue('DNS hostnames need DNS support: enable enableDnsSupport first.');
      vpc[given[0]] = value;
    },
    DescribeVpcAttribute(input: EC2.DescribeVpcAttributeRequest, ctx): EC2.DescribeVpcAttributeResult {
      const vpc = findVpc(stateOf(ctx), input.VpcId);
      const attr = input.Attribute as keyof typeof VPC_ATTRIBUTES;
      if (!VPC_ATTRIBUTES[attr])
        throw invalidParameterValue(`Value (${input.Attribute}) for parameter attribute is invalid.`);
      return { VpcId: vpc.vpcId, [VPC_ATTRIBUTES[attr]]: { Value: vpc[attr] } };
    },

    CreateSubnet(input: EC2.CreateSubnetRequest, ctx): EC2.CreateSubnetResult {
      const state = stateOf(ctx);
      const vpc = findVpc(state, input.VpcId);
      if (!input.CidrBlock) throw missingParameter('cidrBlock');
      const c = parseCidr(input.CidrBlock);
      const inVpc = c && vpc.cidrAssociations.some((a) => contains(parseCidr(a.cidrBlock)!, c));
      if (!c || c.prefix < 16 || c.prefix > 28 || !inVpc) throw subnetRange(input.CidrBlock);
      if (Object.values(state.subnets).some((s) => s.vpcId === vpc.vpcId && overlaps(parseCidr(s.cidrBlock)!, c)))
        throw subnetConflict(input.CidrBlock);
      const zones = zonesOf(ctx.region);
      const zone = input.AvailabilityZone
        ? zones.find((z) => z.name === input.AvailabilityZone)
        : input.AvailabilityZoneId
          ? zones.find((z) => z.id === input.AvailabilityZoneId)
          : zones[Object.values(state.subnets).filter((s) => s.vpcId === vpc.vpcId).length % zones.length];
      if (!zone) {
        throw invalidParameterValue(
          `Value (${input.AvailabilityZone ?? input.AvailabilityZoneId}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${zones.map((z) => z.name).join(', ')}.`,
        );
      }
      const tags = tagsFromSpecs(input.TagSpecifications, 'subnet');
      const subnet = createSubnet(state, vpc.vpcId, input.CidrBlock, zone);
      if (Object.keys(tags).length) state.tags[subnet.subnetId] = tags;
      return { Subnet: { ...subnetView(state, ctx, subnet), State: 'pending' } };
    },
    DescribeSubnets(input: EC2.DescribeSubnetsRequest, ctx): EC2.DescribeSubnetsResult {
      const state = stateOf(ctx);
      const listed = input.SubnetIds?.length
        ? input.SubnetIds.map((id) => findSubnet(state, id))
        : Object.values(state.subnets);
      const filtered = applyFilters(listed, input.Filters, subnetFields(ctx), (s) => tagsOf(state, s.subnetId));
      const { items, NextToken } = page(filtered, input);
      return { Subnets: items.map((s) => subnetView(state, ctx, s)), ...(NextToken ? { NextToken } : {}) };
    },
    DeleteSubnet(input: EC2.DeleteSubnetRequest, ctx): void {
      const state = stateOf(ctx);
      const s = findSubnet(state, input.SubnetId!);
      if (s.usedAddresses.length) throw dependencyViolation('subnet', s.subnetId);
      delete state.subnets[s.subnetId];
      delete state.tags[s.subnetId];
      for (const rt of Object.values(state.routeTables))
        rt.associations = rt.associations.filter((a) => a.subnetId !== s.subnetId);
    },
    ModifySubnetAttribute(input: EC2.ModifySubnetAttributeRequest, ctx): void {
      const s = findSubnet(stateOf(ctx), input.SubnetId!);
      if (input.MapPublicIpOnLaunch?.Value !== undefined) s.mapPublicIpOnLaunch = input.MapPublicIpOnLaunch.Value;
    },
  };
}
