/**
 * The ECS agent of the EC2 instances the ec2 plugin launches: an instance whose user data sets
 * `ECS_CLUSTER=<name>` (as the ECS-optimized AMI's agent reads /etc/ecs/ecs.config), or that runs
 * an ECS-optimized AMI (then the `default` cluster), registers as a container instance of that
 * cluster with its instance type's CPU and memory; its agent disconnects while the instance is
 * stopped and the registration goes when it is terminated.
 */
import { ecsRegisteredMemory, type Bus, type Logger } from '@dockside/core';
import type { Ec2InstanceChange } from '@dockside/ec2';
import { registerInstance } from '../domain/container-instances';
import type { EcsDomain } from '../domain/context';

/** `ECS_CLUSTER=name` anywhere in the user data (`echo ECS_CLUSTER=name >> /etc/ecs/ecs.config`, a cloud-init file…). */
const CLUSTER = /\bECS_CLUSTER=["']?([A-Za-z0-9_-]{1,255})/;

export function clusterOfUserData(userData: string, ecsOptimized: boolean): string | undefined {
  return CLUSTER.exec(userData)?.[1] ?? (ecsOptimized ? 'default' : undefined);
}

export function startInstanceAgent(d: EcsDomain, bus: Bus, logger: Logger): () => void {
  return bus.subscribe('ec2.instance', (e: Ec2InstanceChange) => {
    const state = d.stateOf(e);
    const mine = Object.values(state.containerInstances).find(
      (ci) => ci.ec2InstanceId === e.instanceId && ci.status !== 'INACTIVE',
    );
    if (mine) {
      if (e.state === 'terminated') mine.status = 'INACTIVE';
      mine.agentConnected = e.state === 'running';
      mine.version = (mine.version ?? 0) + 1;
      d.index.touch();
      return;
    }
    if (e.state !== 'running') return;
    const name = clusterOfUserData(e.userData, e.ecsOptimized);
    if (!name) return;
    const cluster = state.clusters[name];
    if (!cluster || cluster.status !== 'ACTIVE') {
      logger.warn(
        { instanceId: e.instanceId, cluster: name },
        'the instance agent found no such ECS cluster; not registered',
      );
      return;
    }
    registerInstance(
      state,
      e,
      cluster,
      {
        ec2InstanceId: e.instanceId,
        availabilityZone: e.availabilityZone,
        totalResources: [
          { name: 'CPU', type: 'INTEGER', integerValue: e.vcpus * 1024 },
          { name: 'MEMORY', type: 'INTEGER', integerValue: ecsRegisteredMemory(e.memoryMiB) },
        ],
      },
      { ...d.virtualInstance, instanceType: e.instanceType },
    );
  });
}
