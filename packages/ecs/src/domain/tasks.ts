import { randomBytes, randomUUID } from 'node:crypto';
import type * as ECS from '@aws-sdk/client-ecs';
import { clone, type RequestContext } from '@dockside/core';
import { invalidParameter } from '../errors';
import { applyOverride } from '../runtime/docker-spec';
import { newContainerArn } from '../runtime/task-records';
import type {
  ClusterRecord,
  ContainerInstanceRecord,
  EcsState,
  TaskDefinitionRecord,
  TaskRecord,
} from '../state/types';
import { ecsArn } from './arn';
import { setTags, tagsOf } from './tags';
import { TASK_ARCHITECTURE } from './stopped-task';

const invalid = (message: string) => invalidParameter(message);

/** Host ports a task holds on the machine: fixed bridge host ports, and every port in host mode. */
export function fixedHostPorts(td: TaskDefinitionRecord): string[] {
  const mode = td.networkMode ?? 'bridge';
  if (mode !== 'bridge' && mode !== 'host') return [];
  const out: string[] = [];
  for (const c of td.containerDefinitions ?? []) {
    for (const p of c.portMappings ?? []) {
      const port = mode === 'host' ? p.containerPort : p.hostPort;
      if (port) out.push(`${port}/${p.protocol ?? 'tcp'}`);
    }
  }
  return out;
}
/** Whether a fixed host port of `definition` is held by a live task (one machine runs every task). */
export function portsConflict(state: EcsState, definition: TaskDefinitionRecord): boolean {
  const wanted = fixedHostPorts(definition);
  if (!wanted.length) return false;
  const held = new Set(
    Object.values(state.tasks)
      .filter((x) => x.lastStatus !== 'STOPPED')
      .flatMap((x) => fixedHostPorts(x.definition)),
  );
  return wanted.some((p) => held.has(p));
}

/** The index of the first task whose ARN sorts after `after`, in tasks sorted by ARN (binary search). */
export function firstAfter(sorted: TaskRecord[], after: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid].taskArn! <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The API view of a task: the record without Dockside's own bookkeeping. */
export function taskView(state: EcsState, t: TaskRecord, withTags: boolean): ECS.Task {
  const {
    definition: _d,
    runtimeIds: _r,
    clientToken: _c,
    everHealthy: _h,
    startJudged: _j,
    loadBalancerTargets: _l,
    roleCredentials: _rc,
    securityGroups: _sg,
    ...task
  } = t;
  const view = clone(task) as ECS.Task;
  view.tags = withTags ? tagsOf(state, t.taskArn) : [];
  return view;
}

export function findTask(
  state: EcsState,
  ctx: RequestContext,
  cluster: ClusterRecord,
  ref: string,
): TaskRecord | undefined {
  const arn = ref.startsWith('arn:') ? ref : ecsArn(ctx, `task/${cluster.clusterName}/${ref}`);
  const t = state.tasks[arn];
  return t && t.clusterArn === cluster.clusterArn ? t : undefined;
}

/** Every provider of a given strategy must be associated with the cluster, FARGATE included. */
export function checkStrategyAssociated(
  strategy: ECS.CapacityProviderStrategyItem[] | undefined,
  cluster: ClusterRecord,
): void {
  if (strategy?.some((s) => !cluster.capacityProviders?.includes(s.capacityProvider ?? ''))) {
    throw invalid(
      'The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.',
    );
  }
}

export function launchTypeFor(
  input: Pick<ECS.RunTaskRequest, 'launchType' | 'capacityProviderStrategy'>,
  cluster: ClusterRecord,
): { launchType: ECS.LaunchType; capacityProviderName?: string; strategy?: ECS.CapacityProviderStrategyItem[] } {
  if (input.launchType) return { launchType: input.launchType };
  const strategy = input.capacityProviderStrategy?.length
    ? input.capacityProviderStrategy
    : cluster.defaultCapacityProviderStrategy;
  if (strategy?.length) {
    checkStrategyAssociated(input.capacityProviderStrategy, cluster);
    if (strategy.length > 20) throw invalid('capacityProviderStrategy cannot have more than 20 elements.');
    if (!strategy.some((s) => (s.weight ?? 0) > 0) && !strategy.some((s) => (s.base ?? 0) > 0))
      throw invalid(
        'The capacity provider strategy must have at least one capacity provider with a weight greater than 0.',
      );
    const fargate = strategy.filter((s) => s.capacityProvider?.startsWith('FARGATE')).length;
    if (fargate && fargate !== strategy.length)
      throw invalid(
        'The specified capacity provider strategy cannot contain a mix of capacity providers using Auto Scaling groups and Fargate providers. Specify one or the other and try again.',
      );
    // The first provider a task goes to (base, else weight) names the service's or a single task's provider.
    const pick = strategy.find((s) => (s.base ?? 0) > 0) ?? strategy.find((s) => (s.weight ?? 0) > 0) ?? strategy[0];
    return { launchType: fargate ? 'FARGATE' : 'EC2', capacityProviderName: pick.capacityProvider!, strategy };
  }
  return { launchType: 'EC2' };
}

