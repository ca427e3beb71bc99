/**
 * Secrets reach task containers: every `valueFrom` form, `secretOptions`, `repositoryCredentials`
 * against a private registry with Basic auth, and each failure with ECS's stop reason. Nothing
 * secret shows up in Dockside's own log, in DescribeTasks, or in the introspection API.
 */
import { Writable } from 'node:stream';
import Docker from 'dockerode';
import pino from 'pino';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogStreamsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  ClientException,
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type ContainerDefinition,
} from '@aws-sdk/client-ecs';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DocksideClient } from '@dockside/client';
import { ecs } from '@dockside/ecs';
import { logs } from '@dockside/logs';
import { secrets } from '@dockside/secrets';
import { startTestGateway, startTestRegistry, waitFor, type TestGateway } from '@dockside/testing';
import { BUSYBOX, waitForTask } from './helpers';

const ROLE = 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole';
// Distinctive values: none of them may appear in Dockside's log or API answers.
const V = {
  whole: 'Wh0le-secret-7731',
  password: 'pw-c0rrect-horse-5512',
  oldPassword: 'pw-0ld-battery-9034',
  url: 'https://db.internal:5432/app-4417',
  urlV1: 'https://db.internal:5432/app-v1-2280',
  secure: 'SecureStr-staple-6603',
  prefix: 'pfx8841',
  registryPassword: 'reg-pass-3377',
};

let logText = '';
const logSink = new Writable({
  write(chunk, _enc, done) {
    logText += chunk.toString();
    done();
  },
});

let t: TestGateway;
let client: ECSClient;
let api: DocksideClient;
let sm: SecretsManagerClient;
const arn: Record<string, string> = {};
const versions: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestGateway({
    plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'prefer-cached' }), logs(), secrets()],
    logger: pino({ level: 'trace' }, logSink),
  });
  client = t.client(ECSClient);
  api = new DocksideClient(t.endpoint);
  sm = t.client(SecretsManagerClient);
  const ssm = t.client(SSMClient);
  await client.send(new CreateClusterCommand({}));
  arn.whole = (await sm.send(new CreateSecretCommand({ Name: 'app/whole', SecretString: V.whole }))).ARN!;
  const first = await sm.send(
    new CreateSecretCommand({
      Name: 'app/db',
      SecretString: JSON.stringify({ username: 'app', password: V.oldPassword }),
    }),
  );
  arn.db = first.ARN!;
  versions.dbOld = first.VersionId!;
  await sm.send(
    new PutSecretValueCommand({
      SecretId: 'app/db',
      SecretString: JSON.stringify({ username: 'app', password: V.password, port: 5432 }),
    }),
  );
  await ssm.send(new PutParameterCommand({ Name: '/app/url', Value: V.urlV1, Type: 'String' }));
  await ssm.send(new PutParameterCommand({ Name: '/app/url', Value: V.url, Type: 'String', Overwrite: true }));
  await ssm.send(new PutParameterCommand({ Name: '/app/secure', Value: V.secure, Type: 'SecureString' }));
  await ssm.send(new PutParameterCommand({ Name: '/app/log-prefix', Value: V.prefix, Type: 'String' }));
});
afterAll(() => t.stop());

/** Registers a one-container definition and runs it; resolves with the stopped task and its output. */
async function run(
  family: string,
  def: Partial<ContainerDefinition>,
  opts: { executionRoleArn?: string } = { executionRoleArn: ROLE },
) {
  await client.send(
    new RegisterTaskDefinitionCommand({
      family,
      ...(opts.executionRoleArn ? { executionRoleArn: opts.executionRoleArn } : {}),
      containerDefinitions: [
        { name: 'main', image: BUSYBOX, memory: 64, command: ['sh', '-c', "env | grep '^S_' | sort"], ...def },
      ],
    }),
  );
  const lines: string[] = [];
  const { tasks } = await client.send(new RunTaskCommand({ taskDefinition: family }));
  const taskArn = tasks![0].taskArn!;
  const unsubscribe = t.gateway.bus.subscribe(
    'ecs.container-output',
    (e) => void (e.taskArn === taskArn && lines.push(e.line)),
  );
  try {
    const task = await waitForTask(client, taskArn, 'STOPPED');
    return { task, lines };
  } finally {
    unsubscribe();
  }
}

