import { parseArgs } from 'node:util';

/** Every setting of the CLI: a flag, or the `DOCKSIDE_*` environment variable of the same name. */
export interface CliConfig {
  port: number;
  host: string;
  region: string;
  accountId: string;
  services?: string[];
  dataDir?: string;
  logLevel: string;
  pullPolicy: 'always' | 'prefer-cached' | 'never';
  keepContainers: boolean;
  remoteIntrospection: boolean;
  /** How long a service deployment's tasks must run healthy before it is COMPLETED (ms). */
  serviceStabilityMs: number;
  /** Multiplies ELB health-check and draining times (1 = AWS timing). */
  elbv2TimeScale: number;
  /** Port of the ECR registry (`/v2/`); 0 picks a free one. */
  ecrPort: number;
  /** Virtual container instances registered in every new ECS cluster. */
  ecsInstances: number;
  /** Managed scale-in after this long idle (ms). */
  ecsScaleInMs: number;
  /** Quiet time after a busy spell before one full garbage collection (ms); 0 = never. */
  idleGcMs: number;
  help: boolean;
  version: boolean;
}

export class UsageError extends Error {}

interface Option {
  flag: string;
  env: string;
  default?: string;
  help: string;
  /** A switch: `--flag` alone means true; `--flag false` (or `=false`) still turns it off. */
  boolean?: true;
}

const BOOLEAN_WORDS = ['true', 'false', '1', '0'];

/** `--switch` with no true/false after it becomes `--switch=true`, so parseArgs sees a value. */
function expandSwitches(argv: string[]): string[] {
  const switches = new Set(OPTIONS.filter((o) => o.boolean).map((o) => `--${o.flag}`));
  return argv.map((a, i) => (switches.has(a) && !BOOLEAN_WORDS.includes(argv[i + 1] ?? '') ? `${a}=true` : a));
}

