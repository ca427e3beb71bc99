/**
 * One store, two doors: pushing a manifest through PutImage or through the registry's manifest
 * PUT goes through `pushImage`, which checks what both check (digest, referenced blobs and
 * images, tag immutability) and records the image. Failures carry a kind each door words its way.
 */
import { createHash } from 'node:crypto';
import type { BlobStore } from '../storage/blobs';
import type { ImageRecord, RepositoryRecord } from '../state/types';

export const MEDIA = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerV1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerV1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;
const IMAGE_CONFIGS = new Set([
  'application/vnd.oci.image.config.v1+json',
  'application/vnd.docker.container.image.v1+json',
]);
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export type PushFailure =
  'invalid' | 'digest-mismatch' | 'blobs-missing' | 'children-missing' | 'tag-immutable' | 'exists' | 'too-large';

export class PushError extends Error {
  constructor(
    readonly kind: PushFailure,
    message: string,
    readonly missing: string[] = [],
  ) {
    super(message);
  }
}

export const sha256 = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

interface Parsed {
  mediaType: string;
  blobs: string[];
  children: string[];
  subject?: string;
  artifactType?: string;
}

export function parseManifest(text: string, hint?: string): Parsed {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PushError('invalid', 'The manifest is not valid JSON.');
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new PushError('invalid', 'The manifest must be a JSON object.');
  const declared = typeof json.mediaType === 'string' ? json.mediaType : undefined;
  if (declared && hint && declared !== hint && hint !== '*/*') {
    throw new PushError('invalid', `The manifest media type '${declared}' does not match '${hint}'.`);
  }
  const isIndex = Array.isArray(json.manifests);
  const mediaType =
    declared ??
    (hint && hint !== '*/*'
      ? hint
      : isIndex
        ? MEDIA.ociIndex
        : json.schemaVersion === 1
          ? MEDIA.dockerV1
          : MEDIA.ociManifest);
  const digestOf = (d: unknown) => {
    const digest = (d as { digest?: unknown })?.digest;
    if (typeof digest !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(digest))
      throw new PushError('invalid', 'A descriptor has no valid sha256 digest.');
    return digest;
  };
  if (mediaType === MEDIA.dockerV1 || mediaType === MEDIA.dockerV1Signed) {
    const layers = ((json.fsLayers as unknown[]) ?? []).map((l) => (l as { blobSum: string }).blobSum);
    return { mediaType, blobs: [...new Set(layers)], children: [] };
  }
  if (isIndex) {
    return {
      mediaType,
      blobs: [],
      children: (json.manifests as unknown[]).map(digestOf),
      subject: json.subject ? digestOf(json.subject) : undefined,
      artifactType: typeof json.artifactType === 'string' ? json.artifactType : undefined,
    };
  }
  if (!json.config) throw new PushError('invalid', 'An image manifest needs a config descriptor.');
  const config = json.config as { mediaType?: string };
  const layers = Array.isArray(json.layers) ? json.layers : [];
  // Non-distributable layers are not pushed; they are not required to exist.
  const pushed = layers.filter((l) => !/nondistributable|foreign/.test((l as { mediaType?: string }).mediaType ?? ''));
  return {
    mediaType,
    blobs: [...new Set([digestOf(json.config), ...pushed.map(digestOf)])],
    children: [],
    subject: json.subject ? digestOf(json.subject) : undefined,
    artifactType:
      typeof json.artifactType === 'string'
        ? json.artifactType
        : config.mediaType && !IMAGE_CONFIGS.has(config.mediaType)
          ? config.mediaType
          : undefined,
  };
}

/** Whether `tag` may be moved in this repository (MUTABLE / IMMUTABLE and their *_WITH_EXCLUSION forms). */
export function tagIsMutable(repo: RepositoryRecord, tag: string): boolean {
  const matches = (repo.exclusionFilters ?? []).some((f) =>
    new RegExp(`^${(f.filter ?? '').replace(/[.+^${}()|[\]\\?]/g, '\\$&').replace(/\*/g, '.*')}$`).test(tag),
  );
  switch (repo.imageTagMutability) {
    case 'IMMUTABLE':
      return false;
    case 'IMMUTABLE_WITH_EXCLUSION':
      return matches;
    case 'MUTABLE_WITH_EXCLUSION':
      return !matches;
    default:
      return true;
  }
}

export interface PushArgs {
  manifest: string;
  mediaType?: string;
  tags: string[];
  /** The digest the client says the bytes have. */
  digest?: string;
}

/** Records an image (or moves tags to it); `unchanged` when the image and every tag were already there. */
export function pushImage(
  repo: RepositoryRecord,
  blobs: BlobStore,
  args: PushArgs,
  now = new Date(),
): { image: ImageRecord; unchanged: boolean } {
  if (Buffer.byteLength(args.manifest) > MAX_MANIFEST_BYTES)
    throw new PushError('too-large', 'The manifest is larger than 4 MiB.');
  const digest = sha256(args.manifest);
  if (args.digest && args.digest !== digest) {
    throw new PushError(
      'digest-mismatch',
      `Manifest digest '${digest}' does not match the digest specified '${args.digest}'.`,
    );
  }
  const parsed = parseManifest(args.manifest, args.mediaType);
  // The store is shared: a blob pushed to any repository can be referenced (as a mount would).
  const missing = parsed.blobs.filter((b) => blobs.size(b) === undefined);
  if (missing.length)
    throw new PushError('blobs-missing', `The following layers are missing: ${missing.join(', ')}`, missing);
  const absentChildren = parsed.children.filter((c) => !repo.images[c]);
  if (absentChildren.length) {
    throw new PushError(
      'children-missing',
      `The following referenced images were not found: ${absentChildren.join(', ')}`,
      absentChildren,
    );
  }
  for (const tag of args.tags) {
    const current = repo.tags[tag];
    if (current && current !== digest && !tagIsMutable(repo, tag)) {
      throw new PushError(
        'tag-immutable',
        `The image tag '${tag}' already exists in the '${repo.name}' repository and cannot be overwritten because the repository is immutable.`,
      );
    }
  }
  const existing = repo.images[digest];
  const unchanged = Boolean(existing) && args.tags.every((t) => repo.tags[t] === digest);
  const image: ImageRecord = existing ?? {
    digest,
    manifest: args.manifest,
    mediaType: parsed.mediaType,
    artifactType: parsed.artifactType,
    subject: parsed.subject,
    blobs: parsed.blobs,
    children: parsed.children,
    size: Buffer.byteLength(args.manifest) + parsed.blobs.reduce((n, b) => n + (blobs.size(b) ?? 0), 0),
    pushedAt: now,
    storageClass: 'STANDARD',
  };
  repo.images[digest] = image;
  for (const b of parsed.blobs) repo.blobs[b] ??= blobs.size(b) ?? 0;
  for (const tag of args.tags) repo.tags[tag] = digest;
  return { image, unchanged };
}

export const tagsOf = (repo: RepositoryRecord, digest: string) =>
  Object.entries(repo.tags)
    .filter(([, d]) => d === digest)
    .map(([t]) => t)
    .sort();

/** Removes an image and its tags; manifests that list it as a child keep their bytes (as ECR). */
export function removeImage(repo: RepositoryRecord, digest: string) {
  delete repo.images[digest];
  for (const [t, d] of Object.entries(repo.tags)) if (d === digest) delete repo.tags[t];
}

/** Resolves a tag or digest reference to an image of the repository. */
export function findImage(repo: RepositoryRecord, reference: string): ImageRecord | undefined {
  return reference.startsWith('sha256:') ? repo.images[reference] : repo.images[repo.tags[reference]];
}
