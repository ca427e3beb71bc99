/** awsvpc ENIs (addresses, validation, exhaustion, a real address on the engine) and host-port conflicts. */
import Docker from 'dockerode';
import {
  CreateClusterCommand,
  ECSClient,
  InvalidParameterException,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { ecs } from '@dockside/ecs';
import { startTestGateway, waitFor, type TestGateway } from '@dockside/testing';
import { BUSYBOX, waitForTask } from './helpers';

const docker = new Docker();
let t: TestGateway;
let client: ECSClient;
// A declared /28 (11 usable addresses) to exhaust; other subnets get a derived /24.
const SMALL = 'subnet-0f0f0f0f0f0f0f0f0';
beforeAll(async () => {
  t = await startTestGateway({
    plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never', subnets: { [SMALL]: '10.77.3.0/28' } })],
  });
  client = t.client(ECSClient);
  await client.send(new CreateClusterCommand({}));
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'svc',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'web',
          image: BUSYBOX,
          stopTimeout: 1,
          portMappings: [{ containerPort: 8080 }],
          command: [
            'sh',
            '-c',
            "mkdir -p /www; ip -4 addr show | grep -o 'inet [0-9.]*' | grep -v 127.0.0.1 > /www/index.html; httpd -f -p 8080 -h /www",
          ],
        },
      ],
    }),
  );
});
afterAll(async () => {
  await t.stop();
  for (const n of await docker.listNetworks({ filters: { label: ['dockside.network=subnet'] } }))
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => undefined);
});

const run = (subnet: string, count = 1) =>
  client.send(
    new RunTaskCommand({
      taskDefinition: 'svc',
      launchType: 'FARGATE',
      count,
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnet], securityGroups: ['sg-0123456789abcdef0'] } },
    }),
  );
const eniOf = (task: Task) =>
  Object.fromEntries(
    task.attachments!.find((a) => a.type === 'ElasticNetworkInterface')!.details!.map((d) => [d.name, d.value]),
  );
const stopAll = async (tasks: Task[]) => {
  await Promise.all(tasks.map((x) => client.send(new StopTaskCommand({ task: x.taskArn }))));
  await Promise.all(tasks.map((x) => waitForTask(client, x.taskArn!, 'STOPPED')));
};

test('concurrent tasks get distinct ENI addresses from the subnet, really held by the containers', async () => {
  const subnet = 'subnet-1234567890abcdef0';
  const { tasks } = await run(subnet, 2);
  expect(tasks![0].attachments).toEqual([
    {
      id: expect.any(String),
      type: 'ElasticNetworkInterface',
      status: 'PRECREATED',
      details: [{ name: 'subnetId', value: subnet }],
    },
  ]);
  const running = await Promise.all(tasks!.map((x) => waitForTask(client, x.taskArn!, 'RUNNING')));
  const enis = running.map(eniOf);
  for (const e of enis) {
    expect(e).toEqual({
      subnetId: subnet,
      networkInterfaceId: expect.stringMatching(/^eni-[0-9a-f]{17}$/),
      privateIPv4Address: expect.stringMatching(/^172\.31\.\d+\.\d+$/),
      privateDnsName: `ip-${e.privateIPv4Address.replace(/\./g, '-')}.ec2.internal`,
      macAddress: expect.stringMatching(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/),
    });
    expect(Number(e.privateIPv4Address.split('.')[3])).toBeGreaterThanOrEqual(4);
  }
  expect(enis[0].privateIPv4Address).not.toBe(enis[1].privateIPv4Address);
  expect(enis[0].privateIPv4Address.split('.').slice(0, 3)).toEqual(enis[1].privateIPv4Address.split('.').slice(0, 3));
  expect(running[0].attachments![0].status).toBe('ATTACHED');
  expect(running[0].containers![0].networkInterfaces).toEqual([
    { attachmentId: running[0].attachments![0].id, privateIpv4Address: enis[0].privateIPv4Address },
  ]);

  for (const [i, task] of running.entries()) {
    // Reachable at the ENI address (the container reports the address it holds)...
    const viaEni = await waitFor(async () => (await fetch(`http://${enis[i].privateIPv4Address}:8080/`)).text(), {
      what: 'httpd on the ENI',
    });
    expect(viaEni).toContain(`inet ${enis[i].privateIPv4Address}`);
    // ...and from loopback through the published port.
    const binding = task.containers![0].networkBindings![0];
    expect(binding).toMatchObject({ bindIP: '127.0.0.1', containerPort: 8080 });
    expect(await (await fetch(`http://127.0.0.1:${binding.hostPort}/`)).text()).toBe(viaEni);
  }
  await stopAll(running);
  const stopped = await waitForTask(client, running[0].taskArn!, 'STOPPED');
  expect(stopped.attachments![0].status).toBe('DELETED');
}, 60_000);