export const OPTIONS: Option[] = [
  { flag: 'port', env: 'DOCKSIDE_PORT', default: '4566', help: 'TCP port of the gateway (0 picks a free one)' },
  {
    flag: 'host',
    env: 'DOCKSIDE_HOST',
    default: '127.0.0.1',
    help: 'address to listen on; 0.0.0.0 exposes Dockside to the network',
  },
  {
    flag: 'region',
    env: 'DOCKSIDE_REGION',
    default: 'us-east-1',
    help: 'region for requests that carry no SigV4 credential scope',
  },
  {
    flag: 'account-id',
    env: 'DOCKSIDE_ACCOUNT_ID',
    default: '000000000000',
    help: 'account for access keys that are not a 12-digit account id',
  },
  {
    flag: 'services',
    env: 'DOCKSIDE_SERVICES',
    help: 'comma-separated plugins to load (default: every installed one)',
  },
  { flag: 'data-dir', env: 'DOCKSIDE_DATA_DIR', help: 'persist state under this folder and restore it on start' },
  { flag: 'log-level', env: 'DOCKSIDE_LOG_LEVEL', default: 'info', help: 'fatal, error, warn, info, debug or trace' },
  {
    flag: 'pull-policy',
    env: 'DOCKSIDE_PULL_POLICY',
    default: 'prefer-cached',
    help: 'task images: always, prefer-cached (pull only if missing) or never',
  },
  {
    flag: 'remote-introspection',
    env: 'DOCKSIDE_REMOTE_INTROSPECTION',
    default: 'false',
    boolean: true,
    help: 'let non-loopback clients use the /_dockside/ API (task details, output, reset) when --host opens the port',
  },
  {
    flag: 'keep-containers',
    env: 'DOCKSIDE_KEEP_CONTAINERS',
    default: 'false',
    boolean: true,
    help: "keep stopped tasks' containers on the engine",
  },
  {
    flag: 'service-stability-ms',
    env: 'DOCKSIDE_SERVICE_STABILITY_MS',
    default: '2000',
    help: "how long a service deployment's tasks must run healthy before it is COMPLETED",
  },
  {
    flag: 'elbv2-time-scale',
    env: 'DOCKSIDE_ELBV2_TIME_SCALE',
    default: '1',
    help: 'multiply ELB health-check intervals, thresholds waits and deregistration delays (0.05 = 20x faster)',
  },
  {
    flag: 'ecs-instances',
    env: 'DOCKSIDE_ECS_INSTANCES',
    default: '0',
    help: 'virtual container instances (m5.xlarge-sized, on the local engine) each new ECS cluster gets; 0 = none, as on AWS',
  },
  {
    flag: 'ecs-scale-in-seconds',
    env: 'DOCKSIDE_ECS_SCALE_IN_SECONDS',
    default: '900',
    help: 'how long a managed-scaling virtual instance stays idle before it is terminated',
  },
  {
    flag: 'idle-gc-seconds',
    env: 'DOCKSIDE_IDLE_GC_SECONDS',
    default: '6',
    help: 'after a busy spell grew the heap, seconds of quiet before one full garbage collection returns that memory (0 = never)',
  },
  {
    flag: 'ecr-port',
    env: 'DOCKSIDE_ECR_PORT',
    default: '4510',
    help: 'port of the ECR registry (docker push/pull); a free one when taken, 0 picks one',
  },
];

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): CliConfig {
  // `pnpm start -- --port 5000` passes the `--` on to the script (pnpm 9+): a leading one is
  // only the separator, not the end of the options.
  if (argv[0] === '--') argv = argv.slice(1);
  let parsed;
  try {
    parsed = parseArgs({
      args: expandSwitches(argv),
      options: {
        ...Object.fromEntries(OPTIONS.map((o) => [o.flag, { type: 'string' as const }])),
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const get = (o: Option) => (values[o.flag] as string | undefined) ?? env[o.env] ?? o.default;
  const byFlag = Object.fromEntries(OPTIONS.map((o) => [o.flag, get(o)]));

  const port = Number(byFlag.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0-65535, got '${byFlag.port}'`);
  const accountId = byFlag['account-id']!;
  if (!/^\d{12}$/.test(accountId)) throw new UsageError(`--account-id must be 12 digits, got '${accountId}'`);
  const region = byFlag.region!;
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region))
    throw new UsageError(`--region '${region}' is not a region name like us-east-1`);
  const logLevel = byFlag['log-level']!;
  if (!LEVELS.includes(logLevel)) throw new UsageError(`--log-level must be one of ${LEVELS.join(', ')}`);
  const pullPolicy = byFlag['pull-policy']!;
  if (!['always', 'prefer-cached', 'never'].includes(pullPolicy))
    throw new UsageError(`--pull-policy must be always, prefer-cached or never`);
  const bool = (flag: string) => {
    const v = byFlag[flag]!;
    if (!['true', 'false', '1', '0', ''].includes(v)) throw new UsageError(`--${flag} must be true or false`);
    return v === 'true' || v === '1' || v === '';
  };
  const keepContainers = bool('keep-containers');
  const remoteIntrospection = bool('remote-introspection');
  const stability = Number(byFlag['service-stability-ms']);
  if (!Number.isInteger(stability) || stability < 0)
    throw new UsageError(
      `--service-stability-ms must be a whole number of milliseconds, got '${byFlag['service-stability-ms']}'`,
    );
  const elbv2TimeScale = Number(byFlag['elbv2-time-scale']);
  if (!(elbv2TimeScale > 0 && elbv2TimeScale <= 1))
    throw new UsageError(`--elbv2-time-scale must be a number > 0 and <= 1, got '${byFlag['elbv2-time-scale']}'`);
  const ecrPort = Number(byFlag['ecr-port']);
  if (!Number.isInteger(ecrPort) || ecrPort < 0 || ecrPort > 65535)
    throw new UsageError(`--ecr-port must be 0-65535, got '${byFlag['ecr-port']}'`);
  const ecsInstances = Number(byFlag['ecs-instances']);
  if (!Number.isInteger(ecsInstances) || ecsInstances < 0 || ecsInstances > 100)
    throw new UsageError(`--ecs-instances must be a whole number 0-100, got '${byFlag['ecs-instances']}'`);
  const scaleIn = Number(byFlag['ecs-scale-in-seconds']);
  if (!(scaleIn >= 0))
    throw new UsageError(`--ecs-scale-in-seconds must be a number of seconds, got '${byFlag['ecs-scale-in-seconds']}'`);
  const idleGc = Number(byFlag['idle-gc-seconds']);
  if (!(idleGc >= 0 && idleGc <= 86_400))
    throw new UsageError(`--idle-gc-seconds must be a number of seconds 0-86400, got '${byFlag['idle-gc-seconds']}'`);
  const services = byFlag.services
    ? byFlag.services
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
  return {
    port,
    host: byFlag.host!,
    region,
    accountId,
    services,
    dataDir: byFlag['data-dir'],
    logLevel,
    pullPolicy: pullPolicy as CliConfig['pullPolicy'],
    keepContainers,
    remoteIntrospection,
    serviceStabilityMs: stability,
    elbv2TimeScale,
    ecrPort,
    ecsInstances,
    ecsScaleInMs: scaleIn * 1000,
    idleGcMs: Math.round(idleGc * 1000),
    help: Boolean(values.help),
    version: Boolean(values.version),
  };
}

export function helpText(version: string): string {
  const rows = OPTIONS.map((o) => {
    const left = `  --${o.flag} <value>`.padEnd(26);
    return `${left}${o.help}${o.default ? ` (default ${o.default})` : ''}\n${' '.repeat(26)}env: ${o.env}`;
  });
  return [
    `dockside ${version}: a local Amazon ECS emulator that runs tasks as real containers`,
    '',
    'Usage: dockside [options]',
    '',
    'Options (a flag wins over its environment variable):',
    ...rows,
    `  -h, --help                this text`,
    `  -v, --version             print the version`,
    '',
    'Point any AWS SDK or the AWS CLI at the printed endpoint, e.g.',
    '  aws --endpoint-url http://127.0.0.1:4566 ecs list-clusters',
  ].join('\n');
}
