/**
 * The plain-HTTP fast path relays responses by their framing and hands connections to the full
 * handler when a request needs it: chunked and close-delimited responses, a streamed 1 MiB request
 * body, pipelined requests on one connection, HEAD, and a keep-alive connection that switches to
 * the full handler midway (a redirect rule) and keeps working.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import {
  CreateRuleCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { elbv2 } from '@dockside/elbv2';
import { useTestGateway } from '@dockside/testing';
import { allIn, freePort, listener, loadBalancer, targetGroup, waitHealth } from './helpers';

const gw = useTestGateway(() => ({ plugins: [elbv2({ timeScale: 0.01 })] }), { resetEach: true });
const elb = gw.sdk(ElasticLoadBalancingV2Client);

/** A target with one behaviour per path. */
function target(): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/chunked') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('part one, ');
        setTimeout(() => res.end('part two'), 5);
      } else if (req.url === '/echo') {
        const body = Buffer.concat(chunks);
        res.writeHead(200, { 'content-length': body.length, 'x-sha': String(body.length) });
        res.end(body);
      } else {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 + req.url!.length });
        res.end(`ok${req.url}`);
      }
    });
  });
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () =>
          new Promise((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      }),
    ),
  );
}

/** One request on a given agent; status, headers and body. */
function request(port: number, agent: http.Agent, path: string, method = 'GET', body?: Buffer) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Raw bytes written at once on one connection; everything read until the target's side closes or `until` is seen. */
function raw(port: number, text: string, until: (got: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(text));
    let got = '';
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (until(got)) {
        s.destroy();
        resolve(got);
      }
    });
    s.on('end', () => resolve(got));
    s.on('error', reject);
  });
}

test('framing, streamed bodies, pipelining and a hand-off to the full handler on one connection', async () => {
  const t = await target();
  // A target that ends its response by closing (no Content-Length, no chunking).
  const closer = net.createServer((s) =>
    s.once('data', () => s.end('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil the end')),
  );
  await new Promise<void>((r) => closer.listen(0, '127.0.0.1', r));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const lb = await loadBalancer(elb, 'fast');
    const tg = await targetGroup(elb, 'fast');
    const closeTg = await targetGroup(elb, 'closer', { HealthCheckProtocol: 'TCP' });
    await elb.send(
      new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: t.port }] }),
    );
    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: closeTg.TargetGroupArn,
        Targets: [{ Id: '127.0.0.1', Port: (closer.address() as net.AddressInfo).port }],
      }),
    );
    const port = await freePort();
    const l = await listener(elb, lb.LoadBalancerArn!, port, [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }]);
    await elb.send(
      new CreateRuleCommand({
        ListenerArn: l.ListenerArn,
        Priority: 1,
        Conditions: [{ Field: 'path-pattern', Values: ['/old'] }],
        Actions: [{ Type: 'redirect', RedirectConfig: { Path: '/new', StatusCode: 'HTTP_301' } }],
      }),
    );
    await elb.send(
      new CreateRuleCommand({
        ListenerArn: l.ListenerArn,
        Priority: 2,
        Conditions: [{ Field: 'path-pattern', Values: ['/close'] }],
        Actions: [{ Type: 'forward', TargetGroupArn: closeTg.TargetGroupArn }],
      }),
    );
    await waitHealth(elb, tg.TargetGroupArn!, allIn('healthy', 1), 'target healthy');
    await waitHealth(elb, closeTg.TargetGroupArn!, allIn('healthy', 1), 'closing target healthy');

    // One keep-alive connection: chunked, a 1 MiB body both ways, HEAD, a redirect, then more.
    const chunked = await request(port, agent, '/chunked');
    expect([chunked.status, chunked.headers['transfer-encoding'], chunked.body.toString()]).toEqual([
      200,
      'chunked',
      'part one, part two',
    ]);
    const big = Buffer.alloc(1 << 20, 7);
    const echo = await request(port, agent, '/echo', 'POST', big);
    expect([echo.status, echo.body.equals(big)]).toEqual([200, true]);
    const head = await request(port, agent, '/head', 'HEAD');
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([200, '7', 0]);
    const moved = await request(port, agent, '/old');
    expect([moved.status, moved.headers.location]).toEqual([301, `http://127.0.0.1:${port}/new`]);
    const after = await request(port, agent, '/after');
    expect(after.body.toString()).toBe('ok/after');

    // Pipelined: two requests written at once, two answers in order.
    const both = await raw(port, 'GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\n', (got) =>
      got.includes('ok/two'),
    );
    expect(both.indexOf('ok/one')).toBeGreaterThan(0);
    expect(both.indexOf('ok/two')).toBeGreaterThan(both.indexOf('ok/one'));
    // Served by the fast path: Node's HTTP server would have added its own `Keep-Alive: timeout=…`.
    expect(both).toContain('connection: keep-alive');
    expect(both).not.toMatch(/keep-alive: timeout/i);

    // Close-delimited: the body until the target closes, and the client's connection closed after it.
    const closed = await raw(port, 'GET /close HTTP/1.1\r\nHost: x\r\n\r\n', () => false);
    expect(closed).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(closed).toContain('connection: close');
    expect(closed.endsWith('\r\n\r\nuntil the end')).toBe(true);
  } finally {
    agent.destroy();
    await t.close();
    await new Promise((r) => closer.close(r));
  }
});