test('every valueFrom form is resolved before start and injected as an environment variable', async () => {
  const partial = arn.db.slice(0, -7);
  const { task, lines } = await run('all-forms', {
    secrets: [
      { name: 'S_WHOLE', valueFrom: arn.whole },
      { name: 'S_PARTIAL_ARN', valueFrom: `${partial}:password::` },
      { name: 'S_JSON_KEY', valueFrom: `${arn.db}:password::` },
      { name: 'S_JSON_NUMBER', valueFrom: `${arn.db}:port::` },
      { name: 'S_JSON_STAGE', valueFrom: `${arn.db}:password:AWSPREVIOUS:` },
      { name: 'S_JSON_VERSION', valueFrom: `${arn.db}:password::${versions.dbOld}` },
      { name: 'S_STAGE_WHOLE', valueFrom: `${arn.db}::AWSPREVIOUS:` },
      { name: 'S_SSM_NAME', valueFrom: '/app/url' },
      { name: 'S_SSM_VERSION', valueFrom: '/app/url:1' },
      { name: 'S_SSM_ARN', valueFrom: `arn:aws:ssm:${t.region}:000000000000:parameter/app/secure` },
      { name: 'S_SSM_REFERENCE', valueFrom: '/aws/reference/secretsmanager/app/whole' },
    ],
    environment: [{ name: 'S_PLAIN', value: 'plain' }],
  });
  expect(task.containers![0].exitCode).toBe(0);
  expect(lines).toEqual([
    `S_JSON_KEY=${V.password}`,
    'S_JSON_NUMBER=5432',
    `S_JSON_STAGE=${V.oldPassword}`,
    `S_JSON_VERSION=${V.oldPassword}`,
    `S_PARTIAL_ARN=${V.password}`,
    'S_PLAIN=plain',
    `S_SSM_ARN=${V.secure}`,
    `S_SSM_NAME=${V.url}`,
    `S_SSM_REFERENCE=${V.whole}`,
    `S_SSM_VERSION=${V.urlV1}`,
    `S_STAGE_WHOLE=${JSON.stringify({ username: 'app', password: V.oldPassword })}`,
    `S_WHOLE=${V.whole}`,
  ]);
});

test('logConfiguration.secretOptions are resolved into the log driver options', async () => {
  const cwl = t.client(CloudWatchLogsClient);
  await cwl.send(new CreateLogGroupCommand({ logGroupName: '/secret-options' }));
  const { task } = await run('secret-options', {
    command: ['echo', 'hello'],
    logConfiguration: {
      logDriver: 'awslogs',
      options: { 'awslogs-group': '/secret-options', 'awslogs-region': t.region },
      secretOptions: [{ name: 'awslogs-stream-prefix', valueFrom: '/app/log-prefix' }],
    },
  });
  expect(task.stopCode).toBe('EssentialContainerExited');
  const streams = await cwl.send(new DescribeLogStreamsCommand({ logGroupName: '/secret-options' }));
  expect(streams.logStreams!.map((s) => s.logStreamName)).toEqual([
    `${V.prefix}/main/${task.taskArn!.split('/').pop()}`,
  ]);
});

