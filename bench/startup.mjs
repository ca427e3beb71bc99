// Start-up: CLI launch to the first successful ListClusters (all installed plugins), against
// launching bare `node -e ''` in the same run: the packed CLI (one esbuild file, what npx users
// run) and the workspace build (dist/, what `pnpm start` runs). Also the gateway's peak RSS.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { awsJson, packedCli, record, stats, workspaceCli } from './lib.mjs';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 20);
const bundledCli = packedCli();

function bareNode() {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve(Number(process.hrtime.bigint() - t0) / 1e6));
  });
}

function dockside(cli, env = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [cli, '--port', '0', '--log-level', 'warn'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
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
      // Idle: what it holds a second later, every plugin loaded (models load on first use).
      await new Promise((r) => setTimeout(r, 1000));
      const idleKiB = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
      child.kill('SIGTERM');
      child.on('exit', () => resolve({ ms, rssMiB: hwmKiB / 1024, idleMiB: idleKiB / 1024 }));
    });
    child.on('error', reject);
  });
}

/** Idle RSS of a bare Node http server listening on loopback (the floor for a server process). */
function bareServerIdleMiB() {
  const code = `require('node:http').createServer((q, s) => s.end()).listen(0, '127.0.0.1', () => setTimeout(() => {
    console.log(require('node:fs').readFileSync('/proc/self/status', 'utf8').match(/VmRSS:\\s+(\\d+)/)[1]);
    process.exit(0);
  }, 1200));`;
  return Number(execFileSync(process.execPath, ['-e', code], { encoding: 'utf8' }).trim()) / 1024;
}

// Warm the file cache for every path, then interleave runs so drift hits all alike.
await bareNode();
await dockside(bundledCli);
await dockside(workspaceCli);
const base = [];
const bundled = [];
const uncached = [];
const workspace = [];
for (let i = 0; i < RUNS; i++) {
  base.push(await bareNode());
  bundled.push(await dockside(bundledCli));
  uncached.push(await dockside(bundledCli, { DOCKSIDE_COMPILE_CACHE: 'off' }));
  workspace.push(await dockside(workspaceCli));
}
const b = stats(base);
const o = stats(bundled.map((r) => r.ms));
const w = stats(workspace.map((r) => r.ms));
const u = stats(uncached.map((r) => r.ms));
const peak = stats(bundled.map((r) => r.rssMiB));
const idle = stats(bundled.map((r) => r.idleMiB));
const bareIdle = stats(Array.from({ length: 5 }, bareServerIdleMiB));
const rows = [
  {
    figure: 'packed CLI (one bundled file, code cache warm) launch → first ListClusters, every plugin',
    unit: 'ms',
    ...o,
    baseline: b.median,
    ratio: o.median / b.median,
    target: '< 2.5× bare node',
  },
  {
    figure: 'packed CLI, first start (no code cache yet) → first ListClusters',
    unit: 'ms',
    ...u,
    baseline: b.median,
    ratio: u.median / b.median,
    target: '–',
  },
  {
    figure: 'workspace build (dist/, `pnpm start`) launch → first ListClusters',
    unit: 'ms',
    ...w,
    baseline: b.median,
    ratio: w.median / b.median,
    target: '–',
  },
  { figure: 'bare `node -e ""` launch', unit: 'ms', ...b },
  { figure: 'packed CLI: peak RSS after first request', unit: 'MiB', ...peak, target: '–' },
  {
    figure: 'packed CLI: idle RSS, every plugin loaded (baseline: an idle bare Node http server)',
    unit: 'MiB',
    ...idle,
    baseline: bareIdle.median,
    ratio: idle.median / bareIdle.median,
    target: '< 80 MiB',
  },
];
record('startup', rows);
console.log(
  `startup: packed ${o.median.toFixed(1)} ms (${(o.median / b.median).toFixed(2)}x), without code cache ${u.median.toFixed(1)} ms, workspace ${w.median.toFixed(1)} ms (${(w.median / b.median).toFixed(2)}x), bare node ${b.median.toFixed(1)} ms, idle RSS ${idle.median.toFixed(1)} MiB`,
);
