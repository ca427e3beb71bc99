/**
 * ECS services with real containers: scaling with task protection, replacement of a killed task,
 * rolling deployments bounded by minimumHealthyPercent / maximumPercent (checked at every task
 * change), the circuit breaker with rollback, forced deletion, and CODE_DEPLOY task sets.
 */
import Docker from 'dockerode';
import {
  ClusterContainsServicesException,
  CreateClusterCommand,
  CreateServiceCommand,
  CreateTaskSetCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DeleteTaskSetCommand,
  DescribeClustersCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskSetsCommand,
  DescribeTasksCommand,
  ECSClient,
  GetTaskProtectionCommand,
  InvalidParameterException,
  ListServiceDeploymentsCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTasksCommand,
  TagResourceCommand,
  UntagResourceCommand,
  RunTaskCommand,
  StopTaskCommand,
  RegisterTaskDefinitionCommand,
  ServiceNotFoundException,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  UpdateServicePrimaryTaskSetCommand,
  UpdateTaskProtectionCommand,
  UpdateTaskSetCommand,
  paginateListServices,
  type ContainerDefinition,
  type Service,
} from '@aws-sdk/client-ecs';
import { ecs } from '@dockside/ecs';
import { startTestGateway, waitFor, type TestGateway } from '@dockside/testing';
import { BUSYBOX } from './helpers';
import { explained, waitForService } from './service-wait';

const docker = new Docker();
let t: TestGateway;
let client: ECSClient;

beforeAll(async () => {
  t = await startTestGateway({
    plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never', serviceResyncMs: 200, serviceStabilityMs: 500 })],
  });
  client = t.client(ECSClient);
});
afterAll(() => t.stop(), 120_000);

/** `sleep` as PID 1 ignores SIGTERM: stopTimeout 1 makes scale-in take a second, not thirty. */
const sleeper = (extra: Partial<ContainerDefinition> = {}): ContainerDefinition => ({
  name: 'app',
  image: BUSYBOX,
  memory: 32,
  command: ['sleep', '3600'],
  stopTimeout: 1,
  ...extra,
});

async function register(family: string, def: ContainerDefinition = sleeper()): Promise<string> {
  const r = await client.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: [def] }));
  return r.taskDefinition!.taskDefinitionArn!;
}

async function describe1(cluster: string, service: string): Promise<Service> {
  return (await client.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0];
}

const waitService = (
  cluster: string,
  service: string,
  check: (s: Service) => boolean,
  what: string,
  timeoutMs?: number,
) => waitForService(client, cluster, service, check, what, timeoutMs);

