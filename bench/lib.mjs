// Shared helpers for benchmarks: statistics, machine facts, and the results files.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as http from 'node:http';
import * as net from 'node:net';

export const benchDir = path.dirname(new URL(import.meta.url).pathname);
export const repoRoot = path.dirname(benchDir);

export function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, median: q(0.5), min: s[0], max: s[s.length - 1], p99: q(0.99) };
}

export function machine() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

export function commit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** A JSON-protocol POST with node:http (no fetch start-up cost in the measurement). */
export function awsJson(url, target, body = {}, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      // A connection of its own: a kept-alive one may have been closed by the server meanwhile.
      {
        method: 'POST',
        agent: false,
        headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1', ...headers },
      },
      (res) => {
        let data = '';
        res.on('data', (d) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode, body: data }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Merges one benchmark's results into bench/results/latest.json and rewrites bench/RESULTS.md. */
export function record(name, rows) {
  const file = path.join(benchDir, 'results', 'latest.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const all = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : { benchmarks: {} };
  all.machine = machine();
  all.date = new Date().toISOString();
  all.commit = commit();
  all.benchmarks[name] = rows;
  all.commits = { ...all.commits, [name]: { commit: all.commit, date: all.date } };
  fs.writeFileSync(file, JSON.stringify(all, null, 2) + '\n');
  writeMarkdown(all);
}

const fmt = (v, unit) =>
  v === undefined || v === null || (typeof v === 'number' && !Number.isFinite(v))
    ? '–'
    : typeof v === 'number'
      ? `${Number(v.toFixed(v < 10 ? 2 : 1))} ${unit}`
      : String(v);

export function writeMarkdown(all) {
  const lines = [
    '# Benchmark results',
    '',
    `Machine: ${all.machine.cpus} × ${all.machine.cpuModel}, ${all.machine.memGiB} GiB, Node ${all.machine.node}, ${all.machine.platform}  `,
    `Last run: ${all.date} at ${all.commit}  `,
    `Per benchmark: ${Object.keys(all.benchmarks)
      .map((n) => `${n} ${all.commits?.[n]?.commit ?? 'unknown'} (${(all.commits?.[n]?.date ?? '').slice(0, 16)})`)
      .join(', ')}`,
    '',
    'Written by `pnpm bench` (bench/run.mjs). Ratios compare against a baseline measured in the same script run.',
    '',
    '| benchmark | figure | median | min–max | baseline | ratio | target |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const [name, rows] of Object.entries(all.benchmarks)) {
    for (const r of rows) {
      const spread = r.min !== undefined ? `${fmt(r.min, r.unit)} – ${fmt(r.max, r.unit)}` : '–';
      const baseline =
        r.baseline === undefined ? '–' : typeof r.baseline === 'string' ? r.baseline : fmt(r.baseline, r.unit);
      const ratio = typeof r.ratio === 'number' && Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}×` : '–';
      lines.push(
        `| ${name} | ${r.figure} | ${fmt(r.median, r.unit)} | ${spread} | ${baseline} | ${ratio} | ${r.target ?? '–'} |`,
      );
    }
  }
  fs.writeFileSync(path.join(benchDir, 'RESULTS.md'), lines.join('\n') + '\n');
}

/** Starts the CLI as a child process on a free port; resolves with its URL and pid. */
/** The workspace build of the CLI (dist/, what `pnpm start` runs). */
export const workspaceCli = path.join(repoRoot, 'apps', 'dockside', 'dist', 'cli.js');

let packed;
/** The packed CLI (one esbuild file, what npx users run), built once per process. */
export function packedCli() {
  packed ??= path.join(
    execFileSync(process.execPath, [path.join(repoRoot, 'apps', 'dockside', 'scripts', 'bundle.mjs')], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop(),
    'cli.js',
  );
  return packed;
}

export function startCli(args = [], env = {}, cli = workspaceCli) {
  return new Promise((resolve, reject) => {
    // BENCH_PROFILE_DIR=… writes a CPU profile of the gateway there (for finding a miss's cause).
    const prof = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
    if (process.env.BENCH_NODE_ARGS) prof.push(...process.env.BENCH_NODE_ARGS.split(' '));
    const child = spawn(process.execPath, [...prof, cli, '--port', '0', '--log-level', 'error', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    if (process.env.BENCH_CHILD_LOG) child.stdout.pipe(fs.createWriteStream(process.env.BENCH_CHILD_LOG));
    child.stdout.on('data', (d) => {
      out += d;
      const m = /ready on (http:\/\/\S+) in/.exec(out);
      if (m)
        resolve({
          url: m[1],
          pid: child.pid,
          stop: () =>
            new Promise((r) => {
              child.once('exit', r);
              child.kill('SIGTERM');
            }),
        });
    });
    child.once('exit', (code) => reject(new Error(`dockside exited ${code}: ${out}`)));
  });
}

/** Resident memory of a process, MiB (VmRSS). */
export function rssMiB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

/** A static SigV4 Authorization header (Dockside and moto read the scope; neither checks the signature). */
export const sigv4 = (service, region = 'us-east-1') =>
  `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261128/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=${'0'.repeat(64)}`;

export const freePort = () =>
  new Promise((r) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => r(p));
    });
  });

/** The first Python with moto's server: BENCH_PYTHON, then python3 on PATH, then pyenv's (npx puts
 * node's own folder, often /usr/bin, ahead of pyenv on PATH). */
export function pythonWithMoto() {
  const candidates = [
    process.env.BENCH_PYTHON,
    'python3',
    path.join(os.homedir(), '.pyenv', 'shims', 'python3'),
    '/usr/local/bin/python3',
  ].filter(Boolean);
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

export async function startMoto() {
  const python = pythonWithMoto();
  if (!python) return undefined;
  const port = await freePort();
  const child = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${url}/moto-api/`);
      return {
        url,
        stop: () =>
          new Promise((r) => {
            child.once('exit', r);
            child.kill('SIGTERM');
          }),
      };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill('SIGKILL');
  return undefined;
}

/**
 * Closed-loop load from wrk (it reconnects, so HTTP/1.0 servers like moto's are measured fairly).
 * A JSON-protocol call by default; `target: null` with a string body is a query-protocol call.
 */
export function load(url, target, service, body, connections, seconds) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-wrk-'));
  const script = path.join(dir, 'post.lua');
  const headers = target
    ? { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1', authorization: sigv4(service) }
    : { 'content-type': 'application/x-www-form-urlencoded', authorization: sigv4(service) };
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  fs.writeFileSync(
    script,
    `wrk.method = "POST"\nwrk.body = ${JSON.stringify(text)}\n` +
      Object.entries(headers)
        .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`)
        .join('\n') +
      `\nresponse = function(status) if status ~= 200 then io.stderr:write("status " .. status .. "\\n") end end\n`,
  );
  try {
    return wrk(url, connections, seconds, ['-s', script], target ?? text.slice(0, 60));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Closed-loop GET load from wrk: requests/s, p50 and p99 (ms). Non-2xx answers are an error. */
export function wrk(url, connections, seconds, extra = [], what = url) {
  const out = execFileSync(
    'wrk',
    [
      '-t',
      String(Math.min(2, connections)),
      '-c',
      String(connections),
      '-d',
      `${seconds}s`,
      '--latency',
      ...extra,
      url,
    ],
    { encoding: 'utf8' },
  );
  const ms = (label) => {
    const m = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
    if (!m) return undefined;
    return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]];
  };
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]);
  if (/Non-2xx/.test(out)) throw new Error(`${what}: non-2xx answers\n${out}`);
  return { rps, p50: ms(50), p99: ms(99) };
}

/**
 * The physical floor for an API call: a bare Node `http` server in its own process, answering
 * every request with `body` (the bytes Dockside answered the same call with) and its headers.
 */
export function startBareServer(body, headers) {
  const code = `
    const http = require('node:http');
    const body = Buffer.from(${JSON.stringify(Buffer.from(body).toString('base64'))}, 'base64');
    const headers = ${JSON.stringify(headers)};
    const s = http.createServer((req, res) => {
      req.on('data', () => {});
      req.on('end', () => { res.writeHead(200, { ...headers, 'content-length': body.length }); res.end(body); });
    });
    s.keepAliveTimeout = 65000;
    s.listen(0, '127.0.0.1', () => console.log('port ' + s.address().port));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (d) => {
      const m = /port (\d+)/.exec(String(d));
      if (m)
        resolve({
          url: `http://127.0.0.1:${m[1]}`,
          stop: () =>
            new Promise((r) => {
              child.once('exit', r);
              child.kill('SIGTERM');
            }),
        });
    });
    child.once('exit', (code) => reject(new Error(`bare server exited ${code}`)));
  });
}

/**
 * Times one small AWS call (ECS DescribeClusters, through the real SDK) every `everyMs` from a
 * process of its own, so what the measuring script does meanwhile (parsing large pages, say)
 * is not counted against the gateway. `stop()` resolves with the latencies in ms.
 */
export function startApiProbe(url, everyMs = 10) {
  const code = `
    const { ECSClient, DescribeClustersCommand } = require('@aws-sdk/client-ecs');
    const ecs = new ECSClient({ endpoint: ${JSON.stringify(url)}, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const ms = [];
    let on = true;
    process.stdin.on('end', () => (on = false)).resume();
    (async () => {
      await ecs.send(new DescribeClustersCommand({}));
      console.log('ready');
      while (on) {
        const t = performance.now();
        await ecs.send(new DescribeClustersCommand({ clusters: ['default'] }));
        ms.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, ${everyMs}));
      }
      console.log(JSON.stringify(ms));
    })();`;
  const child = spawn(process.execPath, ['-e', code], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const ready = new Promise((resolve, reject) => {
    child.stdout.on('data', () => out.startsWith('ready') && resolve());
    child.once('exit', (c) => reject(new Error(`api probe exited ${c}`)));
  });
  return ready.then(() => ({
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve(JSON.parse(out.slice(out.indexOf('\n') + 1))));
        child.stdin.end();
      }),
  }));
}

