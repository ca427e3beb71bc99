import type * as ECS from '@aws-sdk/client-ecs';
import { ServiceError, paginate, type OperationMap, type RequestContext } from '@dockside/core';
import { effectiveSetting, rootPrincipal } from '../domain/account-settings';
import { ecsArn, nameFromArnOrName } from '../domain/arn';
import {
  CLUSTER_NAME,
  activeCluster,
  checkSettings,
  checkStrategy,
  clusterView,
  mergeSettings,
} from '../domain/clusters';
import { checkProvidersExist } from '../domain/capacity-providers';
import type { EcsDomain } from '../domain/context';
import { deleteTags, setTags } from '../domain/tags';
import { clusterNotFound, invalidParameter } from '../errors';
import type { ClusterRecord } from '../state/types';

export function clusterOperations(
  d: EcsDomain,
  onChange: (ctx: RequestContext, c: ClusterRecord, change: 'created' | 'updated' | 'deleted') => void,
): OperationMap {
  return {
    CreateCluster(input: ECS.CreateClusterRequest, ctx): ECS.CreateClusterResponse {
      const state = d.stateOf(ctx);
      const name = input.clusterName ?? 'default';
      if (!CLUSTER_NAME.test(name)) {
        throw new ServiceError(
          'InvalidParameterException',
          'Cluster name should consist of up to 255 letters (uppercase and lowercase), numbers, underscores and hyphens.',
        );
      }
      const existing = state.clusters[name];
      // CreateCluster is idempotent by name: an ACTIVE cluster is returned as it is.
      if (existing && existing.status === 'ACTIVE') return { cluster: clusterView(state, d.index, existing) };
      checkSettings(input.settings);
      checkProvidersExist(state, input.capacityProviders);
      checkStrategy(input.defaultCapacityProviderStrategy, input.capacityProviders ?? []);
      const defaultInsights = effectiveSetting(state, ctx, 'containerInsights', rootPrincipal(ctx)).value ?? 'disabled';
      const settings = input.settings?.length
        ? input.settings
        : [{ name: 'containerInsights' as const, value: defaultInsights }];
      const rec: ClusterRecord = {
        clusterArn: ecsArn(ctx, `cluster/${name}`),
        clusterName: name,
        status: 'ACTIVE',
        settings,
        capacityProviders: input.capacityProviders ?? [],
        defaultCapacityProviderStrategy: input.defaultCapacityProviderStrategy ?? [],
        ...(input.configuration ? { configuration: input.configuration } : {}),
        ...(input.serviceConnectDefaults
          ? { serviceConnectDefaults: { namespace: input.serviceConnectDefaults.namespace } }
          : {}),
      };
      // Tags are validated before anything is stored, so a bad tag leaves no half-made cluster.
      setTags(state, rec.clusterArn, input.tags ?? [], { replace: true });
      state.clusters[name] = rec;
      onChange(ctx, rec, 'created');
      return { cluster: clusterView(state, d.index, rec) };
    },

    DescribeClusters(input: ECS.DescribeClustersRequest, ctx): ECS.DescribeClustersResponse {
      const state = d.stateOf(ctx);
      const wanted = input.clusters?.length ? input.clusters : ['default'];
      if (wanted.length > 100) throw invalidParameter('Clusters cannot have more than 100 elements');
      const clusters: ECS.Cluster[] = [];
      const failures: ECS.Failure[] = [];
      for (const ref of wanted) {
        let name: string | undefined;
        try {
          name = nameFromArnOrName(ctx, ref, 'cluster', clusterNotFound);
        } catch {
          name = undefined;
        }
        const c = name ? state.clusters[name] : undefined;
        if (c) clusters.push(clusterView(state, d.index, c, input.include ?? []));
        else failures.push({ arn: ref.startsWith('arn:') ? ref : ecsArn(ctx, `cluster/${ref}`), reason: 'MISSING' });
      }
      return { clusters, failures };
    },

    ListClusters(input: ECS.ListClustersRequest, ctx): ECS.ListClustersResponse {
      const state = d.stateOf(ctx);
      const arns = Object.values(state.clusters)
        .filter((c) => c.status === 'ACTIVE')
        .map((c) => c.clusterArn)
        .sort();
      const { page, nextToken } = paginate(arns, (a) => a, input, { defaultMax: 100, maxLimit: 100 });
      return { clusterArns: page, ...(nextToken ? { nextToken } : {}) };
    },

    DeleteCluster(input: ECS.DeleteClusterRequest, ctx): ECS.DeleteClusterResponse {
      const state = d.stateOf(ctx);
      const c = activeCluster(state, ctx, input.cluster);
      const counts = clusterView(state, d.index, c, []);
      // Dockside's own virtual instances go with their cluster; registered ones block the delete.
      const instances = Object.values(state.containerInstances).filter(
        (ci) => ci.clusterName === c.clusterName && ci.status !== 'INACTIVE',
      );
      if (instances.some((ci) => !ci.virtual)) {
        throw new ServiceError(
          'ClusterContainsContainerInstancesException',
          'The Cluster cannot be deleted while Container Instances are active or draining.',
        );
      }
      if (counts.activeServicesCount) {
        throw new ServiceError(
          'ClusterContainsServicesException',
          'The Cluster cannot be deleted while Services are active.',
        );
      }
      if (counts.runningTasksCount || counts.pendingTasksCount) {
        throw new ServiceError(
          'ClusterContainsTasksException',
          'The Cluster cannot be deleted while Tasks are active.',
        );
      }
      for (const ci of instances) ci.status = 'INACTIVE';
      c.status = 'INACTIVE';
      deleteTags(state, c.clusterArn);
      onChange(ctx, c, 'deleted');
      return { cluster: clusterView(state, d.index, c) };
    },

    UpdateCluster(input: ECS.UpdateClusterRequest, ctx): ECS.UpdateClusterResponse {
      const state = d.stateOf(ctx);
      const c = activeCluster(state, ctx, input.cluster);
      checkSettings(input.settings);
      if (input.settings) c.settings = mergeSettings(c.settings, input.settings);
      if (input.configuration) c.configuration = { ...c.configuration, ...input.configuration };
      if (input.serviceConnectDefaults)
        c.serviceConnectDefaults = { namespace: input.serviceConnectDefaults.namespace };
      onChange(ctx, c, 'updated');
      return { cluster: clusterView(state, d.index, c) };
    },

    UpdateClusterSettings(input: ECS.UpdateClusterSettingsRequest, ctx): ECS.UpdateClusterSettingsResponse {
      const state = d.stateOf(ctx);
      const c = activeCluster(state, ctx, input.cluster);
      checkSettings(input.settings);
      c.settings = mergeSettings(c.settings, input.settings ?? []);
      onChange(ctx, c, 'updated');
      return { cluster: clusterView(state, d.index, c) };
    },

    PutClusterCapacityProviders(
      input: ECS.PutClusterCapacityProvidersRequest,
      ctx,
    ): ECS.PutClusterCapacityProvidersResponse {
      const state = d.stateOf(ctx);
      const c = activeCluster(state, ctx, input.cluster);
      checkProvidersExist(state, input.capacityProviders);
      checkStrategy(input.defaultCapacityProviderStrategy, input.capacityProviders);
      // A provider a service's strategy (or task) still uses cannot leave the cluster.
      for (const name of c.capacityProviders ?? []) {
        if (input.capacityProviders?.includes(name)) continue;
        const inUse =
          Object.values(state.services).some(
            (svc) =>
              svc.clusterArn === c.clusterArn &&
              svc.status !== 'INACTIVE' &&
              svc.capacityProviderStrategy?.some((x) => x.capacityProvider === name),
          ) ||
          Object.values(state.tasks).some(
            (t) => t.clusterArn === c.clusterArn && t.capacityProviderName === name && t.lastStatus !== 'STOPPED',
          );
        if (inUse)
          throw new ServiceError(
            'ResourceInUseException',
            'The specified capacity provider is in use and cannot be removed.',
          );
      }
      c.capacityProviders = [...(input.capacityProviders ?? [])];
      c.defaultCapacityProviderStrategy = [...(input.defaultCapacityProviderStrategy ?? [])];
      onChange(ctx, c, 'updated');
      return { cluster: clusterView(state, d.index, c) };
    },
  };
}
