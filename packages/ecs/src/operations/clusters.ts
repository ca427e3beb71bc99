import type * as ECS from '@aws-sdk/client-ecs';
import { ServiceError, paginate, type OperationMap, type RequestContext } from '@dockside/core';
import { ecsArn, nameFromArnOrName } from '../arn';
import type { ClusterRecord, EcsState } from '../state/types';
import { effectiveSetting, rootPrincipal } from './account-settings';
import { deleteTags, setTags, tagsOf } from './tags';

type StateOf = (ctx: RequestContext) => EcsState;

const CLUSTER_NAME = /^[a-zA-Z0-9_-]{1,255}$/;

export const clusterNotFound = () => new ServiceError('ClusterNotFoundException', 'Cluster not found.');

/** The ACTIVE cluster a `cluster` parameter (name or ARN, default `default`) names. */
export function activeCluster(state: EcsState, ctx: RequestContext, nameOrArn: string | undefined): ClusterRecord {
  const name = nameFromArnOrName(ctx, nameOrArn ?? 'default', 'cluster', clusterNotFound);
  const c = state.clusters[name];
  if (!c || c.status !== 'ACTIVE') throw clusterNotFound();
  return c;
}

const FARGATE_PROVIDERS = new Set(['FARGATE', 'FARGATE_SPOT']);

function checkStrategy(strategy: ECS.CapacityProviderStrategyItem[] | undefined, allowed: string[] | undefined) {
  if (!strategy) return;
  let withBase = 0;
  for (const item of strategy) {
    if (item.weight !== undefined && (item.weight < 0 || item.weight > 1000)) {
      throw new ServiceError('InvalidParameterException', 'The specified capacity provider strategy weight must be between 0 and 1000.');
    }
    if (item.base !== undefined && (item.base < 0 || item.base > 100000)) {
      throw new ServiceError('InvalidParameterException', 'The specified capacity provider strategy base must be between 0 and 100000.');
    }
    if (item.base) withBase++;
    if (allowed && !allowed.includes(item.capacityProvider ?? "")) {
      throw new ServiceError(
        'InvalidParameterException',
        `The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.`,
      );
    }
  }
  if (withBase > 1) {
    throw new ServiceError('InvalidParameterException', 'Only one capacity provider in a capacity provider strategy can have a base defined.');
  }
}

function checkCapacityProviders(names: string[] | undefined) {
  for (const n of names ?? []) {
    if (!FARGATE_PROVIDERS.has(n)) {
      throw new ServiceError('InvalidParameterException', `The specified capacity provider '${n}' does not exist. Specify a valid capacity provider and try again.`);
    }
  }
}

function checkSettings(settings: ECS.ClusterSetting[] | undefined) {
  for (const s of settings ?? []) {
    if (s.name === 'containerInsights' && !['enabled', 'disabled', 'enhanced'].includes(String(s.value))) {
      throw new ServiceError('InvalidParameterException', `Invalid value for containerInsights: ${s.value}. Valid values are enabled, disabled and enhanced.`);
    }
  }
}

/** Per-cluster counts; other resource families (tasks, services) register their counters here. */
export type ClusterCounter = (state: EcsState, cluster: ClusterRecord) => Partial<Record<CounterName, number>>;
type CounterName =
  | 'runningTasksCount'
  | 'pendingTasksCount'
  | 'activeServicesCount'
  | 'registeredContainerInstancesCount'
  | 'runningEC2TasksCount'
  | 'runningFargateTasksCount'
  | 'pendingEC2TasksCount'
  | 'pendingFargateTasksCount'
  | 'activeEC2ServiceCount'
  | 'activeFargateServiceCount'
  | 'drainingEC2ServiceCount'
  | 'drainingFargateServiceCount';

export const clusterCounters: ClusterCounter[] = [
  (state, cluster) => ({
    registeredContainerInstancesCount: Object.values(state.containerInstances).filter(
      (ci) => ci.clusterName === cluster.clusterName && ci.status !== 'INACTIVE',
    ).length,
  }),
];

