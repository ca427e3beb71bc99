/** The ECS services API: services, deployments and revisions, task sets, task protection. */
import { createHash, randomBytes } from 'node:crypto';
import type * as ECS from '@aws-sdk/client-ecs';
import { ServiceError, decodePageToken, encodePageToken, pageSize, type OperationMap, type RequestContext } from '@dockside/core';
import { ecsArn } from '../arn';
import { activeCluster, clusterCounters } from '../operations/clusters';
import { setTags, tagsOf, taggable } from '../operations/tags';
import { checkRunTask, findTask, launchTypeFor } from '../operations/tasks';
import { resolveTaskDefinition } from '../operations/task-definitions';
import type { ClusterRecord, DeploymentRecord, EcsState, ServiceRecord, TaskDefinitionRecord, TaskSetRecord } from '../state/types';
import { addEvent, failureThreshold, newDeploymentId, serviceArnOf, startDeployment, type ServiceScheduler } from './scheduler';

const invalid = (m: string) => new ServiceError('InvalidParameterException', m);
const serviceNotFound = () => new ServiceError('ServiceNotFoundException', 'Service not found.');
const taskSetNotFound = () => new ServiceError('TaskSetNotFoundException', 'The specified task set does not exist.');
const SERVICE_NAME = /^[a-zA-Z0-9_-]{1,255}$/;

type StateOf = (ctx: RequestContext) => EcsState;

// Cluster counters: services by status and launch type.
clusterCounters.push((state, cluster) => {
  const counts = { activeServicesCount: 0, activeEC2ServiceCount: 0, activeFargateServiceCount: 0, drainingEC2ServiceCount: 0, drainingFargateServiceCount: 0 };
  for (const s of Object.values(state.services ?? {})) {
    if (s.clusterArn !== cluster.clusterArn || s.status === 'INACTIVE') continue;
    const fargate = s.launchType === 'FARGATE';
    if (s.status === 'ACTIVE') {
      counts.activeServicesCount++;
      counts[fargate ? 'activeFargateServiceCount' : 'activeEC2ServiceCount']++;
    } else counts[fargate ? 'drainingFargateServiceCount' : 'drainingEC2ServiceCount']++;
  }
  return counts;
});

taggable.service = { exists: (state, arn) => (state.services?.[arn]?.status ?? 'INACTIVE') !== 'INACTIVE', notFound: serviceNotFound };
taggable['task-set'] = {
  exists: (state, arn) => Object.values(state.services ?? {}).some((s) => s.taskSets.some((t) => t.taskSetArn === arn)),
  notFound: taskSetNotFound,
};

/** A service by name or ARN in a cluster (any status). */
function findService(state: EcsState, ctx: RequestContext, cluster: ClusterRecord, ref: string | undefined): ServiceRecord | undefined {
  if (!ref) throw invalid('service must be specified.');
  const name = ref.startsWith('arn:') ? ref.slice(ref.lastIndexOf('/') + 1) : ref;
  const arn = ecsArn(ctx, `service/${cluster.clusterName}/${name}`);
  return state.services[arn];
}

/** A service that exists (ACTIVE or DRAINING) in the request's cluster. */
function existingService(state: EcsState, ctx: RequestContext, input: { cluster?: string; service?: string }): ServiceRecord {
  const svc = findService(state, ctx, activeCluster(state, ctx, input.cluster), input.service);
  if (!svc || svc.status === 'INACTIVE') throw serviceNotFound();
  return svc;
}

function activeService(state: EcsState, ctx: RequestContext, cluster: ClusterRecord, ref: string | undefined): ServiceRecord {
  const svc = findService(state, ctx, cluster, ref);
  if (!svc || svc.status === 'INACTIVE') throw serviceNotFound();
  if (svc.status !== 'ACTIVE') throw new ServiceError('ServiceNotActiveException', 'Service was not ACTIVE.');
  return svc;
}

function deploymentView(d: DeploymentRecord): ECS.Deployment {
  const { serviceDeploymentArn: _s, serviceRevisionArn: _r, strategy: _st, stage: _g, stageSince: _ss, stageHookIds: _h, ...rest } = d;
  return structuredClone(rest);
}

function taskSetView(state: EcsState, t: TaskSetRecord, withTags: boolean): ECS.TaskSet {
  const view = structuredClone(t) as ECS.TaskSet;
  view.tags = withTags ? tagsOf(state, t.taskSetArn) : [];
  return view;
}

export function serviceView(state: EcsState, svc: ServiceRecord, withTags: boolean): ECS.Service {
  const { clientToken: _c, steady: _s, namespace: _n, stable: _st, deployments, taskSets, events, ...rest } = svc;
  return {
    ...structuredClone(rest),
    deployments: deployments.map(deploymentView),
    taskSets: taskSets.map((t) => taskSetView(state, t, withTags)),
    events: structuredClone(events),
    ...(withTags ? { tags: tagsOf(state, svc.serviceArn) } : {}),
  };
}

