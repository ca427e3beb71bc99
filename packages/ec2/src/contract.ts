/**
 * The EC2 plugin's public contract: the operations other plugins may call through the bus
 * (ECS makes and deletes its awsvpc tasks' network interfaces and checks subnets and groups).
 * Types only.
 */
import type { Call } from '@dockside/core';
import type * as SDK from '@aws-sdk/client-ec2';

export interface Ec2Calls {
  CreateNetworkInterface: Call<SDK.CreateNetworkInterfaceRequest, SDK.CreateNetworkInterfaceResult>;
  DeleteNetworkInterface: Call<SDK.DeleteNetworkInterfaceRequest, object>;
  DescribeSubnets: Call<SDK.DescribeSubnetsRequest, SDK.DescribeSubnetsResult>;
  DescribeSecurityGroups: Call<SDK.DescribeSecurityGroupsRequest, SDK.DescribeSecurityGroupsResult>;
}

/** An instance was launched, stopped, started or terminated (the ECS plugin's agent reads it). */
export interface Ec2InstanceChange {
  accountId: string;
  region: string;
  instanceId: string;
  state: 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';
  instanceType: string;
  imageId: string;
  availabilityZone: string;
  privateIpAddress: string;
  vcpus: number;
  memoryMiB: number;
  /** The instance's user data, decoded. */
  userData: string;
  /** Whether it runs one of the ECS-optimized AMIs (whose agent registers with a cluster). */
  ecsOptimized: boolean;
  tags: Record<string, string>;
}

declare module '@dockside/core' {
  interface DocksideServices {
    ec2: Ec2Calls;
  }
  interface DocksideEvents {
    'ec2.instance': Ec2InstanceChange;
  }
}
