import { clone } from '@dockside/core';
import { createHash } from 'node:crypto';
import type * as ECS from '@aws-sdk/client-ecs';
import type { OperationMap, RequestContext } from '@dockside/core';
import { ecsArn } from '../domain/arn';
import { activeCluster } from '../domain/clusters';
import type { EcsDomain } from '../domain/context';
import {
  SERVICE_NAME,
  activeService,
  checkDeploymentConfiguration,
  checkLoadBalancers,
  deploy,
  existingService,
  findService,
  newTaskSet,
  pageOfArns,
  serviceView,
  tdOf,
} from '../domain/services';
import { setTags } from '../domain/tags';
import { checkRunTask, checkStrategyAssociated, launchTypeFor } from '../domain/tasks';
import { checkConstraints, checkStrategies } from '../domain/placement/place';
import { invalidParameter } from '../errors';
import { checkAwsvpc } from '../runtime/ec2-network';
import { checkTargetGroups } from '../scheduler/load-balancers';
import { ServiceScheduler } from '../scheduler/scheduler';
import { deleteIngress, type ListenerAddresses } from '../ingress/alb';
import {
  attachRoute,
  detachRoutes,
  planConnector,
  routeConnector,
  stampRevisions,
  type PlannedConnector,
} from '../ingress/connectors';
import type { DeploymentRecord, GatewayRouteRecord, ServiceRecord } from '../state/types';

