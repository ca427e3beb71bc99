#!/usr/bin/env node
// Packs the CLI as one self-contained tarball, runnable with `npx ./dockside-<version>.tgz`: the
// esbuild bundle (scripts/bundle.mjs: one cli.js with every plugin and dependency inside, plus the
// AWS models), with no dependencies, so installing it fetches and builds nothing. Run after
// `pnpm build` (the root `pnpm pack:cli` does both). Prints the tarball's path.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const appDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const out = path.resolve(process.argv[2] ?? appDir);
const bundle = execFileSync(process.execPath, [path.join(appDir, 'scripts', 'bundle.mjs')], {
  stdio: ['ignore', 'pipe', 'inherit'],
  encoding: 'utf8',
})
  .trim()
  .split('\n')
  .pop();
const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], {
  cwd: bundle,
  stdio: ['ignore', 'pipe', 'inherit'],
  encoding: 'utf8',
})
  .trim()
  .split('\n')
  .pop();
console.log(path.join(out, name));
