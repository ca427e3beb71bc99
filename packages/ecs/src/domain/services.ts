/** Services as the domain sees them: lookups, views, checks, new deployments, revisions and task sets. */
import { randomBytes } from 'node:crypto';
import type * as ECS from '@aws-sdk/client-ecs';
import { clone, decodePageToken, encodePageToken, pageSize, type RequestContext } from '@dockside/core';
import { invalidParameter, serviceNotActive, serviceNotFound, taskSetNotFound } from '../errors';
import type {
  ClusterRecord,
  DeploymentRecord,
  EcsState,
  ServiceRecord,
  TaskDefinitionRecord,
  TaskSetRecord,
} from '../state/types';
import { ecsArn } from './arn';
import { activeCluster } from './clusters';
import { failureThreshold, newDeploymentId, startDeployment } from './deployments';
import { setTags, tagsOf } from './tags';
import { resolveTaskDefinition } from './task-definitions';

export const SERVICE_NAME = /^[a-zA-Z0-9_-]{1,255}$/;

/** A service by name or ARN in a cluster (any status). */
export function findService(
  state: EcsState,
  ctx: RequestContext,
  cluster: ClusterRecord,
  ref: string | undefined,
): ServiceRecord | undefined {
  if (!ref) throw invalidParameter('service must be specified.');
  const name = ref.startsWith('arn:') ? ref.slice(ref.lastIndexOf('/') + 1) : ref;
  const arn = ecsArn(ctx, `service/${cluster.clusterName}/${name}`);
  return state.services[arn];
}

/** A service that exists (ACTIVE or DRAINING) in the request's cluster. */
export function existingService(
  state: EcsState,
  ctx: RequestContext,
  input: { cluster?: string; service?: string },
): ServiceRecord {
  const svc = findService(state, ctx, activeCluster(state, ctx, input.cluster), input.service);
  if (!svc || svc.status === 'INACTIVE') throw serviceNotFound();
  return svc;
}

export function activeService(
  state: EcsState,
  ctx: RequestContext,
  cluster: ClusterRecord,
  ref: string | undefined,
): ServiceRecord {
  const svc = findService(state, ctx, cluster, ref);
  if (!svc || svc.status === 'INACTIVE') throw serviceNotFound();
  if (svc.status !== 'ACTIVE') throw serviceNotActive();
  return svc;
}

export function deploymentView(d: DeploymentRecord): ECS.Deployment {
  const {
    serviceDeploymentArn: _s,
    serviceRevisionArn: _r,
    strategy: _st,
    stage: _g,
    stageSince: _ss,
    stageHookIds: _h,
    ...rest
  } = d;
  return clone(rest);
}

export function taskSetView(state: EcsState, t: TaskSetRecord, withTags: boolean): ECS.TaskSet {
  const view = clone(t) as ECS.TaskSet;
  view.tags = withTags ? tagsOf(state, t.taskSetArn) : [];
  return view;
}

export function serviceView(state: EcsState, svc: ServiceRecord, withTags: boolean): ECS.Service {
  const {
    clientToken: _c,
    steady: _s,
    namespace: _n,
    stable: _st,
    throttle: _t,
    notices: _no,
    deployments,
    taskSets,
    events,
    ...rest
  } = svc;
  return {
    ...clone(rest),
    deployments: deployments.map(deploymentView),
    taskSets: taskSets.map((t) => taskSetView(state, t, withTags)),
    events: clone(events),
    ...(withTags ? { tags: tagsOf(state, svc.serviceArn) } : {}),
  };
}

