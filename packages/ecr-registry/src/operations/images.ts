/** Images through the API: PutImage, BatchGetImage, BatchDeleteImage, DescribeImages, ListImages, referrers, storage class. */
import type * as ECR from '@aws-sdk/client-ecr';
import { paginate, type RequestContext } from '@dockside/core';
import { MEDIA, PushError, findImage, pushImage, removeImage, tagsOf } from '../domain/images';
import { DIGEST_REF, TAG } from '../domain/names';
import { getRepository, readableRepository } from '../domain/repositories';
import {
  digestMismatch,
  imageExists,
  imageIdNotFound,
  imageTagExists,
  invalidParameter,
  layersNotFound,
  referencedImagesNotFound,
} from '../errors';
import type { ImageRecord, RepositoryRecord } from '../state/types';
import type { EcrEnv } from './context';

/** The API's exception for a failed push. */
export function pushFailure(e: PushError, repo: RepositoryRecord, tag?: string) {
  switch (e.kind) {
    case 'tag-immutable':
      return imageTagExists(tag ?? '', repo.name);
    case 'digest-mismatch':
      return digestMismatch(e.message);
    case 'blobs-missing':
      return layersNotFound(
        `Layers with digests '[${e.missing.join(', ')}]' required for pushing image into repository with name '${repo.name}' in registry with id '${repo.registryId}' do not exist`,
      );
    case 'children-missing':
      return referencedImagesNotFound(e.message);
    default:
      return invalidParameter(`Invalid parameter at 'ImageManifest' failed to satisfy constraint: '${e.message}'`);
  }
}

function describe(repo: RepositoryRecord, i: ImageRecord): ECR.ImageDetail {
  const tags = tagsOf(repo, i.digest);
  return {
    registryId: repo.registryId,
    repositoryName: repo.name,
    imageDigest: i.digest,
    imageTags: tags.length ? tags : undefined,
    imageSizeInBytes: i.size,
    imagePushedAt: i.pushedAt,
    imageManifestMediaType: i.mediaType,
    artifactMediaType: i.artifactType ?? configMediaType(i),
    lastRecordedPullTime: i.lastPulledAt,
    imageStatus: i.storageClass === 'ARCHIVE' ? 'ARCHIVED' : 'ACTIVE',
    lastArchivedAt: i.storageClass === 'ARCHIVE' ? i.transitionedAt : undefined,
  } as ECR.ImageDetail;
}

function configMediaType(i: ImageRecord): string | undefined {
  try {
    return (JSON.parse(i.manifest) as { config?: { mediaType?: string } }).config?.mediaType;
  } catch {
    return undefined;
  }
}

