/** The layer operations the ECR credential helpers and SDK users push with, and GetAuthorizationToken. */
import type * as ECR from '@aws-sdk/client-ecr';
import type { RequestContext } from '@dockside/core';
import { DIGEST_REF } from '../domain/names';
import { getRepository, readableRepository, registryOf } from '../domain/repositories';
import {
  emptyUpload,
  invalidLayer,
  invalidLayerPart,
  invalidParameter,
  layerExists,
  layersNotFound,
  uploadNotFound,
} from '../errors';
import type { EcrState } from '../state/types';
import type { EcrEnv } from './context';

const PART_SIZE = 10 * 1024 * 1024;

/** An upload of this repository started with InitiateLayerUpload, or UploadNotFoundException. */
function uploadOf(s: EcrState, repository: string, uploadId: string | undefined) {
  const up = s.uploads[uploadId ?? ''];
  if (!up || up.repository !== repository) throw uploadNotFound(`Upload with id '${uploadId}' was not found`);
  return up;
}

export function layerOperations(env: EcrEnv) {
  const { stateOf } = env;
  return {
    GetAuthorizationToken(
      input: ECR.GetAuthorizationTokenRequest,
      ctx: RequestContext,
    ): ECR.GetAuthorizationTokenResponse {
      const ids = input.registryIds?.length ? input.registryIds : [ctx.accountId];
      return {
        authorizationData: ids.map((id) => {
          const { password, expiresAt } = env.tokens.issue(registryOf(ctx, id), ctx.region);
          return {
            authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'),
            expiresAt,
            // The registry as a Docker engine reaches it (the AWS host does not resolve here).
            proxyEndpoint: env.registryUrl(),
          };
        }),
      };
    },

    BatchCheckLayerAvailability(
      input: ECR.BatchCheckLayerAvailabilityRequest,
      ctx: RequestContext,
    ): ECR.BatchCheckLayerAvailabilityResponse {
      const repo = readableRepository(
        stateOf,
        ctx,
        input.repositoryName,
        input.registryId,
        'ecr:BatchCheckLayerAvailability',
      );
      const layers: ECR.Layer[] = [];
      const failures: ECR.LayerFailure[] = [];
      for (const d of input.layerDigests ?? []) {
        if (!d)
          failures.push({ layerDigest: d, failureCode: 'MissingLayerDigest', failureReason: 'Missing layer digest' });
        else if (!DIGEST_REF.test(d))
          failures.push({ layerDigest: d, failureCode: 'InvalidLayerDigest', failureReason: 'Invalid layer digest' });
        else {
          const size = d in repo.blobs ? env.blobs.size(d) : undefined;
          layers.push(
            size === undefined
              ? { layerDigest: d, layerAvailability: 'UNAVAILABLE' }
              : {
                  layerDigest: d,
                  layerAvailability: 'AVAILABLE',
                  layerSize: size,
                  mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
                },
          );
        }
      }
      return { layers, failures };
    },

    InitiateLayerUpload(input: ECR.InitiateLayerUploadRequest, ctx: RequestContext): ECR.InitiateLayerUploadResponse {
      const s = stateOf(ctx);
      const repo = getRepository(s, ctx, input.repositoryName, input.registryId);
      const uploadId = env.blobs.newUpload();
      s.uploads[uploadId] = { repository: repo.name, received: 0 };
      return { uploadId, partSize: PART_SIZE };
    },

    async UploadLayerPart(
      input: ECR.UploadLayerPartRequest,
      ctx: RequestContext,
    ): Promise<ECR.UploadLayerPartResponse> {
      const s = stateOf(ctx);
      const repo = getRepository(s, ctx, input.repositoryName, input.registryId);
      const up = uploadOf(s, repo.name, input.uploadId);
      // JSON carries blobs as base64 text.
      const raw = input.layerPartBlob as unknown;
      const blob =
        typeof raw === 'string' ? Buffer.from(raw, 'base64') : Buffer.from((raw as Uint8Array) ?? new Uint8Array());
      const first = input.partFirstByte!;
      const last = input.partLastByte!;
      if (first !== up.received || last - first + 1 !== blob.length) {
        throw invalidLayerPart(
          `The layer part is not valid: expected a part starting at byte ${up.received} of ${last - first + 1} bytes`,
          Math.max(0, up.received - 1),
          { registryId: repo.registryId, repositoryName: repo.name, uploadId: input.uploadId },
        );
      }
      up.received = await env.blobs.append(input.uploadId!, blob);
      return {
        registryId: repo.registryId,
        repositoryName: repo.name,
        uploadId: input.uploadId,
        lastByteReceived: up.received - 1,
      };
    },

    async CompleteLayerUpload(
      input: ECR.CompleteLayerUploadRequest,
      ctx: RequestContext,
    ): Promise<ECR.CompleteLayerUploadResponse> {
      const s = stateOf(ctx);
      const repo = getRepository(s, ctx, input.repositoryName, input.registryId);
      const up = uploadOf(s, repo.name, input.uploadId);
      const digest = input.layerDigests?.[0] ?? '';
      if (!DIGEST_REF.test(digest)) throw invalidParameter(`Invalid layer digest '${digest}'`);
      if (up.received === 0) throw emptyUpload(`The upload with id '${input.uploadId}' contains no layer parts`);
      if (digest in repo.blobs && env.blobs.size(digest) !== undefined) {
        env.blobs.cancel(input.uploadId!);
        delete s.uploads[input.uploadId!];
        throw layerExists(
          `The layer with digest '${digest}' already exists in the repository with name '${repo.name}' in registry with id '${repo.registryId}'`,
        );
      }
      if (!(await env.blobs.commit(input.uploadId!, digest))) {
        throw invalidLayer(`The layer digest '${digest}' does not match the digest of the uploaded content`);
      }
      delete s.uploads[input.uploadId!];
      repo.blobs[digest] = env.blobs.size(digest) ?? 0;
      return { registryId: repo.registryId, repositoryName: repo.name, uploadId: input.uploadId, layerDigest: digest };
    },

    GetDownloadUrlForLayer(
      input: ECR.GetDownloadUrlForLayerRequest,
      ctx: RequestContext,
    ): ECR.GetDownloadUrlForLayerResponse {
      const repo = readableRepository(
        stateOf,
        ctx,
        input.repositoryName,
        input.registryId,
        'ecr:GetDownloadUrlForLayer',
      );
      const d = input.layerDigest ?? '';
      if (!DIGEST_REF.test(d)) throw invalidParameter(`Invalid layer digest '${d}'`);
      if (!(d in repo.blobs) || env.blobs.size(d) === undefined) {
        throw layersNotFound(
          `The layer with digest '${d}' does not exist in the repository with name '${repo.name}' in registry with id '${repo.registryId}'`,
        );
      }
      // A URL the registry really serves: signed for this account and region, valid 12 h.
      const { password } = env.tokens.issue(repo.registryId, ctx.region);
      return {
        downloadUrl: `${env.registryUrl()}/v2/${repo.name}/blobs/${d}?token=${encodeURIComponent(password)}`,
        layerDigest: d,
      };
    },
  };
}
