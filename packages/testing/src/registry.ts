/**
 * A private Docker registry on loopback serving one local image, behind HTTP Basic auth, so tests
 * can prove that registry credentials reach the engine's pull. Built offline from `docker save`
 * (the classic layout: manifest.json, <config>.json, <layer>/layer.tar). The engine trusts
 * 127.0.0.0/8 registries over plain HTTP by default.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import type Docker from 'dockerode';
import { dockerClient } from './docker';

export interface TestRegistry {
  /** `127.0.0.1:<port>`: prefix image names with it. */
  host: string;
  /** The repository:tag the registry serves, e.g. `127.0.0.1:5123/private/app:1`. */
  image: string;
  /** Requests that carried no or wrong credentials. */
  refused: number;
  /** Manifest requests answered with the image. */
  served: number;
  /** Tokens handed out (bearer mode). */
  tokens: number;
  close(): Promise<void>;
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export async function startTestRegistry(opts: {
  source: string;
  repository: string;
  tag?: string;
  username: string;
  password: string;
  /**
   * `basic` (default): every request carries the credentials. `bearer`: as Docker Hub or GHCR do,
   * requests get 401 with a token realm; the engine trades the credentials for a token at
   * `/token` and sends `Authorization: Bearer <token>`.
   */
  auth?: 'basic' | 'bearer';
  docker?: Docker;
}): Promise<TestRegistry> {
  const docker = opts.docker ?? dockerClient();
  const extracted = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-registry-'));
  const blobs = new Map<string, Buffer>();
  try {
    await new Promise<void>((resolve, reject) => {
      docker.getImage(opts.source).get((err, stream) => {
        if (err || !stream) return reject(err ?? new Error('no image stream'));
        stream.on('error', reject);
        stream
          .pipe(fs.createWriteStream(path.join(extracted, 'image.tar')))
          .on('finish', () => resolve())
          .on('error', reject);
      });
    });
    execFileSync('tar', ['-xf', path.join(extracted, 'image.tar'), '-C', extracted]);
    const [saved] = JSON.parse(fs.readFileSync(path.join(extracted, 'manifest.json'), 'utf8')) as {
      Config: string;
      Layers: string[];
    }[];
    const configBlob = fs.readFileSync(path.join(extracted, saved.Config));
    blobs.set(sha(configBlob), configBlob);
    const layers = saved.Layers.map((l) => {
      const gz = gzipSync(fs.readFileSync(path.join(extracted, l)));
      blobs.set(sha(gz), gz);
      return { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: gz.length, digest: sha(gz) };
    });
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        config: {
          mediaType: 'application/vnd.docker.container.image.v1+json',
          size: configBlob.length,
          digest: sha(configBlob),
        },
        layers,
      }),
    );
    const tag = opts.tag ?? 'latest';
    const expected = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
    const state = { refused: 0, served: 0, tokens: 0 };

    const bearer = opts.auth === 'bearer';
    const token = `dockside-test-token-${sha(manifest).slice(7, 23)}`;
    let host = '';
    const server = http.createServer((req, res) => {
      const refuse = () => {
        state.refused++;
        const challenge = bearer
          ? `Bearer realm="http://${host}/token",service="dockside-test-registry",scope="repository:${opts.repository}:pull"`
          : 'Basic realm="dockside-test-registry"';
        res.writeHead(401, { 'WWW-Authenticate': challenge, 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      };
      if (bearer && req.url?.startsWith('/token')) {
        if (req.headers.authorization !== expected) return refuse();
        state.tokens++;
        return res
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
      }
      if (req.headers.authorization !== (bearer ? `Bearer ${token}` : expected)) return refuse();
      const url = req.url ?? '/';
      if (url === '/v2/' || url === '/v2') return res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url);
      if (!m || m[1] !== opts.repository) return res.writeHead(404).end();
      if (m[2] === 'manifests' && (m[3] === tag || m[3] === sha(manifest))) {
        state.served++;
        res.writeHead(200, {
          'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json',
          'Docker-Content-Digest': sha(manifest),
          'Content-Length': manifest.length,
        });
        return res.end(req.method === 'HEAD' ? undefined : manifest);
      }
      const blob = m[2] === 'blobs' ? blobs.get(m[3]) : undefined;
      if (!blob) return res.writeHead(404).end();
      res.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Docker-Content-Digest': m[3],
        'Content-Length': blob.length,
      });
      return res.end(req.method === 'HEAD' ? undefined : blob);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
      host,
      image: `${host}/${opts.repository}:${tag}`,
      get refused() {
        return state.refused;
      },
      get served() {
        return state.served;
      },
      get tokens() {
        return state.tokens;
      },
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  } finally {
    fs.rmSync(extracted, { recursive: true, force: true, maxRetries: 3 });
  }
}
