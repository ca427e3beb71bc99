/**
 * Container definition fidelity on real Docker: each field is read back from inside the
 * container (or from the engine where it cannot be seen inside), and volumes really share data.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Docker from 'dockerode';
import {
  CreateClusterCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ContainerDefinition,
} from '@aws-sdk/client-ecs';
import { ecs } from '@dockside/ecs';
import { startTestGateway, type TestGateway } from '@dockside/testing';
import { BUSYBOX, waitForTask } from './helpers';

let t: TestGateway;
let client: ECSClient;
const sharedRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-efs-'));
const hostDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-host-'));
const sharedVolume = `dockside-test-shared-${process.pid}`;
const docker = new Docker();

beforeAll(async () => {
  fs.writeFileSync(path.join(hostDir, 'from-host.txt'), 'host-content\n');
  t = await startTestGateway({
    plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never', sharedVolumesRoot: sharedRoot })],
  });
  client = t.client(ECSClient);
  await client.send(new CreateClusterCommand({}));
});
afterAll(async () => {
  await t.stop();
  await docker
    .getVolume(sharedVolume)
    .remove()
    .catch(() => undefined);
  fs.rmSync(sharedRoot, { recursive: true, force: true });
  fs.rmSync(hostDir, { recursive: true, force: true });
});

/** Runs a task and returns each container's output lines. */
async function run(family: string, containerDefinitions: ContainerDefinition[], extra: Record<string, unknown> = {}) {
  await client.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions, ...extra }));
  const lines: Record<string, string[]> = {};
  const { tasks } = await client.send(new RunTaskCommand({ taskDefinition: family }));
  const arn = tasks![0].taskArn!;
  const off = t.gateway.bus.subscribe('ecs.container-output', (e) => {
    if (e.taskArn === arn) (lines[e.containerName] ??= []).push(e.line);
  });
  const task = await waitForTask(client, arn, 'STOPPED');
  off();
  return { task, lines };
}

test('user, read-only root, ulimits, shm, tmpfs, env, hostname, workdir, hosts, dns, sysctls, init, devices', async () => {
  const { task, lines } = await run('fidelity', [
    {
      name: 'probe',
      image: BUSYBOX,
      memory: 64,
      user: '65534',
      readonlyRootFilesystem: true,
      workingDirectory: '/tmp',
      hostname: 'probe-host',
      environment: [{ name: 'FOO', value: 'bar' }],
      ulimits: [{ name: 'nofile', softLimit: 1234, hardLimit: 2345 }],
      linuxParameters: {
        sharedMemorySize: 96,
        tmpfs: [{ containerPath: '/scratch', size: 8, mountOptions: ['noexec'] }],
        initProcessEnabled: true,
        devices: [{ hostPath: '/dev/null', containerPath: '/dev/mynull', permissions: ['read', 'write'] }],
      },
      extraHosts: [{ hostname: 'db.internal', ipAddress: '10.9.8.7' }],
      dnsSearchDomains: ['corp.example'],
      dnsServers: ['127.0.0.53'],
      systemControls: [{ namespace: 'net.ipv4.ip_unprivileged_port_start', value: '99' }],
      command: [
        'sh',
        '-c',
        [
          'echo uid=$(id -u)',
          'touch /rootfile 2>/dev/null && echo root-writable || echo root-readonly',
          'echo nofile=$(ulimit -n)',
          "echo shm=$(df -k /dev/shm | tail -1 | awk '{print $2}')",
          "echo tmpfs=$(grep ' /scratch ' /proc/mounts | awk '{print $3\":\"$4}')",
          'echo foo=$FOO region=$AWS_REGION',
          'echo host=$(hostname) pwd=$(pwd)',
          "echo hosts=$(grep db.internal /etc/hosts | awk '{print $1}')",
          "echo search=$(grep search /etc/resolv.conf | awk '{print $2}')",
          'echo sysctl=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)',
          'echo pid1=$(cat /proc/1/comm)',
          'test -c /dev/mynull && echo device-ok',
          // No cpu in the definition: the agent's 2 shares (cgroup v2 shows them as weight 1).
          'echo cpu=$(cat /sys/fs/cgroup/cpu/cpu.shares 2>/dev/null || cat /sys/fs/cgroup/cpu.weight)',
        ].join('; '),
      ],
    },
  ]);
  expect(task.containers![0].exitCode).toBe(0);
  expect(lines.probe).toEqual([
    'uid=65534',
    'root-readonly',
    'nofile=1234',
    'shm=98304',
    expect.stringMatching(/^tmpfs=tmpfs:rw,.*noexec.*size=8192k/),
    'foo=bar region=us-east-1',
    'host=probe-host pwd=/tmp',
    'hosts=10.9.8.7',
    // (the name server is checked at the engine: on a user-defined network Docker's embedded
    // DNS sits in resolv.conf and forwards to the configured servers)
    'search=corp.example',
    'sysctl=99',
    'pid1=docker-init',
    'device-ok',
    expect.stringMatching(/^cpu=(2|1)$/),
  ]);
});

