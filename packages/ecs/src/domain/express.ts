/**
 * Express services as ECS shows them: the service record's views, the task definition ECS
 * derives from a primary container, and the `ecsManagedResources` of its service revisions.
 */
import { randomBytes } from 'node:crypto';
import type * as ECS from '@aws-sdk/client-ecs';
import { ServiceError } from '@dockside/core';
import { invalidParameter } from '../errors';
import type { EcsState, ExpressServiceRecord } from '../state/types';
import { tagsOf } from './tags';

export const EXPRESS_DEFAULTS = { cpu: '256', memory: '512', containerPort: 80, healthCheckPath: '/ping' };
/** The container ECS names in the task definitions of Express services. */
export const MAIN_CONTAINER = 'Main';

export const expressNotFound = () =>
  new ServiceError('ResourceNotFoundException', 'The specified Express service was not found.');

/** The Express service an ARN names (ServiceNotFoundException, or ResourceNotFoundException for Describe). */
export function findExpress(state: EcsState, arn: string, describe = false): ExpressServiceRecord {
  const e = state.expressServices[arn];
  if (!e) throw describe ? expressNotFound() : new ServiceError('ServiceNotFoundException', 'Service not found.');
  return e;
}

/** Express services are ACTIVE, DRAINING or INACTIVE as their ECS service is. */
export function expressStatus(state: EcsState, e: ExpressServiceRecord): ECS.ExpressGatewayServiceStatus {
  // INACTIVE once what was made for it is gone too (the service itself may be INACTIVE before).
  const svc = state.services[e.serviceArn]?.status ?? e.status;
  const status = svc === 'INACTIVE' && e.status !== 'INACTIVE' ? 'DRAINING' : svc;
  return { statusCode: status, ...(e.statusReason ? { statusReason: e.statusReason } : {}) };
}

/** AWS's host form for an Express endpoint: the name's first two characters and 32 hex digits. */
export function expressHost(name: string, region: string): string {
  const prefix = name
    .slice(0, 2)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x');
  return `${prefix.padEnd(2, 'x')}-${randomBytes(16).toString('hex')}.ecs.${region}.on.aws`;
}

/** A service name ECS would generate: from the image's repository name, with a random suffix. */
export function generatedName(image: string): string {
  const repo =
    image
      .split('@')[0]
      .replace(/:[^/]*$/, '')
      .split('/')
      .pop()
      ?.replace(/[^a-zA-Z0-9-]/g, '-') || 'express';
  return `${repo.slice(0, 40)}-${randomBytes(4).toString('hex')}`;
}

/** Which fields a configuration may not carry with a task definition of the user's own. */
const NOT_WITH_TASK_DEFINITION = [
  'primaryContainer',
  'executionRoleArn',
  'taskRoleArn',
  'cpu',
  'memory',
  'cpuArchitecture',
] as const;

export function checkExpressInput(
  input: ECS.CreateExpressGatewayServiceRequest | ECS.UpdateExpressGatewayServiceRequest,
) {
  if (input.taskDefinitionArn) {
    for (const k of NOT_WITH_TASK_DEFINITION)
      if (input[k] !== undefined)
        throw invalidParameter(`${k} cannot be specified when taskDefinitionArn is specified.`);
  }
  const t = input.scalingTarget;
  if (t) {
    if (t.minTaskCount !== undefined && t.minTaskCount < 1)
      throw invalidParameter('scalingTarget.minTaskCount must be at least 1.');
    if (t.minTaskCount !== undefined && t.maxTaskCount !== undefined && t.maxTaskCount < t.minTaskCount)
      throw invalidParameter('scalingTarget.maxTaskCount must be greater than or equal to minTaskCount.');
    if (t.autoScalingTargetValue !== undefined && !(t.autoScalingTargetValue > 0))
      throw invalidParameter('scalingTarget.autoScalingTargetValue must be greater than 0.');
  }
  const c = input.primaryContainer;
  if (c?.containerPort !== undefined && (c.containerPort < 1 || c.containerPort > 65535))
    throw invalidParameter('primaryContainer.containerPort must be between 1 and 65535.');
  if (input.healthCheckPath !== undefined && !input.healthCheckPath.startsWith('/'))
    throw invalidParameter('healthCheckPath must begin with a forward slash (/).');
}

/** A task definition with its container named Main and one named TCP port mapping, as ECS requires for Express services. */
export function checkOwnTaskDefinition(td: ECS.TaskDefinition) {
  const main = td.containerDefinitions?.find((c) => c.name === MAIN_CONTAINER);
  if (!main)
    throw invalidParameter(
      `The task definition must have a container named '${MAIN_CONTAINER}' for an Express service.`,
    );
  const named = (main.portMappings ?? []).filter((p) => p.name && (p.protocol ?? 'tcp') === 'tcp');
  if (named.length !== 1)
    throw invalidParameter(`The '${MAIN_CONTAINER}' container must have exactly one named TCP port mapping.`);
  if (!td.requiresCompatibilities?.includes('FARGATE'))
    throw invalidParameter('The task definition must be compatible with FARGATE for an Express service.');
  return named[0].containerPort!;
}

