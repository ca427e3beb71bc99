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

declare module '@dockside/core' {
  interface DocksideServices {
    ec2: Ec2Calls;
  }
}
