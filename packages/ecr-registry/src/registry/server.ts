/**
 * The OCI distribution v2 registry, on a listener of its own (the gateway's port keeps the task
 * credentials path `/v2/credentials/`). Authenticated as ECR is: Basic `AWS:<password from
 * GetAuthorizationToken>`, which decides the account and region a request acts in. Manifests go
 * through the same `pushImage` as PutImage; blobs stream to and from the shared blob store.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@dockside/core';
import type { Tokens } from '../domain/auth';
import { MAX_MANIFEST_BYTES, PushError, findImage, pushImage, removeImage, tagsOf } from '../domain/images';
import { DIGEST_REF, REPO_NAME, TAG } from '../domain/names';
import type { BlobStore } from '../storage/blobs';
import type { EcrState, RepositoryRecord } from '../state/types';
import { OciError, sendError } from './errors';

export interface RegistryDeps {
  stateOf(where: { accountId: string; region: string }): EcrState;
  blobs: BlobStore;
  tokens: Tokens;
  logger: Logger;
  replicate(where: { accountId: string; region: string }, repository: string, digest: string): void;
  collect(): void;
}

interface Scope {
  accountId: string;
  region: string;
}

interface Upload {
  scope: Scope;
  repository: string;
}

const ROUTE =
  /^\/v2\/(.+?)\/(?:(blobs\/uploads)\/?([0-9a-f-]{36})?|blobs\/([^/]+)|manifests\/([^/]+)|(tags)\/list|referrers\/([^/]+))$/;

const base = { 'Docker-Distribution-API-Version': 'registry/2.0' };

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        // Answer now; the rest of the body is read and dropped.
        req.removeAllListeners('data');
        req.resume();
        reject(new OciError('MANIFEST_INVALID', `manifest larger than ${limit} bytes`));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export class Registry {
  private server?: http.Server;
  private readonly uploads = new Map<string, Upload>();
  private address?: AddressInfo;

  constructor(private readonly deps: RegistryDeps) {}

  /** Listens on `host:port`, or on a free port when that one is taken. Resolves with the port. */
  async listen(host: string, port: number): Promise<number> {
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        if (err instanceof OciError) return sendError(res, err);
        this.deps.logger.error({ err, url: req.url }, 'registry request failed');
        if (!res.headersSent) sendError(res, new OciError('UNKNOWN', 'internal error'));
        else res.destroy();
      });
    });
    server.keepAliveTimeout = 60_000;
    const bind = (p: number) =>
      new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false));
        server.listen({ host, port: p }, () => resolve(true));
      });
    if (!(await bind(port)) && !(await bind(0))) throw new Error(`the ECR registry cannot listen on ${host}`);
    this.server = server;
    this.address = server.address() as AddressInfo;
    return this.address.port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private authenticate(req: http.IncomingMessage, url: URL): Scope {
    const header = req.headers.authorization ?? '';
    let password: string | undefined;
    if (header.startsWith('Basic ')) {
      const [user, ...rest] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
      if (user === 'AWS') password = rest.join(':');
    } else if (header.startsWith('Bearer ')) password = header.slice(7);
    password ??= url.searchParams.get('token') ?? undefined;
    const scope = password ? this.deps.tokens.verify(password) : undefined;
    if (!scope) {
      const host = req.headers.host ?? 'localhost';
      throw new OciError('UNAUTHORIZED', 'authentication required', null, {
        'WWW-Authenticate': `Basic realm="http://${host}/",service="ecr.amazonaws.com"`,
      });
    }
    return scope;
  }

  private repository(scope: Scope, name: string): RepositoryRecord {
    if (!REPO_NAME.test(name) || name.length > 256 || name.split('/').some((p) => p === '..' || p === '.')) {
      throw new OciError('NAME_INVALID', `invalid repository name '${name}'`);
    }
    const repo = this.deps.stateOf(scope).repositories[name];
    if (!repo || repo.registryId !== scope.accountId) {
      throw new OciError(
        'NAME_UNKNOWN',
        `The repository with name '${name}' does not exist in the registry with id '${scope.accountId}'`,
      );
    }
    return repo;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    // `.` and `..` segments would let URL resolution move a request into another repository.
    if (/(^|\/)(\.|%2e){1,2}(\/|\?|$)/i.test(req.url ?? ''))
      throw new OciError('NAME_INVALID', 'invalid repository name: dot segments are not allowed');
    const url = new URL(req.url ?? '/', 'http://registry');
    const method = req.method ?? 'GET';
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      this.authenticate(req, url);
      res.writeHead(200, { ...base, 'Content-Type': 'application/json', 'Content-Length': 2 });
      return void res.end('{}');
    }
    if (url.pathname === '/v2/_catalog') return this.catalog(this.authenticate(req, url), url, res);
    const m = ROUTE.exec(url.pathname);
    if (!m) throw new OciError('UNSUPPORTED', `no such endpoint: ${method} ${url.pathname}`);
    const scope = this.authenticate(req, url);
    const [, name, uploads, uploadId, blob, manifest, tags, referrers] = m;
    const repo = this.repository(scope, decodeURIComponent(name));
    if (uploads) return this.upload(scope, repo, method, uploadId, url, req, res);
    if (blob) return this.blob(repo, method, blob, req, res);
    if (manifest) return this.manifest(scope, repo, method, decodeURIComponent(manifest), url, req, res);
    if (tags) return this.tags(repo, url, res);
    return this.referrers(repo, referrers, url, res);
  }

  private catalog(scope: Scope, url: URL, res: http.ServerResponse) {
    const names = Object.values(this.deps.stateOf(scope).repositories)
      .filter((r) => r.registryId === scope.accountId)
      .map((r) => r.name)
      .sort();
    this.page(res, url, names, (list) => ({ repositories: list }), '/v2/_catalog');
  }

  /** `n`/`last` pagination with a `Link` to the next page. */
  private page(res: http.ServerResponse, url: URL, all: string[], body: (page: string[]) => object, path: string) {
    const nRaw = url.searchParams.get('n');
    const last = url.searchParams.get('last');
    let list = last ? all.filter((x) => x > last) : all;
    const headers: Record<string, string> = { ...base, 'Content-Type': 'application/json' };
    if (nRaw !== null) {
      const n = Number(nRaw);
      if (!Number.isInteger(n) || n < 0)
        throw new OciError('PAGINATION_NUMBER_INVALID', `invalid number of results requested: ${nRaw}`);
      const more = list.length > n && n > 0;
      list = list.slice(0, n);
      if (more) headers.Link = `<${path}?n=${n}&last=${encodeURIComponent(list[list.length - 1])}>; rel="next"`;
    }
    const text = JSON.stringify(body(list));
    res.writeHead(200, { ...headers, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  private tags(repo: RepositoryRecord, url: URL, res: http.ServerResponse) {
    this.page(
      res,
      url,
      Object.keys(repo.tags).sort(),
      (tags) => ({ name: repo.name, tags }),
      `/v2/${repo.name}/tags/list`,
    );
  }

  private referrers(repo: RepositoryRecord, digest: string, url: URL, res: http.ServerResponse) {
    if (!DIGEST_REF.test(digest)) throw new OciError('DIGEST_INVALID', `invalid digest '${digest}'`);
    const type = url.searchParams.get('artifactType');
    let refs = Object.values(repo.images).filter((i) => i.subject === digest);
    if (type) refs = refs.filter((i) => i.artifactType === type);
    const manifests = refs.map((i) => {
      let annotations: unknown;
      try {
        annotations = (JSON.parse(i.manifest) as { annotations?: unknown }).annotations;
      } catch {
        annotations = undefined;
      }
      return {
        mediaType: i.mediaType,
        digest: i.digest,
        size: Buffer.byteLength(i.manifest),
        artifactType: i.artifactType,
        ...(annotations ? { annotations } : {}),
      };
    });
    const text = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests });
    res.writeHead(200, {
      ...base,
      'Content-Type': 'application/vnd.oci.image.index.v1+json',
      'Content-Length': Buffer.byteLength(text),
      ...(type ? { 'OCI-Filters-Applied': 'artifactType' } : {}),
    });
    res.end(text);
  }

  private blob(
    repo: RepositoryRecord,
    method: string,
    digest: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ) {
    if (!DIGEST_REF.test(digest)) throw new OciError('DIGEST_INVALID', `invalid digest '${digest}'`);
    const size = this.deps.blobs.size(digest);
    // Blobs belong to repositories (as on ECR): another repository's blob is reached by a mount.
    const linked = digest in repo.blobs || Object.values(repo.images).some((i) => i.blobs.includes(digest));
    if (size === undefined || !linked)
      throw new OciError('BLOB_UNKNOWN', `blob unknown to registry: ${digest}`, { digest });
    if (method === 'DELETE') {
      delete repo.blobs[digest];
      this.deps.collect();
      res.writeHead(202, { ...base, 'Content-Length': 0 });
      return void res.end();
    }
    if (method !== 'GET' && method !== 'HEAD') throw new OciError('UNSUPPORTED', `${method} is not supported on blobs`);
    const headers: Record<string, string | number> = {
      ...base,
      'Content-Type': 'application/octet-stream',
      'Docker-Content-Digest': digest,
      'Accept-Ranges': 'bytes',
      ETag: `"${digest}"`,
    };
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range && method === 'GET') {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start > end) {
        res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}` });
        return void res.end();
      }
      res.writeHead(206, {
        ...headers,
        'Content-Length': end - start + 1,
        'Content-Range': `bytes ${start}-${end}/${size}`,
      });
      return void this.deps.blobs.read(digest, { start, end }).pipe(res);
    }
    res.writeHead(200, { ...headers, 'Content-Length': size });
    if (method === 'HEAD') return void res.end();
    this.deps.blobs.read(digest).pipe(res);
  }

  private location(repo: RepositoryRecord, id: string) {
    return `/v2/${repo.name}/blobs/uploads/${id}`;
  }

  private uploadHeaders(repo: RepositoryRecord, id: string) {
    const size = this.deps.blobs.uploadSize(id) ?? 0;
    return {
      ...base,
      Location: this.location(repo, id),
      Range: `0-${Math.max(0, size - 1)}`,
      'Docker-Upload-UUID': id,
      'Content-Length': 0,
    };
  }

  private async upload(
    scope: Scope,
    repo: RepositoryRecord,
    method: string,
    id: string | undefined,
    url: URL,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ) {
    if (!id) {
      if (method !== 'POST') throw new OciError('UNSUPPORTED', `${method} is not supported here`);
      const mount = url.searchParams.get('mount');
      if (mount && DIGEST_REF.test(mount) && this.deps.blobs.size(mount) !== undefined) {
        const from = url.searchParams.get('from');
        const source = from ? this.deps.stateOf(scope).repositories[from] : undefined;
        // A named source must hold the blob; an anonymous mount may take it from the shared store.
        if (!from || source?.blobs[mount] !== undefined) {
          repo.blobs[mount] = this.deps.blobs.size(mount)!;
          res.writeHead(201, {
            ...base,
            Location: `/v2/${repo.name}/blobs/${mount}`,
            'Docker-Content-Digest': mount,
            'Content-Length': 0,
          });
          return void res.end();
        }
      }
      const newId = this.deps.blobs.newUpload();
      this.uploads.set(newId, { scope, repository: repo.name });
      const digest = url.searchParams.get('digest');
      if (digest) {
        await this.deps.blobs.append(newId, req);
        return this.finish(repo, newId, digest, res);
      }
      res.writeHead(202, this.uploadHeaders(repo, newId));
      return void res.end();
    }
    const up = this.uploads.get(id);
    if (
      !up ||
      up.repository !== repo.name ||
      up.scope.accountId !== scope.accountId ||
      this.deps.blobs.uploadSize(id) === undefined
    ) {
      throw new OciError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry', { uuid: id });
    }
    if (method === 'GET') {
      res.writeHead(204, this.uploadHeaders(repo, id));
      return void res.end();
    }
    if (method === 'DELETE') {
      this.deps.blobs.cancel(id);
      this.uploads.delete(id);
      res.writeHead(204, { ...base, 'Content-Length': 0 });
      return void res.end();
    }
    if (method === 'PATCH' || method === 'PUT') {
      const current = this.deps.blobs.uploadSize(id) ?? 0;
      const cr = req.headers['content-range'];
      const hasBody =
        method === 'PATCH' ||
        Number(req.headers['content-length'] ?? 0) > 0 ||
        req.headers['transfer-encoding'] === 'chunked';
      if (cr && req.headers['content-length'] !== undefined) {
        const r = /^(?:bytes )?(\d+)-(\d+)$/.exec(String(cr));
        const length = Number(req.headers['content-length']);
        if (!r || Number(r[1]) !== current || Number(r[2]) - Number(r[1]) + 1 !== length) {
          req.resume();
          throw new OciError('RANGE_INVALID', `invalid content range: upload is at byte ${current}`, undefined, {
            Location: this.location(repo, id),
            Range: `0-${Math.max(0, current - 1)}`,
            'Docker-Upload-UUID': id,
          });
        }
      }
      if (hasBody) await this.deps.blobs.append(id, req);
      else req.resume();
      if (method === 'PATCH') {
        res.writeHead(202, this.uploadHeaders(repo, id));
        return void res.end();
      }
      const digest = url.searchParams.get('digest');
      if (!digest) throw new OciError('DIGEST_INVALID', 'a digest is required to complete an upload');
      return this.finish(repo, id, digest, res);
    }
    throw new OciError('UNSUPPORTED', `${method} is not supported on uploads`);
  }

  private async finish(repo: RepositoryRecord, id: string, digest: string, res: http.ServerResponse) {
    if (!DIGEST_REF.test(digest)) throw new OciError('DIGEST_INVALID', `unsupported or invalid digest '${digest}'`);
    if (!(await this.deps.blobs.commit(id, digest))) {
      throw new OciError('DIGEST_INVALID', 'provided digest did not match uploaded content', { digest });
    }
    this.uploads.delete(id);
    repo.blobs[digest] = this.deps.blobs.size(digest)!;
    res.writeHead(201, {
      ...base,
      Location: `/v2/${repo.name}/blobs/${digest}`,
      'Docker-Content-Digest': digest,
      'Content-Length': 0,
    });
    res.end();
  }

  private async manifest(
    scope: Scope,
    repo: RepositoryRecord,
    method: string,
    reference: string,
    url: URL,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ) {
    const isDigest = reference.startsWith('sha256:');
    if (isDigest ? !DIGEST_REF.test(reference) : !TAG.test(reference)) {
      throw new OciError(isDigest ? 'DIGEST_INVALID' : 'TAG_INVALID', `invalid manifest reference '${reference}'`);
    }
    if (method === 'PUT') {
      const body = await readBody(req, MAX_MANIFEST_BYTES);
      const tags = [...(isDigest ? [] : [reference]), ...url.searchParams.getAll('tag').filter((t) => TAG.test(t))];
      let pushed;
      try {
        pushed = pushImage(repo, this.deps.blobs, {
          manifest: body.toString('utf8'),
          mediaType: req.headers['content-type']?.split(';')[0].trim(),
          tags,
          digest: isDigest ? reference : undefined,
        });
      } catch (e) {
        if (!(e instanceof PushError)) throw e;
        const code = {
          'tag-immutable': 'TAG_INVALID',
          'digest-mismatch': 'DIGEST_INVALID',
          'blobs-missing': 'MANIFEST_BLOB_UNKNOWN',
          'children-missing': 'MANIFEST_UNKNOWN',
          'too-large': 'MANIFEST_INVALID',
          exists: 'MANIFEST_INVALID',
          invalid: 'MANIFEST_INVALID',
        }[e.kind] as 'TAG_INVALID';
        throw new OciError(code, e.message, e.missing.length ? { missing: e.missing } : undefined);
      }
      const { image } = pushed;
      this.deps.replicate(scope, repo.name, image.digest);
      res.writeHead(201, {
        ...base,
        Location: `/v2/${repo.name}/manifests/${image.digest}`,
        'Docker-Content-Digest': image.digest,
        'Content-Length': 0,
        ...(image.subject ? { 'OCI-Subject': image.subject } : {}),
      });
      return void res.end();
    }
    const image = findImage(repo, reference);
    if (!image) throw new OciError('MANIFEST_UNKNOWN', `manifest unknown: ${reference}`, { Tag: reference });
    if (method === 'DELETE') {
      if (isDigest) removeImage(repo, image.digest);
      else {
        delete repo.tags[reference];
        if (!tagsOf(repo, image.digest).length) removeImage(repo, image.digest);
      }
      res.writeHead(202, { ...base, 'Content-Length': 0 });
      return void res.end();
    }
    if (method !== 'GET' && method !== 'HEAD')
      throw new OciError('UNSUPPORTED', `${method} is not supported on manifests`);
    if (image.storageClass === 'ARCHIVE') {
      throw new OciError(
        'MANIFEST_UNKNOWN',
        `The image '${reference}' is archived and must be restored before it can be pulled`,
      );
    }
    const accept = String(req.headers.accept ?? '')
      .split(',')
      .map((x) => x.split(';')[0].trim())
      .filter(Boolean);
    if (
      accept.length &&
      !accept.includes(image.mediaType) &&
      !accept.includes('*/*') &&
      !accept.includes('application/json')
    ) {
      throw new OciError(
        'MANIFEST_UNKNOWN',
        `manifest of media type '${image.mediaType}' is not among the accepted types`,
      );
    }
    if (method === 'GET') image.lastPulledAt = new Date();
    res.writeHead(200, {
      ...base,
      'Content-Type': image.mediaType,
      'Content-Length': Buffer.byteLength(image.manifest),
      'Docker-Content-Digest': image.digest,
      ETag: `"${image.digest}"`,
    });
    res.end(method === 'HEAD' ? undefined : image.manifest);
  }
}
