/** Image content for ECR tests: blobs and manifests made in memory, pushed through the API's layer operations. */
import { createHash } from 'node:crypto';
import {
  CompleteLayerUploadCommand,
  InitiateLayerUploadCommand,
  PutImageCommand,
  UploadLayerPartCommand,
  type ECRClient,
} from '@aws-sdk/client-ecr';

export const digestOf = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export interface Built {
  config: Buffer;
  layer: Buffer;
  manifest: string;
  digest: string;
}

/** A small image: a config and one layer of `content`, and its Docker schema 2 manifest. */
export function image(content: string): Built {
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Env: [`X=${content}`] },
      rootfs: { type: 'layers', diff_ids: [] },
    }),
  );
  const layer = Buffer.from(`layer:${content}`);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: config.length,
      digest: digestOf(config),
    },
    layers: [
      { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: digestOf(layer) },
    ],
  });
  return { config, layer, manifest, digest: digestOf(manifest) };
}

/** Uploads one blob with InitiateLayerUpload / UploadLayerPart / CompleteLayerUpload. */
export async function uploadBlob(ecr: ECRClient, repositoryName: string, blob: Buffer) {
  const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName }));
  await ecr.send(
    new UploadLayerPartCommand({
      repositoryName,
      uploadId,
      partFirstByte: 0,
      partLastByte: blob.length - 1,
      layerPartBlob: blob,
    }),
  );
  return ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [digestOf(blob)] }));
}

/** Pushes a built image through the API (blobs, then PutImage with `tag`). */
export async function pushViaApi(ecr: ECRClient, repositoryName: string, built: Built, tag?: string) {
  for (const b of [built.config, built.layer])
    await uploadBlob(ecr, repositoryName, b).catch((e: Error) => {
      if (e.name !== 'LayerAlreadyExistsException') throw e;
    });
  return ecr.send(new PutImageCommand({ repositoryName, imageManifest: built.manifest, imageTag: tag }));
}
