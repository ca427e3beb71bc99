/**
 * Gateways (account-level ingress shared by services, type `hostSharedAlb`), their cluster
 * associations and routes: lookups, defaults and views, worded as ECS words them.
 */
import type * as ECS from '@aws-sdk/client-ecs';
import { ServiceError } from '@dockside/core';
import { invalidParameter } from '../errors';
import type { EcsState, GatewayAssociationRecord, GatewayRecord, GatewayRouteRecord } from '../state/types';
import { tagsOf } from './tags';

export const gatewayNotFound = () =>
  new ServiceError(
    'GatewayNotFoundException',
    "The specified gateway wasn't found. Check that the gateway name or ARN is correct and that the gateway exists in your account and Region.",
  );
export const routeNotFound = () =>
  new ServiceError('ResourceNotFoundException', "The specified gateway route wasn't found.");
export const associationNotFound = () =>
  new ServiceError('ResourceNotFoundException', "The gateway isn't associated with the specified cluster.");

/** A gateway cluster can be associated with at most this many gateways. */
export const MAX_GATEWAYS_PER_CLUSTER = 5;
/** The first listener port Dockside gives a route (each route has its own listener, so its own local URL). */
export const FIRST_ROUTE_PORT = 8000;

export function findGateway(state: EcsState, ref: string | undefined): GatewayRecord {
  const g = Object.values(state.gateways).find((x) => x.gatewayArn === ref || x.name === ref);
  if (!g || g.status === 'DELETED') throw gatewayNotFound();
  return g;
}

export const associationKey = (gatewayArn: string, clusterArn: string) => `${gatewayArn} ${clusterArn}`;

/** The hostSharedAlb configuration with ECS's defaults filled in; port 443 and HTTPS are the only values allowed. */
export function withDefaults(c: ECS.HostSharedAlbConfiguration): ECS.HostSharedAlbConfiguration {
  if (c.port !== undefined && c.port !== 443) throw invalidParameter('The gateway supports only HTTPS at port 443.');
  if (c.protocol !== undefined && c.protocol !== 'HTTPS')
    throw invalidParameter('The gateway supports only HTTPS at port 443.');
  if (c.maxAlbCount !== undefined && (c.maxAlbCount < 1 || c.maxAlbCount > 100))
    throw invalidParameter('maxAlbCount must be between 1 and 100.');
  checkTestTraffic(c.testTrafficRules);
  return {
    ...c,
    networkConfiguration: { ipAddressType: 'dualstack', ...c.networkConfiguration },
    scheme: c.scheme ?? 'internet-facing',
    port: 443,
    protocol: 'HTTPS',
    maxAlbCount: c.maxAlbCount ?? 10,
    httpDesync: c.httpDesync ?? 'defensive',
  };
}

export function checkTestTraffic(rules: ECS.GatewayAlbTestTrafficRules | undefined) {
  const h = rules?.header;
  if (h && (!h.name || !h.values?.length)) throw invalidParameter('testTrafficRules.header needs a name and values.');
}

export function gatewayView(state: EcsState, g: GatewayRecord): ECS.Gateway {
  const tags = tagsOf(state, g.gatewayArn);
  return {
    gatewayArn: g.gatewayArn,
    name: g.name,
    status: g.status,
    failures: [],
    infrastructureRoleArn: g.infrastructureRoleArn,
    deletionProtection: g.deletionProtection,
    configuration: { hostSharedAlb: { ...g.configuration, currentAlbCount: g.loadBalancerArn ? 1 : 0 } },
    accessType: g.accessType,
    propagateTags: g.propagateTags,
    ...(tags.length ? { tags } : {}),
    createdAt: g.createdAt,
    updatedAt: g.updatedAt,
  };
}

export function associationView(a: GatewayAssociationRecord): ECS.GatewayClusterAssociationSummary {
  return { gatewayArn: a.gatewayArn, clusterArn: a.clusterArn, status: a.status };
}

function albResources(r: GatewayRouteRecord, g: GatewayRecord | undefined) {
  return {
    loadBalancerArn: r.loadBalancerArn,
    listenerArn: r.listenerArn,
    ...(r.ruleArn ? { listenerRuleArn: r.ruleArn } : {}),
    testListenerRuleArns: [],
    loadBalancerSecurityGroups: (g?.securityGroupIds ?? []).map((arn) => ({ arn, ruleArns: [] })),
  };
}

export function routeView(state: EcsState, r: GatewayRouteRecord): ECS.GatewayRoute {
  return {
    gatewayRouteArn: r.gatewayRouteArn,
    serviceArn: r.serviceArn,
    serviceContainerPortName: r.serviceContainerPortName,
    status: r.status,
    ...(r.url ? { serviceUrl: r.url } : {}),
    resources: { hostSharedAlb: [albResources(r, state.gateways[r.gatewayArn])] },
  };
}

export function routeSummary(r: GatewayRouteRecord): ECS.GatewayRouteSummary {
  return {
    gatewayRouteArn: r.gatewayRouteArn,
    gatewayArn: r.gatewayArn,
    clusterArn: r.clusterArn,
    serviceArn: r.serviceArn,
    serviceContainerPortName: r.serviceContainerPortName,
    status: r.status,
  };
}

/** What a service revision shows of its gateway connection. */
export function connectionView(state: EcsState, r: GatewayRouteRecord): ECS.GatewayConnection {
  return {
    gatewayArn: r.gatewayArn,
    gatewayRouteArn: r.gatewayRouteArn,
    portName: r.serviceContainerPortName,
    ...(r.url ? { serviceUrl: r.url } : {}),
    accessType: r.accessType,
    status: r.status,
    resources: { hostSharedAlb: [albResources(r, state.gateways[r.gatewayArn])] },
  };
}

/** The routes matching a ListGatewayRoutes filter (cluster and service given as name or ARN). */
export function routesMatching(
  state: EcsState,
  input: ECS.ListGatewayRoutesRequest,
  gatewayArn: string | undefined,
): GatewayRouteRecord[] {
  const named = (arn: string, ref: string | undefined) => !ref || arn === ref || arn.endsWith(`/${ref}`);
  return Object.values(state.gatewayRoutes)
    .filter((r) => !gatewayArn || r.gatewayArn === gatewayArn)
    .filter((r) => named(r.clusterArn, input.cluster) && named(r.serviceArn, input.service))
    .filter((r) => !input.serviceContainerPortName || r.serviceContainerPortName === input.serviceContainerPortName)
    .filter((r) => !input.status?.length || input.status.includes(r.status))
    .sort((a, b) => a.gatewayRouteArn.localeCompare(b.gatewayRouteArn));
}
