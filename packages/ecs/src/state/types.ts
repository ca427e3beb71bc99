import type {
  Attribute,
  CapacityProvider,
  Cluster,
  ContainerInstance,
  DaemonDeployment,
  DaemonDeploymentConfiguration,
  DaemonRevision,
  DaemonTaskDefinition,
  Deployment,
  ExpressGatewayServiceConfiguration,
  GatewayConnector,
  HostSharedAlbConfiguration,
  LoadBalancer,
  Service,
  ServiceDeployment,
  ServiceEvent,
  ServiceRevision,
  Setting,
  Tag,
  Task,
  TaskDefinition,
  TaskSet,
} from '@aws-sdk/client-ecs';

/** A cluster as stored: the API shape without the parts computed at describe time. */
export interface ClusterRecord extends Omit<
  Cluster,
  | 'tags'
  | 'statistics'
  | 'runningTasksCount'
  | 'pendingTasksCount'
  | 'activeServicesCount'
  | 'registeredContainerInstancesCount'
> {
  clusterArn: string;
  clusterName: string;
  status: 'ACTIVE' | 'INACTIVE' | 'PROVISIONING' | 'DEPROVISIONING' | 'FAILED';
}

export interface ContainerInstanceRecord extends ContainerInstance {
  containerInstanceArn: string;
  clusterName: string;
  attributes: Attribute[];
  /** Made by Dockside for its cluster (instancesPerCluster), not registered by an agent. */
  virtual?: boolean;
  /** Managed scaling: since when (epoch ms) the instance has run nothing but daemon tasks. */
  idleSince?: number;
}

export interface TaskDefinitionRecord extends TaskDefinition {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS';
}

/** Task-role credentials as the ECS agent serves them (while the task runs). */
export interface TaskCredentials {
  id: string;
  token: string;
  body: { RoleArn: string; AccessKeyId: string; SecretAccessKey: string; Token: string; Expiration: string };
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
  /** Task scale-in protection (UpdateTaskProtection): until when, epoch ms. */
  protectedUntil?: number;
  /** Task-role credentials, with `taskRoleArn`, until the task stops. */
  roleCredentials?: TaskCredentials;
  /** Service tasks: passed its container health checks at least once (a later stop is no failed start). */
  everHealthy?: boolean;
  /** Service tasks: its stop was already judged a failed start or not. */
  startJudged?: boolean;
  /** Service tasks: the load-balancer targets registered for it (deregistered when it stops). */
  loadBalancerTargets?: Array<{ targetGroupArn: string; target: { Id: string; Port?: number } }>;
  /**
   * What the load balancer says of each registered target (by target group ARN), from the
   * elbv2 plugin's `elbv2.target-health` events; absent when no elbv2 plugin answered.
   */
  targetHealth?: Record<string, { state: string; reason?: string; description?: string }>;
  /** awsvpc tasks: the security groups their ENI gets (from the network configuration). */
  securityGroups?: string[];
  /**
   * Output lines of each container delivered so far (to CloudWatch Logs with awslogs): where a
   * re-adopted container's output resumes after a restart, so no line is lost or sent twice.
   */
  outputLines?: Record<string, number>;
}

/** A deployment of the ECS controller, with what the scheduler tracks about it. */
export interface DeploymentRecord extends Deployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE';
  taskDefinition: string;
  /** The ServiceDeployment record this deployment is the target of. */
  serviceDeploymentArn: string;
  serviceRevisionArn: string;
  /** ROLLING, or a strategy that runs lifecycle stages (BLUE_GREEN, LINEAR, CANARY). */
  strategy?: string;
  /**
   * Blue/green with a load balancer: which target group of each `loadBalancers` entry this
   * deployment's tasks register with (`alternate` = advancedConfiguration.alternateTargetGroupArn).
   */
  targetSide?: 'primary' | 'alternate';
  /** Blue/green traffic steps (`production:50`) applied to the listener rules, and the one in flight. */
  traffic?: { applied?: string[]; pending?: string };
  /** Lifecycle stage of a non-rolling deployment, when it entered it, and the hooks created there. */
  stage?: string;
  stageSince?: number;
  stageHookIds?: string[];
}

export interface TaskSetRecord extends TaskSet {
  id: string;
  taskSetArn: string;
  status: 'PRIMARY' | 'ACTIVE' | 'DRAINING';
  taskDefinition: string;
}

/** A service as stored: the API shape; counts are refreshed by the scheduler. */
export interface ServiceRecord extends Omit<Service, 'deployments' | 'taskSets' | 'events' | 'tags'> {
  serviceArn: string;
  serviceName: string;
  clusterArn: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  desiredCount: number;
  deployments: DeploymentRecord[];
  taskSets: TaskSetRecord[];
  events: ServiceEvent[];
  /** The client token CreateService was called with, and a fingerprint of its input. */
  clientToken?: { token: string; fingerprint: string };
  /** Whether the last reconcile found the service steady (for the steady-state event). */
  steady?: boolean;
  /** The last completed deployment, kept after it leaves the list (the rollback target). */
  stable?: { id: string; taskDefinition: string; serviceRevisionArn: string };
  /** Service Connect / Cloud Map namespace (ListServicesByNamespace). */
  namespace?: string;
  /** ECS's start-failure throttle: consecutive failed starts, launches held until `until` (epoch ms). */
  throttle?: { failures: number; until: number; announced: boolean };
  /** Once-per-condition service events already given (e.g. a placement failure), until the condition ends. */
  notices?: string[];
  /** The service's gateway connector (at most one), as CreateService/UpdateService gave it. */
  gatewayConnectors?: GatewayConnector[];
  /**
   * Target groups the service's tasks register with that the user did not list in
   * `loadBalancers` (a gateway route's group): not shown by DescribeServices.
   */
  gatewayTargets?: LoadBalancer[];
}

