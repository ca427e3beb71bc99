import type * as EC2 from '@aws-sdk/client-ec2';
import { ServiceError, type OperationMap, type RequestContext } from '@dockside/core';
import { allocateInterface, removeInterface } from '../domain/interfaces';
import { applyFilters } from '../domain/filters';
import { newId } from '../domain/ids';
import { findSubnet, findVpc } from '../domain/network';
import { invalidParameterValue, missingParameter } from '../errors';
import type { AddressRecord, Ec2State, InternetGatewayRecord, NatGatewayRecord } from '../state/types';
import { type StateOf, page, tagsFromSpecs, tagsOf, tagsView } from './common';

const notFound = (code: string, what: string, id: string) =>
  new ServiceError(code, `The ${what} ID '${id}' does not exist`);

/** Public addresses from the documentation range 203.0.113.0/24 (never routed anywhere). */
function publicIp(state: Ec2State): string {
  const used = new Set(Object.values(state.addresses).map((a) => a.publicIp));
  for (let i = 1; i < 255; i++) if (!used.has(`203.0.113.${i}`)) return `203.0.113.${i}`;
  throw new ServiceError('AddressLimitExceeded', 'The maximum number of addresses has been reached.');
}

/** An Elastic IP left unassociated. */
function disassociate(a: AddressRecord): void {
  for (const k of ['associationId', 'networkInterfaceId', 'privateIpAddress', 'instanceId'] as const) delete a[k];
}

/**
 * Internet gateways (attached to one VPC), Elastic IPs (from 203.0.113.0/24, associated with an
 * instance or interface), and NAT gateways (an interface and address in their subnet; available
 * at once, deleted on request). Records: no traffic goes through them.
 */
