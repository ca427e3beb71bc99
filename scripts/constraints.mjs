#!/usr/bin/env node
// Regenerates the committed constraint tables (packages/<plugin>/constraints/<service>.json)
// from botocore's service models: `pnpm constraints`. Needs a Python with botocore (the AWS CLI
// or boto3 brings it; BOTOCORE_DATA=<…/botocore/data> points elsewhere). A build reads only the
// committed tables. Bump botocore, rerun, and review the diff.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const TABLES = [
  { service: 'ecs', version: '2014-11-13', out: 'packages/ecs/constraints/ecs.json' },
  { service: 'logs', version: '2014-03-28', out: 'packages/logs/constraints/logs.json' },
  { service: 'secretsmanager', version: '2017-10-17', out: 'packages/secrets/constraints/secretsmanager.json' },
  { service: 'ssm', version: '2014-11-06', out: 'packages/secrets/constraints/ssm.json' },
  { service: 'elbv2', version: '2015-12-01', out: 'packages/elbv2/constraints/elbv2.json' },
  { service: 'ecr', version: '2015-09-21', out: 'packages/ecr-registry/constraints/ecr.json' },
  { service: 'events', version: '2015-10-07', out: 'packages/eventbridge/constraints/eventbridge.json' },
  { service: 'scheduler', version: '2021-06-30', out: 'packages/eventbridge/constraints/scheduler.json' },
];

function botocore() {
  if (process.env.BOTOCORE_DATA)
    return { data: process.env.BOTOCORE_DATA, version: process.env.BOTOCORE_VERSION ?? 'unknown' };
  for (const py of [
    process.env.BENCH_PYTHON,
    'python3',
    path.join(process.env.HOME ?? '', '.pyenv/shims/python3'),
  ].filter(Boolean)) {
    try {
      const [version, dir] = execFileSync(
        py,
        ['-c', 'import botocore, os; print(botocore.__version__); print(os.path.dirname(botocore.__file__))'],
        { encoding: 'utf8' },
      )
        .trim()
        .split('\n');
      return { data: path.join(dir, 'data'), version };
    } catch {
      // try the next python
    }
  }
  throw new Error('no botocore found: install the AWS CLI or boto3, or set BOTOCORE_DATA');
}

const { data, version } = botocore();
const tool = path.join(root, 'packages/core/dist/model/constraints.js');
for (const t of TABLES) {
  const dir = path.join(data, t.service, t.version);
  const file = ['service-2.json.gz', 'service-2.json'].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!file) throw new Error(`botocore ${version} has no ${t.service}/${t.version}`);
  const source = `botocore ${version} data/${t.service}/${t.version}/${path.basename(file)}`;
  execFileSync(process.execPath, [tool, file, path.join(root, t.out), source], { stdio: 'inherit' });
}
