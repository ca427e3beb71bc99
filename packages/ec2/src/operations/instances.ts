import type * as EC2 from '@aws-sdk/client-ec2';
import {
  ECS_OPTIMIZED_AMIS,
  ECS_OPTIMIZED_AMIS_PUBLISHED,
  ServiceError,
  ecsOptimizedAmiId,
  type OperationMap,
  type RequestContext,
} from '@dockside/core';
import { parseCidr } from '../domain/cidr';
import { allocateInterface, removeInterface } from '../domain/interfaces';
import { applyFilters } from '../domain/filters';
import { INSTANCE_TYPES } from '../domain/instance-types';
import { isId, newId } from '../domain/ids';
import { findGroup, findSubnet } from '../domain/network';
import { invalidParameterValue, missingParameter } from '../errors';
import type { Ec2State, InstanceRecord } from '../state/types';
import { templateData } from './launch-templates';
import { type StateOf, page, tagsFromSpecs, tagsOf, tagsView } from './common';

const MAX_PER_CALL = 20;
const STATE_CODES: Record<InstanceRecord['state'], number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};
const stateOfInstance = (s: InstanceRecord['state']): EC2.InstanceState => ({ Code: STATE_CODES[s], Name: s });

/** A stop or start: any state but terminated goes to `to`. */
const unlessTerminated =
  (to: InstanceRecord['state'], verb: string) =>
  (i: InstanceRecord): InstanceRecord['state'] => {
    if (i.state === 'terminated')
      throw new ServiceError(
        'IncorrectInstanceState',
        `The instance '${i.instanceId}' is not in a state from which it can be ${verb}.`,
      );
    return to;
  };

const instanceNotFound = (id: string) =>
  new ServiceError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);

/** The ECS-optimized images of a region, as DescribeImages shows them. */
function catalog(region: string): EC2.Image[] {
  return ECS_OPTIMIZED_AMIS.map(([path, os, arch, stem]) => ({
    ImageId: ecsOptimizedAmiId(region, path),
    Name: `${stem}-${arch}`,
    Description: `${os} ECS-optimized AMI (${arch})`,
    Architecture: arch as EC2.ArchitectureValues,
    ImageType: 'machine',
    ImageOwnerAlias: 'amazon',
    OwnerId: '591542846629',
    Public: true,
    State: 'available',
    RootDeviceName: '/dev/xvda',
    RootDeviceType: 'ebs',
    VirtualizationType: 'hvm',
    Hypervisor: 'xen',
    EnaSupport: true,
    PlatformDetails: 'Linux/UNIX',
    UsageOperation: 'RunInstances',
    CreationDate: ECS_OPTIMIZED_AMIS_PUBLISHED.toISOString(),
  }));
}

/**
 * Instances as records with EC2's state machine (a launch is running at once; stop and start;
 * terminate), each with a primary network interface in its subnet. Launches, state changes and
 * terminations are published as `ec2.instance` events: the ECS plugin registers an instance whose
 * user data sets `ECS_CLUSTER` (or that runs an ECS-optimized AMI) as a container instance.
 */
