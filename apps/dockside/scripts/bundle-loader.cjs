#!/usr/bin/env node
// The packed CLI's entry: runs the bundle (dockside.js) through V8's code cache. Compiling the
// 1.5 MB bundle is a third of a start; with the cache a start skips it (bench/startup.mjs
// measures both). The cache is written beside the bundle, in a folder only its installer owns,
// a moment after the first start, and used while Node's version and the bundle are unchanged.
// DOCKSIDE_COMPILE_CACHE=off disables it; a folder that cannot be written means no cache.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

// The bundle's content hash, written in by scripts/bundle.mjs: a cache made from other code is
// never used (V8 itself only checks the source's length).
const BUNDLE_ID = 'BUNDLE_ID';
const file = path.join(__dirname, 'dockside.js');
const source = fs.readFileSync(file, 'utf8');
const useCache = process.env.DOCKSIDE_COMPILE_CACHE !== 'off';
const cacheFile = path.join(__dirname, '.cache', `${process.version}-${process.arch}-${BUNDLE_ID}.bin`);
let cachedData;
if (useCache) {
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // first start, or no cache yet
  }
}
const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
const bundle = new Module(file, module);
bundle.filename = file;
bundle.paths = module.paths;
script.runInThisContext().call(bundle.exports, bundle.exports, Module.createRequire(file), bundle, file, __dirname);

if (useCache && (!cachedData || script.cachedDataRejected)) {
  // After start-up, so the functions a start runs are compiled and land in the cache too.
  setTimeout(() => {
    try {
      fs.mkdirSync(path.dirname(cacheFile), { recursive: true, mode: 0o700 });
      const tmp = `${cacheFile}.${process.pid}`;
      fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
      fs.renameSync(tmp, cacheFile);
    } catch {
      // a read-only install: start without a cache
    }
  }, 1000).unref();
}
