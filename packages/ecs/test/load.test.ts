/**
 * Load: 200 concurrent clients for LOAD_SECONDS (default 30) mixing cluster and task-definition
 * creates and deletes, RunTask (real containers, at most 24 alive at once) and StopTask. Then the
 * state must match what was acknowledged: every cluster created and not deleted is listed, none
 * other; every task RunTask returned is described once, nothing duplicated; once stopped, every
 * container is gone from the engine; and the heap stays bounded.
 */
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { ecs } from '@dockside/ecs';
import { useTestGateway, waitFor } from '@dockside/testing';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import Docker from 'dockerode';
import { BUSYBOX } from './helpers';

const SECONDS = Number(process.env.LOAD_SECONDS ?? 30);
const CLIENTS = 200;
const MAX_LIVE_TASKS = 24;
jest.setTimeout((SECONDS + 180) * 1000);
// A real full collection before each heap reading: jest runs without --expose-gc, and without one
// heapUsed counted whatever garbage 200 clients had left since the last collection (the figure
// moved with GC timing, up to the limit), not what the gateway kept.
// The flag is cleared again at once: jest runs other files in this worker process afterwards, and
// every context made while it is set gets gc() (it failed apps/dockside's idle-memory test in CI).
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
v8.setFlagsFromString('--no-expose-gc');

const gw = useTestGateway(() => ({ plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never' })] }));
const client = gw.sdk(ECSClient);

test(`${CLIENTS} clients for ${SECONDS} s leave consistent state, every container accounted for`, async () => {
  await client.send(new CreateClusterCommand({ clusterName: 'load' }));
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'load-task',
      networkMode: 'none',
      containerDefinitions: [{ name: 'c', image: BUSYBOX, memory: 16, command: ['sleep', '2'], stopTimeout: 1 }],
    }),
  );
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const clusters = new Set<string>();
  const tasks = new Set<string>();
  let live = 0;
  let n = 0;
  const errors: string[] = [];
  const counts = { create: 0, delete: 0, register: 0, deregister: 0, run: 0, stop: 0 };
  const deadline = Date.now() + SECONDS * 1000;

  const worker = async (id: number) => {
    // Each client its own SDK client and connection.
    const client = gw.client(ECSClient);
    const mine: string[] = [];
    while (Date.now() < deadline) {
      const roll = Math.random();
      try {
        if (roll < 0.05 && live < MAX_LIVE_TASKS) {
          live++;
          const out = await client.send(new RunTaskCommand({ cluster: 'load', taskDefinition: 'load-task' }));
          for (const t of out.tasks ?? []) tasks.add(t.taskArn!);
          counts.run++;
          // Most run to their end; some are stopped early.
          const arn = out.tasks?.[0]?.taskArn;
          if (arn && Math.random() < 0.3) {
            await client.send(new StopTaskCommand({ cluster: 'load', task: arn }));
            counts.stop++;
          }
          setTimeout(() => live--, 2500).unref();
        } else if (roll < 0.4) {
          const name = `c${id}-${n++}`;
          await client.send(new CreateClusterCommand({ clusterName: name }));
          clusters.add(name);
          mine.push(name);
          counts.create++;
        } else if (roll < 0.6 && mine.length) {
          const name = mine.shift()!;
          await client.send(new DeleteClusterCommand({ cluster: name }));
          clusters.delete(name);
          counts.delete++;
        } else if (roll < 0.85) {
          const { taskDefinition } = await client.send(
            new RegisterTaskDefinitionCommand({
              family: `f${id % 10}`,
              containerDefinitions: [{ name: 'c', image: BUSYBOX, memory: 8 }],
            }),
          );
          counts.register++;
          if (Math.random() < 0.5) {
            await client.send(
              new DeregisterTaskDefinitionCommand({ taskDefinition: taskDefinition!.taskDefinitionArn! }),
            );
            counts.deregister++;
          }
        } else {
          await client.send(new ListClustersCommand({ maxResults: 10 }));
        }
      } catch (e) {
        errors.push(`${(e as Error).name}: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => worker(i)));
  process.stdout.write(`load: ${JSON.stringify(counts)}, ${errors.length} errors\n`);
  expect(errors.slice(0, 5)).toEqual([]);

  // Clusters: exactly the acknowledged creates minus the acknowledged deletes (plus 'load').
  const listed: string[] = [];
  let token: string | undefined;
  do {
    const page: { clusterArns?: string[]; nextToken?: string } = await client.send(
      new ListClustersCommand({ nextToken: token, maxResults: 100 }),
    );
    listed.push(...(page.clusterArns ?? []).map((a) => a.split('/').pop()!));
    token = page.nextToken;
  } while (token);
  expect(new Set(listed).size).toBe(listed.length);
  expect(listed.filter((c) => c !== 'load').sort()).toEqual([...clusters].sort());

  // Tasks: all reach STOPPED; then each one RunTask returned is listed once. (Listed while some
  // were still stopping, a task can move from the RUNNING list to the STOPPED one between the
  // two listings and show in both: that is the listing's race, not a duplicate task.)
  await waitFor(
    async () => {
      const arns = [...tasks];
      for (let i = 0; i < arns.length; i += 100) {
        const { tasks: got } = await client.send(
          new DescribeTasksCommand({ cluster: 'load', tasks: arns.slice(i, i + 100) }),
        );
        if (got!.some((t) => t.lastStatus !== 'STOPPED')) return undefined;
      }
      return true;
    },
    { timeoutMs: 120_000, intervalMs: 500, what: 'every task to stop' },
  );
  const listTasks = async (desiredStatus: 'RUNNING' | 'STOPPED') => {
    const arns: string[] = [];
    let next: string | undefined;
    do {
      const page: { taskArns?: string[]; nextToken?: string } = await client.send(
        new ListTasksCommand({ cluster: 'load', desiredStatus, nextToken: next }),
      );
      arns.push(...(page.taskArns ?? []));
      next = page.nextToken;
    } while (next);
    return arns;
  };
  expect(await listTasks('RUNNING')).toEqual([]);
  const all = await listTasks('STOPPED');
  expect(new Set(all).size).toBe(all.length);
  expect([...tasks].filter((a) => !all.includes(a))).toEqual([]);
  // No container of the load cluster is left on the engine.
  await waitFor(
    async () =>
      (
        await new Docker().listContainers({
          all: true,
          filters: { label: [`com.amazonaws.ecs.cluster=arn:aws:ecs:us-east-1:000000000000:cluster/load`] },
        })
      ).length === 0 || undefined,
    { timeoutMs: 60_000, what: 'every container to be removed' },
  );
  gc();
  const grown = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  process.stdout.write(
    `load: heap grew ${grown.toFixed(1)} MiB over ${counts.run} tasks and ${counts.create} clusters\n`,
  );
  expect(grown).toBeLessThan(256);
});
