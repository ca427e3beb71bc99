import { type ContainerContext, applyOverride, cpuShares, rewriteLoopback, toCreateOptions } from './docker-spec';

const ctx = (over: Partial<ContainerContext> = {}): ContainerContext => ({
  dockerName: 'ecs-f-1-app-abc',
  labels: { l: '1' },
  injectedEnv: { AWS_REGION: 'us-east-1' },
  networkMode: 'bridge',
  mounts: [],
  volumesFrom: [],
  links: [],
  publishHost: '127.0.0.1',
  hostAlias: 'host.docker.internal',
  ...over,
});

test('loopback URLs are rewritten to the agent address when there is one', () => {
  const o = toCreateOptions(
    { name: 'app', image: 'i', environment: [{ name: 'URL', value: 'http://localhost:4566' }] },
    ctx({ loopbackRewrite: '169.254.170.2' }),
  );
  expect(o.Env).toEqual(['URL=http://169.254.170.2:4566', 'AWS_REGION=us-east-1']);
  expect(o.HostConfig?.ExtraHosts).toEqual(['host.docker.internal:host-gateway']);
});

test('loopback URLs are rewritten for containers off the host network', () => {
  expect(rewriteLoopback('http://localhost:4566', 'h')).toBe('http://h:4566');
  expect(rewriteLoopback('postgres://u:p@127.0.0.1:5432/db', 'h')).toBe('postgres://u:p@h:5432/db');
  expect(rewriteLoopback('localhost', 'h')).toBe('h');
  expect(rewriteLoopback('http://localhostess.example', 'h')).toBe('http://localhostess.example');
  const bridge = toCreateOptions(
    { name: 'app', image: 'i', environment: [{ name: 'URL', value: 'http://localhost:4566' }] },
    ctx(),
  );
  expect(bridge.Env).toEqual(['URL=http://host.docker.internal:4566', 'AWS_REGION=us-east-1']);
  expect(bridge.HostConfig?.ExtraHosts).toEqual(['host.docker.internal:host-gateway']);
  const host = toCreateOptions(
    { name: 'app', image: 'i', environment: [{ name: 'URL', value: 'http://localhost:4566' }] },
    ctx({ networkMode: 'host' }),
  );
  expect(host.Env).toEqual(['URL=http://localhost:4566', 'AWS_REGION=us-east-1']);
});

test('resources, swap, devices, security options, ports and health check', () => {
  const o = toCreateOptions(
    {
      name: 'app',
      image: 'i',
      memory: 100,
      memoryReservation: 50,
      cpu: 1,
      privileged: true,
      portMappings: [{ containerPort: 80 }, { containerPort: 53, hostPort: 5353, protocol: 'udp' }],
      dockerSecurityOptions: ['apparmor:unconfined', 'label:disable', 'no-new-privileges'],
      linuxParameters: { maxSwap: 20, swappiness: 10, devices: [{ hostPath: '/dev/fuse' }], initProcessEnabled: true },
      healthCheck: { command: ['CMD-SHELL', 'true'], startPeriod: 7 },
    },
    ctx(),
  );
  expect(o.ExposedPorts).toEqual({ '80/tcp': {}, '53/udp': {} });
  expect(o.Healthcheck).toEqual({
    Test: ['CMD-SHELL', 'true'],
    Interval: 30e9,
    Timeout: 5e9,
    Retries: 3,
    StartPeriod: 7e9,
  });
  expect(o.HostConfig).toMatchObject({
    NetworkMode: 'bridge',
    Memory: 100 * 2 ** 20,
    MemoryReservation: 50 * 2 ** 20,
    MemorySwap: 120 * 2 ** 20,
    MemorySwappiness: 10,
    CpuShares: 2,
    Privileged: true,
    Init: true,
    SecurityOpt: ['apparmor=unconfined', 'label=disable', 'no-new-privileges'],
    Devices: [{ PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' }],
    PortBindings: {
      '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }],
      '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }],
    },
  });
  const awsvpc = toCreateOptions(
    { name: 'app', image: 'i', hostname: 'h', portMappings: [{ containerPort: 80 }] },
    ctx({ networkMode: 'awsvpc', netnsContainerId: 'abc' }),
  );
  expect(awsvpc.HostConfig?.NetworkMode).toBe('container:abc');
  expect(awsvpc.HostConfig?.PortBindings).toEqual({});
  expect(awsvpc.ExposedPorts).toBeUndefined();
  expect(awsvpc.Hostname).toBeUndefined();
});

test('cpu becomes CPU shares as the ECS agent passes them: at least 2, at most 262,144', () => {
  expect([undefined, 0, 1, 2, 512, 262_144, 300_000].map(cpuShares)).toEqual([2, 2, 2, 2, 512, 262_144, 262_144]);
  expect(toCreateOptions({ name: 'app', image: 'i' }, ctx()).HostConfig?.CpuShares).toBe(2);
});

test('overrides replace the command and merge environment by name', () => {
  const d = applyOverride(
    {
      name: 'app',
      command: ['a'],
      environment: [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ],
      memory: 10,
    },
    {
      name: 'app',
      command: ['b'],
      environment: [
        { name: 'B', value: 'x' },
        { name: 'C', value: '3' },
      ],
      memory: 20,
    },
  );
  expect(d).toMatchObject({
    command: ['b'],
    memory: 20,
    environment: [
      { name: 'A', value: '1' },
      { name: 'B', value: 'x' },
      { name: 'C', value: '3' },
    ],
  });
});