export function checkDeploymentConfiguration(c: ECS.DeploymentConfiguration | undefined, daemon: boolean) {
  if (!c) return;
  if (c.minimumHealthyPercent !== undefined && (c.minimumHealthyPercent < 0 || c.minimumHealthyPercent > 100)) {
    throw invalidParameter('minimumHealthyPercent must be between 0 and 100.');
  }
  if (c.maximumPercent !== undefined && (c.maximumPercent < (daemon ? 0 : 100) || c.maximumPercent > 2000)) {
    throw invalidParameter(
      daemon ? 'maximumPercent must be between 0 and 2000.' : 'maximumPercent must be between 100 and 2000.',
    );
  }
  if (c.deploymentCircuitBreaker && c.deploymentCircuitBreaker.enable === undefined)
    throw invalidParameter('deploymentCircuitBreaker.enable must be specified.');
  for (const h of c.lifecycleHooks ?? []) {
    const type = h.targetType ?? 'AWS_LAMBDA';
    if (!h.lifecycleStages?.length)
      throw invalidParameter('lifecycleStages must be specified for each lifecycle hook.');
    if (
      type === 'PAUSE' &&
      h.lifecycleStages.some((st) => st === 'TEST_TRAFFIC_SHIFT' || st === 'PRODUCTION_TRAFFIC_SHIFT')
    ) {
      throw invalidParameter(
        'PAUSE hooks cannot be configured at TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT stages.',
      );
    }
    if (type === 'AWS_LAMBDA' && !h.hookTargetArn)
      throw invalidParameter('hookTargetArn must be specified for an AWS_LAMBDA lifecycle hook.');
    const minutes = h.timeoutConfiguration?.timeoutInMinutes;
    if (minutes !== undefined && (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440))
      throw invalidParameter('timeoutInMinutes must be between 1 and 1440.');
  }
  if (c.bakeTimeInMinutes !== undefined && (c.bakeTimeInMinutes < 0 || c.bakeTimeInMinutes > 1440))
    throw invalidParameter('bakeTimeInMinutes must be between 0 and 1440.');
}

export function checkLoadBalancers(lbs: ECS.LoadBalancer[] | undefined, td: TaskDefinitionRecord | undefined) {
  for (const lb of lbs ?? []) {
    if (!lb.targetGroupArn && !lb.loadBalancerName)
      throw invalidParameter('loadBalancers need a targetGroupArn (or a Classic loadBalancerName).');
    if (!lb.containerName || lb.containerPort === undefined)
      throw invalidParameter('containerName and containerPort must be specified for each load balancer.');
    if (!td) continue;
    const c = td.containerDefinitions?.find((x) => x.name === lb.containerName);
    if (!c) throw invalidParameter(`The container ${lb.containerName} does not exist in the task definition.`);
    if (!c.portMappings?.some((p) => p.containerPort === lb.containerPort)) {
      throw invalidParameter(
        `The container ${lb.containerName} did not have a container port ${lb.containerPort} defined.`,
      );
    }
  }
}

const revisionId = () => String(BigInt('0x' + randomBytes(8).toString('hex')) % 10n ** 19n).padStart(19, '1');

/** The task definition a service names; ECS words a missing one as InvalidParameterException. */
export const tdOf = (state: EcsState, ctx: RequestContext, ref: string): TaskDefinitionRecord => {
  try {
    return resolveTaskDefinition(state, ctx, ref);
  } catch (e) {
    // A malformed revision keeps its own message; anything else is ECS's not-found.
    if ((e as Error).message?.startsWith('Invalid revision number.')) throw e;
    throw invalidParameter('TaskDefinition not found.');
  }
};

/** A ServiceRevision for what a deployment runs. */
export const newRevision = (
  state: EcsState,
  ctx: RequestContext,
  svc: ServiceRecord,
  cluster: ClusterRecord,
  td: TaskDefinitionRecord,
): string => {
  const arn = ecsArn(ctx, `service-revision/${cluster.clusterName}/${svc.serviceName}/${revisionId()}`);
  state.serviceRevisions[arn] = {
    serviceRevisionArn: arn,
    serviceArn: svc.serviceArn,
    clusterArn: svc.clusterArn,
    taskDefinition: td.taskDefinitionArn,
    ...(svc.capacityProviderStrategy?.length
      ? { capacityProviderStrategy: svc.capacityProviderStrategy }
      : { launchType: svc.launchType }),
    ...(svc.platformVersion ? { platformVersion: svc.platformVersion } : {}),
    loadBalancers: svc.loadBalancers ?? [],
    serviceRegistries: svc.serviceRegistries ?? [],
    ...(svc.networkConfiguration ? { networkConfiguration: svc.networkConfiguration } : {}),
    containerImages: (td.containerDefinitions ?? []).map((d) => ({ containerName: d.name, image: d.image })),
    guardDutyEnabled: false,
    createdAt: new Date(),
  };
  return arn;
};

