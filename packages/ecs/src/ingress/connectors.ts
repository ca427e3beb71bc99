/**
 * Services' `gatewayConnectors`: CreateService/UpdateService check a connector as ECS does (at
 * most one, awsvpc only, a named container port, an ACTIVE gateway associated with the cluster
 * that the access filter admits), then route it: the gateway's shared load balancer (made with
 * its first route), a target group and a listener of the route's own, whose local URL is the
 * route's `serviceUrl`. The service's tasks register with that group like any load balancer's.
 */
import { randomBytes } from 'node:crypto';
import type * as ECS from '@aws-sdk/client-ecs';
import type { RequestContext } from '@dockside/core';
import type { EcsDomain } from '../domain/context';
import { FIRST_ROUTE_PORT, connectionView } from '../domain/gateways';
import { invalidParameter } from '../errors';
import type { EcsState, GatewayRecord, GatewayRouteRecord, ServiceRecord, TaskDefinitionRecord } from '../state/types';
import { createIngress, freeListenerPort, type ListenerAddresses } from './alb';

export interface PlannedConnector {
  connector: ECS.GatewayConnector;
  gateway: GatewayRecord;
  containerName: string;
  containerPort: number;
}

/** Checks a service's connectors against its task definition and cluster; the one to route, if any. */
export function planConnector(
  state: EcsState,
  clusterArn: string,
  connectors: ECS.GatewayConnector[] | undefined,
  td: TaskDefinitionRecord | undefined,
): PlannedConnector | undefined {
  if (!connectors?.length) return undefined;
  if (connectors.length > 1) throw invalidParameter('A service can have at most one gateway connector.');
  const c = connectors[0];
  if ((td?.networkMode ?? 'bridge') !== 'awsvpc')
    throw invalidParameter('Gateway connectors are supported only for services that use the awsvpc network mode.');
  const container = td!.containerDefinitions?.find((x) => x.portMappings?.some((p) => p.name === c.portName));
  if (!container)
    throw invalidParameter(
      `The gateway connector port name ${c.portName} does not match any port mapping name in the task definition.`,
    );
  const access = c.filters?.accessTypes;
  const gateway = Object.values(state.gatewayAssociations)
    .filter((a) => a.clusterArn === clusterArn && a.status === 'ACTIVE')
    .map((a) => state.gateways[a.gatewayArn])
    .find((g) => g && g.status !== 'DELETED' && (!access?.length || access.includes(g.accessType)));
  if (!gateway)
    throw invalidParameter(
      'No ACTIVE gateway that matches the gateway connector is associated with the cluster. Associate a gateway with AssociateGatewayWithCluster first.',
    );
  const port = container.portMappings!.find((p) => p.name === c.portName)!.containerPort!;
  return { connector: c, gateway, containerName: container.name!, containerPort: port };
}

const hc = (c: ECS.GatewayConnector) => {
  const h = c.healthCheck ?? {};
  return {
    HealthCheckProtocol: h.healthCheckProtocol ?? 'HTTP',
    HealthCheckPath: h.healthCheckPath ?? '/',
    ...(h.healthCheckPort !== undefined ? { HealthCheckPort: String(h.healthCheckPort) } : {}),
    ...(h.healthCheckIntervalSeconds !== undefined ? { HealthCheckIntervalSeconds: h.healthCheckIntervalSeconds } : {}),
    ...(h.healthCheckTimeoutSeconds !== undefined ? { HealthCheckTimeoutSeconds: h.healthCheckTimeoutSeconds } : {}),
    ...(h.healthyThresholdCount !== undefined ? { HealthyThresholdCount: h.healthyThresholdCount } : {}),
    ...(h.unhealthyThresholdCount !== undefined ? { UnhealthyThresholdCount: h.unhealthyThresholdCount } : {}),
    ...(h.matcher?.httpCode || h.matcher?.grpcCode
      ? { Matcher: { HttpCode: h.matcher.httpCode, GrpcCode: h.matcher.grpcCode } }
      : {}),
  };
};

