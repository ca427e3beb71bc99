/** What the EventBridge plugin stores per account and region. */
import type * as EB from '@aws-sdk/client-eventbridge';
import type * as SCH from '@aws-sdk/client-scheduler';

/** An event as EventBridge delivers it. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
  'replay-name'?: string;
}

export interface BusRecord {
  name: string;
  arn: string;
  description?: string;
  policy?: string;
  createdAt: Date;
  kmsKeyIdentifier?: string;
  deadLetterConfig?: EB.DeadLetterConfig;
}

export interface RuleRecord {
  name: string;
  arn: string;
  bus: string;
  pattern?: string;
  schedule?: string;
  state: string;
  description?: string;
  roleArn?: string;
  managedBy?: string;
  targets: EB.Target[];
  /** Scheduled rules: the next due time by the plugin's clock (epoch ms). */
  nextFire?: number;
  /** ECS RunTask's `startedBy` for its ECS targets (default `events-rule/<name>`). */
  startedBy?: string;
}

export interface ArchiveRecord {
  name: string;
  arn: string;
  sourceArn: string;
  description?: string;
  pattern?: string;
  retentionDays: number;
  state: string;
  createdAt: Date;
  events: Array<{ at: number; event: BusEvent }>;
}

export interface ReplayRecord {
  name: string;
  arn: string;
  archiveArn: string;
  description?: string;
  destination: EB.ReplayDestination;
  eventStartTime: Date;
  eventEndTime: Date;
  state: string;
  stateReason?: string;
  replayStartTime: Date;
  replayEndTime?: Date;
  eventLastReplayedTime?: Date;
}

/** One delivery attempt to a target, kept for introspection. */
export interface Delivery {
  at: string;
  bus: string;
  rule: string;
  targetId: string;
  targetArn: string;
  eventId: string;
  attempt: number;
  outcome: 'delivered' | 'failed' | 'retrying';
  detail?: string;
}

/** An EventBridge Scheduler schedule. */
export interface ScheduleRecord {
  name: string;
  group: string;
  arn: string;
  expression: string;
  timezone: string;
  startDate?: Date;
  endDate?: Date;
  description?: string;
  state: string;
  kmsKeyArn?: string;
  target: SCH.Target;
  flexibleTimeWindow: SCH.FlexibleTimeWindow;
  actionAfterCompletion: string;
  creationDate: Date;
  lastModificationDate: Date;
  /** The next invocation by the plugin's clock (epoch ms), or none left. */
  nextFire?: number;
}

export interface ScheduleGroupRecord {
  name: string;
  arn: string;
  state: string;
  creationDate: Date;
  lastModificationDate: Date;
}

export interface EventsState {
  buses: Record<string, BusRecord>;
  /** `<bus>|<rule>` → rule */
  rules: Record<string, RuleRecord>;
  archives: Record<string, ArchiveRecord>;
  replays: Record<string, ReplayRecord>;
  connections: Record<
    string,
    EB.DescribeConnectionResponse & { authParameters?: EB.CreateConnectionAuthRequestParameters }
  >;
  apiDestinations: Record<string, EB.DescribeApiDestinationResponse>;
  tags: Record<string, EB.Tag[]>;
  recent: Record<string, BusEvent[]>;
  deliveries: Delivery[];
  /** Scheduler: `<group>|<name>` → schedule */
  schedules: Record<string, ScheduleRecord>;
  scheduleGroups: Record<string, ScheduleGroupRecord>;
  /** Scheduler tags by schedule group ARN. */
  schedulerTags: Record<string, SCH.Tag[]>;
}

export const emptyEventsState = (): EventsState => ({
  buses: {},
  rules: {},
  archives: {},
  replays: {},
  connections: {},
  apiDestinations: {},
  tags: {},
  recent: {},
  deliveries: [],
  schedules: {},
  scheduleGroups: {},
  schedulerTags: {},
});
