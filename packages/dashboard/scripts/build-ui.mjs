#!/usr/bin/env node
// Builds the page into dist/ui/ at build time: one minified script (Preact + htm + the views,
// esbuild), its stylesheet and index.html. No CDN, nothing fetched at run time: works offline.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const pkgDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const src = path.join(pkgDir, 'src', 'ui');
const out = path.join(pkgDir, 'dist', 'ui');
const esbuild = createRequire(path.join(pkgDir, 'package.json'))('esbuild');

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
await esbuild.build({
  entryPoints: [path.join(src, 'app.ts')],
  outfile: path.join(out, 'app.js'),
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  legalComments: 'none',
  logLevel: 'warning',
});
await esbuild.build({
  entryPoints: [path.join(src, 'app.css')],
  outfile: path.join(out, 'app.css'),
  minify: true,
  logLevel: 'warning',
});
fs.copyFileSync(path.join(src, 'index.html'), path.join(out, 'index.html'));