async function liveTasks(cluster: string, serviceName: string) {
  const arns = (await client.send(new ListTasksCommand({ cluster, serviceName }))).taskArns ?? [];
  if (!arns.length) return [];
  return (await client.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks!.filter(
    (x) => x.lastStatus === 'RUNNING',
  );
}

/** Records, at every task change in a cluster, how many tasks are alive and how many are healthy. */
async function trackCluster(clusterName: string, serviceName: string) {
  const tasks = new Map<string, { lastStatus: string; desiredStatus: string }>();
  // Seeded with the tasks alive now; every change after this is seen through the bus.
  for (const x of await liveTasks(clusterName, serviceName))
    tasks.set(x.taskArn!, { lastStatus: x.lastStatus!, desiredStatus: x.desiredStatus! });
  const samples: { total: number; healthy: number }[] = [];
  const unsubscribe = t.gateway.bus.subscribe('ecs.task', (e) => {
    if (!e.clusterArn.endsWith(`:cluster/${clusterName}`)) return;
    tasks.set(e.taskArn, { lastStatus: e.lastStatus, desiredStatus: e.desiredStatus });
    const all = [...tasks.values()];
    samples.push({
      total: all.filter((x) => x.lastStatus !== 'STOPPED').length,
      healthy: all.filter((x) => x.lastStatus === 'RUNNING' && x.desiredStatus === 'RUNNING').length,
    });
  });
  return { samples, stop: unsubscribe };
}

test('scale 0 → 3 → 1: tasks carry the service group and deployment id; a protected task survives scale-in', async () => {
  await client.send(new CreateClusterCommand({ clusterName: 'scale' }));
  const td = await register('scale');
  const created = (
    await client.send(
      new CreateServiceCommand({
        cluster: 'scale',
        serviceName: 'web',
        taskDefinition: td,
        desiredCount: 0,
        tags: [{ key: 'team', value: 'core' }],
        propagateTags: 'SERVICE',
        enableECSManagedTags: true,
      }),
    )
  ).service!;
  expect(created).toMatchObject({
    status: 'ACTIVE',
    desiredCount: 0,
    launchType: 'EC2',
    schedulingStrategy: 'REPLICA',
    deploymentController: { type: 'ECS' },
  });
  expect(created.serviceArn).toBe(`arn:aws:ecs:${t.region}:000000000000:service/scale/web`);
  expect(created.deploymentConfiguration).toMatchObject({
    maximumPercent: 200,
    minimumHealthyPercent: 100,
    deploymentCircuitBreaker: { enable: false, rollback: false },
  });
  const deploymentId = created.deployments![0].id!;
  expect(deploymentId).toMatch(/^ecs-svc\/\d{19}$/);
  await waitService(
    'scale',
    'web',
    (s) => s.events!.some((e) => e.message === '(service web) has reached a steady state.'),
    'steady at 0',
  );

  const steadyActions: string[] = [];
  t.gateway.bus.subscribe(
    'ecs.service-action',
    (e) => void (e.serviceArn.endsWith('/scale/web') && steadyActions.push(e.eventName)),
  );
  await client.send(new UpdateServiceCommand({ cluster: 'scale', service: 'web', desiredCount: 3 }));
  const three = await waitService(
    'scale',
    'web',
    (s) => s.runningCount === 3 && s.events![0].message === '(service web) has reached a steady state.',
    '3 running, steady',
  );
  expect(three.pendingCount).toBe(0);
  expect(steadyActions).toContain('SERVICE_STEADY_STATE');
  expect(
    three.events!.some((e) =>
      /^\(service web\) has started 3 tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\.$/.test(
        e.message!,
      ),
    ),
  ).toBe(true);
  const tasks = await liveTasks('scale', 'web');
  expect(tasks).toHaveLength(3);
  for (const x of tasks) expect(x).toMatchObject({ group: 'service:web', startedBy: deploymentId });
  // propagateTags SERVICE and ECS managed tags reach the tasks.
  const withTags = (
    await client.send(new DescribeTasksCommand({ cluster: 'scale', tasks: [tasks[0].taskArn!], include: ['TAGS'] }))
  ).tasks![0];
  expect(withTags.tags).toEqual([
    { key: 'team', value: 'core' },
    { key: 'aws:ecs:clusterName', value: 'scale' },
    { key: 'aws:ecs:serviceName', value: 'web' },
  ]);
  const cluster = (await client.send(new DescribeClustersCommand({ clusters: ['scale'] }))).clusters![0];
  expect(cluster).toMatchObject({ activeServicesCount: 1, runningTasksCount: 3 });

  const keep = tasks[1].taskArn!;
  const p = await client.send(
    new UpdateTaskProtectionCommand({
      cluster: 'scale',
      tasks: [keep, 'nope'],
      protectionEnabled: true,
      expiresInMinutes: 5,
    }),
  );
  expect(p.protectedTasks![0]).toMatchObject({ taskArn: keep, protectionEnabled: true });
  expect(p.protectedTasks![0].expirationDate!.getTime() - Date.now()).toBeGreaterThan(4 * 60_000);
  expect(p.failures).toEqual([expect.objectContaining({ reason: 'MISSING' })]);
  const got = await client.send(new GetTaskProtectionCommand({ cluster: 'scale', tasks: [keep, tasks[0].taskArn!] }));
  expect(got.protectedTasks!.map((x) => x.protectionEnabled)).toEqual([true, false]);

  await client.send(new UpdateServiceCommand({ cluster: 'scale', service: 'web', desiredCount: 1 }));
  await waitService('scale', 'web', (s) => s.runningCount === 1 && s.pendingCount === 0, '1 running');
  const left = await liveTasks('scale', 'web');
  expect(left.map((x) => x.taskArn)).toEqual([keep]);
  const stoppedOnes = await waitFor(
    async () => {
      const d = (
        await client.send(
          new DescribeTasksCommand({
            cluster: 'scale',
            tasks: tasks.filter((x) => x.taskArn !== keep).map((x) => x.taskArn!),
          }),
        )
      ).tasks!;
      return d.every((x) => x.lastStatus === 'STOPPED') ? d : undefined;
    },
    { what: 'scaled-in tasks to stop' },
  );
  for (const x of stoppedOnes)
    expect(x).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason: `Scaling activity initiated by (deployment ${deploymentId})`,
    });
  const s = await describe1('scale', 'web');
  expect(s.events!.some((e) => e.message!.startsWith('(service web) has stopped 2 running tasks: '))).toBe(true);

  // A stand-alone task cannot be protected.
  const { tasks: solo } = await client.send(new RunTaskCommand({ cluster: 'scale', taskDefinition: td }));
  const refusal = await client.send(
    new UpdateTaskProtectionCommand({ cluster: 'scale', tasks: [solo![0].taskArn!], protectionEnabled: true }),
  );
  expect(refusal).toMatchObject({
    protectedTasks: [],
    failures: [{ arn: solo![0].taskArn, reason: 'TASK_NOT_VALID' }],
  });
  await expect(client.send(new DeleteClusterCommand({ cluster: 'scale' }))).rejects.toBeInstanceOf(
    ClusterContainsServicesException,
  );
  await client.send(new DeleteServiceCommand({ cluster: 'scale', service: 'web', force: true }));
});

