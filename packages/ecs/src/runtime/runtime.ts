import { createHash, randomBytes, randomUUID } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as ECS from '@aws-sdk/client-ecs';
import { type Bus, type Logger, type Store, unwrap } from '@dockside/core';
import type { DockerOptions } from 'dockerode';
import type { EcsTaskChange } from '../contract';
import { TaskIndex } from '../domain/task-index';
import { compactStopped } from '../domain/stopped-task';
import type { EcsState, TaskRecord } from '../state/types';
import { AwsLogsShipper, awsLogsConfig } from './awslogs';
import { ENGINE_LOG_DRIVERS, rewriteLoopback } from './docker-spec';
import { DockerEngine } from './docker/docker-engine';
import { AGENT_ADDRESS, type ContainerEngine, type OutputLine, type PullPolicy } from './engine';
import { type TaskStatus, applyStatus, pathTo } from './lifecycle';
import { type ResolvedSecrets, resolveTaskSecrets } from './secrets';
import { createTaskEni, deleteTaskEni } from './ec2-network';
import { type Lease, SubnetPool } from './subnets';
import { TaskRun } from './task-run';
import { resolveEcrImage } from './ecr-images';
import type { RuntimeOptions, StopOptions, TaskRunHooks } from './task-run-types';

export interface RuntimeConfig {
  docker?: DockerOptions;
  /** Another container engine than Docker (default: Docker at `docker`). */
  engine?: ContainerEngine;
  pullPolicy?: PullPolicy;
  keepContainers?: boolean;
  publishHost?: string;
  hostAlias?: string;
  sharedVolumesRoot?: string;
  defaultStopTimeout?: number;
  defaultStartTimeout?: number;
  instanceId?: string;
  /** The gateway's --data-dir: its containers are labelled as its own (OWNER_LABEL). */
  dataDir?: string;
  /** Known subnets (id → CIDR) for awsvpc addresses; others get a deterministic /24. */
  subnets?: Record<string, string>;
  /** Put awsvpc tasks on a Docker network per subnet at their ENI address (default true). */
  realAddresses?: boolean;
}

/** What the runtime is given once, at the plugin's setup. */
export interface RuntimeWiring {
  bus: Bus;
  logger: Logger;
  /** Told of every task change, so derived figures (cluster counts) are recomputed. */
  index: TaskIndex;
  /** The plugin's store: credentials live on task records, lookups are derived from it. */
  store: Store<EcsState>;
  /** The gateway's URL as the host sees it. */
  endpoint(): string | undefined;
  /** Serve the gateway on another local address too (see PluginContext.exposeOn). */
  exposeOn(host: string): Promise<string>;
  accountOf(task: TaskRecord): string;
}

export type { TaskCredentials } from '../state/types';

/** A container the metadata endpoint can answer for, by its token. */
export interface MetadataTarget {
  task: TaskRecord;
  containerName: string;
}

interface Diagnostics {
  outputs: Map<string, Record<string, OutputLine[]>>;
  events: EventLog;
  /** Container token (last segment of its ARN) → task and container, rebuilt when tasks are added. */
  tokens?: { count: number; byToken: Map<string, MetadataTarget> };
}

const MAX_EVENTS = 10_000;

/**
 * The last MAX_EVENTS task changes of a partition, in a ring. An entry keeps the published change
 * itself (shared with the bus, not copied) and its sequence number and time in number arrays that
 * grow with the ring (V8 stores them unboxed): copying each change with an ISO date string cost
 * ~2 KB per task (every copy got its own hidden class), half of what a stopped task held
 * (bench/scale.mjs); shift() on a full array moved 10,000 entries per change; and an entry object
 * per change ({ seq, at, change }) lived long enough to be promoted, then died in the old
 * generation: ~320 bytes of promoted garbage per task, measured (--trace-gc-nvp, 10,000 tasks).
 */
