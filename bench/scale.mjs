// Scale: 10,000 tasks in one cluster, made with RunTask while the gateway has no reachable engine
// (DOCKER_HOST points at a missing socket: each task is recorded and stops with TaskFailedToStart).
// Full ListTasks pagination, DescribeTasks of 100, DescribeClusters counts, RSS growth per 1,000
// tasks (the packed CLI npx users run, and the workspace build), and the packed CLI's RSS at rest
// (REST_MS after its last request, when its idle collection has run: --idle-gc-seconds);
// then 50 concurrent RunTask calls with real containers (a second gateway, real engine),
// and the same 50 tasks started by one service (CreateService desiredCount 50), against that burst.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { awsJson, packedCli, record, repoRoot, rssMiB, startCli, stats, workspaceCli } from './lib.mjs';

const require = createRequire(`${repoRoot}/package.json`);
const Docker = require('dockerode');
const { ensureBusyboxImage } = require('@dockside/testing');
const T = 'AmazonEC2ContainerServiceV20141113';
const TASKS = Number(process.env.BENCH_SCALE_TASKS ?? 10_000);
const call = async (url, op, body) => {
  const res = await awsJson(url, `${T}.${op}`, body);
  if (res.status !== 200) throw new Error(`${op}: ${res.status} ${res.body.slice(0, 200)}`);
  return JSON.parse(res.body);
};
const settle = () => new Promise((r) => setTimeout(r, 300));
const rows = [];
// At rest: the gateway's default 6 s of quiet before its idle collection (--idle-gc-seconds), after
// the tasks' own stopping work, with a margin for a slow machine.
const REST_MS = Number(process.env.BENCH_SCALE_REST_MS ?? 20_000);
const rest = () => new Promise((r) => setTimeout(r, REST_MS));

// ---- 10,000 stopped tasks ---------------------------------------------------------------------
/**
 * 10,000 tasks made in one gateway of `cli`: its RSS after every 1,000, and (with `timed`) the
 * read timings and its RSS at rest before the first task and after the last.
 */