function checkDeploymentConfiguration(c: ECS.DeploymentConfiguration | undefined, daemon: boolean) {
  if (!c) return;
  if (c.minimumHealthyPercent !== undefined && (c.minimumHealthyPercent < 0 || c.minimumHealthyPercent > 100)) {
    throw invalid('minimumHealthyPercent must be between 0 and 100.');
  }
  if (c.maximumPercent !== undefined && (c.maximumPercent < (daemon ? 0 : 100) || c.maximumPercent > 2000)) {
    throw invalid(daemon ? 'maximumPercent must be between 0 and 2000.' : 'maximumPercent must be between 100 and 2000.');
  }
  if (c.deploymentCircuitBreaker && c.deploymentCircuitBreaker.enable === undefined) throw invalid('deploymentCircuitBreaker.enable must be specified.');
  for (const h of c.lifecycleHooks ?? []) {
    const type = h.targetType ?? 'AWS_LAMBDA';
    if (!h.lifecycleStages?.length) throw invalid('lifecycleStages must be specified for each lifecycle hook.');
    if (type === 'PAUSE' && h.lifecycleStages.some((st) => st === 'TEST_TRAFFIC_SHIFT' || st === 'PRODUCTION_TRAFFIC_SHIFT')) {
      throw invalid('PAUSE hooks cannot be configured at TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT stages.');
    }
    if (type === 'AWS_LAMBDA' && !h.hookTargetArn) throw invalid('hookTargetArn must be specified for an AWS_LAMBDA lifecycle hook.');
    const minutes = h.timeoutConfiguration?.timeoutInMinutes;
    if (minutes !== undefined && (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440)) throw invalid('timeoutInMinutes must be between 1 and 1440.');
  }
  if (c.bakeTimeInMinutes !== undefined && (c.bakeTimeInMinutes < 0 || c.bakeTimeInMinutes > 1440)) throw invalid('bakeTimeInMinutes must be between 0 and 1440.');
}

function checkLoadBalancers(lbs: ECS.LoadBalancer[] | undefined, td: TaskDefinitionRecord | undefined) {
  for (const lb of lbs ?? []) {
    if (!lb.targetGroupArn && !lb.loadBalancerName) throw invalid('loadBalancers need a targetGroupArn (or a Classic loadBalancerName).');
    if (!lb.containerName || lb.containerPort === undefined) throw invalid('containerName and containerPort must be specified for each load balancer.');
    if (!td) continue;
    const c = td.containerDefinitions?.find((x) => x.name === lb.containerName);
    if (!c) throw invalid(`The container ${lb.containerName} does not exist in the task definition.`);
    if (!c.portMappings?.some((p) => p.containerPort === lb.containerPort)) {
      throw invalid(`The container ${lb.containerName} did not have a container port ${lb.containerPort} defined.`);
    }
  }
}

const revisionId = () => String(BigInt('0x' + randomBytes(8).toString('hex')) % 10n ** 19n).padStart(19, '1');

