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
  DeleteLogGroup: Call<CWL.DeleteLogGroupRequest, void>;
  PutLogEvents: Call<CWL.PutLogEventsRequest, CWL.PutLogEventsResponse>;
}

/** Log events stored by PutLogEvents (published after they are stored; live tails read these). */
export interface LogsEventsStored {
  accountId: string;
  region: string;
  logGroupName: string;
  logGroupArn: string;
  logStreamName: string;
  events: ReadonlyArray<Readonly<{ timestamp: number; message: string; ingestionTime: number }>>;
}

declare module '@dockside/core' {
  interface DocksideServices {
    logs: LogsCalls;
  }
  interface DocksideEvents {
    'logs.events': LogsEventsStored;
  }
}
