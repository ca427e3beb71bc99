/**
 * The ECS plugin's public contract: the bus events it publishes and the operations other
 * services may call. Consumers import types from here only, never the implementation.
 */
import type * as ECS from '@aws-sdk/client-ecs';
import type { Call } from '@dockside/core';

export interface EcsClusterChange {
  accountId: string;
  region: string;
  clusterArn: string;
  status: string;
  change: 'created' | 'updated' | 'deleted';
}

/** ECS operations other plugins may call through `bus.call('ecs', …)`. */
export interface EcsCalls {
  CreateCluster: Call<ECS.CreateClusterRequest, ECS.CreateClusterResponse>;
  DescribeClusters: Call<ECS.DescribeClustersRequest, ECS.DescribeClustersResponse>;
  ListClusters: Call<ECS.ListClustersRequest, ECS.ListClustersResponse>;
  TagResource: Call<ECS.TagResourceRequest, ECS.TagResourceResponse>;
  ListTagsForResource: Call<ECS.ListTagsForResourceRequest, ECS.ListTagsForResourceResponse>;
}

declare module '@dockside/core' {
  interface DocksideEvents {
    'ecs.cluster': EcsClusterChange;
  }
  interface DocksideServices {
    ecs: EcsCalls;
  }
}
