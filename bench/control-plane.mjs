// Control-plane throughput and latency: requests/s and p50/p99 at concurrency 1, 16 and 64 for
// DescribeClusters, ListTasks (1,000 tasks in the cluster), DescribeTasks (100 ARNs) and
// RegisterTaskDefinition, against Dockside's CLI and, as the baseline, a moto server started on
// loopback in the same run (when `python3 -c 'import moto'` works). Load: wrk (apt-get install wrk).
// The bare-server floor of these and the other plugins' hot calls is bench/api-floor.mjs.
import { awsJson, load, record, sigv4, startCli, startMoto } from './lib.mjs';

const SECONDS = Number(process.env.BENCH_CP_SECONDS ?? 3);
const CONCURRENCY = [1, 16, 64];
const T = 'AmazonEC2ContainerServiceV20141113';

const call = async (url, op, body) => {
  const res = await awsJson(url, `${T}.${op}`, body, { authorization: sigv4('ecs') });
  if (res.status !== 200) throw new Error(`${op} answered ${res.status}: ${res.body.slice(0, 200)}`);
  return JSON.parse(res.body);
};

/** 1,000 tasks in one cluster; their ARNs. Moto needs a container instance to place them on. */
async function seed(url, { motoInstance = false } = {}) {
  await call(url, 'CreateCluster', { clusterName: 'bench' });
  if (motoInstance) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: sigv4('ec2'), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=RunInstances&Version=2016-11-15&ImageId=ami-12c6146b&MinCount=1&MaxCount=1&InstanceType=m5.24xlarge',
    });
    const instanceId = /<instanceId>(i-[0-9a-f]+)<\/instanceId>/.exec(await res.text())?.[1];
    if (!instanceId) throw new Error('moto did not start an EC2 instance');
    await call(url, 'RegisterContainerInstance', {
      cluster: 'bench',
      instanceIdentityDocument: JSON.stringify({ instanceId }),
    });
  }
  await call(url, 'RegisterTaskDefinition', {
    family: 'bench',
    containerDefinitions: [{ name: 'c', image: 'busybox', memory: 6 }],
  });
  const arns = [];
  for (let i = 0; i < 100; i++) {
    const out = await call(url, 'RunTask', { cluster: 'bench', taskDefinition: 'bench', count: 10 });
    arns.push(...out.tasks.map((t) => t.taskArn));
  }
  if (arns.length !== 1000) throw new Error(`seeded ${arns.length} tasks, not 1,000`);
  return arns;
}

const ops = (arns, desired) => [
  ['DescribeClusters', { clusters: ['bench'] }],
  ['ListTasks (1,000 tasks)', { cluster: 'bench', maxResults: 100, desiredStatus: desired }],
  ['DescribeTasks (100 ARNs)', { cluster: 'bench', tasks: arns.slice(0, 100) }],
  [
    'RegisterTaskDefinition',
    { family: 'bench-reg', containerDefinitions: [{ name: 'c', image: 'busybox', memory: 32 }] },
  ],
];
const opName = (label) => label.split(' ')[0];

// Dockside with no reachable engine: RunTask records tasks that stop at once (TaskFailedToStart).
const dockside = await startCli(['--services', 'ecs', '--ecs-instances', '10'], {
  DOCKER_HOST: 'unix:///nonexistent/docker.sock',
});
const moto = await startMoto();
const rows = [];
try {
  const arnsD = await seed(dockside.url);
  await new Promise((r) => setTimeout(r, 500));
  const arnsM = moto ? await seed(moto.url, { motoInstance: true }) : [];
  for (const c of CONCURRENCY) {
    for (const [i, [label, body]] of ops(arnsD, 'STOPPED').entries()) {
      const d = load(dockside.url, `${T}.${opName(label)}`, 'ecs', body, c, SECONDS);
      let m;
      if (moto) {
        const [, mbody] = ops(arnsM, 'RUNNING')[i];
        m = load(moto.url, `${T}.${opName(label)}`, 'ecs', mbody, c, SECONDS);
      }
      rows.push({
        figure: `${label}, c=${c}: requests/s`,
        unit: 'req/s',
        median: d.rps,
        baseline: m ? m.rps : 'baseline unavailable',
        ratio: m ? d.rps / m.rps : undefined,
        target: '≥ 10× moto',
      });
      rows.push({
        figure: `${label}, c=${c}: p50 / p99 latency`,
        unit: 'ms',
        median: d.p50,
        min: d.p50,
        max: d.p99,
        baseline: m ? m.p50 : 'baseline unavailable',
        ratio: m && m.p50 ? d.p50 / m.p50 : undefined,
      });
      console.log(
        `${label} c=${c}: dockside ${d.rps.toFixed(0)} req/s p50 ${d.p50} ms p99 ${d.p99} ms${m ? ` | moto ${m.rps.toFixed(0)} req/s p50 ${m.p50} ms (ratio ${(d.rps / m.rps).toFixed(1)}x)` : ''}`,
      );
    }
  }
} finally {
  await dockside.stop();
  await moto?.stop();
}
record('control-plane', rows);
