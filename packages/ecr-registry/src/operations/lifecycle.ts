/** Lifecycle policies: stored, previewed, and applied for real (on a tick and on demand). */
import type * as ECR from '@aws-sdk/client-ecr';
import type { RequestContext } from '@dockside/core';
import { removeImage } from '../domain/images';
import { evaluate, parsePolicy, previewResult } from '../domain/lifecycle';
import { getRepository } from '../domain/repositories';
import { lifecyclePolicyNotFound, lifecyclePreviewNotFound } from '../errors';
import type { EcrState, RepositoryRecord } from '../state/types';
import type { EcrEnv } from './context';

/** Applies a repository's policy now; returns how many images it expired or archived. */
export function applyLifecycle(repo: RepositoryRecord, now = Date.now()): number {
  if (!repo.lifecyclePolicy) return 0;
  const verdicts = evaluate(repo, parsePolicy(repo.lifecyclePolicy), now);
  for (const v of verdicts) {
    if (v.rule.action.type === 'expire') removeImage(repo, v.image.digest);
    else {
      v.image.storageClass = 'ARCHIVE';
      v.image.transitionedAt = new Date(now);
    }
  }
  return verdicts.length;
}

export function applyAll(states: Array<{ state: EcrState }>): number {
  let n = 0;
  for (const { state } of states) for (const repo of Object.values(state.repositories)) n += applyLifecycle(repo);
  return n;
}

export function lifecycleOperations(env: EcrEnv) {
  const { stateOf } = env;
  const notFound = (repo: RepositoryRecord) =>
    lifecyclePolicyNotFound(
      `Lifecycle policy does not exist for the repository with name '${repo.name}' in the registry with id '${repo.registryId}'`,
    );
  return {
    PutLifecyclePolicy(input: ECR.PutLifecyclePolicyRequest, ctx: RequestContext): ECR.PutLifecyclePolicyResponse {
      const repo = getRepository(stateOf(ctx), ctx, input.repositoryName, input.registryId);
      parsePolicy(input.lifecyclePolicyText!);
      repo.lifecyclePolicy = input.lifecyclePolicyText;
      repo.lifecycleUpdatedAt = new Date();
      return { registryId: repo.registryId, repositoryName: repo.name, lifecyclePolicyText: repo.lifecyclePolicy };
    },
    GetLifecyclePolicy(input: ECR.GetLifecyclePolicyRequest, ctx: RequestContext): ECR.GetLifecyclePolicyResponse {
      const repo = getRepository(stateOf(ctx), ctx, input.repositoryName, input.registryId);
      if (!repo.lifecyclePolicy) throw notFound(repo);
      return {
        registryId: repo.registryId,
        repositoryName: repo.name,
        lifecyclePolicyText: repo.lifecyclePolicy,
        lastEvaluatedAt: repo.lifecycleUpdatedAt,
      };
    },
    DeleteLifecyclePolicy(
      input: ECR.DeleteLifecyclePolicyRequest,
      ctx: RequestContext,
    ): ECR.DeleteLifecyclePolicyResponse {
      const repo = getRepository(stateOf(ctx), ctx, input.repositoryName, input.registryId);
      if (!repo.lifecyclePolicy) throw notFound(repo);
      const text = repo.lifecyclePolicy;
      delete repo.lifecyclePolicy;
      return {
        registryId: repo.registryId,
        repositoryName: repo.name,
        lifecyclePolicyText: text,
        lastEvaluatedAt: repo.lifecycleUpdatedAt,
      };
    },
    StartLifecyclePolicyPreview(
      input: ECR.StartLifecyclePolicyPreviewRequest,
      ctx: RequestContext,
    ): ECR.StartLifecyclePolicyPreviewResponse {
      const s = stateOf(ctx);
      const repo = getRepository(s, ctx, input.repositoryName, input.registryId);
      const text = input.lifecyclePolicyText ?? repo.lifecyclePolicy;
      if (!text) throw notFound(repo);
      const results = evaluate(repo, parsePolicy(text)).map((v) => previewResult(repo, v));
      s.previews[repo.name] = { status: 'COMPLETE', policy: text, results };
      return {
        registryId: repo.registryId,
        repositoryName: repo.name,
        lifecyclePolicyText: text,
        status: 'IN_PROGRESS',
      };
    },
    GetLifecyclePolicyPreview(
      input: ECR.GetLifecyclePolicyPreviewRequest,
      ctx: RequestContext,
    ): ECR.GetLifecyclePolicyPreviewResponse {
      const s = stateOf(ctx);
      const repo = getRepository(s, ctx, input.repositoryName, input.registryId);
      const p = s.previews[repo.name];
      if (!p)
        throw lifecyclePreviewNotFound(
          `There is no preview in progress for the repository with name '${repo.name}' in the registry with id '${repo.registryId}'`,
        );
      let results = p.results;
      if (input.imageIds?.length)
        results = results.filter((r) =>
          input.imageIds!.some((id) => id.imageDigest === r.imageDigest || r.imageTags?.includes(id.imageTag ?? '')),
        );
      return {
        registryId: repo.registryId,
        repositoryName: repo.name,
        lifecyclePolicyText: p.policy,
        status: p.status,
        previewResults: results,
        summary: {
          expiringImageTotalCount: p.results.filter((r) => r.action?.type === 'EXPIRE').length,
          transitioningImageTotalCount: p.results.filter((r) => r.action?.type === 'TRANSITION').length,
        },
      } as ECR.GetLifecyclePolicyPreviewResponse;
    },
  };
}