test('capabilities add/drop and the settings only the engine can show', async () => {
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'caps',
      containerDefinitions: [
        {
          name: 'main',
          image: BUSYBOX,
          memory: 64,
          memoryReservation: 32,
          cpu: 256,
          stopTimeout: 1,
          pseudoTerminal: true,
          interactive: true,
          dockerLabels: { 'team.name': 'platform' },
          dockerSecurityOptions: ['no-new-privileges'],
          dnsServers: ['127.0.0.53'],
          entryPoint: ['sh', '-c'],
          command: ["grep CapEff /proc/self/status; echo ready; trap 'exit 0' TERM; sleep 3600 & wait"],
          linuxParameters: { capabilities: { add: ['NET_ADMIN'], drop: ['CHOWN'] } },
        },
      ],
    }),
  );
  const lines: string[] = [];
  const off = t.gateway.bus.subscribe('ecs.container-output', (e) => void lines.push(e.line));
  const { tasks } = await client.send(new RunTaskCommand({ taskDefinition: 'caps' }));
  const running = await waitForTask(client, tasks![0].taskArn!, 'RUNNING');
  const info = await docker.getContainer(running.containers![0].runtimeId!).inspect();
  await client.send(new StopTaskCommand({ task: running.taskArn }));
  await waitForTask(client, running.taskArn!, 'STOPPED');
  off();
  const capEff = BigInt(`0x${lines.find((l) => l.startsWith('CapEff'))!.split(/\s+/)[1]}`);
  expect(capEff & (1n << 12n)).toBe(1n << 12n); // CAP_NET_ADMIN added
  expect(capEff & 1n).toBe(0n); // CAP_CHOWN dropped
  expect(info.Config.Labels).toMatchObject({
    'team.name': 'platform',
    'com.amazonaws.ecs.task-arn': running.taskArn,
    'com.amazonaws.ecs.cluster': running.clusterArn,
    'com.amazonaws.ecs.container-name': 'main',
    'com.amazonaws.ecs.task-definition-family': 'caps',
    'com.amazonaws.ecs.task-definition-version': '1',
    'dockside.instance': expect.any(String),
  });
  expect(info.Config.Tty).toBe(true);
  expect(info.Config.OpenStdin).toBe(true);
  expect(info.Config.Entrypoint).toEqual(['sh', '-c']);
  expect(info.HostConfig).toMatchObject({
    Memory: 64 * 1024 * 1024,
    MemoryReservation: 32 * 1024 * 1024,
    CpuShares: 256,
    SecurityOpt: ['no-new-privileges'],
    Dns: ['127.0.0.53'],
  });
});

test('volumes: task-scoped, readOnly mounts, volumesFrom, host paths, shared Docker volumes', async () => {
  const { task, lines } = await run(
    'vols',
    [
      {
        name: 'writer',
        image: BUSYBOX,
        memory: 32,
        essential: false,
        command: ['sh', '-c', 'echo scoped > /data/x && echo written'],
        mountPoints: [
          { sourceVolume: 'scratch', containerPath: '/data' },
          { sourceVolume: 'named', containerPath: '/named' },
        ],
      },
      {
        name: 'reader',
        image: BUSYBOX,
        memory: 32,
        dependsOn: [{ containerName: 'writer', condition: 'SUCCESS' }],
        mountPoints: [
          { sourceVolume: 'scratch', containerPath: '/ro', readOnly: true },
          { sourceVolume: 'host', containerPath: '/host', readOnly: true },
        ],
        volumesFrom: [{ sourceContainer: 'writer' }],
        command: [
          'sh',
          '-c',
          'cat /ro/x; cat /data/x; cat /host/from-host.txt; touch /ro/y 2>/dev/null || echo ro-ok; echo shared > /named/s',
        ],
      },
    ],
    {
      volumes: [
        { name: 'scratch' },
        { name: 'host', host: { sourcePath: hostDir } },
        {
          name: 'named',
          dockerVolumeConfiguration: {
            scope: 'shared',
            autoprovision: true,
            driver: 'local',
            labels: { purpose: 'test' },
          },
        },
      ],
    },
  );
  expect(task.containers!.map((c) => c.exitCode)).toEqual([0, 0]);
  expect(lines.reader).toEqual(['scoped', 'scoped', 'host-content', 'ro-ok']);
  // The task-scoped volume went away with the task; the shared one stays.
  const vols = (await docker.listVolumes()).Volumes ?? [];
  expect(vols.filter((v) => v.Name.includes(task.taskArn!.split('/').pop()!))).toEqual([]);
  expect(vols.some((v) => v.Name === 'named')).toBe(true);
  await docker
    .getVolume('named')
    .remove()
    .catch(() => undefined);
});

