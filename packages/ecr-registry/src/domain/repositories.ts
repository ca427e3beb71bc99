/** Finding repositories and describing them as the API does. */
import type * as ECR from '@aws-sdk/client-ecr';
import { invalidParameter, repositoryNotFound } from '../errors';
import type { EcrState, RepositoryRecord } from '../state/types';

export interface Where {
  accountId: string;
  region: string;
}

/** Where an operation acts: the caller's account, or the registryId it names (its own). */
export function registryOf(where: Where, registryId?: string): string {
  if (registryId !== undefined && !/^[0-9]{12}$/.test(registryId)) {
    throw invalidParameter(
      `Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy regular expression '[0-9]{12}''`,
    );
  }
  return registryId ?? where.accountId;
}

export function getRepository(
  s: EcrState,
  where: Where,
  name: string | undefined,
  registryId?: string,
): RepositoryRecord {
  const registry = registryOf(where, registryId);
  const repo = name ? s.repositories[name] : undefined;
  if (!repo || repo.registryId !== registry) throw repositoryNotFound(name ?? '', registry);
  return repo;
}

export function repositoryOut(repo: RepositoryRecord, uriHost: string): ECR.Repository {
  return {
    repositoryArn: repo.arn,
    registryId: repo.registryId,
    repositoryName: repo.name,
    repositoryUri: `${uriHost}/${repo.name}`,
    createdAt: repo.createdAt,
    imageTagMutability: repo.imageTagMutability as ECR.ImageTagMutability,
    imageTagMutabilityExclusionFilters: repo.exclusionFilters,
    imageScanningConfiguration: { scanOnPush: repo.scanOnPush },
    encryptionConfiguration: repo.encryption,
  };
}
