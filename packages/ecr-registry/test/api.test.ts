/**
 * The ECR API through the real SDK client: repositories, layer uploads, PutImage and its errors,
 * tag immutability (with exclusions), BatchGetImage / BatchDeleteImage / DescribeImages /
 * ListImages, lifecycle policies (preview, then applied), replication to another region,
 * GetAuthorizationToken.
 */
import {
  BatchCheckLayerAvailabilityCommand,
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  GetDownloadUrlForLayerCommand,
  GetLifecyclePolicyPreviewCommand,
  ImageAlreadyExistsException,
  ImageTagAlreadyExistsException,
  InitiateLayerUploadCommand,
  InvalidLayerPartException,
  InvalidParameterException,
  LayersNotFoundException,
  ListImagesCommand,
  PutImageCommand,
  PutImageTagMutabilityCommand,
  PutLifecyclePolicyCommand,
  PutReplicationConfigurationCommand,
  RepositoryAlreadyExistsException,
  RepositoryNotEmptyException,
  RepositoryNotFoundException,
  StartImageScanCommand,
  StartLifecyclePolicyPreviewCommand,
  UploadLayerPartCommand,
  ImageDigestDoesNotMatchException,
} from '@aws-sdk/client-ecr';
import { ecrRegistry } from '@dockside/ecr-registry';
import { rejection, useTestGateway } from '@dockside/testing';
import { digestOf, image, pushViaApi, uploadBlob } from './helpers';

const gw = useTestGateway(() => ({ plugins: [ecrRegistry({ port: 0 })] }), { resetEach: true });
const ecr = gw.sdk(ECRClient);

test('repositories: URI on the local registry, name rules, already exists, not found, not empty unless forced', async () => {
  const { repository } = await ecr.send(
    new CreateRepositoryCommand({ repositoryName: 'team/api', tags: [{ Key: 'a', Value: 'b' }] }),
  );
  expect(repository).toMatchObject({
    repositoryArn: 'arn:aws:ecr:us-east-1:000000000000:repository/team/api',
    registryId: '000000000000',
    repositoryName: 'team/api',
    imageTagMutability: 'MUTABLE',
    encryptionConfiguration: { encryptionType: 'AES256' },
  });
  expect(repository!.repositoryUri).toMatch(/^127\.0\.0\.1:\d+\/team\/api$/);
  expect(await rejection(ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/api' })))).toBeInstanceOf(
    RepositoryAlreadyExistsException,
  );
  for (const bad of ['A', 'Upper', 'a//b', '-x', 'x'.repeat(257)]) {
    expect(await rejection(ecr.send(new CreateRepositoryCommand({ repositoryName: bad })))).toBeInstanceOf(
      InvalidParameterException,
    );
  }
  const missing = await rejection(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['nope'] })));
  expect(missing).toBeInstanceOf(RepositoryNotFoundException);
  expect(missing.message).toBe("The repository with name 'nope' does not exist in the registry with id '000000000000'");
  await pushViaApi(ecr, 'team/api', image('one'), 'v1');
  expect(await rejection(ecr.send(new DeleteRepositoryCommand({ repositoryName: 'team/api' })))).toBeInstanceOf(
    RepositoryNotEmptyException,
  );
  await ecr.send(new DeleteRepositoryCommand({ repositoryName: 'team/api', force: true }));
  expect((await ecr.send(new DescribeRepositoriesCommand({}))).repositories).toEqual([]);
});

