/**
 * Registry-wide settings: registry policy, replication (applied for real between the regions and
 * accounts of this Dockside), scanning (recorded; there is no scanner), pull-through cache rules
 * (recorded; no upstream registry is reachable), repository creation templates, account
 * settings, signing configuration, pull-time exclusions, replication backfills.
 */
import { randomUUID } from 'node:crypto';
import type * as ECR from '@aws-sdk/client-ecr';
import { paginate, type RequestContext } from '@dockside/core';
import { findImage } from '../domain/images';
import { getRepository, registryOf } from '../domain/repositories';
import {
  imageIdNotFound,
  invalidParameter,
  pullThroughRuleExists,
  pullThroughRuleNotFound,
  registryPolicyNotFound,
  scanNotFound,
  templateExists,
  templateNotFound,
  validation,
} from '../errors';
import type { EcrEnv } from './context';
import { checkPolicy } from './repositories';

const NO_SCANNER =
  'Dockside has no image scanner: scanning configuration is recorded, and no scan findings exist for any image.';

export function registryOperations(env: EcrEnv) {
  const { stateOf } = env;
  return {
    DescribeRegistry(_input: ECR.DescribeRegistryRequest, ctx: RequestContext): ECR.DescribeRegistryResponse {
      const s = stateOf(ctx);
      return { registryId: ctx.accountId, replicationConfiguration: s.replication ?? { rules: [] } };
    },
    PutRegistryPolicy(input: ECR.PutRegistryPolicyRequest, ctx: RequestContext): ECR.PutRegistryPolicyResponse {
      checkPolicy(input.policyText!);
      stateOf(ctx).registryPolicy = input.policyText;
      return { registryId: ctx.accountId, policyText: input.policyText };
    },
    GetRegistryPolicy(_input: ECR.GetRegistryPolicyRequest, ctx: RequestContext): ECR.GetRegistryPolicyResponse {
      const policy = stateOf(ctx).registryPolicy;
      if (!policy)
        throw registryPolicyNotFound(`Registry policy does not exist in the registry with id '${ctx.accountId}'`);
      return { registryId: ctx.accountId, policyText: policy };
    },
    DeleteRegistryPolicy(
      _input: ECR.DeleteRegistryPolicyRequest,
      ctx: RequestContext,
    ): ECR.DeleteRegistryPolicyResponse {
      const s = stateOf(ctx);
      if (!s.registryPolicy)
        throw registryPolicyNotFound(`Registry policy does not exist in the registry with id '${ctx.accountId}'`);
      const policyText = s.registryPolicy;
      delete s.registryPolicy;
      return { registryId: ctx.accountId, policyText };
    },
    PutReplicationConfiguration(
      input: ECR.PutReplicationConfigurationRequest,
      ctx: RequestContext,
    ): ECR.PutReplicationConfigurationResponse {
      const cfg = input.replicationConfiguration!;
      for (const rule of cfg.rules ?? []) {
        for (const d of rule.destinations ?? []) {
          if (d.region === ctx.region && d.registryId === ctx.accountId) {
            throw invalidParameter('Replication destination cannot be the same as the source registry and region');
          }
        }
      }
      stateOf(ctx).replication = cfg;
      return { replicationConfiguration: cfg };
    },
    DescribeImageReplicationStatus(
      input: ECR.DescribeImageReplicationStatusRequest,
      ctx: RequestContext,
    ): ECR.DescribeImageReplicationStatusResponse {
      const s = stateOf(ctx);
      const repo = getRepository(s, ctx, input.repositoryName, input.registryId);
      const image = findImage(repo, input.imageId?.imageDigest ?? input.imageId?.imageTag ?? '');
      const statuses = (s.replication?.rules ?? []).flatMap((r) =>
        (r.destinations ?? []).map((d) => {
          const there = stateOf({ accountId: d.registryId!, region: d.region! }).repositories[repo.name];
          return {
            region: d.region,
            registryId: d.registryId,
            status: image && there?.images[image.digest] ? 'COMPLETE' : 'FAILED',
          };
        }),
      );
      return {
        repositoryName: repo.name,
        imageId: input.imageId,
        replicationStatuses: statuses as ECR.ImageReplicationStatus[],
      };
    },
    StartReplicationBackfill(input: ECR.StartReplicationBackfillRequest, ctx: RequestContext) {
      const s = stateOf(ctx);
      for (const repo of Object.values(s.repositories))
        for (const d of Object.keys(repo.images)) env.replicate(ctx, repo.name, d);
      return { replicationBackfillId: randomUUID(), registryId: registryOf(ctx, input.registryId), status: 'COMPLETE' };
    },
    StopReplicationBackfill(input: { replicationBackfillId?: string; registryId?: string }, ctx: RequestContext) {
      return {
        registryId: registryOf(ctx, input.registryId),
        replicationBackfillId: input.replicationBackfillId,
        status: 'COMPLETE',
      };
    },
    ListReplicationBackfills(input: { registryId?: string }, ctx: RequestContext) {
      return { registryId: registryOf(ctx, input.registryId), backfills: [] };
    },
    DescribeReplicationBackfillResults(
      input: { registryId?: string; replicationBackfillId?: string },
      ctx: RequestContext,
    ) {
      return {
        registryId: registryOf(ctx, input.registryId),
        replicationBackfillId: input.replicationBackfillId,
        results: [],
      };
    },

    PutRegistryScanningConfiguration(input: ECR.PutRegistryScanningConfigurationRequest, ctx: RequestContext) {
      const s = stateOf(ctx);
      s.scanning = { scanType: input.scanType ?? 'BASIC', rules: input.rules ?? [] };
      return { registryScanningConfiguration: s.scanning };
    },
    GetRegistryScanningConfiguration(_input: ECR.GetRegistryScanningConfigurationRequest, ctx: RequestContext) {
      return { registryId: ctx.accountId, scanningConfiguration: stateOf(ctx).scanning };
    },
    BatchGetRepositoryScanningConfiguration(
      input: ECR.BatchGetRepositoryScanningConfigurationRequest,
      ctx: RequestContext,
    ) {
      const s = stateOf(ctx);
      const found: ECR.RepositoryScanningConfiguration[] = [];
      const failures: ECR.RepositoryScanningConfigurationFailure[] = [];
      for (const name of input.repositoryNames ?? []) {
        const repo = s.repositories[name];
        if (!repo)
          failures.push({
            repositoryName: name,
            failureCode: 'REPOSITORY_NOT_FOUND',
            failureReason: 'REPOSITORY_NOT_FOUND',
          });
        else
          found.push({
            repositoryArn: repo.arn,
            repositoryName: name,
            scanOnPush: repo.scanOnPush,
            scanFrequency: repo.scanOnPush ? 'SCAN_ON_PUSH' : 'MANUAL',
            appliedScanFilters: [],
          });
      }
      return { scanningConfigurations: found, failures };
    },
    StartImageScan(input: ECR.StartImageScanRequest, ctx: RequestContext): ECR.StartImageScanResponse {
      const repo = getRepository(stateOf(ctx), ctx, input.repositoryName, input.registryId);
      getImageOrFail(repo, input.imageId);
      throw validation(NO_SCANNER);
    },
    DescribeImageScanFindings(
      input: ECR.DescribeImageScanFindingsRequest,
      ctx: RequestContext,
    ): ECR.DescribeImageScanFindingsResponse {
      const repo = getRepository(stateOf(ctx), ctx, input.repositoryName, input.registryId);
      getImageOrFail(repo, input.imageId);
      throw scanNotFound(
        `Image scan does not exist for the image with '{imageDigest:'${input.imageId?.imageDigest ?? 'null'}', imageTag:'${input.imageId?.imageTag ?? 'null'}'}' in the repository with name '${repo.name}' in the registry with id '${repo.registryId}'. ${NO_SCANNER}`,
      );
    },

    CreatePullThroughCacheRule(
      input: ECR.CreatePullThroughCacheRuleRequest,
      ctx: RequestContext,
    ): ECR.CreatePullThroughCacheRuleResponse {
      const s = stateOf(ctx);
      const prefix = input.ecrRepositoryPrefix!;
      if (s.pullThroughCacheRules[prefix])
        throw pullThroughRuleExists(`A pull through cache rule with prefix '${prefix}' already exists`);
      const rule: ECR.PullThroughCacheRule = {
        ecrRepositoryPrefix: prefix,
        upstreamRegistryUrl: input.upstreamRegistryUrl,
        createdAt: new Date(),
        registryId: registryOf(ctx, input.registryId),
        credentialArn: input.credentialArn,
        customRoleArn: input.customRoleArn,
        upstreamRepositoryPrefix: input.upstreamRepositoryPrefix,
        upstreamRegistry: input.upstreamRegistry,
      };
      s.pullThroughCacheRules[prefix] = rule;
      return { ...rule };
    },
    DescribePullThroughCacheRules(input: ECR.DescribePullThroughCacheRulesRequest, ctx: RequestContext) {
      const s = stateOf(ctx);
      let rules = Object.values(s.pullThroughCacheRules);
      if (input.ecrRepositoryPrefixes?.length) {
        rules = input.ecrRepositoryPrefixes.map((p) => {
          const r = s.pullThroughCacheRules[p];
          if (!r) throw pullThroughRuleNotFound(`The pull through cache rule with prefix '${p}' does not exist`);
          return r;
        });
      }
      const { page, nextToken } = paginate(rules, (r) => r.ecrRepositoryPrefix!, input, {
        defaultMax: 100,
        maxLimit: 1000,
      });
      return { pullThroughCacheRules: page, nextToken };
    },
    DeletePullThroughCacheRule(input: ECR.DeletePullThroughCacheRuleRequest, ctx: RequestContext) {
      const s = stateOf(ctx);
      const r = s.pullThroughCacheRules[input.ecrRepositoryPrefix!];
      if (!r)
        throw pullThroughRuleNotFound(
          `The pull through cache rule with prefix '${input.ecrRepositoryPrefix}' does not exist`,
        );
      delete s.pullThroughCacheRules[input.ecrRepositoryPrefix!];
      return { ...r };
    },
    UpdatePullThroughCacheRule(input: ECR.UpdatePullThroughCacheRuleRequest, ctx: RequestContext) {
      const r = stateOf(ctx).pullThroughCacheRules[input.ecrRepositoryPrefix!];
      if (!r)
        throw pullThroughRuleNotFound(
          `The pull through cache rule with prefix '${input.ecrRepositoryPrefix}' does not exist`,
        );
      Object.assign(r, {
        credentialArn: input.credentialArn ?? r.credentialArn,
        customRoleArn: input.customRoleArn ?? r.customRoleArn,
        updatedAt: new Date(),
      });
      return { ...r };
    },
    ValidatePullThroughCacheRule(input: ECR.ValidatePullThroughCacheRuleRequest, ctx: RequestContext) {
      const r = stateOf(ctx).pullThroughCacheRules[input.ecrRepositoryPrefix!];
      if (!r)
        throw pullThroughRuleNotFound(
          `The pull through cache rule with prefix '${input.ecrRepositoryPrefix}' does not exist`,
        );
      return {
        ecrRepositoryPrefix: r.ecrRepositoryPrefix,
        registryId: r.registryId,
        upstreamRegistryUrl: r.upstreamRegistryUrl,
        credentialArn: r.credentialArn,
        customRoleArn: r.customRoleArn,
        upstreamRepositoryPrefix: r.upstreamRepositoryPrefix,
        isValid: false,
        failure: `Dockside cannot reach the upstream registry '${r.upstreamRegistryUrl}': it runs without internet access to upstream registries, so pull-through caching is recorded only.`,
      };
    },

    CreateRepositoryCreationTemplate(input: ECR.CreateRepositoryCreationTemplateRequest, ctx: RequestContext) {
      const s = stateOf(ctx);
      const prefix = input.prefix!;
      if (s.creationTemplates[prefix])
        throw templateExists(`A repository creation template with prefix '${prefix}' already exists`);
      const { prefix: _p, ...rest } = input;
      const t: ECR.RepositoryCreationTemplate = { ...rest, prefix, createdAt: new Date(), updatedAt: new Date() };
      s.creationTemplates[prefix] = t;
      return { registryId: ctx.accountId, repositoryCreationTemplate: t };
    },
    DescribeRepositoryCreationTemplates(input: ECR.DescribeRepositoryCreationTemplatesRequest, ctx: RequestContext) {
      const s = stateOf(ctx);
      let list = Object.values(s.creationTemplates);
      if (input.prefixes?.length) list = list.filter((t) => input.prefixes!.includes(t.prefix!));
      const { page, nextToken } = paginate(list, (t) => t.prefix!, input, { defaultMax: 100, maxLimit: 1000 });
      return { registryId: ctx.accountId, repositoryCreationTemplates: page, nextToken };
    },
    UpdateRepositoryCreationTemplate(input: ECR.UpdateRepositoryCreationTemplateRequest, ctx: RequestContext) {
      const t = stateOf(ctx).creationTemplates[input.prefix!];
      if (!t) throw templateNotFound(`The repository creation template with prefix '${input.prefix}' does not exist`);
      Object.assign(t, input, { updatedAt: new Date() });
      return { registryId: ctx.accountId, repositoryCreationTemplate: t };
    },
    DeleteRepositoryCreationTemplate(input: ECR.DeleteRepositoryCreationTemplateRequest, ctx: RequestContext) {
      const s = stateOf(ctx);
      const t = s.creationTemplates[input.prefix!];
      if (!t) throw templateNotFound(`The repository creation template with prefix '${input.prefix}' does not exist`);
      delete s.creationTemplates[input.prefix!];
      return { registryId: ctx.accountId, repositoryCreationTemplate: t };
    },

    PutAccountSetting(input: ECR.PutAccountSettingRequest, ctx: RequestContext) {
      const allowed: Record<string, string[]> = {
        BASIC_SCAN_TYPE_VERSION: ['AWS_NATIVE', 'CLAIR'],
        REGISTRY_POLICY_SCOPE: ['V1', 'V2'],
      };
      if (!allowed[input.name!]) throw validation(`Account setting '${input.name}' is not supported`);
      if (!allowed[input.name!].includes(input.value!))
        throw validation(`Value '${input.value}' is not valid for account setting '${input.name}'`);
      stateOf(ctx).accountSettings[input.name!] = input.value!;
      return { name: input.name, value: input.value };
    },
    GetAccountSetting(input: ECR.GetAccountSettingRequest, ctx: RequestContext) {
      const defaults: Record<string, string> = { BASIC_SCAN_TYPE_VERSION: 'AWS_NATIVE', REGISTRY_POLICY_SCOPE: 'V2' };
      if (!(input.name! in defaults)) throw validation(`Account setting '${input.name}' is not supported`);
      return { name: input.name, value: stateOf(ctx).accountSettings[input.name!] ?? defaults[input.name!] };
    },

    PutSigningConfiguration(input: { signingConfiguration?: ECR.SigningConfiguration }, ctx: RequestContext) {
      stateOf(ctx).signing = input.signingConfiguration;
      return { registryId: ctx.accountId, signingConfiguration: input.signingConfiguration };
    },
    GetSigningConfiguration(_input: object, ctx: RequestContext) {
      return { registryId: ctx.accountId, signingConfiguration: stateOf(ctx).signing ?? { rules: [] } };
    },
    DeleteSigningConfiguration(_input: object, ctx: RequestContext) {
      const s = stateOf(ctx);
      const signingConfiguration = s.signing ?? { rules: [] };
      delete s.signing;
      return { registryId: ctx.accountId, signingConfiguration };
    },
    DescribeImageSigningStatus(input: ECR.DescribeImageSigningStatusRequest, ctx: RequestContext) {
      const repo = getRepository(stateOf(ctx), ctx, input.repositoryName, input.registryId);
      getImageOrFail(repo, input.imageId);
      return { repositoryName: repo.name, imageId: input.imageId, registryId: repo.registryId, signingStatuses: [] };
    },

    RegisterPullTimeUpdateExclusion(input: { principalArn?: string }, ctx: RequestContext) {
      const s = stateOf(ctx);
      if (!s.pullTimeExclusions.includes(input.principalArn!)) s.pullTimeExclusions.push(input.principalArn!);
      return { principalArn: input.principalArn, createdAt: new Date() };
    },
    DeregisterPullTimeUpdateExclusion(input: { principalArn?: string }, ctx: RequestContext) {
      const s = stateOf(ctx);
      s.pullTimeExclusions = s.pullTimeExclusions.filter((p) => p !== input.principalArn);
      return { principalArn: input.principalArn };
    },
    ListPullTimeUpdateExclusions(input: { maxResults?: number; nextToken?: string }, ctx: RequestContext) {
      const { page, nextToken } = paginate(stateOf(ctx).pullTimeExclusions, (p) => p, input, {
        defaultMax: 100,
        maxLimit: 1000,
      });
      return { pullTimeUpdateExclusions: page, nextToken };
    },
  };
}

function getImageOrFail(repo: Parameters<typeof findImage>[0], id: ECR.ImageIdentifier | undefined) {
  const image = findImage(repo, id?.imageDigest ?? id?.imageTag ?? '');
  if (!image) {
    throw imageIdNotFound(id, repo);
  }
  return image;
}