/** Resolves one imageId (tag and/or digest) or says why not, as BatchGetImage / BatchDeleteImage report it. */
function resolve(repo: RepositoryRecord, id: ECR.ImageIdentifier): ImageRecord | ECR.ImageFailure {
  if (!id.imageDigest && !id.imageTag)
    return { imageId: id, failureCode: 'MissingDigestAndTag', failureReason: 'Missing image digest and tag' };
  if (id.imageDigest && !DIGEST_REF.test(id.imageDigest))
    return { imageId: id, failureCode: 'InvalidImageDigest', failureReason: 'Invalid image digest' };
  if (id.imageTag && !TAG.test(id.imageTag))
    return { imageId: id, failureCode: 'InvalidImageTag', failureReason: 'Invalid image tag' };
  const byTag = id.imageTag ? repo.tags[id.imageTag] : undefined;
  if (id.imageDigest && id.imageTag && byTag !== id.imageDigest) {
    return byTag
      ? { imageId: id, failureCode: 'ImageTagDoesNotMatchDigest', failureReason: 'Invalid image digest or tag' }
      : { imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' };
  }
  const image = repo.images[id.imageDigest ?? byTag ?? ''];
  return image ?? { imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' };
}
const failed = (x: ImageRecord | ECR.ImageFailure): x is ECR.ImageFailure => 'failureCode' in x;

export function imageOperations(env: EcrEnv) {
  const { stateOf } = env;
  return {
    PutImage(input: ECR.PutImageRequest, ctx: RequestContext): ECR.PutImageResponse {
      const repo = getRepository(stateOf(ctx), ctx, input.repositoryName, input.registryId);
      const tags = input.imageTag ? [input.imageTag] : [];
      if (input.imageTag && !TAG.test(input.imageTag))
        throw invalidParameter(
          `Invalid parameter at 'imageTag' failed to satisfy constraint: 'must satisfy regular expression '[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}''`,
        );
      let result;
      try {
        result = pushImage(repo, env.blobs, {
          manifest: input.imageManifest!,
          mediaType: input.imageManifestMediaType,
          tags,
          digest: input.imageDigest,
        });
      } catch (e) {
        if (e instanceof PushError) throw pushFailure(e, repo, input.imageTag);
        throw e;
      }
      if (result.unchanged) {
        throw imageExists(
          `Image with digest '${result.image.digest}'${input.imageTag ? ` and tag '${input.imageTag}'` : ''} already exists in the repository with name '${repo.name}' in registry with id '${repo.registryId}'`,
        );
      }
      env.replicate(ctx, repo.name, result.image.digest);
      return {
        image: {
          registryId: repo.registryId,
          repositoryName: repo.name,
          imageId: { imageDigest: result.image.digest, imageTag: input.imageTag },
          imageManifest: result.image.manifest,
          imageManifestMediaType: result.image.mediaType,
        },
      };
    },

    BatchGetImage(input: ECR.BatchGetImageRequest, ctx: RequestContext): ECR.BatchGetImageResponse {
      const repo = readableRepository(stateOf, ctx, input.repositoryName, input.registryId, 'ecr:BatchGetImage');
      const images: ECR.Image[] = [];
      const failures: ECR.ImageFailure[] = [];
      const accepted = input.acceptedMediaTypes?.length
        ? input.acceptedMediaTypes
        : [MEDIA.dockerManifest, MEDIA.dockerList, MEDIA.ociManifest, MEDIA.ociIndex, MEDIA.dockerV1Signed];
      for (const id of input.imageIds ?? []) {
        const r = resolve(repo, id);
        if (failed(r)) failures.push(r);
        else if (!accepted.includes(r.mediaType))
          failures.push({
            imageId: id,
            failureCode: 'ImageNotFound',
            failureReason: `Requested image not found: its manifest media type '${r.mediaType}' is not among the accepted media types`,
          });
        else if (r.storageClass === 'ARCHIVE')
          failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image is archived' });
        else {
          r.lastPulledAt = new Date();
          images.push({
            registryId: repo.registryId,
            repositoryName: repo.name,
            imageId: { imageDigest: r.digest, imageTag: id.imageTag },
            imageManifest: r.manifest,
            imageManifestMediaType: r.mediaType,
          });
        }
      }
      return { images, failures };
    },

    BatchDeleteImage(input: ECR.BatchDeleteImageRequest, ctx: RequestContext): ECR.BatchDeleteImageResponse {
      const repo = getRepository(stateOf(ctx), ctx, input.repositoryName, input.registryId);
      const imageIds: ECR.ImageIdentifier[] = [];
      const failures: ECR.ImageFailure[] = [];
      for (const id of input.imageIds ?? []) {
        const r = resolve(repo, id);
        if (failed(r)) {
          failures.push(r);
          continue;
        }
        const parents = Object.values(repo.images).filter((p) => p.children.includes(r.digest));
        if (id.imageDigest && parents.length) {
          failures.push({
            imageId: id,
            failureCode: 'ImageReferencedByManifestList',
            failureReason: 'Requested image is referenced by a manifest list',
          });
          continue;
        }
        if (id.imageTag && !id.imageDigest) {
          delete repo.tags[id.imageTag];
          imageIds.push({ imageDigest: r.digest, imageTag: id.imageTag });
          // An image goes with its last tag.
          if (!tagsOf(repo, r.digest).length && !parents.length) removeImage(repo, r.digest);
        } else {
          for (const t of tagsOf(repo, r.digest)) imageIds.push({ imageDigest: r.digest, imageTag: t });
          if (!tagsOf(repo, r.digest).length) imageIds.push({ imageDigest: r.digest });
          removeImage(repo, r.digest);
        }
      }
      return { imageIds, failures };
    },

    DescribeImages(input: ECR.DescribeImagesRequest, ctx: RequestContext): ECR.DescribeImagesResponse {
      const repo = readableRepository(stateOf, ctx, input.repositoryName, input.registryId, 'ecr:DescribeImages');
      let images: ImageRecord[];
      if (input.imageIds?.length) {
        images = input.imageIds.map((id) => {
          const r = resolve(repo, id);
          if (failed(r)) throw imageIdNotFound(id, repo);
          return r;
        });
      } else {
        images = Object.values(repo.images).sort(
          (a, b) => a.pushedAt.getTime() - b.pushedAt.getTime() || a.digest.localeCompare(b.digest),
        );
      }
      const status = input.filter?.tagStatus;
      if (status === 'TAGGED') images = images.filter((i) => tagsOf(repo, i.digest).length);
      if (status === 'UNTAGGED') images = images.filter((i) => !tagsOf(repo, i.digest).length);
      const storage = (input.filter as { imageStatus?: string } | undefined)?.imageStatus;
      if (storage && storage !== 'ANY')
        images = images.filter((i) => (i.storageClass === 'ARCHIVE' ? 'ARCHIVED' : 'ACTIVE') === storage);
      const { page, nextToken } = paginate(images, (i) => `${i.pushedAt.toISOString()}|${i.digest}`, input, {
        defaultMax: 100,
        maxLimit: 1000,
      });
      return { imageDetails: page.map((i) => describe(repo, i)), nextToken };
    },

    ListImages(input: ECR.ListImagesRequest, ctx: RequestContext): ECR.ListImagesResponse {
      const repo = readableRepository(stateOf, ctx, input.repositoryName, input.registryId, 'ecr:ListImages');
      const ids: ECR.ImageIdentifier[] = [];
      for (const i of Object.values(repo.images)) {
        const tags = tagsOf(repo, i.digest);
        if (input.filter?.tagStatus !== 'UNTAGGED')
          for (const t of tags) ids.push({ imageDigest: i.digest, imageTag: t });
        if (!tags.length && input.filter?.tagStatus !== 'TAGGED') ids.push({ imageDigest: i.digest });
      }
      ids.sort((a, b) => `${a.imageDigest}|${a.imageTag ?? ''}`.localeCompare(`${b.imageDigest}|${b.imageTag ?? ''}`));
      const { page, nextToken } = paginate(ids, (i) => `${i.imageDigest}|${i.imageTag ?? ''}`, input, {
        defaultMax: 100,
        maxLimit: 1000,
      });
      return { imageIds: page, nextToken };
    },

    ListImageReferrers(input: ECR.ListImageReferrersRequest, ctx: RequestContext): ECR.ListImageReferrersResponse {
      const repo = readableRepository(stateOf, ctx, input.repositoryName, input.registryId, 'ecr:ListImageReferrers');
      const subject = input.subjectId?.imageDigest ?? '';
      let refs = Object.values(repo.images).filter((i) => i.subject === subject);
      const types = input.filter?.artifactTypes;
      if (types?.length) refs = refs.filter((i) => i.artifactType && types.includes(i.artifactType));
      const { page, nextToken } = paginate(refs, (i) => i.digest, input, { defaultMax: 50, maxLimit: 50 });
      return {
        referrers: page.map((i) => ({
          digest: i.digest,
          mediaType: i.mediaType,
          artifactType: i.artifactType,
          size: Buffer.byteLength(i.manifest),
        })),
        nextToken,
      } as ECR.ListImageReferrersResponse;
    },

    UpdateImageStorageClass(
      input: ECR.UpdateImageStorageClassRequest,
      ctx: RequestContext,
    ): ECR.UpdateImageStorageClassResponse {
      const repo = getRepository(stateOf(ctx), ctx, input.repositoryName, input.registryId);
      const image = findImage(repo, input.imageId?.imageDigest ?? input.imageId?.imageTag ?? '');
      if (!image) throw imageIdNotFound(input.imageId, repo);
      const target = input.targetStorageClass === 'ARCHIVE' ? 'ARCHIVE' : 'STANDARD';
      if (image.storageClass !== target) {
        image.storageClass = target;
        image.transitionedAt = new Date();
      }
      return {
        registryId: repo.registryId,
        repositoryName: repo.name,
        imageId: { imageDigest: image.digest },
        imageStatus: target === 'ARCHIVE' ? 'ARCHIVED' : 'ACTIVE',
      } as ECR.UpdateImageStorageClassResponse;
    },
  };
}
