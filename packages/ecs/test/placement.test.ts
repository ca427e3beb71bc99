/**
 * Tasks sit on container instances: placement by memberOf expressions and strategies across
 * registered instances, resources debited and given back, failures with ECS's reasons, StartTask,
 * ListContainerInstances filters, DRAINING moving a service's task, daemons following instances,
 * and a cluster without instances failing EC2 placement as ECS does. Real SDK, real containers.
 */
import * as ECS from '@aws-sdk/client-ecs';
import { ecs } from '@dockside/ecs';
import { useTestGateway, waitFor } from '@dockside/testing';
import { BUSYBOX, waitForTask } from './helpers';

const gw = useTestGateway(
  () => ({ plugins: [ecs({ pullPolicy: 'never', serviceResyncMs: 100, serviceStabilityMs: 200 })] }),
  {
    resetEach: true,
  },
);
const client = gw.sdk(ECS.ECSClient);
const fails = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { name: string; message: string }) => e,
  );

async function cluster(name: string) {
  await client.send(new ECS.CreateClusterCommand({ clusterName: name }));
}

async function register(name: string, zone: string, extra: ECS.Attribute[] = [], cpu = 1024, memory = 1024) {
  const id = `i-${Math.random().toString(16).slice(2, 19).padEnd(17, '0')}`;
  const { containerInstance } = await client.send(
    new ECS.RegisterContainerInstanceCommand({
      cluster: name,
      instanceIdentityDocument: JSON.stringify({ instanceId: id, availabilityZone: zone, instanceType: 't3.micro' }),
      totalResources: [
        { name: 'CPU', type: 'INTEGER', integerValue: cpu },
        { name: 'MEMORY', type: 'INTEGER', integerValue: memory },
      ],
      attributes: extra,
    }),
  );
  return containerInstance!;
}

async function family(name: string, cpu: number, memory: number) {
  await client.send(
    new ECS.RegisterTaskDefinitionCommand({
      family: name,
      containerDefinitions: [{ name: 'c', image: BUSYBOX, cpu, memory, command: ['sleep', '600'], stopTimeout: 1 }],
    }),
  );
}

const remaining = async (name: string, arn: string) => {
  const [ci] = (
    await client.send(new ECS.DescribeContainerInstancesCommand({ cluster: name, containerInstances: [arn] }))
  ).containerInstances!;
  const r = Object.fromEntries(ci.remainingResources!.map((x) => [x.name, x.integerValue ?? x.stringSetValue]));
  return { cpu: r.CPU, memory: r.MEMORY, running: ci.runningTasksCount, pending: ci.pendingTasksCount };
};

afterEach(async () => {
  // Stop what a test started, so containers do not outlive it.
  for (const c of (await client.send(new ECS.ListClustersCommand({}))).clusterArns ?? []) {
    for (const t of (await client.send(new ECS.ListTasksCommand({ cluster: c }))).taskArns ?? []) {
      await client.send(new ECS.StopTaskCommand({ cluster: c, task: t }));
    }
  }
});

test('a cluster with no container instance cannot place EC2 tasks, as on ECS', async () => {
  await cluster('empty');
  await family('none', 128, 64);
  const err = await fails(client.send(new ECS.RunTaskCommand({ cluster: 'empty', taskDefinition: 'none' })));
  expect(err).toMatchObject({
    name: 'InvalidParameterException',
    message: 'No Container Instances were found in your cluster.',
  });
});

