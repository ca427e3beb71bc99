/**
 * The plugin scaffold, run as a contributor would, into a temp folder: the package it writes
 * builds, answers an operation through the real SDK client with NotImplemented naming it, and
 * its own e2e test passes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { createGateway, type DocksidePlugin } from '@dockside/core';

const root = path.resolve(__dirname, '..', '..', '..');
let tmp: string;
let pkg: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-scaffold-'));
  execFileSync(
    process.execPath,
    [
      path.join(root, 'scripts/new-plugin.mjs'),
      'lb-demo',
      '--sdk',
      '@aws-sdk/client-elastic-load-balancing-v2',
      '--dir',
      tmp,
    ],
    { encoding: 'utf8' },
  );
  pkg = path.join(tmp, 'lb-demo');
  // Outside the workspace, the package resolves @dockside/core and the SDK through the repo's modules.
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(pkg, 'node_modules'));
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: pkg, encoding: 'utf8' });
}, 120_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('the scaffold follows the conventions', () => {
  for (const f of [
    'src/index.ts',
    'src/options.ts',
    'src/contract.ts',
    'src/errors.ts',
    'src/state/types.ts',
    'src/operations/index.ts',
    'test/lb-demo.test.ts',
    'README.md',
  ]) {
    expect(fs.existsSync(path.join(pkg, f))).toBe(true);
  }
  expect(JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8'))).toMatchObject({
    name: '@dockside/lb-demo',
    dependencies: { '@dockside/core': 'workspace:*' },
  });
});

test('the built plugin answers every operation of the model with NotImplemented naming it, through the real SDK', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const factory = (require(path.join(pkg, 'dist/index.js')) as { default: () => DocksidePlugin }).default;
  const g = createGateway({ plugins: [factory()], logLevel: 'silent' });
  const { url } = await g.listen(0);
  try {
    const client = new ElasticLoadBalancingV2Client({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 1,
    });
    await expect(client.send(new DescribeLoadBalancersCommand({}))).rejects.toMatchObject({
      name: 'NotImplemented',
      message: expect.stringContaining('DescribeLoadBalancers'),
      $metadata: { httpStatusCode: 501 },
    });
  } finally {
    await g.close();
  }
});

test("the scaffolded package's own e2e test passes", () => {
  const config = {
    rootDir: pkg,
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    transform: {
      '^.+\\.(t|j)sx?$': [
        require.resolve('@swc/jest'),
        { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
      ],
    },
    moduleNameMapper: { '^@dockside/lb-demo$': '<rootDir>/dist/index.js' },
    testEnvironment: 'node',
  };
  const run = spawnSync(
    process.execPath,
    [require.resolve('jest/bin/jest'), '--config', JSON.stringify(config), '--ci'],
    { cwd: pkg, encoding: 'utf8' },
  );
  expect(run.stderr).toMatch(/Tests:\s+1 passed, 1 total/);
  expect(run.status).toBe(0);
});
