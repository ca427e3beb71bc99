import type * as EC2 from '@aws-sdk/client-ec2';
import { ServiceError, type OperationMap, type RequestContext } from '@dockside/core';
import { applyFilters } from '../domain/filters';
import { newId } from '../domain/ids';
import { findSubnet, findVpc } from '../domain/network';
import { dependencyViolation, invalidParameterValue, missingParameter } from '../errors';
import type { Ec2State, RouteTableRecord } from '../state/types';
import { type StateOf, tagsFromSpecs, tagsOf, tagsView } from './common';

const TARGETS = [
  'GatewayId',
  'NatGatewayId',
  'NetworkInterfaceId',
  'InstanceId',
  'VpcEndpointId',
  'VpcPeeringConnectionId',
  'TransitGatewayId',
  'EgressOnlyInternetGatewayId',
] as const;

/** Route tables: the main one each VPC has, and custom ones with routes and subnet associations. */
export function routeTableOperations(stateOf: StateOf): OperationMap {
  const routeTableView = (ctx: RequestContext, r: RouteTableRecord): EC2.RouteTable => {
    const tags = tagsView(stateOf(ctx), r.routeTableId);
    return {
      RouteTableId: r.routeTableId,
      VpcId: r.vpcId,
      OwnerId: ctx.accountId,
      Routes: r.routes,
      Associations: r.associations.map((a) => ({
        RouteTableAssociationId: a.id,
        RouteTableId: r.routeTableId,
        Main: a.main,
        ...(a.subnetId ? { SubnetId: a.subnetId } : {}),
        AssociationState: { State: 'associated' },
      })),
      PropagatingVgws: [],
      ...(tags.length ? { Tags: tags } : {}),
    };
  };
  const table = (state: Ec2State, id: string | undefined) => {
    const r = id ? state.routeTables[id] : undefined;
    if (!r) throw new ServiceError('InvalidRouteTableID.NotFound', `The routeTable ID '${id}' does not exist`);
    return r;
  };
  /** The route's target, checked to exist where Dockside keeps that kind of resource. */
  const target = (state: Ec2State, input: EC2.CreateRouteRequest): EC2.Route => {
    const given = TARGETS.filter((k) => input[k]);
    if (given.length !== 1) throw invalidParameterValue('Exactly one route target must be specified.');
    const id = input[given[0]]!;
    if (given[0] === 'GatewayId' && id.startsWith('igw-') && !state.internetGateways[id])
      throw new ServiceError('InvalidInternetGatewayID.NotFound', `The internetGateway ID '${id}' does not exist`);
    if (given[0] === 'NatGatewayId' && !state.natGateways[id])
      throw new ServiceError('InvalidNatGatewayID.NotFound', `The natGateway ID '${id}' does not exist`);
    return { [given[0]]: id };
  };
  const destination = (input: {
    DestinationCidrBlock?: string;
    DestinationIpv6CidrBlock?: string;
    DestinationPrefixListId?: string;
  }) => input.DestinationCidrBlock ?? input.DestinationIpv6CidrBlock ?? input.DestinationPrefixListId;
  const sameDestination = (r: EC2.Route, d: string) =>
    r.DestinationCidrBlock === d || r.DestinationIpv6CidrBlock === d || r.DestinationPrefixListId === d;
  const destinationOf = (input: {
    DestinationCidrBlock?: string;
    DestinationIpv6CidrBlock?: string;
    DestinationPrefixListId?: string;
  }): EC2.Route =>
    input.DestinationCidrBlock
      ? { DestinationCidrBlock: input.DestinationCidrBlock }
      : input.DestinationIpv6CidrBlock
        ? { DestinationIpv6CidrBlock: input.DestinationIpv6CidrBlock }
        : { DestinationPrefixListId: input.DestinationPrefixListId };
  return {
    DescribeRouteTables(input: EC2.DescribeRouteTablesRequest, ctx): EC2.DescribeRouteTablesResult {
      const state = stateOf(ctx);
      const listed = Object.values(state.routeTables).filter(
        (r) => !input.RouteTableIds?.length || input.RouteTableIds.includes(r.routeTableId),
      );
      const tables = applyFilters(
        listed,
        input.Filters,
        {
          'route-table-id': (r) => r.routeTableId,
          'vpc-id': (r) => r.vpcId,
          'association.main': (r) => r.associations.some((a) => a.main),
          'association.subnet-id': (r) => r.associations.filter((a) => a.subnetId).map((a) => a.subnetId!),
          'association.route-table-association-id': (r) => r.associations.map((a) => a.id),
          'owner-id': () => ctx.accountId,
        },
        (r) => tagsOf(state, r.routeTableId),
      );
      return { RouteTables: tables.map((r) => routeTableView(ctx, r)) };
    },
    CreateRouteTable(input: EC2.CreateRouteTableRequest, ctx): EC2.CreateRouteTableResult {
      const state = stateOf(ctx);
      const vpc = findVpc(state, input.VpcId);
      const r: RouteTableRecord = {
        routeTableId: newId('rtb'),
        vpcId: vpc.vpcId,
        main: false,
        routes: vpc.cidrAssociations.map((a) => ({
          DestinationCidrBlock: a.cidrBlock,
          GatewayId: 'local',
          Origin: 'CreateRouteTable',
          State: 'active',
        })),
        associations: [],
      };
      const tags = tagsFromSpecs(input.TagSpecifications, 'route-table');
      state.routeTables[r.routeTableId] = r;
      if (Object.keys(tags).length) state.tags[r.routeTableId] = tags;
      return { RouteTable: routeTableView(ctx, r) };
    },
    DeleteRouteTable(input: EC2.DeleteRouteTableRequest, ctx): void {
      const state = stateOf(ctx);
      const r = table(state, input.RouteTableId);
      if (r.main || r.associations.length) throw dependencyViolation('routeTable', r.routeTableId);
      delete state.routeTables[r.routeTableId];
      delete state.tags[r.routeTableId];
    },
    CreateRoute(input: EC2.CreateRouteRequest, ctx): EC2.CreateRouteResult {
      const state = stateOf(ctx);
      const r = table(state, input.RouteTableId);
      const d = destination(input);
      if (!d) throw missingParameter('destinationCidrBlock');
      const t = target(state, input);
      if (r.routes.some((x) => sameDestination(x, d)))
        throw new ServiceError('RouteAlreadyExists', `The route identified by ${d} already exists.`);
      r.routes.push({ ...destinationOf(input), ...t, Origin: 'CreateRoute', State: 'active' });
      return { Return: true };
    },
    ReplaceRoute(input: EC2.ReplaceRouteRequest, ctx): void {
      const state = stateOf(ctx);
      const r = table(state, input.RouteTableId);
      const d = destination(input);
      const i = r.routes.findIndex((x) => d !== undefined && sameDestination(x, d) && x.GatewayId !== 'local');
      if (i < 0)
        throw new ServiceError(
          'InvalidRoute.NotFound',
          `no route with destination-cidr-block ${d} in route table ${r.routeTableId}`,
        );
      r.routes[i] = {
        ...destinationOf(input),
        ...target(state, input as EC2.CreateRouteRequest),
        Origin: 'CreateRoute',
        State: 'active',
      };
    },
    DeleteRoute(input: EC2.DeleteRouteRequest, ctx): void {
      const state = stateOf(ctx);
      const r = table(state, input.RouteTableId);
      const d = destination(input);
      const i = r.routes.findIndex((x) => d !== undefined && sameDestination(x, d));
      if (i < 0)
        throw new ServiceError(
          'InvalidRoute.NotFound',
          `no route with destination-cidr-block ${d} in route table ${r.routeTableId}`,
        );
      if (r.routes[i].GatewayId === 'local') throw invalidParameterValue('cannot remove local route in route table');
      r.routes.splice(i, 1);
    },
    AssociateRouteTable(input: EC2.AssociateRouteTableRequest, ctx): EC2.AssociateRouteTableResult {
      const state = stateOf(ctx);
      const r = table(state, input.RouteTableId);
      if (!input.SubnetId) throw missingParameter('subnetId');
      const subnet = findSubnet(state, input.SubnetId);
      if (subnet.vpcId !== r.vpcId)
        throw invalidParameterValue(
          `Route table ${r.routeTableId} and subnet ${subnet.subnetId} belong to different networks`,
        );
      const taken = Object.values(state.routeTables).find((x) =>
        x.associations.some((a) => a.subnetId === subnet.subnetId),
      );
      if (taken)
        throw new ServiceError(
          'Resource.AlreadyAssociated',
          `the specified association for route table ${r.routeTableId} conflicts with an existing association`,
        );
      const id = newId('rtbassoc');
      r.associations.push({ id, subnetId: subnet.subnetId, main: false });
      return { AssociationId: id, AssociationState: { State: 'associated' } };
    },
    DisassociateRouteTable(input: EC2.DisassociateRouteTableRequest, ctx): void {
      const state = stateOf(ctx);
      const r = Object.values(state.routeTables).find((x) => x.associations.some((a) => a.id === input.AssociationId));
      if (!r)
        throw new ServiceError(
          'InvalidAssociationID.NotFound',
          `The association ID '${input.AssociationId}' does not exist`,
        );
      if (r.associations.find((a) => a.id === input.AssociationId)!.main)
        throw invalidParameterValue('cannot disassociate the main route table association');
      r.associations = r.associations.filter((a) => a.id !== input.AssociationId);
    },
  };
}
