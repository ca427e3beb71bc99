/** skopeo (a daemonless OCI client) copies an OCI layout into Dockside's registry and back, unchanged. */
import { execFile, execFileSync } from 'node:child_process';
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
import { TEST_IMAGES, ensureBusyboxImage, useTestGateway } from '@dockside/testing';

const run = promisify(execFile);
const skopeo = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v skopeo'], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
})();
const gw = useTestGateway(() => ({ plugins: [ecrRegistry({ port: 0 })] }));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-skopeo-'));
beforeAll(() => ensureBusyboxImage());
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

(skopeo || process.env.CI ? test : test.skip)('skopeo copy: OCI layout → Dockside → OCI layout', async () => {
  const ecr = gw.client(ECRClient);
  const uri = (await ecr.send(new CreateRepositoryCommand({ repositoryName: 'skopeo/busybox' }))).repository!
    .repositoryUri!;
  const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
  const creds = Buffer.from(authorizationData![0].authorizationToken!, 'base64').toString();
  await run('skopeo', ['copy', '--quiet', `docker-daemon:${TEST_IMAGES.busybox}`, `oci:${dir}/in:latest`]);
  await run('skopeo', [
    'copy',
    '--quiet',
    '--dest-tls-verify=false',
    '--dest-creds',
    creds,
    `oci:${dir}/in:latest`,
    `docker://${uri}:v1`,
  ]);
  const images = await ecr.send(new DescribeImagesCommand({ repositoryName: 'skopeo/busybox' }));
  expect(images.imageDetails!.map((i) => [i.imageTags, i.imageManifestMediaType])).toEqual([
    [['v1'], 'application/vnd.oci.image.manifest.v1+json'],
  ]);
  await run('skopeo', [
    'copy',
    '--quiet',
    '--src-tls-verify=false',
    '--src-creds',
    creds,
    `docker://${uri}:v1`,
    `oci:${dir}/out:latest`,
  ]);
  const index = (d: string) => JSON.parse(fs.readFileSync(path.join(dir, d, 'index.json'), 'utf8')).manifests[0].digest;
  expect(index('out')).toBe(index('in'));
  expect(images.imageDetails![0].imageDigest).toBe(index('in'));
  const inspect = await run('skopeo', ['inspect', '--tls-verify=false', '--creds', creds, `docker://${uri}:v1`], {
    encoding: 'utf8',
  });
  expect(JSON.parse(inspect.stdout)).toMatchObject({ Digest: index('in'), Os: 'linux' });
});