/**
 * Tasks run without overrides share one copy of their task definition (a task never changes its
 * definition): 1,000 stopped tasks of one family hold one copy instead of 1,000 (bench/scale.mjs).
 */
const unchanged = new WeakMap<TaskDefinitionRecord, TaskDefinitionRecord>();

const hasOverrides = (o: ECS.TaskOverride | undefined) =>
  Boolean(o && (o.containerOverrides?.length || o.taskRoleArn || o.executionRoleArn || o.cpu || o.memory));

/** The task definition as this task runs it: overrides applied. */
export function effectiveDefinition(
  td: TaskDefinitionRecord,
  overrides: ECS.TaskOverride | undefined,
): TaskDefinitionRecord {
  if (!hasOverrides(overrides)) {
    let shared = unchanged.get(td);
    if (!shared) unchanged.set(td, (shared = clone(td)));
    return shared;
  }
  const byName = new Map((overrides?.containerOverrides ?? []).map((o) => [o.name, o]));
  return {
    ...clone(td),
    containerDefinitions: (td.containerDefinitions ?? []).map((d) => applyOverride(clone(d), byName.get(d.name))),
    ...(overrides?.taskRoleArn ? { taskRoleArn: overrides.taskRoleArn } : {}),
    ...(overrides?.executionRoleArn ? { executionRoleArn: overrides.executionRoleArn } : {}),
    ...(overrides?.cpu ? { cpu: overrides.cpu } : {}),
    ...(overrides?.memory ? { memory: overrides.memory } : {}),
  };
}

export function checkRunTask(
  input: Omit<ECS.RunTaskRequest, 'taskDefinition'>,
  td: TaskDefinitionRecord,
  launchType: ECS.LaunchType,
) {
  const count = input.count ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > 10) throw invalid('count must be between 1 and 10.');
  if (input.launchType && input.capacityProviderStrategy?.length) {
    throw invalid('Specifying both a launch type and capacity provider strategy is not supported.');
  }
  if (td.status !== 'ACTIVE') throw invalid(`TaskDefinition is inactive`);
  if (launchType === 'FARGATE' && !td.compatibilities?.includes('FARGATE'))
    throw invalid('Task definition does not support launch_type FARGATE.');
  const awsvpc = td.networkMode === 'awsvpc';
  if (awsvpc && !input.networkConfiguration?.awsvpcConfiguration) {
    throw invalid(`Network Configuration must be provided when networkMode 'awsvpc' is specified.`);
  }
  if (!awsvpc && input.networkConfiguration) {
    throw invalid(`Network Configuration is not valid for the given networkMode of this task definition.`);
  }
  const vpc = input.networkConfiguration?.awsvpcConfiguration;
  if (awsvpc && vpc) {
    if (!vpc.subnets?.length) throw invalid('subnets can not be empty.');
    if (vpc.subnets.length > 16) throw invalid('subnets can have at most 16 items.');
    if ((vpc.securityGroups ?? []).length > 5) throw invalid('securityGroups can have at most 5 items.');
    for (const id of vpc.subnets) {
      if (!/^subnet-[0-9a-f]{8,17}$/.test(id)) {
        throw invalid(
          `Error retrieving subnet information for [${id}]: The subnet ID '${id}' does not exist (ErrorCode: InvalidSubnetID.NotFound)`,
        );
      }
    }
    for (const id of vpc.securityGroups ?? []) {
      if (!/^sg-[0-9a-f]{8,17}$/.test(id)) {
        throw invalid(
          `Error retrieving security group information for [${id}]: The security group '${id}' does not exist (ErrorCode: InvalidGroup.NotFound)`,
        );
      }
    }
    if (vpc.assignPublicIp === 'ENABLED' && launchType !== 'FARGATE')
      throw invalid('Assign public IP is not supported for this launch type.');
  }
  const names = new Set((td.containerDefinitions ?? []).map((c) => c.name));
  for (const o of input.overrides?.containerOverrides ?? []) {
    if (!names.has(o.name))
      throw invalid(`Override for container named ${o.name} is not a container in the TaskDefinition.`);
  }
  if ((input.startedBy ?? '').length > 128) throw invalid('startedBy must be at most 128 characters.');
  if (input.propagateTags === 'SERVICE')
    throw invalid('The propagateTags value SERVICE is only valid for tasks started by a service.');
  for (const v of input.volumeConfigurations ?? []) {
    const declared = td.volumes?.find((x) => x.name === v.name);
    if (!declared?.configuredAtLaunch)
      throw invalid(
        `The volume '${v.name}' in volumeConfigurations is not a volume configured at launch in the task definition.`,
      );
  }
}

/** How a task is started: by RunTask, or by a service's scheduler. */
export interface TaskLaunch {
  launchType: ECS.LaunchType;
  /**
   * When the call that starts it was made: the tasks of one RunTask share one Date (a stopped
   * task is kept for long, and each Date is ~100 bytes of it). Now, if not given.
   */
  createdAt?: Date;
  capacityProviderName?: string;
  group: string;
  startedBy?: string;
  overrides?: ECS.TaskOverride;
  platformVersion?: string;
  enableExecuteCommand?: boolean;
  clientToken?: string;
  subnets?: string[];
  volumeConfigurations?: ECS.TaskVolumeConfiguration[];
  tags: ECS.Tag[];
  /** ECS managed tags (`aws:ecs:…`), set by the service scheduler. */
  systemTags?: ECS.Tag[];
  /** The container instance placement chose (EC2 launch type). */
  containerInstance?: ContainerInstanceRecord;
  /** awsvpc: the security groups of the task's ENI. */
  securityGroups?: string[];
}