test('layer uploads and PutImage: availability, consecutive parts, missing layers, digest mismatch, already exists', async () => {
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'app' }));
  const built = image('two');
  const before = await ecr.send(
    new BatchCheckLayerAvailabilityCommand({ repositoryName: 'app', layerDigests: [digestOf(built.layer), 'nope'] }),
  );
  expect(before.layers).toEqual([{ layerDigest: digestOf(built.layer), layerAvailability: 'UNAVAILABLE' }]);
  expect(before.failures).toEqual([
    { layerDigest: 'nope', failureCode: 'InvalidLayerDigest', failureReason: 'Invalid layer digest' },
  ]);
  const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: 'app' }));
  const gap = await rejection(
    ecr.send(
      new UploadLayerPartCommand({
        repositoryName: 'app',
        uploadId,
        partFirstByte: 5,
        partLastByte: 9,
        layerPartBlob: Buffer.from('abcde'),
      }),
    ),
  );
  expect(gap).toBeInstanceOf(InvalidLayerPartException);
  const noLayers = await rejection(
    ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: built.manifest, imageTag: 'x' })),
  );
  expect(noLayers).toBeInstanceOf(LayersNotFoundException);
  await uploadBlob(ecr, 'app', built.config);
  await uploadBlob(ecr, 'app', built.layer);
  const after = await ecr.send(
    new BatchCheckLayerAvailabilityCommand({ repositoryName: 'app', layerDigests: [digestOf(built.layer)] }),
  );
  expect(after.layers![0]).toMatchObject({ layerAvailability: 'AVAILABLE', layerSize: built.layer.length });
  const wrong = await rejection(
    ecr.send(
      new PutImageCommand({ repositoryName: 'app', imageManifest: built.manifest, imageDigest: digestOf('other') }),
    ),
  );
  expect(wrong).toBeInstanceOf(ImageDigestDoesNotMatchException);
  const put = await ecr.send(
    new PutImageCommand({ repositoryName: 'app', imageManifest: built.manifest, imageTag: 'v1' }),
  );
  expect(put.image).toMatchObject({
    imageId: { imageDigest: built.digest, imageTag: 'v1' },
    imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  });
  expect(
    await rejection(
      ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: built.manifest, imageTag: 'v1' })),
    ),
  ).toBeInstanceOf(ImageAlreadyExistsException);
  const url = (
    await ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: 'app', layerDigest: digestOf(built.layer) }))
  ).downloadUrl!;
  expect(Buffer.from(await (await fetch(url)).arrayBuffer()).toString()).toBe('layer:two');
});

test('immutable tags refuse to move (exclusion filters keep some mutable); BatchGetImage and BatchDeleteImage report per image', async () => {
  await ecr.send(
    new CreateRepositoryCommand({
      repositoryName: 'frozen',
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest*' }],
    }),
  );
  const a = image('a');
  const b = image('b');
  await pushViaApi(ecr, 'frozen', a, 'v1');
  await pushViaApi(ecr, 'frozen', a, 'latest');
  const moved = await rejection(pushViaApi(ecr, 'frozen', b, 'v1'));
  expect(moved).toBeInstanceOf(ImageTagAlreadyExistsException);
  expect(moved.message).toBe(
    "The image tag 'v1' already exists in the 'frozen' repository and cannot be overwritten because the repository is immutable.",
  );
  await pushViaApi(ecr, 'frozen', b, 'latest'); // excluded: mutable
  await ecr.send(new PutImageTagMutabilityCommand({ repositoryName: 'frozen', imageTagMutability: 'MUTABLE' }));
  const got = await ecr.send(
    new BatchGetImageCommand({
      repositoryName: 'frozen',
      imageIds: [
        { imageTag: 'v1' },
        { imageTag: 'nope' },
        { imageDigest: 'sha256:bad' },
        { imageTag: 'latest', imageDigest: a.digest },
      ],
    }),
  );
  expect(got.images!.map((i) => [i.imageId!.imageTag, i.imageId!.imageDigest, i.imageManifest])).toEqual([
    ['v1', a.digest, a.manifest],
  ]);
  expect(got.failures!.map((f) => f.failureCode)).toEqual([
    'ImageNotFound',
    'InvalidImageDigest',
    'ImageTagDoesNotMatchDigest',
  ]);
  const listed = await ecr.send(new ListImagesCommand({ repositoryName: 'frozen' }));
  expect(listed.imageIds).toHaveLength(2);
  // Deleting a tag keeps the image while it has another; its last tag takes it along.
  await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'frozen', imageIds: [{ imageTag: 'latest' }] }));
  expect(
    (await ecr.send(new DescribeImagesCommand({ repositoryName: 'frozen' }))).imageDetails!.map((d) => d.imageTags),
  ).toEqual([['v1']]);
  const del = await ecr.send(
    new BatchDeleteImageCommand({ repositoryName: 'frozen', imageIds: [{ imageTag: 'v1' }, { imageTag: 'gone' }] }),
  );
  expect(del.imageIds).toEqual([{ imageDigest: a.digest, imageTag: 'v1' }]);
  expect(del.failures).toEqual([
    { imageId: { imageTag: 'gone' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' },
  ]);
  expect((await ecr.send(new DescribeImagesCommand({ repositoryName: 'frozen' }))).imageDetails).toEqual([]);
});

