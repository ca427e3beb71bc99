/**
 * ECS daemons on an ECS Managed Instances capacity provider, with real containers: instances appear
 * as tasks need them, the daemon runs exactly one task on each and follows them as they come and
 * go, UpdateDaemon rolls a new revision onto every instance, DeleteDaemon stops its tasks; daemon
 * task definitions have revisions; errors are ECS's.
 */
import {
  ClientException,
  CreateCapacityProviderCommand,
  CreateClusterCommand,
  CreateDaemonCommand,
  DeleteCapacityProviderCommand,
  DeleteDaemonCommand,
  DeleteDaemonTaskDefinitionCommand,
  DeregisterContainerInstanceCommand,
  DescribeDaemonCommand,
  DescribeDaemonDeploymentsCommand,
  DescribeDaemonRevisionsCommand,
  DescribeDaemonTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  InvalidParameterException,
  ListContainerInstancesCommand,
  ListDaemonDeploymentsCommand,
  ListDaemonTaskDefinitionsCommand,
  ListDaemonsCommand,
  ListTasksCommand,
  RegisterDaemonTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateDaemonCommand,
} from '@aws-sdk/client-ecs';
import { ecs } from '@dockside/ecs';
import { TEST_IMAGES, ensureBusyboxImage, rejection, useTestGateway, waitFor } from '@dockside/testing';

const gw = useTestGateway(() => ({ plugins: [ecs({ pullPolicy: 'never', serviceResyncMs: 200 })] }));
const client = gw.sdk(ECSClient);
const CLUSTER = 'daemons';

/** Starts `n` app tasks on distinct instances of the provider: Managed Instances launches what they need. */
async function appTasks(n: number) {
  const { tasks, failures } = await client.send(
    new RunTaskCommand({
      cluster: CLUSTER,
      taskDefinition: 'app',
      count: n,
      capacityProviderStrategy: [{ capacityProvider: 'mi', weight: 1 }],
      placementConstraints: [{ type: 'distinctInstance' }],
    }),
  );
  expect(failures).toEqual([]);
  return tasks!;
}

async function daemonState(arn: string) {
  const { daemon } = await client.send(new DescribeDaemonCommand({ daemonArn: arn }));
  return daemon!;
}

/** Waits until the daemon's current revision runs on exactly `n` instances and none lacks it. */
function waitRunning(arn: string, n: number, revision?: string) {
  return waitFor(
    async () => {
      const d = await daemonState(arn);
      const current = d.currentRevisions?.find((r) => !revision || r.arn === revision);
      return d.currentRevisions?.length === 1 &&
        current?.totalRunningCount === n &&
        current.totalWithoutDaemonCount === 0
        ? d
        : undefined;
    },
    { what: `daemon running on ${n} instances`, timeoutMs: 60_000 },
  );
}

