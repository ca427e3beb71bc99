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
  deletionProtectionEnabled?: boolean;
  bearerTokenAuthenticationEnabled?: boolean;
  /** PutTransformer's processors, as sent. */
  transformer?: { config: Array<Record<string, unknown>>; creationTime: number; lastModifiedTime: number };
  indexPolicy?: { policyDocument: string; lastUpdateTime: number };
  /** Syslog configurations by VPC endpoint id ('' when none). */
  syslog?: Record<string, { createdAt: number }>;
}

/** A Logs Insights query: it runs to completion when started; results are kept for reads. */
export interface QueryRecord {
  queryId: string;
  queryString: string;
  logGroupName?: string;
  /** The groups the query read (ListLogGroupsForQuery). */
  logGroupArns?: string[];
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
  /** Account policies by `<policyType>/<policyName>`. */
  accountPolicies: Record<string, AccountPolicyRecord>;
  deliverySources: Record<string, ArnRecord>;
  deliveryDestinations: Record<string, ArnRecord & { policy?: string }>;
  deliveries: Record<string, ArnRecord>;
  /** Records of the analytics families (anomaly detectors, lookup tables, scheduled queries,
   * integrations, import tasks, S3 table sources), by family then by id or ARN. */
  records: Record<string, Record<string, ArnRecord>>;
  storageTier?: { storageTier: string; lastUpdatedTime: number };
}

export interface AccountPolicyRecord {
  policyName: string;
  policyDocument: string;
  policyType: string;
  scope: string;
  selectionCriteria?: string;
  lastUpdatedTime: number;
}

/** A recorded resource: its ARN, tags, and the fields AWS returns for it. */
export interface ArnRecord {
  arn: string;
  tags: Record<string, string>;
  fields: Record<string, unknown>;
}

export const emptyLogsState = (): LogsState => ({
  groups: {},
  queries: {},
  queryDefinitions: {},
  resourcePolicies: {},
  destinations: {},
  exportTasks: {},
  dataProtection: {},
  accountPolicies: {},
  deliverySources: {},
  deliveryDestinations: {},
  deliveries: {},
  records: {},
});