/** CreateService, UpdateService, DeleteService, DescribeServices, ListServices(ByNamespace). */
function serviceOperationsSync(d: EcsDomain, scheduler: ServiceScheduler): OperationMap {
  const kick = (ctx: RequestContext, svc: ServiceRecord) => scheduler.schedule(ctx, svc.serviceArn);
  const started = (svc: ServiceRecord, dep: DeploymentRecord) =>
    scheduler.deploymentChanged(svc, dep, 'SERVICE_DEPLOYMENT_IN_PROGRESS');
  return {
    CreateService(input: ECS.CreateServiceRequest, ctx): ECS.CreateServiceResponse {
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      checkConstraints(input.placementConstraints, 'task');
      checkStrategies(input.placementStrategy);
      const name = input.serviceName ?? '';
      if (!SERVICE_NAME.test(name))
        throw invalidParameter('Service name must be 1 to 255 letters, numbers, hyphens and underscores.');
      const { clientToken: _t, ...rest } = input;
      const fingerprint = createHash('sha256').update(JSON.stringify(rest)).digest('hex');
      const arn = ecsArn(ctx, `service/${cluster.clusterName}/${name}`);
      const existing = state.services[arn];
      if (existing && existing.status !== 'INACTIVE') {
        if (
          input.clientToken &&
          existing.clientToken?.token === input.clientToken &&
          existing.clientToken.fingerprint === fingerprint
        ) {
          return { service: serviceView(state, existing, false) };
        }
        if (existing.status === 'DRAINING') throw invalidParameter('Unable to Start a service that is still Draining.');
        throw invalidParameter('Creation of service was not idempotent.');
      }
      const controller = input.deploymentController?.type ?? 'ECS';
      const daemon = input.schedulingStrategy === 'DAEMON';
      if (input.desiredCount !== undefined && (!Number.isInteger(input.desiredCount) || input.desiredCount < 0))
        throw invalidParameter('desiredCount must be 0 or more.');
      if (daemon && input.desiredCount !== undefined)
        throw invalidParameter(
          'The daemon scheduling strategy does not support a desired count for services. Remove the desired count value and try again.',
        );
      if (daemon && controller !== 'ECS')
        throw invalidParameter('The daemon scheduling strategy is only supported with the ECS deployment controller.');
      if (!input.taskDefinition && controller !== 'EXTERNAL')
        throw invalidParameter('TaskDefinition must be specified.');
      const { launchType, capacityProviderName } = launchTypeFor(input, cluster);
      if (daemon && launchType === 'FARGATE')
        throw invalidParameter('The daemon scheduling strategy is not supported with the FARGATE launch type.');
      const td = input.taskDefinition ? tdOf(state, ctx, input.taskDefinition) : undefined;
      if (td)
        checkRunTask(
          {
            networkConfiguration: input.networkConfiguration,
            launchType: input.launchType,
            capacityProviderStrategy: input.capacityProviderStrategy,
          },
          td,
          launchType,
        );
      checkDeploymentConfiguration(input.deploymentConfiguration, daemon);
      checkLoadBalancers(input.loadBalancers, td);
      if (input.healthCheckGracePeriodSeconds !== undefined && input.healthCheckGracePeriodSeconds < 0)
        throw invalidParameter('healthCheckGracePeriodSeconds must be 0 or more.');
      if (input.tags?.length) setTags(state, arn, input.tags, { replace: true });

      const now = new Date();
      const svc: ServiceRecord = {
        serviceArn: arn,
        serviceName: name,
        clusterArn: cluster.clusterArn,
        loadBalancers: input.loadBalancers ?? [],
        serviceRegistries: input.serviceRegistries ?? [],
        status: 'ACTIVE',
        desiredCount: daemon ? 0 : (input.desiredCount ?? 0),
        runningCount: 0,
        pendingCount: 0,
        ...(capacityProviderName
          ? { capacityProviderStrategy: input.capacityProviderStrategy ?? cluster.defaultCapacityProviderStrategy }
          : { launchType }),
        ...(launchType === 'FARGATE'
          ? { platformVersion: input.platformVersion ?? 'LATEST', platformFamily: 'Linux' }
          : {}),
        ...(td ? { taskDefinition: td.taskDefinitionArn } : {}),
        deploymentConfiguration: {
          deploymentCircuitBreaker: { enable: false, rollback: false },
          maximumPercent: daemon ? 100 : 200,
          minimumHealthyPercent: daemon ? 0 : 100,
          ...clone(input.deploymentConfiguration ?? {}),
          ...(controller === 'ECS' ? { strategy: input.deploymentConfiguration?.strategy ?? 'ROLLING' } : {}),
        },
        deployments: [],
        taskSets: [],
        ...(input.role
          ? { roleArn: input.role.startsWith('arn:') ? input.role : `arn:aws:iam::${ctx.accountId}:role/${input.role}` }
          : {}),
        events: [],
        createdAt: now,
        placementConstraints: input.placementConstraints ?? [],
        placementStrategy: input.placementStrategy ?? [],
        ...(input.networkConfiguration ? { networkConfiguration: input.networkConfiguration } : {}),
        ...(input.healthCheckGracePeriodSeconds !== undefined
          ? { healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds }
          : {}),
        schedulingStrategy: daemon ? 'DAEMON' : 'REPLICA',
        deploymentController: { type: controller },
        createdBy: `arn:aws:iam::${ctx.accountId}:root`,
        enableECSManagedTags: Boolean(input.enableECSManagedTags),
        propagateTags: input.propagateTags ?? 'NONE',
        enableExecuteCommand: Boolean(input.enableExecuteCommand),
        availabilityZoneRebalancing: input.availabilityZoneRebalancing ?? 'ENABLED',
        ...(input.clientToken ? { clientToken: { token: input.clientToken, fingerprint } } : {}),
        ...((input.serviceConnectConfiguration?.namespace ?? cluster.serviceConnectDefaults?.namespace)
          ? { namespace: input.serviceConnectConfiguration?.namespace ?? cluster.serviceConnectDefaults?.namespace }
          : {}),
      };
      state.services[arn] = svc;
      if (controller === 'ECS') deploy(state, ctx, svc, cluster, td!, started);
      else if (controller === 'CODE_DEPLOY')
        newTaskSet(state, ctx, svc, cluster, td!, { launchType: svc.launchType }, 'PRIMARY');
      kick(ctx, svc);
      return { service: serviceView(state, svc, false) };
    },

    UpdateService(input: ECS.UpdateServiceRequest, ctx): ECS.UpdateServiceResponse {
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const svc = activeService(state, ctx, cluster, input.service);
      checkConstraints(input.placementConstraints, 'task');
      checkStrategies(input.placementStrategy);
      const controller = svc.deploymentController?.type ?? 'ECS';
      const daemon = svc.schedulingStrategy === 'DAEMON';
      const redeploys =
        input.taskDefinition !== undefined ||
        input.forceNewDeployment ||
        input.networkConfiguration !== undefined ||
        input.platformVersion !== undefined ||
        input.capacityProviderStrategy !== undefined ||
        input.loadBalancers !== undefined ||
        input.volumeConfigurations !== undefined ||
        input.serviceConnectConfiguration !== undefined;
      if (
        controller !== 'ECS' &&
        (input.taskDefinition !== undefined ||
          input.networkConfiguration !== undefined ||
          input.platformVersion !== undefined)
      ) {
        throw invalidParameter(
          controller === 'CODE_DEPLOY'
            ? 'Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.'
            : 'Unable to update task definition on services with a EXTERNAL deployment controller. Use the task set APIs instead.',
        );
      }
      if (input.desiredCount !== undefined) {
        if (daemon)
          throw invalidParameter(
            'The daemon scheduling strategy does not support a desired count for services. Remove the desired count value and try again.',
          );
        if (!Number.isInteger(input.desiredCount) || input.desiredCount < 0)
          throw invalidParameter('desiredCount must be 0 or more.');
      }
      checkDeploymentConfiguration(input.deploymentConfiguration, daemon);
      const td = input.taskDefinition ? tdOf(state, ctx, input.taskDefinition) : undefined;
      const current = svc.taskDefinition ? tdOf(state, ctx, svc.taskDefinition) : undefined;
      if (td)
        checkRunTask(
          { networkConfiguration: input.networkConfiguration ?? svc.networkConfiguration, launchType: svc.launchType },
          td,
          (svc.launchType ?? 'EC2') as ECS.LaunchType,
        );
      checkLoadBalancers(input.loadBalancers, td ?? current);

      // Checked before anything changes, so a refused update leaves the service as it was.
      checkStrategyAssociated(input.capacityProviderStrategy, cluster);
      if (input.desiredCount !== undefined) svc.desiredCount = input.desiredCount;
      if (input.deploymentConfiguration)
        svc.deploymentConfiguration = {
          ...svc.deploymentConfiguration,
          ...clone(input.deploymentConfiguration),
        };
      if (input.networkConfiguration) svc.networkConfiguration = input.networkConfiguration;
      if (input.platformVersion) svc.platformVersion = input.platformVersion;
      if (input.capacityProviderStrategy) svc.capacityProviderStrategy = input.capacityProviderStrategy;
      if (input.loadBalancers) svc.loadBalancers = input.loadBalancers;
      if (input.serviceRegistries) svc.serviceRegistries = input.serviceRegistries;
      if (input.healthCheckGracePeriodSeconds !== undefined)
        svc.healthCheckGracePeriodSeconds = input.healthCheckGracePeriodSeconds;
      if (input.enableExecuteCommand !== undefined) svc.enableExecuteCommand = input.enableExecuteCommand;
      if (input.enableECSManagedTags !== undefined) svc.enableECSManagedTags = input.enableECSManagedTags;
      if (input.propagateTags !== undefined) svc.propagateTags = input.propagateTags;
      if (input.placementConstraints) svc.placementConstraints = input.placementConstraints;
      if (input.placementStrategy) svc.placementStrategy = input.placementStrategy;
      if (input.availabilityZoneRebalancing) svc.availabilityZoneRebalancing = input.availabilityZoneRebalancing;
      if (controller === 'ECS') {
        if (redeploys) deploy(state, ctx, svc, cluster, td ?? current!, started);
        else {
          const primary = svc.deployments.find((d) => d.status === 'PRIMARY');
          if (primary) primary.desiredCount = svc.desiredCount;
          svc.steady = svc.steady && input.desiredCount === undefined;
        }
      }
      kick(ctx, svc);
      return { service: serviceView(state, svc, false) };
    },

    DeleteService(input: ECS.DeleteServiceRequest, ctx): ECS.DeleteServiceResponse {
      const state = d.stateOf(ctx);
      const svc = existingService(state, ctx, input);
      if (svc.status === 'DRAINING') return { service: serviceView(state, svc, false) };
      if (svc.schedulingStrategy !== 'DAEMON' && svc.desiredCount > 0 && !input.force)
        throw invalidParameter('The service cannot be stopped while it is scaled above 0.');
      svc.status = 'DRAINING';
      svc.desiredCount = 0;
      svc.steady = false;
      for (const set of svc.taskSets) set.status = 'DRAINING';
      kick(ctx, svc);
      return { service: serviceView(state, svc, false) };
    },

    DescribeServices(input: ECS.DescribeServicesRequest, ctx): ECS.DescribeServicesResponse {
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const refs = input.services ?? [];
      if (refs.length < 1 || refs.length > 10)
        throw invalidParameter('services should have between 1 and 10 elements.');
      const services: ECS.Service[] = [];
      const failures: ECS.Failure[] = [];
      for (const ref of refs) {
        const svc = findService(state, ctx, cluster, ref);
        if (svc) services.push(serviceView(state, svc, Boolean(input.include?.includes('TAGS'))));
        else
          failures.push({
            // A short name comes back as ECS reports it: without the cluster segment.
            arn: ref.startsWith('arn:') ? ref : ecsArn(ctx, `service/${ref}`),
            reason: 'MISSING',
          });
      }
      return { services, failures };
    },

    ListServices(input: ECS.ListServicesRequest, ctx): ECS.ListServicesResponse {
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const arns = Object.values(state.services)
        .filter(
          (s) =>
            s.clusterArn === cluster.clusterArn &&
            s.status !== 'INACTIVE' &&
            (!input.launchType || s.launchType === input.launchType) &&
            (!input.schedulingStrategy || s.schedulingStrategy === input.schedulingStrategy),
        )
        .map((s) => s.serviceArn)
        .sort();
      return pageOfArns(arns, input);
    },

    ListServicesByNamespace(input: ECS.ListServicesByNamespaceRequest, ctx): ECS.ListServicesByNamespaceResponse {
      const state = d.stateOf(ctx);
      const ns = input.namespace ?? '';
      const name = ns.startsWith('arn:') ? ns.slice(ns.lastIndexOf('/') + 1) : ns;
      const arns = Object.values(state.services)
        .filter(
          (s) =>
            s.status !== 'INACTIVE' &&
            s.namespace !== undefined &&
            (s.namespace === ns || s.namespace === name || s.namespace.endsWith(`/${name}`)),
        )
        .map((s) => s.serviceArn)
        .sort();
      return pageOfArns(arns, input);
    },
  };
}

