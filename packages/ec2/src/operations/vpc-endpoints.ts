/**
 * VPC endpoints and prefix lists (records: no traffic goes through them). Gateway endpoints (S3,
 * DynamoDB) add a route to their prefix list in each route table; interface endpoints take a
 * network interface (an address) in each of their subnets. The AWS-managed prefix lists of the
 * gateway services exist in every region; customer-managed lists are versioned.
 */
import { createHash } from 'node:crypto';
import type * as EC2 from '@aws-sdk/client-ec2';
import { ServiceError, type OperationMap, type RequestContext } from '@dockside/core';
import { applyFilters } from '../domain/filters';
import { newId } from '../domain/ids';
import { allocateInterface, removeInterface } from '../domain/interfaces';
import { findGroup, findSubnet, findVpc } from '../domain/network';
import { invalidParameterValue, missingParameter } from '../errors';
import type { Ec2State, PrefixListRecord, VpcEndpointRecord } from '../state/types';
import { type StateOf, page, tagsFromSpecs, tagsOf, tagsView } from './common';

const GATEWAY_SERVICES: Record<string, string[]> = {
  s3: ['52.216.0.0/15', '3.5.0.0/19', '54.231.0.0/16'],
  dynamodb: ['52.94.0.0/22', '3.218.180.0/22'],
};
/** Interface endpoint services an ECS workload reaches privately. */
const INTERFACE_SERVICES = [
  'ecr.api',
  'ecr.dkr',
  'ecs',
  'ecs-agent',
  'ecs-telemetry',
  'logs',
  'secretsmanager',
  'ssm',
  'ssmmessages',
  'sts',
  'events',
  'elasticloadbalancing',
  'ec2',
  'kms',
  's3',
  'dynamodb',
];

const FULL_ACCESS = JSON.stringify({
  Version: '2008-10-17',
  Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }],
});

/** The AWS-managed prefix list id of a gateway service in a region: stable, as AWS's are. */
const managedId = (region: string, service: string) =>
  `pl-${createHash('sha256').update(`${region}/${service}`).digest('hex').slice(0, 8)}`;

interface ManagedList {
  id: string;
  name: string;
  cidrs: string[];
}
const managedLists = (region: string): ManagedList[] =>
  Object.entries(GATEWAY_SERVICES).map(([service, cidrs]) => ({
    id: managedId(region, service),
    name: `com.amazonaws.${region}.${service}`,
    cidrs,
  }));

const endpointNotFound = (id: string) =>
  new ServiceError('InvalidVpcEndpointId.NotFound', `The Vpc Endpoint Id '${id}' does not exist`);
const prefixListNotFound = (id: string) =>
  new ServiceError('InvalidPrefixListID.NotFound', `The prefix list ID '${id}' does not exist`);

