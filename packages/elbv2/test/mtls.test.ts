/**
 * Mutual TLS on an HTTPS listener, with certificates made by the openssl CLI: `verify` admits only
 * clients whose certificate chains to the trust store's CA bundle (given through the introspection
 * route, since its S3 object is not readable here) and tells the target who they are in
 * `X-Amzn-Mtls-Clientcert-*`; `passthrough` admits any certificate and forwards the chain.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CreateTrustStoreCommand,
  DescribeTrustStoresCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { elbv2 } from '@dockside/elbv2';
import { useTestGateway } from '@dockside/testing';
import { allIn, freePort, httpTarget, listener, loadBalancer, targetGroup, waitHealth } from './helpers';

const gw = useTestGateway(() => ({ plugins: [elbv2({ timeScale: 0.01 })] }), { resetEach: true });
const elb = gw.sdk(ElasticLoadBalancingV2Client);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-mtls-'));
const file = (name: string) => path.join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

/** A new P-256 key, unencrypted (`-keyout` follows). */
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout'];

/** A CA, and a client certificate it signed: `<name>.key`, `<name>.crt`. */
function issue(ca: string, client: string, subject: string) {
  openssl('req', '-x509', ...EC_KEY, `${ca}.key`, '-out', `${ca}.crt`, '-subj', `/CN=${ca}`, '-days', '2');
  openssl('req', ...EC_KEY, `${client}.key`, '-out', `${client}.csr`, '-subj', subject);
  const sign = ['-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial'];
  openssl('x509', '-req', '-in', `${client}.csr`, ...sign, '-out', `${client}.crt`, '-days', '2');
}

beforeAll(() => {
  issue('trusted-ca', 'alice', '/O=Example/CN=alice');
  issue('other-ca', 'mallory', '/CN=mallory');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A request over TLS, with a client certificate or none; the status, or the error that ended it. */
function call(port: number, client?: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = https.get(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        rejectUnauthorized: false,
        agent: false,
        ...(client
          ? { key: fs.readFileSync(file(`${client}.key`)), cert: fs.readFileSync(file(`${client}.crt`)) }
          : {}),
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

test('verify admits only clients of the trust store CA and names them to the target; passthrough forwards the chain', async () => {
  const target = await httpTarget('app');
  try {
    const lb = await loadBalancer(elb, 'mtls');
    const tg = await targetGroup(elb, 'mtls');
    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: tg.TargetGroupArn,
        Targets: [{ Id: '127.0.0.1', Port: target.port }],
      }),
    );
    const { TrustStores } = await elb.send(
      new CreateTrustStoreCommand({
        Name: 'clients',
        CaCertificatesBundleS3Bucket: 'certs',
        CaCertificatesBundleS3Key: 'trusted-ca.pem',
      }),
    );
    const trustStoreArn = TrustStores![0].TrustStoreArn!;
    const upload = await fetch(`${gw.endpoint}/_dockside/elbv2/trust-stores/clients/ca-bundle`, {
      method: 'PUT',
      body: fs.readFileSync(file('trusted-ca.crt'), 'utf8'),
    });
    expect(await upload.json()).toEqual({ trustStoreArn, numberOfCaCertificates: 1 });
    const bad = await fetch(`${gw.endpoint}/_dockside/elbv2/trust-stores/clients/ca-bundle`, {
      method: 'PUT',
      body: 'not a certificate',
    });
    expect([bad.status, (await bad.json()).__type]).toEqual([400, 'InvalidCaCertificatesBundleException']);
    expect((await elb.send(new DescribeTrustStoresCommand({ Names: ['clients'] }))).TrustStores![0]).toMatchObject({
      NumberOfCaCertificates: 1,
      Status: 'ACTIVE',
    });

    const port = await freePort();
    const https = { Certificates: [{ CertificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/mtls' }] };
    await listener(elb, lb.LoadBalancerArn!, port, [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }], 'HTTPS', {
      ...https,
      MutualAuthentication: { Mode: 'verify', TrustStoreArn: trustStoreArn },
    });
    await waitHealth(elb, tg.TargetGroupArn!, allIn('healthy', 1), 'target healthy');
    expect(await call(port, 'alice')).toBe(200);
    // Requests the listener forwarded (health checks reach the target too).
    const proxied = () => target.seen.filter((r) => r.headers['x-amzn-trace-id']);
    const seen = proxied()[proxied().length - 1].headers;
    expect(seen['x-amzn-mtls-clientcert-subject']).toBe('CN=alice,O=Example');
    expect(seen['x-amzn-mtls-clientcert-issuer']).toBe('CN=trusted-ca');
    expect(seen['x-amzn-mtls-clientcert-serial-number']).toMatch(/^[0-9A-F]+$/);
    expect(seen['x-amzn-mtls-clientcert-validity']).toMatch(
      /^NotBefore=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ;NotAfter=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
    expect(decodeURIComponent(String(seen['x-amzn-mtls-clientcert-leaf']))).toBe(
      fs.readFileSync(file('alice.crt'), 'utf8'),
    );
    const admitted = proxied().length;
    // No certificate, or one from another CA: the connection does not survive the handshake.
    expect(typeof (await call(port))).toBe('string');
    expect(typeof (await call(port, 'mallory'))).toBe('string');
    expect(proxied().length).toBe(admitted);

    // Passthrough: any certificate is admitted and its chain goes to the target.
    const pport = await freePort();
    await listener(elb, lb.LoadBalancerArn!, pport, [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }], 'HTTPS', {
      ...https,
      MutualAuthentication: { Mode: 'passthrough' },
    });
    expect(await call(pport, 'mallory')).toBe(200);
    const chain = decodeURIComponent(String(proxied()[proxied().length - 1].headers['x-amzn-mtls-clientcert']));
    expect(chain).toContain(fs.readFileSync(file('mallory.crt'), 'utf8').trim());
  } finally {
    await target.close();
  }
});
