/**
 * The ELBv2 data plane with real sockets: listeners that route by rules to targets (small HTTP
 * servers on loopback registered as `ip` targets), real health checks with AWS's states and
 * reasons, fail-open, draining, redirects, fixed responses, stickiness, weighted forwards,
 * WebSocket upgrades, HTTPS and NLB TCP, TLS, UDP and TCP_UDP listeners, 502/503/504, Host routing on the
 * gateway port.
 */
import * as dgram from 'node:dgram';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import {
  CreateRuleCommand,
  CreateTargetGroupCommand,
  ModifyTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyLoadBalancerAttributesCommand,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { elbv2, type BoundListener } from '@dockside/elbv2';
import { useTestGateway, waitFor } from '@dockside/testing';
import {
  allIn,
  freePort,
  get,
  httpTarget,
  listener,
  loadBalancer,
  silentTarget,
  targetGroup,
  waitHealth,
  type Target,
} from './helpers';

const gw = useTestGateway(() => ({ plugins: [elbv2({ timeScale: 0.01 })] }), { resetEach: true });
const elb = gw.sdk(ElasticLoadBalancingV2Client);
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

/** `/_dockside/elbv2/listeners` (the typed form is `DocksideClient.elbv2.listeners()`). */
async function boundListeners(): Promise<BoundListener[]> {
  return ((await (await fetch(`${gw.endpoint}/_dockside/elbv2/listeners`)).json()) as { listeners: BoundListener[] })
    .listeners;
}

async function targets(...names: string[]): Promise<Target[]> {
  const out = await Promise.all(names.map((n) => httpTarget(n)));
  for (const t of out) closers.push(t.close);
  return out;
}

async function register(tgArn: string, ...ts: Array<{ port: number }>) {
  await elb.send(
    new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: ts.map((t) => ({ Id: '127.0.0.1', Port: t.port })) }),
  );
}

/** Names of the targets that answered n requests. */
async function answers(port: number, n: number, path = '/', headers: Record<string, string> = {}) {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await get(port, path, headers)).body.split(' ')[0]);
  return out;
}

test('rules route by path and by header to two target groups; the default rule takes the rest; X-Forwarded-* reach the target', async () => {
  const [api1, api2, web] = await targets('api1', 'api2', 'web');
  const lb = await loadBalancer(elb, 'routes');
  const apiTg = await targetGroup(elb, 'api');
  const webTg = await targetGroup(elb, 'web');
  await register(apiTg.TargetGroupArn!, api1, api2);
  await register(webTg.TargetGroupArn!, web);
  const port = await freePort();
  const l = await listener(elb, lb.LoadBalancerArn!, port, [{ Type: 'forward', TargetGroupArn: webTg.TargetGroupArn }]);
  await elb.send(
    new CreateRuleCommand({
      ListenerArn: l.ListenerArn,
      Priority: 10,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: apiTg.TargetGroupArn }],
    }),
  );
  await elb.send(
    new CreateRuleCommand({
      ListenerArn: l.ListenerArn,
      Priority: 5,
      Conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Canary', Values: ['y*'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: apiTg.TargetGroupArn }],
    }),
  );
  await waitHealth(elb, apiTg.TargetGroupArn!, allIn('healthy', 2), 'api targets healthy');
  await waitHealth(elb, webTg.TargetGroupArn!, allIn('healthy', 1), 'web target healthy');
  // round robin over the two api targets; path matching is on the path only, case-sensitive
  expect((await answers(port, 4, '/api/users?x=1')).sort()).toEqual(['api1', 'api1', 'api2', 'api2']);
  expect(await answers(port, 2, '/API/users')).toEqual(['web', 'web']);
  expect(await answers(port, 2, '/', { 'X-Canary': 'YES' })).toEqual(expect.arrayContaining(['api1']));
  expect(await answers(port, 1, '/home')).toEqual(['web']);
  // The proxied request (health checks reach the target too, at any moment).
  const seen = web.seen.filter((r) => r.url === '/home').at(-1)!;
  expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
  expect(seen.headers['x-forwarded-proto']).toBe('http');
  expect(seen.headers['x-forwarded-port']).toBe(String(port));
  expect(seen.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  const listeners = await boundListeners();
  expect(listeners).toEqual([
    expect.objectContaining({ listenerArn: l.ListenerArn, port, boundPort: port, mapped: false, protocol: 'HTTP' }),
  ]);
});

