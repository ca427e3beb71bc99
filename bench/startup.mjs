// Start-up: CLI launch to the first successful ListClusters (all installed plugins), against
// launching bare `node -e ''` in the same run. Also the gateway's peak RSS once idle.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { awsJson, record, repoRoot, stats } from './lib.mjs';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 20);
const cli = path.join(repoRoot, 'apps', 'dockside', 'dist', 'cli.js');

function bareNode() {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve(Number(process.hrtime.bigint() - t0) / 1e6));
  });
}

function dockside() {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [cli, '--port', '0', '--log-level', 'warn'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', async (d) => {
      out += d;
      const m = /ready on (http:\/\/\S+) in/.exec(out);
      if (!m || child.measured) return;
      child.measured = true;
      const res = await awsJson(m[1], 'AmazonEC2ContainerServiceV20141113.ListClusters');
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (res.status !== 200) return reject(new Error(`ListClusters answered ${res.status}`));
      // Peak resident memory so far (VmHWM), after serving the first request and idling briefly.
      await new Promise((r) => setTimeout(r, 200));
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const hwmKiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      child.kill('SIGTERM');
      child.on('exit', () => resolve({ ms, rssMiB: hwmKiB / 1024 }));
    });
    child.on('error', reject);
  });
}

// Warm the file cache for both paths, then interleave runs so drift hits both alike.
await bareNode();
await dockside();
const base = [];
const ours = [];
const rss = [];
for (let i = 0; i < RUNS; i++) {
  base.push(await bareNode());
  const r = await dockside();
  ours.push(r.ms);
  rss.push(r.rssMiB);
}
const b = stats(base);
const o = stats(ours);
const m = stats(rss);
const rows = [
  {
    figure: 'CLI launch → first ListClusters',
    unit: 'ms',
    ...o,
    baseline: b.median,
    ratio: o.median / b.median,
    target: '< 300 ms, < 4× bare node',
  },
  { figure: 'bare `node -e ""` launch', unit: 'ms', ...b },
  { figure: 'peak RSS after first request', unit: 'MiB', ...m, target: '–' },
];
record('startup', rows);
console.log(
  `startup: median ${o.median.toFixed(1)} ms (min ${o.min.toFixed(1)}, max ${o.max.toFixed(1)}), bare node ${b.median.toFixed(1)} ms, ratio ${(o.median / b.median).toFixed(2)}x, peak RSS ${m.median.toFixed(1)} MiB`,
);
