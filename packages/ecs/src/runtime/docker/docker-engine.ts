import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { DockerOptions } from 'dockerode';
import {
  AGENT_ADDRESS,
  type ContainerEngine,
  type ContainerInfo,
  type ContainerSpec,
  EngineUnavailableError,
  type InteractiveExec,
  type OutputAttachment,
  type OutputLine,
  PullError,
  type PullPolicy,
  type RegistryAuth,
} from '../engine';
import { requireWithLazy } from './lazy-require';
import { OutputCapture } from './output';
import { pauseTarball } from './pause';

/** Labels on every container Dockside starts; the pid lets a restart find orphans of dead instances. */
export const INSTANCE_LABEL = 'dockside.instance';
export const PID_LABEL = 'dockside.pid';
/**
 * The data directory (a hash of its path) of a gateway that persists: its containers outlive it
 * and are its own to re-adopt or remove at its next start, whatever became of the process that
 * made them — another Dockside on the machine leaves them alone.
 */
export const OWNER_LABEL = 'dockside.data-dir';
/** What the ECS agent labels task containers with (task-run.ts sets them). */
const TASK_ARN_LABEL = 'com.amazonaws.ecs.task-arn';
const CONTAINER_NAME_LABEL = 'com.amazonaws.ecs.container-name';

export const AGENT_NETWORK = 'dockside-agent';

type ContainerEvent = { status: string; id: string };

/**
 * The container engine, reached through dockerode. Nothing connects (or even loads dockerode)
 * until the first task needs it, so start-up stays fast and a gateway without an engine still
 * answers every API call.
 */
export class DockerEngine implements ContainerEngine {
  private client?: Docker;
  private events?: NodeJS.ReadableStream;
  private connecting = false;
  private closed = false;
  private readonly listeners = new Map<string, (e: ContainerEvent) => void>();
  private pauseReady?: Promise<string>;

  constructor(
    private readonly options: DockerOptions | undefined,
    readonly instanceId: string,
    /** OWNER_LABEL's value for a gateway with --data-dir. */
    private readonly owner?: string,
  ) {}