/** A new PRIMARY deployment (ECS controller), its revision and its ServiceDeployment record. */
export const deploy = (
  state: EcsState,
  ctx: RequestContext,
  svc: ServiceRecord,
  cluster: ClusterRecord,
  td: TaskDefinitionRecord,
  started: (svc: ServiceRecord, dep: DeploymentRecord) => void,
) => {
  const now = new Date();
  const revisionArn = newRevision(state, ctx, svc, cluster, td);
  const sources = svc.deployments.filter((d) => d.status !== 'INACTIVE');
  for (const d of sources) {
    if (d.status === 'PRIMARY') d.status = 'ACTIVE';
    const sd = state.serviceDeployments[d.serviceDeploymentArn];
    if (sd && (sd.status === 'IN_PROGRESS' || sd.status === 'PENDING')) {
      Object.assign(sd, {
        status: 'STOPPED',
        statusReason: 'Superseded by a newer service deployment.',
        stoppedAt: now,
        updatedAt: now,
        finishedAt: now,
      });
    }
  }
  const sdArn = ecsArn(
    ctx,
    `service-deployment/${cluster.clusterName}/${svc.serviceName}/${randomBytes(11).toString('base64url').slice(0, 21)}`,
  );
  const breaker = svc.deploymentConfiguration?.deploymentCircuitBreaker;
  const alarms = svc.deploymentConfiguration?.alarms;
  state.serviceDeployments[sdArn] = {
    serviceDeploymentArn: sdArn,
    serviceArn: svc.serviceArn,
    clusterArn: svc.clusterArn,
    createdAt: now,
    startedAt: now,
    updatedAt: now,
    sourceServiceRevisions: sources.map((d) => ({
      arn: d.serviceRevisionArn,
      requestedTaskCount: d.desiredCount ?? 0,
      runningTaskCount: d.runningCount ?? 0,
      pendingTaskCount: d.pendingCount ?? 0,
    })),
    targetServiceRevision: {
      arn: revisionArn,
      requestedTaskCount: svc.desiredCount,
      runningTaskCount: 0,
      pendingTaskCount: 0,
    },
    status: 'IN_PROGRESS',
    deploymentConfiguration: clone(svc.deploymentConfiguration ?? {}),
    deploymentCircuitBreaker: breaker?.enable
      ? { status: 'MONITORING', failureCount: 0, threshold: failureThreshold(svc.desiredCount) }
      : { status: 'DISABLED', failureCount: 0, threshold: 0 },
    alarms: alarms?.enable
      ? { status: 'MONITORING', alarmNames: alarms.alarmNames ?? [], triggeredAlarmNames: [] }
      : { status: 'DISABLED', alarmNames: [], triggeredAlarmNames: [] },
  };
  const dep = startDeployment(
    {
      taskDefinition: td.taskDefinitionArn,
      ...(svc.capacityProviderStrategy?.length
        ? { capacityProviderStrategy: svc.capacityProviderStrategy }
        : { launchType: svc.launchType }),
      ...(svc.launchType === 'FARGATE'
        ? { platformVersion: svc.platformVersion ?? 'LATEST', platformFamily: 'Linux' }
        : {}),
      ...(svc.networkConfiguration ? { networkConfiguration: svc.networkConfiguration } : {}),
      rolloutStateReason: 'ECS deployment in progress.',
      serviceDeploymentArn: sdArn,
      serviceRevisionArn: revisionArn,
      strategy: svc.deploymentConfiguration?.strategy ?? 'ROLLING',
    },
    svc.desiredCount,
    now,
  );
  // ECS names the deployment in its reason.
  dep.rolloutStateReason = `ECS deployment ${dep.id} in progress.`;
  svc.deployments.unshift(dep);
  svc.taskDefinition = td.taskDefinitionArn;
  svc.steady = false;
  started(svc, dep);
  return dep;
};

