/** The real `dockside` binary: banner, flags, env, the AWS SDK against it, clean shutdown. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateClusterCommand, DescribeClustersCommand, ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { awsCliAvailable, waitFor } from '@dockside/testing';

import { run, runToEnd } from './run-cli';

const sdk = (url: string, region = 'us-east-1') =>
  new ECSClient({
    endpoint: url,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });

test('banner, SDK round trip, SIGTERM exits 0', async () => {
  const d = await run(['--port', '0', '--services', 'ecs']);
  try {
    expect(d.stdout()).toMatch(
      /^Dockside \d+\.\d+\.\d+ ready on http:\/\/127\.0\.0\.1:\d+ in \d+ ms\n {2}services: ecs\n/,
    );
    const c = sdk(d.url);
    await c.send(new CreateClusterCommand({ clusterName: 'cli' }));
    const out = await c.send(new DescribeClustersCommand({ clusters: ['cli', 'missing'] }));
    expect(out.clusters?.[0].clusterName).toBe('cli');
    expect(out.failures?.[0].reason).toBe('MISSING');
    const garbage = await fetch(d.url, {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters' },
      body: '{{',
    });
    expect((await garbage.json()).__type).toBe('SerializationException');
    expect((await c.send(new ListClustersCommand({}))).clusterArns).toHaveLength(1);
  } finally {
    d.child.kill('SIGTERM');
  }
  expect(await d.exited).toBe(0);
});

test('env vars configure it; --account-id and --region set the defaults', async () => {
  const d = await run([], {
    DOCKSIDE_PORT: '0',
    DOCKSIDE_REGION: 'eu-central-1',
    DOCKSIDE_ACCOUNT_ID: '123412341234',
    DOCKSIDE_LOG_LEVEL: 'warn',
  });
  try {
    expect(d.stdout()).toContain('region eu-central-1, default account 123412341234');
    const res = await fetch(d.url, {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.CreateCluster' },
      body: '{"clusterName":"e"}',
    });
    expect((await res.json()).cluster.clusterArn).toBe('arn:aws:ecs:eu-central-1:123412341234:cluster/e');
  } finally {
    d.child.kill('SIGINT');
  }
  expect(await d.exited).toBe(0);
});

test('--data-dir keeps clusters across restarts', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-cli-'));
  try {
    const a = await run(['--port', '0', '--data-dir', dir]);
    await sdk(a.url).send(new CreateClusterCommand({ clusterName: 'kept' }));
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    const b = await run(['--port', '0', '--data-dir', dir]);
    try {
      expect((await sdk(b.url).send(new ListClustersCommand({}))).clusterArns).toEqual([
        'arn:aws:ecs:us-east-1:000000000000:cluster/kept',
      ]);
    } finally {
      b.child.kill('SIGTERM');
      await b.exited;
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('--help, --version, usage errors and unknown services', async () => {
  const help = await runToEnd(['--help']);
  expect(help.code).toBe(0);
  expect(help.out).toContain('DOCKSIDE_DATA_DIR');
  const version = await runToEnd(['--version']);
  expect(version.out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  const bad = await runToEnd(['--port', 'nope']);
  expect(bad.code).toBe(2);
  expect(bad.err).toContain('--port must be 0-65535');
  const unknown = await runToEnd(['--services', 'ecs,lambda']);
  expect(unknown.code).toBe(2);
  expect(unknown.err).toContain("unknown service 'lambda'");
});

test('a port in use is reported, not a crash trace', async () => {
  const a = await run(['--port', '0']);
  try {
    const port = new URL(a.url).port;
    const b = await runToEnd(['--port', port]);
    expect(b.code).toBe(1);
    expect(b.err).toContain(`cannot listen on 127.0.0.1:${port}`);
  } finally {
    a.child.kill('SIGTERM');
    await a.exited;
  }
});

// CI always runs this (.ci/run installs the AWS CLI); elsewhere it skips without `aws`.
(awsCliAvailable() || process.env.CI ? test : test.skip)('the AWS CLI drives the gateway', async () => {
  const { execFileSync } = await import('node:child_process');
  const d = await run(['--port', '0']);
  const aws = (...args: string[]) =>
    JSON.parse(
      execFileSync('aws', ['--endpoint-url', d.url, '--region', 'us-east-1', '--output', 'json', ...args], {
        env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PAGER: '' },
        encoding: 'utf8',
      }),
    );
  try {
    expect(aws('ecs', 'create-cluster', '--cluster-name', 'x').cluster.clusterArn).toBe(
      'arn:aws:ecs:us-east-1:000000000000:cluster/x',
    );
    const described = aws('ecs', 'describe-clusters', '--clusters', 'x', 'missing');
    expect(described.clusters.map((c: { clusterName: string }) => c.clusterName)).toEqual(['x']);
    expect(described.failures).toEqual([
      { arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/missing', reason: 'MISSING' },
    ]);
    expect(aws('ecs', 'list-clusters').clusterArns).toEqual(['arn:aws:ecs:us-east-1:000000000000:cluster/x']);
  } finally {
    d.child.kill('SIGTERM');
    await d.exited;
  }
});

test('a leading -- (as `pnpm start -- --port N` hands it to the CLI) is accepted', async () => {
  // pnpm 9+ passes the `--` on to the script, so the CLI sees exactly these arguments. (Running
  // `pnpm start` itself here would rebuild the workspace under the other test files.)
  const d = await run(['--', '--port', '0', '--services', 'ecs', '--log-level', 'silent']);
  try {
    expect(d.stdout()).toMatch(/services: ecs\n/);
    const out = await sdk(d.url).send(new ListClustersCommand({}));
    expect(out.clusterArns).toEqual([]);
  } finally {
    d.child.kill('SIGTERM');
    await d.exited;
  }
});

test('--idle-gc-seconds: collections come in quiet spells after the heap grew, and stop while it stays idle', async () => {
  const d = await run(['--port', '0', '--services', 'logs', '--log-level', 'debug', '--idle-gc-seconds', '0.5']);
  const collections = () =>
    d
      .stderr()
      .split('\n')
      .filter((l) => l.includes('idle: full garbage collection'));
  try {
    // Start-up's own garbage goes in the first quiet spell (tried again, at most three times,
    // while V8 keeps its young generation grown).
    await waitFor(() => collections().length >= 1, { what: 'the first idle collection' });
    await new Promise((r) => setTimeout(r, 2500));
    const settled = collections().length;
    expect(settled).toBeLessThanOrEqual(3);
    // Idle for five more quiet windows: nothing grew, so nothing more runs.
    await new Promise((r) => setTimeout(r, 2500));
    expect(collections()).toHaveLength(settled);
    // 8 MiB of stored log events grow the heap; the next quiet spell collects again.
    const logs = new CloudWatchLogsClient({
      endpoint: d.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await logs.send(new CreateLogGroupCommand({ logGroupName: 'g' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: 'g', logStreamName: 's' }));
    for (let i = 0; i < 8; i++)
      await logs.send(
        new PutLogEventsCommand({
          logGroupName: 'g',
          logStreamName: 's',
          logEvents: Array.from({ length: 100 }, (_, j) => ({
            timestamp: Date.now(),
            message: `${i}-${j} ${'x'.repeat(10_000)}`,
          })),
        }),
      );
    await waitFor(() => collections().length > settled, { what: 'a collection after the burst' });
    // What V8 gives back depends on its own allocation-rate window (the default 6 s of quiet
    // clears it); the log says what the collection found and left.
    expect(JSON.parse(collections()[settled])).toMatchObject({
      heapBeforeMiB: expect.any(Number),
      heapAfterMiB: expect.any(Number),
      youngAfterMiB: expect.any(Number),
      ms: expect.any(Number),
    });
  } finally {
    d.child.kill('SIGTERM');
  }
  expect(await d.exited).toBe(0);
});
