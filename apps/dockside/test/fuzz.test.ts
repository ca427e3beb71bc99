/**
 * The fuzzer over every operation of every plugin, against a real gateway: seeded and
 * reproducible (FUZZ_SEED), bounded here to about a minute (FUZZ_SECONDS, FUZZ_REQUESTS);
 * `pnpm fuzz` runs it longer. No request may get a 5xx (but a deliberate NotImplemented) or go
 * unanswered, nothing may reject unhandled, and afterwards every service still lists what it
 * holds and every store survives a snapshot/restore round trip.
 */
import type { DocksidePlugin } from '@dockside/core';
import { encodeRequest, fuzz, startTestGateway } from '@dockside/testing';
import { loadPlugins } from '../src/plugins';

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 45);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 20_000);
jest.setTimeout((SECONDS + 120) * 1000);

/**
 * Valid-shaped input is not sent to these: they would start containers, or make later events
 * call addresses the input names (tests send traffic only to loopback). Broken input still is.
 */
const STARTS_WORK = new Set([
  'ecs.RunTask',
  'ecs.StartTask',
  'ecs.CreateService',
  'ecs.UpdateService',
  'ecs.CreateTaskSet',
  'ecs.CreateDaemon',
  'ecs.UpdateDaemon',
  'ecs.CreateExpressGatewayService',
  'ecs.ExecuteCommand',
  'events.CreateApiDestination',
  'events.UpdateApiDestination',
  'events.PutTargets',
  'scheduler.CreateSchedule',
  'scheduler.UpdateSchedule',
  'ecr.CreatePullThroughCacheRule',
  'ecr.UpdatePullThroughCacheRule',
]);

test(`fuzz: seed ${SEED}, every operation of every plugin, no 5xx, no crash, state intact`, async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  const plugins: DocksidePlugin[] = loadPlugins(undefined, {
    ecs: { pullPolicy: 'never', instancesPerCluster: 1 },
    ecr: { port: 0 },
    elbv2: { timeScale: 0.05 },
  });
  const t = await startTestGateway({ plugins });
  try {
    const report = await fuzz({
      endpoint: t.endpoint,
      plugins,
      seed: SEED,
      requests: REQUESTS,
      deadline: Date.now() + SECONDS * 1000,
      skip: (service, op) => STARTS_WORK.has(`${service}.${op}`),
    });
    process.stdout.write(
      `fuzz seed ${report.seed}: ${report.sent} requests, by status ${JSON.stringify(report.byStatus)}, ${report.failures.length} failures\n`,
    );
    // One example of each distinct failure (label and status), to replay with the seed.
    const distinct = new Map(report.failures.map((f) => [`${f.label} ${f.status ?? f.error}`, f]));
    expect([...distinct.values()].slice(0, 10)).toEqual([]);
    // An oversized body: refused with a 4xx, the gateway unharmed.
    const big = await fetch(t.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters',
      },
      body: Buffer.alloc(65 * 1024 * 1024, 0x20),
    });
    expect(big.status).toBe(413);

    expect(report.sent).toBeGreaterThan(500);
    expect((await fetch(`${t.endpoint}/_dockside/health`)).status).toBe(200);

    // Every service still lists what it holds.
    const broken: string[] = [];
    for (const p of plugins.flatMap((x) => x.protocols ?? [])) {
      const model = p.model();
      for (const op of Object.keys(model.operations).filter((o) => /^(List|Describe)/.test(o))) {
        const req = encodeRequest(p, model, op, {});
        const res = await fetch(new URL(req.path, t.endpoint), {
          method: req.method,
          headers: req.headers,
          body: req.method === 'GET' ? undefined : req.body,
        });
        if (res.status >= 500 && !/NotImplemented/.test(await res.text())) broken.push(`${p.signingName}.${op}`);
      }
    }
    expect(broken).toEqual([]);

    // Every store round-trips through snapshot and restore.
    for (const p of plugins) {
      if (!p.state) continue;
      const snap = JSON.parse(JSON.stringify(p.state.snapshot()));
      p.state.restore(JSON.parse(JSON.stringify(snap)));
      expect(JSON.parse(JSON.stringify(p.state.snapshot()))).toEqual(snap);
    }
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    await t.stop();
  }
});
