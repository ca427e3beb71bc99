/**
 * Capacity providers through the real SDK: AWS's name rules and errors, managed scaling adding
 * virtual instances for tasks and terminating idle ones down to targetCapacity, a strategy
 * splitting 10 real tasks by base and weight, a provider
 * in use refused removal from its cluster, and DeleteCapacityProvider's DELETE_FAILED answer.
 */
import * as ECS from '@aws-sdk/client-ecs';
import { ecs } from '@dockside/ecs';
import { useTestGateway, waitFor } from '@dockside/testing';
import { BUSYBOX } from './helpers';

// Idle managed-scaling instances are terminated after half a second here (15 minutes by default).
const gw = useTestGateway(() => ({ plugins: [ecs({ pullPolicy: 'never', scaleInAfterMs: 500 })] }), {
  resetEach: true,
});
const client = gw.sdk(ECS.ECSClient);
const fails = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { name: string; message: string }) => e,
  );
const asg = (name: string) =>
  `arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:${name}-uuid:autoScalingGroupName/${name}`;

async function provider(name: string, managed = true) {
  return (
    await client.send(
      new ECS.CreateCapacityProviderCommand({
        name,
        autoScalingGroupProvider: {
          autoScalingGroupArn: asg(name),
          ...(managed ? { managedScaling: { status: 'ENABLED', targetCapacity: 100 } } : {}),
        },
      }),
    )
  ).capacityProvider!;
}

test('create, describe, update and delete with AWS rules and defaults', async () => {
  const p = await provider('cp-a');
  expect(p).toMatchObject({
    capacityProviderArn: 'arn:aws:ecs:us-east-1:000000000000:capacity-provider/cp-a',
    name: 'cp-a',
    status: 'ACTIVE',
    type: 'EC2_AUTOSCALING',
    autoScalingGroupProvider: {
      autoScalingGroupArn: asg('cp-a'),
      managedScaling: {
        status: 'ENABLED',
        targetCapacity: 100,
        minimumScalingStepSize: 1,
        maximumScalingStepSize: 10000,
        instanceWarmupPeriod: 300,
      },
      managedTerminationProtection: 'DISABLED',
    },
  });
  expect(await fails(provider('cp-a'))).toMatchObject({
    name: 'ClientException',
    message: expect.stringMatching(/^The specified capacity provider already exists/),
  });
  expect(await fails(provider('fargate-x'))).toMatchObject({
    name: 'ClientException',
    message: expect.stringMatching(/cannot be prefixed/),
  });
  expect(
    await fails(
      client.send(
        new ECS.CreateCapacityProviderCommand({
          name: 'dup',
          autoScalingGroupProvider: { autoScalingGroupArn: asg('cp-a') },
        }),
      ),
    ),
  ).toMatchObject({
    name: 'ClientException',
    message: expect.stringMatching(/Auto Scaling group ARN is already being used/),
  });

  const all = await client.send(new ECS.DescribeCapacityProvidersCommand({}));
  expect(all.capacityProviders!.map((x) => x.name)).toEqual(['FARGATE', 'FARGATE_SPOT', 'cp-a']);
  const some = await client.send(new ECS.DescribeCapacityProvidersCommand({ capacityProviders: ['cp-a', 'nope'] }));
  expect(some.failures).toEqual([{ arn: 'nope', reason: 'MISSING' }]);

  const upd = await client.send(
    new ECS.UpdateCapacityProviderCommand({
      name: 'cp-a',
      autoScalingGroupProvider: { managedScaling: { targetCapacity: 80 } },
    }),
  );
  expect(upd.capacityProvider).toMatchObject({
    updateStatus: 'UPDATE_COMPLETE',
    autoScalingGroupProvider: { managedScaling: { status: 'ENABLED', targetCapacity: 80 } },
  });

  await client.send(new ECS.CreateClusterCommand({ clusterName: 'cp', capacityProviders: ['cp-a'] }));
  const refused = await client.send(new ECS.DeleteCapacityProviderCommand({ capacityProvider: 'cp-a' }));
  expect(refused.capacityProvider).toMatchObject({
    status: 'ACTIVE',
    updateStatus: 'DELETE_FAILED',
    updateStatusReason:
      'The capacity provider cannot be deleted because it is associated with cluster: cp. Remove the capacity provider from the cluster and try again.',
  });
  await client.send(
    new ECS.PutClusterCapacityProvidersCommand({
      cluster: 'cp',
      capacityProviders: [],
      defaultCapacityProviderStrategy: [],
    }),
  );
  const gone = await client.send(new ECS.DeleteCapacityProviderCommand({ capacityProvider: 'cp-a' }));
  expect(gone.capacityProvider).toMatchObject({ updateStatus: 'DELETE_IN_PROGRESS' });
  const after = await client.send(new ECS.DescribeCapacityProvidersCommand({ capacityProviders: ['cp-a'] }));
  expect(after.capacityProviders![0]).toMatchObject({ status: 'INACTIVE' });
  expect(
    await fails(client.send(new ECS.CreateClusterCommand({ clusterName: 'x', capacityProviders: ['cp-a'] }))),
  ).toMatchObject({ name: 'InvalidParameterException' });
});

