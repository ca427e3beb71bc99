/**
 * awsvpc networking through the EC2 plugin, when it is loaded: a task's ENI is a real EC2 network
 * interface in its subnet (address from the subnet's CIDR, deleted when the task stops), and
 * RunTask / CreateService check their subnets and security groups as ECS does. Without the EC2
 * plugin, ENIs come from Dockside's own subnet pool (runtime/subnets.ts).
 */
import type * as ECS from '@aws-sdk/client-ecs';
import type { Bus } from '@dockside/core';
import { isServiceError } from '@dockside/core';
import type {} from '@dockside/ec2';
import { invalidParameter } from '../errors';
import type { TaskRecord } from '../state/types';
import { type Lease, parseCidr } from './subnets';

const whereOf = (task: TaskRecord) => {
  const [, , , region, accountId] = task.taskArn.split(':');
  return { accountId, region };
};

const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** An EC2 network interface for the task's ENI attachment; undefined when the subnet is full. */
export async function createTaskEni(
  bus: Bus,
  task: TaskRecord,
  subnetId: string,
  attachmentId: string,
): Promise<Lease | undefined> {
  const where = whereOf(task);
  const subnet = (await bus.call('ec2', 'DescribeSubnets', { SubnetIds: [subnetId] }, where)).Subnets![0];
  let eni;
  try {
    eni = (
      await bus.call(
        'ec2',
        'CreateNetworkInterface',
        {
          SubnetId: subnetId,
          ...(task.securityGroups?.length ? { Groups: task.securityGroups } : {}),
          Description: `arn:aws:ecs:${where.region}:${where.accountId}:attachment/${attachmentId}`,
        },
        where,
      )
    ).NetworkInterface!;
  } catch (e) {
    if (isServiceError(e) && e.code === 'InsufficientFreeAddressesInSubnet') return undefined;
    throw e;
  }
  const { base, prefix } = parseCidr(subnet.CidrBlock!);
  return {
    subnetId,
    cidr: subnet.CidrBlock!,
    ip: eni.PrivateIpAddress!,
    gateway: toIp(base + 1),
    prefix,
    eniId: eni.NetworkInterfaceId,
    macAddress: eni.MacAddress,
  };
}

export async function deleteTaskEni(bus: Bus, task: TaskRecord, lease: Lease): Promise<void> {
  if (!lease.eniId) return;
  await bus
    .call('ec2', 'DeleteNetworkInterface', { NetworkInterfaceId: lease.eniId }, whereOf(task))
    .catch(() => undefined);
}

/** ECS's checks of an awsvpc configuration's subnets and security groups against EC2. */
export async function checkAwsvpc(
  bus: Bus,
  where: { accountId: string; region: string },
  vpc: ECS.AwsVpcConfiguration | undefined,
): Promise<void> {
  if (!vpc || !bus.isLoaded('ec2')) return;
  const vpcs = new Set<string>();
  for (const id of vpc.subnets ?? []) {
    try {
      const s = (await bus.call('ec2', 'DescribeSubnets', { SubnetIds: [id] }, where)).Subnets![0];
      vpcs.add(s.VpcId!);
    } catch (e) {
      if (!isServiceError(e)) throw e;
      throw invalidParameter(`Error retrieving subnet information for [${id}]: ${e.message} (ErrorCode: ${e.code})`);
    }
  }
  if (vpcs.size > 1) throw invalidParameter('The subnets specified must be in the same VPC.');
  for (const id of vpc.securityGroups ?? []) {
    try {
      const g = (await bus.call('ec2', 'DescribeSecurityGroups', { GroupIds: [id] }, where)).SecurityGroups![0];
      if (vpcs.size && !vpcs.has(g.VpcId!))
        throw invalidParameter(`Security group ${id} does not belong to the VPC of the subnets.`);
    } catch (e) {
      if (!isServiceError(e) || e.code === 'InvalidParameterException') throw e;
      throw invalidParameter(
        `Error retrieving security group information for [${id}]: ${e.message} (ErrorCode: ${e.code})`,
      );
    }
  }
}
