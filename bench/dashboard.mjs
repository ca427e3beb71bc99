// The dashboard: its page weight (gzipped, as a browser downloads it) and how long a cluster with
// 1,000 tasks takes to render in chromium, from navigation to the 1,000th task row on screen.
// Baseline, same run, same browser: a static page holding the same 1,000 rows as plain HTML.
// The tasks are made without an engine (DOCKER_HOST points nowhere: each stops TaskFailedToStart).
import * as fs from 'node:fs';
import * as http from 'node:http';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { awsJson, record, repoRoot, startCli, stats } from './lib.mjs';

const require = createRequire(`${repoRoot}/package.json`);
const { chromium } = require('playwright-core');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TASKS = 1000;
const RUNS = Number(process.env.BENCH_DASHBOARD_RUNS ?? 5);
const T = 'AmazonEC2ContainerServiceV20141113';

const ui = path.join(repoRoot, 'packages', 'dashboard', 'dist', 'ui');
const gz = (f) => gzipSync(fs.readFileSync(path.join(ui, f))).length / 1024;
const weight = { js: gz('app.js'), css: gz('app.css'), html: gz('index.html') };

if (!fs.existsSync(CHROMIUM)) {
  console.log(`dashboard: no chromium at ${CHROMIUM}; page weight only`);
  record('dashboard', [{ figure: 'page JavaScript, gzipped', unit: 'KiB', median: weight.js, target: '< 150 KiB' }]);
  process.exit(0);
}

const call = async (url, op, body) => {
  const res = await awsJson(url, `${T}.${op}`, body);
  if (res.status !== 200) throw new Error(`${op}: ${res.status} ${res.body.slice(0, 200)}`);
  return JSON.parse(res.body);
};

const d = await startCli(['--services', 'ecs,dashboard', '--ecs-instances', '10'], {
  DOCKER_HOST: 'unix:///nonexistent/docker.sock',
});
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
let staticServer;
try {
  await call(d.url, 'CreateCluster', { clusterName: 'big' });
  await call(d.url, 'RegisterTaskDefinition', {
    family: 'big',
    containerDefinitions: [{ name: 'c', image: 'busybox', memory: 32 }],
  });
  for (let made = 0; made < TASKS; made += 100) {
    await Promise.all(
      Array.from({ length: 10 }, () => call(d.url, 'RunTask', { cluster: 'big', taskDefinition: 'big', count: 10 })),
    );
  }
  // The same rows as static HTML, for the baseline.
  const state = await (await fetch(`${d.url}/_dockside/ui/api/state`)).json();
  const rows = state.tasks
    .map(
      (t) =>
        `<tr><td><a href="#">${t.taskArn.split('/').pop().slice(0, 12)}</a></td><td>${t.taskDefinitionArn.split('/').pop()}</td><td><span class="badge">${t.lastStatus}</span></td><td>${t.group}</td><td>${t.containers.map((c) => c.name).join(' ')}</td><td>${t.stopCode ?? ''} ${t.stoppedReason ?? ''}</td></tr>`,
    )
    .join('');
  const page = `<!doctype html><html><head><meta charset="utf-8"></head><body><table class="tasks"><tbody>${rows}</tbody></table></body></html>`;
  staticServer = http.createServer((_req, res) => res.end(page));
  await new Promise((r) => staticServer.listen(0, '127.0.0.1', r));
  const staticUrl = `http://127.0.0.1:${staticServer.address().port}/`;

  const tab = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  /** ms from navigation start to the page showing `n` task rows. */
  const render = async (url) => {
    await tab.goto('about:blank');
    await tab.goto(url, { waitUntil: 'commit' });
    // (Runs in the page.)
    // eslint-disable-next-line no-undef
    await tab.waitForFunction((n) => document.querySelectorAll('table.tasks tbody tr').length >= n, TASKS, {
      timeout: 60_000,
      polling: 'raf',
    });
    return tab.evaluate(() => performance.now());
  };
  await render(`${d.url}/_dockside/ui/`);
  await render(staticUrl);
  const ours = [];
  const base = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(await render(`${d.url}/_dockside/ui/`));
    base.push(await render(staticUrl));
  }
  const o = stats(ours);
  const b = stats(base);
  record('dashboard', [
    { figure: 'page JavaScript, gzipped', unit: 'KiB', median: weight.js, target: '< 150 KiB' },
    { figure: 'page CSS + HTML, gzipped', unit: 'KiB', median: weight.css + weight.html, target: '–' },
    {
      figure: `cluster with ${TASKS.toLocaleString('en')} tasks: navigation → every task row shown`,
      unit: 'ms',
      ...o,
      baseline: b.median,
      ratio: o.median / b.median,
      target: '< 1,000 ms (baseline: the same rows as static HTML)',
    },
  ]);
  console.log(
    `dashboard: JS ${weight.js.toFixed(1)} KiB gzipped; ${TASKS} tasks rendered in ${o.median.toFixed(0)} ms (static HTML ${b.median.toFixed(0)} ms)`,
  );
} finally {
  await browser.close();
  staticServer?.close();
  await d.stop();
}