const STATISTIC_NAMES: CounterName[] = [
  'runningEC2TasksCount',
  'runningFargateTasksCount',
  'pendingEC2TasksCount',
  'pendingFargateTasksCount',
  'activeEC2ServiceCount',
  'activeFargateServiceCount',
  'drainingEC2ServiceCount',
  'drainingFargateServiceCount',
];

/** The API view of a cluster; the optional parts appear only when `include` asks for them. */
export function clusterView(state: EcsState, c: ClusterRecord, include: string[] = ['SETTINGS', 'CONFIGURATIONS', 'TAGS']): ECS.Cluster {
  const counts: Partial<Record<CounterName, number>> = {};
  for (const counter of clusterCounters) Object.assign(counts, counter(state, c));
  const { settings, configuration, attachments, attachmentsStatus, ...base } = c;
  const view: ECS.Cluster = {
    ...base,
    registeredContainerInstancesCount: counts.registeredContainerInstancesCount ?? 0,
    runningTasksCount: counts.runningTasksCount ?? 0,
    pendingTasksCount: counts.pendingTasksCount ?? 0,
    activeServicesCount: counts.activeServicesCount ?? 0,
    statistics: [],
    tags: [],
  };
  if (include.includes('SETTINGS')) view.settings = settings;
  if (include.includes('CONFIGURATIONS') && configuration) view.configuration = configuration;
  if (include.includes('ATTACHMENTS')) {
    view.attachments = attachments ?? [];
    if (attachmentsStatus) view.attachmentsStatus = attachmentsStatus;
  }
  if (include.includes('STATISTICS')) {
    view.statistics = STATISTIC_NAMES.map((name) => ({ name, value: String(counts[name] ?? 0) }));
  }
  if (include.includes('TAGS')) view.tags = tagsOf(state, c.clusterArn);
  return view;
}

