// Secrets: (1) what resolving a task's secrets adds to RunTask → RUNNING — a task with six secrets
// (two Secrets Manager values, one of them a JSON key, four Parameter Store values) against the
// same task without them, interleaved in one gateway; (2) GetSecretValue and GetParameter
// (WithDecryption) throughput at c=16 against a moto server started in the same run (wrk).
import { createRequire } from 'node:module';
import { awsJson, load, record, repoRoot, sigv4, startCli, startMoto, stats } from './lib.mjs';

const require = createRequire(`${repoRoot}/package.json`);
const {
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  CreateClusterCommand,
} = require('@aws-sdk/client-ecs');
const { SecretsManagerClient, CreateSecretCommand } = require('@aws-sdk/client-secrets-manager');
const { SSMClient, PutParameterCommand } = require('@aws-sdk/client-ssm');
const { ecs } = require('@dockside/ecs');
const { secrets } = require('@dockside/secrets');
const { startTestGateway, ensureBusyboxImage } = require('@dockside/testing');

const RUNS = Number(process.env.BENCH_TASK_RUNS ?? 10);
const SECONDS = Number(process.env.BENCH_CP_SECONDS ?? 3);
const rows = [];

// (1) Injection overhead on task start.
{
  const image = await ensureBusyboxImage();
  const t = await startTestGateway({
    plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never', defaultStopTimeout: 1 }), secrets()],
  });
  const client = t.client(ECSClient);
  const sm = t.client(SecretsManagerClient);
  const ssm = t.client(SSMClient);
  await client.send(new CreateClusterCommand({}));
  const db = (
    await sm.send(
      new CreateSecretCommand({ Name: 'db', SecretString: JSON.stringify({ username: 'u', password: 'p' }) }),
    )
  ).ARN;
  const token = (await sm.send(new CreateSecretCommand({ Name: 'token', SecretString: 'tok' }))).ARN;
  for (const n of ['a', 'b', 'c', 'd'])
    await ssm.send(
      new PutParameterCommand({ Name: `/bench/${n}`, Value: n, Type: n === 'd' ? 'SecureString' : 'String' }),
    );
  const container = { name: 'main', image, memory: 32, command: ['sleep', '3600'] };
  const role = 'arn:aws:iam::000000000000:role/exec';
  await client.send(
    new RegisterTaskDefinitionCommand({ family: 'plain', executionRoleArn: role, containerDefinitions: [container] }),
  );
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'secret',
      executionRoleArn: role,
      containerDefinitions: [
        {
          ...container,
          secrets: [
            { name: 'PW', valueFrom: `${db}:password::` },
            { name: 'TOKEN', valueFrom: token },
            ...['a', 'b', 'c', 'd'].map((n) => ({ name: n.toUpperCase(), valueFrom: `/bench/${n}` })),
          ],
        },
      ],
    }),
  );
  const reach = (family, status) =>
    new Promise((resolve, reject) => {
      const start = performance.now();
      let arn;
      const off = t.gateway.bus.subscribe('ecs.task', (e) => {
        if (e.taskArn === arn && e.lastStatus === status) {
          off();
          resolve({ ms: performance.now() - start, arn });
        } else if (e.taskArn === arn && e.lastStatus === 'STOPPED') {
          off();
          reject(new Error(`${family} stopped: ${e.stoppedReason}`));
        }
      });
      client.send(new RunTaskCommand({ taskDefinition: family })).then((out) => (arn = out.tasks[0].taskArn), reject);
    });
  const stop = (arn) =>
    new Promise((resolve) => {
      const off = t.gateway.bus.subscribe(
        'ecs.task',
        (e) => e.taskArn === arn && e.lastStatus === 'STOPPED' && (off(), resolve()),
      );
      client.send(new StopTaskCommand({ task: arn }));
    });
  const series = { plain: [], secret: [] };
  await stop((await reach('secret', 'RUNNING')).arn); // warm-up
  for (let i = 0; i < RUNS; i++) {
    for (const family of ['plain', 'secret']) {
      const r = await reach(family, 'RUNNING');
      series[family].push(r.ms);
      await stop(r.arn);
    }
  }
  await t.stop();
  const o = stats(series.secret);
  const b = stats(series.plain);
  console.log(
    `RunTask → RUNNING with 6 secrets: ${o.median.toFixed(0)} ms vs ${b.median.toFixed(0)} ms without (${(o.median / b.median).toFixed(2)}x)`,
  );
  rows.push({
    figure: 'RunTask → RUNNING with 6 secrets (2 Secrets Manager, 4 Parameter Store)',
    unit: 'ms',
    ...o,
    baseline: b.median,
    ratio: o.median / b.median,
    target: 'baseline: the same task without secrets',
  });
}

// (2) API throughput against moto.
{
  const dockside = await startCli(['--services', 'secrets']);
  const moto = await startMoto();
  const seed = async (url) => {
    const sm = await awsJson(
      url,
      'secretsmanager.CreateSecret',
      {
        Name: 'bench/db',
        SecretString: '{"password":"p"}',
        ClientRequestToken: '00000000-0000-4000-8000-000000000000',
      },
      { authorization: sigv4('secretsmanager') },
    );
    const ps = await awsJson(
      url,
      'AmazonSSM.PutParameter',
      { Name: '/bench/p', Value: 'v', Type: 'SecureString' },
      { authorization: sigv4('ssm') },
    );
    if (sm.status !== 200 || ps.status !== 200) throw new Error(`seeding failed: ${sm.body} ${ps.body}`);
  };
  try {
    await seed(dockside.url);
    if (moto) await seed(moto.url);
    for (const [label, target, service, body] of [
      ['GetSecretValue', 'secretsmanager.GetSecretValue', 'secretsmanager', { SecretId: 'bench/db' }],
      [
        'GetParameter (SecureString, WithDecryption)',
        'AmazonSSM.GetParameter',
        'ssm',
        { Name: '/bench/p', WithDecryption: true },
      ],
    ]) {
      const d = load(dockside.url, target, service, body, 16, SECONDS);
      const m = moto ? load(moto.url, target, service, body, 16, SECONDS) : undefined;
      console.log(
        `${label} c=16: dockside ${d.rps.toFixed(0)} req/s${m ? ` | moto ${m.rps.toFixed(0)} req/s (${(d.rps / m.rps).toFixed(1)}x)` : ''}`,
      );
      rows.push({
        figure: `${label}, c=16: requests/s`,
        unit: 'req/s',
        median: d.rps,
        baseline: m ? m.rps : 'baseline unavailable',
        ratio: m ? d.rps / m.rps : undefined,
        target: '≥ 10× moto',
      });
      rows.push({
        figure: `${label}, c=16: p50 / p99 latency`,
        unit: 'ms',
        median: d.p50,
        min: d.p50,
        max: d.p99,
        baseline: m ? m.p50 : 'baseline unavailable',
        ratio: m && m.p50 ? d.p50 / m.p50 : undefined,
      });
    }
  } finally {
    await dockside.stop();
    await moto?.stop();
  }
}

record('secrets', rows);