/**
 * The service operations, with the target groups of `loadBalancers` checked against the elbv2
 * plugin first (when it is loaded), as ECS checks them: the group exists, a load balancer uses it,
 * and its target type suits the task definition's network mode.
 */
export function serviceOperations(
  d: EcsDomain,
  scheduler: ServiceScheduler,
  addresses: ListenerAddresses,
): OperationMap {
  const ops = serviceOperationsSync(d, scheduler);
  const tdOrNone = (ctx: RequestContext, ref: string | undefined) => {
    if (!ref) return undefined;
    try {
      return tdOf(d.stateOf(ctx), ctx, ref);
    } catch {
      return undefined; // the operation itself reports a missing task definition
    }
  };
  const modeOf = (ctx: RequestContext, taskDefinition: string | undefined) => {
    const td = tdOrNone(ctx, taskDefinition);
    return td ? (td.networkMode ?? 'bridge') : undefined;
  };
  /** Routes a connector, then runs `change`; the route is undone when `change` throws. */
  const withRoute = async <T>(
    ctx: RequestContext,
    plan: PlannedConnector | undefined,
    service: { serviceArn: string; clusterArn: string },
    change: (route: GatewayRouteRecord | undefined) => T,
  ): Promise<T> => {
    const route = plan ? await routeConnector(d, ctx, addresses, plan, service) : undefined;
    try {
      return change(route);
    } catch (e) {
      if (route) {
        delete d.stateOf(ctx).gatewayRoutes[route.gatewayRouteArn];
        await deleteIngress(ctx.bus, ctx, route, { keepLoadBalancer: true }).catch(() => undefined);
      }
      throw e;
    }
  };
  return {
    ...ops,
    async CreateService(input: ECS.CreateServiceRequest, ctx: RequestContext) {
      await checkAwsvpc(ctx.bus, ctx, input.networkConfiguration?.awsvpcConfiguration);
      await checkTargetGroups(scheduler, ctx, input.loadBalancers, modeOf(ctx, input.taskDefinition));
      if (!input.gatewayConnectors?.length) return ops.CreateService(input, ctx);
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const td = tdOrNone(ctx, input.taskDefinition);
      const plan = td ? planConnector(state, cluster.clusterArn, input.gatewayConnectors, td) : undefined;
      const serviceArn = ecsArn(ctx, `service/${cluster.clusterName}/${input.serviceName}`);
      return withRoute(ctx, plan, { serviceArn, clusterArn: cluster.clusterArn }, (route) => {
        const out = ops.CreateService(input, ctx) as ECS.CreateServiceResponse;
        if (plan && route) attachRoute(state, state.services[serviceArn], plan, route);
        return out;
      });
    },
    async UpdateService(input: ECS.UpdateServiceRequest, ctx: RequestContext) {
      await checkAwsvpc(ctx.bus, ctx, input.networkConfiguration?.awsvpcConfiguration);
      const state = d.stateOf(ctx);
      const svc = Object.values(state.services).find(
        (x) => (x.serviceName === input.service || x.serviceArn === input.service) && x.status !== 'INACTIVE',
      );
      if (input.loadBalancers?.length)
        await checkTargetGroups(
          scheduler,
          ctx,
          input.loadBalancers,
          modeOf(ctx, input.taskDefinition ?? svc?.taskDefinition),
        );
      const connectors = input.gatewayConnectors;
      const changed =
        svc && connectors !== undefined && JSON.stringify(connectors) !== JSON.stringify(svc.gatewayConnectors ?? []);
      if (!svc || !changed) {
        const out = ops.UpdateService(input, ctx);
        if (svc?.gatewayConnectors?.length) stampRevisions(state, svc);
        return out;
      }
      const td = tdOrNone(ctx, input.taskDefinition ?? svc.taskDefinition);
      const plan = planConnector(state, svc.clusterArn, connectors, td);
      return withRoute(ctx, plan, svc, (route) => {
        // New tasks register with the new route's group; the old route goes once its tasks have.
        const out = ops.UpdateService({ ...input, forceNewDeployment: true }, ctx);
        detachRoutes(state, svc);
        if (plan && route) attachRoute(state, svc, plan, route);
        return out;
      });
    },
    DeleteService(input: ECS.DeleteServiceRequest, ctx: RequestContext) {
      const out = ops.DeleteService(input, ctx) as ECS.DeleteServiceResponse;
      const state = d.stateOf(ctx);
      const svc = state.services[out.service!.serviceArn!];
      if (svc?.gatewayConnectors?.length) detachRoutes(state, svc);
      return out;
    },
  };
}
