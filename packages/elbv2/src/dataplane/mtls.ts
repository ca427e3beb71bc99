/**
 * Mutual TLS on HTTPS listeners, as an ALB does it. `passthrough`: the client's certificate chain is
 * requested, not verified, and sent to the target in `X-Amzn-Mtls-Clientcert`. `verify`: the chain
 * must verify against the trust store's CA bundle (expiry forgiven with IgnoreClientCertificateExpiry),
 * else the connection is closed after the handshake; the target gets the leaf's serial number,
 * issuer, subject, validity and PEM in `X-Amzn-Mtls-Clientcert-*`.
 */
import { X509Certificate } from 'node:crypto';
import type * as tls from 'node:tls';
import type * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';

export type MtlsMode = 'off' | 'passthrough' | 'verify';

export const mtlsMode = (m: ELB.MutualAuthenticationAttributes | undefined): MtlsMode =>
  m?.Mode === 'passthrough' || m?.Mode === 'verify' ? m.Mode : 'off';

/** TLS server options for a listener's mode (verification itself happens in `accepted`). */
export function mtlsServerOptions(mode: MtlsMode, caBundle: string | undefined): tls.TlsOptions {
  if (mode === 'off') return {};
  return { requestCert: true, rejectUnauthorized: false, ...(mode === 'verify' && caBundle ? { ca: caBundle } : {}) };
}

/** Whether a client that finished the handshake may stay connected. */
export function accepted(socket: tls.TLSSocket, m: ELB.MutualAuthenticationAttributes | undefined, hasCa: boolean) {
  if (mtlsMode(m) !== 'verify') return true;
  if (!hasCa || !socket.getPeerCertificate()?.raw) return false;
  if (socket.authorized) return true;
  return m?.IgnoreClientCertificateExpiry === true && String(socket.authorizationError) === 'CERT_HAS_EXPIRED';
}

const pem = (raw: Buffer) =>
  `-----BEGIN CERTIFICATE-----\n${raw
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd()}\n-----END CERTIFICATE-----\n`;

/** URL-encoded with `+`, `=` and `/` left as they are (base64 stays readable). */
const urlEncode = (s: string) => encodeURIComponent(s).replace(/%2B/g, '+').replace(/%3D/g, '=').replace(/%2F/g, '/');

/** OpenSSL's one-per-line DN as RFC 2253 writes it: most specific first, comma-separated. */
const rfc2253 = (dn: string) => dn.split('\n').filter(Boolean).reverse().join(',');

const isoSeconds = (d: string) => new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The headers the target gets for a client's certificate. */
export function mtlsHeaders(socket: tls.TLSSocket, mode: MtlsMode): Record<string, string> {
  if (mode === 'off') return {};
  const leaf = socket.getPeerCertificate(true);
  if (!leaf?.raw) return {};
  if (mode === 'passthrough') {
    // Leaf first, up to (and including) the root the client sent.
    let chain = '';
    const seen = new Set<string>();
    for (let c: tls.DetailedPeerCertificate | undefined = leaf; c?.raw; c = c.issuerCertificate) {
      if (seen.has(c.fingerprint256)) break;
      seen.add(c.fingerprint256);
      chain += pem(c.raw);
    }
    return { 'x-amzn-mtls-clientcert': urlEncode(chain) };
  }
  const x = new X509Certificate(leaf.raw);
  return {
    'x-amzn-mtls-clientcert-serial-number': x.serialNumber,
    'x-amzn-mtls-clientcert-issuer': rfc2253(x.issuer),
    'x-amzn-mtls-clientcert-subject': rfc2253(x.subject),
    'x-amzn-mtls-clientcert-validity': `NotBefore=${isoSeconds(x.validFrom)};NotAfter=${isoSeconds(x.validTo)}`,
    'x-amzn-mtls-clientcert-leaf': urlEncode(pem(leaf.raw)),
  };
}

/** How many certificates a PEM bundle holds. */
export const countCertificates = (bundle: string | undefined) =>
  (bundle?.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;
