/** The generated listener certificate is a valid X.509 certificate for the names asked for. */
import { X509Certificate } from 'node:crypto';
import * as tls from 'node:tls';
import { selfSignedCertificate } from './self-signed';

test('a self-signed certificate names the load balancer, localhost and 127.0.0.1, and verifies itself', () => {
  const { cert, key } = selfSignedCertificate(['web-1234567890.us-east-1.elb.amazonaws.com', 'localhost', '127.0.0.1']);
  const x = new X509Certificate(cert);
  expect(x.subject).toBe('CN=web-1234567890.us-east-1.elb.amazonaws.com');
  expect(x.subjectAltName).toBe('DNS:web-1234567890.us-east-1.elb.amazonaws.com, DNS:localhost, IP Address:127.0.0.1');
  expect(x.verify(x.publicKey)).toBe(true);
  expect(x.checkHost('localhost')).toBe('localhost');
  expect(new Date(x.validTo).getTime()).toBeGreaterThan(Date.now() + 300 * 86400_000);
  expect(() => tls.createSecureContext({ cert, key })).not.toThrow();
});
