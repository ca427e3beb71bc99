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

/** Published on every change of a task (status, container state, health), with its version. */
export interface EcsTaskChange {
  accountId: string;
  region: string;
  clusterArn: string;
  taskArn: string;
  lastStatus: string;
  desiredStatus: string;
  version: number;
  stopCode?: string;
  stoppedReason?: string;
}

/** A container instance was registered or deregistered (ECS's "ECS Container Instance State Change"). */
export interface EcsContainerInstanceChange {
  accountId: string;
  region: string;
  clusterArn: string;
  /** As DescribeContainerInstances shows it. */
  containerInstance: ECS.ContainerInstance;
}

/** One line a task's container wrote, as it arrives (timestamp: epoch ms of arrival). */
export interface EcsContainerOutput {
  accountId: string;
  region: string;
  clusterArn: string;
  taskArn: string;
  containerName: string;
  stream: 'stdout' | 'stderr';
  timestamp: number;
  line: string;
}

/**
 * A service deployment changed state, named as ECS names its "ECS Deployment State Change"
 * EventBridge events (for the EventBridge plugin, and for tests).
 */
export interface EcsDeploymentChange {
  accountId: string;
  region: string;
  clusterArn: string;
  serviceArn: string;
  deploymentId: string;
  eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS' | 'SERVICE_DEPLOYMENT_COMPLETED' | 'SERVICE_DEPLOYMENT_FAILED';
  reason: string;
  updatedAt: string;
}

/** What ECS reports as "ECS Service Action" EventBridge events (eventName as ECS names them). */
export interface EcsServiceAction {
  accountId: string;
  region: string;
  clusterArn: string;
  serviceArn: string;
  eventName:
    | 'SERVICE_STEADY_STATE'
    | 'TASKSET_STEADY_STATE'
    | 'SERVICE_TASK_START_IMPAIRED'
    | 'SERVICE_TASK_PLACEMENT_FAILURE'
    | 'SERVICE_TASK_CONFIGURATION_FAILURE';
  /** The service event message that went with it. */
  message: string;
  createdAt: string;
}

/** ECS operations other plugins may call through `bus.call('ecs', …)`. */
export interface EcsCalls {
  CreateCluster: Call<ECS.CreateClusterRequest, ECS.CreateClusterResponse>;
  DescribeClusters: Call<ECS.DescribeClustersRequest, ECS.DescribeClustersResponse>;
  ListClusters: Call<ECS.ListClustersRequest, ECS.ListClustersResponse>;
  TagResource: Call<ECS.TagResourceRequest, ECS.TagResourceResponse>;
  ListTagsForResource: Call<ECS.ListTagsForResourceRequest, ECS.ListTagsForResourceResponse>;
  RunTask: Call<ECS.RunTaskRequest, ECS.RunTaskResponse>;
  StopTask: Call<ECS.StopTaskRequest, ECS.StopTaskResponse>;
  DescribeTasks: Call<ECS.DescribeTasksRequest, ECS.DescribeTasksResponse>;
  // What Express services are made of (ECS's control plane calls its own API for them).
  RegisterTaskDefinition: Call<ECS.RegisterTaskDefinitionRequest, ECS.RegisterTaskDefinitionResponse>;
  DeregisterTaskDefinition: Call<ECS.DeregisterTaskDefinitionRequest, ECS.DeregisterTaskDefinitionResponse>;
  DescribeTaskDefinition: Call<ECS.DescribeTaskDefinitionRequest, ECS.DescribeTaskDefinitionResponse>;
  CreateService: Call<ECS.CreateServiceRequest, ECS.CreateServiceResponse>;
  UpdateService: Call<ECS.UpdateServiceRequest, ECS.UpdateServiceResponse>;
  DeleteService: Call<ECS.DeleteServiceRequest, ECS.DeleteServiceResponse>;
}

declare module '@dockside/core' {
  interface DocksideEvents {
    'ecs.cluster': EcsClusterChange;
    'ecs.task': EcsTaskChange;
    'ecs.container-instance': EcsContainerInstanceChange;
    'ecs.container-output': EcsContainerOutput;
    'ecs.deployment': EcsDeploymentChange;
    'ecs.service-action': EcsServiceAction;
  }
  interface DocksideServices {
    ecs: EcsCalls;
  }
}