/** Makes the route's load-balancer resources (and the gateway's load balancer with its first route). */
export async function routeConnector(
  d: EcsDomain,
  ctx: RequestContext,
  addresses: ListenerAddresses,
  plan: PlannedConnector,
  service: { serviceArn: string; clusterArn: string },
): Promise<GatewayRouteRecord> {
  const g = plan.gateway;
  const id = randomBytes(16).toString('hex');
  const loadBalancerArn = g.loadBalancerArn;
  const made = await createIngress(ctx.bus, ctx, {
    ...(loadBalancerArn ? { loadBalancerArn } : {}),
    loadBalancerName: `ecs-gateway-${randomBytes(8).toString('hex')}`,
    scheme: g.configuration.scheme === 'internal' ? 'internal' : 'internet-facing',
    subnets: g.configuration.networkConfiguration?.subnets,
    ...(g.configuration.networkConfiguration?.inboundSecurityGroup
      ? { securityGroups: [g.configuration.networkConfiguration.inboundSecurityGroup] }
      : {}),
    targetGroupName: `ecs-gw-tg-${randomBytes(8).toString('hex')}`,
    port: plan.containerPort,
    listenerPort: loadBalancerArn
      ? await freeListenerPort(ctx.bus, ctx, loadBalancerArn, FIRST_ROUTE_PORT)
      : FIRST_ROUTE_PORT,
    healthCheck: hc(plan.connector),
    ...(g.propagateTags === 'GATEWAY'
      ? { tags: (d.stateOf(ctx).tags[g.gatewayArn] ?? []).map((t) => ({ Key: t.key!, Value: t.value })) }
      : {}),
  });
  if (!loadBalancerArn) {
    g.loadBalancerArn = made.loadBalancerArn;
    g.subnetIds = made.subnetIds;
    g.securityGroupIds = made.securityGroupIds;
  }
  const [, gatewayName, gatewayId] = g.gatewayArn.split(':').pop()!.split('/');
  const route: GatewayRouteRecord = {
    gatewayRouteArn: g.gatewayArn.replace(/:gateway\/.*$/, `:gateway-route/${gatewayName}/${gatewayId}/${id}`),
    gatewayArn: g.gatewayArn,
    clusterArn: service.clusterArn,
    serviceArn: service.serviceArn,
    serviceContainerPortName: plan.connector.portName!,
    accessType: g.accessType,
    status: 'ACTIVE',
    loadBalancerArn: made.loadBalancerArn,
    listenerArn: made.listenerArn,
    ...(made.ruleArn ? { ruleArn: made.ruleArn } : {}),
    targetGroupArn: made.targetGroupArn,
  };
  route.url = await addresses.wait(made.listenerArn);
  d.stateOf(ctx).gatewayRoutes[route.gatewayRouteArn] = route;
  return route;
}

/** The service's tasks register with the route's group; its revision shows the connector and connection. */
export function attachRoute(state: EcsState, svc: ServiceRecord, plan: PlannedConnector, route: GatewayRouteRecord) {
  svc.gatewayConnectors = [plan.connector];
  svc.gatewayTargets = [
    { targetGroupArn: route.targetGroupArn, containerName: plan.containerName, containerPort: plan.containerPort },
  ];
  stampRevisions(state, svc);
}

/** The service's routes stop taking new tasks; the reconciler removes them once no task is registered. */
export function detachRoutes(state: EcsState, svc: ServiceRecord) {
  for (const r of Object.values(state.gatewayRoutes))
    if (r.serviceArn === svc.serviceArn && r.status !== 'DELETE_IN_PROGRESS') r.status = 'DELETE_IN_PROGRESS';
  svc.gatewayConnectors = undefined;
  svc.gatewayTargets = undefined;
}

/** Shows the service's connector and its connections on its current deployments' revisions. */
export function stampRevisions(state: EcsState, svc: ServiceRecord) {
  const routes = Object.values(state.gatewayRoutes).filter(
    (r) => r.serviceArn === svc.serviceArn && r.status !== 'DELETE_IN_PROGRESS',
  );
  for (const dep of svc.deployments) {
    const rev = state.serviceRevisions[dep.serviceRevisionArn];
    if (!rev || !svc.gatewayConnectors?.length) continue;
    rev.gatewayConnectors = svc.gatewayConnectors;
    rev.ecsManagedResources = {
      ...rev.ecsManagedResources,
      gatewayConnections: routes.map((r) => connectionView(state, r)),
    };
  }
}
