/** What the ECR plugin stores per account and region. Blobs live on disk (storage/blobs.ts); manifests here, verbatim. */
import type * as ECR from '@aws-sdk/client-ecr';

export interface ImageRecord {
  digest: string;
  /** The manifest exactly as pushed (its sha256 is the digest). */
  manifest: string;
  mediaType: string;
  artifactType?: string;
  /** `subject` digest (referrers API). */
  subject?: string;
  /** Blobs (config, layers) and child manifests it references. */
  blobs: string[];
  children: string[];
  /** Manifest plus blob sizes, as DescribeImages reports it. */
  size: number;
  pushedAt: Date;
  lastPulledAt?: Date;
  storageClass: 'STANDARD' | 'ARCHIVE';
  transitionedAt?: Date;
}

export interface RepositoryRecord {
  name: string;
  arn: string;
  registryId: string;
  createdAt: Date;
  imageTagMutability: string;
  exclusionFilters?: ECR.ImageTagMutabilityExclusionFilter[];
  scanOnPush: boolean;
  encryption: ECR.EncryptionConfiguration;
  policy?: string;
  lifecyclePolicy?: string;
  lifecycleUpdatedAt?: Date;
  images: Record<string, ImageRecord>;
  /** tag → digest */
  tags: Record<string, string>;
  /** Blobs pushed or mounted into the repository, with their sizes. */
  blobs: Record<string, number>;
}

export interface LifecyclePreview {
  status: 'IN_PROGRESS' | 'COMPLETE' | 'EXPIRED' | 'FAILED';
  policy: string;
  results: ECR.LifecyclePolicyPreviewResult[];
}

export interface EcrState {
  repositories: Record<string, RepositoryRecord>;
  resourceTags: Record<string, ECR.Tag[]>;
  registryPolicy?: string;
  replication?: ECR.ReplicationConfiguration;
  scanning: ECR.RegistryScanningConfiguration;
  pullThroughCacheRules: Record<string, ECR.PullThroughCacheRule>;
  creationTemplates: Record<string, ECR.RepositoryCreationTemplate>;
  accountSettings: Record<string, string>;
  signing?: ECR.SigningConfiguration;
  pullTimeExclusions: string[];
  previews: Record<string, LifecyclePreview>;
  /** Layer uploads through the API (InitiateLayerUpload …): id → repository and bytes received. */
  uploads: Record<string, { repository: string; received: number }>;
}

export const emptyEcrState = (): EcrState => ({
  repositories: {},
  resourceTags: {},
  scanning: { scanType: 'BASIC', rules: [] },
  pullThroughCacheRules: {},
  creationTemplates: {},
  accountSettings: {},
  pullTimeExclusions: [],
  previews: {},
  uploads: {},
});
