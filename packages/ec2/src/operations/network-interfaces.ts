import type * as EC2 from '@aws-sdk/client-ec2';
import { ServiceError, type OperationMap, type RequestContext } from '@dockside/core';
import { allocateInterface, removeInterface } from '../domain/interfaces';
import { applyFilters } from '../domain/filters';
import { isId, newId } from '../domain/ids';
import { findGroup, findSubnet } from '../domain/network';
import { invalidParameterValue, malformedId, missingParameter } from '../errors';
import type { Ec2State, NetworkInterfaceRecord } from '../state/types';
import { type StateOf, page, tagsFromSpecs, tagsOf, tagsView } from './common';

const eniNotFound = (id: string) =>
  new ServiceError('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id}' does not exist`);

export function findInterface(state: Ec2State, id: string): NetworkInterfaceRecord {
  const n = state.networkInterfaces[id];
  if (!n) {
    if (!isId('eni', id)) throw malformedId('NetworkInterface', id);
    throw eniNotFound(id);
  }
  return n;
}

const dnsName = (region: string, ip: string) =>
  `ip-${ip.replace(/\./g, '-')}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}`;

export function interfaceView(state: Ec2State, ctx: RequestContext, n: NetworkInterfaceRecord): EC2.NetworkInterface {
  const tags = tagsView(state, n.networkInterfaceId);
  return {
    NetworkInterfaceId: n.networkInterfaceId,
    SubnetId: n.subnetId,
    VpcId: n.vpcId,
    AvailabilityZone: n.availabilityZone,
    AvailabilityZoneId: n.availabilityZoneId,
    Description: n.description,
    Groups: n.groupIds.map((id) => ({ GroupId: id, GroupName: state.securityGroups[id]?.groupName })),
    InterfaceType: n.interfaceType as EC2.NetworkInterfaceType,
    MacAddress: n.macAddress,
    OwnerId: ctx.accountId,
    PrivateIpAddress: n.privateIpAddress,
    PrivateDnsName: dnsName(ctx.region, n.privateIpAddress),
    PrivateIpAddresses: [
      { Primary: true, PrivateIpAddress: n.privateIpAddress, PrivateDnsName: dnsName(ctx.region, n.privateIpAddress) },
    ],
    Ipv6Addresses: [],
    RequesterManaged: Boolean(n.requesterId),
    ...(n.requesterId ? { RequesterId: n.requesterId } : {}),
    SourceDestCheck: true,
    Status: n.status,
    ...(n.attachment
      ? {
          Attachment: {
            AttachmentId: n.attachment.attachmentId,
            AttachTime: n.attachment.attachTime,
            DeleteOnTermination: false,
            DeviceIndex: n.attachment.deviceIndex,
            NetworkCardIndex: 0,
            InstanceOwnerId: n.attachment.instanceOwnerId,
            Status: 'attached',
          },
        }
      : {}),
    ...(tags.length ? { TagSet: tags } : {}),
  };
}

/** Network interfaces: each takes an address of its subnet until it is deleted. */
export function networkInterfaceOperations(stateOf: StateOf): OperationMap {
  const fields = (ctx: RequestContext) => ({
    'network-interface-id': (n: NetworkInterfaceRecord) => n.networkInterfaceId,
    'subnet-id': (n: NetworkInterfaceRecord) => n.subnetId,
    'vpc-id': (n: NetworkInterfaceRecord) => n.vpcId,
    'availability-zone': (n: NetworkInterfaceRecord) => n.availabilityZone,
    description: (n: NetworkInterfaceRecord) => n.description,
    'group-id': (n: NetworkInterfaceRecord) => n.groupIds,
    'interface-type': (n: NetworkInterfaceRecord) => n.interfaceType,
    'private-ip-address': (n: NetworkInterfaceRecord) => n.privateIpAddress,
    'addresses.private-ip-address': (n: NetworkInterfaceRecord) => n.privateIpAddress,
    'private-dns-name': (n: NetworkInterfaceRecord) => dnsName(ctx.region, n.privateIpAddress),
    'mac-address': (n: NetworkInterfaceRecord) => n.macAddress,
    'owner-id': () => ctx.accountId,
    'requester-managed': (n: NetworkInterfaceRecord) => Boolean(n.requesterId),
    'requester-id': (n: NetworkInterfaceRecord) => n.requesterId,
    status: (n: NetworkInterfaceRecord) => n.status,
    'attachment.status': (n: NetworkInterfaceRecord) => (n.attachment ? 'attached' : undefined),
    'attachment.attachment-id': (n: NetworkInterfaceRecord) => n.attachment?.attachmentId,
  });
  return {
    CreateNetworkInterface(input: EC2.CreateNetworkInterfaceRequest, ctx): EC2.CreateNetworkInterfaceResult {
      const state = stateOf(ctx);
      if (!input.SubnetId) throw missingParameter('subnetId');
      const subnet = findSubnet(state, input.SubnetId);
      const groupIds = input.Groups?.length
        ? input.Groups.map((id) => findGroup(state, id).groupId)
        : Object.values(state.securityGroups)
            .filter((g) => g.vpcId === subnet.vpcId && g.groupName === 'default')
            .map((g) => g.groupId);
      for (const id of groupIds) {
        if (state.securityGroups[id].vpcId !== subnet.vpcId)
          throw invalidParameterValue(`The security group '${id}' does not belong to the VPC of the subnet.`);
      }
      const tags = tagsFromSpecs(input.TagSpecifications, 'network-interface');
      const n = allocateInterface(state, subnet, {
        ip: input.PrivateIpAddress,
        description: input.Description,
        groupIds,
        interfaceType: input.InterfaceType,
      });
      // An interface another service makes for itself (an ECS task's ENI) is requester-managed
      // and attached at once, as ECS's are.
      if (ctx.internal) {
        n.requesterId = 'amazon-ecs';
        n.status = 'in-use';
        n.attachment = {
          attachmentId: newId('ela-attach'),
          attachTime: new Date(),
          deviceIndex: 1,
          instanceOwnerId: 'amazon-aws',
        };
      }
      if (Object.keys(tags).length) state.tags[n.networkInterfaceId] = tags;
      return { NetworkInterface: interfaceView(state, ctx, n) };
    },
    DescribeNetworkInterfaces(input: EC2.DescribeNetworkInterfacesRequest, ctx): EC2.DescribeNetworkInterfacesResult {
      const state = stateOf(ctx);
      const listed = input.NetworkInterfaceIds?.length
        ? input.NetworkInterfaceIds.map((id) => findInterface(state, id))
        : Object.values(state.networkInterfaces);
      const filtered = applyFilters(listed, input.Filters, fields(ctx), (n) => tagsOf(state, n.networkInterfaceId));
      const { items, NextToken } = page(filtered, input);
      return { NetworkInterfaces: items.map((n) => interfaceView(state, ctx, n)), ...(NextToken ? { NextToken } : {}) };
    },
    DeleteNetworkInterface(input: EC2.DeleteNetworkInterfaceRequest, ctx): void {
      const state = stateOf(ctx);
      const n = findInterface(state, input.NetworkInterfaceId!);
      if (n.status === 'in-use' && !ctx.internal)
        throw new ServiceError(
          'InvalidNetworkInterface.InUse',
          `The network interface '${n.networkInterfaceId}' is currently in use.`,
        );
      removeInterface(state, n);
    },
  };
}
