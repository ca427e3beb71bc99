// `pnpm bench`: runs every benchmark script under bench/ in turn (each records its own rows).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { benchDir, cpuSampler } from './lib.mjs';

/**
 * Waits (up to 2 minutes) until the machine has been nearly idle for two seconds running: the
 * engine goes on removing a burst's containers after the script that made them exits, and the
 * next script's figures (start-up above all) took that load: 2.59x bare node in a full run
 * against 2.25x with the same commit on a quiet machine.
 */
async function quiet() {
  const until = Date.now() + 120_000;
  let calm = 0;
  while (calm < 2 && Date.now() < until) {
    const s = cpuSampler({});
    await new Promise((r) => setTimeout(r, 1000));
    calm = s.stop().busy < 0.1 ? calm + 1 : 0;
  }
}

const only = process.argv.slice(2);
const scripts = fs
  .readdirSync(benchDir)
  .filter((f) => f.endsWith('.mjs') && !['lib.mjs', 'run.mjs'].includes(f))
  .filter((f) => !only.length || only.includes(path.basename(f, '.mjs')))
  .sort();
let failed = 0;
for (const s of scripts) {
  await quiet();
  console.log(`== ${s}`);
  const r = spawnSync(process.execPath, [path.join(benchDir, s)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
console.log(`bench: ${scripts.length - failed} of ${scripts.length} benchmarks ran; see bench/RESULTS.md`);
process.exit(failed ? 1 : 0);
