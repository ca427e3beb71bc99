/** Plugin host: boot-time checks, lifecycle order, mounting in another app, health and reset. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import express from 'express';
import { DocksideError, Store, createGateway, type DocksidePlugin } from '@dockside/core';
import { ecsTestProtocol } from './fixtures';

const silent = { logLevel: 'silent' };

function plugin(
  name: string,
  extra: Partial<DocksidePlugin> = {},
  prefix = 'AmazonEC2ContainerServiceV20141113',
  signingName = 'ecs',
): DocksidePlugin {
  return {
    name,
    protocols: [ecsTestProtocol({ signingName, targetPrefix: prefix, validationErrorCode: undefined })],
    operations: {},
    ...extra,
  };
}

const bootError = (f: () => unknown): DocksideError => {
  try {
    f();
  } catch (e) {
    return e as DocksideError;
  }
  throw new Error('expected a boot error');
};

describe('boot-time checks fail fast with coded errors', () => {
  test('duplicate plugin', () => {
    const e = bootError(() => createGateway({ ...silent, plugins: [plugin('a'), plugin('a', {}, 'Other', 'other')] }));
    expect(e).toBeInstanceOf(DocksideError);
    expect(e.code).toBe('DOCKSIDE_DUPLICATE_PLUGIN');
    expect(e.message).toContain("plugin 'a' is registered twice");
  });
  test('two plugins claiming one service', () => {
    const e = bootError(() => createGateway({ ...silent, plugins: [plugin('a'), plugin('b')] }));
    expect(e.code).toBe('DOCKSIDE_DUPLICATE_PROTOCOL');
    expect(e.message).toContain("service 'ecs' is served by both 'a' and 'b'");
  });
  test('a JSON protocol with no target prefix', () => {
    const e = bootError(() => createGateway({ ...silent, plugins: [plugin('a', {}, '')] }));
    expect(e.code).toBe('DOCKSIDE_UNROUTABLE_OPERATION');
  });
  test('an operation the model does not have', () => {
    const e = bootError(() =>
      createGateway({ ...silent, plugins: [plugin('a', { operations: { LaunchRocket: () => ({}) } })] }),
    );
    expect(e.code).toBe('DOCKSIDE_UNROUTABLE_OPERATION');
    expect(e.message).toContain("'LaunchRocket'");
  });
  test('a factory passed without calling it', () => {
    const factory = () => plugin('a');
    const e = bootError(() => createGateway({ ...silent, plugins: [factory as unknown as DocksidePlugin] }));
    expect(e.code).toBe('DOCKSIDE_INVALID_PLUGIN');
  });
});

describe('lifecycle', () => {
  test('start in order, stop in reverse, once each', async () => {
    const calls: string[] = [];
    const p = (n: string, prefix: string, signing: string) =>
      plugin(
        n,
        { start: () => void calls.push(`start ${n}`), stop: () => void calls.push(`stop ${n}`) },
        prefix,
        signing,
      );
    const g = createGateway({ ...silent, plugins: [p('a', 'A', 'a'), p('b', 'B', 'b')] });
    await g.listen(0);
    await g.start();
    await g.close();
    expect(calls).toEqual(['start a', 'start b', 'stop b', 'stop a']);
  });

  test('the handler mounts in another express app', async () => {
    const g = createGateway({
      ...silent,
      plugins: [plugin('a', { operations: { ListClusters: () => ({ clusterArns: ['x'] }) } })],
    });
    await g.start();
    const app = express();
    app.get('/host-own', (_req, res) => void res.send('mine'));
    app.use('/aws', g.handler);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/aws/`, {
        method: 'POST',
        headers: { 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters' },
        body: '{}',
      });
      expect(await res.json()).toEqual({ clusterArns: ['x'] });
      expect(await (await fetch(`http://127.0.0.1:${port}/host-own`)).text()).toBe('mine');
      expect((await (await fetch(`http://127.0.0.1:${port}/aws/_dockside/health`)).json()).status).toBe('running');
    } finally {
      server.close();
      await g.close();
    }
  });

  test('health lists services and version; reset (and the moto alias) clear every store', async () => {
    const store = new Store(() => ({ n: 0 }));
    const g = createGateway({
      ...silent,
      version: '9.9.9',
      plugins: [
        plugin('a', {
          state: store,
          operations: {
            ListClusters: (_i, ctx) => ({ clusterArns: [String(++store.get(ctx.accountId, ctx.region).n)] }),
          },
        }),
      ],
    });
    const { url } = await g.listen(0);
    const call = async () =>
      (
        await (
          await fetch(url, {
            method: 'POST',
            headers: { 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters' },
            body: '',
          })
        ).json()
      ).clusterArns[0];
    try {
      expect(await (await fetch(`${url}/_dockside/health`)).json()).toEqual({
        status: 'running',
        version: '9.9.9',
        services: [{ name: 'ecs', plugin: 'a', protocol: 'awsJson1_1' }],
      });
      expect(await call()).toBe('1');
      expect(await call()).toBe('2');
      expect((await fetch(`${url}/_dockside/reset`, { method: 'POST' })).status).toBe(200);
      expect(await call()).toBe('1');
      expect((await fetch(`${url}/moto-api/reset`, { method: 'POST' })).status).toBe(200);
      expect(await call()).toBe('1');
    } finally {
      await g.close();
    }
  });

  test('--data-dir persists stores atomically and restores them on the next start', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-data-'));
    const make = () => {
      const store = new Store(() => ({ items: [] as Array<{ at: Date }> }));
      const g = createGateway({
        ...silent,
        dataDir: dir,
        plugins: [
          plugin('a', {
            state: store,
            operations: {
              CreateCluster: (_i, ctx) => {
                store.get(ctx.accountId, ctx.region).items.push({ at: new Date(1700000000000) });
                return {};
              },
            },
          }),
        ],
      });
      return { g, store };
    };
    const first = make();
    await first.g.listen(0);
    await first.g.invoke('ecs', 'CreateCluster', {});
    await first.g.close();
    expect(fs.readdirSync(dir).sort()).toEqual(['journal-1.ndjson', 'state.json']);
    // Stores hold secret values: only their owner may read them.
    for (const f of fs.readdirSync(dir)) expect(fs.statSync(path.join(dir, f)).mode & 0o777).toBe(0o600);
    const second = make();
    await second.g.start();
    const items = second.store.get('000000000000', 'us-east-1').items;
    expect(items).toHaveLength(1);
    expect(items[0].at).toBeInstanceOf(Date);
    expect(items[0].at.getTime()).toBe(1700000000000);
    await second.g.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
