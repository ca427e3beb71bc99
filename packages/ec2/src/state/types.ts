/** One account + region of EC2 networking. Timestamps are `Date`. */
import type * as EC2 from '@aws-sdk/client-ec2';

export interface VpcRecord {
  vpcId: string;
  cidrBlock: string;
  /** Extra IPv4 CIDRs (AssociateVpcCidrBlock), with their association ids. */
  cidrAssociations: Array<{ associationId: string; cidrBlock: string }>;
  isDefault: boolean;
  instanceTenancy: string;
  dhcpOptionsId: string;
  enableDnsSupport: boolean;
  enableDnsHostnames: boolean;
  enableNetworkAddressUsageMetrics: boolean;
  mainRouteTableId: string;
  defaultNetworkAclId: string;
}

export interface SubnetRecord {
  subnetId: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  availabilityZoneId: string;
  defaultForAz: boolean;
  mapPublicIpOnLaunch: boolean;
  /** Addresses taken by network interfaces (and the five AWS reserves are counted apart). */
  usedAddresses: string[];
}

export interface SecurityGroupRuleRecord {
  ruleId: string;
  egress: boolean;
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  prefixListId?: string;
  referencedGroupId?: string;
  description?: string;
}

export interface SecurityGroupRecord {
  groupId: string;
  groupName: string;
  description: string;
  vpcId: string;
  rules: SecurityGroupRuleRecord[];
}

export interface RouteTableRecord {
  routeTableId: string;
  vpcId: string;
  main: boolean;
  routes: EC2.Route[];
  associations: Array<{ id: string; subnetId?: string; main: boolean }>;
}

export interface NetworkInterfaceRecord {
  networkInterfaceId: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  availabilityZoneId: string;
  privateIpAddress: string;
  macAddress: string;
  description: string;
  groupIds: string[];
  interfaceType: string;
  /** Made for another AWS service (an ECS task's ENI): requesterManaged, with its requester id. */
  requesterId?: string;
  status: 'available' | 'in-use';
  attachment?: { attachmentId: string; attachTime: Date; deviceIndex: number; instanceOwnerId: string };
}

export interface InstanceRecord {
  instanceId: string;
  reservationId: string;
  imageId: string;
  instanceType: string;
  state: 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  privateIpAddress: string;
  networkInterfaceId: string;
  groupIds: string[];
  /** Base64, as sent. */
  userData?: string;
  keyName?: string;
  iamInstanceProfile?: string;
  clientToken?: string;
  launchTime: Date;
  stateReason?: string;
}

export interface InternetGatewayRecord {
  internetGatewayId: string;
  vpcId?: string;
}

export interface AddressRecord {
  allocationId: string;
  publicIp: string;
  associationId?: string;
  networkInterfaceId?: string;
  instanceId?: string;
  privateIpAddress?: string;
}

export interface NatGatewayRecord {
  natGatewayId: string;
  subnetId: string;
  vpcId: string;
  connectivityType: string;
  allocationId?: string;
  networkInterfaceId: string;
  privateIp: string;
  state: 'available' | 'deleted';
  createTime: Date;
  deleteTime?: Date;
}

export interface LaunchTemplateRecord {
  launchTemplateId: string;
  name: string;
  createTime: Date;
  createdBy: string;
  defaultVersion: number;
  latestVersion: number;
  /** By version number; the data is kept as the request gave it. */
  versions: Record<number, { data: EC2.RequestLaunchTemplateData; description?: string; createTime: Date }>;
}

export interface VpcEndpointRecord {
  vpcEndpointId: string;
  vpcEndpointType: string;
  vpcId: string;
  serviceName: string;
  policyDocument: string;
  routeTableIds: string[];
  subnetIds: string[];
  groupIds: string[];
  /** Interface endpoints: one network interface per subnet. */
  networkInterfaceIds: string[];
  privateDnsEnabled: boolean;
  creationTimestamp: Date;
}

export interface PrefixListRecord {
  prefixListId: string;
  name: string;
  addressFamily: string;
  maxEntries: number;
  version: number;
  entries: Array<{ Cidr: string; Description?: string }>;
  /** Entries of earlier versions (GetManagedPrefixListEntries TargetVersion). */
  history: Record<number, Array<{ Cidr: string; Description?: string }>>;
  state: string;
}

export interface Ec2State {
  vpcs: Record<string, VpcRecord>;
  subnets: Record<string, SubnetRecord>;
  securityGroups: Record<string, SecurityGroupRecord>;
  routeTables: Record<string, RouteTableRecord>;
  /** Network ACLs are records only (the default one of each VPC allows everything). */
  networkAcls: Record<string, { networkAclId: string; vpcId: string; isDefault: boolean }>;
  networkInterfaces: Record<string, NetworkInterfaceRecord>;
  instances: Record<string, InstanceRecord>;
  internetGateways: Record<string, InternetGatewayRecord>;
  addresses: Record<string, AddressRecord>;
  natGateways: Record<string, NatGatewayRecord>;
  launchTemplates: Record<string, LaunchTemplateRecord>;
  vpcEndpoints: Record<string, VpcEndpointRecord>;
  /** Customer-managed prefix lists (the AWS-managed ones are derived per region). */
  prefixLists: Record<string, PrefixListRecord>;
  /** Tags of every resource, by resource id. */
  tags: Record<string, Record<string, string>>;
  /** Whether the default VPC of this account + region was made (it is made on first use). */
  defaultsMade: boolean;
}

export const emptyState = (): Ec2State => ({
  vpcs: {},
  subnets: {},
  securityGroups: {},
  routeTables: {},
  networkAcls: {},
  networkInterfaces: {},
  instances: {},
  internetGateways: {},
  addresses: {},
  natGateways: {},
  launchTemplates: {},
  vpcEndpoints: {},
  prefixLists: {},
  tags: {},
  defaultsMade: false,
});
