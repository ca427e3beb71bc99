/** Replication as ECR applies it: a pushed image is copied to each destination region/account whose filters match. */
import type { Store } from '@dockside/core';
import { pushImage } from './domain/images';
import type { BlobStore } from './storage/blobs';
import type { EcrState } from './state/types';

export function replicate(
  store: Store<EcrState>,
  blobs: BlobStore,
  where: { accountId: string; region: string },
  repository: string,
  digest: string,
) {
  const source = store.get(where.accountId, where.region);
  const repo = source.repositories[repository];
  const image = repo?.images[digest];
  if (!repo || !image) return;
  for (const rule of source.replication?.rules ?? []) {
    const filters = rule.repositoryFilters ?? [];
    if (filters.length && !filters.some((f) => repository.startsWith(f.filter ?? ''))) continue;
    for (const d of rule.destinations ?? []) {
      const target = store.get(d.registryId!, d.region!);
      const copy = (target.repositories[repository] ??= {
        ...repo,
        arn: `arn:aws:ecr:${d.region}:${d.registryId}:repository/${repository}`,
        registryId: d.registryId!,
        createdAt: new Date(),
        policy: undefined,
        lifecyclePolicy: undefined,
        images: {},
        tags: {},
        blobs: {},
      });
      // Children of an index first, then the image with the tags it has at the source.
      for (const child of image.children) {
        const c = repo.images[child];
        if (c && !copy.images[child])
          pushImage(copy, blobs, { manifest: c.manifest, mediaType: c.mediaType, tags: [] });
      }
      const tags = Object.entries(repo.tags)
        .filter(([, dg]) => dg === digest)
        .map(([t]) => t);
      try {
        pushImage(copy, blobs, { manifest: image.manifest, mediaType: image.mediaType, tags });
      } catch {
        // An immutable tag at the destination keeps its image, as ECR's replication does.
      }
    }
  }
}
