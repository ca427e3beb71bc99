/**
 * Who may pull, as on ECR: repository policies decide cross-account pulls (another account's
 * principal reads a repository only when a statement allows it; an explicit Deny stops even the
 * owner), and archived images are not pulled until restored. The caller's account comes from its
 * access key (a 12-digit key acts as that account).
 */
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  GetDownloadUrlForLayerCommand,
  RepositoryNotFoundException,
  SetRepositoryPolicyCommand,
  UpdateImageStorageClassCommand,
} from '@aws-sdk/client-ecr';
import { ecrRegistry } from '@dockside/ecr-registry';
import { rejection, useTestGateway } from '@dockside/testing';
import { digestOf, image, pushViaApi } from './helpers';

const OWNER = '111111111111';
const OTHER = '222222222222';
const gw = useTestGateway(() => ({ plugins: [ecrRegistry({ port: 0 })] }), { resetEach: true });
const as = (account: string) => gw.sdk(ECRClient, { credentials: { accessKeyId: account, secretAccessKey: 'x' } });
const owner = as(OWNER);
const other = as(OTHER);

const policy = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const pull = { Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] };

test('another account pulls only what a repository policy allows; an explicit Deny stops the owner too', async () => {
  await owner.send(new CreateRepositoryCommand({ repositoryName: 'shared/app' }));
  const built = image('shared');
  await pushViaApi(owner, 'shared/app', built, 'v1');
  const get = (client: ECRClient) =>
    client.send(
      new BatchGetImageCommand({ registryId: OWNER, repositoryName: 'shared/app', imageIds: [{ imageTag: 'v1' }] }),
    );

  // No policy: the owner reads, the other account is refused in ECR's words.
  expect((await get(owner)).images![0].imageManifest).toBe(built.manifest);
  const denied = await rejection(get(other));
  expect(denied.name).toBe('AccessDeniedException');
  expect(denied.message).toBe(
    `User: arn:aws:iam::${OTHER}:root is not authorized to perform: ecr:BatchGetImage on resource: ` +
      `arn:aws:ecr:us-east-1:${OWNER}:repository/shared/app because no resource-based policy allows the ecr:BatchGetImage action`,
  );
  // A repository the other account names that does not exist is not found in the owner's registry.
  const missing = await rejection(
    other.send(new DescribeImagesCommand({ registryId: OWNER, repositoryName: 'nope/none' })),
  );
  expect(missing).toBeInstanceOf(RepositoryNotFoundException);
  expect(missing.message).toContain(`in the registry with id '${OWNER}'`);

  // Allow the other account (as its root ARN): it pulls; actions outside the statement stay refused.
  await owner.send(
    new SetRepositoryPolicyCommand({
      repositoryName: 'shared/app',
      policyText: policy([{ Sid: 'pull', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, ...pull }]),
    }),
  );
  expect((await get(other)).images![0].imageId!.imageDigest).toBe(built.digest);
  const url = await other.send(
    new GetDownloadUrlForLayerCommand({
      registryId: OWNER,
      repositoryName: 'shared/app',
      layerDigest: digestOf(built.layer),
    }),
  );
  expect(url.downloadUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
  const describe = await rejection(
    other.send(new DescribeImagesCommand({ registryId: OWNER, repositoryName: 'shared/app' })),
  );
  expect(describe.message).toContain('because no resource-based policy allows the ecr:DescribeImages action');

  // A wildcard action grants everything; an explicit Deny wins over any Allow, for the owner as well.
  await owner.send(
    new SetRepositoryPolicyCommand({
      repositoryName: 'shared/app',
      policyText: policy([
        { Effect: 'Allow', Principal: { AWS: [OTHER] }, Action: 'ecr:*' },
        { Effect: 'Deny', Principal: '*', Action: 'ecr:BatchGet*' },
      ]),
    }),
  );
  expect(
    (await other.send(new DescribeImagesCommand({ registryId: OWNER, repositoryName: 'shared/app' }))).imageDetails,
  ).toHaveLength(1);
  for (const [client, account] of [
    [owner, OWNER],
    [other, OTHER],
  ] as const) {
    const e = await rejection(get(client));
    expect(e.name).toBe('AccessDeniedException');
    expect(e.message).toBe(
      `User: arn:aws:iam::${account}:root is not authorized to perform: ecr:BatchGetImage on resource: ` +
        `arn:aws:ecr:us-east-1:${OWNER}:repository/shared/app with an explicit deny in a resource-based policy`,
    );
  }
});

test('an archived image cannot be pulled (API or registry) until it is restored', async () => {
  await owner.send(new CreateRepositoryCommand({ repositoryName: 'cold/app' }));
  const built = image('cold');
  await pushViaApi(owner, 'cold/app', built, 'v1');
  const { authorizationData } = await owner.send(new GetAuthorizationTokenCommand({}));
  const manifest = () =>
    fetch(`${authorizationData![0].proxyEndpoint}/v2/cold/app/manifests/v1`, {
      headers: {
        Authorization: `Basic ${authorizationData![0].authorizationToken}`,
        Accept: 'application/vnd.docker.distribution.manifest.v2+json',
      },
    });
  const setClass = (targetStorageClass: 'ARCHIVE' | 'STANDARD') =>
    owner.send(
      new UpdateImageStorageClassCommand({
        repositoryName: 'cold/app',
        imageId: { imageTag: 'v1' },
        targetStorageClass,
      }),
    );
  const get = () =>
    owner.send(new BatchGetImageCommand({ repositoryName: 'cold/app', imageIds: [{ imageTag: 'v1' }] }));

  expect((await setClass('ARCHIVE')).imageStatus).toBe('ARCHIVED');
  const described = await owner.send(new DescribeImagesCommand({ repositoryName: 'cold/app' }));
  expect(described.imageDetails![0]).toMatchObject({ imageStatus: 'ARCHIVED', lastArchivedAt: expect.any(Date) });
  const archived = await get();
  expect(archived.images).toEqual([]);
  expect(archived.failures![0]).toMatchObject({ failureCode: 'ImageNotFound' });
  const res = await manifest();
  expect(res.status).toBe(404);
  expect((await res.json()).errors[0].code).toBe('MANIFEST_UNKNOWN');

  expect((await setClass('STANDARD')).imageStatus).toBe('ACTIVE');
  expect((await get()).images![0].imageManifest).toBe(built.manifest);
  expect((await manifest()).status).toBe(200);
});