test('a daemon runs one task per Managed Instances instance, follows instances, rolls revisions, and goes', async () => {
  await ensureBusyboxImage();
  await client.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const { capacityProvider } = await client.send(
    new CreateCapacityProviderCommand({
      name: 'mi',
      cluster: CLUSTER,
      managedInstancesProvider: {
        infrastructureRoleArn: 'arn:aws:iam::000000000000:role/ecsInfrastructureRole',
        instanceLaunchTemplate: {
          ec2InstanceProfileArn: 'arn:aws:iam::000000000000:instance-profile/ecsInstanceRole',
          networkConfiguration: { subnets: ['subnet-0123456789abcdef0'] },
        },
      },
    }),
  );
  expect(capacityProvider).toMatchObject({ type: 'MANAGED_INSTANCES', status: 'ACTIVE', cluster: CLUSTER });
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'app',
      containerDefinitions: [
        { name: 'app', image: TEST_IMAGES.busybox, memory: 32, stopTimeout: 2, command: ['sleep', '600'] },
      ],
    }),
  );
  const agent = (tag: string) =>
    client.send(
      new RegisterDaemonTaskDefinitionCommand({
        family: 'node-agent',
        containerDefinitions: [
          // sleep as PID 1 ignores SIGTERM: a short stopTimeout keeps replacements quick.
          {
            name: 'agent',
            image: TEST_IMAGES.busybox,
            memory: 16,
            stopTimeout: 2,
            command: ['sh', '-c', `echo ${tag}; sleep 600`],
          },
        ],
      }),
    );
  const v1 = (await agent('v1')).daemonTaskDefinitionArn!;
  const v2 = (await agent('v2')).daemonTaskDefinitionArn!;
  expect(v1).toBe('arn:aws:ecs:us-east-1:000000000000:daemon-task-definition/node-agent:1');
  expect(v2.endsWith(':2')).toBe(true);
  const latest = await client.send(new DescribeDaemonTaskDefinitionCommand({ daemonTaskDefinition: 'node-agent' }));
  expect(latest.daemonTaskDefinition).toMatchObject({ revision: 2, status: 'ACTIVE' });

  // Daemons only go on Managed Instances providers.
  const bad = await rejection(
    client.send(
      new CreateDaemonCommand({
        daemonName: 'x',
        clusterArn: CLUSTER,
        daemonTaskDefinitionArn: v1,
        capacityProviderArns: ['FARGATE'],
      }),
    ),
  );
  expect(bad).toBeInstanceOf(InvalidParameterException);

  await appTasks(2);
  const created = await client.send(
    new CreateDaemonCommand({
      daemonName: 'agent',
      clusterArn: CLUSTER,
      daemonTaskDefinitionArn: v1,
      capacityProviderArns: [capacityProvider!.capacityProviderArn!],
    }),
  );
  const arn = created.daemonArn!;
  expect(arn).toBe(`arn:aws:ecs:us-east-1:000000000000:daemon/${CLUSTER}/agent`);
  await waitRunning(arn, 2);
  // The deployment completes once every instance runs the revision.
  await waitFor(
    async () => {
      const { daemonDeployments } = await client.send(
        new DescribeDaemonDeploymentsCommand({ daemonDeploymentArns: [created.deploymentArn!] }),
      );
      return daemonDeployments![0].status === 'SUCCESSFUL' || undefined;
    },
    { what: 'the first deployment SUCCESSFUL' },
  );
  const daemonTaskArns = async () =>
    (await client.send(new ListTasksCommand({ cluster: CLUSTER, desiredStatus: 'RUNNING' }))).taskArns ?? [];
  const onInstances = async () => {
    const { tasks } = await client.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: await daemonTaskArns() }));
    return tasks!.filter((t) => t.group === 'daemon:agent');
  };
  const placed = await onInstances();
  expect(new Set(placed.map((t) => t.containerInstanceArn)).size).toBe(2);
  expect(placed[0]).toMatchObject({ taskDefinitionArn: v1, capacityProviderName: 'mi' });

  // An instance comes: the daemon goes onto it. One goes: its daemon task stops.
  // distinctInstance counts the group's running tasks too: one more task needs one more instance.
  await appTasks(1);
  await waitRunning(arn, 3);
  const instances = (await client.send(new ListContainerInstancesCommand({ cluster: CLUSTER }))).containerInstanceArns!;
  expect(instances).toHaveLength(3);
  await client.send(
    new DeregisterContainerInstanceCommand({ cluster: CLUSTER, containerInstance: instances[0], force: true }),
  );
  await waitRunning(arn, 2);

  // A new revision rolls onto every instance; the revision records its images.
  const updated = await client.send(
    new UpdateDaemonCommand({
      daemonArn: arn,
      daemonTaskDefinitionArn: v2,
      capacityProviderArns: [capacityProvider!.capacityProviderArn!],
      deploymentConfiguration: { drainPercent: 50 },
    }),
  );
  const after = await waitFor(
    async () => {
      const d = await daemonState(arn);
      return d.currentRevisions?.length === 1 && d.currentRevisions[0].arn?.endsWith('/2') ? d : undefined;
    },
    { what: 'revision 2 everywhere', timeoutMs: 60_000 },
  );
  await waitRunning(arn, 2, after.currentRevisions![0].arn);
  expect((await onInstances()).every((t) => t.taskDefinitionArn === v2)).toBe(true);
  const { daemonRevisions } = await client.send(
    new DescribeDaemonRevisionsCommand({
      daemonRevisionArns: [after.currentRevisions![0].arn!, 'arn:aws:ecs:us-east-1:000000000000:daemon-revision/x/y/9'],
    }),
  );
  expect(daemonRevisions![0]).toMatchObject({
    daemonTaskDefinitionArn: v2,
    containerImages: [{ containerName: 'agent', image: TEST_IMAGES.busybox }],
  });
  const deployments = await client.send(new ListDaemonDeploymentsCommand({ daemonArn: arn }));
  expect(deployments.daemonDeployments!.map((d) => d.status)).toEqual(expect.arrayContaining(['SUCCESSFUL']));
  expect(deployments.daemonDeployments![0].daemonDeploymentArn).toBe(updated.deploymentArn);
  expect((await client.send(new ListDaemonsCommand({ clusterArn: CLUSTER }))).daemonSummariesList).toEqual([
    expect.objectContaining({ daemonArn: arn, status: 'ACTIVE' }),
  ]);

  // The provider cannot go while the daemon uses it; a daemon task definition revision can be deleted.
  const inUse = await rejection(client.send(new DeleteCapacityProviderCommand({ capacityProvider: 'mi' })));
  expect([inUse.name, inUse.message]).toEqual([
    'ClientException',
    'Cannot delete capacity provider. Daemon services are still associated with this capacity provider.',
  ]);
  await client.send(new DeleteDaemonTaskDefinitionCommand({ daemonTaskDefinition: 'node-agent:1' }));
  const listed = await client.send(new ListDaemonTaskDefinitionsCommand({ familyPrefix: 'node', status: 'ALL' }));
  expect(listed.daemonTaskDefinitions!.map((t) => t.status)).toEqual(['DELETE_IN_PROGRESS', 'ACTIVE']);

  // Deleting the daemon stops its tasks; then it is gone.
  expect((await client.send(new DeleteDaemonCommand({ daemonArn: arn }))).status).toBe('DELETE_IN_PROGRESS');
  await waitFor(async () => ((await onInstances()).length === 0 ? true : undefined), {
    what: 'daemon tasks stopped',
    timeoutMs: 60_000,
  });
  const gone = await waitFor(
    async () => {
      const e = await rejection(client.send(new DescribeDaemonCommand({ daemonArn: arn }))).catch(() => undefined);
      return e?.name === 'DaemonNotFoundException' ? e : undefined;
    },
    { what: 'the daemon gone' },
  );
  expect(gone.message).toContain("The specified daemon wasn't found");
  expect(
    await rejection(client.send(new DescribeDaemonTaskDefinitionCommand({ daemonTaskDefinition: 'nope' }))),
  ).toBeInstanceOf(ClientException);
}, 180_000);