test('health: a 500 is Target.ResponseCodeMismatch, silence is Target.Timeout; all unhealthy fails open; none registered is 503', async () => {
  const [bad] = await targets('bad');
  bad.status = 500;
  const silent = await silentTarget();
  closers.push(silent.close);
  const lb = await loadBalancer(elb, 'health');
  const group = await targetGroup(elb, 'health');
  await elb.send(
    new ModifyLoadBalancerAttributesCommand({
      LoadBalancerArn: lb.LoadBalancerArn,
      Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '1' }],
    }),
  );
  const port = await freePort();
  await listener(elb, lb.LoadBalancerArn!, port, [{ Type: 'forward', TargetGroupArn: group.TargetGroupArn }]);
  expect((await get(port)).status).toBe(503);
  await register(group.TargetGroupArn!, bad, silent);
  const first = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn }));
  expect(first.TargetHealthDescriptions!.map((d) => d.TargetHealth!.State)).toEqual(['initial', 'initial']);
  const health = await waitHealth(elb, group.TargetGroupArn!, allIn('unhealthy', 2), 'both unhealthy');
  const byPort = Object.fromEntries(health.map((d) => [d.Target!.Port, d.TargetHealth]));
  expect(byPort[bad.port]).toEqual({
    State: 'unhealthy',
    Reason: 'Target.ResponseCodeMismatch',
    Description: 'Health checks failed with these codes: [500]',
  });
  expect(byPort[silent.port]).toEqual({
    State: 'unhealthy',
    Reason: 'Target.Timeout',
    Description: 'Request timed out',
  });
  // every target unhealthy: the load balancer fails open and still sends traffic to them
  const replies = await Promise.all([get(port), get(port)]);
  expect(replies.map((r) => r.status).sort()).toEqual([500, 504]);
  expect(bad.seen.filter((r) => r.headers['user-agent'] !== 'ELB-HealthChecker/2.0').length).toBeGreaterThan(0);
});

test('a deregistered target drains (no new requests), then disappears', async () => {
  const [a, b] = await targets('a', 'b');
  const lb = await loadBalancer(elb, 'drain');
  const group = await targetGroup(elb, 'drain');
  // 100 s at AWS pace, 1 s here
  await elb.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: group.TargetGroupArn,
      Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '100' }],
    }),
  );
  const port = await freePort();
  await listener(elb, lb.LoadBalancerArn!, port, [{ Type: 'forward', TargetGroupArn: group.TargetGroupArn }]);
  await register(group.TargetGroupArn!, a, b);
  await waitHealth(elb, group.TargetGroupArn!, allIn('healthy', 2), 'both healthy');
  await elb.send(
    new DeregisterTargetsCommand({
      TargetGroupArn: group.TargetGroupArn,
      Targets: [{ Id: '127.0.0.1', Port: a.port }],
    }),
  );
  const draining = await elb.send(
    new DescribeTargetHealthCommand({
      TargetGroupArn: group.TargetGroupArn,
      Targets: [{ Id: '127.0.0.1', Port: a.port }],
    }),
  );
  expect(draining.TargetHealthDescriptions![0].TargetHealth).toEqual({
    State: 'draining',
    Reason: 'Target.DeregistrationInProgress',
    Description: 'Target deregistration is in progress',
  });
  expect(await answers(port, 6)).toEqual(['b', 'b', 'b', 'b', 'b', 'b']);
  await waitHealth(elb, group.TargetGroupArn!, (s) => Object.keys(s).length === 1, 'the drained target gone');
  const gone = await elb.send(
    new DescribeTargetHealthCommand({
      TargetGroupArn: group.TargetGroupArn,
      Targets: [{ Id: '127.0.0.1', Port: a.port }],
    }),
  );
  expect(gone.TargetHealthDescriptions![0].TargetHealth!.Reason).toBe('Target.NotRegistered');
});

