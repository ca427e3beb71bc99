/**
 * Two gateways in one process (an embedding emulator, a test file with two gateways) share
 * nothing: same resource names, different tags, counters, task event logs and indexes.
 */
import {
  CreateClusterCommand,
  DescribeClustersCommand,
  ECSClient,
  ListTagsForResourceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  TagResourceCommand,
} from '@aws-sdk/client-ecs';
import { DocksideClient } from '@dockside/client';
import { ecs } from '@dockside/ecs';
import { startTestGateway, type TestGateway } from '@dockside/testing';
import { waitForTask } from './helpers';

let a: TestGateway;
let b: TestGateway;
beforeAll(async () => {
  // No engine answers on this socket: tasks stop TaskFailedToStart without touching Docker.
  const noEngine = { docker: { socketPath: '/nonexistent/docker.sock' } };
  [a, b] = await Promise.all([
    startTestGateway({ plugins: [ecs({ instancesPerCluster: 1, ...noEngine })] }),
    startTestGateway({ plugins: [ecs({ instancesPerCluster: 1, ...noEngine })] }),
  ]);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

test('the same cluster name in two gateways: separate tags, counters and event logs', async () => {
  const [ca, cb] = [a.client(ECSClient), b.client(ECSClient)];
  const [clusterA, clusterB] = await Promise.all([
    ca.send(new CreateClusterCommand({ clusterName: 'shared', tags: [{ key: 'owner', value: 'a' }] })),
    cb.send(new CreateClusterCommand({ clusterName: 'shared', tags: [{ key: 'owner', value: 'b' }] })),
  ]);
  expect(clusterA.cluster!.clusterArn).toBe(clusterB.cluster!.clusterArn);
  await ca.send(
    new TagResourceCommand({ resourceArn: clusterA.cluster!.clusterArn, tags: [{ key: 'only', value: 'a' }] }),
  );
  expect((await cb.send(new ListTagsForResourceCommand({ resourceArn: clusterB.cluster!.clusterArn }))).tags).toEqual([
    { key: 'owner', value: 'b' },
  ]);

  await ca.send(
    new RegisterTaskDefinitionCommand({
      family: 'f',
      containerDefinitions: [{ name: 'c', image: 'nothing:here', memory: 64 }],
    }),
  );
  const run = await ca.send(new RunTaskCommand({ cluster: 'shared', taskDefinition: 'f', count: 3 }));
  for (const t of run.tasks!) await waitForTask(ca, t.taskArn!, 'STOPPED', { cluster: 'shared' });

  // Gateway b has no task definition, no tasks, and its cluster counts and event log saw none.
  await expect(cb.send(new RunTaskCommand({ cluster: 'shared', taskDefinition: 'f' }))).rejects.toMatchObject({
    name: 'InvalidParameterException',
  });
  const described = await cb.send(new DescribeClustersCommand({ clusters: ['shared'], include: ['STATISTICS'] }));
  expect(described.clusters![0]).toMatchObject({ runningTasksCount: 0, pendingTasksCount: 0 });
  expect(await new DocksideClient(b.endpoint).ecs.events()).toEqual([]);
  expect(await new DocksideClient(b.endpoint).ecs.tasks()).toEqual([]);
  const eventsA = await new DocksideClient(a.endpoint).ecs.events();
  expect(new Set(eventsA.map((e) => e.taskArn))).toEqual(new Set(run.tasks!.map((t) => t.taskArn)));
});