async function stoppedTasks(cli, timed) {
  const d = await startCli(
    ['--services', 'ecs', '--ecs-instances', '10'],
    { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    cli,
  );
  try {
    await call(d.url, 'CreateCluster', { clusterName: 'scale' });
    await call(d.url, 'RegisterTaskDefinition', {
      family: 'scale',
      containerDefinitions: [{ name: 'c', image: 'busybox', memory: 32 }],
    });
    await settle();
    const rss = [rssMiB(d.pid)];
    const atRest = timed ? [(await rest(), rssMiB(d.pid))] : [];
    for (let made = 0; made < TASKS;) {
      await Promise.all(
        Array.from({ length: 10 }, () =>
          call(d.url, 'RunTask', { cluster: 'scale', taskDefinition: 'scale', count: 10 }),
        ),
      );
      made += 100;
      if (made % 1000 === 0) {
        await settle();
        rss.push(rssMiB(d.pid));
      }
    }
    if (timed) atRest.push((await rest(), rssMiB(d.pid)));
    return { rss, atRest, ...(timed ? await readTimings(d) : {}) };
  } finally {
    await d.stop();
  }
}

/** Every page of the cluster's stopped tasks (ListTasks, 100 a page), in order. */
const eachStoppedPage = async (d, onPage) => {
  let token;
  do {
    const page = await call(d.url, 'ListTasks', {
      cluster: 'scale',
      desiredStatus: 'STOPPED',
      maxResults: 100,
      nextToken: token,
    });
    await onPage(page.taskArns);
    token = page.nextToken;
  } while (token);
};

const time = async (f) => {
  const t0 = performance.now();
  const r = await f();
  return [performance.now() - t0, r];
};

/** ListTasks, DescribeTasks and DescribeClusters timings with the tasks made, and the tasks as DescribeTasks answers them. */
async function readTimings(d) {
  const c = (await call(d.url, 'DescribeClusters', { clusters: ['scale'], include: ['STATISTICS'] })).clusters[0];
  const listTimes = [];
  let listed = 0;
  for (let i = 0; i < 5; i++) {
    const [ms, n] = await time(async () => {
      let n = 0;
      await eachStoppedPage(d, (arns) => void (n += arns.length));
      return n;
    });
    listTimes.push(ms);
    listed = n;
  }
  if (listed !== TASKS) throw new Error(`ListTasks paginated ${listed} tasks, not ${TASKS}`);
  const firstHundred = (await call(d.url, 'ListTasks', { cluster: 'scale', desiredStatus: 'STOPPED', maxResults: 100 }))
    .taskArns;
  const describeTimes = [];
  for (let i = 0; i < 10; i++)
    describeTimes.push((await time(() => call(d.url, 'DescribeTasks', { cluster: 'scale', tasks: firstHundred })))[0]);
  const clusterTimes = [];
  for (let i = 0; i < 10; i++)
    clusterTimes.push((await time(() => call(d.url, 'DescribeClusters', { clusters: ['scale'] })))[0]);
  const described = [];
  await eachStoppedPage(d, async (arns) => {
    described.push(...(await call(d.url, 'DescribeTasks', { cluster: 'scale', tasks: arns })).tasks);
  });
  return { cluster: c, listTimes, describeTimes, clusterTimes, described };
}

/**
 * Baseline: a bare Node process holding the same tasks as plain objects (DescribeTasks' answers,
 * parsed one by one), its RSS taken the same way after every 1,000: what the data costs V8 alone.
 */
function bareHolder(tasks) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-scale-'));
  const file = path.join(dir, 'tasks.jsonl');
  fs.writeFileSync(file, tasks.map((t) => `${JSON.stringify(t)}\n`).join(''));
  const holder = `
    const fs = require('node:fs');
    const rss = () => Number(/VmRSS:\\s+(\\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
    const settle = () => new Promise((r) => setTimeout(r, 300));
    (async () => {
      const held = [];
      await settle();
      const out = [rss()];
      const rl = require('node:readline').createInterface({ input: fs.createReadStream(${JSON.stringify(file)}) });
      for await (const line of rl) {
        if (!line) continue;
        held.push(JSON.parse(line));
        if (held.length % 1000 === 0) { await settle(); out.push(rss()); }
      }
      // At rest, as Dockside's: one full collection after 6 s of quiet, its pages returned.
      await new Promise((r) => setTimeout(r, 6500));
      gc();
      await new Promise((r) => setTimeout(r, 1000));
      console.log(JSON.stringify({ out, atRest: rss() }));
    })();`;
  try {
    return JSON.parse(execFileSync(process.execPath, ['--expose-gc', '-e', holder], { encoding: 'utf8' }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

{
  // The packed CLI is what npx users run (bench/startup.mjs and bench/npx.mjs measure it too); the
  // workspace build is what `pnpm start` and programs embedding the plugins load.
  const packedRun = await stoppedTasks(packedCli(), true);
  const workspaceRun = await stoppedTasks(workspaceCli, false);
  const { rss, cluster: c, listTimes, describeTimes, clusterTimes, described } = packedRun;
  const { out: baseRss, atRest: baseAtRest } = bareHolder(described);
  const [restBefore, restAfter] = packedRun.atRest;
  const perThousand = rss.slice(1).map((v, i) => v - rss[i]);
  const basePerThousand = stats(baseRss.slice(1).map((v, i) => v - baseRss[i]));
  const l = stats(listTimes);
  const dt = stats(describeTimes);
  const ct = stats(clusterTimes);
  const growth = stats(perThousand);
  const ws = workspaceRun.rss;
  const wsGrowth = stats(ws.slice(1).map((v, i) => v - ws[i]));
  const last = (a) => a[a.length - 1];
  console.log(
    `scale: ${TASKS} tasks; ListTasks full pagination ${l.median.toFixed(0)} ms; DescribeTasks(100) ${dt.median.toFixed(1)} ms; DescribeClusters ${ct.median.toFixed(1)} ms (running ${c.runningTasksCount}, pending ${c.pendingTasksCount}); RSS (packed CLI) ${rss[0].toFixed(0)} → ${last(rss).toFixed(0)} MiB, ${growth.median.toFixed(1)} MiB per 1,000 tasks; workspace build ${ws[0].toFixed(0)} → ${last(ws).toFixed(0)} MiB, ${wsGrowth.median.toFixed(1)} per 1,000 (bare Node holding them: ${baseRss[0].toFixed(0)} → ${last(baseRss).toFixed(0)} MiB, ${basePerThousand.median.toFixed(1)} per 1,000); at rest: packed CLI ${restBefore.toFixed(1)} → ${restAfter.toFixed(1)} MiB, bare ${baseAtRest.toFixed(1)} MiB`,
  );
  rows.push(
    {
      figure: `ListTasks, full pagination of ${TASKS.toLocaleString('en')} tasks (100 pages)`,
      unit: 'ms',
      ...l,
      target: '< 1 s',
    },
    { figure: 'DescribeTasks of 100', unit: 'ms', ...dt },
    { figure: `DescribeClusters with ${TASKS.toLocaleString('en')} tasks`, unit: 'ms', ...ct },
    {
      figure:
        'RSS growth per 1,000 stopped tasks, packed CLI (baseline: a bare Node process holding the same tasks as parsed DescribeTasks objects)',
      unit: 'MiB',
      ...growth,
      baseline: basePerThousand.median,
      ratio: growth.median / basePerThousand.median,
      target: '– (while the tasks are made; the at-rest row below is the target)',
    },
    {
      figure: `RSS with ${TASKS.toLocaleString('en')} stopped tasks, packed CLI (min = before the first task)`,
      unit: 'MiB',
      median: last(rss),
      min: rss[0],
      max: last(rss),
      baseline: last(baseRss),
      ratio: last(rss) / last(baseRss),
      target: '– (right after the last task; the at-rest row is the target)',
    },
    {
      figure: `RSS with ${TASKS.toLocaleString('en')} stopped tasks at rest, packed CLI (${REST_MS / 1000} s after the last request, time for its idle collection; min = at rest before the first task; baseline: the bare Node process after one full collection)`,
      unit: 'MiB',
      median: restAfter,
      min: restBefore,
      max: restAfter,
      baseline: baseAtRest,
      ratio: restAfter / baseAtRest,
      target: '< 100 MiB',
    },
    {
      figure:
        'RSS growth per 1,000 stopped tasks at rest, packed CLI (the two rest figures above; baseline: the bare Node process)',
      unit: 'MiB',
      median: (restAfter - restBefore) / (TASKS / 1000),
      baseline: (baseAtRest - baseRss[0]) / (TASKS / 1000),
      ratio: (restAfter - restBefore) / (baseAtRest - baseRss[0]),
      target: '< 3 MiB',
    },
    {
      figure: `RSS with ${TASKS.toLocaleString('en')} stopped tasks, workspace build (min = before the first task)`,
      unit: 'MiB',
      median: last(ws),
      min: ws[0],
      max: last(ws),
      baseline: last(baseRss),
      ratio: last(ws) / last(baseRss),
      target: '– (the packed CLI row is the target)',
    },
    {
      figure: 'RSS growth per 1,000 stopped tasks, workspace build',
      unit: 'MiB',
      ...wsGrowth,
      baseline: basePerThousand.median,
      ratio: wsGrowth.median / basePerThousand.median,
      target: '–',
    },
  );
}

// ---- 50 concurrent RunTask calls with real containers --------------------------------------------
const docker = new Docker();
const image = await ensureBusyboxImage(docker);
// Baseline, same run: 50 concurrent creates + starts of the same container straight through the
// Docker API (dockerode), timed to the last start answered.
async function rawBurst(networkMode) {
  const r0 = performance.now();
  const made = await Promise.all(
    Array.from({ length: 50 }, async (_, i) => {
      const c = await docker.createContainer({
        Image: image,
        Cmd: ['sleep', '3600'],
        Labels: { 'dockside-bench': 'raw-burst' },
        HostConfig: { Memory: 16 * 2 ** 20, ...(networkMode ? { NetworkMode: networkMode } : {}) },
        name: `dockside-bench-raw-${process.pid}-${i}`,
      });
      await c.start();
      return c;
    }),
  );
  const ms = performance.now() - r0;
  await Promise.all(made.map((c) => c.remove({ force: true })));
  return ms;
}
const rawAll = await rawBurst();
// The same on a user-defined bridge network, the container work of Dockside's agent network
// (bench/task-start.mjs says why that costs the engine more per container).
const userNet = `dockside-bench-${process.pid}`;
await docker.createNetwork({ Name: userNet, Driver: 'bridge' });
const rawAllUserNet = await rawBurst(userNet);
await docker.getNetwork(userNet).remove();
const real = await startCli(['--services', 'ecs', '--pull-policy', 'never', '--ecs-instances', '2']);
try {
  await call(real.url, 'CreateCluster', { clusterName: 'burst' });
  await call(real.url, 'RegisterTaskDefinition', {
    family: 'burst',
    containerDefinitions: [{ name: 'c', image, memory: 16, command: ['sleep', '3600'], stopTimeout: 1 }],
  });
  const t0 = performance.now();
  const runs = await Promise.all(
    Array.from({ length: 50 }, () => call(real.url, 'RunTask', { cluster: 'burst', taskDefinition: 'burst' })),
  );
  const arns = runs.flatMap((r) => r.tasks.map((t) => t.taskArn));
  if (new Set(arns).size !== 50) throw new Error(`expected 50 distinct tasks, got ${new Set(arns).size}`);
  let running = 0;
  while (running < 50) {
    const d2 = await call(real.url, 'DescribeTasks', { cluster: 'burst', tasks: arns });
    running = d2.tasks.filter((t) => t.lastStatus === 'RUNNING').length;
    if (d2.tasks.some((t) => t.lastStatus === 'STOPPED')) throw new Error('a task stopped during the burst');
    if (running < 50) await new Promise((r) => setTimeout(r, 50));
  }
  const allRunning = performance.now() - t0;
  const containers = await docker.listContainers({
    filters: { label: ['com.amazonaws.ecs.cluster=arn:aws:ecs:us-east-1:000000000000:cluster/burst'] },
  });
  if (containers.length !== 50) throw new Error(`expected 50 containers, found ${containers.length}`);
  console.log(
    `burst: 50 concurrent RunTask → all RUNNING in ${allRunning.toFixed(0)} ms; 50 distinct tasks, 50 containers; raw Docker API 50 creates + starts ${rawAll.toFixed(0)} ms (user-defined network ${rawAllUserNet.toFixed(0)} ms)`,
  );
  rows.push({
    figure: '50 concurrent RunTask → all RUNNING (50 tasks, 50 containers, none lost or duplicated)',
    unit: 'ms',
    median: allRunning,
    baseline: rawAll,
    ratio: allRunning / rawAll,
    target: '≤ 1.15× 50 concurrent raw creates + starts',
  });
  rows.push({
    figure: '50 concurrent RunTask → all RUNNING vs 50 raw creates + starts on a user-defined bridge network',
    unit: 'ms',
    median: allRunning,
    baseline: rawAllUserNet,
    ratio: allRunning / rawAllUserNet,
    target: '≤ 1.15× 50 concurrent raw creates + starts',
  });
  await Promise.all(arns.map((a) => call(real.url, 'StopTask', { cluster: 'burst', task: a })));
  for (;;) {
    const left = await call(real.url, 'DescribeTasks', { cluster: 'burst', tasks: arns });
    if (left.tasks.every((t) => t.lastStatus === 'STOPPED')) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  // The same 50 tasks through a service: the scheduler's own overhead on top of the runtime's.
  await call(real.url, 'CreateCluster', { clusterName: 'svc' });
  await call(real.url, 'RegisterTaskDefinition', {
    family: 'svc',
    containerDefinitions: [{ name: 'c', image, memory: 16, command: ['sleep', '3600'], stopTimeout: 1 }],
  });
  const s0 = performance.now();
  await call(real.url, 'CreateService', {
    cluster: 'svc',
    serviceName: 'fifty',
    taskDefinition: 'svc',
    desiredCount: 50,
  });
  for (;;) {
    const svc = (await call(real.url, 'DescribeServices', { cluster: 'svc', services: ['fifty'] })).services[0];
    if (svc.runningCount === 50) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const serviceRunning = performance.now() - s0;
  const svcContainers = await docker.listContainers({
    filters: { label: ['com.amazonaws.ecs.cluster=arn:aws:ecs:us-east-1:000000000000:cluster/svc'] },
  });
  if (svcContainers.length !== 50) throw new Error(`expected 50 service containers, found ${svcContainers.length}`);
  console.log(
    `service: desiredCount 50 → runningCount 50 in ${serviceRunning.toFixed(0)} ms (burst of RunTask: ${allRunning.toFixed(0)} ms)`,
  );
  rows.push({
    figure: 'CreateService desiredCount 50 → runningCount 50 (real containers)',
    unit: 'ms',
    median: serviceRunning,
    baseline: allRunning,
    ratio: serviceRunning / allRunning,
    target: 'baseline: 50 concurrent RunTask above',
  });
  await call(real.url, 'DeleteService', { cluster: 'svc', service: 'fifty', force: true });
} finally {
  await real.stop();
}
record('scale', rows);