export function instanceOperations(stateOf: StateOf): OperationMap {
  const publish = (ctx: RequestContext, state: Ec2State, i: InstanceRecord) => {
    const shape = INSTANCE_TYPES[i.instanceType];
    ctx.bus.publish('ec2.instance', {
      accountId: ctx.accountId,
      region: ctx.region,
      instanceId: i.instanceId,
      state: i.state,
      instanceType: i.instanceType,
      imageId: i.imageId,
      availabilityZone: i.availabilityZone,
      privateIpAddress: i.privateIpAddress,
      vcpus: shape.vcpus,
      memoryMiB: shape.memoryMiB,
      userData: i.userData ? Buffer.from(i.userData, 'base64').toString('utf8') : '',
      ecsOptimized: catalog(ctx.region).some((img) => img.ImageId === i.imageId),
      tags: { ...tagsOf(state, i.instanceId) },
    });
  };
  const view = (state: Ec2State, ctx: RequestContext, i: InstanceRecord): EC2.Instance => {
    const tags = tagsView(state, i.instanceId);
    const dns = `ip-${i.privateIpAddress.replace(/\./g, '-')}.${ctx.region === 'us-east-1' ? 'ec2.internal' : `${ctx.region}.compute.internal`}`;
    const live = i.state !== 'terminated';
    return {
      InstanceId: i.instanceId,
      ImageId: i.imageId,
      InstanceType: i.instanceType as EC2._InstanceType,
      State: stateOfInstance(i.state),
      LaunchTime: i.launchTime,
      Placement: { AvailabilityZone: i.availabilityZone, Tenancy: 'default', GroupName: '' },
      Monitoring: { State: 'disabled' },
      Architecture: 'x86_64',
      Hypervisor: 'xen',
      VirtualizationType: 'hvm',
      RootDeviceType: 'ebs',
      RootDeviceName: '/dev/xvda',
      PlatformDetails: 'Linux/UNIX',
      AmiLaunchIndex: 0,
      ...(live
        ? {
            SubnetId: i.subnetId,
            VpcId: i.vpcId,
            PrivateIpAddress: i.privateIpAddress,
            PrivateDnsName: dns,
            SecurityGroups: i.groupIds.map((id) => ({ GroupId: id, GroupName: state.securityGroups[id]?.groupName })),
            NetworkInterfaces: [
              {
                NetworkInterfaceId: i.networkInterfaceId,
                SubnetId: i.subnetId,
                VpcId: i.vpcId,
                PrivateIpAddress: i.privateIpAddress,
                Status: 'in-use',
                Attachment: {
                  AttachmentId: `eni-attach-${i.networkInterfaceId.slice(4)}`,
                  DeviceIndex: 0,
                  Status: 'attached',
                },
              },
            ],
          }
        : { PrivateDnsName: '' }),
      ...(i.keyName ? { KeyName: i.keyName } : {}),
      ...(i.iamInstanceProfile ? { IamInstanceProfile: { Arn: i.iamInstanceProfile } } : {}),
      ...(i.clientToken ? { ClientToken: i.clientToken } : {}),
      ...(i.stateReason ? { StateTransitionReason: i.stateReason } : { StateTransitionReason: '' }),
      ...(tags.length ? { Tags: tags } : {}),
    };
  };
  const find = (state: Ec2State, id: string) => {
    const i = state.instances[id];
    if (!i) {
      if (!isId('i', id)) throw new ServiceError('InvalidInstanceID.Malformed', `Invalid id: "${id}"`);
      throw instanceNotFound(id);
    }
    return i;
  };
  const change = (
    input: { InstanceIds?: string[] },
    ctx: RequestContext,
    to: (i: InstanceRecord) => InstanceRecord['state'] | undefined,
  ): EC2.InstanceStateChange[] => {
    const state = stateOf(ctx);
    if (!input.InstanceIds?.length) throw missingParameter('instanceId');
    const all = input.InstanceIds.map((id) => find(state, id));
    return all.map((i) => {
      const previous = i.state;
      const next = to(i);
      if (next && next !== previous) {
        i.state = next;
        if (next === 'terminated' && state.networkInterfaces[i.networkInterfaceId])
          removeInterface(state, state.networkInterfaces[i.networkInterfaceId]);
        publish(ctx, state, i);
      }
      // EC2 answers with the state the change passes through.
      const shown =
        next === 'stopped' && previous !== 'stopped'
          ? 'stopping'
          : next === 'terminated' && previous !== 'terminated'
            ? 'shutting-down'
            : next === 'running' && previous !== 'running'
              ? 'pending'
              : i.state;
      return {
        InstanceId: i.instanceId,
        PreviousState: stateOfInstance(previous),
        CurrentState: stateOfInstance(shown),
      };
    });
  };
  return {
    RunInstances(request: EC2.RunInstancesRequest, ctx): EC2.Reservation {
      const state = stateOf(ctx);
      // A launch template fills what the request leaves out.
      const input: EC2.RunInstancesRequest = request.LaunchTemplate
        ? { ...(templateData(state, request.LaunchTemplate) as EC2.RunInstancesRequest), ...request }
        : request;
      if (!input.ImageId) throw missingParameter('ImageId');
      if (!isId('ami', input.ImageId))
        throw new ServiceError('InvalidAMIID.Malformed', `Invalid id: "${input.ImageId}"`);
      const min = input.MinCount ?? 1;
      const max = input.MaxCount ?? min;
      if (min < 1 || max < min)
        throw invalidParameterValue('MinCount must be at least 1 and MaxCount at least MinCount.');
      if (min > MAX_PER_CALL)
        throw new ServiceError(
          'InstanceLimitExceeded',
          `You have requested more instances (${min}) than your current instance limit of ${MAX_PER_CALL} allows for the specified instance type.`,
        );
      const instanceType = input.InstanceType ?? 'm1.small';
      if (!INSTANCE_TYPES[instanceType])
        throw invalidParameterValue(`Invalid value '${instanceType}' for InstanceType.`);
      if (input.ClientToken) {
        const again = Object.values(state.instances).filter((i) => i.clientToken === input.ClientToken);
        if (again.length)
          return {
            ReservationId: again[0].reservationId,
            OwnerId: ctx.accountId,
            Groups: [],
            Instances: again.map((i) => view(state, ctx, i)),
          };
      }
      const subnetId =
        input.SubnetId ??
        input.NetworkInterfaces?.[0]?.SubnetId ??
        Object.values(state.subnets).find(
          (s) =>
            s.defaultForAz &&
            (!input.Placement?.AvailabilityZone || s.availabilityZone === input.Placement.AvailabilityZone),
        )?.subnetId;
      if (!subnetId) throw missingParameter('SubnetId');
      const subnet = findSubnet(state, subnetId);
      const groupIds = (input.SecurityGroupIds ?? input.NetworkInterfaces?.[0]?.Groups ?? []).map(
        (id) => findGroup(state, id).groupId,
      );
      if (!groupIds.length) {
        const def = Object.values(state.securityGroups).find(
          (g) => g.vpcId === subnet.vpcId && g.groupName === 'default',
        );
        if (def) groupIds.push(def.groupId);
      }
      const cidr = parseCidr(subnet.cidrBlock)!;
      const count = Math.min(max, size(cidr) - 5 - subnet.usedAddresses.length);
      if (count < min)
        throw new ServiceError(
          'InsufficientFreeAddressesInSubnet',
          `There are not enough free addresses in subnet '${subnet.subnetId}' to satisfy the requested number of instances.`,
        );
      const tags = tagsFromSpecs(
        input.TagSpecifications?.filter((t) => t.ResourceType !== 'volume' && t.ResourceType !== 'network-interface'),
        'instance',
      );
      const reservationId = newId('r');
      const made: InstanceRecord[] = [];
      for (let n = 0; n < count; n++) {
        const eni = allocateInterface(state, subnet, { groupIds, status: 'in-use' });
        const [ip, eniId] = [eni.privateIpAddress, eni.networkInterfaceId];
        const i: InstanceRecord = {
          instanceId: newId('i'),
          reservationId,
          imageId: input.ImageId,
          instanceType,
          state: 'running',
          subnetId: subnet.subnetId,
          vpcId: subnet.vpcId,
          availabilityZone: subnet.availabilityZone,
          privateIpAddress: ip,
          networkInterfaceId: eniId,
          groupIds,
          launchTime: new Date(),
          ...(input.UserData ? { userData: input.UserData } : {}),
          ...(input.KeyName ? { keyName: input.KeyName } : {}),
          ...((input.IamInstanceProfile?.Arn ?? input.IamInstanceProfile?.Name)
            ? {
                iamInstanceProfile:
                  input.IamInstanceProfile.Arn ??
                  `arn:aws:iam::${ctx.accountId}:instance-profile/${input.IamInstanceProfile.Name}`,
              }
            : {}),
          ...(input.ClientToken ? { clientToken: input.ClientToken } : {}),
        };
        state.networkInterfaces[eniId].attachment = {
          attachmentId: `eni-attach-${eniId.slice(4)}`,
          attachTime: i.launchTime,
          deviceIndex: 0,
          instanceOwnerId: ctx.accountId,
        };
        state.instances[i.instanceId] = i;
        if (Object.keys(tags).length) state.tags[i.instanceId] = { ...tags };
        made.push(i);
      }
      for (const i of made) publish(ctx, state, i);
      return {
        ReservationId: reservationId,
        OwnerId: ctx.accountId,
        Groups: [],
        Instances: made.map((i) => ({ ...view(state, ctx, i), State: stateOfInstance('pending') })),
      };
    },
    DescribeInstances(input: EC2.DescribeInstancesRequest, ctx): EC2.DescribeInstancesResult {
      const state = stateOf(ctx);
      const listed = input.InstanceIds?.length
        ? input.InstanceIds.map((id) => find(state, id))
        : Object.values(state.instances);
      const filtered = applyFilters(
        listed,
        input.Filters,
        {
          'instance-id': (i) => i.instanceId,
          'instance-state-name': (i) => i.state,
          'instance-state-code': (i) => String(STATE_CODES[i.state]),
          'instance-type': (i) => i.instanceType,
          'image-id': (i) => i.imageId,
          'vpc-id': (i) => i.vpcId,
          'subnet-id': (i) => i.subnetId,
          'availability-zone': (i) => i.availabilityZone,
          'private-ip-address': (i) => i.privateIpAddress,
          'reservation-id': (i) => i.reservationId,
          'instance.group-id': (i) => i.groupIds,
          'key-name': (i) => i.keyName,
        },
        (i) => tagsOf(state, i.instanceId),
      );
      const { items, NextToken } = page(filtered, input);
      const byReservation = new Map<string, InstanceRecord[]>();
      for (const i of items) byReservation.set(i.reservationId, [...(byReservation.get(i.reservationId) ?? []), i]);
      return {
        Reservations: [...byReservation].map(([id, list]) => ({
          ReservationId: id,
          OwnerId: ctx.accountId,
          Groups: [],
          Instances: list.map((i) => view(state, ctx, i)),
        })),
        ...(NextToken ? { NextToken } : {}),
      };
    },
    DescribeInstanceStatus(input: EC2.DescribeInstanceStatusRequest, ctx): EC2.DescribeInstanceStatusResult {
      const state = stateOf(ctx);
      const listed = input.InstanceIds?.length
        ? input.InstanceIds.map((id) => find(state, id))
        : Object.values(state.instances);
      const shown = listed.filter((i) => input.IncludeAllInstances || i.state === 'running');
      const ok = { Status: 'ok' as const, Details: [{ Name: 'reachability' as const, Status: 'passed' as const }] };
      return {
        InstanceStatuses: shown.map((i) => ({
          InstanceId: i.instanceId,
          AvailabilityZone: i.availabilityZone,
          InstanceState: stateOfInstance(i.state),
          ...(i.state === 'running'
            ? { InstanceStatus: ok, SystemStatus: ok }
            : {
                InstanceStatus: { Status: 'not-applicable' as const },
                SystemStatus: { Status: 'not-applicable' as const },
              }),
        })),
      };
    },
    StopInstances(input: EC2.StopInstancesRequest, ctx): EC2.StopInstancesResult {
      return { StoppingInstances: change(input, ctx, unlessTerminated('stopped', 'stopped')) };
    },
    StartInstances(input: EC2.StartInstancesRequest, ctx): EC2.StartInstancesResult {
      return { StartingInstances: change(input, ctx, unlessTerminated('running', 'started')) };
    },
    TerminateInstances(input: EC2.TerminateInstancesRequest, ctx): EC2.TerminateInstancesResult {
      return { TerminatingInstances: change(input, ctx, () => 'terminated') };
    },
    DescribeImages(input: EC2.DescribeImagesRequest, ctx): EC2.DescribeImagesResult {
      const images = catalog(ctx.region);
      for (const id of input.ImageIds ?? [])
        if (!images.some((i) => i.ImageId === id))
          throw new ServiceError('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`);
      const listed = images.filter(
        (i) =>
          (!input.ImageIds?.length || input.ImageIds.includes(i.ImageId!)) &&
          (!input.Owners?.length || input.Owners.some((o) => o === 'amazon' || o === i.OwnerId)),
      );
      return {
        Images: applyFilters(
          listed,
          input.Filters,
          {
            name: (i) => i.Name,
            'image-id': (i) => i.ImageId,
            architecture: (i) => i.Architecture,
            'owner-alias': (i) => i.ImageOwnerAlias,
            'owner-id': (i) => i.OwnerId,
            state: (i) => i.State,
            'virtualization-type': (i) => i.VirtualizationType,
            'root-device-type': (i) => i.RootDeviceType,
            'image-type': (i) => i.ImageType,
            'is-public': (i) => i.Public,
          },
          () => ({}),
        ),
      };
    },
  };
}

const size = (c: { prefix: number }) => 2 ** (32 - c.prefix);