/** A new task record (PROVISIONING), stored in `state`; the caller hands it to the runtime. */
export function createTaskRecord(
  state: EcsState,
  ctx: Pick<RequestContext, 'accountId' | 'region'>,
  cluster: ClusterRecord,
  td: TaskDefinitionRecord,
  definition: TaskDefinitionRecord,
  l: TaskLaunch,
): TaskRecord {
  const launchType = l.launchType;
  const capacityProviderName = l.capacityProviderName;
  const id = randomBytes(16).toString('hex');
  const taskArn = ecsArn(ctx, `task/${cluster.clusterName}/${id}`);
  setTags(state, taskArn, l.tags, { replace: true, system: l.systemTags });
  const fargate = launchType === 'FARGATE';
  const task: TaskRecord = {
    taskArn,
    clusterArn: cluster.clusterArn,
    taskDefinitionArn: td.taskDefinitionArn,
    definition,
    runtimeIds: {},
    attachments: [],
    attributes: [{ ...TASK_ARCHITECTURE }],
    availabilityZone:
      l.containerInstance?.attributes.find((a) => a.name === 'ecs.availability-zone')?.value ?? `${ctx.region}a`,
    ...(l.containerInstance ? { containerInstanceArn: l.containerInstance.containerInstanceArn } : {}),
    ...(l.securityGroups?.length ? { securityGroups: [...l.securityGroups] } : {}),
    containers: [],
    overrides: {
      containerOverrides: l.overrides?.containerOverrides ?? [],
      inferenceAcceleratorOverrides: l.overrides?.inferenceAcceleratorOverrides ?? [],
      ...(l.overrides?.taskRoleArn ? { taskRoleArn: l.overrides.taskRoleArn } : {}),
      ...(l.overrides?.executionRoleArn ? { executionRoleArn: l.overrides.executionRoleArn } : {}),
      ...(l.overrides?.cpu ? { cpu: l.overrides.cpu } : {}),
      ...(l.overrides?.memory ? { memory: l.overrides.memory } : {}),
    },
    lastStatus: 'PROVISIONING',
    desiredStatus: 'RUNNING',
    createdAt: l.createdAt ?? new Date(),
    group: l.group,
    launchType,
    ...(capacityProviderName ? { capacityProviderName } : {}),
    ...(l.startedBy ? { startedBy: l.startedBy } : {}),
    ...(definition.cpu ? { cpu: definition.cpu } : {}),
    ...(definition.memory ? { memory: definition.memory } : {}),
    ...(fargate
      ? {
          platformVersion: l.platformVersion && l.platformVersion !== 'LATEST' ? l.platformVersion : '1.4.0',
          platformFamily: 'Linux',
          ephemeralStorage: { sizeInGiB: 20 },
        }
      : {}),
    enableExecuteCommand: Boolean(l.enableExecuteCommand),
    healthStatus: 'UNKNOWN',
    version: 1,
    ...(l.clientToken ? { clientToken: l.clientToken } : {}),
  };
  task.containers = (definition.containerDefinitions ?? []).map((d) => ({
    containerArn: newContainerArn(task),
    taskArn,
    name: d.name,
    image: d.image,
    lastStatus: 'PENDING',
    networkInterfaces: [],
    cpu: String(d.cpu ?? 0),
    ...(d.memory !== undefined ? { memory: String(d.memory) } : {}),
    ...(d.memoryReservation !== undefined ? { memoryReservation: String(d.memoryReservation) } : {}),
    ...(d.healthCheck ? { healthStatus: 'UNKNOWN' as const } : {}),
  }));
  const subnets = l.subnets;
  if (definition.networkMode === 'awsvpc' && subnets?.length) {
    // The ENI is made during PROVISIONING; its address and id arrive on DescribeTasks.
    task.attachments!.push({
      id: randomUUID(),
      type: 'ElasticNetworkInterface',
      status: 'PRECREATED',
      details: [{ name: 'subnetId', value: subnets[0] }],
    });
  }
  for (const v of l.volumeConfigurations ?? []) {
    task.attachments!.push({
      id: randomBytes(16).toString('hex'),
      type: 'AmazonElasticBlockStorage',
      status: 'ATTACHED',
      details: [
        { name: 'volumeName', value: v.name },
        { name: 'volumeId', value: `vol-${randomBytes(9).toString('hex').slice(0, 17)}` },
        { name: 'sizeInGiB', value: String(v.managedEBSVolume?.sizeInGiB ?? 20) },
        { name: 'volumeType', value: v.managedEBSVolume?.volumeType ?? 'gp3' },
      ],
    });
  }
  state.tasks[taskArn] = task;
  return task;
}
