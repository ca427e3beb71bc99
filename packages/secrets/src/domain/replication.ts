/**
 * Secrets Manager replication between the regions of this Dockside (one account): a replica is
 * a read-only copy of the primary in another region's store, refreshed after every change of the
 * primary, and promoted to a standalone secret by StopReplicationToReplica.
 */
import type * as SM from '@aws-sdk/client-secrets-manager';
import { clone, ServiceError } from '@dockside/core';
import type { SecretRecord, SecretsState } from '../state/types';

/** The store of one region of the same account. */
export type RegionState = (region: string) => SecretsState;

const arnIn = (arn: string, region: string) => arn.replace(/^(arn:aws[\w-]*:secretsmanager:)[^:]+:/, `$1${region}:`);

/** Copies the primary into each replica region (values, stages, description, tags). */
export function syncReplicas(primary: SecretRecord, region: RegionState): void {
  const primaryRegion = primary.arn.split(':')[3];
  for (const r of primary.replicas ?? []) {
    if (r.status !== 'InSync') continue;
    const copy: SecretRecord = {
      ...clone({ ...primary, replicas: undefined }),
      arn: arnIn(primary.arn, r.region),
      primaryRegion,
      ...(r.kmsKeyId ? { kmsKeyId: r.kmsKeyId } : {}),
    };
    delete copy.replicas;
    delete copy.resourcePolicy;
    region(r.region).secrets[primary.name] = copy;
  }
}

/** Adds replica regions; a region already holding a secret of that name fails unless `force`. */
export function addReplicas(
  primary: SecretRecord,
  regions: SM.ReplicaRegionType[],
  force: boolean,
  region: RegionState,
): void {
  const primaryRegion = primary.arn.split(':')[3];
  const list = (primary.replicas ??= []);
  for (const add of regions) {
    const target = add.Region!;
    if (target === primaryRegion) throw new ServiceError('InvalidParameterException', 'Invalid replica region.');
    if (list.some((r) => r.region === target)) continue;
    const existing = region(target).secrets[primary.name];
    const conflict = existing && existing.primaryRegion !== primaryRegion && !force;
    list.push({
      region: target,
      ...(add.KmsKeyId ? { kmsKeyId: add.KmsKeyId } : {}),
      status: conflict ? 'Failed' : 'InSync',
      statusMessage: conflict
        ? 'Replication failed: Secret name already exists in destination Region.'
        : 'Replication succeeded',
    });
  }
  syncReplicas(primary, region);
}

/** Removes replica regions (their copies are deleted). */
export function removeReplicas(primary: SecretRecord, regions: string[], region: RegionState): void {
  for (const target of regions) {
    const r = primary.replicas?.find((x) => x.region === target);
    if (!r) continue;
    if (r.status === 'InSync') delete region(target).secrets[primary.name];
    primary.replicas = primary.replicas!.filter((x) => x !== r);
  }
  if (!primary.replicas?.length) delete primary.replicas;
}

/** The ReplicationStatus member of responses. */
export const replicationStatus = (s: SecretRecord): SM.ReplicationStatusType[] =>
  (s.replicas ?? []).map((r) => ({
    Region: r.region,
    ...(r.kmsKeyId ? { KmsKeyId: r.kmsKeyId } : {}),
    Status: r.status,
    StatusMessage: r.statusMessage,
  }));
