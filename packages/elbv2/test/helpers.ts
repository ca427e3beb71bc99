/** Targets (small HTTP servers on loopback), plain HTTP requests and load balancer setup for the ELBv2 e2e tests. */
import * as http from 'node:http';
import * as net from 'node:net';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  type Action,
  type ElasticLoadBalancingV2Client,
  type TargetHealthStateEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { waitFor } from '@dockside/testing';

export const VPC = 'vpc-0123456789abcdef0';

/** A port nothing listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export interface Target {
  name: string;
  port: number;
  /** Requests seen, with their headers. */
  seen: http.IncomingMessage[];
  status: number;
  close(): Promise<void>;
}

/** An HTTP target answering `<name> <path>` with `status` (changeable). */
export async function httpTarget(name: string, status = 200): Promise<Target> {
  const t: Target = { name, port: 0, seen: [], status, close: async () => {} };
  const server = http.createServer((req, res) => {
    t.seen.push(req);
    req.resume();
    res.writeHead(t.status, { 'content-type': 'text/plain' });
    res.end(`${name} ${req.url}`);
  });
  server.on('upgrade', (req, socket, head) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    socket.write(`${name}-upgraded `);
    if (head.length) socket.write(head);
    socket.pipe(socket);
  });
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.port = (server.address() as net.AddressInfo).port;
  t.close = () =>
    new Promise((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return t;
}

/** A TCP server that accepts connections and never answers (for Target.Timeout and 504). */
export async function silentTarget(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** One request with full control of the headers (Host, Cookie). */
export function get(port: number, path = '/', headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString(), headers: res.headers }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

export async function loadBalancer(
  elb: ElasticLoadBalancingV2Client,
  name: string,
  type: 'application' | 'network' = 'application',
) {
  const { LoadBalancers } = await elb.send(
    new CreateLoadBalancerCommand({ Name: name, Type: type, Subnets: ['subnet-a', 'subnet-b'] }),
  );
  return LoadBalancers![0];
}

export async function targetGroup(
  elb: ElasticLoadBalancingV2Client,
  name: string,
  extra: Record<string, unknown> = {},
) {
  const { TargetGroups } = await elb.send(
    new CreateTargetGroupCommand({
      Name: name,
      Protocol: 'HTTP',
      Port: 80,
      VpcId: VPC,
      TargetType: 'ip',
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 2,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      ...extra,
    }),
  );
  return TargetGroups![0];
}

export async function listener(
  elb: ElasticLoadBalancingV2Client,
  lbArn: string,
  port: number,
  actions: Action[],
  protocol = 'HTTP',
  extra: Record<string, unknown> = {},
) {
  const { Listeners } = await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: lbArn,
      Protocol: protocol as 'HTTP',
      Port: port,
      DefaultActions: actions,
      ...extra,
    }),
  );
  return Listeners![0];
}

/** Waits until every listed target of the group is in `state` (and returns the descriptions). */
export function waitHealth(
  elb: ElasticLoadBalancingV2Client,
  tgArn: string,
  want: (states: Record<string, { State?: string; Reason?: string }>) => boolean,
  what: string,
) {
  return waitFor(
    async () => {
      const d = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
      const states = Object.fromEntries(
        d.TargetHealthDescriptions!.map((x) => [
          `${x.Target!.Id}:${x.Target!.Port}`,
          { State: x.TargetHealth!.State, Reason: x.TargetHealth!.Reason },
        ]),
      );
      return want(states) ? d.TargetHealthDescriptions! : undefined;
    },
    { what, timeoutMs: 20_000 },
  );
}

export const allIn = (state: TargetHealthStateEnum, n: number) => (s: Record<string, { State?: string }>) =>
  Object.keys(s).length === n && Object.values(s).every((x) => x.State === state);
