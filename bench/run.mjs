// `pnpm bench`: runs every benchmark script under bench/ in turn (each records its own rows).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { benchDir } from './lib.mjs';

const only = process.argv.slice(2);
const scripts = fs
  .readdirSync(benchDir)
  .filter((f) => f.endsWith('.mjs') && !['lib.mjs', 'run.mjs'].includes(f))
  .filter((f) => !only.length || only.includes(path.basename(f, '.mjs')))
  .sort();
let failed = 0;
for (const s of scripts) {
  console.log(`== ${s}`);
  const r = spawnSync(process.execPath, [path.join(benchDir, s)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
console.log(`bench: ${scripts.length - failed} of ${scripts.length} benchmarks ran; see bench/RESULTS.md`);
process.exit(failed ? 1 : 0);
