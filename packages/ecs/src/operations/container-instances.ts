import type * as ECS from '@aws-sdk/client-ecs';
import {
  INSTANCE_TYPES,
  ServiceError,
  ecsRegisteredMemory,
  paginate,
  type OperationMap,
  type RequestContext,
} from '@dockside/core';
import { activeCluster } from '../domain/clusters';
import {
  AGENT_VERSION,
  containerInstanceView,
  findContainerInstance,
  registerInstance,
  type VirtualInstanceShape,
} from '../domain/container-instances';
import type { EcsDomain } from '../domain/context';
import { matchesExpression } from '../domain/placement/place';
import { setTags } from '../domain/tags';
import { invalidParameter } from '../errors';
import type { ClusterRecord, ContainerInstanceRecord, EcsState } from '../state/types';

/** What an agent that sends no resources registers: its instance type's CPU and memory when known. */
function instanceShape(shape: VirtualInstanceShape, instanceType: string | undefined): VirtualInstanceShape {
  if (!instanceType) return shape;
  const t = INSTANCE_TYPES[instanceType];
  return t
    ? { instanceType, cpu: t.vcpus * 1024, memory: ecsRegisteredMemory(t.memoryMiB) }
    : { ...shape, instanceType };
}

/** The fields of an EC2 instance identity document ECS reads. */
function identity(doc: string | undefined): { instanceId?: string; availabilityZone?: string; instanceType?: string } {
  if (!doc) return {};
  try {
    const v = JSON.parse(doc);
    return typeof v === 'object' && v ? v : {};
  } catch {
    throw invalidParameter('The instance identity document is not valid JSON.');
  }
}

/**
 * Container instances: registered by an agent, or virtual ones Dockside makes per cluster. Tasks
 * of the EC2 launch type are placed on them (domain/placement).
 */