test('an exhausted subnet stops the task with TaskFailedToStart; addresses come back when tasks stop', async () => {
  const first = await run(SMALL, 10);
  const second = await run(SMALL, 1);
  const all = [...first.tasks!, ...second.tasks!];
  const running = await Promise.all(all.map((x) => waitForTask(client, x.taskArn!, 'RUNNING')));
  const ips = running
    .map((x) => eniOf(x).privateIPv4Address)
    .sort((a, b) => Number(a.split('.')[3]) - Number(b.split('.')[3]));
  expect(ips).toEqual(Array.from({ length: 11 }, (_, i) => `10.77.3.${i + 4}`));
  const { tasks } = await run(SMALL, 1);
  const failed = await waitForTask(client, tasks![0].taskArn!, 'STOPPED');
  expect(failed.stopCode).toBe('TaskFailedToStart');
  expect(failed.stoppedReason).toContain(`InsufficientFreeAddressesInSubnet: subnet ${SMALL} has no free IP addresses`);
  await stopAll(running.slice(0, 1));
  const again = await run(SMALL, 1);
  const ok = await waitForTask(client, again.tasks![0].taskArn!, 'RUNNING');
  expect(eniOf(ok).privateIPv4Address).toBe(eniOf(running[0]).privateIPv4Address);
  await stopAll([...running.slice(1), ok]);
}, 120_000);

test('networkConfiguration is validated as ECS does', async () => {
  const bad = async (
    awsvpcConfiguration: Record<string, unknown>,
    message: string,
    launchType: 'FARGATE' | 'EC2' = 'FARGATE',
  ) => {
    const err = await client
      .send(
        new RunTaskCommand({
          taskDefinition: 'svc',
          launchType,
          networkConfiguration: { awsvpcConfiguration: awsvpcConfiguration as never },
        }),
      )
      .catch((e) => e);
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect(err.message).toContain(message);
  };
  await bad({ subnets: [] }, 'subnets can not be empty.');
  await bad(
    { subnets: ['subnet-nothex!'] },
    "The subnet ID 'subnet-nothex!' does not exist (ErrorCode: InvalidSubnetID.NotFound)",
  );
  await bad(
    { subnets: ['subnet-12345678'], securityGroups: ['default'] },
    "The security group 'default' does not exist",
  );
  await bad(
    { subnets: ['subnet-12345678'], securityGroups: Array.from({ length: 6 }, (_, i) => `sg-1234567${i}`) },
    'securityGroups can have at most 5 items.',
  );
  await bad(
    { subnets: ['subnet-12345678'], assignPublicIp: 'ENABLED' },
    'Assign public IP is not supported for this launch type.',
    'EC2',
  );
  const missing = await client
    .send(new RunTaskCommand({ taskDefinition: 'svc', launchType: 'FARGATE' }))
    .catch((e) => e);
  expect(missing.message).toBe("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
});

test('a fixed host port held by a live task is a RESOURCE:PORTS failure', async () => {
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'fixed',
      containerDefinitions: [
        {
          name: 'main',
          image: BUSYBOX,
          memory: 32,
          stopTimeout: 1,
          portMappings: [{ containerPort: 80, hostPort: 18081 }],
          command: ['sleep', '3600'],
        },
      ],
    }),
  );
  const out = await client.send(new RunTaskCommand({ taskDefinition: 'fixed', count: 2 }));
  expect(out.tasks).toHaveLength(1);
  // The failure names the container instance that lacked the port, as ECS does.
  expect(out.failures).toEqual([
    {
      arn: expect.stringMatching(/^arn:aws:ecs:us-east-1:000000000000:container-instance\/default\/[0-9a-f]{32}$/),
      reason: 'RESOURCE:PORTS',
    },
  ]);
  const first = await waitForTask(client, out.tasks![0].taskArn!, 'RUNNING');
  expect(first.containers![0].networkBindings).toEqual([
    { bindIP: '127.0.0.1', containerPort: 80, hostPort: 18081, protocol: 'tcp' },
  ]);
  const again = await client.send(new RunTaskCommand({ taskDefinition: 'fixed' }));
  expect(again.tasks).toEqual([]);
  expect(again.failures![0].reason).toBe('RESOURCE:PORTS');
  await stopAll([first]);
  const later = await client.send(new RunTaskCommand({ taskDefinition: 'fixed' }));
  expect(later.tasks).toHaveLength(1);
  await stopAll(later.tasks!);
});
