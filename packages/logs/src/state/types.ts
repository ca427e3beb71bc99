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
}

export interface LogsState {
  groups: Record<string, GroupRecord>;
}

export const emptyLogsState = (): LogsState => ({ groups: {} });
