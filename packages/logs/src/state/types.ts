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

/** A Logs Insights query: it runs to completion when started; results are kept for reads. */
export interface QueryRecord {
  queryId: string;
  queryString: string;
  logGroupName?: string;
  createTime: number;
  status: 'Complete' | 'Cancelled';
  results: Array<Array<{ field: string; value: string }>>;
  statistics: { recordsMatched: number; recordsScanned: number; bytesScanned: number };
  /** `@ptr` → the record's fields, for GetLogRecord. */
  records: Record<string, Record<string, string>>;
}

export interface QueryDefinitionRecord {
  queryDefinitionId: string;
  name: string;
  queryString: string;
  logGroupNames: string[];
  queryLanguage: string;
  lastModified: number;
}

export interface ResourcePolicyRecord {
  policyName: string;
  policyDocument: string;
  lastUpdatedTime: number;
  revisionId: string;
}

export interface DestinationRecord {
  destinationName: string;
  targetArn: string;
  roleArn: string;
  accessPolicy?: string;
  arn: string;
  creationTime: number;
}

export interface ExportTaskRecord {
  taskId: string;
  taskName?: string;
  logGroupName: string;
  from: number;
  to: number;
  destination: string;
  destinationPrefix: string;
  status: { code: string; message: string };
  creationTime: number;
  completionTime?: number;
}

export interface LogsState {
  groups: Record<string, GroupRecord>;
  queries: Record<string, QueryRecord>;
  queryDefinitions: Record<string, QueryDefinitionRecord>;
  resourcePolicies: Record<string, ResourcePolicyRecord>;
  destinations: Record<string, DestinationRecord>;
  exportTasks: Record<string, ExportTaskRecord>;
  /** Data protection policies by log group name. */
  dataProtection: Record<string, { policyDocument: string; lastUpdatedTime: number }>;
}

export const emptyLogsState = (): LogsState => ({
  groups: {},
  queries: {},
  queryDefinitions: {},
  resourcePolicies: {},
  destinations: {},
  exportTasks: {},
  dataProtection: {},
});
