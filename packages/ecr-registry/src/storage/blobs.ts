/**
 * Content-addressed blob storage on disk, shared by every repository of every account: blobs
 * under `sha256/<hex>`, uploads under `uploads/<id>` until their digest is verified. Bytes are
 * streamed in and out; a push never holds a layer in memory.
 */
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';

export const DIGEST = /^sha256:[a-f0-9]{64}$/;

export class BlobStore {
  readonly root: string;
  private readonly temporary: boolean;

  constructor(dir?: string) {
    this.temporary = !dir;
    this.root = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-ecr-'));
    fs.mkdirSync(path.join(this.root, 'sha256'), { recursive: true });
    fs.mkdirSync(path.join(this.root, 'uploads'), { recursive: true });
  }

  private blobPath(digest: string) {
    if (!DIGEST.test(digest)) throw new Error(`not a sha256 digest: ${digest}`);
    return path.join(this.root, 'sha256', digest.slice(7));
  }

  private uploadPath(id: string) {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error(`not an upload id: ${id}`);
    return path.join(this.root, 'uploads', id);
  }

  size(digest: string): number | undefined {
    try {
      return fs.statSync(this.blobPath(digest)).size;
    } catch {
      return undefined;
    }
  }

  read(digest: string, range?: { start: number; end: number }): Readable {
    return fs.createReadStream(this.blobPath(digest), range);
  }

  /** Stores bytes already in memory (manifests, small test blobs); returns the digest. */
  putBytes(bytes: Buffer): string {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const p = this.blobPath(digest);
    if (!fs.existsSync(p)) {
      const tmp = `${p}.${randomUUID()}`;
      fs.writeFileSync(tmp, bytes);
      fs.renameSync(tmp, p);
    }
    return digest;
  }

  newUpload(): string {
    const id = randomUUID();
    fs.writeFileSync(this.uploadPath(id), '');
    return id;
  }

  uploadSize(id: string): number | undefined {
    try {
      return fs.statSync(this.uploadPath(id)).size;
    } catch {
      return undefined;
    }
  }

  /** Appends a stream to an upload; resolves with the upload's new size. */
  async append(id: string, data: Readable | Buffer): Promise<number> {
    const p = this.uploadPath(id);
    if (Buffer.isBuffer(data)) fs.appendFileSync(p, data);
    else await pipeline(data, fs.createWriteStream(p, { flags: 'a' }));
    return fs.statSync(p).size;
  }

  /** Verifies an upload against `digest` and moves it into the store; false on a mismatch (the upload is kept). */
  async commit(id: string, digest: string): Promise<boolean> {
    const p = this.uploadPath(id);
    const hash = createHash('sha256');
    await pipeline(fs.createReadStream(p), hash);
    if (`sha256:${hash.digest('hex')}` !== digest) return false;
    const target = this.blobPath(digest);
    if (fs.existsSync(target)) fs.rmSync(p);
    else fs.renameSync(p, target);
    return true;
  }

  cancel(id: string) {
    fs.rmSync(this.uploadPath(id), { force: true });
  }

  /** Removes every blob not in `keep` (unreferenced after deletes). */
  collect(keep: Set<string>): number {
    let removed = 0;
    for (const f of fs.readdirSync(path.join(this.root, 'sha256'))) {
      if (!/^[a-f0-9]{64}$/.test(f) || keep.has(`sha256:${f}`)) continue;
      fs.rmSync(path.join(this.root, 'sha256', f), { force: true });
      removed++;
    }
    return removed;
  }

  close() {
    if (this.temporary) fs.rmSync(this.root, { recursive: true, force: true });
  }
}