export function serviceOperations(stateOf: StateOf, scheduler: ServiceScheduler): OperationMap {
  const tdOf = (state: EcsState, ctx: RequestContext, ref: string): TaskDefinitionRecord => {
    try {
      return resolveTaskDefinition(state, ctx, ref);
    } catch {
      throw invalid('TaskDefinition not found.');
    }
  };

  /** A ServiceRevision for what a deployment runs. */
  const newRevision = (state: EcsState, ctx: RequestContext, svc: ServiceRecord, cluster: ClusterRecord, td: TaskDefinitionRecord): string => {
    const arn = ecsArn(ctx, `service-revision/${cluster.clusterName}/${svc.serviceName}/${revisionId()}`);
    state.serviceRevisions[arn] = {
      serviceRevisionArn: arn,
      serviceArn: svc.serviceArn,
      clusterArn: svc.clusterArn,
      taskDefinition: td.taskDefinitionArn,
      ...(svc.capacityProviderStrategy?.length ? { capacityProviderStrategy: svc.capacityProviderStrategy } : { launchType: svc.launchType }),
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
  const deploy = (state: EcsState, ctx: RequestContext, svc: ServiceRecord, cluster: ClusterRecord, td: TaskDefinitionRecord) => {
    const now = new Date();
    const revisionArn = newRevision(state, ctx, svc, cluster, td);
    const sources = svc.deployments.filter((d) => d.status !== 'INACTIVE');
    for (const d of sources) {
      if (d.status === 'PRIMARY') d.status = 'ACTIVE';
      const sd = state.serviceDeployments[d.serviceDeploymentArn];
      if (sd && (sd.status === 'IN_PROGRESS' || sd.status === 'PENDING')) {
        Object.assign(sd, { status: 'STOPPED', statusReason: 'Superseded by a newer service deployment.', stoppedAt: now, updatedAt: now, finishedAt: now });
      }
    }
    const sdArn = ecsArn(ctx, `service-deployment/${cluster.clusterName}/${svc.serviceName}/${randomBytes(11).toString('base64url').slice(0, 21)}`);
    const breaker = svc.deploymentConfiguration?.deploymentCircuitBreaker;
    const alarms = svc.deploymentConfiguration?.alarms;
    state.serviceDeployments[sdArn] = {
      serviceDeploymentArn: sdArn,
      serviceArn: svc.serviceArn,
      clusterArn: svc.clusterArn,
      createdAt: now,
      startedAt: now,
      updatedAt: now,
      sourceServiceRevisions: sources.map((d) => ({ arn: d.serviceRevisionArn, requestedTaskCount: d.desiredCount ?? 0, runningTaskCount: d.runningCount ?? 0, pendingTaskCount: d.pendingCount ?? 0 })),
      targetServiceRevision: { arn: revisionArn, requestedTaskCount: svc.desiredCount, runningTaskCount: 0, pendingTaskCount: 0 },
      status: 'IN_PROGRESS',
      deploymentConfiguration: structuredClone(svc.deploymentConfiguration ?? {}),
      deploymentCircuitBreaker: breaker?.enable ? { status: 'MONITORING', failureCount: 0, threshold: failureThreshold(svc.desiredCount) } : { status: 'DISABLED', failureCount: 0, threshold: 0 },
      alarms: alarms?.enable ? { status: 'MONITORING', alarmNames: alarms.alarmNames ?? [], triggeredAlarmNames: [] } : { status: 'DISABLED', alarmNames: [], triggeredAlarmNames: [] },
    };
    const dep = startDeployment(
      {
        taskDefinition: td.taskDefinitionArn,
        ...(svc.capacityProviderStrategy?.length ? { capacityProviderStrategy: svc.capacityProviderStrategy } : { launchType: svc.launchType }),
        ...(svc.launchType === 'FARGATE' ? { platformVersion: svc.platformVersion ?? 'LATEST', platformFamily: 'Linux' } : {}),
        ...(svc.networkConfiguration ? { networkConfiguration: svc.networkConfiguration } : {}),
        rolloutStateReason: 'ECS deployment in progress.',
        serviceDeploymentArn: sdArn,
        serviceRevisionArn: revisionArn,
        strategy: svc.deploymentConfiguration?.strategy ?? 'ROLLING',
      },
      svc.desiredCount,
      now,
    );
    svc.deployments.unshift(dep);
    svc.taskDefinition = td.taskDefinitionArn;
    svc.steady = false;
    scheduler.deploymentChanged(svc, dep, 'SERVICE_DEPLOYMENT_IN_PROGRESS');
    return dep;
  };

  const newTaskSet = (state: EcsState, ctx: RequestContext, svc: ServiceRecord, cluster: ClusterRecord, td: TaskDefinitionRecord, input: Partial<ECS.CreateTaskSetRequest>, status: TaskSetRecord['status']): TaskSetRecord => {
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
      ...((input.launchType ?? svc.launchType) === 'FARGATE' ? { platformVersion: input.platformVersion ?? svc.platformVersion ?? 'LATEST', platformFamily: 'Linux' } : {}),
      ...((input.networkConfiguration ?? svc.networkConfiguration) ? { networkConfiguration: input.networkConfiguration ?? svc.networkConfiguration } : {}),
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

  const findTaskSet = (svc: ServiceRecord, ref: string | undefined): TaskSetRecord => {
    const set = svc.taskSets.find((s) => s.id === ref || s.taskSetArn === ref);
    if (!set) throw taskSetNotFound();
    return set;
  };

  const taskSetService = (state: EcsState, ctx: RequestContext, input: { cluster?: string; service?: string }) => {
    const cluster = activeCluster(state, ctx, input.cluster);
    const svc = activeService(state, ctx, cluster, input.service);
    if ((svc.deploymentController?.type ?? 'ECS') === 'ECS') {
      throw invalid('Amazon ECS only supports task set management on services configured to use external deployment controllers.');
    }
    return { cluster, svc };
  };

  const kick = (ctx: RequestContext, svc: ServiceRecord) => scheduler.schedule(ctx, svc.serviceArn);

  return {
    CreateService(input: ECS.CreateServiceRequest, ctx): ECS.CreateServiceResponse {
      const state = stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const name = input.serviceName ?? '';
      if (!SERVICE_NAME.test(name)) throw invalid('Service name must be 1 to 255 letters, numbers, hyphens and underscores.');
      const { clientToken: _t, ...rest } = input;
      const fingerprint = createHash('sha256').update(JSON.stringify(rest)).digest('hex');
      const arn = ecsArn(ctx, `service/${cluster.clusterName}/${name}`);
      const existing = state.services[arn];
      if (existing && existing.status !== 'INACTIVE') {
        if (input.clientToken && existing.clientToken?.token === input.clientToken && existing.clientToken.fingerprint === fingerprint) {
          return { service: serviceView(state, existing, false) };
        }
        if (existing.status === 'DRAINING') throw invalid('Unable to Start a service that is still Draining.');
        throw invalid('Creation of service was not idempotent.');
      }
      const controller = input.deploymentController?.type ?? 'ECS';
      const daemon = input.schedulingStrategy === 'DAEMON';
      if (input.desiredCount !== undefined && (!Number.isInteger(input.desiredCount) || input.desiredCount < 0)) throw invalid('desiredCount must be 0 or more.');
      if (daemon && input.desiredCount !== undefined) throw invalid('The daemon scheduling strategy does not support a desired count for services.');
      if (daemon && controller !== 'ECS') throw invalid('The daemon scheduling strategy is only supported with the ECS deployment controller.');
      if (!input.taskDefinition && controller !== 'EXTERNAL') throw invalid('TaskDefinition must be specified.');
      const { launchType, capacityProviderName } = launchTypeFor(input, cluster);
      if (daemon && launchType === 'FARGATE') throw invalid('The daemon scheduling strategy is not supported with the FARGATE launch type.');
      const td = input.taskDefinition ? tdOf(state, ctx, input.taskDefinition) : undefined;
      if (td) checkRunTask({ networkConfiguration: input.networkConfiguration, launchType: input.launchType, capacityProviderStrategy: input.capacityProviderStrategy }, td, launchType);
      checkDeploymentConfiguration(input.deploymentConfiguration, daemon);
      checkLoadBalancers(input.loadBalancers, td);
      if (input.healthCheckGracePeriodSeconds !== undefined && input.healthCheckGracePeriodSeconds < 0) throw invalid('healthCheckGracePeriodSeconds must be 0 or more.');
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
        ...(capacityProviderName ? { capacityProviderStrategy: input.capacityProviderStrategy ?? cluster.defaultCapacityProviderStrategy } : { launchType }),
        ...(launchType === 'FARGATE' ? { platformVersion: input.platformVersion ?? 'LATEST', platformFamily: 'Linux' } : {}),
        ...(td ? { taskDefinition: td.taskDefinitionArn } : {}),
        deploymentConfiguration: {
          deploymentCircuitBreaker: { enable: false, rollback: false },
          maximumPercent: daemon ? 100 : 200,
          minimumHealthyPercent: daemon ? 0 : 100,
          ...structuredClone(input.deploymentConfiguration ?? {}),
          ...(controller === 'ECS' ? { strategy: input.deploymentConfiguration?.strategy ?? 'ROLLING' } : {}),
        },
        deployments: [],
        taskSets: [],
        ...(input.role ? { roleArn: input.role.startsWith('arn:') ? input.role : `arn:aws:iam::${ctx.accountId}:role/${input.role}` } : {}),
        events: [],
        createdAt: now,
        placementConstraints: input.placementConstraints ?? [],
        placementStrategy: input.placementStrategy ?? [],
        ...(input.networkConfiguration ? { networkConfiguration: input.networkConfiguration } : {}),
        ...(input.healthCheckGracePeriodSeconds !== undefined ? { healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds } : {}),
        schedulingStrategy: daemon ? 'DAEMON' : 'REPLICA',
        deploymentController: { type: controller },
        createdBy: `arn:aws:iam::${ctx.accountId}:root`,
        enableECSManagedTags: Boolean(input.enableECSManagedTags),
        propagateTags: input.propagateTags ?? 'NONE',
        enableExecuteCommand: Boolean(input.enableExecuteCommand),
        availabilityZoneRebalancing: input.availabilityZoneRebalancing ?? 'ENABLED',
        ...(input.clientToken ? { clientToken: { token: input.clientToken, fingerprint } } : {}),
        ...(input.serviceConnectConfiguration?.namespace ?? cluster.serviceConnectDefaults?.namespace
          ? { namespace: input.serviceConnectConfiguration?.namespace ?? cluster.serviceConnectDefaults?.namespace }
          : {}),
      };
      state.services[arn] = svc;
      if (controller === 'ECS') deploy(state, ctx, svc, cluster, td!);
      else if (controller === 'CODE_DEPLOY') newTaskSet(state, ctx, svc, cluster, td!, { launchType: svc.launchType }, 'PRIMARY');
      kick(ctx, svc);
      return { service: serviceView(state, svc, false) };
    },

    UpdateService(input: ECS.UpdateServiceRequest, ctx): ECS.UpdateServiceResponse {
      const state = stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const svc = activeService(state, ctx, cluster, input.service);
      const controller = svc.deploymentController?.type ?? 'ECS';
      const daemon = svc.schedulingStrategy === 'DAEMON';
      const redeploys = input.taskDefinition !== undefined || input.forceNewDeployment || input.networkConfiguration !== undefined || input.platformVersion !== undefined ||
        input.capacityProviderStrategy !== undefined || input.loadBalancers !== undefined || input.volumeConfigurations !== undefined || input.serviceConnectConfiguration !== undefined;
      if (controller !== 'ECS' && (input.taskDefinition !== undefined || input.networkConfiguration !== undefined || input.platformVersion !== undefined)) {
        throw invalid(
          controller === 'CODE_DEPLOY'
            ? 'Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.'
            : 'Unable to update task definition on services with a EXTERNAL deployment controller. Use the task set APIs instead.',
        );
      }
      if (input.desiredCount !== undefined) {
        if (daemon) throw invalid('The daemon scheduling strategy does not support a desired count for services.');
        if (!Number.isInteger(input.desiredCount) || input.desiredCount < 0) throw invalid('desiredCount must be 0 or more.');
      }
      checkDeploymentConfiguration(input.deploymentConfiguration, daemon);
      const td = input.taskDefinition ? tdOf(state, ctx, input.taskDefinition) : undefined;
      const current = svc.taskDefinition ? tdOf(state, ctx, svc.taskDefinition) : undefined;
      if (td) checkRunTask({ networkConfiguration: input.networkConfiguration ?? svc.networkConfiguration, launchType: svc.launchType }, td, (svc.launchType ?? 'EC2') as ECS.LaunchType);
      checkLoadBalancers(input.loadBalancers, td ?? current);

      if (input.desiredCount !== undefined) svc.desiredCount = input.desiredCount;
      if (input.deploymentConfiguration) svc.deploymentConfiguration = { ...svc.deploymentConfiguration, ...structuredClone(input.deploymentConfiguration) };
      if (input.networkConfiguration) svc.networkConfiguration = input.networkConfiguration;
      if (input.platformVersion) svc.platformVersion = input.platformVersion;
      if (input.capacityProviderStrategy) svc.capacityProviderStrategy = input.capacityProviderStrategy;
      if (input.loadBalancers) svc.loadBalancers = input.loadBalancers;
      if (input.serviceRegistries) svc.serviceRegistries = input.serviceRegistries;
      if (input.healthCheckGracePeriodSeconds !== undefined) svc.healthCheckGracePeriodSeconds = input.healthCheckGracePeriodSeconds;
      if (input.enableExecuteCommand !== undefined) svc.enableExecuteCommand = input.enableExecuteCommand;
      if (input.enableECSManagedTags !== undefined) svc.enableECSManagedTags = input.enableECSManagedTags;
      if (input.propagateTags !== undefined) svc.propagateTags = input.propagateTags;
      if (input.placementConstraints) svc.placementConstraints = input.placementConstraints;
      if (input.placementStrategy) svc.placementStrategy = input.placementStrategy;
      if (input.availabilityZoneRebalancing) svc.availabilityZoneRebalancing = input.availabilityZoneRebalancing;
      if (controller === 'ECS') {
        if (redeploys) deploy(state, ctx, svc, cluster, td ?? current!);
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
      const state = stateOf(ctx);
      const svc = existingService(state, ctx, input);
      if (svc.status === 'DRAINING') return { service: serviceView(state, svc, false) };
      if (svc.schedulingStrategy !== 'DAEMON' && svc.desiredCount > 0 && !input.force) throw invalid('The service cannot be stopped while it is scaled above 0.');
      svc.status = 'DRAINING';
      svc.desiredCount = 0;
      svc.steady = false;
      for (const set of svc.taskSets) set.status = 'DRAINING';
      kick(ctx, svc);
      return { service: serviceView(state, svc, false) };
    },

    DescribeServices(input: ECS.DescribeServicesRequest, ctx): ECS.DescribeServicesResponse {
      const state = stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const refs = input.services ?? [];
      if (refs.length < 1 || refs.length > 10) throw invalid('services should have between 1 and 10 elements.');
      const services: ECS.Service[] = [];
      const failures: ECS.Failure[] = [];
      for (const ref of refs) {
        const svc = findService(state, ctx, cluster, ref);
        if (svc) services.push(serviceView(state, svc, Boolean(input.include?.includes('TAGS'))));
        else failures.push({ arn: ref.startsWith('arn:') ? ref : ecsArn(ctx, `service/${cluster.clusterName}/${ref}`), reason: 'MISSING' });
      }
      return { services, failures };
    },

    ListServices(input: ECS.ListServicesRequest, ctx): ECS.ListServicesResponse {
      const state = stateOf(ctx);
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
      const state = stateOf(ctx);
      const ns = input.namespace ?? '';
      const name = ns.startsWith('arn:') ? ns.slice(ns.lastIndexOf('/') + 1) : ns;
      const arns = Object.values(state.services)
        .filter((s) => s.status !== 'INACTIVE' && s.namespace !== undefined && (s.namespace === ns || s.namespace === name || s.namespace.endsWith(`/${name}`)))
        .map((s) => s.serviceArn)
        .sort();
      return pageOfArns(arns, input);
    },

    ListServiceDeployments(input: ECS.ListServiceDeploymentsRequest, ctx): ECS.ListServiceDeploymentsResponse {
      const state = stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const svc = findService(state, ctx, cluster, input.service);
      if (!svc) throw serviceNotFound();
      const max = pageSize(input.maxResults, { defaultMax: 20, maxLimit: 100 });
      const after = millis(input.createdAt?.after);
      const before = millis(input.createdAt?.before);
      const all = Object.values(state.serviceDeployments)
        .filter((d) => d.serviceArn === svc.serviceArn && (!input.status?.length || input.status.includes(d.status!)))
        .filter((d) => (after === undefined || d.createdAt!.getTime() >= after) && (before === undefined || d.createdAt!.getTime() <= before))
        .sort((a, b) => b.createdAt!.getTime() - a.createdAt!.getTime() || (a.serviceDeploymentArn! < b.serviceDeploymentArn! ? 1 : -1));
      let from = 0;
      if (input.nextToken) {
        const last = decodePageToken(input.nextToken);
        from = all.findIndex((d) => d.serviceDeploymentArn === last) + 1;
      }
      const page = all.slice(from, from + max);
      return {
        serviceDeployments: page.map((d) => ({
          serviceDeploymentArn: d.serviceDeploymentArn,
          serviceArn: d.serviceArn,
          clusterArn: d.clusterArn,
          startedAt: d.startedAt,
          createdAt: d.createdAt,
          ...(d.finishedAt ? { finishedAt: d.finishedAt } : {}),
          targetServiceRevisionArn: d.targetServiceRevision?.arn,
          status: d.status,
          ...(d.statusReason ? { statusReason: d.statusReason } : {}),
        })),
        ...(from + max < all.length ? { nextToken: encodePageToken(page[page.length - 1].serviceDeploymentArn!) } : {}),
      };
    },

    DescribeServiceDeployments(input: ECS.DescribeServiceDeploymentsRequest, ctx): ECS.DescribeServiceDeploymentsResponse {
      const state = stateOf(ctx);
      const arns = input.serviceDeploymentArns ?? [];
      if (arns.length < 1 || arns.length > 20) throw invalid('serviceDeploymentArns should have between 1 and 20 elements.');
      const found = arns.filter((a) => state.serviceDeployments[a]);
      return {
        serviceDeployments: found.map((a) => structuredClone(state.serviceDeployments[a])),
        failures: arns.filter((a) => !state.serviceDeployments[a]).map((arn) => ({ arn, reason: 'MISSING' })),
      };
    },

    DescribeServiceRevisions(input: ECS.DescribeServiceRevisionsRequest, ctx): ECS.DescribeServiceRevisionsResponse {
      const state = stateOf(ctx);
      const arns = input.serviceRevisionArns ?? [];
      if (arns.length < 1 || arns.length > 20) throw invalid('serviceRevisionArns should have between 1 and 20 elements.');
      return {
        serviceRevisions: arns.filter((a) => state.serviceRevisions[a]).map((a) => structuredClone(state.serviceRevisions[a])),
        failures: arns.filter((a) => !state.serviceRevisions[a]).map((arn) => ({ arn, reason: 'MISSING' })),
      };
    },

    StopServiceDeployment(input: ECS.StopServiceDeploymentRequest, ctx): ECS.StopServiceDeploymentResponse {
      const state = stateOf(ctx);
      const sd = state.serviceDeployments[input.serviceDeploymentArn ?? ''];
      if (!sd) throw new ServiceError('ServiceDeploymentNotFoundException', 'The service deployment does not exist.');
      const svc = state.services[sd.serviceArn!];
      const dep = svc?.deployments.find((d) => d.serviceDeploymentArn === sd.serviceDeploymentArn && d.status === 'PRIMARY');
      if (!svc || !dep || !['IN_PROGRESS', 'PENDING'].includes(sd.status!)) {
        throw new ServiceError('ConflictException', `The service deployment is ${sd.status} and can't be stopped.`);
      }
      const now = new Date();
      if ((input.stopType ?? 'ROLLBACK') === 'ROLLBACK') {
        if (!svc.stable && !svc.deployments.some((d) => d !== dep && d.rolloutState === 'COMPLETED')) {
          throw new ServiceError('ConflictException', 'The service has no completed deployment to roll back to.');
        }
        sd.status = 'ROLLBACK_REQUESTED';
        scheduler.failDeployment(svc, dep, 'stopped by a StopServiceDeployment request', true, ctx, 'Service deployment rolled back because of a StopServiceDeployment request.');
      } else {
        sd.status = 'STOP_REQUESTED';
        scheduler.failDeployment(svc, dep, 'stopped by a StopServiceDeployment request', false, ctx, 'Service deployment stopped because of a StopServiceDeployment request.');
        Object.assign(sd, { status: 'STOPPED', stoppedAt: now, updatedAt: now, finishedAt: now });
      }
      kick(ctx, svc);
      return { serviceDeploymentArn: sd.serviceDeploymentArn };
    },

    ContinueServiceDeployment(input: ECS.ContinueServiceDeploymentRequest, ctx): ECS.ContinueServiceDeploymentResponse {
      const state = stateOf(ctx);
      const sd = state.serviceDeployments[input.serviceDeploymentArn ?? ''];
      if (!sd) throw new ServiceError('ServiceDeploymentNotFoundException', 'The service deployment does not exist.');
      const hook = sd.lifecycleHookDetails?.find((h) => h.hookId === input.hookId);
      if (!hook) throw invalid(`The lifecycle hook ${input.hookId} does not exist for this service deployment.`);
      if (hook.status !== 'AWAITING_ACTION') throw invalid(`The lifecycle hook ${input.hookId} is ${hook.status}, not AWAITING_ACTION.`);
      if (sd.status !== 'IN_PROGRESS') throw new ServiceError('ConflictException', `The service deployment is ${sd.status}; only an IN_PROGRESS deployment can be continued.`);
      const svc = state.services[sd.serviceArn!];
      const dep = svc?.deployments.find((d) => d.serviceDeploymentArn === sd.serviceDeploymentArn && d.status === 'PRIMARY');
      hook.status = 'SUCCEEDED';
      sd.updatedAt = new Date();
      if ((input.action ?? 'CONTINUE') === 'ROLLBACK' && svc && dep) {
        scheduler.failDeployment(svc, dep, 'rolled back at a lifecycle hook', true, ctx, 'Service deployment rolled back because of a ContinueServiceDeployment request.');
      }
      if (svc) kick(ctx, svc);
      return { serviceDeploymentArn: sd.serviceDeploymentArn };
    },

    CreateTaskSet(input: ECS.CreateTaskSetRequest, ctx): ECS.CreateTaskSetResponse {
      const state = stateOf(ctx);
      const { cluster, svc } = taskSetService(state, ctx, input);
      const td = tdOf(state, ctx, input.taskDefinition!);
      if (input.scale && (input.scale.value === undefined || input.scale.value < 0 || input.scale.value > 100)) throw invalid('scale.value must be between 0 and 100.');
      checkLoadBalancers(input.loadBalancers, td);
      const set = newTaskSet(state, ctx, svc, cluster, td, input, 'ACTIVE');
      kick(ctx, svc);
      return { taskSet: taskSetView(state, set, false) };
    },

    UpdateTaskSet(input: ECS.UpdateTaskSetRequest, ctx): ECS.UpdateTaskSetResponse {
      const state = stateOf(ctx);
      const { svc } = taskSetService(state, ctx, input);
      const set = findTaskSet(svc, input.taskSet);
      if (!input.scale || input.scale.value === undefined || input.scale.value < 0 || input.scale.value > 100) throw invalid('scale.value must be between 0 and 100.');
      set.scale = { value: input.scale.value, unit: input.scale.unit ?? 'PERCENT' };
      set.updatedAt = new Date();
      kick(ctx, svc);
      return { taskSet: taskSetView(state, set, false) };
    },

    DeleteTaskSet(input: ECS.DeleteTaskSetRequest, ctx): ECS.DeleteTaskSetResponse {
      const state = stateOf(ctx);
      const { svc } = taskSetService(state, ctx, input);
      const set = findTaskSet(svc, input.taskSet);
      if (set.status === 'PRIMARY') throw invalid('The primary task set of a service cannot be deleted; make another task set primary first.');
      if (!input.force && ((set.scale?.value ?? 0) > 0 || (set.runningCount ?? 0) > 0 || (set.pendingCount ?? 0) > 0)) {
        throw invalid('The task set cannot be deleted until it has been scaled down to zero; set force to delete it anyway.');
      }
      set.status = 'DRAINING';
      set.updatedAt = new Date();
      kick(ctx, svc);
      return { taskSet: taskSetView(state, set, false) };
    },

    DescribeTaskSets(input: ECS.DescribeTaskSetsRequest, ctx): ECS.DescribeTaskSetsResponse {
      const state = stateOf(ctx);
      const svc = existingService(state, ctx, input);
      const withTags = Boolean(input.include?.includes('TAGS'));
      if (!input.taskSets?.length) return { taskSets: svc.taskSets.map((s) => taskSetView(state, s, withTags)), failures: [] };
      const taskSets: ECS.TaskSet[] = [];
      const failures: ECS.Failure[] = [];
      for (const ref of input.taskSets) {
        const set = svc.taskSets.find((s) => s.id === ref || s.taskSetArn === ref);
        if (set) taskSets.push(taskSetView(state, set, withTags));
        else failures.push({ arn: ref, reason: 'MISSING' });
      }
      return { taskSets, failures };
    },

    UpdateServicePrimaryTaskSet(input: ECS.UpdateServicePrimaryTaskSetRequest, ctx): ECS.UpdateServicePrimaryTaskSetResponse {
      const state = stateOf(ctx);
      const { svc } = taskSetService(state, ctx, input);
      const set = findTaskSet(svc, input.primaryTaskSet);
      if (set.status === 'DRAINING') throw invalid('A draining task set cannot become the primary task set.');
      const now = new Date();
      for (const s of svc.taskSets) {
        if (s.status === 'PRIMARY' && s !== set) {
          s.status = 'ACTIVE';
          s.updatedAt = now;
        }
      }
      set.status = 'PRIMARY';
      set.updatedAt = now;
      svc.taskDefinition = set.taskDefinition;
      addEvent(svc, `(service ${svc.serviceName}) updated the primary task set to (task-set ${set.id}).`);
      kick(ctx, svc);
      return { taskSet: taskSetView(state, set, false) };
    },

    UpdateTaskProtection(input: ECS.UpdateTaskProtectionRequest, ctx): ECS.UpdateTaskProtectionResponse {
      const state = stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const minutes = input.expiresInMinutes ?? 120;
      if (input.protectionEnabled && (!Number.isInteger(minutes) || minutes < 1 || minutes > 2880)) throw invalid('expiresInMinutes must be between 1 and 2880.');
      if (!input.tasks?.length || input.tasks.length > 10) throw invalid('tasks should have between 1 and 10 elements.');
      const protectedTasks: ECS.ProtectedTask[] = [];
      const failures: ECS.Failure[] = [];
      for (const ref of input.tasks) {
        const t = findTask(state, ctx, cluster, ref);
        if (!t) {
          failures.push({ arn: ref, reason: 'MISSING' });
          continue;
        }
        if (!serviceArnOf(t) || t.lastStatus === 'STOPPED') {
          failures.push({ arn: t.taskArn, reason: 'TASK_NOT_VALID', detail: t.lastStatus === 'STOPPED' ? 'The task is stopped.' : 'Task protection applies only to tasks that belong to a service.' });
          continue;
        }
        if (input.protectionEnabled) t.protectedUntil = Date.now() + minutes * 60_000;
        else delete t.protectedUntil;
        protectedTasks.push(protectionView(t));
        const svcArn = serviceArnOf(t);
        if (svcArn) scheduler.schedule(ctx, svcArn);
      }
      return { protectedTasks, failures };
    },

    GetTaskProtection(input: ECS.GetTaskProtectionRequest, ctx): ECS.GetTaskProtectionResponse {
      const state = stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const protectedTasks: ECS.ProtectedTask[] = [];
      const failures: ECS.Failure[] = [];
      const refs = input.tasks ?? Object.values(state.tasks).filter((t) => t.clusterArn === cluster.clusterArn && t.protectedUntil !== undefined).map((t) => t.taskArn);
      for (const ref of refs) {
        const t = findTask(state, ctx, cluster, ref);
        if (!t) failures.push({ arn: ref, reason: 'MISSING' });
        else protectedTasks.push(protectionView(t));
      }
      return { protectedTasks, failures };
    },
  };
}

/** A timestamp member as it arrives: epoch seconds on the JSON wire, a Date from an internal call. */
function millis(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v * 1000;
  const ms = new Date(v as string | Date).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

/** A page of sorted service ARNs (ListServices, ListServicesByNamespace: 10 by default, 100 at most). */
function pageOfArns(arns: string[], input: { maxResults?: number; nextToken?: string }): { serviceArns: string[]; nextToken?: string } {
  const max = pageSize(input.maxResults, { defaultMax: 10, maxLimit: 100 });
  const start = input.nextToken ? arns.findIndex((a) => a > decodePageToken(input.nextToken!)) : 0;
  const from = start < 0 ? arns.length : start;
  const page = arns.slice(from, from + max);
  return { serviceArns: page, ...(from + max < arns.length ? { nextToken: encodePageToken(page[page.length - 1]) } : {}) };
}

function protectionView(t: { taskArn: string; protectedUntil?: number }): ECS.ProtectedTask {
  const on = t.protectedUntil !== undefined && t.protectedUntil > Date.now();
  return { taskArn: t.taskArn, protectionEnabled: on, ...(on ? { expirationDate: new Date(t.protectedUntil!) } : {}) };
}

