/**
 * VPCs, subnets, security groups and route tables as records, with what EC2 creates alongside:
 * each VPC gets its main route table (a `local` route), default network ACL and `default`
 * security group; each account + region starts with a default VPC (172.31.0.0/16) and a default
 * subnet per availability zone, as a fresh AWS account has.
 */
import type * as EC2 from '@aws-sdk/client-ec2';
import type { Ec2State, SecurityGroupRecord, SubnetRecord, VpcRecord } from '../state/types';
import { groupNotFound, malformedId, subnetNotFound, vpcNotFound } from '../errors';
import { RESERVED_PER_SUBNET, parseCidr, size } from './cidr';
import { isId, newId } from './ids';

/** The zones of a region: `us-east-1a` … with zone ids `use1-az1` …. */
export function zonesOf(region: string): Array<{ name: string; id: string }> {
  const letters = region === 'us-east-1' ? 'abcdef' : region === 'us-west-2' ? 'abcd' : 'abc';
  const [geo, dir, n] = region.split('-');
  const code = `${geo}${(dir ?? '').charAt(0)}${n ?? ''}`;
  return [...letters].map((l, i) => ({ name: `${region}${l}`, id: `${code}-az${i + 1}` }));
}

export function createVpc(state: Ec2State, cidrBlock: string, isDefault = false, tenancy = 'default'): VpcRecord {
  const vpc: VpcRecord = {
    vpcId: newId('vpc'),
    cidrBlock,
    cidrAssociations: [{ associationId: newId('vpc-cidr-assoc'), cidrBlock }],
    isDefault,
    instanceTenancy: tenancy,
    dhcpOptionsId: 'dopt-00000000000000001',
    enableDnsSupport: true,
    enableDnsHostnames: isDefault,
    enableNetworkAddressUsageMetrics: false,
    mainRouteTableId: newId('rtb'),
    defaultNetworkAclId: newId('acl'),
  };
  state.vpcs[vpc.vpcId] = vpc;
  state.routeTables[vpc.mainRouteTableId] = {
    routeTableId: vpc.mainRouteTableId,
    vpcId: vpc.vpcId,
    main: true,
    routes: [{ DestinationCidrBlock: cidrBlock, GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' }],
    associations: [{ id: newId('rtbassoc'), main: true }],
  };
  state.networkAcls[vpc.defaultNetworkAclId] = {
    networkAclId: vpc.defaultNetworkAclId,
    vpcId: vpc.vpcId,
    isDefault: true,
  };
  createSecurityGroup(state, vpc.vpcId, 'default', 'default VPC security group');
  return vpc;
}

export function createSecurityGroup(state: Ec2State, vpcId: string, name: string, description: string) {
  const sg: SecurityGroupRecord = { groupId: newId('sg'), groupName: name, description, vpcId, rules: [] };
  // Every group may send anywhere; the default group also lets its own members in.
  sg.rules.push({ ruleId: newId('sgr'), egress: true, ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' });
  if (name === 'default')
    sg.rules.push({ ruleId: newId('sgr'), egress: false, ipProtocol: '-1', referencedGroupId: sg.groupId });
  state.securityGroups[sg.groupId] = sg;
  return sg;
}

export function createSubnet(
  state: Ec2State,
  vpcId: string,
  cidrBlock: string,
  zone: { name: string; id: string },
  defaultForAz = false,
): SubnetRecord {
  const subnet: SubnetRecord = {
    subnetId: newId('subnet'),
    vpcId,
    cidrBlock,
    availabilityZone: zone.name,
    availabilityZoneId: zone.id,
    defaultForAz,
    mapPublicIpOnLaunch: defaultForAz,
    usedAddresses: [],
  };
  state.subnets[subnet.subnetId] = subnet;
  return subnet;
}

/** The default VPC and its subnets (172.31.0.0/20, 172.31.16.0/20, …), made once per account + region. */
export function ensureDefaults(state: Ec2State, region: string): void {
  if (state.defaultsMade) return;
  state.defaultsMade = true;
  const vpc = createVpc(state, '172.31.0.0/16', true);
  zonesOf(region).forEach((z, i) => createSubnet(state, vpc.vpcId, `172.31.${i * 16}.0/20`, z, true));
}

export function findVpc(state: Ec2State, id: string | undefined): VpcRecord {
  const v = id ? state.vpcs[id] : undefined;
  if (!v) {
    if (id && !isId('vpc', id)) throw malformedId('Vpc', id);
    throw vpcNotFound(id ?? '');
  }
  return v;
}

export function findSubnet(state: Ec2State, id: string): SubnetRecord {
  const s = state.subnets[id];
  if (!s) {
    if (!isId('subnet', id)) throw malformedId('Subnet', id);
    throw subnetNotFound(id);
  }
  return s;
}

export function findGroup(state: Ec2State, id: string): SecurityGroupRecord {
  const g = state.securityGroups[id];
  if (!g) throw groupNotFound(id);
  return g;
}

export const freeCount = (s: SubnetRecord) =>
  size(parseCidr(s.cidrBlock)!) - RESERVED_PER_SUBNET - s.usedAddresses.length;

export const vpcView = (v: VpcRecord, ownerId: string, tags: EC2.Tag[]): EC2.Vpc => ({
  VpcId: v.vpcId,
  OwnerId: ownerId,
  State: 'available',
  CidrBlock: v.cidrBlock,
  CidrBlockAssociationSet: v.cidrAssociations.map((a) => ({
    AssociationId: a.associationId,
    CidrBlock: a.cidrBlock,
    CidrBlockState: { State: 'associated' },
  })),
  DhcpOptionsId: v.dhcpOptionsId,
  InstanceTenancy: v.instanceTenancy as EC2.Tenancy,
  IsDefault: v.isDefault,
  ...(tags.length ? { Tags: tags } : {}),
});
