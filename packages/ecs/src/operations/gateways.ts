/**
 * Gateways, all eleven operations: Create/Describe/Update/Delete/ListGateways, cluster
 * associations (Associate, Disassociate, List), DescribeGatewayResources, and the routes services'
 * `gatewayConnectors` make (DescribeGatewayRoute, ListGatewayRoutes; ../ingress/connectors.ts).
 * The shared load balancer appears with the first route; UpdateGateway completes on the next
 * pass of the ingress reconciler, as a disassociation does once no route uses it.
 */
import { createHash, randomBytes } from 'node:crypto';
import type * as ECS from '@aws-sdk/client-ecs';
import { paginate, type OperationMap, type RequestContext } from '@dockside/core';
import { ecsArn } from '../domain/arn';
import { activeCluster } from '../domain/clusters';
import type { EcsDomain } from '../domain/context';
import {
  MAX_GATEWAYS_PER_CLUSTER,
  associationNotFound,
  associationKey,
  associationView,
  checkTestTraffic,
  findGateway,
  gatewayView,
  routeNotFound,
  routeSummary,
  routeView,
  routesMatching,
  withDefaults,
} from '../domain/gateways';
import { deleteTags, setTags } from '../domain/tags';
import { invalidParameter } from '../errors';
import type { GatewayRecord } from '../state/types';

const fingerprintOf = (input: ECS.CreateGatewayRequest) => {
  const { clientToken: _t, ...rest } = input;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
};

/** The gateway and cluster an (dis)association names, and the association's key. */
function association(d: EcsDomain, ctx: RequestContext, input: { gateway?: string; cluster?: string }) {
  const state = d.stateOf(ctx);
  const g = findGateway(state, input.gateway);
  const cluster = activeCluster(state, ctx, input.cluster);
  return { state, g, cluster, key: associationKey(g.gatewayArn, cluster.clusterArn) };
}