/** The load balancer, target group and listener Dockside made for an Express service or a gateway route. */
export interface ManagedIngress {
  loadBalancerArn: string;
  listenerArn: string;
  /** The listener's default rule (the one that forwards). */
  ruleArn?: string;
  targetGroupArn: string;
  /** Where the listener really listens, once the elbv2 plugin bound it (`http://127.0.0.1:20123`). */
  url?: string;
}

/** An Express service: an ECS service plus what CreateExpressGatewayService made for it. */
export interface ExpressServiceRecord {
  serviceArn: string;
  clusterArn: string;
  serviceName: string;
  infrastructureRoleArn: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  statusReason?: string;
  createdAt: Date;
  updatedAt: Date;
  /** Every configuration given, oldest first (each one a service revision). */
  configurations: ExpressGatewayServiceConfiguration[];
  /** The task definition family Dockside registers for it (when it made the task definition). */
  family?: string;
  ingress?: ManagedIngress;
  /** AWS's form of the ingress host (`ab-<32 hex>.ecs.<region>.on.aws`), kept for the rule and the record. */
  awsHost: string;
  logGroupName?: string;
  /** The log group was made here (so Delete removes it). */
  ownsLogGroup?: boolean;
  securityGroupIds?: string[];
  subnetIds?: string[];
  /** The container port of each revision (by service revision ARN). */
  ports?: Record<string, number>;
}

export interface GatewayRecord {
  gatewayArn: string;
  name: string;
  status: 'ACTIVE' | 'UPDATE_IN_PROGRESS' | 'UPDATE_COMPLETE' | 'UPDATE_FAILED' | 'DELETED';
  infrastructureRoleArn: string;
  deletionProtection: boolean;
  propagateTags: 'GATEWAY' | 'NONE';
  accessType: 'PUBLIC' | 'PRIVATE';
  configuration: HostSharedAlbConfiguration;
  clientToken?: { token: string; fingerprint: string };
  createdAt: Date;
  updatedAt: Date;
  /** The shared load balancer, made when the first service connects. */
  loadBalancerArn?: string;
  subnetIds?: string[];
  securityGroupIds?: string[];
}

export interface GatewayAssociationRecord {
  gatewayArn: string;
  clusterArn: string;
  status: 'ACTIVE' | 'DISASSOCIATING';
}

export interface GatewayRouteRecord extends ManagedIngress {
  gatewayRouteArn: string;
  gatewayArn: string;
  clusterArn: string;
  serviceArn: string;
  serviceContainerPortName: string;
  accessType: 'PUBLIC' | 'PRIVATE';
  status: 'CREATE_IN_PROGRESS' | 'ACTIVE' | 'DELETE_IN_PROGRESS';
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
  /** By service ARN (INACTIVE ones are kept, as DescribeServices still answers for them). */
  services: Record<string, ServiceRecord>;
  serviceDeployments: Record<string, ServiceDeployment>;
  serviceRevisions: Record<string, ServiceRevision>;
  /** Custom capacity providers by name (FARGATE and FARGATE_SPOT are built in). */
  capacityProviders: Record<string, CapacityProviderRecord>;
  /** Daemon task definitions by family, then revision. */
  daemonTaskDefinitions: Record<string, Record<number, DaemonTaskDefinitionRecord>>;
  /** Daemons, their deployments and revisions, by ARN. */
  daemons: Record<string, DaemonRecord>;
  daemonDeployments: Record<string, DaemonDeploymentRecord>;
  daemonRevisions: Record<string, DaemonRevision>;
  /** Express services by service ARN (kept INACTIVE after deletion, like services). */
  expressServices: Record<string, ExpressServiceRecord>;
  gateways: Record<string, GatewayRecord>;
  /** By `<gatewayArn> <clusterArn>`. */
  gatewayAssociations: Record<string, GatewayAssociationRecord>;
  gatewayRoutes: Record<string, GatewayRouteRecord>;
}

export type DaemonTaskDefinitionRecord = DaemonTaskDefinition & {
  daemonTaskDefinitionArn: string;
  family: string;
  revision: number;
};

export interface DaemonRecord {
  daemonArn: string;
  daemonName: string;
  clusterArn: string;
  status: 'ACTIVE' | 'DELETE_IN_PROGRESS';
  createdAt: Date;
  updatedAt: Date;
  /** The revision new daemon tasks run, and the deployment that brings it. */
  revisionArn: string;
  deploymentArn: string;
  capacityProviderArns: string[];
  deploymentConfiguration: DaemonDeploymentConfiguration;
  revisionCount: number;
}

export type DaemonDeploymentRecord = DaemonDeployment & { daemonDeploymentArn: string; daemonArn: string };

export interface CapacityProviderRecord extends Omit<CapacityProvider, 'tags'> {
  capacityProviderArn: string;
  name: string;
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
  services: {},
  serviceDeployments: {},
  serviceRevisions: {},
  capacityProviders: {},
  daemonTaskDefinitions: {},
  daemons: {},
  daemonDeployments: {},
  daemonRevisions: {},
  expressServices: {},
  gateways: {},
  gatewayAssociations: {},
  gatewayRoutes: {},
});
