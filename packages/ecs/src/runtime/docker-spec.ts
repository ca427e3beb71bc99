import type * as ECS from '@aws-sdk/client-ecs';
import type { ContainerCreateOptions } from 'dockerode';

const MiB = 1024 * 1024;

/** Log drivers a Docker engine ships; awslogs is Dockside's own (it ships to its Logs plugin). */
export const ENGINE_LOG_DRIVERS = new Set([
  'json-file',
  'local',
  'journald',
  'syslog',
  'fluentd',
  'gelf',
  'splunk',
  'none',
  'gcplogs',
  'logentries',
]);
const seconds = (s: number) => s * 1_000_000_000;

/** Where a container's volumes come from, resolved by the runner before creation. */
export interface MountSpec {
  /** A host path or a Docker volume name. */
  source: string;
  target: string;
  type: 'bind' | 'volume';
  readOnly: boolean;
}

export interface ContainerContext {
  /** The Docker name of the container. */
  dockerName: string;
  labels: Record<string, string>;
  /** Variables ECS injects (region, metadata URIs, credentials), added after the definition's own. */
  injectedEnv: Record<string, string>;
  networkMode: string;
  /** For awsvpc: the container holding the task's network namespace. */
  netnsContainerId?: string;
  mounts: MountSpec[];
  /** volumesFrom, already resolved to Docker container names. */
  volumesFrom: string[];
  /** links, already resolved to `dockerName:alias`. */
  links: string[];
  /** Host address port mappings are published on (bridge mode). */
  publishHost: string;
  /** Host name for the machine in bridge containers (`host.docker.internal`). */
  hostAlias?: string;
  /** Where `localhost` URLs in env values point instead, so containers reach Dockside. */
  loopbackRewrite?: string;
  /** The Docker network bridge-mode containers join (default: the engine's `bridge`). */
  bridgeNetwork?: string;
}

/** ECS writes `apparmor:profile`, Docker's API wants `apparmor=profile`. */
function securityOpt(o: string): string {
  const m = /^(label|apparmor|seccomp|credentialspec):(.*)$/.exec(o);
  return m ? `${m[1]}=${m[2]}` : o;
}

/**
 * Rewrites `localhost` / `127.0.0.1` in URL-like values so a container that is not on the host's
 * network reaches the machine (and Dockside) instead of itself.
 */
export function rewriteLoopback(value: string, hostAlias: string): string {
  return value.replace(/(^|\/\/|@)(localhost|127\.0\.0\.1)(?=$|[:/])/g, `$1${hostAlias}`);
}

