#!/usr/bin/env node
// Packs the CLI as one self-contained tarball, runnable with `npx ./dockside-<version>.tgz`:
// the workspace packages it needs and all their dependencies are bundled inside, so installing
// it fetches nothing. Run after `pnpm build` (the root `pnpm pack:cli` does both).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const appDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const root = path.resolve(appDir, '..', '..');
const out = path.resolve(process.argv[2] ?? appDir);
const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-pack-'));
const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

try {
  const tgz = path.join(stage, 'tgz');
  fs.mkdirSync(tgz);
  // pnpm pack turns workspace:* into real versions.
  // Every workspace package the app depends on (@dockside/x lives in packages/x), then the app.
  const appPkg = JSON.parse(fs.readFileSync(path.join(root, 'apps/dockside/package.json'), 'utf8'));
  const plugins = Object.keys(appPkg.dependencies).filter((n) => n.startsWith('@dockside/'));
  for (const n of plugins)
    run('pnpm', ['pack', '--pack-destination', tgz], path.join(root, 'packages', n.slice('@dockside/'.length)));
  run('pnpm', ['pack', '--pack-destination', tgz], path.join(root, 'apps/dockside'));
  const files = fs.readdirSync(tgz);
  const find = (prefix) =>
    path.join(
      tgz,
      files.find((f) => f.startsWith(prefix)),
    );
  const app = path.join(stage, 'app');
  fs.mkdirSync(app);
  run('tar', ['-xzf', find('dockside-0') ?? find('dockside-'), '-C', app, '--strip-components=1'], stage);

  const pkgFile = path.join(app, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  const workspace = Object.fromEntries(plugins.map((n) => [n, find(`dockside-${n.slice('@dockside/'.length)}-`)]));
  const released = { ...pkg.dependencies };
  // Install from the local tarballs (also where @dockside/ecs asks for @dockside/core).
  pkg.dependencies = {
    ...pkg.dependencies,
    ...Object.fromEntries(Object.entries(workspace).map(([n, f]) => [n, `file:${f}`])),
  };
  pkg.overrides = Object.fromEntries(Object.entries(workspace).map(([n, f]) => [n, `file:${f}`]));
  delete pkg.devDependencies;
  fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
  run(
    'npm',
    ['install', '--omit=dev', '--ignore-scripts', '--install-links', '--no-audit', '--no-fund', '--loglevel=error'],
    app,
  );

  // Publishable again: plain versions, everything bundled.
  pkg.dependencies = released;
  delete pkg.overrides;
  pkg.bundleDependencies = true;
  fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
  fs.rmSync(path.join(app, 'package-lock.json'), { force: true });
  const name = run('npm', ['pack', '--silent', '--pack-destination', out], app).trim().split('\n').pop();
  console.log(path.join(out, name));
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}
