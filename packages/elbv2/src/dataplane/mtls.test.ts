import type * as tls from 'node:tls';
import { accepted, countCertificates, mtlsMode } from './mtls';

const socket = (s: { cert?: boolean; authorized?: boolean; error?: string }) =>
  ({
    getPeerCertificate: () => (s.cert === false ? {} : { raw: Buffer.from([1]) }),
    authorized: s.authorized ?? false,
    authorizationError: s.error,
  }) as unknown as tls.TLSSocket;

test('verify admits verified clients; expiry only when IgnoreClientCertificateExpiry; other modes admit all', () => {
  const verify = { Mode: 'verify', TrustStoreArn: 'arn' };
  expect(accepted(socket({ authorized: true }), verify, true)).toBe(true);
  expect(accepted(socket({ authorized: true }), verify, false)).toBe(false); // no CA bundle given
  expect(accepted(socket({ cert: false }), verify, true)).toBe(false);
  expect(accepted(socket({ error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }), verify, true)).toBe(false);
  expect(accepted(socket({ error: 'CERT_HAS_EXPIRED' }), verify, true)).toBe(false);
  expect(
    accepted(socket({ error: 'CERT_HAS_EXPIRED' }), { ...verify, IgnoreClientCertificateExpiry: true }, true),
  ).toBe(true);
  expect(accepted(socket({ cert: false }), { Mode: 'passthrough' }, false)).toBe(true);
  expect(accepted(socket({ cert: false }), undefined, false)).toBe(true);
});

test('modes and bundles', () => {
  expect(mtlsMode(undefined)).toBe('off');
  expect(mtlsMode({ Mode: 'off' })).toBe('off');
  expect(mtlsMode({ Mode: 'verify' })).toBe('verify');
  const block = '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n';
  expect(countCertificates(block + block)).toBe(2);
  expect(countCertificates(undefined)).toBe(0);
});