test("a task killed behind the scheduler's back is replaced", async () => {
  await client.send(new CreateClusterCommand({ clusterName: 'heal' }));
  const td = await register('heal');
  await client.send(
    new CreateServiceCommand({ cluster: 'heal', serviceName: 'svc', taskDefinition: td, desiredCount: 2 }),
  );
  await waitService('heal', 'svc', (s) => s.runningCount === 2, '2 running');
  // A stand-alone task in the service's group is not the service's: the scheduler leaves it alone.
  const { tasks: stranger } = await client.send(
    new RunTaskCommand({ cluster: 'heal', taskDefinition: td, group: 'service:svc' }),
  );
  const [victim] = (await liveTasks('heal', 'svc')).filter((x) => x.startedBy?.startsWith('ecs-svc/'));
  await docker.getContainer(victim.containers![0].runtimeId!).kill();
  await explained(
    client,
    'heal',
    waitFor(
      async () => {
        const now = (await liveTasks('heal', 'svc')).filter((x) => x.startedBy?.startsWith('ecs-svc/'));
        return now.length === 2 && !now.some((x) => x.taskArn === victim.taskArn) ? now : undefined;
      },
      { timeoutMs: 60_000, what: `a replacement for ${victim.taskArn!.split('/').pop()!.slice(0, 8)}` },
    ),
  );
  const dead = (await client.send(new DescribeTasksCommand({ cluster: 'heal', tasks: [victim.taskArn!] }))).tasks![0];
  // The stand-alone task comes up and stays up: the scheduler never stops it (waited for, not
  // read once: on a loaded machine it may still be starting here).
  const other = await explained(
    client,
    'heal',
    waitFor(
      async () => {
        const x = (await client.send(new DescribeTasksCommand({ cluster: 'heal', tasks: [stranger![0].taskArn!] })))
          .tasks![0];
        return x.lastStatus === 'RUNNING' || x.desiredStatus === 'STOPPED' ? x : undefined;
      },
      { timeoutMs: 60_000, what: 'the stand-alone task to run' },
    ),
  );
  expect(other).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING' });
  await waitService('heal', 'svc', (s) => s.runningCount === 2, 'the service to count its own 2 tasks');
  await client.send(new StopTaskCommand({ cluster: 'heal', task: stranger![0].taskArn! }));
  expect(dead).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited' });
  await client.send(new DeleteServiceCommand({ cluster: 'heal', service: 'svc', force: true }));
  // Each wait above fails with its own account (service and tasks) before the test's time is up.
}, 300_000);