describe('failures stop the task with ResourceInitializationError', () => {
  const cases: [string, Partial<ContainerDefinition>, RegExp][] = [
    [
      'missing secret',
      { secrets: [{ name: 'S_X', valueFrom: `arn:aws:secretsmanager:us-east-1:000000000000:secret:nope-AbCdEf` }] },
      /unable to retrieve secret from asm: .*failed to fetch secret arn:aws:secretsmanager:us-east-1:000000000000:secret:nope-AbCdEf from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret\.$/,
    ],
    [
      'missing JSON key',
      { secrets: [{ name: 'S_X', valueFrom: 'ARN_DB:nokey::' }] },
      /unable to retrieve secret from asm: service call has been retried 1 time\(s\): retrieved secret from Secrets Manager did not contain json key nokey$/,
    ],
    [
      'missing stage',
      { secrets: [{ name: 'S_X', valueFrom: 'ARN_DB::NOSTAGE:' }] },
      /ResourceNotFoundException: Secrets Manager can't find the specified secret value for staging label: NOSTAGE$/,
    ],
    [
      'missing parameter',
      {
        secrets: [
          { name: 'S_X', valueFrom: '/app/missing' },
          { name: 'S_Y', valueFrom: '/app/url' },
        ],
      },
      /unable to retrieve secrets from ssm: .*invalid ssm parameters: \/app\/missing$/,
    ],
    [
      'missing secretOptions parameter',
      { logConfiguration: { logDriver: 'json-file', secretOptions: [{ name: 'x', valueFrom: '/app/absent' }] } },
      /invalid ssm parameters: \/app\/absent$/,
    ],
    [
      'missing registry credentials',
      {
        repositoryCredentials: {
          credentialsParameter: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:reg-XyZ123',
        },
      },
      /unable to get registry auth from asm: .*asm fetching secret from the service for arn:aws:secretsmanager:us-east-1:000000000000:secret:reg-XyZ123: ResourceNotFoundException/,
    ],
  ];
  it.each(cases)('%s', async (name, def, reason) => {
    const d = JSON.parse(JSON.stringify(def).replace(/ARN_DB/g, arn.db));
    const { task, lines } = await run(`fail-${name.replace(/\W/g, '-')}`, d);
    expect(task.stopCode).toBe('TaskFailedToStart');
    expect(task.stoppedReason).toMatch(
      /^ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: /,
    );
    expect(task.stoppedReason).toMatch(reason);
    expect(task.containers![0].runtimeId).toBeUndefined();
    expect(lines).toEqual([]);
  });

  it('without the secrets plugin', async () => {
    const bare = await startTestGateway({ plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never' })] });
    try {
      const c = bare.client(ECSClient);
      await c.send(new CreateClusterCommand({}));
      await c.send(
        new RegisterTaskDefinitionCommand({
          family: 'f',
          executionRoleArn: ROLE,
          containerDefinitions: [
            { name: 'main', image: BUSYBOX, memory: 32, secrets: [{ name: 'S', valueFrom: '/app/url' }] },
          ],
        }),
      );
      const { tasks } = await c.send(new RunTaskCommand({ taskDefinition: 'f' }));
      const task = await waitForTask(c, tasks![0].taskArn!, 'STOPPED');
      expect(task.stopCode).toBe('TaskFailedToStart');
      expect(task.stoppedReason).toMatch(
        /^ResourceInitializationError: unable to pull secrets or registry auth: .*the secrets plugin is not loaded/,
      );
    } finally {
      await bare.stop();
    }
  });
});

test('a service whose tasks cannot get their secrets says why in its events', async () => {
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'svc-secret',
      executionRoleArn: ROLE,
      containerDefinitions: [
        {
          name: 'main',
          image: BUSYBOX,
          memory: 32,
          command: ['sleep', '60'],
          secrets: [{ name: 'S', valueFrom: `${arn.db}:absent::` }],
        },
      ],
    }),
  );
  await client.send(
    new CreateServiceCommand({ serviceName: 'needs-secret', taskDefinition: 'svc-secret', desiredCount: 1 }),
  );
  const expected =
    '(service needs-secret) was unable to place a task. Reason: ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): retrieved secret from Secrets Manager did not contain json key absent.';
  await waitFor(
    async () => {
      const s = (await client.send(new DescribeServicesCommand({ services: ['needs-secret'] }))).services![0];
      return s.events!.some((e) => e.message === expected) ? true : undefined;
    },
    { what: 'the service event' },
  );
  await client.send(new DeleteServiceCommand({ service: 'needs-secret', force: true }));
});

test('RegisterTaskDefinition refuses container secrets without an execution role, as ECS does', async () => {
  const err = await client
    .send(
      new RegisterTaskDefinitionCommand({
        family: 'no-role',
        containerDefinitions: [
          { name: 'm', image: BUSYBOX, memory: 32, secrets: [{ name: 'S', valueFrom: '/app/url' }] },
        ],
      }),
    )
    .catch((e) => e);
  expect(err).toBeInstanceOf(ClientException);
  expect(err.message).toBe(
    "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.",
  );
});