/** CPU time (user + system, seconds) of a process so far, from /proc; 0 when it is gone. */
function cpuSecondsOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

const pidsOf = (name) => {
  try {
    return execFileSync('pgrep', ['-f', name], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

/**
 * Where the machine's CPU went between start and stop: how busy all cores were, and the CPU
 * seconds of named process groups (pids, or a pgrep pattern matched at start). For explaining a
 * latency figure: a burst during which every core is busy is queued on CPU, not in Dockside.
 */
export function cpuSampler(groups) {
  const machineTicks = () => {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + f[4];
    return { total: f.reduce((a, b) => a + b, 0), idle };
  };
  const resolved = Object.fromEntries(
    Object.entries(groups).map(([k, v]) => [k, typeof v === 'string' ? pidsOf(v) : [v].flat()]),
  );
  const sum = (pids) => pids.reduce((s, p) => s + cpuSecondsOf(p), 0);
  const t0 = machineTicks();
  const c0 = Object.fromEntries(Object.entries(resolved).map(([k, pids]) => [k, sum(pids)]));
  const w0 = performance.now();
  return {
    stop() {
      const t1 = machineTicks();
      const wall = (performance.now() - w0) / 1000;
      const busy = 1 - (t1.idle - t0.idle) / (t1.total - t0.total);
      const seconds = Object.fromEntries(Object.entries(resolved).map(([k, pids]) => [k, sum(pids) - c0[k]]));
      return { wall, busy, cores: os.cpus().length, seconds };
    },
  };
}
