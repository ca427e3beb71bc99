/** Every ECS introspection endpoint through @dockside/client, plus the /_fakecloud aliases. */
import Docker from 'dockerode';
import { CreateClusterCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { DocksideApiError } from '@dockside/client';
import { waitFor } from '@dockside/testing';
import { BUSYBOX, useEcs, waitForTask } from './helpers';

const docker = new Docker();
const { gw, client, api } = useEcs();

beforeAll(async () => {
  await client.send(new CreateClusterCommand({ clusterName: 'b-cluster' }));
  await client.send(new CreateClusterCommand({ clusterName: 'a-cluster' }));
  await gw.t.client(ECSClient, { region: 'eu-west-1' }).send(new CreateClusterCommand({ clusterName: 'a-cluster' }));
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'talker',
      containerDefinitions: [
        {
          name: 'main',
          image: BUSYBOX,
          memory: 32,
          stopTimeout: 30,
          // Ignores SIGTERM: only force-stop's immediate SIGKILL ends it quickly.
          command: ['sh', '-c', "trap '' TERM; echo line-one; echo line-two >&2; while true; do sleep 1; done"],
        },
      ],
    }),
  );
});

test('clusters across regions, sorted by ARN', async () => {
  const clusters = await api().ecs.clusters();
  expect(clusters.map((c) => `${c.region}/${c.clusterName}`)).toEqual([
    'eu-west-1/a-cluster',
    'us-east-1/a-cluster',
    'us-east-1/b-cluster',
    'us-east-1/default',
  ]);
  expect(clusters[0]).toMatchObject({ accountId: '000000000000', status: 'ACTIVE', runningTasksCount: 0 });
});

test('tasks, task, logs, force-stop, events and metadata', async () => {
  const { tasks } = await client.send(
    new RunTaskCommand({ cluster: 'a-cluster', taskDefinition: 'talker', tags: [{ key: 'k', value: 'v' }] }),
  );
  const arn = tasks![0].taskArn!;
  const id = arn.split('/').pop()!;
  await waitForTask(client, arn, 'RUNNING', { cluster: 'a-cluster' });

  expect((await api().ecs.tasks({ cluster: 'a-cluster', status: 'RUNNING' })).map((x) => x.taskArn)).toEqual([arn]);
  expect(await api().ecs.tasks({ cluster: 'b-cluster' })).toEqual([]);
  const byId = await api().ecs.task(id);
  const byArn = await api().ecs.task(arn);
  expect(byId).toEqual(byArn);
  expect(byId).toMatchObject({ taskArn: arn, lastStatus: 'RUNNING', tags: [{ key: 'k', value: 'v' }] });

  const logs = await waitFor(
    async () => {
      const l = await api().ecs.logs(id);
      return l.containers[0].lines.length === 2 ? l : undefined;
    },
    { what: 'two lines' },
  );
  expect(logs.containers[0].lines.map((l) => `${l.stream}:${l.line}`).sort()).toEqual([
    'stderr:line-two',
    'stdout:line-one',
  ]);
  expect(logs.containers[0].lines[0].timestamp).toBeGreaterThan(Date.now() - 60_000);

  const metadata = await api().ecs.metadata(arn);
  expect(metadata).toMatchObject({ TaskARN: arn, Family: 'talker', KnownStatus: 'RUNNING', TaskTags: { k: 'v' } });

  const before = Date.now();
  const stopped = await api().ecs.forceStop(id);
  expect(stopped).toMatchObject({
    desiredStatus: 'STOPPED',
    stopCode: 'UserInitiated',
    stoppedReason: 'Task force-stopped through the Dockside API',
  });
  const done = await waitForTask(client, arn, 'STOPPED', { cluster: 'a-cluster' });
  // SIGKILL came at once, not after the container's 30 s stopTimeout.
  expect(Date.now() - before).toBeLessThan(30_000);
  expect(done.containers![0].exitCode).toBe(137);
  const kept = await api().ecs.logs(arn);
  expect(kept.containers[0]).toMatchObject({ name: 'main', exitCode: 137 });
  expect(kept.containers[0].lines).toHaveLength(2);

  const events = (await api().ecs.events()).filter((e) => e.taskArn === arn);
  const statuses = events.map((e) => e.lastStatus).filter((s, i, a) => s !== a[i - 1]);
  expect(statuses).toEqual([
    'PROVISIONING',
    'PENDING',
    'ACTIVATING',
    'RUNNING',
    'DEACTIVATING',
    'STOPPING',
    'DEPROVISIONING',
    'STOPPED',
  ]);
  expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => a - b));
});

test('mark-failed flips the task to STOPPED with the given exit code and reason, leaving the container running', async () => {
  const { tasks } = await client.send(new RunTaskCommand({ cluster: 'a-cluster', taskDefinition: 'talker' }));
  const arn = tasks![0].taskArn!;
  const running = await waitForTask(client, arn, 'RUNNING', { cluster: 'a-cluster' });
  const marked = await api().ecs.markFailed(arn, { exitCode: 42, reason: 'simulated crash' });
  expect(marked).toMatchObject({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedReason: 'simulated crash' });
  expect(marked.containers[0]).toMatchObject({ exitCode: 42, lastStatus: 'STOPPED', reason: 'simulated crash' });
  const info = await docker.getContainer(running.containers![0].runtimeId!).inspect();
  expect(info.State.Running).toBe(true);
  // The record stays as marked.
  await new Promise((r) => setTimeout(r, 300));
  expect((await api().ecs.task(arn)).containers[0].exitCode).toBe(42);
});

test('errors: unknown task, bad body; the /_fakecloud aliases answer the same', async () => {
  const missing = await api()
    .ecs.task('nope')
    .catch((e) => e);
  expect(missing).toBeInstanceOf(DocksideApiError);
  expect(missing.status).toBe(404);
  const bad = await fetch(`${gw.t.endpoint}/_dockside/ecs/tasks/nope/mark-failed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"exitCode":1}',
  });
  expect(bad.status).toBe(404);
  const { tasks } = await client.send(new RunTaskCommand({ cluster: 'a-cluster', taskDefinition: 'talker' }));
  const badCode = await fetch(
    `${gw.t.endpoint}/_dockside/ecs/tasks/${tasks![0].taskArn!.split('/').pop()}/mark-failed`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"exitCode":"x"}',
    },
  );
  expect(badCode.status).toBe(400);
  const a = await (await fetch(`${gw.t.endpoint}/_dockside/ecs/clusters`)).json();
  const b = await (await fetch(`${gw.t.endpoint}/_fakecloud/ecs/clusters`)).json();
  expect(b).toEqual(a);
  await api().ecs.forceStop(tasks![0].taskArn!);
});
