/** Finding repositories and describing them as the API does. */
import type * as ECR from '@aws-sdk/client-ecr';
import { invalidParameter, repositoryNotFound } from '../errors';
import type { EcrState, RepositoryRecord } from '../state/types';
import { checkRepositoryAccess } from './policy';

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

/**
 * A repository read by a pull-side operation: in the registry `registryId` names (possibly another
 * account's), checked against its repository policy for the caller (`checkRepositoryAccess`).
 */
export function readableRepository(
  stateOf: (where: Where) => EcrState,
  ctx: Where & { principal?: string },
  name: string | undefined,
  registryId: string | undefined,
  action: string,
): RepositoryRecord {
  const registry = registryOf(ctx, registryId);
  const owner = { accountId: registry, region: ctx.region };
  const repo = getRepository(stateOf(owner), owner, name, registry);
  checkRepositoryAccess(repo, { accountId: ctx.accountId, arn: ctx.principal }, action);
  return repo;
}
