// Control-plane throughput and latency: requests/s and p50/p99 at concurrency 1, 16 and 64 for
// DescribeClusters, ListTasks (1,000 tasks in the cluster), DescribeTasks (100 ARNs) and
// RegisterTaskDefinition, against Dockside's CLI and, as the baseline, a moto server started on
// loopback in the same run (when `python3 -c 'import moto'` works). Load: wrk (apt-get install wrk).
import { execFileSync, spawn } from 'node:child_process';
import * as net from 'node:net';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { awsJson, record, sigv4, startCli } from './lib.mjs';

const SECONDS = Number(process.env.BENCH_CP_SECONDS ?? 3);
const CONCURRENCY = [1, 16, 64];
const T = 'AmazonEC2ContainerServiceV20141113';

const freePort = () => new Promise((r) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)); }); });

/** The first Python with moto's server: BENCH_PYTHON, then python3 on PATH, then pyenv's (npx puts
 * node's own folder, often /usr/bin, ahead of pyenv on PATH). */
function pythonWithMoto() {
  const candidates = [process.env.BENCH_PYTHON, 'python3', path.join(os.homedir(), '.pyenv', 'shims', 'python3'), '/usr/local/bin/python3'].filter(Boolean);
  for (const py of candidates) {
    try {
      execFileSync(py, ['-c', 'import moto.server'], { stdio: 'ignore' });
      return py;
    } catch {
      // not this one
    }
  }
  return undefined;
}

async function startMoto() {
  const python = pythonWithMoto();
  if (!python) return undefined;
  const port = await freePort();
  const child = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${url}/moto-api/`);
      return { url, stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }) };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill('SIGKILL');
  return undefined;
}

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
    await call(url, 'RegisterContainerInstance', { cluster: 'bench', instanceIdentityDocument: JSON.stringify({ instanceId }) });
  }
  await call(url, 'RegisterTaskDefinition', { family: 'bench', containerDefinitions: [{ name: 'c', image: 'busybox', memory: 6 }] });
  const arns = [];
  for (let i = 0; i < 100; i++) {
    const out = await call(url, 'RunTask', { cluster: 'bench', taskDefinition: 'bench', count: 10 });
    arns.push(...out.tasks.map((t) => t.taskArn));
  }
  if (arns.length !== 1000) throw new Error(`seeded ${arns.length} tasks, not 1,000`);
  return arns;
}

/** Closed-loop load from wrk (it reconnects, so HTTP/1.0 servers like moto's are measured fairly). */
function load(url, op, body, connections) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-wrk-'));
  const script = path.join(dir, 'post.lua');
  const headers = { 'x-amz-target': `${T}.${op}`, 'content-type': 'application/x-amz-json-1.1', authorization: sigv4('ecs') };
  fs.writeFileSync(
    script,
    `wrk.method = "POST"\nwrk.body = ${JSON.stringify(JSON.stringify(body))}\n` +
      Object.entries(headers).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`).join('\n') +
      `\nresponse = function(status) if status ~= 200 then io.stderr:write("status " .. status .. "\\n") end end\n`,
  );
  try {
    const out = execFileSync('wrk', ['-t', String(Math.min(2, connections)), '-c', String(connections), '-d', `${SECONDS}s`, '--latency', '-s', script, url], { encoding: 'utf8' });
    const ms = (label) => {
      const m = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
      if (!m) return undefined;
      return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]];
    };
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]);
    if (/Non-2xx/.test(out)) throw new Error(`${op}: non-2xx answers\n${out}`);
    return { rps, p50: ms(50), p99: ms(99) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const ops = (arns, desired) => [
  ['DescribeClusters', { clusters: ['bench'] }],
  ['ListTasks (1,000 tasks)', { cluster: 'bench', maxResults: 100, desiredStatus: desired }],
  ['DescribeTasks (100 ARNs)', { cluster: 'bench', tasks: arns.slice(0, 100) }],
  ['RegisterTaskDefinition', { family: 'bench-reg', containerDefinitions: [{ name: 'c', image: 'busybox', memory: 32 }] }],
];
const opName = (label) => label.split(' ')[0];

// Dockside with no reachable engine: RunTask records tasks that stop at once (TaskFailedToStart).
const dockside = await startCli(['--services', 'ecs'], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
const moto = await startMoto();
const rows = [];
try {
  const arnsD = await seed(dockside.url);
  await new Promise((r) => setTimeout(r, 500));
  const arnsM = moto ? await seed(moto.url, { motoInstance: true }) : [];
  for (const c of CONCURRENCY) {
    for (const [i, [label, body]] of ops(arnsD, 'STOPPED').entries()) {
      const d = load(dockside.url, opName(label), body, c);
      let m;
      if (moto) {
        const [, mbody] = ops(arnsM, 'RUNNING')[i];
        m = load(moto.url, opName(label), mbody, c);
      }
      rows.push({
        figure: `${label}, c=${c}: requests/s`,
        unit: 'req/s',
        median: d.rps,
        baseline: m ? m.rps : 'baseline unavailable',
        ratio: m ? d.rps / m.rps : undefined,
        target: '≥ 10× moto',
      });
      rows.push({ figure: `${label}, c=${c}: p50 / p99 latency`, unit: 'ms', median: d.p50, min: d.p50, max: d.p99, baseline: m ? m.p50 : 'baseline unavailable', ratio: m && m.p50 ? d.p50 / m.p50 : undefined });
      console.log(`${label} c=${c}: dockside ${d.rps.toFixed(0)} req/s p50 ${d.p50} ms p99 ${d.p99} ms${m ? ` | moto ${m.rps.toFixed(0)} req/s p50 ${m.p50} ms (ratio ${(d.rps / m.rps).toFixed(1)}x)` : ''}`);
    }
  }
} finally {
  await dockside.stop();
  await moto?.stop();
}
record('control-plane', rows);
