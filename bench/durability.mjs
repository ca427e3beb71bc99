// What `--data-dir` costs: RegisterTaskDefinition and RunTask requests/s with the journal (every
// acknowledged write fsync'd) against the same CLI without a data dir, in one run; and whether a
// write's cost grows with the state (RegisterTaskDefinition with 1,000 then 10,000 tasks stored).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { awsJson, load, record, sigv4, startCli } from './lib.mjs';

const SECONDS = Number(process.env.BENCH_DURABILITY_SECONDS ?? 3);
const T = 'AmazonEC2ContainerServiceV20141113';
const call = async (url, op, body) => {
  const res = await awsJson(url, `${T}.${op}`, body, { authorization: sigv4('ecs') });
  if (res.status !== 200) throw new Error(`${op} answered ${res.status}: ${res.body.slice(0, 200)}`);
  return JSON.parse(res.body);
};
/** `tasks` more stopped tasks in the bench cluster (no engine: they stop at once). */
async function seed(url, tasks) {
  for (let i = 0; i < tasks / 10; i++)
    await call(url, 'RunTask', { cluster: 'bench', taskDefinition: 'bench', count: 10 });
}
const register = { family: 'bench-reg', containerDefinitions: [{ name: 'c', image: 'busybox', memory: 32 }] };
const runTask = { cluster: 'bench', taskDefinition: 'bench' };

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-bench-data-'));
const env = { DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
const plain = await startCli(['--services', 'ecs', '--ecs-instances', '10'], env);
const durable = await startCli(['--services', 'ecs', '--ecs-instances', '10', '--data-dir', dir], env);
const rows = [];
try {
  for (const url of [plain.url, durable.url]) {
    await call(url, 'CreateCluster', { clusterName: 'bench' });
    await call(url, 'RegisterTaskDefinition', {
      family: 'bench',
      containerDefinitions: [{ name: 'c', image: 'busybox', memory: 6 }],
    });
    await seed(url, 1000);
  }
  const measure = (label, body, c) => {
    const base = load(plain.url, `${T}.${label}`, 'ecs', body, c, SECONDS);
    const d = load(durable.url, `${T}.${label}`, 'ecs', body, c, SECONDS);
    console.log(
      `${label} c=${c}: --data-dir ${d.rps.toFixed(0)} req/s (p99 ${d.p99} ms) | without ${base.rps.toFixed(0)} req/s`,
    );
    rows.push({
      figure: `${label} with --data-dir (fsync per write, group commit), c=${c}: requests/s`,
      unit: 'req/s',
      median: d.rps,
      min: d.rps,
      max: d.rps,
      baseline: base.rps,
      ratio: d.rps / base.rps,
      target: 'baseline: the same CLI without --data-dir',
    });
    return d;
  };
  measure('RegisterTaskDefinition', register, 1);
  const small = measure('RegisterTaskDefinition', register, 16);
  measure('RunTask', runTask, 1);
  measure('RunTask', runTask, 16);
  // Ten times the state: a write should cost the same.
  await seed(durable.url, 9000);
  const big = load(durable.url, `${T}.RegisterTaskDefinition`, 'ecs', register, 16, SECONDS);
  console.log(
    `RegisterTaskDefinition c=16 with 10,000 tasks stored: ${big.rps.toFixed(0)} req/s (1,000: ${small.rps.toFixed(0)})`,
  );
  rows.push({
    figure: 'RegisterTaskDefinition with --data-dir and 10,000 tasks stored, c=16: requests/s',
    unit: 'req/s',
    median: big.rps,
    baseline: small.rps,
    ratio: big.rps / small.rps,
    target: '≈ 1 (baseline: 1,000 tasks stored): a write costs its change, not the state',
  });
} finally {
  await plain.stop();
  await durable.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
record('durability', rows);
