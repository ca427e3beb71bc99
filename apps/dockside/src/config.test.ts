import { UsageError, helpText, parseConfig, OPTIONS } from './config';

test('defaults', () => {
  expect(parseConfig([], {})).toEqual({
    port: 4566,
    host: '127.0.0.1',
    region: 'us-east-1',
    accountId: '000000000000',
    services: undefined,
    dataDir: undefined,
    logLevel: 'info',
    pullPolicy: 'prefer-cached',
    keepContainers: false,
    remoteIntrospection: false,
    serviceStabilityMs: 2000,
    elbv2TimeScale: 1,
    ecrPort: 4510,
    ecsInstances: 0,
    ecsScaleInMs: 900_000,
    idleGcMs: 6000,
    help: false,
    version: false,
  });
});

test('every flag, and its env var; the flag wins', () => {
  const env = {
    DOCKSIDE_PORT: '1000',
    DOCKSIDE_HOST: '0.0.0.0',
    DOCKSIDE_REGION: 'eu-west-1',
    DOCKSIDE_ACCOUNT_ID: '111111111111',
    DOCKSIDE_SERVICES: 'ecs',
    DOCKSIDE_DATA_DIR: '/tmp/a',
    DOCKSIDE_LOG_LEVEL: 'debug',
    DOCKSIDE_PULL_POLICY: 'never',
    DOCKSIDE_KEEP_CONTAINERS: 'true',
    DOCKSIDE_REMOTE_INTROSPECTION: 'true',
    DOCKSIDE_SERVICE_STABILITY_MS: '500',
    DOCKSIDE_ELBV2_TIME_SCALE: '0.5',
    DOCKSIDE_ECR_PORT: '4600',
    DOCKSIDE_ECS_INSTANCES: '2',
    DOCKSIDE_ECS_SCALE_IN_SECONDS: '60',
    DOCKSIDE_IDLE_GC_SECONDS: '0',
  };
  expect(parseConfig([], env)).toMatchObject({
    port: 1000,
    host: '0.0.0.0',
    region: 'eu-west-1',
    accountId: '111111111111',
    services: ['ecs'],
    dataDir: '/tmp/a',
    logLevel: 'debug',
    pullPolicy: 'never',
    keepContainers: true,
    remoteIntrospection: true,
    serviceStabilityMs: 500,
    elbv2TimeScale: 0.5,
    ecrPort: 4600,
    ecsInstances: 2,
    ecsScaleInMs: 60_000,
    idleGcMs: 0,
  });
  const flags = [
    '--pull-policy',
    'always',
    '--keep-containers',
    'false',
    '--remote-introspection',
    'false',
    '--port',
    '2000',
    '--host',
    '::1',
    '--region',
    'ap-southeast-2',
    '--account-id',
    '222222222222',
    '--services',
    'ecs, logs',
    '--data-dir',
    '/tmp/b',
    '--log-level',
    'warn',
    '--service-stability-ms',
    '0',
    '--elbv2-time-scale',
    '0.05',
    '--ecr-port',
    '0',
    '--ecs-instances',
    '3',
    '--ecs-scale-in-seconds',
    '0.5',
    '--idle-gc-seconds',
    '1.5',
  ];
  expect(parseConfig(flags, env)).toMatchObject({
    port: 2000,
    host: '::1',
    region: 'ap-southeast-2',
    accountId: '222222222222',
    services: ['ecs', 'logs'],
    dataDir: '/tmp/b',
    logLevel: 'warn',
    pullPolicy: 'always',
    keepContainers: false,
    remoteIntrospection: false,
    serviceStabilityMs: 0,
    elbv2TimeScale: 0.05,
    ecrPort: 0,
    ecsInstances: 3,
    ecsScaleInMs: 500,
    idleGcMs: 1500,
  });
  expect(parseConfig(['--port=0'], {}).port).toBe(0);
});

test.each([
  [['--port', 'x']],
  [['--port', '70000']],
  [['--account-id', '123']],
  [['--region', 'mars']],
  [['--log-level', 'loud']],
  [['--pull-policy', 'sometimes']],
  [['--keep-containers', 'maybe']],
  [['--service-stability-ms', '-1']],
  [['--service-stability-ms', 'soon']],
  [['--elbv2-time-scale', '0']],
  [['--elbv2-time-scale', '2']],
  [['--ecr-port', '-1']],
  [['--ecs-instances', '-1']],
  [['--ecs-instances', 'two']],
  [['--ecs-scale-in-seconds', 'soon']],
  [['--idle-gc-seconds', '-1']],
  [['--idle-gc-seconds', 'later']],
  [['--unknown']],
  [['positional']],
])('%j is a usage error', (argv) => {
  expect(() => parseConfig(argv, {})).toThrow(UsageError);
});

test('--help documents every option and env var', () => {
  const text = helpText('1.2.3');
  for (const o of OPTIONS) {
    expect(text).toContain(`--${o.flag}`);
    expect(text).toContain(o.env);
  }
  expect(parseConfig(['-h'], {}).help).toBe(true);
});

test('a leading -- (as pnpm passes it on to `pnpm start -- …`) is only a separator', () => {
  const c = parseConfig(['--', '--port', '5000', '--services', 'ecs'], {});
  expect(c.port).toBe(5000);
  expect(c.services).toEqual(['ecs']);
  expect(() => parseConfig(['--port', '5000', '--', 'extra'], {})).toThrow();
});

test('switches stand alone: --remote-introspection and --keep-containers need no value', () => {
  const c = parseConfig(['--remote-introspection', '--keep-containers', '--port', '1'], {});
  expect([c.remoteIntrospection, c.keepContainers, c.port]).toEqual([true, true, 1]);
  expect(parseConfig(['--remote-introspection=false', '--keep-containers', '0'], {})).toMatchObject({
    remoteIntrospection: false,
    keepContainers: false,
  });
  expect(parseConfig(['--keep-containers'], { DOCKSIDE_KEEP_CONTAINERS: 'false' }).keepContainers).toBe(true);
});