describe('repositoryCredentials', () => {
  const docker = new Docker();
  let registry: Awaited<ReturnType<typeof startTestRegistry>>;
  beforeAll(async () => {
    registry = await startTestRegistry({
      source: BUSYBOX,
      repository: 'private/app',
      tag: `t${Date.now()}`,
      username: 'robot',
      password: V.registryPassword,
    });
    await sm.send(
      new CreateSecretCommand({
        Name: 'registry/good',
        SecretString: JSON.stringify({ username: 'robot', password: V.registryPassword }),
      }),
    );
    await sm.send(
      new CreateSecretCommand({
        Name: 'registry/bad',
        SecretString: JSON.stringify({ username: 'robot', password: 'wrong' }),
      }),
    );
    await sm.send(new CreateSecretCommand({ Name: 'registry/not-json', SecretString: 'robot:pw' }));
  });
  afterAll(async () => {
    await registry.close();
    await docker
      .getImage(registry.image)
      .remove({ force: true })
      .catch(() => undefined);
  });

  it("a wrong password gets the registry's refusal as CannotPullContainerError", async () => {
    const { task } = await run('reg-bad', {
      image: registry.image,
      command: ['true'],
      repositoryCredentials: {
        credentialsParameter: `arn:aws:secretsmanager:${t.region}:000000000000:secret:registry/bad`,
      },
    });
    expect(task.stopCode).toBe('TaskFailedToStart');
    expect(task.stoppedReason).toMatch(/^CannotPullContainerError: /);
    expect(registry.refused).toBeGreaterThan(0);
    expect(registry.served).toBe(0);
  });

  it('a secret that is not {"username","password"} JSON is refused before the pull', async () => {
    const { task } = await run('reg-not-json', {
      image: registry.image,
      command: ['true'],
      repositoryCredentials: {
        credentialsParameter: `arn:aws:secretsmanager:${t.region}:000000000000:secret:registry/not-json`,
      },
    });
    expect(task.stoppedReason).toMatch(/unable to get registry auth from asm: .*"username" and "password"/);
  });

  it('token-auth registries (Docker Hub, GHCR style) get the credentials for their token exchange', async () => {
    const tokenRegistry = await startTestRegistry({
      source: BUSYBOX,
      repository: 'private/token',
      tag: `t${Date.now()}`,
      username: 'robot',
      password: V.registryPassword,
      auth: 'bearer',
    });
    try {
      const { task, lines } = await run('reg-token', {
        image: tokenRegistry.image,
        command: ['echo', 'pulled with a token'],
        repositoryCredentials: {
          credentialsParameter: `arn:aws:secretsmanager:${t.region}:000000000000:secret:registry/good`,
        },
      });
      expect(task.containers![0].exitCode).toBe(0);
      expect(lines).toEqual(['pulled with a token']);
      expect(tokenRegistry.tokens).toBeGreaterThan(0);
      expect(tokenRegistry.served).toBeGreaterThan(0);
    } finally {
      await tokenRegistry.close();
      await docker
        .getImage(tokenRegistry.image)
        .remove({ force: true })
        .catch(() => undefined);
    }
  });

  it('the credentials in the secret authenticate the pull', async () => {
    const { task, lines } = await run('reg-good', {
      image: registry.image,
      command: ['echo', 'pulled with credentials'],
      repositoryCredentials: {
        credentialsParameter: `arn:aws:secretsmanager:${t.region}:000000000000:secret:registry/good`,
      },
    });
    expect(task.containers![0]).toMatchObject({ exitCode: 0, image: registry.image });
    expect(lines).toEqual(['pulled with credentials']);
    expect(registry.served).toBeGreaterThan(0);
  });
});

test("no secret value appears in Dockside's log, in DescribeTasks, or in the introspection API", async () => {
  const values = Object.values(V);
  const tasks = await api.ecs.tasks();
  expect(tasks.length).toBeGreaterThan(5);
  const described = await client.send(
    new DescribeTasksCommand({ tasks: tasks.map((x) => x.taskArn!).slice(0, 100), include: ['TAGS'] }),
  );
  const surfaces = {
    log: logText,
    describeTasks: JSON.stringify(described),
    introspectionTasks: JSON.stringify(tasks),
    introspectionTask: JSON.stringify(await Promise.all(tasks.map((x) => api.ecs.task(x.taskArn!)))),
    introspectionEvents: JSON.stringify(await api.ecs.events()),
  };
  expect(logText.length).toBeGreaterThan(1000); // the trace log really was captured
  for (const [surface, text] of Object.entries(surfaces)) {
    for (const v of values)
      expect({ surface, leaked: text.includes(v) ? v : undefined }).toEqual({ surface, leaked: undefined });
  }
});
