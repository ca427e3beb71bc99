/**
 * Limits and exposure through the real binary: each service reads request bodies up to its own
 * limit and refuses larger ones with AWS's 413 in its own protocol (before reading them), and with
 * `--host 0.0.0.0` the introspection API still answers loopback clients only — checked from a real
 * non-loopback client, a container on Docker's bridge — unless `--remote-introspection` opens it.
 */
import * as http from 'node:http';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient, ListTaskDefinitionsCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import {
  DescribeLoadBalancersCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { dockerClient, ensureBusyboxImage, rejection } from '@dockside/testing';
import { run, type Running } from './run-cli';

jest.setTimeout(60_000);
const creds = { accessKeyId: 'test', secretAccessKey: 'test' };
const opts = (url: string) => ({ endpoint: url, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
const docker = dockerClient();

describe('request body limits', () => {
  let gw: Running;
  beforeAll(async () => {
    gw = await run(['--port', '0', '--services', 'ecs,logs,elbv2', '--log-level', 'silent']);
  });
  afterAll(() => {
    gw.child.kill();
    return gw.exited;
  });

  test('a body over the service limit gets 413 RequestEntityTooLargeException in its protocol; nothing is stored', async () => {
    const ecs = new ECSClient(opts(gw.url));
    // ECS (JSON): 1.5 MiB of environment is over its 1 MiB limit.
    const err = await rejection(
      ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'big',
          containerDefinitions: [
            { name: 'app', image: 'busybox', memory: 64, environment: [{ name: 'X', value: 'x'.repeat(1_500_000) }] },
          ],
        }),
      ),
    );
    expect(err.name).toBe('RequestEntityTooLargeException');
    expect((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(413);
    expect((await ecs.send(new ListTaskDefinitionsCommand({}))).taskDefinitionArns).toEqual([]);

    // ELBv2 (query, XML errors): the same code in an ErrorResponse.
    const elb = new ElasticLoadBalancingV2Client(opts(gw.url));
    const targets = Array.from({ length: 60_000 }, (_, i) => ({ Id: `i-${String(i).padStart(17, '0')}` }));
    const qerr = await rejection(elb.send(new RegisterTargetsCommand({ TargetGroupArn: 'arn:x', Targets: targets })));
    expect(qerr.name).toBe('RequestEntityTooLargeException');
    expect((qerr as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(413);
    expect((await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers).toEqual([]);
  });

  test('limits are per service: the same 1.8 MB body is a legal PutLogEvents batch', async () => {
    const logs = new CloudWatchLogsClient(opts(gw.url));
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/limits' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/limits', logStreamName: 's' }));
    // 300,000 message bytes, each escaped to six in JSON: a 1.8 MB body for a batch well under 1 MiB.
    const message = '\u0001'.repeat(300_000);
    const out = await logs.send(
      new PutLogEventsCommand({
        logGroupName: '/limits',
        logStreamName: 's',
        logEvents: [{ timestamp: Date.now(), message }],
      }),
    );
    expect(out.$metadata.httpStatusCode).toBe(200);
  });

  test('a declared Content-Length over the limit is refused before the body is read', async () => {
    const { port } = new URL(gw.url);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters',
          'content-length': String(512 * 1024 * 1024),
        },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
        res.on('error', reject);
      });
      req.on('error', reject);
      // Only a few bytes of the announced 512 MiB are ever sent: the answer cannot wait for the rest.
      req.write('{}');
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).__type).toBe('RequestEntityTooLargeException');
    expect((await fetch(`${gw.url}/_dockside/health`)).status).toBe(200);
  });
});

describe('introspection exposure with --host 0.0.0.0', () => {
  let image: string;
  beforeAll(async () => {
    image = await ensureBusyboxImage(docker);
  });

  /** What a container on Docker's default bridge (a non-loopback client) gets for GET `path`. */
  const fromContainer = async (port: string, path: string) => {
    const c = await docker.createContainer({
      Image: image,
      // The host, as the container reaches it: its default route's gateway, the bridge address
      // (which not every engine lists in the bridge network's IPAM config).
      Cmd: [
        'sh',
        '-c',
        `gw=$(ip route | awk '/default/ {print $3}'); printf 'GET ${path} HTTP/1.0\\r\\nHost: dockside\\r\\n\\r\\n' | nc $gw ${port}`,
      ],
      Labels: { 'dockside.test': 'limits' },
      HostConfig: { NetworkMode: 'bridge' },
    });
    try {
      await c.start();
      await c.wait();
      const out = (await c.logs({ stdout: true, stderr: true })).toString('utf8');
      return Number(/HTTP\/1\.1 (\d{3})/.exec(out)?.[1]);
    } finally {
      await c.remove({ force: true });
    }
  };

  test.each([
    [[] as string[], 403],
    [['--remote-introspection'], 200],
  ])('flags %j: a remote client gets %d from /_dockside/ecs/tasks; loopback always 200', async (flags, remote) => {
    const gw = await run(['--port', '0', '--host', '0.0.0.0', '--services', 'ecs', '--log-level', 'silent', ...flags]);
    try {
      const port = new URL(gw.url).port;
      expect((await fetch(`http://127.0.0.1:${port}/_dockside/ecs/tasks`)).status).toBe(200);
      expect(await fromContainer(port, '/_dockside/ecs/tasks')).toBe(remote);
      // The health check answers remote clients either way.
      expect(await fromContainer(port, '/_dockside/health')).toBe(200);
    } finally {
      gw.child.kill();
      await gw.exited;
    }
  });
});