test('a rolling update between two good revisions stays within maximumPercent and minimumHealthyPercent', async () => {
  await client.send(new CreateClusterCommand({ clusterName: 'roll' }));
  const v1 = await register('roll');
  const v2 = await register('roll', sleeper({ environment: [{ name: 'VERSION', value: '2' }] }));
  await client.send(
    new CreateServiceCommand({
      cluster: 'roll',
      serviceName: 'api',
      taskDefinition: v1,
      desiredCount: 4,
      deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 150 },
    }),
  );
  await waitService(
    'roll',
    'api',
    (s) => s.runningCount === 4 && s.deployments![0].rolloutState === 'COMPLETED',
    'v1 steady',
  );
  const track = await trackCluster('roll', 'api');
  try {
    const updated = (
      await client.send(new UpdateServiceCommand({ cluster: 'roll', service: 'api', taskDefinition: v2 }))
    ).service!;
    expect(updated.deployments!.map((d) => [d.status, d.taskDefinition, d.rolloutState])).toEqual([
      ['PRIMARY', v2, 'IN_PROGRESS'],
      ['ACTIVE', v1, 'COMPLETED'],
    ]);
    const done = await waitService(
      'roll',
      'api',
      (s) => s.deployments!.length === 1 && s.deployments![0].rolloutState === 'COMPLETED' && s.runningCount === 4,
      'v2 rolled out',
    );
    expect(done.taskDefinition).toBe(v2);
    expect(done.deployments![0]).toMatchObject({
      status: 'PRIMARY',
      taskDefinition: v2,
      runningCount: 4,
      desiredCount: 4,
      rolloutStateReason: `ECS deployment ${done.deployments![0].id} completed.`,
    });
  } finally {
    track.stop();
  }
  // 4 desired: never more than 6 alive (150 %), never fewer than 2 healthy (50 %), at any change.
  expect(track.samples.length).toBeGreaterThan(20);
  expect(Math.max(...track.samples.map((x) => x.total))).toBeLessThanOrEqual(6);
  expect(Math.min(...track.samples.map((x) => x.healthy))).toBeGreaterThanOrEqual(2);
  // The rollout really used the room it had (it did not just go one task at a time).
  expect(Math.max(...track.samples.map((x) => x.total))).toBeGreaterThan(4);
  const running = await liveTasks('roll', 'api');
  expect(running.map((x) => x.taskDefinitionArn)).toEqual([v2, v2, v2, v2]);

  // Two service deployments, both successful, each targeting its own revision.
  const list = (await client.send(new ListServiceDeploymentsCommand({ cluster: 'roll', service: 'api' })))
    .serviceDeployments!;
  expect(list.map((d) => d.status)).toEqual(['SUCCESSFUL', 'SUCCESSFUL']);
  const filtered = async (filter: object) =>
    (await client.send(new ListServiceDeploymentsCommand({ cluster: 'roll', service: 'api', ...filter })))
      .serviceDeployments!.length;
  expect(await filtered({ status: ['IN_PROGRESS'] })).toBe(0);
  expect(await filtered({ createdAt: { after: new Date(Date.now() + 60_000) } })).toBe(0);
  expect(
    await filtered({ createdAt: { before: new Date(Date.now() + 60_000), after: new Date(Date.now() - 600_000) } }),
  ).toBe(2);
  const firstPage = await client.send(
    new ListServiceDeploymentsCommand({ cluster: 'roll', service: 'api', maxResults: 1 }),
  );
  const secondPage = await client.send(
    new ListServiceDeploymentsCommand({
      cluster: 'roll',
      service: 'api',
      maxResults: 1,
      nextToken: firstPage.nextToken,
    }),
  );
  expect(
    [...firstPage.serviceDeployments!, ...secondPage.serviceDeployments!].map((d) => d.serviceDeploymentArn),
  ).toEqual(list.map((d) => d.serviceDeploymentArn));
  expect(secondPage.nextToken).toBeUndefined();
  const [latest] = (
    await client.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [list[0].serviceDeploymentArn!] }))
  ).serviceDeployments!;
  expect(latest.sourceServiceRevisions).toHaveLength(1);
  expect(latest.deploymentCircuitBreaker).toMatchObject({ status: 'DISABLED' });
  const revisions = await client.send(
    new DescribeServiceRevisionsCommand({
      serviceRevisionArns: [latest.targetServiceRevision!.arn!, latest.sourceServiceRevisions![0].arn!],
    }),
  );
  expect(revisions.serviceRevisions!.map((r) => r.taskDefinition)).toEqual([v2, v1]);
  expect(revisions.serviceRevisions![0].containerImages).toEqual([{ containerName: 'app', image: BUSYBOX }]);
  await client.send(new DeleteServiceCommand({ cluster: 'roll', service: 'api', force: true }));
});

