import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyBuffers } from './body-buffers';

/** A real server answering each request with the body `bodyFor(path)` through one pool. */
async function serve(pool: BodyBuffers, bodyFor: (path: string) => string | string[]) {
  const server = http.createServer((req, res) => {
    pool.end(res, 200, ['Content-Type', 'application/json', 'Content-Length', ''], 3, bodyFor(req.url ?? '/'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const get = (path: string) =>
    new Promise<{ length: number; text: string }>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ length: Number(res.headers['content-length']), text: Buffer.concat(chunks).toString('utf8') }),
          );
        })
        .on('error', reject);
    });
  const close = () => {
    agent.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  };
  return { get, close };
}

describe('BodyBuffers', () => {
  it('sends text and pieces as UTF-8 with the right Content-Length, moving to a larger buffer for non-ASCII', async () => {
    const pool = new BodyBuffers();
    const wide = `${'ü'.repeat(600_000)}🚀`;
    const bodies: Record<string, string | string[]> = {
      '/ascii': 'a'.repeat(100_000),
      '/wide': wide,
      '/pieces': ['{"a":[', `"${'é'.repeat(700_000)}"`, ',"x"', ']}'],
    };
    const s = await serve(pool, (p) => bodies[p]);
    try {
      for (const [path, body] of Object.entries(bodies)) {
        const text = typeof body === 'string' ? body : body.join('');
        const got = await s.get(path);
        expect(got.text).toBe(text);
        expect(got.length).toBe(Buffer.byteLength(text));
      }
    } finally {
      await s.close();
    }
  });

  it('never hands a buffer to a second answer while the first is still being sent', async () => {
    // Answers far larger than the kernel's socket buffers stay in flight while the next
    // requests are answered; each fills its buffer with its own letter, so a buffer reused too
    // early shows up as another answer's letters.
    const size = 8 * 1024 * 1024;
    const pool = new BodyBuffers(size, 64 * 1024 * 1024);
    const s = await serve(pool, (p) => p.slice(1, 2).repeat(size));
    try {
      const paths = Array.from({ length: 8 }, (_, i) => `/${String.fromCharCode(97 + i)}`);
      for (let round = 0; round < 2; round++) {
        const got = await Promise.all(paths.map((p) => s.get(p)));
        got.forEach((g, i) => {
          expect(g.length).toBe(size);
          expect(g.text === paths[i][1].repeat(size)).toBe(true);
        });
      }
    } finally {
      await s.close();
    }
  });
});
