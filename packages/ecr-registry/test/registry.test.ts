/**
 * Dockside's registry over raw HTTP, where it goes beyond what conformance.test.ts checks against
 * both registries: the ECR auth challenge, Accept negotiation, _catalog, the pushed image seen by
 * the API, referrers, and the errors for bad digests, names (dot segments) and oversized manifests.
 */
import * as http from 'node:http';
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr';
import { ecrRegistry } from '@dockside/ecr-registry';
import { useTestGateway } from '@dockside/testing';
import { digestOf, image } from './helpers';

const gw = useTestGateway(() => ({ plugins: [ecrRegistry({ port: 0 })] }), { resetEach: true });
const ecr = gw.sdk(ECRClient);
let registry = '';
let auth = '';

beforeEach(async () => {
  const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
  registry = authorizationData![0].proxyEndpoint!;
  auth = `Basic ${authorizationData![0].authorizationToken}`;
  for (const repositoryName of ['aa', 'bb', 'team/cc']) await ecr.send(new CreateRepositoryCommand({ repositoryName }));
});

const req = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
  fetch(`${registry}${path}`, {
    ...init,
    headers: { Authorization: auth, ...(init.headers ?? {}) },
    redirect: 'manual',
  });

/** A request whose path is sent as written (fetch would resolve `..`). */
function rawStatus(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(registry);
    http
      .get({ host: u.hostname, port: u.port, path, headers: { Authorization: auth } }, (r) => {
        r.resume();
        resolve(r.statusCode!);
      })
      .on('error', reject);
  });
}

async function pushBlob(repo: string, bytes: Buffer) {
  const r = await req(`/v2/${repo}/blobs/uploads/?digest=${digestOf(bytes)}`, { method: 'POST', body: bytes });
  expect(r.status).toBe(201);
  return digestOf(bytes);
}

