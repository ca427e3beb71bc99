export interface StoredEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
  /** Order of arrival within the group, for stable sorting and event ids. */
  seq: number;
}

export interface StreamRecord {
  logStreamName: string;
  arn: string;
  creationTime: number;
  lastIngestionTime?: number;
  /** Sorted by timestamp, then arrival. */
  events: StoredEvent[];
}

export interface MetricFilterRecord {
  filterName: string;
  filterPattern: string;
  metricTransformations: Array<Record<string, unknown>>;
  creationTime: number;
}

export interface SubscriptionFilterRecord {
  filterName: string;
  filterPattern: string;
  destinationArn: string;
  roleArn?: string;
  distribution: string;
  creationTime: number;
}

export interface GroupRecord {
  logGroupName: string;
  /** `arn:aws:logs:<region>:<account>:log-group:<name>` (the API adds `:*` for `arn`). */
  logGroupArn: string;
  creationTime: number;
  retentionInDays?: number;
  kmsKeyId?: string;
  logGroupClass: string;
  tags: Record<string, string>;
  streams: Record<string, StreamRecord>;
  seq: number;
  metricFilters: Record<string, MetricFilterRecord>;
  subscriptionFilters: Record<string, SubscriptionFilterRecord>;
}

export interface LogsState {
  groups: Record<string, GroupRecord>;
}

export const emptyLogsState = (): LogsState => ({ groups: {} });