test('a strategy splits 10 real tasks by base and weight; managed scaling adds the instances they need', async () => {
  await provider('cp-a');
  await provider('cp-b');
  await client.send(new ECS.CreateClusterCommand({ clusterName: 'cp', capacityProviders: ['cp-a', 'cp-b'] }));
  await client.send(
    new ECS.RegisterTaskDefinitionCommand({
      family: 'split',
      containerDefinitions: [
        { name: 'c', image: BUSYBOX, cpu: 1024, memory: 32, command: ['sleep', '600'], stopTimeout: 1 },
      ],
    }),
  );
  const strategy = [
    { capacityProvider: 'cp-a', base: 2, weight: 1 },
    { capacityProvider: 'cp-b', weight: 3 },
  ];
  const mixed = await fails(
    client.send(
      new ECS.RunTaskCommand({
        cluster: 'cp',
        taskDefinition: 'split',
        capacityProviderStrategy: [...strategy, { capacityProvider: 'FARGATE', weight: 1 }],
      }),
    ),
  );
  expect(mixed).toMatchObject({ name: 'InvalidParameterException' });
  const run = await client.send(
    new ECS.RunTaskCommand({ cluster: 'cp', taskDefinition: 'split', count: 10, capacityProviderStrategy: strategy }),
  );
  try {
    expect(run.failures).toEqual([]);
    const by = (n: string) => run.tasks!.filter((t) => t.capacityProviderName === n);
    expect(by('cp-a')).toHaveLength(4);
    expect(by('cp-b')).toHaveLength(6);
    expect(run.tasks!.every((t) => t.launchType === 'EC2' && t.containerInstanceArn)).toBe(true);
    // Each instance (4096 CPU units) takes four 1024-unit tasks: cp-a needed 1, cp-b 2.
    const { containerInstanceArns } = await client.send(new ECS.ListContainerInstancesCommand({ cluster: 'cp' }));
    const { containerInstances } = await client.send(
      new ECS.DescribeContainerInstancesCommand({ cluster: 'cp', containerInstances: containerInstanceArns }),
    );
    const perProvider = (n: string) => containerInstances!.filter((ci) => ci.capacityProviderName === n).length;
    expect([perProvider('cp-a'), perProvider('cp-b')]).toEqual([1, 2]);
    for (const t of by('cp-b')) {
      expect(
        containerInstances!.find((ci) => ci.containerInstanceArn === t.containerInstanceArn)!.capacityProviderName,
      ).toBe('cp-b');
    }
    await waitFor(
      async () => {
        const { tasks } = await client.send(
          new ECS.DescribeTasksCommand({ cluster: 'cp', tasks: run.tasks!.map((t) => t.taskArn!) }),
        );
        return tasks!.every((t) => t.lastStatus === 'RUNNING') ? true : undefined;
      },
      { what: 'ten tasks running', timeoutMs: 90_000 },
    );
    // A provider with running tasks cannot leave the cluster.
    expect(
      await fails(
        client.send(
          new ECS.PutClusterCapacityProvidersCommand({
            cluster: 'cp',
            capacityProviders: ['cp-a'],
            defaultCapacityProviderStrategy: [],
          }),
        ),
      ),
    ).toMatchObject({
      name: 'ResourceInUseException',
      message: 'The specified capacity provider is in use and cannot be removed.',
    });
  } finally {
    for (const t of run.tasks ?? []) await client.send(new ECS.StopTaskCommand({ cluster: 'cp', task: t.taskArn }));
  }
});

test('managed scale-in terminates idle instances down to what targetCapacity keeps', async () => {
  await client.send(
    new ECS.CreateCapacityProviderCommand({
      name: 'cp-s',
      autoScalingGroupProvider: {
        autoScalingGroupArn: asg('cp-s'),
        managedScaling: { status: 'ENABLED', targetCapacity: 50 },
      },
    }),
  );
  await client.send(new ECS.CreateClusterCommand({ clusterName: 'scale', capacityProviders: ['cp-s'] }));
  await client.send(
    new ECS.RegisterTaskDefinitionCommand({
      family: 'whole',
      containerDefinitions: [
        { name: 'c', image: BUSYBOX, cpu: 4096, memory: 32, command: ['sleep', '600'], stopTimeout: 1 },
      ],
    }),
  );
  const run = await client.send(
    new ECS.RunTaskCommand({
      cluster: 'scale',
      taskDefinition: 'whole',
      count: 4,
      capacityProviderStrategy: [{ capacityProvider: 'cp-s', weight: 1 }],
    }),
  );
  const active = async () =>
    (await client.send(new ECS.ListContainerInstancesCommand({ cluster: 'scale' }))).containerInstanceArns ?? [];
  try {
    expect(run.failures).toEqual([]);
    // One instance per 4096-unit task; busy instances are never taken.
    const before = await active();
    expect(before).toHaveLength(4);
    for (const t of run.tasks!.slice(1))
      await client.send(new ECS.StopTaskCommand({ cluster: 'scale', task: t.taskArn }));
    // One instance in use at targetCapacity 50 keeps two; the other two go.
    await waitFor(async () => ((await active()).length === 2 ? true : undefined), {
      what: 'two instances left',
      timeoutMs: 60_000,
    });
    const left = await active();
    const kept = run.tasks![0].containerInstanceArn!;
    expect(left).toContain(kept);
    const { containerInstances } = await client.send(
      new ECS.DescribeContainerInstancesCommand({
        cluster: 'scale',
        containerInstances: before.filter((a) => !left.includes(a)),
      }),
    );
    expect(containerInstances!.map((ci) => ci.status)).toEqual(['INACTIVE', 'INACTIVE']);
  } finally {
    await client.send(new ECS.StopTaskCommand({ cluster: 'scale', task: run.tasks![0].taskArn }));
  }
});
