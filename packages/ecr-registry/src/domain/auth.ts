/**
 * Registry passwords as GetAuthorizationToken issues them: the account and region they act in
 * and their expiry, signed. `docker login -u AWS -p <password>` then works unchanged.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const TOKEN_LIFETIME_MS = 12 * 3600_000;

export class Tokens {
  /** Random per process unless `persistKey` gives one that outlives it. */
  private secret = randomBytes(32);

  /**
   * Signs with the key kept in `file` (created, owner-only, on first use) so that passwords issued
   * before a restart with the same data directory still log in afterwards.
   */
  persistKey(file: string): void {
    try {
      const key = fs.readFileSync(file);
      if (key.length >= 32) {
        this.secret = key;
        return;
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, this.secret, { mode: 0o600 });
  }

  issue(accountId: string, region: string, now = Date.now()): { password: string; expiresAt: Date } {
    const expiresAt = new Date(now + TOKEN_LIFETIME_MS);
    const body = Buffer.from(JSON.stringify({ a: accountId, r: region, x: expiresAt.getTime() })).toString('base64url');
    return { password: `${body}.${this.sign(body)}`, expiresAt };
  }

  /** The account and region of a valid, unexpired password. */
  verify(password: string, now = Date.now()): { accountId: string; region: string } | undefined {
    const [body, sig] = password.split('.');
    if (!body || !sig) return undefined;
    const want = Buffer.from(this.sign(body));
    const got = Buffer.from(sig);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
    try {
      const { a, r, x } = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      return x > now ? { accountId: a, region: r } : undefined;
    } catch {
      return undefined;
    }
  }

  private sign(body: string) {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}
