/** Repositories: create, describe, delete (refused when not empty unless forced), mutability, scanning, policies, tags. */
import type * as ECR from '@aws-sdk/client-ecr';
import { paginate, type RequestContext } from '@dockside/core';
import { checkRepositoryName } from '../domain/names';
import { getRepository, registryOf, repositoryOut } from '../domain/repositories';
import {
  invalidParameter,
  invalidTagParameter,
  repositoryExists,
  repositoryNotEmpty,
  repositoryNotFound,
  repositoryPolicyNotFound,
  tooManyTags,
} from '../errors';
import type { EcrState, RepositoryRecord } from '../state/types';
import type { EcrEnv } from './context';

const MUTABILITY = ['MUTABLE', 'IMMUTABLE', 'MUTABLE_WITH_EXCLUSION', 'IMMUTABLE_WITH_EXCLUSION'];

function checkMutability(m: string | undefined, filters: ECR.ImageTagMutabilityExclusionFilter[] | undefined) {
  if (m && !MUTABILITY.includes(m)) throw invalidParameter(`Invalid parameter at 'imageTagMutability': '${m}'`);
  const exclusion = m?.endsWith('_WITH_EXCLUSION');
  if (exclusion && !filters?.length) {
    throw invalidParameter(`imageTagMutabilityExclusionFilters must be specified when imageTagMutability is '${m}'`);
  }
  if (!exclusion && filters?.length) {
    throw invalidParameter(
      `imageTagMutabilityExclusionFilters can only be specified when imageTagMutability is MUTABLE_WITH_EXCLUSION or IMMUTABLE_WITH_EXCLUSION`,
    );
  }
  for (const f of filters ?? []) {
    if (!/^[0-9a-zA-Z._*-]{1,128}$/.test(f.filter ?? ''))
      throw invalidParameter(`Invalid image tag mutability exclusion filter '${f.filter}'`);
  }
}

export function setResourceTags(s: EcrState, arn: string, tags: ECR.Tag[]) {
  const current = [...(s.resourceTags[arn] ?? [])];
  for (const t of tags) {
    if (!t.Key) throw invalidTagParameter('Tag keys must not be empty');
    const i = current.findIndex((x) => x.Key === t.Key);
    if (i >= 0) current[i] = { Key: t.Key, Value: t.Value ?? '' };
    else current.push({ Key: t.Key, Value: t.Value ?? '' });
  }
  if (current.length > 50) throw tooManyTags('The repository can have at most 50 tags');
  s.resourceTags[arn] = current;
}

/** Finds a repository by its ARN (TagResource and friends). */
function byArn(s: EcrState, ctx: RequestContext, arn: string): RepositoryRecord {
  const m = /^arn:aws[\w-]*:ecr:([\w-]+):(\d{12}):repository\/(.+)$/.exec(arn);
  if (!m) throw invalidParameter(`Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'`);
  const repo = s.repositories[m[3]];
  if (!repo || repo.arn !== arn) throw repositoryNotFound(m[3], m[2]);
  return repo;
}

