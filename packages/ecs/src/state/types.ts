import type { Attribute, Cluster, ContainerInstance, Setting, Tag, Task, TaskDefinition } from '@aws-sdk/client-ecs';

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

export interface TaskDefinitionRecord extends TaskDefinition {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS';
}

/** A task as stored: the API shape plus what the runtime needs to drive it. */
export interface TaskRecord extends Task {
  taskArn: string;
  clusterArn: string;
  /** The task definition as it was when the task was started. */
  definition: TaskDefinitionRecord;
  /** Docker container ids by container name, once created. */
  runtimeIds: Record<string, string>;
  clientToken?: string;
}

/** One account + region of ECS. */
export interface EcsState {
  clusters: Record<string, ClusterRecord>;
  /** By family, then revision. */
  taskDefinitions: Record<string, Record<number, TaskDefinitionRecord>>;
  /** The highest revision ever registered per family: revisions are never reused. */
  lastRevision: Record<string, number>;
  /** By task ARN. */
  tasks: Record<string, TaskRecord>;
  /** RunTask clientToken → the task ARNs it started (idempotency). */
  runTaskTokens: Record<string, { fingerprint: string; taskArns: string[] }>;
  containerInstances: Record<string, ContainerInstanceRecord>;
  /** Tags of every taggable resource, by ARN. */
  tags: Record<string, Tag[]>;
  /** Account settings by principal ARN, then setting name. */
  accountSettings: Record<string, Record<string, Setting>>;
}

export const emptyState = (): EcsState => ({
  clusters: {},
  taskDefinitions: {},
  lastRevision: {},
  tasks: {},
  runTaskTokens: {},
  containerInstances: {},
  tags: {},
  accountSettings: {},
});
