/** The ECR plugin's error catalogue: one constructor per AWS error it returns, in AWS's wording. */
import { ServiceError } from '@dockside/core';

const e = (code: string) => (message: string) => new ServiceError(code, message);

export const invalidParameter = e('InvalidParameterException');
export const validation = e('ValidationException');
export const repositoryNotFound = (name: string, registryId: string) =>
  new ServiceError(
    'RepositoryNotFoundException',
    `The repository with name '${name}' does not exist in the registry with id '${registryId}'`,
  );
export const repositoryExists = (name: string, registryId: string) =>
  new ServiceError(
    'RepositoryAlreadyExistsException',
    `The repository with name '${name}' already exists in the registry with id '${registryId}'`,
  );
export const repositoryNotEmpty = (name: string, registryId: string) =>
  new ServiceError(
    'RepositoryNotEmptyException',
    `The repository with name '${name}' in registry with id '${registryId}' cannot be deleted because it still contains images`,
  );
export const imageTagExists = (tag: string, repo: string) =>
  new ServiceError(
    'ImageTagAlreadyExistsException',
    `The image tag '${tag}' already exists in the '${repo}' repository and cannot be overwritten because the repository is immutable.`,
  );
export const imageExists = e('ImageAlreadyExistsException');
export const layersNotFound = e('LayersNotFoundException');
export const referencedImagesNotFound = e('ReferencedImagesNotFoundException');
export const digestMismatch = e('ImageDigestDoesNotMatchException');
export const imageNotFound = e('ImageNotFoundException');
/** ImageNotFoundException for an imageId, in ECR's words. */
export const imageIdNotFound = (
  id: { imageDigest?: string; imageTag?: string } | undefined,
  repo: { name: string; registryId: string },
) =>
  imageNotFound(
    `The image with imageId {imageDigest:'${id?.imageDigest ?? 'null'}', imageTag:'${id?.imageTag ?? 'null'}'} does not exist within the repository with name '${repo.name}' in the registry with id '${repo.registryId}'`,
  );
export const uploadNotFound = e('UploadNotFoundException');
export const invalidLayerPart = (message: string, lastValidByteReceived: number, extra: Record<string, unknown>) =>
  new ServiceError('InvalidLayerPartException', message, { fields: { lastValidByteReceived, ...extra } });
export const invalidLayer = e('InvalidLayerException');
export const layerExists = e('LayerAlreadyExistsException');
export const emptyUpload = e('EmptyUploadException');
export const layerInaccessible = e('LayerInaccessibleException');
export const lifecyclePolicyNotFound = e('LifecyclePolicyNotFoundException');
export const lifecyclePreviewNotFound = e('LifecyclePolicyPreviewNotFoundException');
export const repositoryPolicyNotFound = e('RepositoryPolicyNotFoundException');
export const registryPolicyNotFound = e('RegistryPolicyNotFoundException');
export const pullThroughRuleNotFound = e('PullThroughCacheRuleNotFoundException');
export const pullThroughRuleExists = e('PullThroughCacheRuleAlreadyExistsException');
export const templateNotFound = e('TemplateNotFoundException');
export const templateExists = e('TemplateAlreadyExistsException');
export const scanNotFound = e('ScanNotFoundException');
export const tooManyTags = e('TooManyTagsException');
export const invalidTagParameter = e('InvalidTagParameterException');
export const unsupportedImageType = e('UnsupportedImageTypeException');
export const upstreamUnavailable = e('UnableToAccessSecretException');