export function gatewayOperations(stateOf: StateOf): OperationMap {
  const igwView = (state: Ec2State, ctx: RequestContext, g: InternetGatewayRecord): EC2.InternetGateway => {
    const tags = tagsView(state, g.internetGatewayId);
    return {
      InternetGatewayId: g.internetGatewayId,
      OwnerId: ctx.accountId,
      // EC2 reports an attached gateway as `available` (not one of the enum's values, as on AWS).
      Attachments: g.vpcId ? [{ State: 'available' as EC2.AttachmentStatus, VpcId: g.vpcId }] : [],
      ...(tags.length ? { Tags: tags } : {}),
    };
  };
  const igw = (state: Ec2State, id: string | undefined) => {
    const g = id ? state.internetGateways[id] : undefined;
    if (!g) throw notFound('InvalidInternetGatewayID.NotFound', 'internetGateway', id ?? '');
    return g;
  };
  const addressView = (state: Ec2State, ctx: RequestContext, a: AddressRecord): EC2.Address => {
    const tags = tagsView(state, a.allocationId);
    return {
      AllocationId: a.allocationId,
      PublicIp: a.publicIp,
      Domain: 'vpc',
      PublicIpv4Pool: 'amazon',
      NetworkBorderGroup: ctx.region,
      ...(a.associationId
        ? {
            AssociationId: a.associationId,
            NetworkInterfaceId: a.networkInterfaceId,
            NetworkInterfaceOwnerId: ctx.accountId,
            PrivateIpAddress: a.privateIpAddress,
            ...(a.instanceId ? { InstanceId: a.instanceId } : {}),
          }
        : {}),
      ...(tags.length ? { Tags: tags } : {}),
    };
  };
  const address = (state: Ec2State, id: string | undefined) => {
    const a = id ? state.addresses[id] : undefined;
    if (!a) throw new ServiceError('InvalidAllocationID.NotFound', `The allocation ID '${id}' does not exist`);
    return a;
  };
  const natView = (state: Ec2State, n: NatGatewayRecord): EC2.NatGateway => {
    const tags = tagsView(state, n.natGatewayId);
    const a = n.allocationId ? state.addresses[n.allocationId] : undefined;
    return {
      NatGatewayId: n.natGatewayId,
      SubnetId: n.subnetId,
      VpcId: n.vpcId,
      State: n.state,
      ConnectivityType: n.connectivityType as EC2.ConnectivityType,
      CreateTime: n.createTime,
      ...(n.deleteTime ? { DeleteTime: n.deleteTime } : {}),
      NatGatewayAddresses: [
        {
          NetworkInterfaceId: n.networkInterfaceId,
          PrivateIp: n.privateIp,
          IsPrimary: true,
          Status: n.state === 'available' ? 'succeeded' : 'disassociating',
          ...(a ? { AllocationId: a.allocationId, PublicIp: a.publicIp, AssociationId: a.associationId } : {}),
        },
      ],
      ...(tags.length ? { Tags: tags } : {}),
    };
  };
  return {
    CreateInternetGateway(input: EC2.CreateInternetGatewayRequest, ctx): EC2.CreateInternetGatewayResult {
      const state = stateOf(ctx);
      const g: InternetGatewayRecord = { internetGatewayId: newId('igw') };
      const tags = tagsFromSpecs(input.TagSpecifications, 'internet-gateway');
      state.internetGateways[g.internetGatewayId] = g;
      if (Object.keys(tags).length) state.tags[g.internetGatewayId] = tags;
      return { InternetGateway: igwView(state, ctx, g) };
    },
    AttachInternetGateway(input: EC2.AttachInternetGatewayRequest, ctx): void {
      const state = stateOf(ctx);
      const g = igw(state, input.InternetGatewayId);
      const vpc = findVpc(state, input.VpcId);
      if (g.vpcId)
        throw new ServiceError(
          'Resource.AlreadyAssociated',
          `resource ${g.internetGatewayId} is already attached to network ${g.vpcId}`,
        );
      if (Object.values(state.internetGateways).some((x) => x.vpcId === vpc.vpcId))
        throw invalidParameterValue(`Network ${vpc.vpcId} already has an internet gateway attached`);
      g.vpcId = vpc.vpcId;
    },
    DetachInternetGateway(input: EC2.DetachInternetGatewayRequest, ctx): void {
      const g = igw(stateOf(ctx), input.InternetGatewayId);
      if (g.vpcId !== input.VpcId)
        throw new ServiceError(
          'Gateway.NotAttached',
          `resource ${g.internetGatewayId} is not attached to network ${input.VpcId}`,
        );
      delete g.vpcId;
    },
    DeleteInternetGateway(input: EC2.DeleteInternetGatewayRequest, ctx): void {
      const state = stateOf(ctx);
      const g = igw(state, input.InternetGatewayId);
      if (g.vpcId)
        throw new ServiceError(
          'DependencyViolation',
          `The internetGateway '${g.internetGatewayId}' has dependencies and cannot be deleted.`,
        );
      delete state.internetGateways[g.internetGatewayId];
      delete state.tags[g.internetGatewayId];
    },
    DescribeInternetGateways(input: EC2.DescribeInternetGatewaysRequest, ctx): EC2.DescribeInternetGatewaysResult {
      const state = stateOf(ctx);
      const listed = input.InternetGatewayIds?.length
        ? input.InternetGatewayIds.map((id) => igw(state, id))
        : Object.values(state.internetGateways);
      const filtered = applyFilters(
        listed,
        input.Filters,
        {
          'internet-gateway-id': (g) => g.internetGatewayId,
          'attachment.vpc-id': (g) => g.vpcId,
          'attachment.state': (g) => (g.vpcId ? 'available' : undefined),
          'owner-id': () => ctx.accountId,
        },
        (g) => tagsOf(state, g.internetGatewayId),
      );
      const { items, NextToken } = page(filtered, input);
      return { InternetGateways: items.map((g) => igwView(state, ctx, g)), ...(NextToken ? { NextToken } : {}) };
    },

    AllocateAddress(input: EC2.AllocateAddressRequest, ctx): EC2.AllocateAddressResult {
      const state = stateOf(ctx);
      if (input.Domain && input.Domain !== 'vpc')
        throw invalidParameterValue(`Invalid value '${input.Domain}' for domain.`);
      const a: AddressRecord = { allocationId: newId('eipalloc'), publicIp: publicIp(state) };
      const tags = tagsFromSpecs(input.TagSpecifications, 'elastic-ip');
      state.addresses[a.allocationId] = a;
      if (Object.keys(tags).length) state.tags[a.allocationId] = tags;
      return {
        AllocationId: a.allocationId,
        PublicIp: a.publicIp,
        Domain: 'vpc',
        PublicIpv4Pool: 'amazon',
        NetworkBorderGroup: ctx.region,
      };
    },
    DescribeAddresses(input: EC2.DescribeAddressesRequest, ctx): EC2.DescribeAddressesResult {
      const state = stateOf(ctx);
      let listed = Object.values(state.addresses);
      if (input.AllocationIds?.length) listed = input.AllocationIds.map((id) => address(state, id));
      if (input.PublicIps?.length) listed = listed.filter((a) => input.PublicIps!.includes(a.publicIp));
      const filtered = applyFilters(
        listed,
        input.Filters,
        {
          'allocation-id': (a) => a.allocationId,
          'public-ip': (a) => a.publicIp,
          'association-id': (a) => a.associationId,
          'instance-id': (a) => a.instanceId,
          'network-interface-id': (a) => a.networkInterfaceId,
          'private-ip-address': (a) => a.privateIpAddress,
          domain: () => 'vpc',
        },
        (a) => tagsOf(state, a.allocationId),
      );
      return { Addresses: filtered.map((a) => addressView(state, ctx, a)) };
    },
    DescribeAddressesAttribute(
      input: EC2.DescribeAddressesAttributeRequest,
      ctx,
    ): EC2.DescribeAddressesAttributeResult {
      const state = stateOf(ctx);
      const listed = input.AllocationIds?.length
        ? input.AllocationIds.map((id) => address(state, id))
        : Object.values(state.addresses);
      // No reverse DNS (PTR) records are kept: the attribute lists the addresses alone.
      return { Addresses: listed.map((a) => ({ AllocationId: a.allocationId, PublicIp: a.publicIp })) };
    },
    AssociateAddress(input: EC2.AssociateAddressRequest, ctx): EC2.AssociateAddressResult {
      const state = stateOf(ctx);
      const a = address(state, input.AllocationId);
      let eniId = input.NetworkInterfaceId;
      if (input.InstanceId) {
        const i = state.instances[input.InstanceId];
        if (!i) throw notFound('InvalidInstanceID.NotFound', 'instance', input.InstanceId);
        eniId = i.networkInterfaceId;
      }
      if (!eniId) throw missingParameter('instanceId or networkInterfaceId');
      const eni = state.networkInterfaces[eniId];
      if (!eni) throw notFound('InvalidNetworkInterfaceID.NotFound', 'networkInterface', eniId);
      if (a.associationId && !input.AllowReassociation)
        throw new ServiceError(
          'Resource.AlreadyAssociated',
          `resource ${a.allocationId} is already associated with associate-id ${a.associationId}`,
        );
      Object.assign(a, {
        associationId: newId('eipassoc'),
        networkInterfaceId: eniId,
        privateIpAddress: eni.privateIpAddress,
        instanceId: input.InstanceId,
      });
      return { AssociationId: a.associationId };
    },
    DisassociateAddress(input: EC2.DisassociateAddressRequest, ctx): void {
      const a = Object.values(stateOf(ctx).addresses).find((x) => x.associationId === input.AssociationId);
      if (!a)
        throw new ServiceError(
          'InvalidAssociationID.NotFound',
          `The association ID '${input.AssociationId}' does not exist`,
        );
      disassociate(a);
    },
    ReleaseAddress(input: EC2.ReleaseAddressRequest, ctx): void {
      const state = stateOf(ctx);
      const a = address(state, input.AllocationId);
      if (a.associationId) throw new ServiceError('InvalidIPAddress.InUse', `Address ${a.publicIp} is in use.`);
      delete state.addresses[a.allocationId];
      delete state.tags[a.allocationId];
    },

    CreateNatGateway(input: EC2.CreateNatGatewayRequest, ctx): EC2.CreateNatGatewayResult {
      const state = stateOf(ctx);
      if (!input.SubnetId) throw missingParameter('subnetId');
      const subnet = findSubnet(state, input.SubnetId);
      const connectivityType = input.ConnectivityType ?? 'public';
      if (connectivityType === 'public' && !input.AllocationId) throw missingParameter('allocationId');
      const a = input.AllocationId ? address(state, input.AllocationId) : undefined;
      if (a?.associationId)
        throw new ServiceError(
          'Resource.AlreadyAssociated',
          `Elastic IP address [${a.allocationId}] is already associated`,
        );
      const eni = allocateInterface(state, subnet, {
        interfaceType: 'nat_gateway',
        requesterId: 'amazon-nat',
        status: 'in-use',
      });
      const [ip, eniId] = [eni.privateIpAddress, eni.networkInterfaceId];
      const n: NatGatewayRecord = {
        natGatewayId: newId('nat'),
        subnetId: subnet.subnetId,
        vpcId: subnet.vpcId,
        connectivityType,
        ...(a ? { allocationId: a.allocationId } : {}),
        networkInterfaceId: eniId,
        privateIp: ip,
        state: 'available',
        createTime: new Date(),
      };
      state.networkInterfaces[eniId].description = `Interface for NAT Gateway ${n.natGatewayId}`;
      if (a) Object.assign(a, { associationId: newId('eipassoc'), networkInterfaceId: eniId, privateIpAddress: ip });
      const tags = tagsFromSpecs(input.TagSpecifications, 'natgateway');
      state.natGateways[n.natGatewayId] = n;
      if (Object.keys(tags).length) state.tags[n.natGatewayId] = tags;
      return {
        NatGateway: { ...natView(state, n), State: 'pending' },
        ...(input.ClientToken ? { ClientToken: input.ClientToken } : {}),
      };
    },
    DescribeNatGateways(input: EC2.DescribeNatGatewaysRequest, ctx): EC2.DescribeNatGatewaysResult {
      const state = stateOf(ctx);
      const listed = Object.values(state.natGateways).filter(
        (n) => !input.NatGatewayIds?.length || input.NatGatewayIds.includes(n.natGatewayId),
      );
      for (const id of input.NatGatewayIds ?? [])
        if (!state.natGateways[id]) throw new ServiceError('NatGatewayNotFound', `The Nat Gateway ${id} was not found`);
      const filtered = applyFilters(
        listed,
        input.Filter,
        {
          'nat-gateway-id': (n) => n.natGatewayId,
          'subnet-id': (n) => n.subnetId,
          'vpc-id': (n) => n.vpcId,
          state: (n) => n.state,
        },
        (n) => tagsOf(state, n.natGatewayId),
      );
      const { items, NextToken } = page(filtered, input);
      return { NatGateways: items.map((n) => natView(state, n)), ...(NextToken ? { NextToken } : {}) };
    },
    DeleteNatGateway(input: EC2.DeleteNatGatewayRequest, ctx): EC2.DeleteNatGatewayResult {
      const state = stateOf(ctx);
      const n = state.natGateways[input.NatGatewayId!];
      if (!n || n.state === 'deleted')
        throw new ServiceError('NatGatewayNotFound', `The Nat Gateway ${input.NatGatewayId} was not found`);
      n.state = 'deleted';
      n.deleteTime = new Date();
      const eni = state.networkInterfaces[n.networkInterfaceId];
      if (eni) removeInterface(state, eni);
      const a = n.allocationId ? state.addresses[n.allocationId] : undefined;
      if (a) disassociate(a);
      return { NatGatewayId: n.natGatewayId };
    },
  };
}