test('memberOf expressions and binpack choose the instance; resources are debited and returned', async () => {
  await cluster('p');
  const a = await register('p', 'us-east-1a', [{ name: 'stack', value: 'prod' }]);
  const b = await register('p', 'us-east-1b', [{ name: 'stack', value: 'prod' }], 2048, 2048);
  const c = await register('p', 'us-east-1a', [{ name: 'stack', value: 'dev' }]);
  expect(a.registeredResources!.find((r) => r.name === 'PORTS')!.stringSetValue).toEqual(
    expect.arrayContaining(['22', '51678']),
  );
  await family('work', 512, 256);
  const run = await client.send(
    new ECS.RunTaskCommand({
      cluster: 'p',
      taskDefinition: 'work',
      count: 3,
      placementConstraints: [
        { type: 'memberOf', expression: 'attribute:stack == prod and attribute:ecs.instance-type =~ t3.*' },
      ],
      placementStrategy: [{ type: 'binpack', field: 'cpu' }],
    }),
  );
  expect(run.failures).toEqual([]);
  // binpack(cpu): the 1024-CPU instance fills first (two tasks), then the 2048 one.
  expect(run.tasks!.map((t) => t.containerInstanceArn)).toEqual([
    a.containerInstanceArn,
    a.containerInstanceArn,
    b.containerInstanceArn,
  ]);
  expect(run.tasks![2].availabilityZone).toBe('us-east-1b');
  await Promise.all(run.tasks!.map((t) => waitForTask(client, t.taskArn!, 'RUNNING', { cluster: 'p' })));
  expect(await remaining('p', a.containerInstanceArn!)).toEqual({ cpu: 0, memory: 512, running: 2, pending: 0 });
  expect(await remaining('p', b.containerInstanceArn!)).toEqual({ cpu: 1536, memory: 1792, running: 1, pending: 0 });
  expect(await remaining('p', c.containerInstanceArn!)).toMatchObject({ cpu: 1024, running: 0 });
  const onA = await client.send(new ECS.ListTasksCommand({ cluster: 'p', containerInstance: a.containerInstanceArn }));
  expect(onA.taskArns).toHaveLength(2);

  // Nothing left on the prod instances that fits two more: the one that fits goes, the other fails.
  const more = await client.send(
    new ECS.RunTaskCommand({
      cluster: 'p',
      taskDefinition: 'work',
      count: 4,
      placementConstraints: [{ type: 'memberOf', expression: 'attribute:stack in [prod]' }],
    }),
  );
  // Only b has room (1536 CPU units: three more tasks); the fourth task fails on every instance.
  expect(more.tasks!.map((t) => t.containerInstanceArn)).toEqual(Array(3).fill(b.containerInstanceArn));
  expect(more.failures).toEqual(
    expect.arrayContaining([
      { arn: a.containerInstanceArn, reason: 'RESOURCE:CPU' },
      { arn: b.containerInstanceArn, reason: 'RESOURCE:CPU' },
      { arn: c.containerInstanceArn, reason: 'MemberOf placement constraint unsatisfied.' },
    ]),
  );

  // A stopped task gives its resources back.
  await client.send(new ECS.StopTaskCommand({ cluster: 'p', task: run.tasks![0].taskArn }));
  await waitForTask(client, run.tasks![0].taskArn!, 'STOPPED', { cluster: 'p' });
  expect(await remaining('p', a.containerInstanceArn!)).toMatchObject({ cpu: 512, memory: 768, running: 1 });

  // The cluster query language filters ListContainerInstances too.
  const dev = await client.send(
    new ECS.ListContainerInstancesCommand({ cluster: 'p', filter: 'attribute:stack == dev' }),
  );
  expect(dev.containerInstanceArns).toEqual([c.containerInstanceArn]);
  const busy = await client.send(
    new ECS.ListContainerInstancesCommand({ cluster: 'p', filter: 'runningTasksCount >= 1' }),
  );
  expect(busy.containerInstanceArns).toEqual([a.containerInstanceArn, b.containerInstanceArn].sort());
});

