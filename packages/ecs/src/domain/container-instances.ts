import { randomBytes } from 'node:crypto';
import type * as ECS from '@aws-sdk/client-ecs';
import { type RequestContext } from '@dockside/core';
import type { ClusterRecord, ContainerInstanceRecord, EcsState, TaskRecord } from '../state/types';
import { ecsArn } from './arn';
import type { Where } from './context';
import { registeredResources, remainingResources } from './placement/resources';
import { PENDING_STATUSES } from './task-index';
import { tagsOf } from './tags';

/**
 * Container instances: registered by an agent (RegisterContainerInstance) or made by Dockside as
 * virtual instances of a cluster. Every instance is backed by the local container engine; tasks
 * placed on one carry its ARN and debit its resources until they stop.
 */

/** What a virtual instance (and an agent that sends no resources) registers: an m5.xlarge. */
export interface VirtualInstanceShape {
  instanceType: string;
  cpu: number;
  memory: number;
}
export const DEFAULT_VIRTUAL_INSTANCE: VirtualInstanceShape = { instanceType: 'm5.xlarge', cpu: 4096, memory: 15_600 };
export const AGENT_VERSION = '1.89.0';

export function findContainerInstance(
  state: EcsState,
  ctx: RequestContext,
  clusterName: string,
  ref: string,
): ContainerInstanceRecord | undefined {
  const arn = ref.startsWith('arn:') ? ref : ecsArn(ctx, `container-instance/${clusterName}/${ref}`);
  const ci = state.containerInstances[arn];
  return ci && ci.clusterName === clusterName ? ci : undefined;
}

export interface Registration {
  totalResources?: ECS.Resource[];
  attributes?: ECS.Attribute[];
  versionInfo?: ECS.VersionInfo;
  ec2InstanceId?: string;
  availabilityZone?: string;
  capacityProviderName?: string;
}

/** A new ACTIVE container instance of `cluster`, stored. */
export function registerInstance(
  state: EcsState,
  where: Where,
  cluster: ClusterRecord,
  r: Registration,
  shape: VirtualInstanceShape = DEFAULT_VIRTUAL_INSTANCE,
): ContainerInstanceRecord {
  const id = randomBytes(16).toString('hex');
  const arn = ecsArn(where, `container-instance/${cluster.clusterName}/${id}`);
  const ec2InstanceId = r.ec2InstanceId ?? `i-${randomBytes(9).toString('hex').slice(0, 17)}`;
  const given = new Map((r.attributes ?? []).map((a) => [a.name, a]));
  const builtIn: ECS.Attribute[] = [
    { name: 'ecs.os-type', value: 'linux' },
    { name: 'ecs.os-family', value: 'LINUX' },
    { name: 'ecs.cpu-architecture', value: 'x86_64' },
    { name: 'ecs.instance-type', value: shape.instanceType },
    { name: 'ecs.availability-zone', value: r.availabilityZone ?? `${where.region}a` },
    { name: 'ecs.ami-id', value: `ami-${createAmiSuffix(where.region)}` },
    { name: 'ecs.capability.execution-role-awslogs' },
    { name: 'ecs.capability.secrets.asm.environment-variables' },
    { name: 'ecs.capability.task-eni' },
    { name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' },
    { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.44' },
  ].filter((a) => !given.has(a.name));
  const rec: ContainerInstanceRecord = {
    containerInstanceArn: arn,
    clusterName: cluster.clusterName,
    ec2InstanceId,
    version: 1,
    versionInfo: r.versionInfo ?? {
      agentVersion: AGENT_VERSION,
      agentHash: 'dockside',
      dockerVersion: 'DockerVersion: 25.0.0',
    },
    registeredResources: registeredResources(r.totalResources, shape),
    remainingResources: [],
    status: 'ACTIVE',
    agentConnected: true,
    runningTasksCount: 0,
    pendingTasksCount: 0,
    attributes: [...builtIn, ...(r.attributes ?? [])],
    registeredAt: new Date(),
    attachments: [],
    ...(r.capacityProviderName ? { capacityProviderName: r.capacityProviderName } : {}),
  };
  state.containerInstances[arn] = rec;
  return rec;
}

/** A plausible AMI id suffix, stable per region (as the public ECS-optimized AMI parameters are). */
function createAmiSuffix(region: string): string {
  let h = 2166136261;
  for (const ch of region) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return `0${h.toString(16).padStart(8, '0')}${(h * 7).toString(16).slice(0, 8).padStart(8, '0')}`.slice(0, 17);
}

/** `n` virtual instances for a new cluster, spread over the region's first three zones. */
export function addVirtualInstances(
  state: EcsState,
  where: Where,
  cluster: ClusterRecord,
  n: number,
  shape: VirtualInstanceShape,
  capacityProviderName?: string,
): ContainerInstanceRecord[] {
  const zones = ['a', 'b', 'c'];
  // Zones continue round-robin from the instances the cluster (or provider) already has.
  const start = Object.values(state.containerInstances).filter(
    (ci) => ci.clusterName === cluster.clusterName && ci.virtual && ci.capacityProviderName === capacityProviderName,
  ).length;
  return Array.from({ length: n }, (_, i) => {
    const zone = `${where.region}${zones[(start + i) % 3]}`;
    const ci = registerInstance(state, where, cluster, { availabilityZone: zone, capacityProviderName }, shape);
    ci.virtual = true;
    return ci;
  });
}

export const containerInstanceView = (
  state: EcsState,
  ci: ContainerInstanceRecord,
  live: TaskRecord[],
  include?: string[],
): ECS.ContainerInstance => {
  const { clusterName: _c, virtual: _v, idleSince: _i, ...rest } = ci;
  return {
    ...rest,
    remainingResources: remainingResources(ci, live),
    runningTasksCount: live.filter((t) => t.lastStatus === 'RUNNING').length,
    pendingTasksCount: live.filter((t) => PENDING_STATUSES.has(t.lastStatus!)).length,
    ...(include?.includes('TAGS') ? { tags: tagsOf(state, ci.containerInstanceArn) } : {}),
  };
};