test('redirect (placeholders, 301/302) and fixed-response', async () => {
  const lb = await loadBalancer(elb, 'fixed');
  const port = await freePort();
  const l = await listener(elb, lb.LoadBalancerArn!, port, [
    {
      Type: 'fixed-response',
      FixedResponseConfig: { StatusCode: '404', ContentType: 'application/json', MessageBody: '{"error":"nope"}' },
    },
  ]);
  await elb.send(
    new CreateRuleCommand({
      ListenerArn: l.ListenerArn,
      Priority: 1,
      Conditions: [{ Field: 'path-pattern', Values: ['/old/*'] }],
      Actions: [
        {
          Type: 'redirect',
          RedirectConfig: { Protocol: 'HTTPS', Port: '443', Path: '/new/#{path}', StatusCode: 'HTTP_301' },
        },
      ],
    }),
  );
  await elb.send(
    new CreateRuleCommand({
      ListenerArn: l.ListenerArn,
      Priority: 2,
      Conditions: [{ Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['DELETE'] } }],
      Actions: [{ Type: 'redirect', RedirectConfig: { Host: 'other.example.com', StatusCode: 'HTTP_302' } }],
    }),
  );
  const moved = await get(port, '/old/page?q=1', { Host: 'shop.example.com' });
  expect(moved.status).toBe(301);
  expect(moved.headers.location).toBe('https://shop.example.com/new/old/page?q=1');
  const found = await get(port, '/x?y=2', { Host: 'shop.example.com' }, 'DELETE');
  expect(found.status).toBe(302);
  expect(found.headers.location).toBe(`http://other.example.com:${port}/x?y=2`);
  const fixed = await get(port, '/anything');
  expect(fixed).toMatchObject({ status: 404, body: '{"error":"nope"}' });
  expect(fixed.headers['content-type']).toBe('application/json');
});

test('lb_cookie stickiness keeps a client on one target; weighted forward splits by weight', async () => {
  const [a, b, c] = await targets('a', 'b', 'c');
  const lb = await loadBalancer(elb, 'sticky');
  const ab = await targetGroup(elb, 'ab');
  const cg = await targetGroup(elb, 'c');
  await register(ab.TargetGroupArn!, a, b);
  await register(cg.TargetGroupArn!, c);
  await elb.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: ab.TargetGroupArn,
      Attributes: [{ Key: 'stickiness.enabled', Value: 'true' }],
    }),
  );
  const port = await freePort();
  const l = await listener(elb, lb.LoadBalancerArn!, port, [{ Type: 'forward', TargetGroupArn: ab.TargetGroupArn }]);
  await waitHealth(elb, ab.TargetGroupArn!, allIn('healthy', 2), 'a and b healthy');
  // no listener uses c yet: its target is unused, not checked
  await waitHealth(elb, cg.TargetGroupArn!, allIn('unused', 1), 'c unused');
  const first = await get(port);
  const awsalb = (first.headers['set-cookie'] ?? []).find((x) => x.startsWith('AWSALB='))!;
  expect(awsalb).toMatch(/^AWSALB=[^;]+; Expires=.+; Path=\/$/);
  const cookie = awsalb.split(';')[0];
  const sticky = await answers(port, 6, '/', { Cookie: cookie });
  expect(new Set(sticky)).toEqual(new Set([first.body.split(' ')[0]]));
  expect(new Set(await answers(port, 6))).toEqual(new Set(['a', 'b']));
  const weighted = (w1: number, w2: number) =>
    elb.send(
      new ModifyListenerCommand({
        ListenerArn: l.ListenerArn,
        DefaultActions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [
                { TargetGroupArn: ab.TargetGroupArn, Weight: w1 },
                { TargetGroupArn: cg.TargetGroupArn, Weight: w2 },
              ],
            },
          },
        ],
      }),
    );
  await weighted(0, 10);
  await waitHealth(elb, cg.TargetGroupArn!, allIn('healthy', 1), 'c healthy once in use');
  expect(await answers(port, 5)).toEqual(['c', 'c', 'c', 'c', 'c']);
  await weighted(10, 0);
  expect(await answers(port, 5)).not.toContain('c');
  await weighted(1, 1);
  await waitFor(async () => ((await answers(port, 10)).includes('c') ? true : undefined), {
    what: 'both groups in a 1:1 split',
  });
});