test('DescribeImages: sizes, push times, tag status filter', async () => {
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'sized' }));
  const built = image('sized');
  await pushViaApi(ecr, 'sized', built, 'v1');
  await pushViaApi(ecr, 'sized', image('untagged'));
  const all = await ecr.send(new DescribeImagesCommand({ repositoryName: 'sized' }));
  const tagged = all.imageDetails!.find((d) => d.imageTags)!;
  expect(tagged).toMatchObject({
    registryId: '000000000000',
    repositoryName: 'sized',
    imageDigest: built.digest,
    imageTags: ['v1'],
    imageSizeInBytes: Buffer.byteLength(built.manifest) + built.config.length + built.layer.length,
    imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    artifactMediaType: 'application/vnd.docker.container.image.v1+json',
  });
  expect(tagged.imagePushedAt).toBeInstanceOf(Date);
  const untagged = await ecr.send(
    new DescribeImagesCommand({ repositoryName: 'sized', filter: { tagStatus: 'UNTAGGED' } }),
  );
  expect(untagged.imageDetails).toHaveLength(1);
  expect(untagged.imageDetails![0].imageTags).toBeUndefined();
});

test('lifecycle policies: validated, previewed, then applied (expired images are gone)', async () => {
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'life' }));
  for (const n of [1, 2, 3, 4]) await pushViaApi(ecr, 'life', image(`rel-${n}`), `release-${n}`);
  await pushViaApi(ecr, 'life', image('dangling'));
  const bad = await rejection(
    ecr.send(
      new PutLifecyclePolicyCommand({
        repositoryName: 'life',
        lifecyclePolicyText: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              selection: { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 },
              action: { type: 'expire' },
            },
          ],
        }),
      }),
    ),
  );
  expect(bad).toBeInstanceOf(InvalidParameterException);
  expect(bad.message).toMatch(
    /Lifecycle policy validation failure: a rule with tagStatus 'tagged' needs tagPrefixList or tagPatternList/,
  );
  const policy = JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: 'untagged',
        selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: 'keep 2 releases',
        selection: {
          tagStatus: 'tagged',
          tagPrefixList: ['release-'],
          countType: 'imageCountMoreThan',
          countNumber: 2,
        },
        action: { type: 'expire' },
      },
    ],
  });
  await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'life', lifecyclePolicyText: policy }));
  await ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: 'life' }));
  const preview = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'life' }));
  expect(preview.status).toBe('COMPLETE');
  expect(preview.previewResults!.map((r) => [r.imageTags ?? [], r.appliedRulePriority, r.action!.type]).sort()).toEqual(
    [
      [['release-1'], 2, 'EXPIRE'],
      [['release-2'], 2, 'EXPIRE'],
    ],
  );
  expect(preview.summary).toMatchObject({ expiringImageTotalCount: 2 });
  // Nothing is gone yet: a preview only tells.
  expect((await ecr.send(new DescribeImagesCommand({ repositoryName: 'life' }))).imageDetails).toHaveLength(5);
  const applied = await (await fetch(`${gw.endpoint}/_dockside/ecr/lifecycle/run`, { method: 'POST' })).json();
  expect(applied).toEqual({ affected: 2 });
  const left = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'life' })))
    .imageDetails!.map((d) => d.imageTags?.[0] ?? 'untagged')
    .sort();
  expect(left).toEqual(['release-3', 'release-4', 'untagged']);
});

test('replication copies pushed images to another region; the token names the account, region and the registry', async () => {
  await ecr.send(
    new PutReplicationConfigurationCommand({
      replicationConfiguration: {
        rules: [
          {
            destinations: [{ region: 'eu-west-1', registryId: '000000000000' }],
            repositoryFilters: [{ filter: 'shared', filterType: 'PREFIX_MATCH' }],
          },
        ],
      },
    }),
  );
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'shared/app' }));
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'local-only' }));
  const built = image('replicated');
  await pushViaApi(ecr, 'shared/app', built, 'v1');
  await pushViaApi(ecr, 'local-only', image('x'), 'v1');
  const eu = gw.client(ECRClient, { region: 'eu-west-1' });
  const there = await eu.send(new DescribeImagesCommand({ repositoryName: 'shared/app' }));
  expect(there.imageDetails!.map((d) => [d.imageDigest, d.imageTags])).toEqual([[built.digest, ['v1']]]);
  expect(await rejection(eu.send(new DescribeImagesCommand({ repositoryName: 'local-only' })))).toBeInstanceOf(
    RepositoryNotFoundException,
  );
  const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
  const token = Buffer.from(authorizationData![0].authorizationToken!, 'base64').toString();
  expect(token).toMatch(/^AWS:.+/);
  expect(authorizationData![0].proxyEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(authorizationData![0].expiresAt!.getTime() - Date.now()).toBeGreaterThan(11.9 * 3600_000);
  const scan = await rejection(
    ecr.send(new StartImageScanCommand({ repositoryName: 'shared/app', imageId: { imageTag: 'v1' } })),
  );
  expect(scan.message).toMatch(/Dockside has no image scanner/);
});