class EventLog {
  private readonly changes: EcsTaskChange[] = [];
  private readonly seqs: number[] = [];
  private readonly ats: number[] = [];
  private next = 0;
  push(seq: number, change: EcsTaskChange) {
    const i = this.next;
    this.changes[i] = change;
    this.seqs[i] = seq;
    this.ats[i] = Date.now();
    this.next = (i + 1) % MAX_EVENTS;
  }
  entries(): Array<EcsTaskChange & { seq: number; at: string }> {
    return this.changes.map((c, i) => ({ ...c, seq: this.seqs[i], at: new Date(this.ats[i]).toISOString() }));
  }
}
const MAX_KEPT_OUTPUTS = 500;
const alnum = (n: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789') =>
  [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('');

/** Every task run of one ECS plugin instance, and the engine they share. */
export class Runtime {
  readonly engine: ContainerEngine;
  private readonly runs = new Map<string, TaskRun>();
  /** Runs flipped to STOPPED by mark-failed whose containers still exist. */
  private readonly detached = new Set<TaskRun>();
  private readonly opts: RuntimeOptions;
  private orphansChecked = false;
  private agent?: Promise<{ network?: string; url?: string }>;
  /**
   * Diagnostics derived from a store partition (kept outputs of stopped tasks, the task event
   * log, the metadata token index): keyed by the partition object, so a reset, which replaces
   * partitions, drops them with it.
   */
  private readonly diagnostics = new WeakMap<EcsState, Diagnostics>();
  private seq = 0;
  /** awslogs shippers by task ARN, then container name. */
  private readonly shippers = new Map<string, Map<string, AwsLogsShipper>>();
  private readonly warned = new Set<string>();
  private readonly pool: SubnetPool;
  private readonly subnetNetworks = new Map<string, Promise<string | undefined>>();
  private readonly realAddresses: boolean;

  constructor(
    config: RuntimeConfig,
    private readonly wiring: RuntimeWiring,
  ) {
    this.engine =
      config.engine ??
      new DockerEngine(
        config.docker,
        config.instanceId ?? `dockside-${process.pid}`,
        config.dataDir && createHash('sha256').update(path.resolve(config.dataDir)).digest('hex').slice(0, 16),
      );
    this.pool = new SubnetPool(config.subnets);
    this.realAddresses = config.realAddresses ?? true;
    this.opts = {
      pullPolicy: config.pullPolicy ?? 'prefer-cached',
      keepContainers: config.keepContainers ?? false,
      publishHost: config.publishHost ?? '127.0.0.1',
      hostAlias: config.hostAlias ?? 'host.docker.internal',
      sharedVolumesRoot: config.sharedVolumesRoot ?? path.join(os.tmpdir(), 'dockside', 'shared-volumes'),
      defaultStopTimeout: config.defaultStopTimeout ?? 30,
      defaultStartTimeout: config.defaultStartTimeout ?? 180,
    };
  }

  private publish(task: TaskRecord) {
    this.wiring.index.touch();
    const change: EcsTaskChange = {
      accountId: this.wiring.accountOf(task),
      region: task.taskArn.split(':')[3],
      clusterArn: task.clusterArn,
      taskArn: task.taskArn,
      lastStatus: task.lastStatus!,
      desiredStatus: task.desiredStatus!,
      version: task.version!,
      // Always both keys (undefined until stopped): one object shape for every change.
      stopCode: task.stopCode || undefined,
      stoppedReason: task.stoppedReason || undefined,
    };
    this.diagnosticsOf(task).events.push(++this.seq, change);
    // Credentials are served only while the task runs.
    if (task.lastStatus === 'STOPPED') delete task.roleCredentials;
    this.wiring.bus.publish('ecs.task', change);
    // Representation only (equal values), so the record itself, not the journal, is changed.
    if (task.lastStatus === 'STOPPED') compactStopped(unwrap(task));
  }

  /** The agent network and Dockside's URL on it, set up once; {} where the engine cannot. */
  private agentEndpoint(): Promise<{ network?: string; url?: string }> {
    return (this.agent ??= (async () => {
      if (!this.wiring.endpoint()) return {};
      const network = await this.engine.agentNetwork();
      if (!network) return {};
      try {
        return { network, url: await this.wiring.exposeOn(AGENT_ADDRESS) };
      } catch (err) {
        this.wiring.logger.warn(
          { err },
          `cannot serve on ${AGENT_ADDRESS}; containers will use ${this.opts.hostAlias}`,
        );
        return {};
      }
    })());
  }

  /**
   * The Docker network standing for a subnet, created on first use. Where the engine refuses
   * (the CIDR overlaps a network it has), tasks keep their ENI address on paper only.
   */
  private subnetNetwork(lease: Lease): Promise<string | undefined> {
    if (!this.realAddresses) return Promise.resolve(undefined);
    let p = this.subnetNetworks.get(lease.subnetId);
    if (!p) {
      p = this.engine
        .subnetNetwork(`dockside-${lease.subnetId}`, lease.cidr, lease.gateway, {
          'dockside.network': 'subnet',
          'dockside.subnet-id': lease.subnetId,
        })
        .catch((err) => {
          this.wiring.logger.warn(
            { err, subnet: lease.subnetId, cidr: lease.cidr },
            'cannot create a Docker network for this subnet; ENI addresses are not applied to containers',
          );
          return undefined;
        });
      this.subnetNetworks.set(lease.subnetId, p);
    }
    return p;
  }

  private warnOnce(key: string, obj: object, msg: string) {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.wiring.logger.warn(obj, msg);
  }

  /** Fetches a task's secrets through the bus, in the task's account (never logged). */
  private resolveSecrets(task: TaskRecord, defs: ECS.ContainerDefinition[]): Promise<ResolvedSecrets> {
    const accountId = this.wiring.accountOf(task);
    return resolveTaskSecrets(defs, task.taskArn.split(':')[3], (service, op, input, region) =>
      this.wiring.bus.call(service, op, input, { accountId, region }),
    );
  }

  /** Sets up a container's log driver: Dockside's own awslogs, or the engine's driver. */
  private async prepareLogs(task: TaskRecord, def: ECS.ContainerDefinition, containerId: string): Promise<void> {
    const driver = def.logConfiguration?.logDriver;
    const region = task.taskArn.split(':')[3];
    const cfg = awsLogsConfig(def.logConfiguration, region);
    if (!cfg) {
      if (driver && !ENGINE_LOG_DRIVERS.has(driver)) {
        this.warnOnce(
          `driver:${driver}`,
          { driver },
          `log driver '${driver}' is not available here; container output stays in Dockside's buffer`,
        );
      }
      return;
    }
    const bus = this.wiring.bus;
    if (!bus.isLoaded('logs')) {
      this.warnOnce(
        'no-logs',
        {},
        "awslogs containers run, but the logs plugin is not loaded: their output stays in Dockside's buffer",
      );
      return;
    }
    const accountId = this.wiring.accountOf(task);
    const taskId = task.taskArn.slice(task.taskArn.lastIndexOf('/') + 1);
    const stream = cfg.streamPrefix ? `${cfg.streamPrefix}/${def.name}/${taskId}` : containerId;
    const shipper = new AwsLogsShipper(
      cfg,
      stream,
      (service, op, input, r, extra) => bus.call(service, op, input, { accountId, region: r, ...extra }),
      (err) =>
        this.warnOnce(
          `ship:${task.taskArn}:${def.name}`,
          { err, taskArn: task.taskArn, container: def.name },
          'awslogs delivery failed',
        ),
      (n) => this.delivered(task, def.name!, n),
    );
    await shipper.init();
    let byName = this.shippers.get(task.taskArn);
    if (!byName) this.shippers.set(task.taskArn, (byName = new Map()));
    byName.set(def.name!, shipper);
  }

  private async closeLogs(task: TaskRecord): Promise<void> {
    const byName = this.shippers.get(task.taskArn);
    this.shippers.delete(task.taskArn);
    if (byName) await Promise.all([...byName.values()].map((s) => s.close()));
  }

  private injectedEnv(
    task: TaskRecord,
    container: ECS.Container,
    agentUrl: string | undefined,
  ): Record<string, string> {
    const region = task.taskArn.split(':')[3];
    const env: Record<string, string> = {
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_EXECUTION_ENV: task.launchType === 'FARGATE' ? 'AWS_ECS_FARGATE' : 'AWS_ECS_EC2',
    };
    const endpoint = this.wiring.endpoint();
    const host = task.definition.networkMode === 'host';
    const base = host ? endpoint : (agentUrl ?? (endpoint && rewriteLoopback(endpoint, this.opts.hostAlias)));
    if (base) {
      const token = container.containerArn!.slice(container.containerArn!.lastIndexOf('/') + 1);
      env.ECS_CONTAINER_METADATA_URI = `${base}/v3/${token}`;
      env.ECS_CONTAINER_METADATA_URI_V4 = `${base}/v4/${token}`;
      const creds = task.roleCredentials;
      if (creds) {
        // A FULL_URI on the agent address (or loopback for host mode) is what the SDKs accept over http.
        env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `${base}/v2/credentials/${creds.id}`;
        env.AWS_CONTAINER_AUTHORIZATION_TOKEN = creds.token;
      }
    }
    return env;
  }

  private issueCredentials(task: TaskRecord) {
    const roleArn = task.definition.taskRoleArn;
    if (!roleArn) return;
    const id = randomUUID();
    task.roleCredentials = {
      id,
      token: randomBytes(32).toString('hex'),
      body: {
        RoleArn: roleArn,
        AccessKeyId: `ASIA${alnum(16)}`,
        SecretAccessKey: randomBytes(30).toString('base64'),
        Token: randomBytes(96).toString('base64'),
        Expiration: new Date(Date.now() + 6 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
    };
  }

  private partitionOf(task: TaskRecord): EcsState {
    return this.wiring.store.get(this.wiring.accountOf(task), task.taskArn.split(':')[3]);
  }

  private diagnosticsOf(task: TaskRecord): Diagnostics {
    return this.diagnosticsFor(this.partitionOf(task));
  }

  private diagnosticsFor(state: EcsState): Diagnostics {
    let d = this.diagnostics.get(state);
    if (!d) this.diagnostics.set(state, (d = { outputs: new Map(), events: new EventLog() }));
    return d;
  }

  /** The task and container a metadata token (the container ARN's last segment) belongs to. */
  metadataTarget(token: string): MetadataTarget | undefined {
    for (const { state } of this.wiring.store.entries()) {
      const d = this.diagnosticsFor(state);
      const count = Object.keys(state.tasks).length;
      if (!d.tokens || d.tokens.count !== count) {
        const byToken = new Map<string, MetadataTarget>();
        for (const task of Object.values(state.tasks)) {
          for (const c of task.containers ?? [])
            byToken.set(c.containerArn!.slice(c.containerArn!.lastIndexOf('/') + 1), { task, containerName: c.name! });
        }
        d.tokens = { count, byToken };
      }
      const hit = d.tokens.byToken.get(token);
      if (hit) return hit;
    }
    return undefined;
  }

  /** The running task whose role credentials have this id. */
  credentialsById(id: string): TaskRecord | undefined {
    for (const { state } of this.wiring.store.entries()) {
      for (const t of Object.values(state.tasks)) if (t.roleCredentials?.id === id) return t;
    }
    return undefined;
  }

  /** Removes containers of dead instances once, keeping those of tasks this store still has. */
  private reapOrphans() {
    if (this.orphansChecked) return;
    this.orphansChecked = true;
    const known = (arn: string | undefined) =>
      Boolean(arn) && this.wiring.store.entries().some(({ state }) => state.tasks[arn!]?.lastStatus !== undefined);
    this.engine.removeOrphans(known).then(
      (n) => n && this.wiring.logger.info({ removed: n }, 'removed containers left by earlier Dockside instances'),
      () => undefined,
    );
  }

  /** The task as the store hands it out (tracked for `--data-dir`, so the runtime's changes persist). */
  private tracked(task: TaskRecord): TaskRecord {
    return this.partitionOf(task).tasks[task.taskArn] ?? task;
  }

  /** Lines of a container delivered (shipped to CloudWatch Logs, or captured without awslogs). */
  private delivered(task: TaskRecord, container: string, n: number) {
    const counts = (task.outputLines ??= {});
    counts[container] = (counts[container] ?? 0) + n;
  }

  /** What every run asks of this runtime: one object for all runs (see TaskRunHooks). */
  private readonly hooks: TaskRunHooks = {
    changed: (t) => this.publish(t),
    output: (t, container, line: OutputLine) => {
      const shipper = this.shippers.get(t.taskArn)?.get(container);
      if (shipper) shipper.push(line);
      else this.delivered(t, container, 1);
      // Built per line only when someone listens (the dashboard following a task): a burst of
      // output is mostly nobody's event.
      if (!this.wiring.bus.hasSubscribers('ecs.container-output')) return;
      this.wiring.bus.publish('ecs.container-output', {
        accountId: this.wiring.accountOf(t),
        region: t.taskArn.split(':')[3],
        clusterArn: t.clusterArn,
        taskArn: t.taskArn,
        containerName: container,
        stream: line.stream,
        timestamp: line.timestamp,
        line: line.line,
      });
    },
    injectedEnv: (t, c, agentUrl) => this.injectedEnv(t, c, agentUrl),
    secrets: (t, defs) => this.resolveSecrets(t, defs),
    ecrImage: (t, image) =>
      resolveEcrImage(this.wiring.bus, image, {
        accountId: this.wiring.accountOf(t),
        executionRoleArn: t.definition.executionRoleArn,
        fargate: t.launchType === 'FARGATE',
      }),
    agent: () => this.agentEndpoint(),
    logs: {
      prepare: (t, def, id) => this.prepareLogs(t, def, id),
      close: (t) => this.closeLogs(t),
    },
    eni: {
      lease: async (t, subnetId, attachmentId) =>
        this.wiring.bus.isLoaded('ec2')
          ? createTaskEni(this.wiring.bus, t, subnetId, attachmentId)
          : this.pool.lease(subnetId),
      release: (t, lease) => (lease.eniId ? void deleteTaskEni(this.wiring.bus, t, lease) : this.pool.release(lease)),
      network: (lease) => this.subnetNetwork(lease),
    },
  };

  private newRun(task: TaskRecord): TaskRun {
    const run = new TaskRun(task, this.engine, this.opts, this.hooks);
    this.runs.set(task.taskArn, run);
    run.finished.then(() => {
      this.keepOutput(task, run.output());
      if (this.runs.get(task.taskArn) === run) this.runs.delete(task.taskArn);
    });
    return run;
  }

  /** Starts driving a new task (PROVISIONING) on the engine, in the background. */
  launch(task: TaskRecord): void {
    this.reapOrphans();
    task = this.tracked(task);
    this.issueCredentials(task);
    const run = this.newRun(task);
    this.publish(task);
    run.start();
  }

  /**
   * Takes a task back after a restart with `--data-dir`: a RUNNING task whose containers are on
   * the engine is re-attached (it stays RUNNING, its output continues where delivery stopped);
   * one whose containers are gone, or that was still starting, stops with the reason.
   */
  async adopt(task: TaskRecord): Promise<void> {
    task = this.tracked(task);
    if (task.lastStatus !== 'RUNNING' || task.desiredStatus === 'STOPPED') {
      const starting = task.desiredStatus !== 'STOPPED';
      return this.stop(
        task,
        starting ? 'TaskFailedToStart' : (task.stopCode ?? 'UserInitiated'),
        starting
          ? 'Dockside restarted while the task was starting'
          : (task.stoppedReason ?? 'Dockside restarted while the task was stopping'),
      ).then(() => this.removeContainersOf(task));
    }
    const run = this.newRun(task);
    const eni = task.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
    const detail = (n: string) => eni?.details?.find((d) => d.name === n)?.value;
    let lease: Lease | undefined;
    if (eni && detail('subnetId') && detail('privateIPv4Address')) {
      lease = this.wiring.bus.isLoaded('ec2')
        ? {
            subnetId: detail('subnetId')!,
            ip: detail('privateIPv4Address')!,
            cidr: '',
            gateway: '',
            prefix: 0,
            eniId: detail('networkInterfaceId'),
          }
        : this.pool.reserve(detail('subnetId')!, detail('privateIPv4Address')!);
    }
    let adopted = false;
    try {
      adopted = await run.adopt(lease);
    } catch (err) {
      this.wiring.logger.warn({ err, taskArn: task.taskArn }, 'could not re-adopt the task');
    }
    if (!adopted)
      await run.stop(
        'EssentialContainerExited',
        'Dockside restarted and found none of the task containers on the engine',
      );
  }

  /** Removes a task's containers found by label (a restored task that is not re-adopted). */
  private async removeContainersOf(task: TaskRecord) {
    const found = await this.engine.containersOf(task.taskArn).catch(() => ({}));
    await Promise.all(Object.values(found).map((id) => this.engine.removeContainer(id).catch(() => undefined)));
  }

  private keepOutput(task: TaskRecord, output: Record<string, OutputLine[]>) {
    const kept = this.diagnosticsOf(task).outputs;
    kept.set(task.taskArn, output);
    if (kept.size > MAX_KEPT_OUTPUTS) kept.delete(kept.keys().next().value!);
  }

  /** Stops a task. A task with no run (restored from disk) goes straight to STOPPED. */
  stop(task: TaskRecord, stopCode: ECS.TaskStopCode, reason: string, opts: StopOptions = {}): Promise<void> {
    const run = this.runs.get(task.taskArn);
    if (run) return run.stop(stopCode, reason, opts);
    if (task.lastStatus !== 'STOPPED') {
      task.desiredStatus = 'STOPPED';
      task.stopCode ??= stopCode;
      task.stoppedReason ??= reason;
      const now = new Date();
      for (const s of pathTo(task.lastStatus as TaskStatus, 'STOPPED')) {
        applyStatus(task, s, now);
        this.publish(task);
      }
      for (const c of task.containers ?? []) c.lastStatus = 'STOPPED';
    }
    return Promise.resolve();
  }

  /** Flips a task to STOPPED with an exit code and reason, leaving its containers running. */
  markFailed(task: TaskRecord, exitCode: number, reason: string): void {
    const run = this.runs.get(task.taskArn);
    if (!run) {
      for (const c of task.containers ?? []) {
        c.exitCode = exitCode;
        c.reason = reason;
      }
      void this.stop(task, 'EssentialContainerExited', reason);
      return;
    }
    this.runs.delete(task.taskArn);
    this.detached.add(run);
    this.keepOutput(task, run.output());
    run.markFailed(exitCode, reason);
  }

  /** Captured output by container name: live while the task runs, kept after it stops. */
  output(task: TaskRecord): Record<string, OutputLine[]> | undefined {
    return (
      this.runs.get(task.taskArn)?.output() ?? this.diagnostics.get(this.partitionOf(task))?.outputs.get(task.taskArn)
    );
  }

  /** The task life-cycle event log of every partition, oldest first. */
  events(): Array<EcsTaskChange & { seq: number; at: string }> {
    return this.wiring.store
      .entries()
      .flatMap(({ state }) => this.diagnostics.get(state)?.events.entries() ?? [])
      .sort((a, b) => a.seq - b.seq);
  }

  /**
   * Stops every task quickly (SIGTERM, then SIGKILL after `graceSeconds`) and waits for removal;
   * with `keepRunning` (`--data-dir`), RUNNING tasks are left running for the next start to
   * re-adopt, and only tasks on their way up or down are stopped.
   */
  async shutdown(graceSeconds = 2, keepRunning = false): Promise<void> {
    const kept = keepRunning
      ? [...this.runs.values()].filter((r) => r.task.lastStatus === 'RUNNING' && r.task.desiredStatus === 'RUNNING')
      : [];
    await Promise.all(kept.map((r) => r.leave()));
    await Promise.all([
      ...[...this.runs.values()]
        .filter((r) => !kept.includes(r))
        .map((r) => r.stop('UserInitiated', 'Dockside is shutting down', { stopTimeout: graceSeconds })),
      ...[...this.detached].map((r) => r.removeLeftovers()),
    ]);
    this.detached.clear();
    // Subnet networks go when their last task does (the engine refuses while one is attached).
    for (const p of keepRunning ? [] : this.subnetNetworks.values()) {
      const name = await p.catch(() => undefined);
      if (name) await this.engine.removeNetwork(name).catch(() => undefined);
    }
    this.subnetNetworks.clear();
    this.engine.close();
  }
}
