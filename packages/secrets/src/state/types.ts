/** What the secrets plugin stores per account and region. Timestamps are `Date`s. */

export interface SecretVersion {
  versionId: string;
  secretString?: string;
  /** Base64, as it travels in the JSON protocol. */
  secretBinary?: string;
  createdDate: Date;
  lastAccessedDate?: Date;
  stages: string[];
}

export interface SecretRecord {
  arn: string;
  name: string;
  description?: string;
  kmsKeyId?: string;
  createdDate: Date;
  lastChangedDate: Date;
  lastAccessedDate?: Date;
  /** When the secret is purged; set while it is scheduled for deletion. */
  deletionDate?: Date;
  /** When DeleteSecret was called. */
  deletedDate?: Date;
  tags: { Key: string; Value: string }[];
  versions: Record<string, SecretVersion>;
  /** Version ids in creation order. */
  versionOrder: string[];
  resourcePolicy?: string;
  /** On a primary: the regions it is replicated to (this Dockside's partitions of the same account). */
  replicas?: Array<{ region: string; kmsKeyId?: string; status: 'InSync' | 'Failed'; statusMessage: string }>;
  /** On a replica: the region of its primary (read-only until StopReplicationToReplica). */
  primaryRegion?: string;
  rotation?: {
    enabled: boolean;
    lambdaArn?: string;
    rules?: { AutomaticallyAfterDays?: number; Duration?: string; ScheduleExpression?: string };
    lastRotatedDate?: Date;
  };
}

export interface ParameterVersion {
  version: number;
  value: string;
  type: 'String' | 'StringList' | 'SecureString';
  keyId?: string;
  description?: string;
  allowedPattern?: string;
  tier: string;
  dataType: string;
  policies: string[];
  lastModifiedDate: Date;
  lastModifiedUser: string;
  labels: string[];
}

export interface ParameterRecord {
  name: string;
  arn: string;
  /** Every version, oldest first; the last is current. */
  history: ParameterVersion[];
  tags: { Key: string; Value: string }[];
}

export interface SecretsState {
  secrets: Record<string, SecretRecord>;
  parameters: Record<string, ParameterRecord>;
}

export const emptySecretsState = (): SecretsState => ({ secrets: {}, parameters: {} });

const TIMESTAMPS = new Set([
  'createdDate',
  'lastAccessedDate',
  'lastChangedDate',
  'deletionDate',
  'deletedDate',
  'lastRotatedDate',
  'lastModifiedDate',
]);

/**
 * Stores written before timestamps were `Date`s held epoch milliseconds: tag those as Dates,
 * so a --data-dir from an earlier Dockside restores unchanged.
 */
export function normaliseTimestamps(value: unknown): void {
  if (!value || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    // The snapshot's own tagged form of a Date, which Store.restore decodes.
    if (typeof v === 'number' && TIMESTAMPS.has(k)) (value as Record<string, unknown>)[k] = { $date: v };
    else normaliseTimestamps(v);
  }
}
