// The first way users meet Dockside: `npx -y --package ./dockside-<v>.tgz dockside`, from an empty
// npm cache (first start) and again with that cache (repeat), to the first answered ListClusters.
// Baseline, same run, same npx: a one-file package whose command prints the same banner and
// exits — what npx itself costs. Also what npx installed: bytes and files.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { awsJson, record, repoRoot, stats } from './lib.mjs';

const RUNS = Number(process.env.BENCH_NPX_RUNS ?? 3);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-bench-npx-'));

/** Seconds from `npx` to the first banner (and, for Dockside, its first answered request). */
function npx(tarball, bin, cache, ask) {
  const empty = fs.mkdtempSync(path.join(work, 'cwd-'));
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn('npx', ['-y', '--package', tarball, bin, '--port', '0', '--log-level', 'warn'], {
      cwd: empty,
      env: { ...process.env, npm_config_cache: cache, npm_config_update_notifier: 'false' },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    let out = '';
    let done = false;
    child.stdout.on('data', async (d) => {
      out += d;
      const m = /ready on (http:\/\/\S+) in/.exec(out);
      if (!m || done) return;
      done = true;
      if (ask) {
        const res = await awsJson(m[1], 'AmazonEC2ContainerServiceV20141113.ListClusters');
        if (res.status !== 200) reject(new Error(`ListClusters answered ${res.status}`));
      }
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      resolve(s);
    });
    child.on('exit', (code) => !done && reject(new Error(`npx exited ${code}: ${out}`)));
  });
}

function installedSize(cache) {
  const npxDir = path.join(cache, '_npx');
  const modules = fs
    .readdirSync(npxDir)
    .map((h) => path.join(npxDir, h, 'node_modules'))
    .find((m) => fs.existsSync(path.join(m, 'dockside')));
  const files = fs
    .readdirSync(modules, { recursive: true })
    .map((f) => path.join(modules, f))
    .filter((f) => fs.statSync(f).isFile());
  return { files: files.length, mib: files.reduce((n, f) => n + fs.statSync(f).size, 0) / 2 ** 20 };
}

try {
  const tarball = execFileSync(process.execPath, [path.join(repoRoot, 'apps/dockside/scripts/pack.mjs'), work], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop();
  // The baseline package: one file, the same banner, nothing to load.
  const hello = path.join(work, 'hello');
  fs.mkdirSync(hello);
  fs.writeFileSync(
    path.join(hello, 'package.json'),
    JSON.stringify({ name: 'hello-bench', version: '1.0.0', bin: { 'hello-bench': 'cli.js' } }),
  );
  fs.writeFileSync(
    path.join(hello, 'cli.js'),
    "#!/usr/bin/env node\nconsole.log('ready on http://127.0.0.1:1 in 0 ms');\nsetTimeout(() => {}, 60000);\n",
  );
  const helloTgz = path.join(
    work,
    execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: hello, encoding: 'utf8' }).trim(),
  );

  const first = [];
  const repeat = [];
  const baseFirst = [];
  const baseRepeat = [];
  let size;
  for (let i = 0; i < RUNS; i++) {
    const cache = fs.mkdtempSync(path.join(work, 'cache-'));
    first.push(await npx(tarball, 'dockside', cache, true));
    repeat.push(await npx(tarball, 'dockside', cache, true));
    size = installedSize(cache);
    const helloCache = fs.mkdtempSync(path.join(work, 'cache-'));
    baseFirst.push(await npx(helloTgz, 'hello-bench', helloCache, false));
    baseRepeat.push(await npx(helloTgz, 'hello-bench', helloCache, false));
  }
  const f = stats(first);
  const r = stats(repeat);
  const bf = stats(baseFirst);
  const br = stats(baseRepeat);
  const packedMiB = fs.statSync(tarball).size / 2 ** 20;
  record('npx', [
    {
      figure: 'npx start from an empty cache → first ListClusters',
      unit: 's',
      ...f,
      baseline: bf.median,
      ratio: f.median / bf.median,
      target: '< 10 s (baseline: npx of a one-file package)',
    },
    {
      figure: 'npx start again, cache warm → first ListClusters',
      unit: 's',
      ...r,
      baseline: br.median,
      ratio: r.median / br.median,
      target: '< 3 s',
    },
    { figure: 'installed by npx', unit: 'MiB', median: size.mib, target: '< 10 MB' },
    { figure: 'installed by npx', unit: 'files', median: size.files, target: '–' },
    { figure: 'tarball', unit: 'MiB', median: packedMiB, target: '–' },
  ]);
  console.log(
    `npx: first ${f.median.toFixed(2)} s (baseline ${bf.median.toFixed(2)} s), repeat ${r.median.toFixed(2)} s (baseline ${br.median.toFixed(2)} s), installed ${size.mib.toFixed(1)} MiB in ${size.files} files, tarball ${packedMiB.toFixed(1)} MiB`,
  );
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