test('spread over zones and distinctInstance; memory exhaustion; bad input gets ECS errors', async () => {
  await cluster('s');
  const insts = [
    await register('s', 'us-east-1a'),
    await register('s', 'us-east-1a'),
    await register('s', 'us-east-1b'),
  ];
  await family('small', 64, 64);
  const spread = await client.send(
    new ECS.RunTaskCommand({
      cluster: 's',
      taskDefinition: 'small',
      count: 4,
      placementStrategy: [
        { type: 'spread', field: 'attribute:ecs.availability-zone' },
        { type: 'spread', field: 'instanceId' },
      ],
    }),
  );
  const zones = spread.tasks!.map((t) => t.availabilityZone).sort();
  expect(zones).toEqual(['us-east-1a', 'us-east-1a', 'us-east-1b', 'us-east-1b']);
  const onA = spread.tasks!.filter((t) => t.availabilityZone === 'us-east-1a').map((t) => t.containerInstanceArn);
  expect(new Set(onA).size).toBe(2);

  const distinct = await client.send(
    new ECS.RunTaskCommand({
      cluster: 's',
      taskDefinition: 'small',
      count: 5,
      group: 'one-each',
      placementConstraints: [{ type: 'distinctInstance' }],
    }),
  );
  expect(new Set(distinct.tasks!.map((t) => t.containerInstanceArn)).size).toBe(3);
  expect(distinct.failures!.map((f) => f.reason)).toEqual(
    Array(3).fill('DistinctInstance placement constraint unsatisfied.'),
  );

  await family('huge', 64, 4096);
  const huge = await client.send(new ECS.RunTaskCommand({ cluster: 's', taskDefinition: 'huge' }));
  expect(huge.tasks).toEqual([]);
  expect(huge.failures).toEqual(insts.map((i) => ({ arn: i.containerInstanceArn, reason: 'RESOURCE:MEMORY' })));

  for (const [input, message] of [
    [{ placementConstraints: [{ type: 'memberOf', expression: 'attribute:stack === prod' }] }, /expression/],
    [
      { placementConstraints: [{ type: 'distinctInstance', expression: 'x' }] },
      /distinctInstance expression should not be specified/,
    ],
    [{ placementStrategy: [{ type: 'binpack', field: 'disk' }] }, /binpack/],
    [{ placementStrategy: [{ type: 'spread' }] }, /spread/],
  ] as const) {
    const err = await fails(
      client.send(new ECS.RunTaskCommand({ cluster: 's', taskDefinition: 'small', ...input } as never)),
    );
    expect(err).toMatchObject({ name: 'InvalidParameterException', message: expect.stringMatching(message) });
  }
  const tdErr = await fails(
    client.send(
      new ECS.RegisterTaskDefinitionCommand({
        family: 'x',
        containerDefinitions: [{ name: 'c', image: BUSYBOX, memory: 64 }],
        placementConstraints: [{ type: 'distinctInstance' as never }],
      }),
    ),
  );
  // The task definition model allows memberOf only: the enum check refuses distinctInstance.
  expect(tdErr).toMatchObject({ name: 'InvalidParameterException', message: expect.stringMatching(/memberOf/) });
});

test('StartTask puts one task on each listed instance; unknown ones are MISSING', async () => {
  await cluster('st');
  const a = await register('st', 'us-east-1a');
  await family('manual', 128, 64);
  const out = await client.send(
    new ECS.StartTaskCommand({
      cluster: 'st',
      taskDefinition: 'manual',
      containerInstances: [a.containerInstanceArn!, 'feedface'],
    }),
  );
  expect(out.tasks).toHaveLength(1);
  expect(out.tasks![0]).toMatchObject({
    containerInstanceArn: a.containerInstanceArn,
    launchType: 'EC2',
    group: 'family:manual',
  });
  expect(out.failures).toEqual([
    { arn: expect.stringMatching(/:container-instance\/st\/feedface$/), reason: 'MISSING' },
  ]);
  await waitForTask(client, out.tasks![0].taskArn!, 'RUNNING', { cluster: 'st' });
  expect(
    await fails(
      client.send(
        new ECS.DeregisterContainerInstanceCommand({ cluster: 'st', containerInstance: a.containerInstanceArn }),
      ),
    ),
  ).toMatchObject({ name: 'InvalidParameterException' });
});

