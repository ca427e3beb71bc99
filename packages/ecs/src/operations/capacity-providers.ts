import type * as ECS from '@aws-sdk/client-ecs';
import { clone, paginate, type OperationMap } from '@dockside/core';
import {
  FARGATE_PROVIDERS,
  checkProviderName,
  fargateView,
  isFargateProvider,
  managedInstancesProvider,
  managedScaling,
  newProvider,
} from '../domain/capacity-providers';
import { activeCluster } from '../domain/clusters';
import type { EcsDomain } from '../domain/context';
import { setTags, tagsOf } from '../domain/tags';
import { clientException, invalidParameter } from '../errors';
import type { CapacityProviderRecord, EcsState } from '../state/types';

/** Capacity providers: CreateCapacityProvider, DescribeCapacityProviders, Update…, Delete…. */
export function capacityProviderOperations(d: EcsDomain): OperationMap {
  const view = (state: EcsState, p: CapacityProviderRecord, include?: string[]): ECS.CapacityProvider => ({
    ...clone(p),
    ...(include?.includes('TAGS') ? { tags: tagsOf(state, p.capacityProviderArn) } : {}),
  });
  const find = (state: EcsState, ref: string | undefined) => {
    const name = ref?.startsWith('arn:') ? ref.slice(ref.lastIndexOf('/') + 1) : ref;
    const p = name ? state.capacityProviders[name] : undefined;
    if (!p || p.status === 'INACTIVE') throw invalidParameter('The specified capacity provider does not exist.');
    return p;
  };
  return {
    CreateCapacityProvider(input: ECS.CreateCapacityProviderRequest, ctx): ECS.CreateCapacityProviderResponse {
      checkProviderName(input.name);
      if (!input.autoScalingGroupProvider === !input.managedInstancesProvider)
        throw invalidParameter('Specify exactly one of autoScalingGroupProvider or managedInstancesProvider.');
      const state = d.stateOf(ctx);
      const existing = state.capacityProviders[input.name!];
      if (existing && existing.status !== 'INACTIVE') {
        throw clientException(
          'The specified capacity provider already exists. To change the configuration of an existing capacity provider, update the capacity provider.',
        );
      }
      if (input.managedInstancesProvider) {
        // ECS Managed Instances: ECS launches the instances, here virtual ones as tasks need them.
        const cluster = input.cluster ? activeCluster(state, ctx, input.cluster) : undefined;
        const p = managedInstancesProvider(ctx, input, cluster?.clusterName);
        setTags(state, p.capacityProviderArn, input.tags ?? [], { replace: true });
        state.capacityProviders[p.name] = p;
        // A cluster-scoped provider belongs to its cluster from the start.
        if (cluster) cluster.capacityProviders = [...new Set([...(cluster.capacityProviders ?? []), p.name])];
        return { capacityProvider: view(state, p, ['TAGS']) };
      }
      if (input.cluster)
        throw invalidParameter('Only Amazon ECS Managed Instances capacity providers can be scoped to a cluster.');
      const asgArn = input.autoScalingGroupProvider!.autoScalingGroupArn;
      if (
        Object.values(state.capacityProviders).some(
          (p) => p.status === 'ACTIVE' && p.autoScalingGroupProvider?.autoScalingGroupArn === asgArn,
        )
      ) {
        throw clientException(
          'The specified Auto Scaling group ARN is already being used by another capacity provider. Specify a unique Auto Scaling group ARN and try again.',
        );
      }
      const p = newProvider(ctx, input);
      setTags(state, p.capacityProviderArn, input.tags ?? [], { replace: true });
      state.capacityProviders[p.name] = p;
      return { capacityProvider: view(state, p, ['TAGS']) };
    },

    DescribeCapacityProviders(input: ECS.DescribeCapacityProvidersRequest, ctx): ECS.DescribeCapacityProvidersResponse {
      const state = d.stateOf(ctx);
      if ((input.capacityProviders ?? []).length > 100)
        throw invalidParameter('capacityProviders cannot have more than 100 elements');
      const all: ECS.CapacityProvider[] = [
        ...FARGATE_PROVIDERS.map(fargateView),
        ...Object.values(state.capacityProviders)
          .sort((a, b) => (a.name < b.name ? -1 : 1))
          .map((p) => view(state, p, input.include)),
      ];
      const failures: ECS.Failure[] = [];
      let listed = all;
      if (input.capacityProviders?.length) {
        listed = [];
        for (const ref of input.capacityProviders) {
          const name = ref.startsWith('arn:') ? ref.slice(ref.lastIndexOf('/') + 1) : ref;
          const p = all.find((x) => x.name === name);
          if (p) listed.push(p);
          else failures.push({ arn: ref, reason: 'MISSING' });
        }
      }
      const { page, nextToken } = paginate(listed, (p) => p.name!, input, { defaultMax: 10, maxLimit: 10 });
      return { capacityProviders: page, failures, ...(nextToken ? { nextToken } : {}) };
    },

    UpdateCapacityProvider(input: ECS.UpdateCapacityProviderRequest, ctx): ECS.UpdateCapacityProviderResponse {
      const state = d.stateOf(ctx);
      if (isFargateProvider(input.name)) throw clientException('The FARGATE capacity providers cannot be updated.');
      const p = find(state, input.name);
      if (p.type === 'MANAGED_INSTANCES') {
        if (input.managedInstancesProvider)
          p.managedInstancesProvider = {
            ...p.managedInstancesProvider,
            ...input.managedInstancesProvider,
            instanceLaunchTemplate: {
              ...p.managedInstancesProvider?.instanceLaunchTemplate,
              ...input.managedInstancesProvider.instanceLaunchTemplate,
            } as ECS.InstanceLaunchTemplate,
          };
        p.updateStatus = 'UPDATE_COMPLETE';
        return { capacityProvider: view(state, p, ['TAGS']) };
      }
      const asg = input.autoScalingGroupProvider ?? {};
      const current = p.autoScalingGroupProvider!;
      p.autoScalingGroupProvider = {
        ...current,
        managedScaling: managedScaling(asg.managedScaling, current.managedScaling),
        ...(asg.managedTerminationProtection ? { managedTerminationProtection: asg.managedTerminationProtection } : {}),
        ...(asg.managedDraining ? { managedDraining: asg.managedDraining } : {}),
      };
      p.updateStatus = 'UPDATE_COMPLETE';
      return { capacityProvider: view(state, p, ['TAGS']) };
    },

    DeleteCapacityProvider(input: ECS.DeleteCapacityProviderRequest, ctx): ECS.DeleteCapacityProviderResponse {
      const state = d.stateOf(ctx);
      if (isFargateProvider(input.capacityProvider))
        throw clientException('The FARGATE and FARGATE_SPOT capacity providers cannot be deleted.');
      const p = find(state, input.capacityProvider);
      const cluster = Object.values(state.clusters).find(
        (c) => c.status === 'ACTIVE' && c.capacityProviders?.includes(p.name),
      );
      if (Object.values(state.daemons).some((x) => x.capacityProviderArns.includes(p.capacityProviderArn)))
        throw clientException(
          'Cannot delete capacity provider. Daemon services are still associated with this capacity provider.',
        );
      const usedByService = Object.values(state.services).some(
        (s) => s.status === 'ACTIVE' && s.capacityProviderStrategy?.some((x) => x.capacityProvider === p.name),
      );
      // Still associated: no exception, the response says why it was not deleted (as ECS answers).
      if (cluster || usedByService) {
        p.updateStatus = 'DELETE_FAILED';
        p.updateStatusReason = cluster
          ? `The capacity provider cannot be deleted because it is associated with cluster: ${cluster.clusterName}. Remove the capacity provider from the cluster and try again.`
          : 'The capacity provider cannot be deleted because it is used by a service. Update the service and try again.';
        return { capacityProvider: view(state, p, ['TAGS']) };
      }
      p.status = 'INACTIVE';
      p.updateStatus = 'DELETE_COMPLETE';
      delete p.updateStatusReason;
      return { capacityProvider: { ...view(state, p, ['TAGS']), updateStatus: 'DELETE_IN_PROGRESS' } };
    },
  };
}