/** RegisterTaskDefinition input for a configuration's primary container. */
export function taskDefinitionFor(
  family: string,
  c: ECS.ExpressGatewayServiceConfiguration,
  region: string,
  logGroup: string | undefined,
): ECS.RegisterTaskDefinitionRequest {
  const p = c.primaryContainer!;
  const port = p.containerPort ?? EXPRESS_DEFAULTS.containerPort;
  return {
    family,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: c.cpu,
    memory: c.memory,
    runtimePlatform: { cpuArchitecture: c.cpuArchitecture ?? 'X86_64', operatingSystemFamily: 'LINUX' },
    ...(c.executionRoleArn ? { executionRoleArn: c.executionRoleArn } : {}),
    ...(c.taskRoleArn ? { taskRoleArn: c.taskRoleArn } : {}),
    containerDefinitions: [
      {
        name: MAIN_CONTAINER,
        image: p.image,
        essential: true,
        portMappings: [{ name: `${MAIN_CONTAINER.toLowerCase()}-${port}-tcp`, containerPort: port, protocol: 'tcp' }],
        ...(p.command?.length ? { command: p.command } : {}),
        ...(p.environment?.length ? { environment: p.environment } : {}),
        ...(p.secrets?.length ? { secrets: p.secrets } : {}),
        ...(p.repositoryCredentials?.credentialsParameter
          ? { repositoryCredentials: { credentialsParameter: p.repositoryCredentials.credentialsParameter } }
          : {}),
        ...(logGroup
          ? {
              logConfiguration: {
                logDriver: 'awslogs',
                options: {
                  'awslogs-group': logGroup,
                  'awslogs-region': region,
                  'awslogs-stream-prefix': p.awsLogsConfiguration?.logStreamPrefix ?? 'ecs',
                },
              },
            }
          : {}),
      },
    ],
  };
}

/** The `ecsManagedResources` of a revision, with every resource in `status`. */
export function managedResources(
  e: ExpressServiceRecord,
  status: ECS.ManagedResourceStatus,
  healthCheckPath: string,
  port: number,
): ECS.ECSManagedResources {
  const updatedAt = e.updatedAt;
  const item = (arn: string | undefined) => ({ arn, status, updatedAt });
  const ingress = e.ingress;
  return {
    ...(ingress
      ? {
          ingressPaths: [
            {
              accessType: 'PUBLIC',
              endpoint: endpointOf(e),
              loadBalancer: {
                ...item(ingress.loadBalancerArn),
                scheme: 'internet-facing',
                subnetIds: e.subnetIds,
                securityGroupIds: e.securityGroupIds,
              },
              loadBalancerSecurityGroups: (e.securityGroupIds ?? []).map((id) => item(id)),
              listener: item(ingress.listenerArn),
              rule: item(ingress.ruleArn),
              targetGroups: [{ ...item(ingress.targetGroupArn), healthCheckPath, healthCheckPort: port, port }],
            },
          ],
        }
      : {}),
    serviceSecurityGroups: (e.securityGroupIds ?? []).map((id) => item(id)),
    ...(e.logGroupName ? { logGroups: [{ ...item(undefined), logGroupName: e.logGroupName }] } : {}),
  };
}

/** The configurations in use: those of the service's current deployments (the newest when none is known). */
export function activeConfigurations(
  state: EcsState,
  e: ExpressServiceRecord,
): ECS.ExpressGatewayServiceConfiguration[] {
  const svc = state.services[e.serviceArn];
  const live = new Set(
    (svc?.deployments ?? []).filter((d) => d.status !== 'INACTIVE').map((d) => d.serviceRevisionArn),
  );
  const active = e.configurations.filter((c) => live.has(c.serviceRevisionArn!));
  return (active.length ? active.reverse() : e.configurations.slice(-1)).map((c) => configurationView(e, c));
}

/** The endpoint that reaches the service: its listener's local URL (AWS's host form until it is bound). */
export function endpointOf(e: ExpressServiceRecord): string {
  return e.ingress?.url ?? `https://${e.awsHost}`;
}

/** A configuration as shown, with its ingress path. */
export function configurationView(
  e: ExpressServiceRecord,
  c: ECS.ExpressGatewayServiceConfiguration,
): ECS.ExpressGatewayServiceConfiguration {
  return { ...c, ingressPaths: e.ingress ? [{ accessType: 'PUBLIC', endpoint: endpointOf(e) }] : [] };
}

export function expressView(state: EcsState, e: ExpressServiceRecord, withTags: boolean): ECS.ECSExpressGatewayService {
  const svc = state.services[e.serviceArn];
  const primary = svc?.deployments.find((d) => d.status === 'PRIMARY');
  const tags = tagsOf(state, e.serviceArn);
  return {
    cluster: e.clusterArn,
    serviceName: e.serviceName,
    serviceArn: e.serviceArn,
    infrastructureRoleArn: e.infrastructureRoleArn,
    status: expressStatus(state, e),
    ...(primary ? { currentDeployment: primary.serviceDeploymentArn } : {}),
    activeConfigurations: activeConfigurations(state, e),
    ...(withTags && tags.length ? { tags } : {}),
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}