test('draining an instance moves a service task to another; a daemon follows instances as they come and go', async () => {
  await cluster('d');
  const a = await register('d', 'us-east-1a');
  await family('web', 128, 64);
  await client.send(
    new ECS.CreateServiceCommand({
      cluster: 'd',
      serviceName: 'web',
      taskDefinition: 'web',
      desiredCount: 1,
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
    }),
  );
  const first = await waitFor(
    async () => {
      const arns = (await client.send(new ECS.ListTasksCommand({ cluster: 'd', serviceName: 'web' }))).taskArns ?? [];
      return arns.length === 1 ? arns[0] : undefined;
    },
    { what: 'the service task' },
  );
  const b = await register('d', 'us-east-1b');
  await client.send(
    new ECS.UpdateContainerInstancesStateCommand({
      cluster: 'd',
      containerInstances: [a.containerInstanceArn!],
      status: 'DRAINING',
    }),
  );
  // A replacement starts on the other instance before the old task stops (minimumHealthyPercent 100).
  const moved = await waitFor(
    async () => {
      const arns = (await client.send(new ECS.ListTasksCommand({ cluster: 'd', serviceName: 'web' }))).taskArns ?? [];
      if (arns.length !== 1 || arns[0] === first) return undefined;
      const [t] = (await client.send(new ECS.DescribeTasksCommand({ cluster: 'd', tasks: arns }))).tasks!;
      return t.lastStatus === 'RUNNING' ? t : undefined;
    },
    { what: 'the task to move off the draining instance', timeoutMs: 60_000 },
  );
  expect(moved.containerInstanceArn).toBe(b.containerInstanceArn);
  const old = (await client.send(new ECS.DescribeTasksCommand({ cluster: 'd', tasks: [first] }))).tasks![0];
  expect(old.desiredStatus).toBe('STOPPED');
  await client.send(new ECS.DeleteServiceCommand({ cluster: 'd', service: 'web', force: true }));

  // DAEMON: one task on each ACTIVE instance, following registrations.
  await client.send(
    new ECS.UpdateContainerInstancesStateCommand({
      cluster: 'd',
      containerInstances: [a.containerInstanceArn!],
      status: 'ACTIVE',
    }),
  );
  await client.send(
    new ECS.CreateServiceCommand({
      cluster: 'd',
      serviceName: 'agent',
      taskDefinition: 'web',
      schedulingStrategy: 'DAEMON',
    }),
  );
  const daemonInstances = async () => {
    const arns = (await client.send(new ECS.ListTasksCommand({ cluster: 'd', serviceName: 'agent' }))).taskArns ?? [];
    if (!arns.length) return [];
    const { tasks } = await client.send(new ECS.DescribeTasksCommand({ cluster: 'd', tasks: arns }));
    return tasks!.map((t) => t.containerInstanceArn).sort();
  };
  await waitFor(async () => ((await daemonInstances()).length === 2 ? true : undefined), { what: 'two daemon tasks' });
  expect(await daemonInstances()).toEqual([a.containerInstanceArn, b.containerInstanceArn].sort());
  const c = await register('d', 'us-east-1c');
  await waitFor(async () => ((await daemonInstances()).includes(c.containerInstanceArn) ? true : undefined), {
    what: 'a daemon task on the new instance',
  });
  await client.send(
    new ECS.UpdateContainerInstancesStateCommand({
      cluster: 'd',
      containerInstances: [c.containerInstanceArn!],
      status: 'DRAINING',
    }),
  );
  await waitFor(async () => ((await daemonInstances()).length === 2 ? true : undefined), {
    what: 'the daemon to leave the drained instance',
  });
  expect(await daemonInstances()).toEqual([a.containerInstanceArn, b.containerInstanceArn].sort());
  await client.send(new ECS.DeleteServiceCommand({ cluster: 'd', service: 'agent', force: true }));
});

test('virtual instances: instancesPerCluster gives each new cluster m5.xlarge-sized instances in three zones', async () => {
  const { startTestGateway } = await import('@dockside/testing');
  const t = await startTestGateway({ plugins: [ecs({ instancesPerCluster: 3, pullPolicy: 'never' })] });
  try {
    const c2 = t.client(ECS.ECSClient);
    await c2.send(new ECS.CreateClusterCommand({ clusterName: 'v' }));
    const { containerInstanceArns } = await c2.send(new ECS.ListContainerInstancesCommand({ cluster: 'v' }));
    const { containerInstances } = await c2.send(
      new ECS.DescribeContainerInstancesCommand({ cluster: 'v', containerInstances: containerInstanceArns }),
    );
    expect(
      containerInstances!.map((ci) => ci.attributes!.find((a) => a.name === 'ecs.availability-zone')!.value).sort(),
    ).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    expect(containerInstances![0]).toMatchObject({ status: 'ACTIVE', agentConnected: true });
    expect(containerInstances![0].registeredResources!.find((r) => r.name === 'CPU')!.integerValue).toBe(4096);
    // An agent that sends no resources registers its instance type's (t3.micro: 2 vCPUs, 1 GiB less the OS's share).
    const { containerInstance: small } = await c2.send(
      new ECS.RegisterContainerInstanceCommand({
        cluster: 'v',
        instanceIdentityDocument: JSON.stringify({ instanceId: 'i-0123456789abcdef0', instanceType: 't3.micro' }),
      }),
    );
    const res = Object.fromEntries(small!.registeredResources!.map((r) => [r.name, r.integerValue]));
    expect(res).toMatchObject({ CPU: 2048, MEMORY: 972 });
    await c2.send(
      new ECS.DeregisterContainerInstanceCommand({ cluster: 'v', containerInstance: small!.containerInstanceArn }),
    );
    // Virtual instances go with their cluster.
    await c2.send(new ECS.DeleteClusterCommand({ cluster: 'v' }));
  } finally {
    await t.stop();
  }
});
