import { randomBytes } from 'node:crypto';
import type * as ECS from '@aws-sdk/client-ecs';
import { paginate, type OperationMap } from '@dockside/core';
import { ecsArn } from '../domain/arn';
import { activeCluster } from '../domain/clusters';
import { containerInstanceView, findContainerInstance } from '../domain/container-instances';
import type { EcsDomain } from '../domain/context';
import { setTags } from '../domain/tags';
import { invalidParameter } from '../errors';
import type { ContainerInstanceRecord } from '../state/types';

/**
 * Container instances as the ECS agent registers them. Dockside runs tasks on its own engine,
 * so these exist for agents and tools that register them, and as the targets of attributes.
 */
export function containerInstanceOperations(d: EcsDomain): OperationMap {
  return {
    RegisterContainerInstance(input: ECS.RegisterContainerInstanceRequest, ctx): ECS.RegisterContainerInstanceResponse {
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const id = randomBytes(16).toString('hex');
      const arn = ecsArn(ctx, `container-instance/${cluster.clusterName}/${id}`);
      setTags(state, arn, input.tags ?? [], { replace: true });
      const rec: ContainerInstanceRecord = {
        containerInstanceArn: arn,
        clusterName: cluster.clusterName,
        ec2InstanceId: `i-${randomBytes(8).toString('hex').slice(0, 17)}`,
        version: 1,
        versionInfo: input.versionInfo ?? {},
        remainingResources: input.totalResources ?? [],
        registeredResources: input.totalResources ?? [],
        status: 'ACTIVE',
        agentConnected: true,
        runningTasksCount: 0,
        pendingTasksCount: 0,
        attributes: [
          { name: 'ecs.os-type', value: 'linux' },
          { name: 'ecs.cpu-architecture', value: 'x86_64' },
          ...(input.attributes ?? []),
        ],
        registeredAt: new Date(),
        attachments: [],
      };
      state.containerInstances[arn] = rec;
      const view = containerInstanceView(state, rec);
      ctx.bus.publish('ecs.container-instance', {
        accountId: ctx.accountId,
        region: ctx.region,
        clusterArn: cluster.clusterArn,
        containerInstance: view,
      });
      return { containerInstance: view };
    },
    DeregisterContainerInstance(
      input: ECS.DeregisterContainerInstanceRequest,
      ctx,
    ): ECS.DeregisterContainerInstanceResponse {
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const ci = findContainerInstance(state, ctx, cluster.clusterName, input.containerInstance!);
      if (!ci || ci.status === 'INACTIVE') {
        throw invalidParameter('The referenced container instance was not found.');
      }
      ci.status = 'INACTIVE';
      ci.agentConnected = false;
      ci.version = (ci.version ?? 0) + 1;
      const view = containerInstanceView(state, ci);
      ctx.bus.publish('ecs.container-instance', {
        accountId: ctx.accountId,
        region: ctx.region,
        clusterArn: cluster.clusterArn,
        containerInstance: view,
      });
      return { containerInstance: view };
    },
    ListContainerInstances(input: ECS.ListContainerInstancesRequest, ctx): ECS.ListContainerInstancesResponse {
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const arns = Object.values(state.containerInstances)
        .filter(
          (ci) =>
            ci.clusterName === cluster.clusterName &&
            (input.status ? ci.status === input.status : ci.status !== 'INACTIVE'),
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
      const state = d.stateOf(ctx);
      const cluster = activeCluster(state, ctx, input.cluster);
      const containerInstances: ECS.ContainerInstance[] = [];
      const failures: ECS.Failure[] = [];
      for (const ref of input.containerInstances ?? []) {
        const ci = findContainerInstance(state, ctx, cluster.clusterName, ref);
        if (ci) containerInstances.push(containerInstanceView(state, ci, input.include));
        else failures.push({ arn: ref, reason: 'MISSING' });
      }
      return { containerInstances, failures };
    },
  };
}