async function pushImage(repo: string, content: string, tag: string) {
  const built = image(content);
  await pushBlob(repo, built.config);
  await pushBlob(repo, built.layer);
  const r = await req(`/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    body: built.manifest,
    headers: { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' },
  });
  expect(r.status).toBe(201);
  return built;
}

test('GET /v2/ challenges without credentials and answers with them', async () => {
  const anon = await fetch(`${registry}/v2/`);
  expect(anon.status).toBe(401);
  expect(anon.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
  expect((await anon.json()).errors[0].code).toBe('UNAUTHORIZED');
  const bad = await fetch(`${registry}/v2/`, {
    headers: { Authorization: `Basic ${Buffer.from('AWS:forged').toString('base64')}` },
  });
  expect(bad.status).toBe(401);
  const ok = await req('/v2/');
  expect(ok.status).toBe(200);
  expect(ok.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
});

test('cross-repository mount; manifests by tag and digest with Accept; tag pagination; _catalog; deletes', async () => {
  const layer = await pushBlob('aa', Buffer.from('shared layer'));
  const mount = await req(`/v2/bb/blobs/uploads/?mount=${layer}&from=aa`, { method: 'POST' });
  expect(mount.status).toBe(201);
  expect(mount.headers.get('location')).toBe(`/v2/bb/blobs/${layer}`);
  const built = await pushImage('team/cc', 'tagged', 'v1');
  for (const t of ['v2', 'v3', 'v4']) {
    await req(`/v2/team/cc/manifests/${t}`, {
      method: 'PUT',
      body: built.manifest,
      headers: { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' },
    });
  }
  const byTag = await req('/v2/team/cc/manifests/v1', {
    headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' },
  });
  expect(byTag.headers.get('docker-content-digest')).toBe(built.digest);
  expect(byTag.headers.get('content-type')).toBe('application/vnd.docker.distribution.manifest.v2+json');
  expect(await byTag.text()).toBe(built.manifest);
  const byDigest = await req(`/v2/team/cc/manifests/${built.digest}`, { method: 'HEAD' });
  expect(byDigest.status).toBe(200);
  const notAccepted = await req('/v2/team/cc/manifests/v1', {
    headers: { Accept: 'application/vnd.oci.image.index.v1+json' },
  });
  expect(notAccepted.status).toBe(404);
  const page1 = await req('/v2/team/cc/tags/list?n=2');
  expect(await page1.json()).toEqual({ name: 'team/cc', tags: ['v1', 'v2'] });
  expect(page1.headers.get('link')).toBe('</v2/team/cc/tags/list?n=2&last=v2>; rel="next"');
  const page2 = await req('/v2/team/cc/tags/list?n=2&last=v2');
  expect(await page2.json()).toEqual({ name: 'team/cc', tags: ['v3', 'v4'] });
  expect((await req('/v2/team/cc/tags/list?n=0')).headers.get('link')).toBeNull();
  expect(await (await req('/v2/_catalog')).json()).toEqual({ repositories: ['aa', 'bb', 'team/cc'] });
  expect((await req('/v2/team/cc/manifests/v4', { method: 'DELETE' })).status).toBe(202);
  expect((await req('/v2/team/cc/manifests/v4')).status).toBe(404);
  // the same image through the API
  const d = await ecr.send(new DescribeImagesCommand({ repositoryName: 'team/cc' }));
  expect(d.imageDetails!.map((x) => x.imageTags)).toEqual([['v1', 'v2', 'v3']]);
});

test('a manifest list, an artifact referring to an image (referrers API), and the errors of the spec', async () => {
  const amd = await pushImage('aa', 'amd64', 'amd64');
  const arm = await pushImage('aa', 'arm64', 'arm64');
  const list = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
    manifests: [amd, arm].map((m, i) => ({
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      size: Buffer.byteLength(m.manifest),
      digest: m.digest,
      platform: { architecture: i ? 'arm64' : 'amd64', os: 'linux' },
    })),
  });
  const put = await req('/v2/aa/manifests/multi', {
    method: 'PUT',
    body: list,
    headers: { 'Content-Type': 'application/vnd.docker.distribution.manifest.list.v2+json' },
  });
  expect(put.status).toBe(201);
  expect(put.headers.get('docker-content-digest')).toBe(digestOf(list));
  const empty = await pushBlob('aa', Buffer.from('{}'));
  const sbom = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: 'application/spdx+json',
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: empty, size: 2 },
    layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', digest: empty, size: 2 }],
    subject: {
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      digest: amd.digest,
      size: Buffer.byteLength(amd.manifest),
    },
    annotations: { 'org.example': 'sbom' },
  });
  const art = await req(`/v2/aa/manifests/${digestOf(sbom)}`, {
    method: 'PUT',
    body: sbom,
    headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
  });
  expect(art.status).toBe(201);
  expect(art.headers.get('oci-subject')).toBe(amd.digest);
  const referrers = await req(`/v2/aa/referrers/${amd.digest}`);
  expect(referrers.headers.get('content-type')).toBe('application/vnd.oci.image.index.v1+json');
  expect((await referrers.json()).manifests).toEqual([
    {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: digestOf(sbom),
      size: Buffer.byteLength(sbom),
      artifactType: 'application/spdx+json',
      annotations: { 'org.example': 'sbom' },
    },
  ]);
  const filtered = await req(`/v2/aa/referrers/${amd.digest}?artifactType=application/other`);
  expect(filtered.headers.get('oci-filters-applied')).toBe('artifactType');
  expect((await filtered.json()).manifests).toEqual([]);
  expect((await (await req(`/v2/aa/referrers/${digestOf('unknown')}`)).json()).manifests).toEqual([]);
  // errors
  const code = async (r: Response) => [r.status, (await r.json()).errors[0].code];
  expect(await code(await req('/v2/aa/referrers/sha256:xyz'))).toEqual([400, 'DIGEST_INVALID']);
  expect(await code(await req(`/v2/aa/blobs/${digestOf('missing')}`))).toEqual([404, 'BLOB_UNKNOWN']);
  expect(await code(await req('/v2/aa/manifests/missing'))).toEqual([404, 'MANIFEST_UNKNOWN']);
  expect(await code(await req('/v2/ghost/tags/list'))).toEqual([404, 'NAME_UNKNOWN']);
  expect(await rawStatus('/v2/aa/../bb/tags/list')).toBe(400);
  expect(await rawStatus('/v2/aa/%2e%2e/bb/tags/list')).toBe(400);
  expect(
    await code(
      await req('/v2/aa/manifests/bad', {
        method: 'PUT',
        body: 'not json',
        headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
      }),
    ),
  ).toEqual([400, 'MANIFEST_INVALID']);
  const missingLayer = image('never pushed');
  expect(
    await code(
      await req('/v2/aa/manifests/orphan', {
        method: 'PUT',
        body: missingLayer.manifest,
        headers: { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' },
      }),
    ),
  ).toEqual([400, 'MANIFEST_BLOB_UNKNOWN']);
  expect(
    await code(
      await req(`/v2/aa/manifests/${digestOf('other')}`, {
        method: 'PUT',
        body: amd.manifest,
        headers: { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' },
      }),
    ),
  ).toEqual([400, 'DIGEST_INVALID']);
  const huge = await req('/v2/aa/manifests/huge', {
    method: 'PUT',
    body: Buffer.alloc(5 * 1024 * 1024, 32),
    headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' },
  });
  expect(await code(huge)).toEqual([400, 'MANIFEST_INVALID']);
  // nothing stored was harmed
  expect((await req('/v2/aa/manifests/multi')).status).toBe(200);
});