export const newTaskSet = (
  state: EcsState,
  ctx: RequestContext,
  svc: ServiceRecord,
  cluster: ClusterRecord,
  td: TaskDefinitionRecord,
  input: Partial<ECS.CreateTaskSetRequest>,
  status: TaskSetRecord['status'],
): TaskSetRecord => {
  const id = newDeploymentId();
  const now = new Date();
  const set: TaskSetRecord = {
    id,
    taskSetArn: ecsArn(ctx, `task-set/${cluster.clusterName}/${svc.serviceName}/${id}`),
    serviceArn: svc.serviceArn,
    clusterArn: svc.clusterArn,
    ...(input.externalId ? { externalId: input.externalId } : {}),
    status,
    taskDefinition: td.taskDefinitionArn,
    computedDesiredCount: 0,
    pendingCount: 0,
    runningCount: 0,
    createdAt: now,
    updatedAt: now,
    launchType: input.launchType ?? svc.launchType,
    ...(input.capacityProviderStrategy?.length ? { capacityProviderStrategy: input.capacityProviderStrategy } : {}),
    ...((input.launchType ?? svc.launchType) === 'FARGATE'
      ? { platformVersion: input.platformVersion ?? svc.platformVersion ?? 'LATEST', platformFamily: 'Linux' }
      : {}),
    ...((input.networkConfiguration ?? svc.networkConfiguration)
      ? { networkConfiguration: input.networkConfiguration ?? svc.networkConfiguration }
      : {}),
    loadBalancers: input.loadBalancers ?? svc.loadBalancers ?? [],
    serviceRegistries: input.serviceRegistries ?? [],
    scale: { value: input.scale?.value ?? 100, unit: input.scale?.unit ?? 'PERCENT' },
    stabilityStatus: 'STABILIZING',
    stabilityStatusAt: now,
  };
  svc.taskSets.push(set);
  if (input.tags?.length) setTags(state, set.taskSetArn, input.tags);
  return set;
};

export const findTaskSet = (svc: ServiceRecord, ref: string | undefined): TaskSetRecord => {
  const set = svc.taskSets.find((s) => s.id === ref || s.taskSetArn === ref);
  if (!set) throw taskSetNotFound();
  return set;
};

export const taskSetService = (state: EcsState, ctx: RequestContext, input: { cluster?: string; service?: string }) => {
  const cluster = activeCluster(state, ctx, input.cluster);
  const svc = activeService(state, ctx, cluster, input.service);
  if ((svc.deploymentController?.type ?? 'ECS') === 'ECS') {
    throw invalidParameter(
      'Amazon ECS only supports task set management on services configured to use external deployment controllers.',
    );
  }
  return { cluster, svc };
};

/** A timestamp member as it arrives: epoch seconds on the JSON wire, a Date from an internal call. */
export function millis(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v * 1000;
  const ms = new Date(v as string | Date).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

/** A page of sorted service ARNs (ListServices, ListServicesByNamespace: 10 by default, 100 at most). */
export function pageOfArns(
  arns: string[],
  input: { maxResults?: number; nextToken?: string },
): { serviceArns: string[]; nextToken?: string } {
  const max = pageSize(input.maxResults, { defaultMax: 10, maxLimit: 100 });
  const start = input.nextToken ? arns.findIndex((a) => a > decodePageToken(input.nextToken!)) : 0;
  const from = start < 0 ? arns.length : start;
  const page = arns.slice(from, from + max);
  return {
    serviceArns: page,
    ...(from + max < arns.length ? { nextToken: encodePageToken(page[page.length - 1]) } : {}),
  };
}

export function protectionView(t: { taskArn: string; protectedUntil?: number }): ECS.ProtectedTask {
  const on = t.protectedUntil !== undefined && t.protectedUntil > Date.now();
  return { taskArn: t.taskArn, protectionEnabled: on, ...(on ? { expirationDate: new Date(t.protectedUntil!) } : {}) };
}