export function gatewayOperations(d: EcsDomain): OperationMap {
  return {
    CreateGateway(input: ECS.CreateGatewayRequest, ctx: RequestContext): ECS.CreateGatewayResponse {
      const state = d.stateOf(ctx);
      const name = input.name!;
      if (!/^[a-zA-Z0-9_-]{1,255}$/.test(name))
        throw invalidParameter('Gateway name must be 1 to 255 letters, numbers, hyphens and underscores.');
      const alb = input.configuration?.hostSharedAlb;
      if (!alb) throw invalidParameter('The gateway configuration must set exactly one gateway type: hostSharedAlb.');
      const fingerprint = fingerprintOf(input);
      const existing = Object.values(state.gateways).find((g) => g.name === name && g.status !== 'DELETED');
      if (existing) {
        if (
          input.clientToken &&
          existing.clientToken?.token === input.clientToken &&
          existing.clientToken.fingerprint === fingerprint
        )
          return { gatewayArn: existing.gatewayArn, name, status: existing.status };
        throw invalidParameter(`A gateway with the name ${name} already exists.`);
      }
      const configuration = withDefaults(alb);
      const now = new Date();
      const g: GatewayRecord = {
        gatewayArn: ecsArn(ctx, `gateway/${name}/${randomBytes(16).toString('hex')}`),
        name,
        status: 'ACTIVE',
        infrastructureRoleArn: input.infrastructureRoleArn!,
        deletionProtection: input.deletionProtection ?? true,
        propagateTags: input.propagateTags ?? 'GATEWAY',
        accessType: configuration.scheme === 'internal' ? 'PRIVATE' : 'PUBLIC',
        configuration,
        ...(input.clientToken ? { clientToken: { token: input.clientToken, fingerprint } } : {}),
        createdAt: now,
        updatedAt: now,
      };
      state.gateways[g.gatewayArn] = g;
      if (input.tags?.length) setTags(state, g.gatewayArn, input.tags, { replace: true });
      return { gatewayArn: g.gatewayArn, name, status: g.status };
    },

    DescribeGateway(input: ECS.DescribeGatewayRequest, ctx): ECS.DescribeGatewayResponse {
      const state = d.stateOf(ctx);
      return { gateway: gatewayView(state, findGateway(state, input.gateway)) };
    },

    ListGateways(input: ECS.ListGatewaysRequest, ctx): ECS.ListGatewaysResponse {
      const state = d.stateOf(ctx);
      if ((input.names?.length ?? 0) > 10) throw invalidParameter('names can have at most 10 elements.');
      const all = Object.values(state.gateways)
        .filter((g) => g.status !== 'DELETED')
        .filter((g) => !input.names?.length || input.names.includes(g.name))
        .filter((g) => !input.status?.length || input.status.includes(g.status))
        .sort((a, b) => a.gatewayArn.localeCompare(b.gatewayArn));
      const { page, nextToken } = paginate(all, (g) => g.gatewayArn, input, { defaultMax: 100, maxLimit: 100 });
      return {
        gateways: page.map((g) => ({
          gatewayArn: g.gatewayArn,
          name: g.name,
          status: g.status,
          createdAt: g.createdAt,
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },

    UpdateGateway(input: ECS.UpdateGatewayRequest, ctx): ECS.UpdateGatewayResponse {
      const state = d.stateOf(ctx);
      const g = findGateway(state, input.gateway);
      if (g.status === 'UPDATE_IN_PROGRESS')
        throw invalidParameter('The gateway is being updated. Wait for the update to complete and try again.');
      const alb = input.configuration?.hostSharedAlb;
      if (input.configuration && !alb)
        throw invalidParameter("The configuration type must match the gateway's type: hostSharedAlb.");
      if (alb) {
        if (alb.maxAlbCount !== undefined && (alb.maxAlbCount < 1 || alb.maxAlbCount > 100))
          throw invalidParameter('maxAlbCount must be between 1 and 100.');
        checkTestTraffic(alb.testTrafficRules);
        const { networkConfiguration, ...rest } = alb;
        g.configuration = {
          ...g.configuration,
          ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
          ...(networkConfiguration?.inboundSecurityGroup !== undefined
            ? {
                networkConfiguration: {
                  ...g.configuration.networkConfiguration,
                  inboundSecurityGroup: networkConfiguration.inboundSecurityGroup,
                },
              }
            : {}),
        };
      }
      if (input.infrastructureRoleArn !== undefined) g.infrastructureRoleArn = input.infrastructureRoleArn;
      if (input.deletionProtection !== undefined) g.deletionProtection = input.deletionProtection;
      if (input.propagateTags !== undefined) g.propagateTags = input.propagateTags;
      g.status = 'UPDATE_IN_PROGRESS';
      g.updatedAt = new Date();
      return { gatewayArn: g.gatewayArn, name: g.name, status: g.status };
    },

    DeleteGateway(input: ECS.DeleteGatewayRequest, ctx): ECS.DeleteGatewayResponse {
      const state = d.stateOf(ctx);
      const g = findGateway(state, input.gateway);
      if (g.deletionProtection)
        throw invalidParameter(
          'The gateway has deletion protection enabled. Disable it with UpdateGateway before you delete the gateway.',
        );
      if (Object.values(state.gatewayAssociations).some((a) => a.gatewayArn === g.gatewayArn))
        throw invalidParameter(
          'The gateway is associated with one or more clusters. Disassociate it from every cluster before you delete it.',
        );
      delete state.gateways[g.gatewayArn];
      deleteTags(state, g.gatewayArn);
      return { gatewayArn: g.gatewayArn, name: g.name, status: 'DELETED' };
    },

    AssociateGatewayWithCluster(
      input: ECS.AssociateGatewayWithClusterRequest,
      ctx,
    ): ECS.AssociateGatewayWithClusterResponse {
      const { state, g, cluster, key } = association(d, ctx, input);
      const existing = state.gatewayAssociations[key];
      if (existing?.status === 'ACTIVE') return associationView(existing);
      if (existing)
        throw invalidParameter(
          'The gateway is being disassociated from the cluster. Wait until it is done and try again.',
        );
      const count = Object.values(state.gatewayAssociations).filter((a) => a.clusterArn === cluster.clusterArn).length;
      if (count >= MAX_GATEWAYS_PER_CLUSTER)
        throw invalidParameter(`A cluster can be associated with at most ${MAX_GATEWAYS_PER_CLUSTER} gateways.`);
      state.gatewayAssociations[key] = { gatewayArn: g.gatewayArn, clusterArn: cluster.clusterArn, status: 'ACTIVE' };
      return associationView(state.gatewayAssociations[key]);
    },

    DisassociateGatewayFromCluster(
      input: ECS.DisassociateGatewayFromClusterRequest,
      ctx,
    ): ECS.DisassociateGatewayFromClusterResponse {
      const { state, key } = association(d, ctx, input);
      const a = state.gatewayAssociations[key];
      if (!a) throw associationNotFound();
      a.status = 'DISASSOCIATING';
      return associationView(a);
    },

    ListGatewayClusterAssociations(
      input: ECS.ListGatewayClusterAssociationsRequest,
      ctx,
    ): ECS.ListGatewayClusterAssociationsResponse {
      const state = d.stateOf(ctx);
      const gatewayArn = input.gateway ? findGateway(state, input.gateway).gatewayArn : undefined;
      const clusterArn = input.cluster ? activeCluster(state, ctx, input.cluster).clusterArn : undefined;
      const all = Object.entries(state.gatewayAssociations)
        .filter(([, a]) => (!gatewayArn || a.gatewayArn === gatewayArn) && (!clusterArn || a.clusterArn === clusterArn))
        .filter(([, a]) => !input.status?.length || input.status.includes(a.status))
        .sort(([x], [y]) => x.localeCompare(y));
      const { page, nextToken } = paginate(all, ([k]) => k, input, { defaultMax: 100, maxLimit: 100 });
      return {
        gatewayClusterAssociations: page.map(([, a]) => associationView(a)),
        ...(nextToken ? { nextToken } : {}),
      };
    },

    DescribeGatewayResources(input: ECS.DescribeGatewayResourcesRequest, ctx): ECS.DescribeGatewayResourcesResponse {
      const state = d.stateOf(ctx);
      const g = findGateway(state, input.gateway);
      const routes = Object.values(state.gatewayRoutes).filter((r) => r.gatewayArn === g.gatewayArn);
      const albs = g.loadBalancerArn
        ? [
            {
              loadBalancerArn: g.loadBalancerArn,
              listenerArn: routes[0]?.listenerArn,
              securityGroup: g.securityGroupIds?.[0],
              gatewayRouteArns: routes.map((r) => r.gatewayRouteArn).sort(),
            },
          ]
        : [];
      const { page, nextToken } = paginate(albs, (a) => a.loadBalancerArn, input, { defaultMax: 10, maxLimit: 20 });
      return {
        gatewayResources: { gatewayArn: g.gatewayArn, resources: { hostSharedAlb: page } },
        ...(nextToken ? { nextToken } : {}),
      };
    },

    DescribeGatewayRoute(input: ECS.DescribeGatewayRouteRequest, ctx): ECS.DescribeGatewayRouteResponse {
      const state = d.stateOf(ctx);
      const r = state.gatewayRoutes[input.gatewayRouteArn!];
      if (!r) throw routeNotFound();
      return { gatewayRoute: routeView(state, r) };
    },

    ListGatewayRoutes(input: ECS.ListGatewayRoutesRequest, ctx): ECS.ListGatewayRoutesResponse {
      const state = d.stateOf(ctx);
      const gatewayArn = input.gateway ? findGateway(state, input.gateway).gatewayArn : undefined;
      const all = routesMatching(state, input, gatewayArn);
      const { page, nextToken } = paginate(all, (r) => r.gatewayRouteArn, input, { defaultMax: 100, maxLimit: 100 });
      return { gatewayRoutes: page.map(routeSummary), ...(nextToken ? { nextToken } : {}) };
    },
  };
}