test('WebSocket upgrades pass through; 502 when the target fails; 504 after the idle timeout', async () => {
  const [ws] = await targets('ws');
  const silent = await silentTarget();
  closers.push(silent.close);
  const lb = await loadBalancer(elb, 'edge');
  const group = await targetGroup(elb, 'ws');
  const dead = await targetGroup(elb, 'dead', { HealthCheckEnabled: true });
  const slow = await targetGroup(elb, 'slow');
  await register(group.TargetGroupArn!, ws);
  await register(slow.TargetGroupArn!, silent);
  const closedPort = await freePort();
  await elb.send(
    new RegisterTargetsCommand({
      TargetGroupArn: dead.TargetGroupArn,
      Targets: [{ Id: '127.0.0.1', Port: closedPort }],
    }),
  );
  const port = await freePort();
  const l = await listener(elb, lb.LoadBalancerArn!, port, [{ Type: 'forward', TargetGroupArn: group.TargetGroupArn }]);
  for (const [i, path, tg] of [
    [1, '/dead', dead],
    [2, '/slow', slow],
  ] as const) {
    await elb.send(
      new CreateRuleCommand({
        ListenerArn: l.ListenerArn,
        Priority: i,
        Conditions: [{ Field: 'path-pattern', Values: [path] }],
        Actions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
      }),
    );
  }
  await elb.send(
    new ModifyLoadBalancerAttributesCommand({
      LoadBalancerArn: lb.LoadBalancerArn,
      Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '1' }],
    }),
  );
  const echoed = await new Promise<string>((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => {
      sock.write('GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      sock.write('ping');
    });
    let got = '';
    sock.on('data', (d) => {
      got += d.toString();
      if (got.includes('ping')) {
        sock.destroy();
        resolve(got);
      }
    });
    sock.on('error', reject);
  });
  expect(echoed).toMatch(/^HTTP\/1.1 101 Switching Protocols/);
  expect(echoed).toContain('ws-upgraded ping');
  expect((await get(port, '/dead')).status).toBe(502);
  const timedOut = await get(port, '/slow');
  expect(timedOut.status).toBe(504);
  expect(timedOut.body).toContain('504 Gateway Time-out');
});

test('an HTTPS listener terminates TLS with a certificate for the load balancer; an NLB TCP listener pipes bytes', async () => {
  const [web] = await targets('secure');
  const lb = await loadBalancer(elb, 'tls');
  const group = await targetGroup(elb, 'secure');
  await register(group.TargetGroupArn!, web);
  const port = await freePort();
  const secure = await listener(
    elb,
    lb.LoadBalancerArn!,
    port,
    [{ Type: 'forward', TargetGroupArn: group.TargetGroupArn }],
    'HTTPS',
    {
      Certificates: [{ CertificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/local' }],
    },
  );
  await elb.send(
    new CreateRuleCommand({
      ListenerArn: secure.ListenerArn,
      Priority: 1,
      Conditions: [{ Field: 'path-pattern', Values: ['/login'] }],
      Actions: [
        {
          Type: 'authenticate-oidc',
          Order: 1,
          AuthenticateOidcConfig: {
            Issuer: 'https://idp.example.com',
            AuthorizationEndpoint: 'https://idp.example.com/auth',
            TokenEndpoint: 'https://idp.example.com/token',
            UserInfoEndpoint: 'https://idp.example.com/userinfo',
            ClientId: 'c',
            ClientSecret: 's',
          },
        },
        { Type: 'forward', Order: 2, TargetGroupArn: group.TargetGroupArn },
      ],
    }),
  );
  await waitHealth(elb, group.TargetGroupArn!, allIn('healthy', 1), 'target healthy');
  const { subject, text } = await new Promise<{ subject: string; text: string }>((resolve, reject) => {
    const sock = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () => {
      const cert = sock.getPeerCertificate();
      sock.write('GET /s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      let text = '';
      sock.on('data', (d) => (text += d.toString()));
      sock.on('end', () => resolve({ subject: cert.subject.CN as string, text }));
    });
    sock.on('error', reject);
  });
  expect(subject).toBe(lb.DNSName);
  expect(text).toMatch(/^HTTP\/1.1 200/);
  expect(text).toContain('secure /s');
  expect(web.seen.filter((r) => r.url === '/s').at(-1)!.headers['x-forwarded-proto']).toBe('https');
  // authenticate-* needs an identity provider: answered plainly as not emulated
  const login = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/login', rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
  });
  expect(login.status).toBe(501);
  expect(login.body).toContain("Dockside does not emulate the 'authenticate-oidc' action");

  const echo = net.createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => echo.close(() => r())));
  const nlb = await loadBalancer(elb, 'nlb', 'network');
  const tcp = await targetGroup(elb, 'tcp', {
    Protocol: 'TCP',
    HealthCheckTimeoutSeconds: 10,
    HealthCheckIntervalSeconds: 30,
  });
  await register(tcp.TargetGroupArn!, { port: (echo.address() as net.AddressInfo).port });
  const nport = await freePort();
  await listener(elb, nlb.LoadBalancerArn!, nport, [{ Type: 'forward', TargetGroupArn: tcp.TargetGroupArn }], 'TCP');
  await waitHealth(elb, tcp.TargetGroupArn!, allIn('healthy', 1), 'tcp target healthy');
  const back = await new Promise<string>((resolve, reject) => {
    const s = net.connect(nport, '127.0.0.1', () => s.write('hello nlb'));
    s.on('data', (d) => {
      s.destroy();
      resolve(d.toString());
    });
    s.on('error', reject);
  });
  expect(back).toBe('hello nlb');
});