/** Docker create options for one ECS container definition (overrides already applied). */
export function toCreateOptions(def: ECS.ContainerDefinition, ctx: ContainerContext): ContainerCreateOptions {
  const lp = def.linuxParameters ?? {};
  const env: Record<string, string> = {};
  for (const e of def.environment ?? []) if (e.name) env[e.name] = e.value ?? '';
  const target = ctx.loopbackRewrite ?? ctx.hostAlias;
  if (target && ctx.networkMode !== 'host') for (const k of Object.keys(env)) env[k] = rewriteLoopback(env[k], target);
  Object.assign(env, ctx.injectedEnv);

  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of def.portMappings ?? []) {
    if (p.containerPort === undefined) continue;
    const key = `${p.containerPort}/${p.protocol ?? 'tcp'}`;
    exposed[key] = {};
    if (ctx.networkMode === 'bridge') {
      bindings[key] = [{ HostIp: ctx.publishHost, HostPort: p.hostPort ? String(p.hostPort) : '' }];
    }
  }

  const hc = def.healthCheck;
  const memory = def.memory !== undefined ? def.memory * MiB : undefined;
  const networkMode =
    ctx.networkMode === 'awsvpc'
      ? `container:${ctx.netnsContainerId}`
      : ctx.networkMode === 'bridge'
        ? (ctx.bridgeNetwork ?? 'bridge')
        : ctx.networkMode;

  const extraHosts = (def.extraHosts ?? []).map((h) => `${h.hostname}:${h.ipAddress}`);
  if (ctx.hostAlias && ctx.networkMode === 'bridge') extraHosts.push(`${ctx.hostAlias}:host-gateway`);

  const opts: ContainerCreateOptions = {
    name: ctx.dockerName,
    Image: def.image,
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: { ...(def.dockerLabels ?? {}), ...ctx.labels },
    ...(def.command ? { Cmd: def.command } : {}),
    ...(def.entryPoint ? { Entrypoint: def.entryPoint } : {}),
    ...(def.workingDirectory ? { WorkingDir: def.workingDirectory } : {}),
    ...(def.user ? { User: def.user } : {}),
    // Containers sharing a network namespace cannot set their own host name.
    ...(def.hostname && ctx.networkMode === 'bridge' ? { Hostname: def.hostname } : {}),
    Tty: Boolean(def.pseudoTerminal),
    OpenStdin: Boolean(def.interactive),
    AttachStdout: true,
    AttachStderr: true,
    // A container in another's namespace cannot expose ports: the namespace holder publishes them.
    ...(ctx.networkMode === 'awsvpc' ? {} : { ExposedPorts: exposed }),
    ...(hc && hc.command?.[0] !== 'NONE'
      ? {
          Healthcheck: {
            Test: hc.command,
            Interval: seconds(hc.interval ?? 30),
            Timeout: seconds(hc.timeout ?? 5),
            Retries: hc.retries ?? 3,
            StartPeriod: seconds(hc.startPeriod ?? 0),
          },
        }
      : {}),
    HostConfig: {
      NetworkMode: networkMode,
      ...(def.logConfiguration?.logDriver && ENGINE_LOG_DRIVERS.has(def.logConfiguration.logDriver)
        ? { LogConfig: { Type: def.logConfiguration.logDriver, Config: def.logConfiguration.options ?? {} } }
        : {}),
      PortBindings: bindings,
      Privileged: Boolean(def.privileged),
      ReadonlyRootfs: Boolean(def.readonlyRootFilesystem),
      ...(lp.capabilities?.add?.length ? { CapAdd: lp.capabilities.add } : {}),
      ...(lp.capabilities?.drop?.length ? { CapDrop: lp.capabilities.drop } : {}),
      ...(lp.devices?.length
        ? {
            Devices: lp.devices.map((d) => ({
              PathOnHost: d.hostPath!,
              PathInContainer: d.containerPath ?? d.hostPath!,
              CgroupPermissions: permissions(d.permissions),
            })),
          }
        : {}),
      ...(lp.initProcessEnabled ? { Init: true } : {}),
      ...(lp.sharedMemorySize !== undefined ? { ShmSize: lp.sharedMemorySize * MiB } : {}),
      ...(lp.tmpfs?.length
        ? {
            Tmpfs: Object.fromEntries(
              lp.tmpfs.map((t) => [t.containerPath!, [`size=${t.size}m`, ...(t.mountOptions ?? [])].join(',')]),
            ),
          }
        : {}),
      ...(memory !== undefined ? { Memory: memory } : {}),
      ...(def.memoryReservation !== undefined ? { MemoryReservation: def.memoryReservation * MiB } : {}),
      ...(memory !== undefined && lp.maxSwap !== undefined ? { MemorySwap: memory + lp.maxSwap * MiB } : {}),
      ...(lp.swappiness !== undefined ? { MemorySwappiness: lp.swappiness } : {}),
      CpuShares: cpuShares(def.cpu),
      ...(def.ulimits?.length
        ? { Ulimits: def.ulimits.map((u) => ({ Name: u.name!, Soft: u.softLimit!, Hard: u.hardLimit! })) }
        : {}),
      ...(def.systemControls?.length
        ? { Sysctls: Object.fromEntries(def.systemControls.map((s) => [s.namespace!, s.value!])) }
        : {}),
      ...(def.dockerSecurityOptions?.length ? { SecurityOpt: def.dockerSecurityOptions.map(securityOpt) } : {}),
      ...(extraHosts.length ? { ExtraHosts: extraHosts } : {}),
      ...(def.dnsServers?.length ? { Dns: def.dnsServers } : {}),
      ...(def.dnsSearchDomains?.length ? { DnsSearch: def.dnsSearchDomains } : {}),
      ...(ctx.links.length ? { Links: ctx.links } : {}),
      ...(ctx.volumesFrom.length ? { VolumesFrom: ctx.volumesFrom } : {}),
      ...(ctx.mounts.length
        ? {
            Mounts: ctx.mounts.map((m) => ({ Type: m.type, Source: m.source, Target: m.target, ReadOnly: m.readOnly })),
          }
        : {}),
    },
  };
  return opts;
}

/**
 * The container's CPU shares as the ECS agent sets them on Linux (agent 1.2.0 and later): null,
 * 0 and 1 become 2, the kernel's minimum, not Docker's default of 1,024; since agent 1.84.0 values
 * above 256 vCPU become 262,144. A container without `cpu` so yields to ones that reserve some.
 */
export function cpuShares(cpu: number | undefined): number {
  return Math.min(MAX_CPU_SHARES, Math.max(2, cpu ?? 0));
}
const MAX_CPU_SHARES = 262_144;

function permissions(p: string[] | undefined): string {
  if (!p?.length) return 'rwm';
  return `${p.includes('read') ? 'r' : ''}${p.includes('write') ? 'w' : ''}${p.includes('mknod') ? 'm' : ''}`;
}

/** Applies RunTask `containerOverrides` to a container definition. */
export function applyOverride(
  def: ECS.ContainerDefinition,
  o: ECS.ContainerOverride | undefined,
): ECS.ContainerDefinition {
  if (!o) return def;
  const env = new Map((def.environment ?? []).map((e) => [e.name, e.value]));
  for (const e of o.environment ?? []) env.set(e.name, e.value);
  return {
    ...def,
    ...(o.command ? { command: o.command } : {}),
    environment: [...env].map(([name, value]) => ({ name, value })),
    ...(o.cpu !== undefined ? { cpu: o.cpu } : {}),
    ...(o.memory !== undefined ? { memory: o.memory } : {}),
    ...(o.memoryReservation !== undefined ? { memoryReservation: o.memoryReservation } : {}),
    ...(o.environmentFiles ? { environmentFiles: o.environmentFiles } : {}),
    ...(o.resourceRequirements ? { resourceRequirements: o.resourceRequirements } : {}),
  };
}
