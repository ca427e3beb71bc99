/**
 * Express gateway services: CreateExpressGatewayService makes, through the public APIs of the
 * loaded plugins, a task definition, a log group, a load balancer with its target group and
 * listener, and an ECS service whose tasks register there; the listener's local URL is the
 * endpoint. Update registers a new revision and rolls a deployment; Delete drains the service,
 * and once it is INACTIVE the load balancer, target group, listener and log group go
 * (`teardownExpress`, run by the plugin's ingress reconciler).
 */
import { randomBytes } from 'node:crypto';
import type * as ECS from '@aws-sdk/client-ecs';
import { isServiceError, isServiceNotLoaded, type OperationMap, type RequestContext } from '@dockside/core';
import { ecsArn } from '../domain/arn';
import type { EcsDomain, Where } from '../domain/context';
import {
  EXPRESS_DEFAULTS,
  MAIN_CONTAINER,
  checkExpressInput,
  checkOwnTaskDefinition,
  configurationView,
  expressHost,
  expressView,
  findExpress,
  generatedName,
  managedResources,
  taskDefinitionFor,
} from '../domain/express';
import { clusterNotFound, invalidParameter, serviceNotActive } from '../errors';
import { createIngress, deleteIngress, type ListenerAddresses } from '../ingress/alb';
import type { ExpressServiceRecord } from '../state/types';

const hex = (n: number) => randomBytes(n).toString('hex');

/** The first name that works of the cluster given (the `default` cluster is made when missing, as ECS does). */
async function expressCluster(d: EcsDomain, ctx: RequestContext, name: string | undefined) {
  const state = d.stateOf(ctx);
  const ref = name ?? 'default';
  const found = Object.values(state.clusters).find(
    (c) => (c.clusterName === ref || c.clusterArn === ref) && c.status === 'ACTIVE',
  );
  if (found) return found;
  if (ref !== 'default') throw clusterNotFound();
  await ctx.bus.call('ecs', 'CreateCluster', { clusterName: 'default' }, ctx);
  return Object.values(d.stateOf(ctx).clusters).find((c) => c.clusterName === 'default' && c.status === 'ACTIVE')!;
}

/** Runs `fn`, ignoring the answer "that plugin is not loaded" (the resource is then not made). */
async function ifLoaded<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    if (isServiceNotLoaded(e)) return undefined;
    throw e;
  }
}

/** The container port and task definition a configuration runs (registering one from its primary container). */
async function taskDefinitionOf(
  ctx: RequestContext,
  e: ExpressServiceRecord,
  c: ECS.ExpressGatewayServiceConfiguration,
): Promise<{ arn: string; port: number }> {
  if (c.taskDefinitionArn && !c.primaryContainer) {
    const { taskDefinition } = await ctx.bus.call(
      'ecs',
      'DescribeTaskDefinition',
      { taskDefinition: c.taskDefinitionArn },
      ctx,
    );
    return { arn: taskDefinition!.taskDefinitionArn!, port: checkOwnTaskDefinition(taskDefinition!) };
  }
  const input = taskDefinitionFor(e.family!, c, ctx.region, e.logGroupName);
  const { taskDefinition } = await ctx.bus.call('ecs', 'RegisterTaskDefinition', input, ctx);
  return {
    arn: taskDefinition!.taskDefinitionArn!,
    port: c.primaryContainer!.containerPort ?? EXPRESS_DEFAULTS.containerPort,
  };
}

/** Stamps the revision the service just deployed with the configuration and its managed resources. */
function recordRevision(
  d: EcsDomain,
  where: Where,
  e: ExpressServiceRecord,
  c: ECS.ExpressGatewayServiceConfiguration,
  port: number,
) {
  const state = d.stateOf(where);
  const svc = state.services[e.serviceArn];
  const dep = svc.deployments.find((x) => x.status === 'PRIMARY') ?? svc.deployments[0];
  c.serviceRevisionArn = dep?.serviceRevisionArn;
  e.configurations.push(c);
  e.ports = { ...e.ports, [c.serviceRevisionArn ?? '']: port };
  const rev = c.serviceRevisionArn ? state.serviceRevisions[c.serviceRevisionArn] : undefined;
  if (rev) rev.ecsManagedResources = managedResources(e, 'ACTIVE', c.healthCheckPath!, port);
}