test('a revision whose container exits at once trips the circuit breaker and rolls back to the last good one', async () => {
  await client.send(new CreateClusterCommand({ clusterName: 'breaker' }));
  const good = await register('breaker');
  const bad = await register('breaker', sleeper({ command: ['sh', '-c', 'echo starting; exit 3'] }));
  await client.send(
    new CreateServiceCommand({
      cluster: 'breaker',
      serviceName: 'pay',
      taskDefinition: good,
      desiredCount: 2,
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: true },
        minimumHealthyPercent: 100,
        maximumPercent: 200,
      },
    }),
  );
  await waitService(
    'breaker',
    'pay',
    (s) => s.runningCount === 2 && s.deployments![0].rolloutState === 'COMPLETED',
    'good steady',
  );
  const changes: string[] = [];
  const unsubscribe = t.gateway.bus.subscribe(
    'ecs.deployment',
    (e) => void (e.serviceArn.endsWith('/breaker/pay') && changes.push(`${e.deploymentId} ${e.eventName} ${e.reason}`)),
  );
  const updated = (
    await client.send(new UpdateServiceCommand({ cluster: 'breaker', service: 'pay', taskDefinition: bad }))
  ).service!;
  const badId = updated.deployments![0].id!;
  const back = await waitService(
    'breaker',
    'pay',
    (s) =>
      s.taskDefinition === good &&
      s.deployments!.length === 1 &&
      s.deployments![0].rolloutState === 'COMPLETED' &&
      s.runningCount === 2,
    'rolled back and steady',
  );
  unsubscribe();
  expect(back.deployments![0].taskDefinition).toBe(good);
  // The bad deployment ended FAILED; the rollback deployment started and completed.
  const rollbackId = back.deployments![0].id!;
  expect(changes).toEqual([
    `${badId} SERVICE_DEPLOYMENT_IN_PROGRESS ECS deployment ${badId} in progress.`,
    `${badId} SERVICE_DEPLOYMENT_FAILED ECS deployment circuit breaker: tasks failed to start.`,
    expect.stringMatching(
      new RegExp(
        `^${rollbackId} SERVICE_DEPLOYMENT_IN_PROGRESS ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/\\d{19}\\.$`,
      ),
    ),
    `${rollbackId} SERVICE_DEPLOYMENT_COMPLETED ECS deployment ${rollbackId} completed.`,
  ]);
  const messages = back.events!.map((e) => e.message);
  expect(messages).toContain(`(service pay) (deployment ${badId}) deployment failed: tasks failed to start.`);
  expect(messages[0]).toBe('(service pay) has reached a steady state.');
  const running = await liveTasks('breaker', 'pay');
  expect(running.map((x) => x.taskDefinitionArn)).toEqual([good, good]);

  const list = (await client.send(new ListServiceDeploymentsCommand({ cluster: 'breaker', service: 'pay' })))
    .serviceDeployments!;
  expect(list.map((d) => d.status)).toEqual(['ROLLBACK_SUCCESSFUL', 'SUCCESSFUL']);
  const [failed] = (
    await client.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [list[0].serviceDeploymentArn!] }))
  ).serviceDeployments!;
  expect(failed.deploymentCircuitBreaker).toMatchObject({ status: 'TRIGGERED', threshold: 3 });
  const [first] = (
    await client.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [list[1].serviceDeploymentArn!] }))
  ).serviceDeployments!;
  expect(first.deploymentCircuitBreaker).toMatchObject({
    status: 'MONITORING_COMPLETE',
    failureCount: 0,
    threshold: 3,
  });
  expect(failed.deploymentCircuitBreaker!.failureCount).toBeGreaterThanOrEqual(3);
  expect(failed.rollback!.serviceRevisionArn).toBe(list[1].targetServiceRevisionArn);
  await expect(
    client.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: failed.serviceDeploymentArn })),
  ).rejects.toThrow(/can't be stopped/);
  await client.send(new DeleteServiceCommand({ cluster: 'breaker', service: 'pay', force: true }));
}, 180_000);