  private docker(): Docker {
    if (!this.client) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const Dockerode = requireWithLazy(() => require('dockerode') as typeof Docker);
      this.client = new Dockerode(this.options);
    }
    return this.client;
  }

  /** Where the engine is, for messages. */
  describe(): string {
    const o = this.options ?? {};
    if (o.socketPath) return `unix://${o.socketPath}`;
    if (o.host) return `${o.protocol ?? 'http'}://${o.host}:${o.port ?? ''}`;
    return process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  }

  async ping(timeoutMs = 3000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.docker().ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (e) {
      throw new EngineUnavailableError(
        `cannot reach the container engine at ${this.describe()}: ${(e as Error).message}`,
      );
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  labels(): Record<string, string> {
    return {
      [INSTANCE_LABEL]: this.instanceId,
      [PID_LABEL]: String(process.pid),
      ...(this.owner ? { [OWNER_LABEL]: this.owner } : {}),
    };
  }

  /** Makes `image` available under `policy`; returns its digest (`sha256:…`). */
  async ensureImage(image: string, policy: PullPolicy, auth?: RegistryAuth): Promise<string> {
    const docker = this.docker();
    const inspect = async () => {
      try {
        return await docker.getImage(image).inspect();
      } catch {
        return undefined;
      }
    };
    let info = policy === 'always' ? undefined : await inspect();
    if (!info) {
      if (policy === 'never')
        throw new PullError(`image ${image} is not present on the engine and the pull policy is 'never'`);
      try {
        const stream = await docker.pull(image, auth ? { authconfig: auth } : {});
        await new Promise<void>((resolve, reject) =>
          docker.modem.followProgress(stream, (err: Error | null, out: Array<{ error?: string }>) => {
            const failed = err?.message ?? out?.find((o) => o.error)?.error;
            return failed ? reject(new Error(failed)) : resolve();
          }),
        );
      } catch (e) {
        const msg = (e as { json?: { message?: string } }).json?.message ?? (e as Error).message;
        throw new PullError(`Error response from daemon: ${msg}`);
      }
      info = await inspect();
      if (!info) throw new PullError(`image ${image} was pulled but cannot be inspected`);
    }
    const digest = info.RepoDigests?.[0]?.split('@')[1];
    return digest ?? info.Id;
  }

  async tagImage(source: string, target: string): Promise<void> {
    const at = target.lastIndexOf(':');
    const slash = target.lastIndexOf('/');
    const [repo, tag] = at > slash ? [target.slice(0, at), target.slice(at + 1)] : [target, 'latest'];
    await this.docker().getImage(source).tag({ repo, tag });
  }

  /** The tiny image that holds an awsvpc task's network namespace, built locally once. */
  pauseImage(): Promise<string> {
    return (this.pauseReady ??= (async () => {
      const tag = 'dockside/pause:1';
      const docker = this.docker();
      try {
        await docker.getImage(tag).inspect();
        return tag;
      } catch {
        // not there yet: build it below
      }
      const stream = await docker.importImage(
        Readable.from(pauseTarball()) as never,
        { repo: 'dockside/pause', tag: '1', changes: ['CMD ["/pause"]'] } as never,
      );
      await new Promise<void>((resolve, reject) =>
        docker.modem.followProgress(stream as unknown as NodeJS.ReadableStream, (err: Error | null) =>
          err ? reject(err) : resolve(),
        ),
      );
      return tag;
    })().catch((e) => {
      this.pauseReady = undefined;
      throw e;
    }));
  }

  private agentReady?: Promise<string | undefined>;

  /**
   * The network every task joins so it can reach Dockside at the ECS agent's address
   * (169.254.170.2, the host side of this bridge). Shared by every Dockside instance on the
   * engine; resolves to undefined where the engine cannot make it.
   */
  agentNetwork(): Promise<string | undefined> {
    return (this.agentReady ??= (async () => {
      const docker = this.docker();
      const name = AGENT_NETWORK;
      const exists = await docker
        .getNetwork(name)
        .inspect()
        .then(
          () => true,
          () => false,
        );
      if (!exists) {
        try {
          await docker.createNetwork({
            Name: name,
            Driver: 'bridge',
            CheckDuplicate: true,
            // Bridge-mode containers live here too: 4,094 addresses from 169.254.176.0/20, which
            // keeps clear of 169.254.169.254 and of the agent's own /24.
            IPAM: { Config: [{ Subnet: '169.254.0.0/16', IPRange: '169.254.176.0/20', Gateway: AGENT_ADDRESS }] },
            Labels: { 'dockside.network': 'agent' },
          });
        } catch (e) {
          // Another instance may have created it in the meantime.
          const nowExists = await docker
            .getNetwork(name)
            .inspect()
            .then(
              () => true,
              () => false,
            );
          if (!nowExists) throw e;
        }
      }
      return name;
    })().catch(() => undefined));
  }

  /** Subscribes to one container's engine events (health changes, oom, die). */
  watch(containerId: string, handler: (e: ContainerEvent) => void): () => void {
    this.listeners.set(containerId, handler);
    void this.ensureEvents().catch(() => undefined);
    return () => {
      this.listeners.delete(containerId);
      // One stream serves every container; close it when nobody listens.
      if (!this.listeners.size) this.dropEvents();
    };
  }

  private dropEvents() {
    const s = this.events as unknown as { destroy?: () => void } | undefined;
    this.events = undefined;
    s?.destroy?.();
  }

  private async ensureEvents() {
    if (this.events || this.connecting || this.closed) return;
    this.connecting = true;
    let stream: NodeJS.ReadableStream;
    try {
      stream = (await this.docker().getEvents({
        filters: { type: ['container'], label: [`${INSTANCE_LABEL}=${this.instanceId}`] },
      })) as NodeJS.ReadableStream;
    } finally {
      this.connecting = false;
    }
    if (this.closed || !this.listeners.size) {
      (stream as unknown as { destroy(): void }).destroy();
      return;
    }
    this.events = stream;
    let buf = '';
    stream.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const e = JSON.parse(line) as ContainerEvent;
          this.listeners.get(e.id)?.(e);
        } catch {
          // a partial or foreign line: ignore
        }
      }
    });
    stream.on('error', () => undefined);
    stream.on('end', () => {
      if (this.events === stream) this.events = undefined;
      if (!this.closed && this.listeners.size) void this.ensureEvents().catch(() => undefined);
    });
  }

  /** Removes containers of Dockside instances whose process is gone (a crash or kill -9). */
  async removeOrphans(keep: (taskArn: string | undefined) => boolean = () => false): Promise<number> {
    const docker = this.docker();
    const list = await docker.listContainers({ all: true, filters: { label: [INSTANCE_LABEL] } });
    let removed = 0;
    for (const c of list) {
      const pid = Number(c.Labels[PID_LABEL]);
      if (c.Labels[INSTANCE_LABEL] === this.instanceId && pid === process.pid) continue;
      const owner = c.Labels[OWNER_LABEL];
      // A persisted gateway's containers are its own: another's are left for it to re-adopt.
      if (owner ? owner !== this.owner : pid && processAlive(pid)) continue;
      if (keep(c.Labels[TASK_ARN_LABEL])) continue;
      await docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined);
      removed++;
    }
    return removed;
  }

  async containersOf(taskArn: string): Promise<Record<string, string>> {
    const list = await this.docker().listContainers({
      all: true,
      filters: { label: [`${TASK_ARN_LABEL}=${taskArn}`] },
    });
    return Object.fromEntries(list.map((c) => [c.Labels[CONTAINER_NAME_LABEL], c.Id]));
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    return (await this.docker().createContainer(spec)).id;
  }

  async startContainer(id: string): Promise<void> {
    await this.docker().getContainer(id).start();
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    await this.docker().getContainer(id).stop({ t: timeoutSeconds });
  }

  async removeContainer(id: string): Promise<void> {
    await this.docker().getContainer(id).remove({ force: true, v: true });
  }

  async waitContainer(id: string, ifRunning = false): Promise<number> {
    // 'next-exit': the default ('not-running') returns at once for a container not started yet.
    const condition = ifRunning ? 'not-running' : 'next-exit';
    const r = (await this.docker().getContainer(id).wait({ condition })) as { StatusCode: number };
    return r.StatusCode;
  }

  inspectContainer(id: string): Promise<ContainerInfo> {
    return this.docker().getContainer(id).inspect();
  }

  async attachOutput(id: string, tty: boolean, onLine: (l: OutputLine) => void): Promise<OutputAttachment> {
    const capture = new OutputCapture(tty);
    await capture.attach(this.docker().getContainer(id), onLine);
    return capture;
  }

  async followOutput(
    id: string,
    tty: boolean,
    skip: number,
    onLine: (l: OutputLine) => void,
  ): Promise<OutputAttachment> {
    const capture = new OutputCapture(tty);
    await capture.follow(this.docker().getContainer(id), skip, onLine);
    return capture;
  }

  async stats(id: string): Promise<Record<string, unknown> | null> {
    return (
      ((await this.docker()
        .getContainer(id)
        .stats({ stream: false })
        .catch(() => null)) as Record<string, unknown> | null) ?? null
    );
  }

  async exec(id: string, cmd: string[], opts: { tty?: boolean } = {}): Promise<{ exitCode: number; output: string }> {
    const exec = await this.docker()
      .getContainer(id)
      .exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: Boolean(opts.tty) });
    const stream = await exec.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => resolve());
      stream.on('error', reject);
    });
    const raw = Buffer.concat(chunks);
    const output = opts.tty ? raw.toString('utf8') : demux(raw);
    return { exitCode: (await exec.inspect()).ExitCode ?? -1, output };
  }

  async execInteractive(id: string, cmd: string[], size: { cols: number; rows: number }): Promise<InteractiveExec> {
    const exec = await this.docker()
      .getContainer(id)
      .exec({
        Cmd: cmd,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: true,
        ConsoleSize: [size.rows, size.cols],
      });
    const stream = await exec.start({ hijack: true, stdin: true, Tty: true });
    // Older engines ignore ConsoleSize: size the TTY once it exists.
    await exec.resize({ h: size.rows, w: size.cols }).catch(() => undefined);
    return {
      stream,
      resize: async (cols, rows) => {
        await exec.resize({ h: rows, w: cols }).catch(() => undefined);
      },
      exitCode: async () => (await exec.inspect().catch(() => undefined))?.ExitCode ?? undefined,
    };
  }

  async subnetNetwork(
    name: string,
    cidr: string,
    gateway: string,
    labels: Record<string, string>,
  ): Promise<string | undefined> {
    const docker = this.docker();
    const existing = await docker
      .getNetwork(name)
      .inspect()
      .catch(() => undefined);
    if (existing) return existing.IPAM?.Config?.[0]?.Subnet === cidr ? name : undefined;
    try {
      await docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        IPAM: { Config: [{ Subnet: cidr, Gateway: gateway }] },
        Labels: labels,
      });
      return name;
    } catch (err) {
      const raced = await docker
        .getNetwork(name)
        .inspect()
        .catch(() => undefined);
      if (raced) return name;
      throw err;
    }
  }

  async connectNetwork(network: string, containerId: string): Promise<void> {
    await this.docker().getNetwork(network).connect({ Container: containerId });
  }

  async removeNetwork(name: string): Promise<void> {
    await this.docker().getNetwork(name).remove();
  }

  volumeExists(name: string): Promise<boolean> {
    return this.docker()
      .getVolume(name)
      .inspect()
      .then(
        () => true,
        () => false,
      );
  }

  async createVolume(
    name: string,
    driver: string,
    driverOpts: Record<string, string>,
    labels: Record<string, string>,
  ): Promise<void> {
    await this.docker().createVolume({ Name: name, Driver: driver, DriverOpts: driverOpts, Labels: labels });
  }

  async removeVolume(name: string): Promise<void> {
    await this.docker().getVolume(name).remove();
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
    this.dropEvents();
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Splits Docker's multiplexed stdout/stderr frames (8-byte headers) into one text. */
function demux(raw: Buffer): string {
  let out = '';
  for (let i = 0; i + 8 <= raw.length;) {
    const len = raw.readUInt32BE(i + 4);
    out += raw.subarray(i + 8, i + 8 + len).toString('utf8');
    i += 8 + len;
  }
  return out;
}