test('a listener port already taken is mapped to a derived port; the gateway port routes by the DNS name as Host', async () => {
  const [web] = await targets('mapped');
  const lb = await loadBalancer(elb, 'mapped');
  const group = await targetGroup(elb, 'mapped');
  await register(group.TargetGroupArn!, web);
  // a port something else holds
  const holder = net.createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => holder.close(() => r())));
  const taken = (holder.address() as net.AddressInfo).port;
  const l = await listener(elb, lb.LoadBalancerArn!, taken, [
    { Type: 'forward', TargetGroupArn: group.TargetGroupArn },
  ]);
  const [bound] = await boundListeners();
  expect(bound).toMatchObject({ listenerArn: l.ListenerArn, port: taken, mapped: true, dnsName: lb.DNSName });
  expect(bound.boundPort).not.toBe(taken);
  await waitHealth(elb, group.TargetGroupArn!, allIn('healthy', 1), 'target healthy');
  expect((await get(bound.boundPort, '/m')).body).toBe('mapped /m');
  const viaGateway = await get(Number(new URL(gw.endpoint).port), '/by-host', { Host: lb.DNSName! });
  expect(viaGateway.body).toBe('mapped /by-host');
});

test('a fixed health-check port, Target.FailedHealthChecks when nothing listens there; checks stay on for ip groups; lambda targets without checks are unavailable', async () => {
  const [web] = await targets('fixed');
  const lb = await loadBalancer(elb, 'fixedport');
  const closed = await freePort();
  const group = await targetGroup(elb, 'fixedport', { HealthCheckPort: String(closed) });
  await listener(elb, lb.LoadBalancerArn!, await freePort(), [
    { Type: 'forward', TargetGroupArn: group.TargetGroupArn },
  ]);
  await register(group.TargetGroupArn!, web);
  const [d] = await waitHealth(elb, group.TargetGroupArn!, allIn('unhealthy', 1), 'unhealthy on the closed port');
  expect(d).toMatchObject({
    HealthCheckPort: String(closed),
    TargetHealth: { State: 'unhealthy', Reason: 'Target.FailedHealthChecks', Description: 'Health checks failed' },
  });
  // the target's own port was never checked
  expect(web.seen).toEqual([]);
  const off = await elb
    .send(new ModifyTargetGroupCommand({ TargetGroupArn: group.TargetGroupArn, HealthCheckEnabled: false }))
    .catch((e: Error) => e);
  expect(off).toMatchObject({
    name: 'ValidationError',
    message: "Health checks cannot be disabled for target groups with target type 'ip'",
  });
  const fn = (await elb.send(new CreateTargetGroupCommand({ Name: 'fn', TargetType: 'lambda' }))).TargetGroups![0];
  const arn = 'arn:aws:lambda:us-east-1:000000000000:function:hello';
  await elb.send(new RegisterTargetsCommand({ TargetGroupArn: fn.TargetGroupArn, Targets: [{ Id: arn }] }));
  const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: fn.TargetGroupArn }));
  expect(health.TargetHealthDescriptions).toEqual([
    {
      Target: { Id: arn },
      TargetHealth: {
        State: 'unavailable',
        Reason: 'Target.HealthCheckDisabled',
        Description: 'Health checks are disabled',
      },
    },
  ]);
});

