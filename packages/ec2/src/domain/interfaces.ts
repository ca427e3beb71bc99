/**
 * Network interfaces as every EC2 resource that has one makes them (CreateNetworkInterface, an
 * instance's primary interface, a NAT gateway's, an ECS task's): an address of the subnet, taken
 * until the interface is removed.
 */
import { randomBytes } from 'node:crypto';
import { ServiceError } from '@dockside/core';
import { invalidParameterValue } from '../errors';
import type { Ec2State, NetworkInterfaceRecord, SubnetRecord } from '../state/types';
import { freeAddress, hasAddress, parseCidr } from './cidr';
import { newId } from './ids';

export type InterfaceSpec = Partial<
  Pick<NetworkInterfaceRecord, 'description' | 'interfaceType' | 'requesterId' | 'status' | 'attachment' | 'groupIds'>
> & { ip?: string };

/** A new interface in `subnet` (the given address, else the first free one), stored. */
export function allocateInterface(state: Ec2State, subnet: SubnetRecord, spec: InterfaceSpec): NetworkInterfaceRecord {
  const cidr = parseCidr(subnet.cidrBlock)!;
  const used = new Set(subnet.usedAddresses);
  let ip = spec.ip;
  if (ip) {
    if (!hasAddress(cidr, ip))
      throw invalidParameterValue(`Address ${ip} does not fall within the subnet's address range`);
    if (used.has(ip)) throw new ServiceError('InvalidIPAddress.InUse', 'The specified address is already in use.');
  } else ip = freeAddress(cidr, used);
  if (!ip) {
    throw new ServiceError(
      'InsufficientFreeAddressesInSubnet',
      `There are not enough free addresses in subnet '${subnet.subnetId}' to satisfy the requested number of instances.`,
    );
  }
  const n: NetworkInterfaceRecord = {
    networkInterfaceId: newId('eni'),
    subnetId: subnet.subnetId,
    vpcId: subnet.vpcId,
    availabilityZone: subnet.availabilityZone,
    availabilityZoneId: subnet.availabilityZoneId,
    privateIpAddress: ip,
    macAddress: `0e:${[...randomBytes(5)].map((b) => b.toString(16).padStart(2, '0')).join(':')}`,
    description: spec.description ?? '',
    groupIds: spec.groupIds ?? [],
    interfaceType: spec.interfaceType ?? 'interface',
    status: spec.status ?? 'available',
    ...(spec.requesterId ? { requesterId: spec.requesterId } : {}),
    ...(spec.attachment ? { attachment: spec.attachment } : {}),
  };
  subnet.usedAddresses.push(ip);
  state.networkInterfaces[n.networkInterfaceId] = n;
  return n;
}

/** Releases an interface's address back to its subnet and forgets it. */
export function removeInterface(state: Ec2State, n: NetworkInterfaceRecord): void {
  const subnet = state.subnets[n.subnetId];
  if (subnet) subnet.usedAddresses = subnet.usedAddresses.filter((ip) => ip !== n.privateIpAddress);
  delete state.networkInterfaces[n.networkInterfaceId];
  delete state.tags[n.networkInterfaceId];
}