test('an EFS volume is shared between two tasks through its file system id', async () => {
  const efs = { name: 'efs', efsVolumeConfiguration: { fileSystemId: 'fs-0123456789abcdef0', rootDirectory: '/app' } };
  const first = await run(
    'efs-writer',
    [
      {
        name: 'main',
        image: BUSYBOX,
        memory: 32,
        command: ['sh', '-c', 'echo from-task-1 > /mnt/efs/note'],
        mountPoints: [{ sourceVolume: 'efs', containerPath: '/mnt/efs' }],
      },
    ],
    { volumes: [efs] },
  );
  expect(first.task.containers![0].exitCode).toBe(0);
  const second = await run(
    'efs-reader',
    [
      {
        name: 'main',
        image: BUSYBOX,
        memory: 32,
        command: ['cat', '/mnt/efs/note'],
        mountPoints: [{ sourceVolume: 'efs', containerPath: '/mnt/efs' }],
      },
    ],
    { volumes: [efs] },
  );
  expect(second.lines.main).toEqual(['from-task-1']);
  expect(fs.readFileSync(path.join(sharedRoot, 'fs-0123456789abcdef0', 'app', 'note'), 'utf8')).toBe('from-task-1\n');
});

test('a shared Docker volume without autoprovision must exist', async () => {
  const { task } = await run(
    'no-autoprovision',
    [
      {
        name: 'main',
        image: BUSYBOX,
        memory: 32,
        command: ['true'],
        mountPoints: [{ sourceVolume: sharedVolume, containerPath: '/v' }],
      },
    ],
    {
      volumes: [{ name: sharedVolume, dockerVolumeConfiguration: { scope: 'shared', autoprovision: false } }],
    },
  );
  expect(task.stopCode).toBe('TaskFailedToStart');
  expect(task.stoppedReason).toBe(
    `CannotCreateVolumeError: volume '${sharedVolume}' does not exist and autoprovision is false`,
  );
});

test('awsvpc: the containers of a task share one network namespace (localhost)', async () => {
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'pair',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        { name: 'server', image: BUSYBOX, essential: false, command: ['sh', '-c', 'echo pong | nc -l -p 7000'] },
        {
          name: 'client',
          image: BUSYBOX,
          dependsOn: [{ containerName: 'server', condition: 'START' }],
          command: [
            'sh',
            '-c',
            'for i in 1 2 3 4 5 6 7 8 9 10; do nc 127.0.0.1 7000 </dev/null && exit 0; sleep 0.3; done; exit 1',
          ],
        },
      ],
    }),
  );
  const lines: string[] = [];
  const { tasks } = await client.send(
    new RunTaskCommand({
      taskDefinition: 'pair',
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-12345678'] } },
    }),
  );
  const arn = tasks![0].taskArn!;
  const off = t.gateway.bus.subscribe('ecs.container-output', (e) => {
    if (e.taskArn === arn) lines.push(`${e.containerName}:${e.line}`);
  });
  const done = await waitForTask(client, arn, 'STOPPED');
  off();
  expect(done).toMatchObject({
    launchType: 'FARGATE',
    platformVersion: '1.4.0',
    platformFamily: 'Linux',
    cpu: '256',
    memory: '512',
  });
  expect(done.containers!.find((c) => c.name === 'client')!.exitCode).toBe(0);
  expect(lines).toContain('client:pong');
  const left = await docker.listContainers({ all: true, filters: { label: [`com.amazonaws.ecs.task-arn=${arn}`] } });
  expect(left).toEqual([]);
});

test('volumeConfigurations: an EBS volume configured at launch is a per-task volume recorded in attachments', async () => {
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'ebs',
      volumes: [{ name: 'data', configuredAtLaunch: true }],
      containerDefinitions: [
        {
          name: 'main',
          image: BUSYBOX,
          memory: 32,
          command: ['sh', '-c', 'echo ok > /data/f && cat /data/f'],
          mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }],
        },
      ],
    }),
  );
  const { tasks } = await client.send(
    new RunTaskCommand({
      taskDefinition: 'ebs',
      volumeConfigurations: [
        {
          name: 'data',
          managedEBSVolume: { roleArn: 'arn:aws:iam::000000000000:role/ebs', sizeInGiB: 10, volumeType: 'gp3' },
        },
      ],
    }),
  );
  const ebs = tasks![0].attachments!.find((a) => a.type === 'AmazonElasticBlockStorage')!;
  expect(Object.fromEntries(ebs.details!.map((d) => [d.name, d.value]))).toMatchObject({
    volumeName: 'data',
    sizeInGiB: '10',
    volumeType: 'gp3',
    volumeId: expect.stringMatching(/^vol-/),
  });
  const done = await waitForTask(client, tasks![0].taskArn!, 'STOPPED');
  expect(done.containers![0].exitCode).toBe(0);
  await expect(
    client.send(
      new RunTaskCommand({
        taskDefinition: 'ebs',
        volumeConfigurations: [{ name: 'other', managedEBSVolume: { roleArn: 'arn:aws:iam::000000000000:role/ebs' } }],
      }),
    ),
  ).rejects.toThrow("The volume 'other' in volumeConfigurations is not a volume configured at launch");
});