test('app_cookie stickiness follows the application cookie; least outstanding requests is accepted and serves', async () => {
  const [a, b] = await targets('a', 'b');
  const lb = await loadBalancer(elb, 'appcookie');
  const group = await targetGroup(elb, 'appcookie');
  await elb.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: group.TargetGroupArn,
      Attributes: [
        { Key: 'stickiness.enabled', Value: 'true' },
        { Key: 'stickiness.type', Value: 'app_cookie' },
        { Key: 'stickiness.app_cookie.cookie_name', Value: 'SESSION' },
        { Key: 'load_balancing.algorithm.type', Value: 'least_outstanding_requests' },
      ],
    }),
  );
  const port = await freePort();
  await listener(elb, lb.LoadBalancerArn!, port, [{ Type: 'forward', TargetGroupArn: group.TargetGroupArn }]);
  await register(group.TargetGroupArn!, a, b);
  await waitHealth(elb, group.TargetGroupArn!, allIn('healthy', 2), 'both healthy');
  // a target that sets the application cookie makes the load balancer add AWSALBAPP-0 naming it
  const session = await httpTargetSettingCookie();
  await register(group.TargetGroupArn!, session);
  await elb.send(
    new DeregisterTargetsCommand({
      TargetGroupArn: group.TargetGroupArn,
      Targets: [
        { Id: '127.0.0.1', Port: a.port },
        { Id: '127.0.0.1', Port: b.port },
      ],
    }),
  );
  await waitHealth(
    elb,
    group.TargetGroupArn!,
    (s) => s[`127.0.0.1:${session.port}`]?.State === 'healthy' && Object.keys(s).length === 1,
    'only the session target',
  );
  const first = await get(port);
  const app = (first.headers['set-cookie'] ?? []).find((c) => c.startsWith('AWSALBAPP-0='));
  expect(first.headers['set-cookie']).toContainEqual(expect.stringMatching(/^SESSION=abc/));
  expect(app).toMatch(/^AWSALBAPP-0=[^;]+; Expires=/);
  // with the cookie, a second target in the group does not take the client
  const [c] = await targets('c');
  await register(group.TargetGroupArn!, c);
  await waitHealth(elb, group.TargetGroupArn!, allIn('healthy', 2), 'session and c healthy');
  const sticky = await answers(port, 6, '/', { Cookie: app!.split(';')[0] });
  expect(new Set(sticky)).toEqual(new Set(['session']));
});

/** A target that sets an application session cookie. */
async function httpTargetSettingCookie() {
  const server = (await import('node:http')).createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'set-cookie': 'SESSION=abc; Path=/' });
    res.end('session /');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { port: (server.address() as net.AddressInfo).port };
}

test('an NLB TLS listener terminates TLS and pipes the plain bytes to the target', async () => {
  const echo = net.createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => echo.close(() => r())));
  const nlb = await loadBalancer(elb, 'tlsnlb', 'network');
  const tcp = await targetGroup(elb, 'tlsecho', {
    Protocol: 'TCP',
    HealthCheckTimeoutSeconds: 10,
    HealthCheckIntervalSeconds: 30,
  });
  await register(tcp.TargetGroupArn!, { port: (echo.address() as net.AddressInfo).port });
  const port = await freePort();
  await listener(elb, nlb.LoadBalancerArn!, port, [{ Type: 'forward', TargetGroupArn: tcp.TargetGroupArn }], 'TLS', {
    Certificates: [{ CertificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/nlb' }],
    SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
  });
  await waitHealth(elb, tcp.TargetGroupArn!, allIn('healthy', 1), 'echo healthy');
  const { text, protocol } = await new Promise<{ text: string; protocol: string | null }>((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () =>
      s.write('over tls'),
    );
    s.on('data', (d) => {
      const protocol = s.getProtocol();
      s.destroy();
      resolve({ text: d.toString(), protocol });
    });
    s.on('error', reject);
  });
  expect(text).toBe('over tls');
  expect(['TLSv1.2', 'TLSv1.3']).toContain(protocol);
});

