// The physical floor of an API call: each hot call of every plugin against Dockside's CLI and
// against a bare Node `http` server (its own process) answering the very bytes Dockside answered,
// at 1 and 16 connections, in alternating rounds. ECS DescribeClusters and ListTasks (1,000 tasks), Secrets
// Manager GetSecretValue, SSM GetParameter (SecureString), CloudWatch Logs PutLogEvents,
// EventBridge PutEvents, ECR GetAuthorizationToken, ELBv2 DescribeTargetHealth (query protocol).
import { awsJson, load, record, sigv4, startBareServer, startCli } from './lib.mjs';

const SECONDS = Number(process.env.BENCH_CP_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_API_ROUNDS ?? 3);
/** The round with the median requests/s (its p99 with it). */
const medianRound = (rounds) => [...rounds].sort((a, b) => a.rps - b.rps)[Math.floor(rounds.length / 2)];
const ECS = 'AmazonEC2ContainerServiceV20141113';

const json = async (url, target, service, body) => {
  const res = await awsJson(url, target, body, { authorization: sigv4(service) });
  if (res.status !== 200) throw new Error(`${target} answered ${res.status}: ${res.body.slice(0, 200)}`);
  return { body: res.body, contentType: 'application/x-amz-json-1.1', parsed: JSON.parse(res.body) };
};
const query = async (url, service, form) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: sigv4(service), 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`${form} answered ${res.status}: ${body.slice(0, 200)}`);
  return { body, contentType: 'text/xml' };
};

// No reachable engine: RunTask records tasks that stop at once (TaskFailedToStart).
const d = await startCli(['--services', 'ecs,logs,secrets,eventbridge,elbv2,ecr', '--ecs-instances', '10'], {
  DOCKER_HOST: 'unix:///nonexistent/docker.sock',
});
const rows = [];
try {
  const u = d.url;
  await json(u, `${ECS}.CreateCluster`, 'ecs', { clusterName: 'bench' });
  await json(u, `${ECS}.RegisterTaskDefinition`, 'ecs', {
    family: 'bench',
    containerDefinitions: [{ name: 'c', image: 'busybox', memory: 6 }],
  });
  for (let i = 0; i < 100; i++)
    await json(u, `${ECS}.RunTask`, 'ecs', { cluster: 'bench', taskDefinition: 'bench', count: 10 });
  await json(u, 'secretsmanager.CreateSecret', 'secretsmanager', {
    Name: 'bench/db',
    SecretString: '{"password":"pw"}',
  });
  await json(u, 'AmazonSSM.PutParameter', 'ssm', { Name: '/bench/key', Value: 's3cret', Type: 'SecureString' });
  await json(u, 'Logs_20140328.CreateLogGroup', 'logs', { logGroupName: '/bench' });
  await json(u, 'Logs_20140328.CreateLogStream', 'logs', { logGroupName: '/bench', logStreamName: 's' });
  await json(u, 'AWSEvents.PutRule', 'events', { Name: 'other', EventPattern: '{"source":["not.bench"]}' });
  const tg = await query(
    u,
    'elasticloadbalancing',
    'Action=CreateTargetGroup&Version=2015-12-01&Name=bench&Protocol=HTTP&Port=80&VpcId=vpc-0b0b0b0b&TargetType=ip',
  );
  const tgArn = /<TargetGroupArn>([^<]+)<\/TargetGroupArn>/.exec(tg.body)[1];
  await query(
    u,
    'elasticloadbalancing',
    `Action=RegisterTargets&Version=2015-12-01&TargetGroupArn=${encodeURIComponent(tgArn)}&Targets.member.1.Id=10.0.0.1&Targets.member.1.Port=8080`,
  );

  const calls = [
    ['ECS DescribeClusters', `${ECS}.DescribeClusters`, 'ecs', { clusters: ['bench'] }],
    [
      'ECS ListTasks (1,000 tasks)',
      `${ECS}.ListTasks`,
      'ecs',
      { cluster: 'bench', maxResults: 100, desiredStatus: 'STOPPED' },
    ],
    ['Secrets Manager GetSecretValue', 'secretsmanager.GetSecretValue', 'secretsmanager', { SecretId: 'bench/db' }],
    [
      'SSM GetParameter (SecureString, WithDecryption)',
      'AmazonSSM.GetParameter',
      'ssm',
      { Name: '/bench/key', WithDecryption: true },
    ],
    [
      'Logs PutLogEvents (1 event)',
      'Logs_20140328.PutLogEvents',
      'logs',
      {
        logGroupName: '/bench',
        logStreamName: 's',
        logEvents: [{ timestamp: Date.now(), message: 'a line of output' }],
      },
    ],
    [
      'EventBridge PutEvents (1 entry, 1 rule)',
      'AWSEvents.PutEvents',
      'events',
      { Entries: [{ Source: 'bench', DetailType: 'tick', Detail: '{"n":1}' }] },
    ],
    ['ECR GetAuthorizationToken', 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken', 'ecr', {}],
    [
      'ELBv2 DescribeTargetHealth (query protocol)',
      null,
      'elasticloadbalancing',
      `Action=DescribeTargetHealth&Version=2015-12-01&TargetGroupArn=${encodeURIComponent(tgArn)}`,
    ],
  ];
  for (const [label, target, service, body] of calls) {
    const answer = target ? await json(u, target, service, body) : await query(u, service, body);
    const bare = await startBareServer(answer.body, {
      'content-type': answer.contentType,
      'x-amzn-requestid': '00000000-0000-0000-0000-000000000000',
    });
    try {
      for (const c of [1, 16]) {
        // Alternating rounds, the median round of each side: this 2-core machine drifts a lot
        // between runs (the bare server alone moves by 2x), so one round each proves little.
        const bs = [];
        const os = [];
        // A short unmeasured round on each side first: the first seconds under load are JIT warm-up.
        load(bare.url, target, service, body, c, 1);
        load(u, target, service, body, c, 1);
        for (let r = 0; r < ROUNDS; r++) {
          bs.push(load(bare.url, target, service, body, c, SECONDS));
          os.push(load(u, target, service, body, c, SECONDS));
        }
        const b = medianRound(bs);
        const o = medianRound(os);
        console.log(
          `${label} c=${c}: dockside ${o.rps.toFixed(0)} req/s p99 ${o.p99} ms | bare node ${b.rps.toFixed(0)} req/s p99 ${b.p99} ms (${(o.rps / b.rps).toFixed(2)}x)`,
        );
        rows.push({
          figure: `${label}, c=${c}: requests/s vs a bare Node server answering the same bytes`,
          unit: 'req/s',
          median: o.rps,
          baseline: b.rps,
          ratio: o.rps / b.rps,
          target: '≥ 0.5× the bare server',
        });
        rows.push({
          figure: `${label}, c=${c}: p99 latency`,
          unit: 'ms',
          median: o.p99,
          baseline: b.p99,
          ratio: b.p99 ? o.p99 / b.p99 : undefined,
          target: c === 16 ? '< 5 ms' : '–',
        });
      }
    } finally {
      await bare.stop();
    }
  }
} finally {
  await d.stop();
}
record('api-floor', rows);