test('DeleteService is refused while scaled up, and forced it drains every task to INACTIVE', async () => {
  await client.send(new CreateClusterCommand({ clusterName: 'del' }));
  const td = await register('del');
  await client.send(
    new CreateServiceCommand({ cluster: 'del', serviceName: 'doomed', taskDefinition: td, desiredCount: 2 }),
  );
  await waitService('del', 'doomed', (s) => s.runningCount === 2, '2 running');
  const tasks = await liveTasks('del', 'doomed');
  const refused = await client.send(new DeleteServiceCommand({ cluster: 'del', service: 'doomed' })).catch((e) => e);
  expect(refused).toBeInstanceOf(InvalidParameterException);
  expect(refused.message).toBe('The service cannot be stopped while it is scaled above 0.');
  const draining = (await client.send(new DeleteServiceCommand({ cluster: 'del', service: 'doomed', force: true })))
    .service!;
  expect(draining).toMatchObject({ status: 'DRAINING', desiredCount: 0 });
  await expect(
    client.send(new UpdateServiceCommand({ cluster: 'del', service: 'doomed', desiredCount: 1 })),
  ).rejects.toThrow('Service was not ACTIVE.');
  await waitService('del', 'doomed', (s) => s.status === 'INACTIVE', 'INACTIVE');
  const after = (await client.send(new DescribeTasksCommand({ cluster: 'del', tasks: tasks.map((x) => x.taskArn!) })))
    .tasks!;
  expect(after.map((x) => x.lastStatus)).toEqual(['STOPPED', 'STOPPED']);
  expect((await client.send(new ListServicesCommand({ cluster: 'del' }))).serviceArns).toEqual([]);
  await expect(
    client.send(new UpdateServiceCommand({ cluster: 'del', service: 'doomed', desiredCount: 1 })),
  ).rejects.toBeInstanceOf(ServiceNotFoundException);
  // The name is free again, and the cluster can go once no service is active.
  await client.send(
    new CreateServiceCommand({ cluster: 'del', serviceName: 'doomed', taskDefinition: td, desiredCount: 0 }),
  );
  await client.send(new DeleteServiceCommand({ cluster: 'del', service: 'doomed' }));
  await waitService('del', 'doomed', (s) => s.status === 'INACTIVE', 'INACTIVE again');
  await client.send(new DeleteClusterCommand({ cluster: 'del' }));
});

