import { timingSafeEqual } from 'node:crypto';
import type { Router } from 'express';
import type { ContainerEngine, ContainerInfo } from '../runtime/engine';
import { Runtime } from '../runtime/runtime';
import type { TaskRecord } from '../state/types';
import type { TagsLookup } from './types';

/**
 * The task metadata endpoint (v3 and v4) and the task-role credentials endpoint, shaped as the
 * ECS agent serves them. Containers find them through ECS_CONTAINER_METADATA_URI(_V4) and
 * AWS_CONTAINER_CREDENTIALS_FULL_URI.
 */
type Version = 3 | 4;
type Inspect = ContainerInfo;

const iso = (d: string | Date | undefined) => (d ? new Date(d).toISOString() : undefined);
const started = (s: string | undefined) => (s && !s.startsWith('0001-') ? s : undefined);

async function inspect(engine: ContainerEngine | undefined, id: string | undefined): Promise<Inspect | undefined> {
  if (!engine || !id) return undefined;
  return engine.inspectContainer(id).catch(() => undefined);
}

export async function containerDocument(
  task: TaskRecord,
  name: string,
  version: Version,
  docker: ContainerEngine | undefined,
) {
  const c = task.containers!.find((x) => x.name === name)!;
  const def = task.definition.containerDefinitions!.find((x) => x.name === name)!;
  const mode = task.definition.networkMode ?? 'bridge';
  const [info, pause] = await Promise.all([
    inspect(docker, c.runtimeId),
    mode === 'awsvpc' ? inspect(docker, task.runtimeIds['~internal~ecs~pause']) : undefined,
  ]);
  const netInfo = mode === 'awsvpc' ? pause : info;
  // The agent network is the bridge of bridge-mode tasks; for awsvpc it is only a second interface.
  const all = Object.entries(netInfo?.NetworkSettings?.Networks ?? {}).filter(([, n]) => n.IPAddress);
  const net = (all.find(([name]) => name !== 'dockside-agent') ?? all[0])?.[1];
  const doc: Record<string, unknown> = {
    DockerId: c.runtimeId ?? '',
    Name: name,
    DockerName: info?.Name?.replace(/^\//, '') ?? '',
    Image: def.image,
    ImageID: c.imageDigest ?? info?.Image ?? '',
    ...(c.networkBindings?.length
      ? {
          Ports: c.networkBindings.map((b) => ({
            ContainerPort: b.containerPort,
            Protocol: b.protocol,
            HostPort: b.hostPort,
            HostIp: b.bindIP,
          })),
        }
      : {}),
    Labels: info?.Config?.Labels ?? {},
    DesiredStatus: task.desiredStatus === 'STOPPED' ? 'STOPPED' : 'RUNNING',
    KnownStatus: c.lastStatus,
    ...(c.exitCode !== undefined ? { ExitCode: c.exitCode } : {}),
    Limits: { CPU: def.cpu ?? 0, ...(def.memory !== undefined ? { Memory: def.memory } : {}) },
    ...(info?.Created ? { CreatedAt: iso(info.Created) } : {}),
    ...(started(info?.State?.StartedAt) ? { StartedAt: iso(info!.State.StartedAt) } : {}),
    ...(c.lastStatus === 'STOPPED' && started(info?.State?.FinishedAt)
      ? { FinishedAt: iso(info!.State.FinishedAt) }
      : {}),
    Type: 'NORMAL',
    Networks: [
      {
        NetworkMode: mode,
        IPv4Addresses: net?.IPAddress ? [net.IPAddress] : [],
        ...(version === 4
          ? {
              AttachmentIndex: 0,
              ...(net?.MacAddress ? { MACAddress: net.MacAddress } : {}),
              ...(net?.IPPrefixLen ? { IPv4SubnetCIDRBlock: cidrOf(net.IPAddress, net.IPPrefixLen) } : {}),
              ...(net?.Gateway ? { SubnetGatewayIpv4Address: `${net.Gateway}/${net.IPPrefixLen}` } : {}),
              ...(mode === 'awsvpc' && net?.IPAddress
                ? {
                    PrivateDNSName: `ip-${net.IPAddress.replace(/\./g, '-')}.${task.taskArn.split(':')[3]}.compute.internal`,
                  }
                : {}),
            }
          : {}),
      },
    ],
    ...(def.healthCheck ? { Health: health(c.healthStatus, info) } : {}),
  };
  if (version === 4) {
    doc.ContainerARN = c.containerArn;
    if (def.logConfiguration) {
      doc.LogDriver = def.logConfiguration.logDriver;
      doc.LogOptions = def.logConfiguration.options ?? {};
    }
  }
  return doc;
}

function health(status: string | undefined, info: Inspect | undefined) {
  const h = (info?.State as { Health?: { Log?: Array<{ End: string; ExitCode: number; Output: string }> } } | undefined)
    ?.Health;
  const last = h?.Log?.[h.Log.length - 1];
  return {
    status: status ?? 'UNKNOWN',
    ...(last ? { statusSince: iso(last.End), exitCode: last.ExitCode, output: last.Output.trim() } : {}),
  };
}

function cidrOf(ip: string, prefix: number): string {
  const n = ip.split('.').reduce((a, o) => (a << 8) + Number(o), 0) >>> 0;
  const masked = (n & (prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0)) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (masked >>> s) & 255).join('.')}/${prefix}`;
}

export async function taskDocument(
  task: TaskRecord,
  version: Version,
  docker: ContainerEngine | undefined,
  tags?: TagsLookup,
) {
  const fargate = task.launchType === 'FARGATE';
  const cpu = task.cpu ? Number(task.cpu) / 1024 : undefined;
  const doc: Record<string, unknown> = {
    Cluster: task.clusterArn,
    TaskARN: task.taskArn,
    Family: task.definition.family,
    Revision: String(task.definition.revision),
    DesiredStatus: task.desiredStatus,
    KnownStatus: task.lastStatus,
    ...(task.group?.startsWith('service:') ? { ServiceName: task.group.slice('service:'.length) } : {}),
    Containers: await Promise.all(task.containers!.map((c) => containerDocument(task, c.name!, version, docker))),
    ...(cpu !== undefined || task.memory
      ? {
          Limits: {
            ...(cpu !== undefined ? { CPU: cpu } : {}),
            ...(task.memory ? { Memory: Number(task.memory) } : {}),
          },
        }
      : {}),
    ...(task.pullStartedAt ? { PullStartedAt: iso(task.pullStartedAt) } : {}),
    ...(task.pullStoppedAt ? { PullStoppedAt: iso(task.pullStoppedAt) } : {}),
    ...(task.executionStoppedAt ? { ExecutionStoppedAt: iso(task.executionStoppedAt) } : {}),
    AvailabilityZone: task.availabilityZone,
  };
  if (version === 4) {
    doc.LaunchType = task.launchType;
    if (task.definition.networkMode === 'awsvpc') doc.VPCID = vpcOf(task);
    if (fargate) {
      doc.ClockDrift = {
        ClockErrorBound: 0.5,
        ReferenceTimestamp: new Date().toISOString(),
        ClockSynchronizationStatus: 'SYNCHRONIZED',
      };
      doc.EphemeralStorageMetrics = { Utilized: 0, Reserved: (task.ephemeralStorage?.sizeInGiB ?? 20) * 1024 };
    }
    if (tags) doc.TaskTags = Object.fromEntries(tags(task.taskArn).map((t) => [t.key, t.value]));
  }
  return doc;
}

/** The VPC an awsvpc task's subnet belongs to: the one recorded, else a stable id per subnet. */
function vpcOf(task: TaskRecord): string {
  const eni = task.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
  const vpc = eni?.details?.find((d) => d.name === 'vpcId')?.value;
  if (vpc) return vpc;
  return 'vpc-00000000000000000';
}

/** Network byte counters of each container's previous stats sample, for ECS's rates (bounded). */
export type NetSamples = Map<string, { at: number; rx: number; tx: number }>;
const MAX_NET_SAMPLES = 1000;

/** `docker stats` once, plus the network rates ECS adds (from the previous sample in `samples`). */
export async function statsDocument(
  engine: ContainerEngine | undefined,
  id: string | undefined,
  samples: NetSamples,
): Promise<Record<string, unknown> | null> {
  if (!engine || !id) return null;
  const stats = await engine.stats(id);
  if (!stats) return null;
  const networks = (stats.networks ?? {}) as Record<string, { rx_bytes: number; tx_bytes: number }>;
  const rx = Object.values(networks).reduce((a, n) => a + n.rx_bytes, 0);
  const tx = Object.values(networks).reduce((a, n) => a + n.tx_bytes, 0);
  const now = Date.now();
  const prev = samples.get(id);
  samples.delete(id);
  samples.set(id, { at: now, rx, tx });
  // Oldest first: the samples of containers long gone go first.
  if (samples.size > MAX_NET_SAMPLES) samples.delete(samples.keys().next().value!);
  const secs = prev ? Math.max((now - prev.at) / 1000, 0.001) : 0;
  return {
    ...stats,
    network_rate_stats: {
      rx_bytes_per_sec: prev ? (rx - prev.rx) / secs : 0,
      tx_bytes_per_sec: prev ? (tx - prev.tx) / secs : 0,
    },
  };
}

/** Agent-style error: a JSON string with HTTP 400. */
const agentError = (res: import('express').Response, message: string) => res.status(400).json(message);

const tokenOf = (req: import('express').Request) => String((req.params as Record<string, string>).token);

export function metadataRoutes(router: Router, runtime: Runtime, tags: TagsLookup) {
  const docker = () => runtime.engine;
  const samples: NetSamples = new Map();
  for (const version of [3, 4] as const) {
    const base = `/v${version}/:token`;
    const find = (token: string) => runtime.metadataTarget(token);
    const unknown = (res: import('express').Response, token: string) =>
      agentError(
        res,
        `V${version} container metadata handler: unable to get task arn from request: unable to get container name mapping for: ${token}`,
      );
    router.get(base, async (req, res) => {
      const m = find(tokenOf(req));
      if (!m) return void unknown(res, tokenOf(req));
      res.json(await containerDocument(m.task, m.containerName, version, docker()));
    });
    router.get(`${base}/task`, async (req, res) => {
      const m = find(tokenOf(req));
      if (!m) return void unknown(res, tokenOf(req));
      res.json(await taskDocument(m.task, version, docker()));
    });
    if (version === 4) {
      router.get(`${base}/taskWithTags`, async (req, res) => {
        const m = find(tokenOf(req));
        if (!m) return void unknown(res, tokenOf(req));
        res.json(await taskDocument(m.task, version, docker(), tags));
      });
    }
    router.get(`${base}/stats`, async (req, res) => {
      const m = find(tokenOf(req));
      if (!m) return void unknown(res, tokenOf(req));
      res.json(await statsDocument(docker(), m.task.runtimeIds[m.containerName], samples));
    });
    router.get(`${base}/task/stats`, async (req, res) => {
      const m = find(tokenOf(req));
      if (!m) return void unknown(res, tokenOf(req));
      const ids = Object.entries(m.task.runtimeIds).filter(([n]) => !n.startsWith('~'));
      const out: Record<string, unknown> = {};
      for (const [, id] of ids) out[id] = await statsDocument(docker(), id, samples);
      res.json(out);
    });
  }

  router.get(['/v2/credentials', '/v2/credentials/:id'], (req, res) => {
    const id = (req.params as Record<string, string | undefined>).id;
    if (!id)
      return void res
        .status(400)
        .json({ code: 'NoIdInRequest', message: 'CredentialsV2Request: No ID in the request' });
    const creds = runtime.credentialsById(id)?.roleCredentials;
    if (!creds)
      return void res
        .status(400)
        .json({ code: 'InvalidIdInRequest', message: 'CredentialsV2Request: Credentials not found' });
    if (!sameSecret(req.header('authorization'), creds.token)) {
      return void res.status(401).json({
        code: 'AccessDenied',
        message: 'CredentialsV2Request: the authorization token does not match these credentials',
      });
    }
    res.json(creds.body);
  });
}

/** Compares a presented token with the issued one in constant time (no timing hints to a guesser). */
function sameSecret(presented: string | undefined, issued: string): boolean {
  const a = Buffer.from(presented ?? '');
  const b = Buffer.from(issued);
  return a.length === b.length && timingSafeEqual(a, b);
}