export function containerInstanceOperations(d: EcsDomain, shape: VirtualInstanceShape): OperationMap {
  const publish = (ctx: RequestContext, cluster: ClusterRecord, view: ECS.ContainerInstance) =>
    ctx.bus.publish('ecs.container-instance', {
      accountId: ctx.accountId,
      region: ctx.region,
      clusterArn: cluster.clusterArn,
      containerInstance: view,
    });
  const view = (state: EcsState, ci: ContainerInstanceRecord, include?: string[]) =>
    containerInstanceView(state, ci, d.index.liveByInstance(state).get(ci.containerInstanceArn) ?? [], include);
  const instance = (state: EcsState, ctx: RequestContext, cluster: ClusterRecord, ref: string) => {
    const ci = findContainerInstance(state, ctx, cluster.clusterName, ref);
    if (!ci || ci.status === 'INACTIVE') throw invalidParameter('The referenced container instance was not found.');
    return ci;
  };
  return {
    RegisterContainerInstance(input: ECS.RegisterContainerInstanceRequest, ctx): ECS.RegisterContainerInstanceResponse {
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const doc = identity(input.instanceIdentityDocument);
      // An agent re-registering the same EC2 instance gets its existing registration back.
      const again = Object.values(state.containerInstances).find(
        (ci) =>
          doc.instanceId &&
          ci.ec2InstanceId === doc.instanceId &&
          ci.clusterName === cluster.clusterName &&
          ci.status !== 'INACTIVE',
      );
      if (again) return { containerInstance: view(state, again) };
      const rec = registerInstance(
        state,
        ctx,
        cluster,
        {
          totalResources: input.totalResources,
          attributes: input.attributes,
          versionInfo: input.versionInfo,
          ec2InstanceId: doc.instanceId,
          availabilityZone: doc.availabilityZone,
        },
        instanceShape(shape, doc.instanceType),
      );
      setTags(state, rec.containerInstanceArn, input.tags ?? [], { replace: true });
      const v = view(state, rec);
      publish(ctx, cluster, v);
      return { containerInstance: v };
    },

    DeregisterContainerInstance(
      input: ECS.DeregisterContainerInstanceRequest,
      ctx,
    ): ECS.DeregisterContainerInstanceResponse {
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const ci = instance(state, ctx, cluster, input.containerInstance!);
      const live = d.index.liveByInstance(state).get(ci.containerInstanceArn) ?? [];
      if (live.length && !input.force) throw invalidParameter('Found running tasks on the instance.');
      // With force the instance goes at once; its tasks are orphaned (they keep running) as on ECS.
      ci.status = 'INACTIVE';
      ci.agentConnected = false;
      ci.version = (ci.version ?? 0) + 1;
      const v = view(state, ci);
      publish(ctx, cluster, v);
      return { containerInstance: v };
    },

    ListContainerInstances(input: ECS.ListContainerInstancesRequest, ctx): ECS.ListContainerInstancesResponse {
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const live = d.index.liveByInstance(state);
      const arns = Object.values(state.containerInstances)
        .filter(
          (ci) =>
            ci.clusterName === cluster.clusterName &&
            (input.status ? ci.status === input.status : ci.status !== 'INACTIVE') &&
            (!input.filter || matchesExpression(input.filter, ci, live.get(ci.containerInstanceArn) ?? [])),
        )
        .map((ci) => ci.containerInstanceArn)
        .sort();
      const { page, nextToken } = paginate(arns, (a) => a, input, { defaultMax: 100, maxLimit: 100 });
      return { containerInstanceArns: page, ...(nextToken ? { nextToken } : {}) };
    },

    DescribeContainerInstances(
      input: ECS.DescribeContainerInstancesRequest,
      ctx,
    ): ECS.DescribeContainerInstancesResponse {
      if (!(input.containerInstances ?? []).length) throw invalidParameter('Container instance cannot be empty.');
      if (input.containerInstances!.length > 100)
        throw invalidParameter('Container instances cannot have more than 100 elements');
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const containerInstances: ECS.ContainerInstance[] = [];
      const failures: ECS.Failure[] = [];
      for (const ref of input.containerInstances ?? []) {
        const ci = findContainerInstance(state, ctx, cluster.clusterName, ref);
        if (ci) containerInstances.push(view(state, ci, input.include));
        else failures.push({ arn: ref, reason: 'MISSING' });
      }
      return { containerInstances, failures };
    },

    UpdateContainerInstancesState(
      input: ECS.UpdateContainerInstancesStateRequest,
      ctx,
    ): ECS.UpdateContainerInstancesStateResponse {
      const refs = input.containerInstances ?? [];
      if (!refs.length) throw invalidParameter('Container instance cannot be empty.');
      if (refs.length > 10) throw invalidParameter('Container instances cannot have more than 10 elements');
      if (!['ACTIVE', 'DRAINING'].includes(input.status!))
        throw invalidParameter('Container instance status must be ACTIVE or DRAINING.');
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const containerInstances: ECS.ContainerInstance[] = [];
      const failures: ECS.Failure[] = [];
      for (const ref of refs) {
        const ci = findContainerInstance(state, ctx, cluster.clusterName, ref);
        if (!ci || ci.status === 'INACTIVE') {
          failures.push({ arn: ref, reason: 'MISSING' });
          continue;
        }
        if (!['ACTIVE', 'DRAINING'].includes(ci.status!)) {
          failures.push({
            arn: ci.containerInstanceArn,
            reason: ci.status!,
            detail: `cannot change from ${ci.status}`,
          });
          continue;
        }
        if (ci.status !== input.status) {
          ci.status = input.status;
          ci.version = (ci.version ?? 0) + 1;
          d.index.touch();
        }
        const v = view(state, ci);
        containerInstances.push(v);
        publish(ctx, cluster, v);
      }
      return { containerInstances, failures };
    },

    UpdateContainerAgent(input: ECS.UpdateContainerAgentRequest, ctx): ECS.UpdateContainerAgentResponse {
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const ci = instance(state, ctx, cluster, input.containerInstance!);
      if (!ci.versionInfo?.agentVersion)
        throw new ServiceError('MissingVersionException', 'Container instance does not have version information.');
      if (ci.agentUpdateStatus && !['UPDATED', 'FAILED'].includes(ci.agentUpdateStatus))
        throw new ServiceError('UpdateInProgressException', 'An update is already in progress for the agent.');
      if (ci.versionInfo.agentVersion === AGENT_VERSION)
        throw new ServiceError('NoUpdateAvailableException', 'There is no update available for your container agent.');
      ci.versionInfo = { ...ci.versionInfo, agentVersion: AGENT_VERSION };
      ci.agentUpdateStatus = 'UPDATED';
      return { containerInstance: view(state, ci) };
    },

    DiscoverPollEndpoint(input: ECS.DiscoverPollEndpointRequest, ctx): ECS.DiscoverPollEndpointResponse {
      if (input.cluster) activeCluster(d.stateOf(ctx), ctx, input.cluster);
      return {
        endpoint: `https://ecs-a-1.${ctx.region}.amazonaws.com/`,
        telemetryEndpoint: `https://ecs-t-1.${ctx.region}.amazonaws.com/`,
        serviceConnectEndpoint: `https://ecs-sc.${ctx.region}.api.aws`,
      };
    },
    SubmitTaskStateChange(): ECS.SubmitTaskStateChangeResponse {
      return { acknowledgment: 'ACK' };
    },
    SubmitContainerStateChange(): ECS.SubmitContainerStateChangeResponse {
      return { acknowledgment: 'ACK' };
    },
    SubmitAttachmentStateChanges(
      input: ECS.SubmitAttachmentStateChangesRequest,
    ): ECS.SubmitAttachmentStateChangesResponse {
      if (!input.attachments?.length) throw invalidParameter('Attachments cannot be empty.');
      return { acknowledgment: 'ACK' };
    },
  };
}