test('a CODE_DEPLOY service runs task sets and flips its primary', async () => {
  await client.send(new CreateClusterCommand({ clusterName: 'bg' }));
  const actions: string[] = [];
  const unsubscribe = t.gateway.bus.subscribe(
    'ecs.service-action',
    (e) => void (e.serviceArn.endsWith('/bg/site') && actions.push(e.eventName)),
  );
  const blue = await register('bg');
  const green = await register('bg', sleeper({ environment: [{ name: 'COLOR', value: 'green' }] }));
  const created = (
    await client.send(
      new CreateServiceCommand({
        cluster: 'bg',
        serviceName: 'site',
        taskDefinition: blue,
        desiredCount: 2,
        deploymentController: { type: 'CODE_DEPLOY' },
      }),
    )
  ).service!;
  expect(created.deployments).toEqual([]);
  expect(created.taskSets).toHaveLength(1);
  const blueSet = created.taskSets![0];
  expect(blueSet).toMatchObject({ status: 'PRIMARY', taskDefinition: blue, scale: { value: 100, unit: 'PERCENT' } });
  expect(blueSet.taskSetArn).toBe(`arn:aws:ecs:${t.region}:000000000000:task-set/bg/site/${blueSet.id}`);
  await waitService(
    'bg',
    'site',
    (s) => s.taskSets![0].stabilityStatus === 'STEADY_STATE' && s.taskSets![0].runningCount === 2,
    'blue steady',
  );
  await expect(
    client.send(new UpdateServiceCommand({ cluster: 'bg', service: 'site', taskDefinition: green })),
  ).rejects.toThrow(/CODE_DEPLOY deployment controller/);

  const greenSet = (
    await client.send(
      new CreateTaskSetCommand({
        cluster: 'bg',
        service: 'site',
        taskDefinition: green,
        scale: { value: 50, unit: 'PERCENT' },
        externalId: 'deploy-1',
      }),
    )
  ).taskSet!;
  expect(greenSet).toMatchObject({ status: 'ACTIVE', externalId: 'deploy-1' });
  await waitService(
    'bg',
    'site',
    (s) => s.taskSets!.find((x) => x.id === greenSet.id)?.runningCount === 1,
    'green at 50 %',
  );
  await client.send(
    new UpdateTaskSetCommand({
      cluster: 'bg',
      service: 'site',
      taskSet: greenSet.id,
      scale: { value: 100, unit: 'PERCENT' },
    }),
  );
  const flipped = (
    await client.send(
      new UpdateServicePrimaryTaskSetCommand({ cluster: 'bg', service: 'site', primaryTaskSet: greenSet.taskSetArn }),
    )
  ).taskSet!;
  expect(flipped.status).toBe('PRIMARY');
  const svc = await describe1('bg', 'site');
  expect(svc.taskDefinition).toBe(green);
  expect(svc.taskSets!.find((x) => x.id === blueSet.id)!.status).toBe('ACTIVE');
  await expect(
    client.send(new DeleteTaskSetCommand({ cluster: 'bg', service: 'site', taskSet: greenSet.id })),
  ).rejects.toThrow(/primary task set/);
  await expect(
    client.send(new DeleteTaskSetCommand({ cluster: 'bg', service: 'site', taskSet: blueSet.id })),
  ).rejects.toThrow(/scaled down to zero/);
  await client.send(
    new UpdateTaskSetCommand({
      cluster: 'bg',
      service: 'site',
      taskSet: blueSet.id,
      scale: { value: 0, unit: 'PERCENT' },
    }),
  );
  await client.send(new DeleteTaskSetCommand({ cluster: 'bg', service: 'site', taskSet: blueSet.id }));
  const final = await waitService(
    'bg',
    'site',
    (s) =>
      s.taskSets!.length === 1 &&
      s.taskSets![0].stabilityStatus === 'STEADY_STATE' &&
      s.taskSets![0].runningCount === 2,
    'only green',
  );
  expect(final.taskSets![0].id).toBe(greenSet.id);
  unsubscribe();
  expect(actions).toContain('TASKSET_STEADY_STATE');
  expect((await liveTasks('bg', 'site')).map((x) => [x.taskDefinitionArn, x.startedBy])).toEqual([
    [green, greenSet.id],
    [green, greenSet.id],
  ]);
  const described = await client.send(
    new DescribeTaskSetsCommand({
      cluster: 'bg',
      service: 'site',
      taskSets: [greenSet.id!, 'ecs-svc/0000000000000000000'],
    }),
  );
  expect(described.taskSets!.map((x) => x.id)).toEqual([greenSet.id]);
  expect(described.failures).toEqual([{ arn: 'ecs-svc/0000000000000000000', reason: 'MISSING' }]);
  await client.send(new DeleteServiceCommand({ cluster: 'bg', service: 'site', force: true }));
  await waitService('bg', 'site', (s) => s.status === 'INACTIVE', 'INACTIVE');
});

