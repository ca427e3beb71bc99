/**
 * From inside a task: the metadata endpoint v4 (task, stats) and task-role credentials through the
 * real AWS SDK default credential chain, calling Dockside back. Runs the node test image with this
 * repository mounted read-only, so the container uses the same SDK packages as the tests.
 */
import * as path from 'node:path';
import Docker from 'dockerode';
import {
  CreateClusterCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { DocksideClient } from '@dockside/client';
import { ecs } from '@dockside/ecs';
import { startTestGateway, waitFor, type TestGateway } from '@dockside/testing';
import { BUSYBOX, NODE, waitForTask } from './helpers';

const repo = path.resolve(__dirname, '..', '..', '..');
const docker = new Docker();
let t: TestGateway;
let client: ECSClient;
let api: DocksideClient;

// The script a task runs: metadata, stats, then the SDK's default chain to call ListClusters.
const script = `
const repo = ${JSON.stringify(repo)};
const get = async (u, headers) => { const r = await fetch(u, { headers }); return { status: r.status, body: await r.json() }; };
(async () => {
  const base = process.env.ECS_CONTAINER_METADATA_URI_V4;
  const self = await get(base);
  const task = await get(base + '/task');
  const tagged = await get(base + '/taskWithTags');
  const stats = await get(base + '/stats');
  const taskStats = await get(base + '/task/stats');
  console.log('META ' + JSON.stringify({ base, self: self.body, task: task.body, tagged: tagged.body.TaskTags, stats: Object.keys(stats.body), taskStats: Object.keys(taskStats.body) }));
  const { ECSClient, ListClustersCommand } = require(repo + '/node_modules/@aws-sdk/client-ecs');
  const { fromNodeProviderChain } = require(repo + '/node_modules/@aws-sdk/credential-providers');
  const credentials = await fromNodeProviderChain()();
  const out = await new ECSClient({ endpoint: process.env.DOCKSIDE_ENDPOINT, region: process.env.AWS_REGION, credentials }).send(new ListClustersCommand({}));
  console.log('SDK ' + JSON.stringify({ accessKeyId: credentials.accessKeyId, hasToken: Boolean(credentials.sessionToken), clusters: out.clusterArns, fullUri: process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI }));
  if (process.env.HOLD) await new Promise((r) => setTimeout(r, 3600_000));
})().catch((e) => { console.log('ERR ' + e.stack); process.exit(1); });
`;

beforeAll(async () => {
  t = await startTestGateway({ plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never' })] });
  client = t.client(ECSClient);
  api = new DocksideClient(t.endpoint);
  await client.send(new CreateClusterCommand({ clusterName: 'meta' }));
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'inside',
      taskRoleArn: 'arn:aws:iam::000000000000:role/app-role',
      networkMode: 'bridge',
      volumes: [{ name: 'repo', host: { sourcePath: repo } }],
      containerDefinitions: [
        {
          name: 'app',
          image: NODE,
          memory: 256,
          stopTimeout: 2,
          command: ['node', '-e', script],
          environment: [{ name: 'DOCKSIDE_ENDPOINT', value: t.endpoint.replace('127.0.0.1', 'localhost') }],
          mountPoints: [{ sourceVolume: 'repo', containerPath: repo, readOnly: true }],
          logConfiguration: { logDriver: 'json-file', options: { 'max-size': '1m' } },
        },
      ],
    }),
  );
});
afterAll(() => t.stop());

const lineOf = async (taskArn: string, prefix: string) =>
  waitFor(
    async () => {
      const logs = await api.ecs.logs(taskArn);
      const line = logs.containers[0].lines.find((l) => l.line.startsWith(prefix) || l.line.startsWith('ERR '));
      if (line?.line.startsWith('ERR ')) throw new Error(line.line);
      return line && JSON.parse(line.line.slice(prefix.length));
    },
    { what: `${prefix.trim()} line`, timeoutMs: 60_000 },
  );

