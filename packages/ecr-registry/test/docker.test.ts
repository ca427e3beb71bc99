/**
 * The real Docker CLI against Dockside's registry: `aws ecr get-login-password | docker login`,
 * `docker push`, `docker pull`, an immutable tag refused on push (`tag invalid`), and the pushed
 * image seen by the API and by `aws ecr describe-images`.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr';
import { ecrRegistry } from '@dockside/ecr-registry';
import { TEST_IMAGES, awsCliAvailable, ensureBusyboxImage, removeImageNames, useTestGateway } from '@dockside/testing';

const run = promisify(execFile);
const gw = useTestGateway(() => ({ plugins: [ecrRegistry({ port: 0 })] }));
const ecr = gw.sdk(ECRClient);
const dockerConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-docker-config-'));
const env = {
  ...process.env,
  DOCKER_CONFIG: dockerConfig,
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_PAGER: '',
};
const docker = (...args: string[]) => run('docker', args, { env, encoding: 'utf8' });
let registryHost = '';

beforeAll(() => ensureBusyboxImage());
afterAll(async () => {
  if (registryHost) await removeImageNames(registryHost);
  fs.rmSync(dockerConfig, { recursive: true, force: true });
});

test('docker login, push and pull; the pushed image is the API image; an immutable tag is refused on push', async () => {
  const { repository } = await ecr.send(
    new CreateRepositoryCommand({ repositoryName: 'docker/app', imageTagMutability: 'IMMUTABLE' }),
  );
  const uri = repository!.repositoryUri!;
  const host = uri.split('/')[0];
  const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
  const password = Buffer.from(authorizationData![0].authorizationToken!, 'base64').toString().slice('AWS:'.length);
  const login = await new Promise<string>((resolve, reject) => {
    const child = execFile(
      'docker',
      ['login', '--username', 'AWS', '--password-stdin', host],
      { env },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    );
    child.stdin!.end(password);
  });
  expect(login).toContain('Login Succeeded');
  registryHost = host;
  await docker('tag', TEST_IMAGES.busybox, `${uri}:v1`);
  const push = await docker('push', `${uri}:v1`);
  const digest = /digest: (sha256:[a-f0-9]{64})/.exec(push.stdout)![1];
  const d = await ecr.send(new DescribeImagesCommand({ repositoryName: 'docker/app' }));
  expect(d.imageDetails!.map((i) => [i.imageDigest, i.imageTags, i.imageManifestMediaType])).toEqual([
    [digest, ['v1'], 'application/vnd.docker.distribution.manifest.v2+json'],
  ]);
  expect(d.imageDetails![0].imageSizeInBytes).toBeGreaterThan(100_000);
  await docker('rmi', `${uri}:v1`);
  const pull = await docker('pull', `${uri}:v1`);
  expect(pull.stdout).toContain(`Digest: ${digest}`);
  // Another image (one file, imported) under the immutable tag: the push fails as against ECR.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-other-image-'));
  fs.writeFileSync(path.join(dir, 'other.txt'), 'another image');
  await run('sh', ['-c', `tar -C ${dir} -c other.txt | docker import - ${uri}:other`], { env });
  fs.rmSync(dir, { recursive: true, force: true });
  await docker('tag', `${uri}:other`, `${uri}:v1`);
  const refused = await docker('push', `${uri}:v1`).catch((e: { stderr: string }) => e);
  expect((refused as { stderr: string }).stderr).toMatch(
    /tag invalid: The image tag 'v1' already exists in the 'docker\/app' repository and cannot be overwritten because the repository is immutable\./,
  );
  if (awsCliAvailable() || process.env.CI) {
    const { stdout } = await run(
      'aws',
      [
        '--endpoint-url',
        gw.endpoint,
        '--region',
        'us-east-1',
        '--output',
        'json',
        'ecr',
        'describe-images',
        '--repository-name',
        'docker/app',
      ],
      {
        env,
        encoding: 'utf8',
      },
    );
    expect(JSON.parse(stdout).imageDetails.map((i: { imageDigest: string }) => i.imageDigest)).toEqual([digest]);
  }
});