export function repositoryOperations(env: EcrEnv) {
  const { stateOf } = env;
  return {
    CreateRepository(input: ECR.CreateRepositoryRequest, ctx: RequestContext): ECR.CreateRepositoryResponse {
      const s = stateOf(ctx);
      const registry = registryOf(ctx, input.registryId);
      const name = input.repositoryName!;
      checkRepositoryName(name);
      if (s.repositories[name]) throw repositoryExists(name, registry);
      checkMutability(input.imageTagMutability, input.imageTagMutabilityExclusionFilters);
      const enc = input.encryptionConfiguration;
      if (enc?.kmsKey && enc.encryptionType === 'AES256')
        throw invalidParameter('A KMS key can only be specified with encryption type KMS');
      const repo: RepositoryRecord = {
        name,
        arn: `arn:aws:ecr:${ctx.region}:${registry}:repository/${name}`,
        registryId: registry,
        createdAt: new Date(),
        imageTagMutability: input.imageTagMutability ?? 'MUTABLE',
        exclusionFilters: input.imageTagMutabilityExclusionFilters,
        scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false,
        encryption: enc?.encryptionType?.startsWith('KMS')
          ? {
              encryptionType: enc.encryptionType,
              kmsKey: enc.kmsKey ?? `arn:aws:kms:${ctx.region}:${registry}:alias/aws/ecr`,
            }
          : { encryptionType: 'AES256' },
        images: {},
        tags: {},
        blobs: {},
      };
      if (input.tags?.length) setResourceTags(s, repo.arn, input.tags);
      s.repositories[name] = repo;
      return { repository: repositoryOut(repo, env.registryHost()) };
    },

    DescribeRepositories(
      input: ECR.DescribeRepositoriesRequest,
      ctx: RequestContext,
    ): ECR.DescribeRepositoriesResponse {
      const s = stateOf(ctx);
      const registry = registryOf(ctx, input.registryId);
      let repos = Object.values(s.repositories).filter((r) => r.registryId === registry);
      if (input.repositoryNames?.length)
        repos = input.repositoryNames.map((n) => getRepository(s, ctx, n, input.registryId));
      repos.sort((a, b) => a.name.localeCompare(b.name));
      const { page, nextToken } = paginate(repos, (r) => r.name, input, { defaultMax: 1000, maxLimit: 1000 });
      return { repositories: page.map((r) => repositoryOut(r, env.registryHost())), nextToken };
    },

    DeleteRepository(input: ECR.DeleteRepositoryRequest, ctx: RequestContext): ECR.DeleteRepositoryResponse {
      const s = stateOf(ctx);
      const repo = getRepository(s, ctx, input.repositoryName, input.registryId);
      if (Object.keys(repo.images).length && !input.force) throw repositoryNotEmpty(repo.name, repo.registryId);
      delete s.repositories[repo.name];
      delete s.resourceTags[repo.arn];
      env.collect();
      return { repository: repositoryOut(repo, env.registryHost()) };
    },

    PutImageTagMutability(
      input: ECR.PutImageTagMutabilityRequest,
      ctx: RequestContext,
    ): ECR.PutImageTagMutabilityResponse {
      const repo = getRepository(stateOf(ctx), ctx, input.repositoryName, input.registryId);
      checkMutability(input.imageTagMutability, input.imageTagMutabilityExclusionFilters);
      repo.imageTagMutability = input.imageTagMutability!;
      repo.exclusionFilters = input.imageTagMutabilityExclusionFilters;
      return {
        registryId: repo.registryId,
        repositoryName: repo.name,
        imageTagMutability: repo.imageTagMutability as ECR.ImageTagMutability,
        imageTagMutabilityExclusionFilters: repo.exclusionFilters,
      };
    },

    PutImageScanningConfiguration(input: ECR.PutImageScanningConfigurationRequest, ctx: RequestContext) {
      const repo = getRepository(stateOf(ctx), ctx, input.repositoryName, input.registryId);
      repo.scanOnPush = input.imageScanningConfiguration?.scanOnPush ?? false;
      return {
        registryId: repo.registryId,
        repositoryName: repo.name,
        imageScanningConfiguration: { scanOnPush: repo.scanOnPush },
      };
    },

    SetRepositoryPolicy(input: ECR.SetRepositoryPolicyRequest, ctx: RequestContext): ECR.SetRepositoryPolicyResponse {
      const repo = getRepository(stateOf(ctx), ctx, input.repositoryName, input.registryId);
      checkPolicy(input.policyText!);
      repo.policy = input.policyText;
      return { registryId: repo.registryId, repositoryName: repo.name, policyText: repo.policy };
    },
    GetRepositoryPolicy(input: ECR.GetRepositoryPolicyRequest, ctx: RequestContext): ECR.GetRepositoryPolicyResponse {
      const repo = getRepository(stateOf(ctx), ctx, input.repositoryName, input.registryId);
      if (!repo.policy)
        throw repositoryPolicyNotFound(
          `Repository policy does not exist for the repository with name '${repo.name}' in the registry with id '${repo.registryId}'`,
        );
      return { registryId: repo.registryId, repositoryName: repo.name, policyText: repo.policy };
    },
    DeleteRepositoryPolicy(
      input: ECR.DeleteRepositoryPolicyRequest,
      ctx: RequestContext,
    ): ECR.DeleteRepositoryPolicyResponse {
      const repo = getRepository(stateOf(ctx), ctx, input.repositoryName, input.registryId);
      if (!repo.policy)
        throw repositoryPolicyNotFound(
          `Repository policy does not exist for the repository with name '${repo.name}' in the registry with id '${repo.registryId}'`,
        );
      const policyText = repo.policy;
      delete repo.policy;
      return { registryId: repo.registryId, repositoryName: repo.name, policyText };
    },

    TagResource(input: ECR.TagResourceRequest, ctx: RequestContext): ECR.TagResourceResponse {
      const s = stateOf(ctx);
      setResourceTags(s, byArn(s, ctx, input.resourceArn!).arn, input.tags ?? []);
      return {};
    },
    UntagResource(input: ECR.UntagResourceRequest, ctx: RequestContext): ECR.UntagResourceResponse {
      const s = stateOf(ctx);
      const arn = byArn(s, ctx, input.resourceArn!).arn;
      s.resourceTags[arn] = (s.resourceTags[arn] ?? []).filter((t) => !input.tagKeys?.includes(t.Key!));
      return {};
    },
    ListTagsForResource(input: ECR.ListTagsForResourceRequest, ctx: RequestContext): ECR.ListTagsForResourceResponse {
      const s = stateOf(ctx);
      return { tags: s.resourceTags[byArn(s, ctx, input.resourceArn!).arn] ?? [] };
    },
  };
}

/** A policy must be a JSON document with a Statement. */
export function checkPolicy(text: string) {
  try {
    const doc = JSON.parse(text);
    if (!doc || typeof doc !== 'object' || !doc.Statement) throw new Error('no Statement');
  } catch {
    throw invalidParameter(
      "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'",
    );
  }
}
