/** Plugins declare their HTTP route prefixes; overlaps are refused at boot, and each plugin sees only its own paths. */
import { DocksideError, createGateway, type DocksidePlugin, type PluginContext } from '@dockside/core';
import { ecsTestProtocol } from './fixtures';

const silent = { logLevel: 'silent' };

function withRoutes(name: string, signingName: string, prefixes: string[], answer = name): DocksidePlugin {
  return {
    name,
    protocols: [ecsTestProtocol({ signingName, targetPrefix: `${name}Target`, validationErrorCode: undefined })],
    operations: {},
    routes: {
      prefixes,
      // A catch-all handler: it must still only see requests under its prefixes.
      mount: (router) => void router.use((req, res) => res.json({ plugin: answer, path: req.path })),
    },
  };
}

const bootError = (plugins: DocksidePlugin[]): DocksideError => {
  try {
    createGateway({ ...silent, plugins });
  } catch (e) {
    return e as DocksideError;
  }
  throw new Error('expected a boot error');
};

test('overlapping prefixes of two plugins are refused at boot with DOCKSIDE_ROUTE_CONFLICT', () => {
  // The ECR registry's /v2/ against the task credentials endpoint /v2/credentials/.
  const e = bootError([withRoutes('ecs', 'ecs', ['/v2/credentials/']), withRoutes('registry', 'ecr', ['/v2/'])]);
  expect(e).toBeInstanceOf(DocksideError);
  expect(e.code).toBe('DOCKSIDE_ROUTE_CONFLICT');
  expect(e.message).toContain("plugin 'registry' claims '/v2/', which overlaps '/v2/credentials/' of plugin 'ecs'");
});

test("a prefix over the gateway's own endpoints, the root, or a malformed one is refused", () => {
  expect(bootError([withRoutes('x', 'x', ['/_dockside/'])]).message).toContain(
    "overlaps '/_dockside/health' of the gateway",
  );
  expect(bootError([withRoutes('x', 'x', ['/'])]).code).toBe('DOCKSIDE_ROUTE_CONFLICT');
  expect(bootError([withRoutes('x', 'x', ['/no-trailing-slash'])]).message).toContain("must start and end with '/'");
});

test('each plugin answers only under its prefixes; the rest falls through to the JSON 404', async () => {
  const g = createGateway({
    ...silent,
    plugins: [withRoutes('one', 'one', ['/one/']), withRoutes('two', 'two', ['/two/', '/deux/'])],
  });
  const { url } = await g.listen(0);
  try {
    const get = async (p: string) => {
      const r = await fetch(`${url}${p}`);
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    expect(await get('/one/a')).toEqual({ status: 200, body: { plugin: 'one', path: '/one/a' } });
    expect(await get('/deux/b')).toEqual({ status: 200, body: { plugin: 'two', path: '/deux/b' } });
    expect(await get('/two')).toEqual({ status: 200, body: { plugin: 'two', path: '/two' } });
    expect((await get('/three/x')).body.__type).toBe('NotFound');
  } finally {
    await g.close();
  }
});

test('setup(ctx) runs once, before routing, with the bus and logger; its parts complete the plugin', async () => {
  const seen: PluginContext[] = [];
  const p: DocksidePlugin = {
    name: 'late',
    protocols: [ecsTestProtocol({ signingName: 'late', targetPrefix: 'LateTarget', validationErrorCode: undefined })],
    setup(ctx) {
      seen.push(ctx);
      return { operations: { ListClusters: () => ({ clusterArns: ['from-setup'] }) } };
    },
  };
  const g = createGateway({ ...silent, plugins: [p] });
  expect(seen).toHaveLength(1);
  expect(seen[0].bus).toBe(g.bus);
  expect(await g.invoke('late', 'ListClusters', {})).toEqual({ clusterArns: ['from-setup'] });
  await g.close();
  expect(seen).toHaveLength(1);
});