/** A UDP echo on `port` (0: any), answering `<name>:<datagram>`. */
async function udpEcho(name: string, port = 0): Promise<number> {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (m, from) => sock.send(`${name}:${m}`, from.port, from.address));
  await new Promise<void>((r) => sock.bind(port, '127.0.0.1', () => r()));
  closers.push(() => new Promise((r) => sock.close(() => r())));
  return sock.address().port;
}

/** Sends datagrams from one client socket (one flow) and collects an answer to each. */
async function udpExchange(port: number, messages: string[]): Promise<string[]> {
  const sock = dgram.createSocket('udp4');
  try {
    const out: string[] = [];
    for (const m of messages) {
      const answer = new Promise<string>((resolve) => sock.once('message', (d) => resolve(d.toString())));
      sock.send(m, port, '127.0.0.1');
      out.push(await answer);
    }
    return out;
  } finally {
    sock.close();
  }
}

test('an NLB UDP listener relays datagrams per flow; a TCP_UDP listener serves both on one port', async () => {
  const nlb = await loadBalancer(elb, 'udpnlb', 'network');
  // UDP target: health-checked over TCP on a port of its own, as UDP target groups are.
  const check = net.createServer((s) => s.end());
  await new Promise<void>((r) => check.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => check.close(() => r())));
  const udpPort = await udpEcho('u1');
  const udpTg = await targetGroup(elb, 'udp', {
    Protocol: 'UDP',
    HealthCheckProtocol: 'TCP',
    HealthCheckPort: String((check.address() as net.AddressInfo).port),
    HealthCheckTimeoutSeconds: 10,
    HealthCheckIntervalSeconds: 30,
  });
  await register(udpTg.TargetGroupArn!, { port: udpPort });
  const port = await freePort();
  await listener(elb, nlb.LoadBalancerArn!, port, [{ Type: 'forward', TargetGroupArn: udpTg.TargetGroupArn }], 'UDP');
  await waitHealth(elb, udpTg.TargetGroupArn!, allIn('healthy', 1), 'udp target healthy');
  expect(await udpExchange(port, ['one', 'two'])).toEqual(['u1:one', 'u1:two']);
  expect((await boundListeners()).find((b) => b.protocol === 'UDP')).toMatchObject({ boundPort: port, mapped: false });

  // TCP_UDP: a target serving TCP and UDP on the same port; the listener serves both on its port.
  const both = net.createServer((s) => s.on('data', (d) => s.end(`tcp:${d}`)));
  await new Promise<void>((r) => both.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => both.close(() => r())));
  const bothPort = (both.address() as net.AddressInfo).port;
  await udpEcho('udp', bothPort);
  const mixed = await targetGroup(elb, 'mixed', {
    Protocol: 'TCP_UDP',
    HealthCheckProtocol: 'TCP',
    HealthCheckTimeoutSeconds: 10,
    HealthCheckIntervalSeconds: 30,
  });
  await register(mixed.TargetGroupArn!, { port: bothPort });
  const mport = await freePort();
  await listener(
    elb,
    nlb.LoadBalancerArn!,
    mport,
    [{ Type: 'forward', TargetGroupArn: mixed.TargetGroupArn }],
    'TCP_UDP',
  );
  await waitHealth(elb, mixed.TargetGroupArn!, allIn('healthy', 1), 'tcp_udp target healthy');
  expect(await udpExchange(mport, ['hi'])).toEqual(['udp:hi']);
  const overTcp = await new Promise<string>((resolve, reject) => {
    const s = net.connect(mport, '127.0.0.1', () => s.write('hi'));
    let text = '';
    s.on('data', (d) => (text += d));
    s.on('end', () => resolve(text));
    s.on('error', reject);
  });
  expect(overTcp).toBe('tcp:hi');
});