export function expressOperations(d: EcsDomain, addresses: ListenerAddresses): OperationMap {
  return {
    async CreateExpressGatewayService(input: ECS.CreateExpressGatewayServiceRequest, ctx: RequestContext) {
      checkExpressInput(input);
      if (!input.primaryContainer && !input.taskDefinitionArn)
        throw invalidParameter('Either primaryContainer or taskDefinitionArn must be specified.');
      const cluster = await expressCluster(d, ctx, input.cluster);
      const name = input.serviceName ?? generatedName(input.primaryContainer?.image ?? 'express');
      if (!/^[a-zA-Z0-9_-]{1,255}$/.test(name))
        throw invalidParameter('Service name must be 1 to 255 letters, numbers, hyphens and underscores.');
      const serviceArn = ecsArn(ctx, `service/${cluster.clusterName}/${name}`);
      const existing = d.stateOf(ctx).services[serviceArn];
      if (existing && existing.status !== 'INACTIVE') throw invalidParameter('Creation of service was not idempotent.');

      const now = new Date();
      const e: ExpressServiceRecord = {
        serviceArn,
        clusterArn: cluster.clusterArn,
        serviceName: name,
        infrastructureRoleArn: input.infrastructureRoleArn!,
        status: 'ACTIVE',
        createdAt: now,
        updatedAt: now,
        configurations: [],
        awsHost: expressHost(name, ctx.region),
        ...(input.primaryContainer ? { family: name } : {}),
      };
      const config: ECS.ExpressGatewayServiceConfiguration = {
        ...(input.executionRoleArn ? { executionRoleArn: input.executionRoleArn } : {}),
        ...(input.taskRoleArn ? { taskRoleArn: input.taskRoleArn } : {}),
        ...(input.taskDefinitionArn ? { taskDefinitionArn: input.taskDefinitionArn } : {}),
        ...(input.taskDefinitionArn
          ? {}
          : { cpu: input.cpu ?? EXPRESS_DEFAULTS.cpu, memory: input.memory ?? EXPRESS_DEFAULTS.memory }),
        ...(input.taskDefinitionArn ? {} : { cpuArchitecture: input.cpuArchitecture ?? 'X86_64' }),
        healthCheckPath: input.healthCheckPath ?? EXPRESS_DEFAULTS.healthCheckPath,
        ...(input.primaryContainer
          ? {
              primaryContainer: {
                ...input.primaryContainer,
                containerPort: input.primaryContainer.containerPort ?? EXPRESS_DEFAULTS.containerPort,
              },
            }
          : {}),
        scalingTarget: {
          minTaskCount: 1,
          maxTaskCount: Math.max(1, input.scalingTarget?.minTaskCount ?? 1),
          autoScalingMetric: 'AVERAGE_CPU',
          autoScalingTargetValue: 60,
          ...input.scalingTarget,
        },
        createdAt: now,
      };

      const undo: Array<() => Promise<unknown>> = [];
      let port: number;
      try {
        if (input.primaryContainer) {
          const group =
            input.primaryContainer.awsLogsConfiguration?.logGroup ??
            `/aws/ecs/${cluster.clusterName}/${name}-${hex(2)}`;
          const made = await ifLoaded(() =>
            ctx.bus.call('logs', 'CreateLogGroup', { logGroupName: group }, ctx).then(
              () => true,
              (err) => {
                if (isServiceError(err) && err.code === 'ResourceAlreadyExistsException') return false;
                throw err;
              },
            ),
          );
          if (made !== undefined) {
            e.logGroupName = group;
            e.ownsLogGroup = made;
            if (made) undo.push(() => ctx.bus.call('logs', 'DeleteLogGroup', { logGroupName: group }, ctx));
          }
        }
        const td = await taskDefinitionOf(ctx, e, config);
        config.taskDefinitionArn = td.arn;
        port = td.port;
        if (e.family) undo.push(() => ctx.bus.call('ecs', 'DeregisterTaskDefinition', { taskDefinition: td.arn }, ctx));

        const ingress = await ifLoaded(() =>
          createIngress(ctx.bus, ctx, {
            loadBalancerName: `ecs-express-gateway-alb-${hex(4)}`,
            scheme: 'internet-facing',
            ...(input.networkConfiguration?.subnets?.length ? { subnets: input.networkConfiguration.subnets } : {}),
            targetGroupName: `ecs-gateway-tg-${hex(8)}`,
            port: td.port,
            listenerPort: 80,
            healthCheck: { HealthCheckPath: config.healthCheckPath, HealthCheckProtocol: 'HTTP' },
            tags: (input.tags ?? []).map((t) => ({ Key: t.key!, Value: t.value })),
          }),
        );
        if (ingress) {
          e.ingress = ingress;
          e.subnetIds = input.networkConfiguration?.subnets ?? ingress.subnetIds;
          e.securityGroupIds = input.networkConfiguration?.securityGroups ?? ingress.securityGroupIds;
          undo.push(() => deleteIngress(ctx.bus, ctx, ingress));
          ingress.url = await addresses.wait(ingress.listenerArn);
        } else {
          ctx.logger.warn({ service: name }, 'Express service without a load balancer: the elbv2 plugin is not loaded');
        }
        const subnets = e.subnetIds?.length ? e.subnetIds : ['subnet-00000000000000001'];
        config.networkConfiguration = {
          subnets,
          ...(e.securityGroupIds?.length ? { securityGroups: e.securityGroupIds } : {}),
        };
        await ctx.bus.call(
          'ecs',
          'CreateService',
          {
            cluster: cluster.clusterArn,
            serviceName: name,
            taskDefinition: td.arn,
            desiredCount: config.scalingTarget!.minTaskCount,
            launchType: 'FARGATE',
            networkConfiguration: {
              awsvpcConfiguration: { subnets, securityGroups: e.securityGroupIds, assignPublicIp: 'DISABLED' },
            },
            ...(e.ingress
              ? {
                  loadBalancers: [
                    { targetGroupArn: e.ingress.targetGroupArn, containerName: MAIN_CONTAINER, containerPort: td.port },
                  ],
                }
              : {}),
            deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
            ...(input.tags?.length ? { tags: input.tags } : {}),
          },
          ctx,
        );
      } catch (err) {
        for (const u of undo.reverse()) await u().catch(() => undefined);
        throw err;
      }
      const state = d.stateOf(ctx);
      state.expressServices[serviceArn] = e;
      recordRevision(d, ctx, e, config, port);
      return { service: expressView(state, e, true) };
    },

    DescribeExpressGatewayService(input: ECS.DescribeExpressGatewayServiceRequest, ctx: RequestContext) {
      const state = d.stateOf(ctx);
      const e = findExpress(state, input.serviceArn!, true);
      return { service: expressView(state, e, Boolean(input.include?.includes('TAGS'))) };
    },

    async UpdateExpressGatewayService(input: ECS.UpdateExpressGatewayServiceRequest, ctx: RequestContext) {
      checkExpressInput(input);
      const state = d.stateOf(ctx);
      const e = findExpress(state, input.serviceArn!);
      if (state.services[e.serviceArn]?.status !== 'ACTIVE') throw serviceNotActive();
      const last = e.configurations[e.configurations.length - 1];
      if (input.taskDefinitionArn === undefined && input.primaryContainer && !last.primaryContainer)
        throw invalidParameter(
          'primaryContainer cannot be specified for an Express service created with taskDefinitionArn.',
        );
      const now = new Date();
      const own = input.taskDefinitionArn !== undefined;
      const next: ECS.ExpressGatewayServiceConfiguration = {
        ...last,
        ...(own ? { primaryContainer: undefined, cpu: undefined, memory: undefined, cpuArchitecture: undefined } : {}),
        ...(input.executionRoleArn !== undefined ? { executionRoleArn: input.executionRoleArn } : {}),
        ...(input.taskRoleArn !== undefined ? { taskRoleArn: input.taskRoleArn } : {}),
        ...(input.cpu !== undefined ? { cpu: input.cpu } : {}),
        ...(input.memory !== undefined ? { memory: input.memory } : {}),
        ...(input.cpuArchitecture !== undefined ? { cpuArchitecture: input.cpuArchitecture } : {}),
        ...(input.healthCheckPath !== undefined ? { healthCheckPath: input.healthCheckPath } : {}),
        ...(input.networkConfiguration
          ? { networkConfiguration: { ...last.networkConfiguration, ...input.networkConfiguration } }
          : {}),
        ...(input.primaryContainer
          ? { primaryContainer: { ...last.primaryContainer, ...input.primaryContainer } }
          : {}),
        ...(input.scalingTarget ? { scalingTarget: { ...last.scalingTarget, ...input.scalingTarget } } : {}),
        ...(own ? { taskDefinitionArn: input.taskDefinitionArn } : {}),
        createdAt: now,
      };
      for (const k of Object.keys(next) as Array<keyof typeof next>) if (next[k] === undefined) delete next[k];
      if (own) e.family = undefined;
      else if (!e.family && next.primaryContainer) e.family = e.serviceName;
      const td = await taskDefinitionOf(ctx, e, next);
      next.taskDefinitionArn = td.arn;
      if (e.ingress && next.healthCheckPath !== last.healthCheckPath)
        await ctx.bus.call(
          'elasticloadbalancing',
          'ModifyTargetGroup',
          { TargetGroupArn: e.ingress.targetGroupArn, HealthCheckPath: next.healthCheckPath },
          ctx,
        );
      const net = next.networkConfiguration!;
      await ctx.bus.call(
        'ecs',
        'UpdateService',
        {
          cluster: e.clusterArn,
          service: e.serviceArn,
          taskDefinition: td.arn,
          ...(input.scalingTarget?.minTaskCount !== undefined
            ? { desiredCount: input.scalingTarget.minTaskCount }
            : {}),
          ...(input.networkConfiguration
            ? {
                networkConfiguration: {
                  awsvpcConfiguration: { subnets: net.subnets!, securityGroups: net.securityGroups },
                },
              }
            : {}),
          forceNewDeployment: true,
        },
        ctx,
      );
      e.updatedAt = now;
      recordRevision(d, ctx, e, next, td.port);
      const view = expressView(state, e, false);
      return {
        service: {
          serviceArn: e.serviceArn,
          cluster: e.clusterArn,
          serviceName: e.serviceName,
          status: view.status,
          targetConfiguration: configurationView(e, next),
          createdAt: e.createdAt,
          updatedAt: e.updatedAt,
        },
      };
    },

    async DeleteExpressGatewayService(input: ECS.DeleteExpressGatewayServiceRequest, ctx: RequestContext) {
      const state = d.stateOf(ctx);
      const e = findExpress(state, input.serviceArn!);
      if (state.services[e.serviceArn]?.status !== 'ACTIVE') throw serviceNotActive();
      await ctx.bus.call('ecs', 'DeleteService', { cluster: e.clusterArn, service: e.serviceArn, force: true }, ctx);
      e.status = 'DRAINING';
      e.updatedAt = new Date();
      return { service: expressView(state, e, false) };
    },
  };
}