export function vpcEndpointOperations(stateOf: StateOf): OperationMap {
  const serviceOf = (ctx: RequestContext, name: string | undefined) => {
    const prefix = `com.amazonaws.${ctx.region}.`;
    const short = name?.startsWith(prefix) ? name.slice(prefix.length) : undefined;
    if (!short || !INTERFACE_SERVICES.includes(short))
      throw new ServiceError('InvalidServiceName', `The Vpc Endpoint Service '${name}' does not exist`);
    return short;
  };
  const endpointView = (state: Ec2State, ctx: RequestContext, e: VpcEndpointRecord): EC2.VpcEndpoint => {
    const tags = tagsView(state, e.vpcEndpointId);
    const iface = e.vpcEndpointType === 'Interface';
    const dns = `${e.vpcEndpointId}-${e.vpcEndpointId.slice(5, 13)}.${e.serviceName.split('.').slice(3).join('.')}.${ctx.region}.vpce.amazonaws.com`;
    return {
      VpcEndpointId: e.vpcEndpointId,
      VpcEndpointType: e.vpcEndpointType as EC2.VpcEndpointType,
      VpcId: e.vpcId,
      ServiceName: e.serviceName,
      // The wire says `available` (the SDK's enum spells it `Available`).
      State: 'available' as EC2.State,
      PolicyDocument: e.policyDocument,
      RouteTableIds: e.routeTableIds,
      SubnetIds: e.subnetIds,
      Groups: e.groupIds.map((g) => ({ GroupId: g, GroupName: state.securityGroups[g]?.groupName })),
      IpAddressType: 'ipv4',
      ...(iface ? { DnsOptions: { DnsRecordIpType: 'ipv4' } } : {}),
      PrivateDnsEnabled: e.privateDnsEnabled,
      RequesterManaged: false,
      NetworkInterfaceIds: e.networkInterfaceIds,
      DnsEntries: iface ? [{ DnsName: dns, HostedZoneId: 'Z7HUB22UULQXV' }] : [],
      CreationTimestamp: e.creationTimestamp,
      OwnerId: ctx.accountId,
      ...(tags.length ? { Tags: tags } : {}),
    };
  };
  const endpoint = (state: Ec2State, id: string) => {
    const e = state.vpcEndpoints[id];
    if (!e) throw endpointNotFound(id);
    return e;
  };
  const addRoutes = (state: Ec2State, ctx: RequestContext, e: VpcEndpointRecord, tables: string[]) => {
    const pl = managedId(ctx.region, e.serviceName.split('.').pop()!);
    for (const id of tables) {
      const rt = state.routeTables[id];
      if (!rt || rt.vpcId !== e.vpcId)
        throw new ServiceError('InvalidRouteTableId.NotFound', `The routeTable ID '${id}' does not exist`);
      if (!rt.routes.some((r) => r.DestinationPrefixListId === pl && r.GatewayId === e.vpcEndpointId))
        rt.routes.push({
          DestinationPrefixListId: pl,
          GatewayId: e.vpcEndpointId,
          Origin: 'CreateRoute',
          State: 'active',
        });
      if (!e.routeTableIds.includes(id)) e.routeTableIds.push(id);
    }
  };
  const removeRoutes = (state: Ec2State, e: VpcEndpointRecord, tables: string[]) => {
    for (const id of tables) {
      const rt = state.routeTables[id];
      if (rt) rt.routes = rt.routes.filter((r) => r.GatewayId !== e.vpcEndpointId);
      e.routeTableIds = e.routeTableIds.filter((x) => x !== id);
    }
  };
  const addInterfaces = (state: Ec2State, e: VpcEndpointRecord, subnets: string[]) => {
    for (const id of subnets) {
      const subnet = findSubnet(state, id);
      if (subnet.vpcId !== e.vpcId) throw invalidParameterValue(`The subnet ID '${id}' is not in VPC ${e.vpcId}.`);
      if (e.subnetIds.some((s) => state.subnets[s]?.availabilityZone === subnet.availabilityZone))
        throw new ServiceError(
          'DuplicateSubnetsInSameZone',
          `Found another VPC endpoint subnet in the availability zone of ${id}. VPC endpoint subnets should be in different availability zones supported by the VPC endpoint service.`,
        );
      const eni = allocateInterface(state, subnet, {
        description: `VPC Endpoint Interface ${e.vpcEndpointId}`,
        groupIds: e.groupIds,
        interfaceType: 'vpc_endpoint',
        requesterId: 'amazon-aws',
        status: 'in-use',
      });
      e.subnetIds.push(id);
      e.networkInterfaceIds.push(eni.networkInterfaceId);
    }
  };
  const removeInterfaces = (state: Ec2State, e: VpcEndpointRecord, subnets: string[]) => {
    for (const id of subnets) {
      const eni = e.networkInterfaceIds.find((n) => state.networkInterfaces[n]?.subnetId === id);
      if (eni) removeInterface(state, state.networkInterfaces[eni]);
      e.networkInterfaceIds = e.networkInterfaceIds.filter((n) => n !== eni);
      e.subnetIds = e.subnetIds.filter((s) => s !== id);
    }
  };

  const listView = (state: Ec2State, ctx: RequestContext, p: PrefixListRecord): EC2.ManagedPrefixList => {
    const tags = tagsView(state, p.prefixListId);
    return {
      PrefixListId: p.prefixListId,
      AddressFamily: p.addressFamily,
      State: p.state as EC2.PrefixListState,
      PrefixListArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:prefix-list/${p.prefixListId}`,
      PrefixListName: p.name,
      MaxEntries: p.maxEntries,
      Version: p.version,
      OwnerId: ctx.accountId,
      ...(tags.length ? { Tags: tags } : {}),
    };
  };
  const managedView = (ctx: RequestContext, m: ManagedList): EC2.ManagedPrefixList => ({
    PrefixListId: m.id,
    AddressFamily: 'IPv4',
    State: 'create-complete',
    PrefixListArn: `arn:aws:ec2:${ctx.region}:aws:prefix-list/${m.id}`,
    PrefixListName: m.name,
    Version: 1,
    OwnerId: 'AWS',
  });
  const prefixList = (state: Ec2State, id: string | undefined) => {
    const p = id ? state.prefixLists[id] : undefined;
    if (!p || p.state === 'delete-complete') throw prefixListNotFound(id ?? '');
    return p;
  };
  const checkEntries = (p: PrefixListRecord, entries: Array<{ Cidr?: string }>) => {
    for (const e of entries) {
      const v6 = e.Cidr?.includes(':');
      if (!e.Cidr || (p.addressFamily === 'IPv6') !== Boolean(v6))
        throw invalidParameterValue(`The CIDR '${e.Cidr}' is not a valid ${p.addressFamily} CIDR.`);
    }
  };

  return {
    CreateVpcEndpoint(input: EC2.CreateVpcEndpointRequest, ctx: RequestContext): EC2.CreateVpcEndpointResult {
      const state = stateOf(ctx);
      const vpc = findVpc(state, input.VpcId);
      if (!input.ServiceName) throw missingParameter('ServiceName');
      const short = serviceOf(ctx, input.ServiceName);
      const type = input.VpcEndpointType ?? 'Gateway';
      if (type === 'Gateway' && !GATEWAY_SERVICES[short])
        throw invalidParameterValue(
          `The Vpc Endpoint Service '${input.ServiceName}' does not support the Gateway endpoint type.`,
        );
      if (type !== 'Gateway' && type !== 'Interface')
        throw invalidParameterValue(`Endpoint type ${type} is not supported by service '${input.ServiceName}'.`);
      if (input.PolicyDocument) {
        try {
          JSON.parse(input.PolicyDocument);
        } catch {
          throw new ServiceError('MalformedPolicyDocument', 'The policy document is not valid JSON.');
        }
      }
      const groups =
        type === 'Interface'
          ? input.SecurityGroupIds?.length
            ? input.SecurityGroupIds.map((g) => findGroup(state, g).groupId)
            : Object.values(state.securityGroups)
                .filter((g) => g.vpcId === vpc.vpcId && g.groupName === 'default')
                .map((g) => g.groupId)
          : [];
      const e: VpcEndpointRecord = {
        vpcEndpointId: newId('vpce'),
        vpcEndpointType: type,
        vpcId: vpc.vpcId,
        serviceName: input.ServiceName,
        policyDocument: input.PolicyDocument ?? FULL_ACCESS,
        routeTableIds: [],
        subnetIds: [],
        groupIds: groups,
        networkInterfaceIds: [],
        privateDnsEnabled: type === 'Interface' ? (input.PrivateDnsEnabled ?? true) : false,
        creationTimestamp: new Date(),
      };
      if (type === 'Gateway') addRoutes(state, ctx, e, input.RouteTableIds ?? []);
      else addInterfaces(state, e, input.SubnetIds ?? []);
      const tags = tagsFromSpecs(input.TagSpecifications, 'vpc-endpoint');
      if (Object.keys(tags).length) state.tags[e.vpcEndpointId] = tags;
      state.vpcEndpoints[e.vpcEndpointId] = e;
      return {
        VpcEndpoint: endpointView(state, ctx, e),
        ...(input.ClientToken ? { ClientToken: input.ClientToken } : {}),
      };
    },

    DescribeVpcEndpoints(input: EC2.DescribeVpcEndpointsRequest, ctx: RequestContext): EC2.DescribeVpcEndpointsResult {
      const state = stateOf(ctx);
      const list = input.VpcEndpointIds?.length
        ? input.VpcEndpointIds.map((id) => endpoint(state, id))
        : Object.values(state.vpcEndpoints);
      const filtered = applyFilters(
        list,
        input.Filters,
        {
          'vpc-endpoint-id': (e) => e.vpcEndpointId,
          'vpc-id': (e) => e.vpcId,
          'service-name': (e) => e.serviceName,
          'vpc-endpoint-type': (e) => e.vpcEndpointType,
          'vpc-endpoint-state': () => 'available',
        },
        (e) => tagsOf(state, e.vpcEndpointId),
      );
      const { items, NextToken } = page(filtered, input);
      return { VpcEndpoints: items.map((e) => endpointView(state, ctx, e)), ...(NextToken ? { NextToken } : {}) };
    },

    ModifyVpcEndpoint(input: EC2.ModifyVpcEndpointRequest, ctx: RequestContext): EC2.ModifyVpcEndpointResult {
      const state = stateOf(ctx);
      const e = endpoint(state, input.VpcEndpointId!);
      if (input.ResetPolicy) e.policyDocument = FULL_ACCESS;
      if (input.PolicyDocument) e.policyDocument = input.PolicyDocument;
      if (e.vpcEndpointType === 'Gateway') {
        addRoutes(state, ctx, e, input.AddRouteTableIds ?? []);
        removeRoutes(state, e, input.RemoveRouteTableIds ?? []);
      } else {
        removeInterfaces(state, e, input.RemoveSubnetIds ?? []);
        addInterfaces(state, e, input.AddSubnetIds ?? []);
        for (const g of input.AddSecurityGroupIds ?? [])
          if (!e.groupIds.includes(g)) e.groupIds.push(findGroup(state, g).groupId);
        e.groupIds = e.groupIds.filter((g) => !(input.RemoveSecurityGroupIds ?? []).includes(g));
        if (input.PrivateDnsEnabled !== undefined) e.privateDnsEnabled = input.PrivateDnsEnabled;
      }
      return { Return: true };
    },

    DeleteVpcEndpoints(input: EC2.DeleteVpcEndpointsRequest, ctx: RequestContext): EC2.DeleteVpcEndpointsResult {
      const state = stateOf(ctx);
      const Unsuccessful: EC2.UnsuccessfulItem[] = [];
      for (const id of input.VpcEndpointIds ?? []) {
        const e = state.vpcEndpoints[id];
        if (!e) {
          Unsuccessful.push({
            ResourceId: id,
            Error: { Code: 'InvalidVpcEndpoint.NotFound', Message: `The VPC endpoint '${id}' does not exist` },
          });
          continue;
        }
        removeRoutes(state, e, [...e.routeTableIds]);
        removeInterfaces(state, e, [...e.subnetIds]);
        delete state.vpcEndpoints[id];
        delete state.tags[id];
      }
      return { Unsuccessful };
    },

    DescribeVpcEndpointServices(
      input: EC2.DescribeVpcEndpointServicesRequest,
      ctx: RequestContext,
    ): EC2.DescribeVpcEndpointServicesResult {
      const all = INTERFACE_SERVICES.flatMap((s) => {
        const name = `com.amazonaws.${ctx.region}.${s}`;
        const types = GATEWAY_SERVICES[s] ? ['Gateway', 'Interface'] : ['Interface'];
        return types.map((t) => ({ name, type: t }));
      });
      const wanted = input.ServiceNames?.length ? all.filter((x) => input.ServiceNames!.includes(x.name)) : all;
      for (const n of input.ServiceNames ?? [])
        if (!all.some((x) => x.name === n))
          throw new ServiceError('InvalidServiceName', `The Vpc Endpoint Service '${n}' does not exist`);
      const filtered = applyFilters(
        wanted,
        input.Filters,
        { 'service-name': (x) => x.name, 'service-type': (x) => x.type },
        () => ({}),
      );
      return {
        ServiceNames: [...new Set(filtered.map((x) => x.name))],
        ServiceDetails: filtered.map((x) => ({
          ServiceName: x.name,
          ServiceType: [{ ServiceType: x.type as EC2.ServiceType }],
          AvailabilityZones: ['a', 'b', 'c'].map((z) => `${ctx.region}${z}`),
          Owner: 'amazon',
          BaseEndpointDnsNames: [`${x.name.split('.').slice(3).join('.')}.${ctx.region}.vpce.amazonaws.com`],
          VpcEndpointPolicySupported: true,
          AcceptanceRequired: false,
          ManagesVpcEndpoints: false,
          SupportedIpAddressTypes: ['ipv4'],
          ...(x.type === 'Interface'
            ? { PrivateDnsName: `${x.name.split('.').slice(3).join('.')}.${ctx.region}.amazonaws.com` }
            : {}),
        })),
      };
    },

    DescribePrefixLists(input: EC2.DescribePrefixListsRequest, ctx: RequestContext): EC2.DescribePrefixListsResult {
      const lists = managedLists(ctx.region).filter(
        (m) => !input.PrefixListIds?.length || input.PrefixListIds.includes(m.id),
      );
      for (const id of input.PrefixListIds ?? []) if (!lists.some((m) => m.id === id)) throw prefixListNotFound(id);
      const filtered = applyFilters(
        lists,
        input.Filters,
        { 'prefix-list-id': (m) => m.id, 'prefix-list-name': (m) => m.name },
        () => ({}),
      );
      return { PrefixLists: filtered.map((m) => ({ PrefixListId: m.id, PrefixListName: m.name, Cidrs: m.cidrs })) };
    },

    CreateManagedPrefixList(
      input: EC2.CreateManagedPrefixListRequest,
      ctx: RequestContext,
    ): EC2.CreateManagedPrefixListResult {
      const state = stateOf(ctx);
      if (input.AddressFamily !== 'IPv4' && input.AddressFamily !== 'IPv6')
        throw invalidParameterValue(`The address family '${input.AddressFamily}' is not valid.`);
      if (!input.PrefixListName || input.PrefixListName.startsWith('com.amazonaws'))
        throw invalidParameterValue(`The prefix list name '${input.PrefixListName}' is not valid.`);
      const p: PrefixListRecord = {
        prefixListId: newId('pl'),
        name: input.PrefixListName,
        addressFamily: input.AddressFamily,
        maxEntries: input.MaxEntries!,
        version: 1,
        entries: (input.Entries ?? []).map(entryOf),
        history: {},
        state: 'create-complete',
      };
      checkEntries(p, p.entries);
      if (p.entries.length > p.maxEntries)
        throw invalidParameterValue(`The number of entries exceeds the maximum of ${p.maxEntries}.`);
      const tags = tagsFromSpecs(input.TagSpecifications, 'prefix-list');
      if (Object.keys(tags).length) state.tags[p.prefixListId] = tags;
      state.prefixLists[p.prefixListId] = p;
      return { PrefixList: listView(state, ctx, p) };
    },

    DescribeManagedPrefixLists(
      input: EC2.DescribeManagedPrefixListsRequest,
      ctx: RequestContext,
    ): EC2.DescribeManagedPrefixListsResult {
      const state = stateOf(ctx);
      const views = [
        ...managedLists(ctx.region).map((m) => ({ view: managedView(ctx, m), tags: {} })),
        ...Object.values(state.prefixLists)
          .filter((p) => p.state !== 'delete-complete')
          .map((p) => ({ view: listView(state, ctx, p), tags: tagsOf(state, p.prefixListId) })),
      ];
      const listed = input.PrefixListIds?.length
        ? input.PrefixListIds.map((id) => views.find((v) => v.view.PrefixListId === id) ?? notFoundList(id))
        : views;
      const filtered = applyFilters(
        listed,
        input.Filters,
        {
          'prefix-list-id': (v) => v.view.PrefixListId!,
          'prefix-list-name': (v) => v.view.PrefixListName!,
          'owner-id': (v) => v.view.OwnerId!,
        },
        (v) => v.tags,
      );
      const { items, NextToken } = page(filtered, input);
      return { PrefixLists: items.map((v) => v.view), ...(NextToken ? { NextToken } : {}) };
    },

    GetManagedPrefixListEntries(
      input: EC2.GetManagedPrefixListEntriesRequest,
      ctx: RequestContext,
    ): EC2.GetManagedPrefixListEntriesResult {
      const state = stateOf(ctx);
      const managed = managedLists(ctx.region).find((m) => m.id === input.PrefixListId);
      if (managed) return { Entries: managed.cidrs.map((Cidr) => ({ Cidr })) };
      const p = prefixList(state, input.PrefixListId);
      const entries =
        input.TargetVersion === undefined || input.TargetVersion === p.version
          ? p.entries
          : p.history[input.TargetVersion];
      if (!entries)
        throw invalidParameterValue(
          `The prefix list version ${input.TargetVersion} does not exist for ${p.prefixListId}.`,
        );
      const { items, NextToken } = page(entries, input);
      return { Entries: items, ...(NextToken ? { NextToken } : {}) };
    },

    ModifyManagedPrefixList(
      input: EC2.ModifyManagedPrefixListRequest,
      ctx: RequestContext,
    ): EC2.ModifyManagedPrefixListResult {
      const state = stateOf(ctx);
      const p = prefixList(state, input.PrefixListId);
      const changesEntries = Boolean(input.AddEntries?.length || input.RemoveEntries?.length);
      if (changesEntries && input.CurrentVersion !== undefined && input.CurrentVersion !== p.version)
        throw new ServiceError(
          'PrefixListVersionMismatch',
          `The prefix list has the incorrect version number. The current version is ${p.version}.`,
        );
      if (input.PrefixListName) p.name = input.PrefixListName;
      if (input.MaxEntries !== undefined) {
        if (input.MaxEntries < p.entries.length)
          throw invalidParameterValue('The maximum number of entries is below the current number of entries.');
        p.maxEntries = input.MaxEntries;
      }
      if (changesEntries) {
        checkEntries(p, input.AddEntries ?? []);
        const remove = new Set((input.RemoveEntries ?? []).map((e) => e.Cidr));
        const next = p.entries.filter((e) => !remove.has(e.Cidr));
        for (const e of input.AddEntries ?? []) {
          const i = next.findIndex((x) => x.Cidr === e.Cidr);
          const entry = entryOf(e);
          if (i >= 0) next[i] = entry;
          else next.push(entry);
        }
        if (next.length > p.maxEntries)
          throw invalidParameterValue(`The number of entries exceeds the maximum of ${p.maxEntries}.`);
        p.history[p.version] = p.entries;
        p.entries = next;
        p.version++;
      }
      p.state = 'modify-complete';
      return { PrefixList: listView(state, ctx, p) };
    },

    DeleteManagedPrefixList(
      input: EC2.DeleteManagedPrefixListRequest,
      ctx: RequestContext,
    ): EC2.DeleteManagedPrefixListResult {
      const state = stateOf(ctx);
      const p = prefixList(state, input.PrefixListId);
      const used = Object.values(state.securityGroups).some((g) =>
        g.rules.some((r) => r.prefixListId === p.prefixListId),
      );
      if (used)
        throw new ServiceError(
          'PrefixListResourceInUse',
          `The prefix list ${p.prefixListId} is referenced by a security group rule and cannot be deleted.`,
        );
      p.state = 'delete-complete';
      const view = listView(state, ctx, p);
      delete state.prefixLists[p.prefixListId];
      delete state.tags[p.prefixListId];
      return { PrefixList: view };
    },
  };
}

/** A prefix list entry as stored (no empty description). */
function entryOf(e: { Cidr?: string; Description?: string }) {
  return { Cidr: e.Cidr!, ...(e.Description ? { Description: e.Description } : {}) };
}

function notFoundList(id: string): never {
  throw prefixListNotFound(id);
}