test('a container reads its v4 metadata and stats, and the SDK default chain gets the task role credentials', async () => {
  const { tasks } = await client.send(
    new RunTaskCommand({ cluster: 'meta', taskDefinition: 'inside', tags: [{ key: 'team', value: 'core' }] }),
  );
  const task = tasks![0];
  const meta = await lineOf(task.taskArn!, 'META ');
  expect(meta.base).toMatch(/^http:\/\/169\.254\.170\.2:\d+\/v4\/[0-9a-f-]{36}$/);
  expect(meta.self).toMatchObject({
    DockerId: expect.stringMatching(/^[0-9a-f]{64}$/),
    Name: 'app',
    DockerName: expect.stringMatching(/^ecs-inside-1-app-/),
    Image: NODE,
    ImageID: expect.stringMatching(/^sha256:/),
    Labels: expect.objectContaining({
      'com.amazonaws.ecs.task-arn': task.taskArn,
      'com.amazonaws.ecs.container-name': 'app',
    }),
    DesiredStatus: 'RUNNING',
    KnownStatus: 'RUNNING',
    Limits: { CPU: 0, Memory: 256 },
    CreatedAt: expect.any(String),
    StartedAt: expect.any(String),
    Type: 'NORMAL',
    LogDriver: 'json-file',
    LogOptions: { 'max-size': '1m' },
    ContainerARN: task.containers![0].containerArn,
    Networks: [
      expect.objectContaining({
        NetworkMode: 'bridge',
        IPv4Addresses: [expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/)],
      }),
    ],
  });
  expect(meta.task).toMatchObject({
    Cluster: 'arn:aws:ecs:us-east-1:000000000000:cluster/meta',
    TaskARN: task.taskArn,
    Family: 'inside',
    Revision: '1',
    DesiredStatus: 'RUNNING',
    KnownStatus: 'RUNNING',
    AvailabilityZone: 'us-east-1a',
    LaunchType: 'EC2',
    PullStartedAt: expect.any(String),
    PullStoppedAt: expect.any(String),
  });
  expect(meta.task.Containers).toHaveLength(1);
  expect(meta.tagged).toEqual({ team: 'core' });
  expect(meta.stats).toEqual(expect.arrayContaining(['read', 'cpu_stats', 'memory_stats', 'network_rate_stats']));
  expect(meta.taskStats).toEqual([meta.self.DockerId]);

  const sdk = await lineOf(task.taskArn!, 'SDK ');
  expect(sdk.accessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
  expect(sdk.hasToken).toBe(true);
  expect(sdk.clusters).toEqual(['arn:aws:ecs:us-east-1:000000000000:cluster/meta']);
  expect(sdk.fullUri).toMatch(/^http:\/\/169\.254\.170\.2:\d+\/v2\/credentials\/[0-9a-f-]{36}$/);
  await waitForTask(client, task.taskArn!, 'STOPPED', { cluster: 'meta' });
}, 90_000);