describe('API answers without containers', () => {
  beforeAll(async () => {
    await client.send(new CreateClusterCommand({ clusterName: 'api' }));
    await register('api');
  });

  it('refuses what ECS refuses, with ECS codes', async () => {
    await client.send(
      new CreateServiceCommand({ cluster: 'api', serviceName: 'one', taskDefinition: 'api', desiredCount: 0 }),
    );
    await expect(
      client.send(
        new CreateServiceCommand({ cluster: 'api', serviceName: 'one', taskDefinition: 'api', desiredCount: 1 }),
      ),
    ).rejects.toThrow('Creation of service was not idempotent.');
    await expect(
      client.send(new CreateServiceCommand({ cluster: 'api', serviceName: 'bad name', taskDefinition: 'api' })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      client.send(new CreateServiceCommand({ cluster: 'api', serviceName: 'x', taskDefinition: 'nope:9' })),
    ).rejects.toThrow('TaskDefinition not found.');
    await expect(
      client.send(
        new CreateServiceCommand({
          cluster: 'api',
          serviceName: 'd',
          taskDefinition: 'api',
          schedulingStrategy: 'DAEMON',
          desiredCount: 1,
        }),
      ),
    ).rejects.toThrow(/daemon scheduling strategy does not support a desired count/);
    await expect(
      client.send(
        new CreateServiceCommand({
          cluster: 'api',
          serviceName: 'lb',
          taskDefinition: 'api',
          loadBalancers: [
            {
              targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/tg/1',
              containerName: 'app',
              containerPort: 80,
            },
          ],
        }),
      ),
    ).rejects.toThrow('The container app did not have a container port 80 defined.');
    await expect(
      client.send(
        new CreateServiceCommand({
          cluster: 'api',
          serviceName: 'cfg',
          taskDefinition: 'api',
          deploymentConfiguration: { minimumHealthyPercent: 150 },
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      client.send(new UpdateServiceCommand({ cluster: 'api', service: 'ghost', desiredCount: 1 })),
    ).rejects.toBeInstanceOf(ServiceNotFoundException);
    await expect(
      client.send(new CreateTaskSetCommand({ cluster: 'api', service: 'one', taskDefinition: 'api' })),
    ).rejects.toThrow(/external deployment controllers/);
    const d = await client.send(
      new DescribeServicesCommand({ cluster: 'api', services: ['one', 'ghost'], include: ['TAGS'] }),
    );
    expect(d.services!.map((s) => s.serviceName)).toEqual(['one']);
    expect(d.failures).toEqual([{ arn: `arn:aws:ecs:${t.region}:000000000000:service/ghost`, reason: 'MISSING' }]);
  });

  it('lists services in pages, and a DAEMON service without container instances runs nothing', async () => {
    for (const n of ['p1', 'p2', 'p3'])
      await client.send(
        new CreateServiceCommand({
          cluster: 'api',
          serviceName: n,
          taskDefinition: 'api',
          desiredCount: 0,
          tags: [{ key: 'team', value: n }],
        }),
      );
    const daemon = (
      await client.send(
        new CreateServiceCommand({
          cluster: 'api',
          serviceName: 'daemon',
          taskDefinition: 'api',
          schedulingStrategy: 'DAEMON',
        }),
      )
    ).service!;
    expect(daemon).toMatchObject({
      schedulingStrategy: 'DAEMON',
      desiredCount: 0,
      deploymentConfiguration: { maximumPercent: 100, minimumHealthyPercent: 0 },
    });
    const pages: string[][] = [];
    for await (const page of paginateListServices({ client, pageSize: 2 }, { cluster: 'api' }))
      pages.push(page.serviceArns!.map((a) => a.split('/').pop()!));
    expect(pages).toEqual([['daemon', 'one'], ['p1', 'p2'], ['p3']]);
    expect(
      (await client.send(new ListServicesCommand({ cluster: 'api', schedulingStrategy: 'DAEMON' }))).serviceArns!.map(
        (a) => a.split('/').pop(),
      ),
    ).toEqual(['daemon']);
    const tagged = await client.send(
      new DescribeServicesCommand({ cluster: 'api', services: ['p2'], include: ['TAGS'] }),
    );
    expect(tagged.services![0].tags).toEqual([{ key: 'team', value: 'p2' }]);
    const arn = tagged.services![0].serviceArn!;
    await client.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'env', value: 'dev' }] }));
    await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team'] }));
    expect((await client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([
      { key: 'env', value: 'dev' },
    ]);
    await expect(client.send(new ListTagsForResourceCommand({ resourceArn: `${arn}-ghost` }))).rejects.toBeInstanceOf(
      ServiceNotFoundException,
    );
  });
});
