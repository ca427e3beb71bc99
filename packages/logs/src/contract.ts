/**
 * The Logs plugin's public contract: the operations other plugins call through the bus
 * (the ECS awslogs driver uses these). Types only.
 */
import type * as CWL from '@aws-sdk/client-cloudwatch-logs';
import type { Call } from '@dockside/core';

export interface LogsCalls {
  CreateLogGroup: Call<CWL.CreateLogGroupRequest, void>;
  CreateLogStream: Call<CWL.CreateLogStreamRequest, void>;
  DescribeLogGroups: Call<CWL.DescribeLogGroupsRequest, CWL.DescribeLogGroupsResponse>;
  PutLogEvents: Call<CWL.PutLogEventsRequest, CWL.PutLogEventsResponse>;
}

declare module '@dockside/core' {
  interface DocksideServices {
    logs: LogsCalls;
  }
}
