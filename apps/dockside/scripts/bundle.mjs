#!/usr/bin/env node
// Bundles the built CLI (dist/) and everything it runs into one folder, `bundle/`, which is what
// the packed tarball ships: `dockside.js` (the gateway, every plugin and their dependencies in one
// file) started by `cli.js` (bundle-loader.cjs), the plugins' AWS models and the dashboard's page beside it, and a
// package.json with no dependencies. Installing it
// fetches and builds nothing; starting it parses one file instead of resolving ~1,000 modules.
// Run after `pnpm build`; `pnpm pack:cli` does both and packs the result.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const appDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const root = path.resolve(appDir, '..', '..');
const out = path.join(appDir, 'bundle');
const esbuild = createRequire(path.join(appDir, 'package.json'))('esbuild');

const appPkg = JSON.parse(fs.readFileSync(path.join(appDir, 'package.json'), 'utf8'));
const workspace = Object.keys(appPkg.dependencies).filter((n) => n.startsWith('@dockside/'));
const distOf = (name) => path.join(root, 'packages', name.slice('@dockside/'.length), 'dist');

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out);

// Each plugin finds its files (models, the dashboard's page) as `path.join(__dirname, …)`. In one
// file __dirname is the bundle's folder for all of them, so each plugin's entry module gets its
// own folder instead: assets/<package>/, where its JSON files and `ui/` folder are copied.
const assetDirs = {
  name: 'asset-dirs',
  setup(build) {
    build.onLoad({ filter: /[\\/]packages[\\/][^\\/]+[\\/]dist[\\/]index\.js$/ }, (args) => {
      const pkg = path.basename(path.dirname(path.dirname(args.path)));
      const text = fs.readFileSync(args.path, 'utf8');
      if (!text.includes('__dirname')) return { contents: text, loader: 'js' };
      const dir = `require('node:path').join(__dirname, 'assets', ${JSON.stringify(pkg)})`;
      return { contents: text.replaceAll('__dirname', dir), loader: 'js' };
    });
  },
};

// Code the CLI never runs, left out (1.2 MB of the 2.7 MB a plain bundle has; each start parses it
// all): Docker over SSH (ssh2, via docker-modem), BuildKit sessions (gRPC and protobufjs, via
// dockerode), and iconv-lite's CJK and single-byte code pages (AWS clients send UTF-8; another
// charset gets body-parser's 415). A stub throws, naming what is missing, if ever called.
const LEFT_OUT = /^(ssh2|@grpc\/grpc-js|@grpc\/proto-loader|protobufjs)$|^\.\/(dbcs-data|sbcs-data-generated)$/;
const leaveOut = {
  name: 'leave-out',
  setup(build) {
    build.onResolve({ filter: LEFT_OUT }, (args) =>
      args.path.startsWith('./') && !/iconv-lite/.test(args.resolveDir)
        ? undefined
        : { path: args.path, namespace: 'left-out' },
    );
    build.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
      loader: 'js',
      contents: args.path.startsWith('./')
        ? 'module.exports = {};'
        : `const missing = () => { throw new Error(${JSON.stringify(`${args.path} is left out of the packed Dockside CLI`)}); };
module.exports = new Proxy({}, { get: (_t, k) => (k === '__esModule' ? false : missing) });`,
    }));
  },
};

await esbuild.build({
  entryPoints: { dockside: path.join(appDir, 'dist', 'cli.js') },
  outdir: out,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  // Native add-ons that their packages load inside try/catch and do without: ssh2's crypto and
  // cpu-features (SSH to a Docker host, never used here), ws's optional speed-ups.
  external: ['cpu-features', '*.node', 'bufferutil', 'utf-8-validate'],
  plugins: [assetDirs, leaveOut],
  legalComments: 'linked',
  logLevel: 'warning',
});

// dockside.js runs wrapped in a function by the loader, where a #! line is a syntax error.
const bundled = path.join(out, 'dockside.js');
fs.writeFileSync(bundled, fs.readFileSync(bundled, 'utf8').replace(/^#!.*\n/, ''));

// The command: a small loader that runs dockside.js through V8's code cache (bundle-loader.cjs).
const bundleId = createHash('sha256').update(fs.readFileSync(bundled)).digest('hex').slice(0, 16);
const loader = fs.readFileSync(path.join(appDir, 'scripts', 'bundle-loader.cjs'), 'utf8');
fs.writeFileSync(path.join(out, 'cli.js'), loader.replace("'BUNDLE_ID'", `'${bundleId}'`));
fs.chmodSync(path.join(out, 'cli.js'), 0o755);

for (const name of workspace) {
  const dist = distOf(name);
  const files = fs.readdirSync(dist).filter((f) => f.endsWith('.json') || f === 'ui');
  if (!files.length) continue;
  const dir = path.join(out, 'assets', path.basename(path.dirname(dist)));
  fs.mkdirSync(dir, { recursive: true });
  for (const f of files) fs.cpSync(path.join(dist, f), path.join(dir, f), { recursive: true });
}

// The packed CLI is a command only: programs embed the @dockside/* packages instead.
const { dependencies: _d, devDependencies: _dd, scripts: _s, types: _t, main: _m, ...rest } = appPkg;
fs.writeFileSync(
  path.join(out, 'package.json'),
  JSON.stringify(
    { ...rest, bin: { dockside: 'cli.js' }, files: ['cli.js', 'dockside.js', '*.txt', 'assets'] },
    null,
    2,
  ) + '\n',
);
for (const f of ['README.md', 'LICENSE'])
  if (fs.existsSync(path.join(appDir, f))) fs.copyFileSync(path.join(appDir, f), path.join(out, f));
console.log(out);
