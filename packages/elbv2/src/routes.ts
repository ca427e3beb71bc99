/**
 * `/_dockside/elbv2/…`: where each listener really listens (typed in @dockside/client), and the CA
 * bundles of trust stores (their S3 objects are not readable here).
 */
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { PluginRoutes, Store } from '@dockside/core';
import { countCertificates } from './dataplane/mtls';
import type { DataPlane } from './dataplane/plane';
import type { Elbv2State } from './state/types';

const PREFIX = '/_dockside/elbv2';

export function elbv2Routes(
  plane: DataPlane,
  store: Store<Elbv2State>,
  defaults: { accountId: string; region: string },
): PluginRoutes {
  return {
    prefixes: [`${PREFIX}/`],
    mount(router) {
      router.get(`${PREFIX}/listeners`, async (_req, res) => {
        await plane.sync();
        res.json({ listeners: plane.listeners() });
      });
      // The PEM bundle a trust store's S3 object would hold; `?account=&region=` pick the store.
      router.put(`${PREFIX}/trust-stores/:name/ca-bundle`, async (req, res) => {
        const q = req.query as Record<string, unknown>;
        const s = store.get(
          typeof q.account === 'string' ? q.account : defaults.accountId,
          typeof q.region === 'string' ? q.region : defaults.region,
        );
        const t = Object.values(s.trustStores).find((x) => x.name === req.params.name);
        if (!t)
          return void res
            .status(404)
            .json({ __type: 'TrustStoreNotFoundException', message: `Trust store '${req.params.name}' not found` });
        const pem = await readText(req, 1 << 20);
        const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
        try {
          if (!blocks.length) throw new Error('no certificate');
          for (const b of blocks) new X509Certificate(b);
        } catch {
          return void res.status(400).json({
            __type: 'InvalidCaCertificatesBundleException',
            message: 'The CA certificates bundle is not a valid PEM bundle of X.509 certificates',
          });
        }
        t.caBundle = blocks.join('\n') + '\n';
        await plane.sync();
        res.json({ trustStoreArn: t.arn, numberOfCaCertificates: countCertificates(t.caBundle) });
      });
    },
    byHost: (host) => plane.hostHandler(host),
  };
}

/** A request body as text, cut at `limit` bytes. */
function readText(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      if (text.length < limit) text += chunk;
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}
