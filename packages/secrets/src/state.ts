/** What the secrets plugin stores per account and region. Timestamps are epoch milliseconds. */

export interface SecretVersion {
  versionId: string;
  secretString?: string;
  /** Base64, as it travels in the JSON protocol. */
  secretBinary?: string;
  createdDate: number;
  lastAccessedDate?: number;
  stages: string[];
}

export interface SecretRecord {
  arn: string;
  name: string;
  description?: string;
  kmsKeyId?: string;
  createdDate: number;
  lastChangedDate: number;
  lastAccessedDate?: number;
  /** When the secret is purged; set while it is scheduled for deletion. */
  deletionDate?: number;
  /** When DeleteSecret was called. */
  deletedDate?: number;
  tags: { Key: string; Value: string }[];
  versions: Record<string, SecretVersion>;
  /** Version ids in creation order. */
  versionOrder: string[];
  resourcePolicy?: string;
  rotation?: {
    enabled: boolean;
    lambdaArn?: string;
    rules?: { AutomaticallyAfterDays?: number; Duration?: string; ScheduleExpression?: string };
    lastRotatedDate?: number;
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
  lastModifiedDate: number;
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