/**
 * Once an Express service's ECS service is INACTIVE (its tasks are gone), removes what was made
 * for it: listener, target group, load balancer, its own log group and task definitions.
 */
export async function teardownExpress(
  d: EcsDomain,
  where: Where & { bus: RequestContext['bus'] },
  e: ExpressServiceRecord,
) {
  const state = d.stateOf(where);
  if (state.services[e.serviceArn]?.status !== 'INACTIVE' || e.status === 'INACTIVE') return;
  e.status = 'INACTIVE';
  const { bus } = where;
  if (e.ingress) await ifLoaded(() => deleteIngress(bus, where, e.ingress!));
  if (e.logGroupName && e.ownsLogGroup)
    await ifLoaded(() => bus.call('logs', 'DeleteLogGroup', { logGroupName: e.logGroupName! }, where)).catch(
      () => undefined,
    );
  if (e.family)
    for (const c of e.configurations)
      if (c.taskDefinitionArn)
        await bus
          .call('ecs', 'DeregisterTaskDefinition', { taskDefinition: c.taskDefinitionArn }, where)
          .catch(() => undefined);
  for (const c of e.configurations) {
    const rev = c.serviceRevisionArn ? state.serviceRevisions[c.serviceRevisionArn] : undefined;
    if (rev?.ecsManagedResources)
      rev.ecsManagedResources = managedResources(
        e,
        'DELETED',
        c.healthCheckPath ?? EXPRESS_DEFAULTS.healthCheckPath,
        e.ports?.[c.serviceRevisionArn!] ?? EXPRESS_DEFAULTS.containerPort,
      );
  }
  e.updatedAt = new Date();
}
