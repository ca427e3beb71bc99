import type { Attribute, Cluster, ContainerInstance, Setting, Tag } from '@aws-sdk/client-ecs';

/** A cluster as stored: the API shape without the parts computed at describe time. */
export interface ClusterRecord extends Omit<Cluster, 'tags' | 'statistics' | 'runningTasksCount' | 'pendingTasksCount' | 'activeServicesCount' | 'registeredContainerInstancesCount'> {
  clusterArn: string;
  clusterName: string;
  status: 'ACTIVE' | 'INACTIVE' | 'PROVISIONING' | 'DEPROVISIONING' | 'FAILED';
}

export interface ContainerInstanceRecord extends ContainerInstance {
  containerInstanceArn: string;
  clusterName: string;
  attributes: Attribute[];
}

/** One account + region of ECS. */
export interface EcsState {
  clusters: Record<string, ClusterRecord>;
  containerInstances: Record<string, ContainerInstanceRecord>;
  /** Tags of every taggable resource, by ARN. */
  tags: Record<string, Tag[]>;
  /** Account settings by principal ARN, then setting name. */
  accountSettings: Record<string, Record<string, Setting>>;
}

export const emptyState = (): EcsState => ({
  clusters: {},
  containerInstances: {},
  tags: {},
  accountSettings: {},
});