test("each task's credentials need its own token, and are gone once the task stops", async () => {
  const run = await client.send(
    new RunTaskCommand({
      cluster: 'meta',
      taskDefinition: 'inside',
      count: 2,
      overrides: { containerOverrides: [{ name: 'app', environment: [{ name: 'HOLD', value: '1' }] }] },
    }),
  );
  const [a, b] = await Promise.all(
    run.tasks!.map((x) => waitForTask(client, x.taskArn!, 'RUNNING', { cluster: 'meta' })),
  );
  const envOf = async (id: string) =>
    Object.fromEntries((await docker.getContainer(id).inspect()).Config.Env.map((e) => e.split(/=(.*)/s).slice(0, 2)));
  const ea = await envOf(a.containers![0].runtimeId!);
  const eb = await envOf(b.containers![0].runtimeId!);
  expect(ea.AWS_CONTAINER_CREDENTIALS_FULL_URI).not.toBe(eb.AWS_CONTAINER_CREDENTIALS_FULL_URI);
  const fetchCreds = (uri: string, token: string) => fetch(uri, { headers: { Authorization: token } });

  const own = await fetchCreds(ea.AWS_CONTAINER_CREDENTIALS_FULL_URI, ea.AWS_CONTAINER_AUTHORIZATION_TOKEN);
  expect(own.status).toBe(200);
  expect(Object.keys(await own.json()).sort()).toEqual([
    'AccessKeyId',
    'Expiration',
    'RoleArn',
    'SecretAccessKey',
    'Token',
  ]);
  const stolen = await fetchCreds(ea.AWS_CONTAINER_CREDENTIALS_FULL_URI, eb.AWS_CONTAINER_AUTHORIZATION_TOKEN);
  expect(stolen.status).toBe(401);
  expect((await stolen.json()).code).toBe('AccessDenied');
  // Unguessable: each task gets a random v4 UUID in the URI and a 256-bit random token, neither
  // derived from anything another container can see (task ARN, container id).
  const uuidV4 = /\/v2\/credentials\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  for (const e of [ea, eb]) {
    expect(e.AWS_CONTAINER_CREDENTIALS_FULL_URI).toMatch(uuidV4);
    expect(e.AWS_CONTAINER_AUTHORIZATION_TOKEN).toMatch(/^[0-9a-f]{64}$/);
  }
  expect(ea.AWS_CONTAINER_AUTHORIZATION_TOKEN).not.toBe(eb.AWS_CONTAINER_AUTHORIZATION_TOKEN);
  for (const id of [a.taskArn!, a.containers![0].runtimeId!].map((x) => x.split('/').pop()!))
    expect(ea.AWS_CONTAINER_CREDENTIALS_FULL_URI + ea.AWS_CONTAINER_AUTHORIZATION_TOKEN).not.toContain(id);
  // No token, or one that differs in a single character, is refused.
  expect((await fetch(ea.AWS_CONTAINER_CREDENTIALS_FULL_URI)).status).toBe(401);
  const near =
    ea.AWS_CONTAINER_AUTHORIZATION_TOKEN.slice(0, -1) +
    (ea.AWS_CONTAINER_AUTHORIZATION_TOKEN.endsWith('0') ? '1' : '0');
  expect((await fetchCreds(ea.AWS_CONTAINER_CREDENTIALS_FULL_URI, near)).status).toBe(401);

  await client.send(new StopTaskCommand({ cluster: 'meta', task: a.taskArn }));
  await waitForTask(client, a.taskArn!, 'STOPPED', { cluster: 'meta' });
  const gone = await fetchCreds(ea.AWS_CONTAINER_CREDENTIALS_FULL_URI, ea.AWS_CONTAINER_AUTHORIZATION_TOKEN);
  expect(gone.status).toBe(400);
  expect(await gone.json()).toEqual({
    code: 'InvalidIdInRequest',
    message: 'CredentialsV2Request: Credentials not found',
  });
  // b is unaffected.
  expect((await fetchCreds(eb.AWS_CONTAINER_CREDENTIALS_FULL_URI, eb.AWS_CONTAINER_AUTHORIZATION_TOKEN)).status).toBe(
    200,
  );
  // Unknown metadata ids answer like the agent.
  const unknown = await fetch(`${t.endpoint}/v4/not-a-container`);
  expect(unknown.status).toBe(400);
  await client.send(new StopTaskCommand({ cluster: 'meta', task: b.taskArn }));
  await waitForTask(client, b.taskArn!, 'STOPPED', { cluster: 'meta' });
}, 90_000);

test('a bridge task publishes a dynamic host port reachable on loopback', async () => {
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      containerDefinitions: [
        {
          name: 'web',
          image: BUSYBOX,
          memory: 32,
          stopTimeout: 1,
          portMappings: [{ containerPort: 8080 }],
          command: ['sh', '-c', 'mkdir -p /www && echo hello-from-task > /www/index.html && httpd -f -p 8080 -h /www'],
        },
      ],
    }),
  );
  const { tasks } = await client.send(new RunTaskCommand({ cluster: 'meta', taskDefinition: 'web' }));
  const running = await waitForTask(client, tasks![0].taskArn!, 'RUNNING', { cluster: 'meta' });
  const [binding] = running.containers![0].networkBindings!;
  expect(binding).toMatchObject({ bindIP: '127.0.0.1', containerPort: 8080, protocol: 'tcp' });
  expect(binding.hostPort).toBeGreaterThan(1024);
  const body = await waitFor(async () => (await fetch(`http://127.0.0.1:${binding.hostPort}/`)).text(), {
    what: 'httpd',
  });
  expect(body).toBe('hello-from-task\n');
  await client.send(new StopTaskCommand({ cluster: 'meta', task: running.taskArn }));
  await waitForTask(client, running.taskArn!, 'STOPPED', { cluster: 'meta' });
});