export function clusterOperations(stateOf: StateOf, onChange: (ctx: RequestContext, c: ClusterRecord, change: 'created' | 'updated' | 'deleted') => void): OperationMap {
  return {
    CreateCluster(input: ECS.CreateClusterRequest, ctx): ECS.CreateClusterResponse {
      const state = stateOf(ctx);
      const name = input.clusterName ?? 'default';
      if (!CLUSTER_NAME.test(name)) {
        throw new ServiceError(
          'InvalidParameterException',
          'Cluster name should consist of up to 255 letters (uppercase and lowercase), numbers, underscores and hyphens.',
        );
      }
      const existing = state.clusters[name];
      // CreateCluster is idempotent by name: an ACTIVE cluster is returned as it is.
      if (existing && existing.status === 'ACTIVE') return { cluster: clusterView(state, existing) };
      checkSettings(input.settings);
      checkCapacityProviders(input.capacityProviders);
      checkStrategy(input.defaultCapacityProviderStrategy, input.capacityProviders ?? []);
      const defaultInsights = effectiveSetting(state, ctx, 'containerInsights', rootPrincipal(ctx)).value ?? 'disabled';
      const settings = input.settings?.length ? input.settings : [{ name: 'containerInsights' as const, value: defaultInsights }];
      const rec: ClusterRecord = {
        clusterArn: ecsArn(ctx, `cluster/${name}`),
        clusterName: name,
        status: 'ACTIVE',
        settings,
        capacityProviders: input.capacityProviders ?? [],
        defaultCapacityProviderStrategy: input.defaultCapacityProviderStrategy ?? [],
        ...(input.configuration ? { configuration: input.configuration } : {}),
        ...(input.serviceConnectDefaults ? { serviceConnectDefaults: { namespace: input.serviceConnectDefaults.namespace } } : {}),
      };
      // Tags are validated before anything is stored, so a bad tag leaves no half-made cluster.
      setTags(state, rec.clusterArn, input.tags ?? [], { replace: true });
      state.clusters[name] = rec;
      onChange(ctx, rec, 'created');
      return { cluster: clusterView(state, rec) };
    },

    DescribeClusters(input: ECS.DescribeClustersRequest, ctx): ECS.DescribeClustersResponse {
      const state = stateOf(ctx);
      const wanted = input.clusters?.length ? input.clusters : ['default'];
      if (wanted.length > 100) throw new ServiceError('InvalidParameterException', 'Clusters cannot have more than 100 elements');
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
        if (c) clusters.push(clusterView(state, c, input.include ?? []));
        else failures.push({ arn: ref.startsWith('arn:') ? ref : ecsArn(ctx, `cluster/${ref}`), reason: 'MISSING' });
      }
      return { clusters, failures };
    },

    ListClusters(input: ECS.ListClustersRequest, ctx): ECS.ListClustersResponse {
      const state = stateOf(ctx);
      const arns = Object.values(state.clusters)
        .filter((c) => c.status === 'ACTIVE')
        .map((c) => c.clusterArn)
        .sort();
      const { page, nextToken } = paginate(arns, (a) => a, input, { defaultMax: 100, maxLimit: 100 });
      return { clusterArns: page, ...(nextToken ? { nextToken } : {}) };
    },

    DeleteCluster(input: ECS.DeleteClusterRequest, ctx): ECS.DeleteClusterResponse {
      const state = stateOf(ctx);
      const c = activeCluster(state, ctx, input.cluster);
      const counts = clusterView(state, c, []);
      if (counts.registeredContainerInstancesCount) {
        throw new ServiceError('ClusterContainsContainerInstancesException', 'The Cluster cannot be deleted while Container Instances are active or draining.');
      }
      if (counts.activeServicesCount) {
        throw new ServiceError('ClusterContainsServicesException', 'The Cluster cannot be deleted while Services are active.');
      }
      if (counts.runningTasksCount || counts.pendingTasksCount) {
        throw new ServiceError('ClusterContainsTasksException', 'The Cluster cannot be deleted while Tasks are active.');
      }
      c.status = 'INACTIVE';
      deleteTags(state, c.clusterArn);
      onChange(ctx, c, 'deleted');
      return { cluster: clusterView(state, c) };
    },

    UpdateCluster(input: ECS.UpdateClusterRequest, ctx): ECS.UpdateClusterResponse {
      const state = stateOf(ctx);
      const c = activeCluster(state, ctx, input.cluster);
      checkSettings(input.settings);
      if (input.settings) c.settings = mergeSettings(c.settings, input.settings);
      if (input.configuration) c.configuration = { ...c.configuration, ...input.configuration };
      if (input.serviceConnectDefaults) c.serviceConnectDefaults = { namespace: input.serviceConnectDefaults.namespace };
      onChange(ctx, c, 'updated');
      return { cluster: clusterView(state, c) };
    },

    UpdateClusterSettings(input: ECS.UpdateClusterSettingsRequest, ctx): ECS.UpdateClusterSettingsResponse {
      const state = stateOf(ctx);
      const c = activeCluster(state, ctx, input.cluster);
      checkSettings(input.settings);
      c.settings = mergeSettings(c.settings, input.settings ?? []);
      onChange(ctx, c, 'updated');
      return { cluster: clusterView(state, c) };
    },

    PutClusterCapacityProviders(input: ECS.PutClusterCapacityProvidersRequest, ctx): ECS.PutClusterCapacityProvidersResponse {
      const state = stateOf(ctx);
      const c = activeCluster(state, ctx, input.cluster);
      checkCapacityProviders(input.capacityProviders);
      checkStrategy(input.defaultCapacityProviderStrategy, input.capacityProviders);
      c.capacityProviders = [...(input.capacityProviders ?? [])];
      c.defaultCapacityProviderStrategy = [...(input.defaultCapacityProviderStrategy ?? [])];
      onChange(ctx, c, 'updated');
      return { cluster: clusterView(state, c) };
    },
  };
}

function mergeSettings(current: ECS.ClusterSetting[] | undefined, updates: ECS.ClusterSetting[]): ECS.ClusterSetting[] {
  const byName = new Map((current ?? []).map((s) => [s.name, s]));
  for (const s of updates) byName.set(s.name, { name: s.name, value: s.value });
  return [...byName.values()];
}
