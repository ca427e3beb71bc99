// ECR registry: `docker push` and `docker pull` of a ~100 MB image in several layers, Dockside's
// registry against Debian's `docker-registry` (CNCF distribution) in the same run, and the
// gateway's peak RSS during the push (it must stay flat: blobs stream to disk).
// Needs: a Docker engine, `docker-registry` (apt-get install docker-registry).
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { awsJson, record, repoRoot, startCli, stats } from './lib.mjs';

const RUNS = Number(process.env.BENCH_ECR_RUNS ?? 3);
const LAYERS = 4;
const LAYER_MB = 25;
const testing = await import(path.join(repoRoot, 'packages', 'testing', 'dist', 'index.js'));
await testing.ensureBusyboxImage();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-bench-ecr-'));
const env = { ...process.env, DOCKER_CONFIG: path.join(work, 'docker-config'), DOCKER_BUILDKIT: '0' };
const docker = (...args) => execFileSync('docker', args, { env, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });

// The image: busybox plus LAYERS layers of incompressible bytes.
const ctx = path.join(work, 'ctx');
fs.mkdirSync(ctx);
let dockerfile = `FROM ${testing.TEST_IMAGES.busybox}\n`;
for (let i = 0; i < LAYERS; i++) {
  fs.writeFileSync(path.join(ctx, `blob${i}`), randomBytes(LAYER_MB * 1024 * 1024));
  dockerfile += `COPY blob${i} /data/blob${i}\n`;
}
fs.writeFileSync(path.join(ctx, 'Dockerfile'), dockerfile);
const SOURCE = 'dockside-bench/ecr-push:latest';
docker('build', '-q', '-t', SOURCE, ctx);
const sizeMB = Number(docker('image', 'inspect', '--format', '{{.Size}}', SOURCE).trim()) / 1024 / 1024;

function timed(fn) {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** One push then pull (after removing the pushed name): their times in ms. */
function measureOnce(host, repo) {
  const ref = `${host}/${repo}:v1`;
  docker('tag', SOURCE, ref);
  const push = timed(() => docker('push', ref));
  docker('rmi', ref);
  const pull = timed(() => docker('pull', '-q', ref));
  docker('rmi', ref);
  return { push, pull };
}

/** Push then pull (after removing the pushed name) `RUNS` times; a fresh repository each run. */
function measure(host, repoFor) {
  const push = [];
  const pull = [];
  for (let i = 0; i < RUNS; i++) {
    const t = measureOnce(host, repoFor(i));
    push.push(t.push);
    pull.push(t.pull);
  }
  return { push: stats(push), pull: stats(pull) };
}

const rows = [];
const dockside = await startCli(['--services', 'ecr', '--ecr-port', '0']);
let distribution;
try {
  const registry = await (await fetch(`${dockside.url}/_dockside/ecr/registry`)).json();
  for (let i = 0; i < RUNS; i++)
    await awsJson(dockside.url, 'AmazonEC2ContainerRegistry_V20150921.CreateRepository', {
      repositoryName: `bench/r${i}`,
    });
  const token = JSON.parse(
    (await awsJson(dockside.url, 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken', {})).body,
  ).authorizationData[0].authorizationToken;
  const password = Buffer.from(token, 'base64').toString().slice(4);
  spawnSync('docker', ['login', '-u', 'AWS', '--password-stdin', registry.host], { env, input: password });
  const peakRss = () =>
    Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${dockside.pid}/status`, 'utf8'))[1]) / 1024;
  const rssIdle = peakRss();
  // One push and pull first: the registry's code paths, buffers and heap warm up once per process.
  // "Flat" means the peak does not grow with what moves through afterwards.
  await awsJson(dockside.url, 'AmazonEC2ContainerRegistry_V20150921.CreateRepository', {
    repositoryName: 'bench/warm',
  });
  measureOnce(registry.host, 'bench/warm');
  const rssBefore = peakRss();
  const d = measure(registry.host, (i) => `bench/r${i}`);
  const rssAfter = peakRss();
  distribution = await testing.startDistributionRegistry();
  const r = measure(distribution.url.replace('http://', ''), (i) => `bench/r${i}`);
  const mbps = (ms) => sizeMB / (ms / 1000);
  for (const op of ['push', 'pull']) {
    rows.push({
      figure: `docker ${op} of a ${sizeMB.toFixed(0)} MB image (${LAYERS + 1} layers): MB/s`,
      unit: 'MB/s',
      median: mbps(d[op].median),
      min: mbps(d[op].max),
      max: mbps(d[op].min),
      baseline: mbps(r[op].median),
      ratio: r[op].median / d[op].median,
      target: '≥ 0.8× docker-registry',
    });
  }
  rows.push({
    figure: `gateway peak RSS growth during ${RUNS} pushes and pulls of ${sizeMB.toFixed(0)} MB (after one warm-up; ${(rssBefore - rssIdle).toFixed(1)} MiB during it)`,
    unit: 'MiB',
    median: rssAfter - rssBefore,
    baseline: rssBefore,
    target: 'flat (blobs stream to disk)',
  });
  console.log(
    `push ${mbps(d.push.median).toFixed(1)} MB/s vs docker-registry ${mbps(r.push.median).toFixed(1)} MB/s; pull ${mbps(d.pull.median).toFixed(1)} vs ${mbps(r.pull.median).toFixed(1)} MB/s; peak RSS idle ${rssIdle.toFixed(1)}, after warm-up ${rssBefore.toFixed(1)}, after ${RUNS} more ${rssAfter.toFixed(1)} MiB`,
  );
} finally {
  await dockside.stop();
  await distribution?.close();
  try {
    docker('rmi', SOURCE);
  } catch {
    // already gone
  }
  fs.rmSync(work, { recursive: true, force: true });
}
record('ecr', rows);
