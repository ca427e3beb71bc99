import type * as ECS from '@aws-sdk/client-ecs';
import type { TaskRecord } from '../state/types';
import { toCreateOptions } from './docker-spec';
import { type ContainerEngine, EngineUnavailableError, type OutputLine, PullError } from './engine';
import { type TaskStatus, applyStatus, pathTo, startOrder, taskHealth } from './lifecycle';
import { type ResolvedSecrets, SecretResolutionError, needsSecrets } from './secrets';
import { type Lease, newEniId } from './subnets';
import { bindingsOf, engineMessage, setDetail, withLogOptions } from './task-records';
import type { RegistryAuth } from './engine';
import {
  type ContainerRun,
  type RuntimeOptions,
  type StopOptions,
  type TaskRunHooks,
  conditionMet,
  describeContainer,
} from './task-run-types';
import { type VolumeSource, prepareVolumes } from './volumes';

/** Thrown inside start-up to stop the task with a reason. */
class StartFailure extends Error {
  constructor(
    readonly stopCode: ECS.TaskStopCode,
    message: string,
    readonly containerName?: string,
  ) {
    super(message);
  }
}

const taskId = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

/**
 * One task on the engine: drives the record through the ECS life cycle while it creates,
 * starts, watches, stops and removes the task's containers.
 */
export class TaskRun {
  private readonly containers = new Map<string, ContainerRun>();
  private pauseId?: string;
  private lease?: Lease;
  private readonly taskVolumes: string[] = [];
  private stopping?: Promise<void>;
  private startup?: Promise<void>;
  private wake: () => void = () => undefined;
  private changedSignal = new Promise<void>((r) => (this.wake = r));
  private stopTimeoutOverride?: number;
  /** Set by markFailed: the record is final, engine events no longer change it. */
  private detached = false;
  /** Set by leave(): Dockside stops, the task's containers keep running for the next start. */
  private leaving = false;
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;

  constructor(
    readonly task: TaskRecord,
    private readonly engine: ContainerEngine,
    private readonly opts: RuntimeOptions,
    private readonly hooks: TaskRunHooks,
  ) {
    this.finished = new Promise((r) => (this.resolveFinished = r));
    for (const def of task.definition.containerDefinitions ?? []) {
      const record = task.containers!.find((c) => c.name === def.name)!;
      this.containers.set(def.name!, { def, record, started: false, exited: false });
    }
  }

  /** Captured output of every container, for introspection. */
  output(): Record<string, OutputLine[]> {
    return Object.fromEntries([...this.containers].map(([n, c]) => [n, c.output?.lines() ?? []]));
  }

  private notify() {
    const wake = this.wake;
    this.changedSignal = new Promise<void>((r) => (this.wake = r));
    wake();
  }

  private advance(target: TaskStatus) {
    if (this.detached && target !== 'STOPPED') return;
    // The statuses passed in one step share one instant (one Date: a stopped task keeps fewer).
    const now = new Date();
    for (const status of pathTo(this.task.lastStatus as TaskStatus, target)) {
      applyStatus(this.task, status, now);
      this.hooks.changed(this.task);
    }
  }

  /** Every published change carries a new version, as ECS's do. */
  private touch() {
    if (this.detached) return;
    this.task.version = (this.task.version ?? 0) + 1;
    this.hooks.changed(this.task);
  }

  private containerChanged() {
    if (this.detached) return;
    this.task.version = (this.task.version ?? 0) + 1;
    this.task.healthStatus = taskHealth(
      [...this.containers.values()].map((c) => ({
        essential: c.def.essential !== false,
        hasHealthCheck: Boolean(c.def.healthCheck),
        healthStatus: c.record.healthStatus,
      })),
    );
    this.hooks.changed(this.task);
    this.notify();
  }

  start(): void {
    this.startup = this.runStartup().catch((e: unknown) => {
      const f =
        e instanceof StartFailure
          ? e
          : e instanceof EngineUnavailableError
            ? new StartFailure('TaskFailedToStart', `CannotStartContainerError: ${e.message}`)
            : new StartFailure('TaskFailedToStart', `CannotStartContainerError: ${(e as Error).message}`);
      if (f.containerName) {
        const c = this.containers.get(f.containerName);
        if (c && !c.record.reason) c.record.reason = f.message;
      }
      void this.stop(f.stopCode, f.message);
    });
  }

  private checkAborted() {
    if (this.stopping) throw new StartFailure('UserInitiated', 'aborted');
  }

  private async runStartup(): Promise<void> {
    await this.engine.ping();
    const eni = this.eniAttachment();
    if (eni) {
      const subnetId = eni.details!.find((d) => d.name === 'subnetId')!.value!;
      this.lease = await this.hooks.eni.lease(this.task, subnetId, eni.id!);
      if (!this.lease) {
        eni.status = 'FAILED';
        throw new StartFailure(
          'TaskFailedToStart',
          `ResourceInitializationError: unable to create the task's elastic network interface: InsufficientFreeAddressesInSubnet: subnet ${subnetId} has no free IP addresses`,
        );
      }
      const domain =
        this.task.taskArn.split(':')[3] === 'us-east-1'
          ? 'ec2.internal'
          : `${this.task.taskArn.split(':')[3]}.compute.internal`;
      setDetail(eni, 'networkInterfaceId', this.lease.eniId ?? newEniId());
      if (this.lease.macAddress) setDetail(eni, 'macAddress', this.lease.macAddress);
      setDetail(eni, 'privateIPv4Address', this.lease.ip);
      setDetail(eni, 'privateDnsName', `ip-${this.lease.ip.replace(/\./g, '-')}.${domain}`);
      eni.status = 'ATTACHING';
      for (const c of this.task.containers ?? [])
        c.networkInterfaces = [{ attachmentId: eni.id, privateIpv4Address: this.lease.ip }];
      this.touch();
    }
    this.advance('PENDING');

    // Secrets and registry credentials first, as the agent does: a missing one fails the task.
    const defs = [...this.containers.values()].map((c) => c.def);
    let secrets: ResolvedSecrets | undefined;
    if (needsSecrets(defs)) {
      try {
        secrets = await this.hooks.secrets(this.task, defs);
      } catch (e) {
        if (e instanceof SecretResolutionError) throw new StartFailure('TaskFailedToStart', e.message);
        throw e;
      }
      this.checkAborted();
    }

    // Images: each distinct image once (per credentials), under the pull policy.
    this.task.pullStartedAt = new Date();
    this.touch();
    const digests = new Map<string, string>();
    for (const c of this.containers.values()) {
      const image = c.def.image!;
      if (!digests.has(image)) {
        try {
          digests.set(image, await this.pull(image, secrets?.registryAuth.get(c.def.name!)));
        } catch (e) {
          if (e instanceof PullError)
            throw new StartFailure('TaskFailedToStart', `CannotPullContainerError: ${e.message}`, c.def.name);
          throw e;
        }
      }
      c.record.imageDigest = digests.get(image);
    }
    this.task.pullStoppedAt = new Date();
    this.touch();
    this.checkAborted();
    this.advance('ACTIVATING');

    const mode = this.task.definition.networkMode ?? 'bridge';
    const agent = mode === 'none' ? {} : await this.hooks.agent();
    const joinAgent = async (id: string) => {
      if (agent.network) await this.engine.connectNetwork(agent.network, id);
    };
    if (mode === 'awsvpc') await this.startPause(joinAgent);
    const mounts = await this.prepareVolumes();

    // Create every container first (volumesFrom and links need their sources to exist).
    const waves = startOrder([...this.containers.values()].map((c) => c.def));
    for (const name of waves.flat()) {
      this.checkAborted();
      const c = this.containers.get(name)!;
      const dockerName = `ecs-${this.dockerBase()}-${name}-${taskId(this.task.taskArn).slice(0, 12)}`;
      const options = toCreateOptions(c.def, {
        dockerName,
        labels: { ...this.agentLabels(name), ...this.engine.labels() },
        injectedEnv: { ...this.hooks.injectedEnv(this.task, c.record, agent.url), ...secrets?.env.get(name) },
        networkMode: mode,
        netnsContainerId: this.pauseId,
        mounts: (c.def.mountPoints ?? []).map((mp) => ({
          ...mounts.get(mp.sourceVolume!)!,
          target: mp.containerPath!,
          readOnly: Boolean(mp.readOnly),
        })),
        volumesFrom: (c.def.volumesFrom ?? []).map(
          (vf) => `${this.containers.get(vf.sourceContainer!)!.id}${vf.readOnly ? ':ro' : ''}`,
        ),
        links: (c.def.links ?? []).map((l) => {
          const [target, alias] = l.split(':');
          return `${this.containers.get(target)?.id ?? target}:${alias ?? target}`;
        }),
        publishHost: this.opts.publishHost,
        hostAlias: this.opts.hostAlias,
        ...(agent.url ? { loopbackRewrite: new URL(agent.url).hostname } : {}),
        // Bridge containers use the agent network as their bridge: one interface, reaching
        // Dockside at its gateway, instead of a second network connected per container (~110 ms).
        ...(agent.network ? { bridgeNetwork: agent.network } : {}),
      });
      let id: string;
      try {
        id = await this.engine.createContainer(options);
      } catch (e) {
        throw new StartFailure('TaskFailedToStart', `CannotCreateContainerError: ${engineMessage(e)}`, name);
      }
      c.id = id;
      c.record.runtimeId = id;
      this.task.runtimeIds[name] = id;
      c.output = await this.engine.attachOutput(id, c.def.pseudoTerminal === true, (line) =>
        this.hooks.output(this.task, name, line),
      );
      try {
        await this.hooks.logs.prepare(this.task, withLogOptions(c.def, secrets?.logOptions.get(name)), id);
      } catch (e) {
        const code = (e as { code?: string }).code;
        throw new StartFailure(
          'TaskFailedToStart',
          `CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ${code ? `${code}: ` : ''}${(e as Error).message}`,
          name,
        );
      }
    }

    // Start each container once its dependencies hold; all in parallel, ordered by conditions.
    await Promise.all([...this.containers.values()].map((c) => this.startWhenReady(c)));
    this.checkAborted();
    this.advance('RUNNING');
  }

  /**
   * Lets go of a running task without stopping it (Dockside shuts down with `--data-dir`): what
   * its containers wrote so far is delivered, and the next start re-adopts it.
   */
  async leave(): Promise<void> {
    this.leaving = true;
    await this.startup?.catch(() => undefined);
    for (const c of this.containers.values()) c.output?.close();
    await this.hooks.logs.close(this.task).catch(() => undefined);
  }

  /**
   * Re-attaches a task that was RUNNING when Dockside last stopped (`--data-dir`): its containers
   * found by their labels, each one's output followed from the engine log past the lines already
   * delivered, exits and health watched as for a task started here. Resolves false when none of
   * its containers is left on the engine.
   */
  async adopt(lease: Lease | undefined): Promise<boolean> {
    const found = await this.engine.containersOf(this.task.taskArn);
    this.pauseId = found['~internal~ecs~pause'];
    this.lease = lease;
    let any = false;
    for (const [name, c] of this.containers) {
      const id = found[name];
      if (!id) continue;
      any = true;
      c.id = id;
      c.started = true;
      const unwatch = this.engine.watch(id, (e) => this.onEngineEvent(c, e.status));
      const exit = this.engine.waitContainer(id, true);
      c.output = await this.engine.followOutput(
        id,
        c.def.pseudoTerminal === true,
        this.task.outputLines?.[name] ?? 0,
        (line) => this.hooks.output(this.task, name, line),
      );
      await this.hooks.logs.prepare(this.task, c.def, id).catch(() => undefined);
      c.done = exit.then(
        (code) => this.onExit(c, code, unwatch),
        (e: unknown) => this.onExit(c, undefined, unwatch, engineMessage(e)),
      );
    }
    // A container never created (it was waiting on a dependency) will not be: it counts as exited.
    for (const c of this.containers.values()) if (!c.id) c.exited = true;
    return any;
  }

  private eniAttachment(): ECS.Attachment | undefined {
    return this.task.attachments?.find((a) => a.type === 'ElasticNetworkInterface');
  }

  /**
   * The pause container holding an awsvpc task's network namespace: on the subnet's Docker
   * network at the ENI address when the engine allows, with every container port published on
   * loopback, and joined to the agent network.
   */
  private async startPause(joinAgent: (id: string) => Promise<void>) {
    const network = this.lease ? await this.hooks.eni.network(this.lease) : undefined;
    const ports = [...this.containers.values()].flatMap((c) =>
      (c.def.portMappings ?? []).map((p) => `${p.containerPort}/${p.protocol ?? 'tcp'}`),
    );
    const pauseId = await this.engine.createContainer({
      name: `ecs-${this.dockerBase()}-internalecspause-${taskId(this.task.taskArn).slice(0, 12)}`,
      Image: await this.engine.pauseImage(),
      Labels: { ...this.agentLabels('~internal~ecs~pause'), ...this.engine.labels() },
      ExposedPorts: Object.fromEntries(ports.map((p) => [p, {}])),
      HostConfig: {
        NetworkMode: network ?? 'bridge',
        PortBindings: Object.fromEntries(ports.map((p) => [p, [{ HostIp: this.opts.publishHost, HostPort: '' }]])),
      },
      ...(network && this.lease
        ? { NetworkingConfig: { EndpointsConfig: { [network]: { IPAMConfig: { IPv4Address: this.lease.ip } } } } }
        : {}),
    });
    this.pauseId = pauseId;
    this.task.runtimeIds['~internal~ecs~pause'] = pauseId;
    await joinAgent(pauseId);
    await this.engine.startContainer(pauseId);
    const eni = this.eniAttachment();
    const info = await this.engine.inspectContainer(pauseId);
    if (eni) {
      const nets = info.NetworkSettings?.Networks ?? {};
      const mac = (network ? nets[network] : nets.bridge)?.MacAddress;
      if (mac) setDetail(eni, 'macAddress', mac);
      eni.status = 'ATTACHED';
    }
    const bindings = bindingsOf(info);
    for (const c of this.containers.values()) {
      const mine = new Set((c.def.portMappings ?? []).map((p) => p.containerPort));
      const b = bindings.filter((x) => mine.has(x.containerPort));
      if (b.length) c.record.networkBindings = b;
    }
    this.touch();
  }

  private async startWhenReady(c: ContainerRun): Promise<void> {
    const timeoutSec = c.def.startTimeout ?? this.opts.defaultStartTimeout;
    const deadline = Date.now() + timeoutSec * 1000;
    for (const dep of c.def.dependsOn ?? []) {
      const target = this.containers.get(dep.containerName!)!;
      for (;;) {
        this.checkAborted();
        const verdict = conditionMet(dep.condition!, target);
        if (verdict === true) break;
        if (verdict === false) {
          throw new StartFailure(
            'TaskFailedToStart',
            `CannotStartContainerError: dependency condition ${dep.condition} of container '${c.def.name}' on '${dep.containerName}' can no longer be met: ${describeContainer(target)}`,
            c.def.name,
          );
        }
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new StartFailure(
            'TaskFailedToStart',
            `ContainerRuntimeTimeoutError: Could not transition to running; timed out after waiting ${timeoutSec}s: dependency condition ${dep.condition} on container '${dep.containerName}' not met`,
            c.def.name,
          );
        }
        await Promise.race([this.changedSignal, new Promise((r) => setTimeout(r, Math.min(left, 1000)))]);
      }
    }
    this.checkAborted();
    const id = c.id!;
    // Watch and wait before starting, so no exit or health event can be missed.
    const unwatch = this.engine.watch(id, (e) => this.onEngineEvent(c, e.status));
    const exit = this.engine.waitContainer(id);
    try {
      await this.engine.startContainer(id);
    } catch (e) {
      unwatch();
      throw new StartFailure('TaskFailedToStart', `CannotStartContainerError: ${engineMessage(e)}`, c.def.name);
    }
    c.started = true;
    c.record.lastStatus = 'RUNNING';
    if (c.def.healthCheck) c.record.healthStatus = 'UNKNOWN';
    // ECS Exec: the managed agent runs beside every container of a task with exec enabled.
    if (this.task.enableExecuteCommand)
      c.record.managedAgents = [{ name: 'ExecuteCommandAgent', lastStatus: 'RUNNING', lastStartedAt: new Date() }];
    if (this.task.definition.networkMode === 'bridge' && c.def.portMappings?.length) {
      c.record.networkBindings = await this.engine.inspectContainer(id).then(bindingsOf, () => []);
    } else if (this.task.definition.networkMode === 'host' && c.def.portMappings?.length) {
      // Host mode binds the container port on every address of the machine, as ECS reports it.
      c.record.networkBindings = c.def.portMappings.map((p) => ({
        bindIP: '0.0.0.0',
        containerPort: p.containerPort,
        hostPort: p.containerPort,
        protocol: p.protocol ?? 'tcp',
      }));
    }
    this.containerChanged();
    c.done = exit.then(
      (code) => this.onExit(c, code, unwatch),
      (e: unknown) => this.onExit(c, undefined, unwatch, engineMessage(e)),
    );
  }

  private onEngineEvent(c: ContainerRun, status: string) {
    const health = status.startsWith('health_status: ') ? status.slice('health_status: '.length) : undefined;
    if (!health || c.exited) return;
    c.record.healthStatus = health === 'healthy' ? 'HEALTHY' : health === 'unhealthy' ? 'UNHEALTHY' : 'UNKNOWN';
    this.containerChanged();
  }

  private async onExit(c: ContainerRun, code: number | undefined, unwatch: () => void, error?: string) {
    unwatch();
    // Dockside is leaving the task running for its next start: the engine going away is no exit.
    if (this.leaving) return;
    await c.output?.drained();
    let oom = false;
    try {
      oom = Boolean((await this.engine.inspectContainer(c.id!)).State?.OOMKilled);
    } catch {
      // removed already: keep what we have
    }
    c.exited = true;
    c.exitCode = code;
    if (!this.detached) {
      c.record.lastStatus = 'STOPPED';
      if (code !== undefined) c.record.exitCode = code;
      if (oom) c.record.reason = 'OutOfMemoryError: Container killed due to memory usage';
      else if (error && !c.record.reason) c.record.reason = `CannotInspectContainerError: ${error}`;
    }
    this.containerChanged();
    if (this.stopping) return;
    if (c.def.essential !== false) {
      void this.stop('EssentialContainerExited', 'Essential container in task exited');
    } else if ([...this.containers.values()].every((x) => x.exited || (!x.started && x.def.essential === false))) {
      void this.stop('EssentialContainerExited', 'Essential container in task exited');
    }
  }

  /**
   * Makes an image available: as named, or for an ECR name from Dockside's registry (tagged under
   * the AWS name). An image the engine already has under that name is used unless the policy is
   * `always`. Resolves with the image digest.
   */
  private async pull(image: string, auth: RegistryAuth | undefined): Promise<string> {
    const ecr = await this.hooks.ecrImage(this.task, image);
    if (!ecr) return this.engine.ensureImage(image, this.opts.pullPolicy, auth);
    if (this.opts.pullPolicy !== 'always') {
      try {
        await this.engine.ensureImage(image, 'never');
        return ecr.digest;
      } catch {
        // not on the engine yet
      }
    }
    // Dockside's own registry is local: it is pulled from even under the 'never' policy.
    await this.engine.ensureImage(ecr.source, 'always', ecr.auth);
    await this.engine.tagImage(ecr.source, image);
    return ecr.digest;
  }

  /**
   * Stops the task: SIGTERM then SIGKILL after each container's stopTimeout, dependents first;
   * then removal and STOPPED. The first reason given is kept.
   */
  stop(stopCode: ECS.TaskStopCode, reason: string, opts: StopOptions = {}): Promise<void> {
    if (opts.stopTimeout !== undefined) this.stopTimeoutOverride = opts.stopTimeout;
    if (this.stopping) return this.stopping;
    this.task.desiredStatus = 'STOPPED';
    this.task.stopCode ??= stopCode;
    this.task.stoppedReason ??= reason;
    this.advance('DEACTIVATING');
    this.notify();
    // A load balancer drains the task's targets first; the containers keep serving meanwhile.
    const drained = (opts.drain ?? Promise.resolve()).catch(() => undefined);
    this.stopping = drained.then(() => this.runStop()).finally(() => this.resolveFinished());
    return this.stopping;
  }

  /**
   * Flips the task to STOPPED with this exit code and reason without touching its containers
   * (introspection's mark-failed). They are removed when Dockside shuts down.
   */
  markFailed(exitCode: number, reason: string): void {
    if (this.task.lastStatus === 'STOPPED' || this.detached) return;
    this.task.desiredStatus = 'STOPPED';
    this.task.stopCode = 'EssentialContainerExited';
    this.task.stoppedReason = reason;
    for (const c of this.containers.values()) {
      c.record.lastStatus = 'STOPPED';
      c.record.exitCode = exitCode;
      c.record.reason = reason;
    }
    this.advance('STOPPED');
    this.detached = true;
  }

  /** Removes whatever is left on the engine (used at shutdown for marked-failed tasks). */
  async removeLeftovers(): Promise<void> {
    if (this.hasEngineObjects()) await this.cleanup();
  }

  private async runStop(): Promise<void> {
    this.advance('STOPPING');
    await this.startup?.catch(() => undefined);
    const onEngine = this.hasEngineObjects();
    if (onEngine) {
      const waves = startOrder([...this.containers.values()].map((c) => c.def)).reverse();
      for (const wave of waves) {
        await Promise.all(
          wave.map(async (name) => {
            const c = this.containers.get(name)!;
            if (!c.id || !c.started || c.exited) return;
            const t = this.stopTimeoutOverride ?? c.def.stopTimeout ?? this.opts.defaultStopTimeout;
            await this.engine.stopContainer(c.id, t).catch(() => undefined);
          }),
        );
      }
      await Promise.all([...this.containers.values()].map((c) => c.done));
    }
    for (const c of this.containers.values()) {
      if (c.record.lastStatus !== 'STOPPED') c.record.lastStatus = 'STOPPED';
    }
    // Every line the containers wrote is in CloudWatch Logs before the task says STOPPED.
    await this.hooks.logs.close(this.task).catch(() => undefined);
    const eni = this.eniAttachment();
    if (eni && eni.status !== 'FAILED') eni.status = 'DETACHING';
    this.advance('DEPROVISIONING');
    if (onEngine && !this.opts.keepContainers) await this.cleanup();
    else for (const c of this.containers.values()) c.output?.close();
    this.releaseEni();
    if (eni && eni.status !== 'FAILED') eni.status = 'DELETED';
    this.advance('STOPPED');
  }

  private releaseEni() {
    if (this.lease) this.hooks.eni.release(this.task, this.lease);
    this.lease = undefined;
  }

  /** Whether anything of this task was created on the engine. */
  private hasEngineObjects(): boolean {
    return [...this.containers.values()].some((c) => c.id) || Boolean(this.pauseId);
  }

  private async cleanup() {
    const ids = [...[...this.containers.values()].map((c) => c.id), this.pauseId].filter(Boolean) as string[];
    await Promise.all(ids.map((id) => this.engine.removeContainer(id).catch(() => undefined)));
    for (const c of this.containers.values()) c.output?.close();
    await Promise.all(this.taskVolumes.map((v) => this.engine.removeVolume(v).catch(() => undefined)));
    this.releaseEni();
  }

  /** The task's volumes, as bind or volume mounts by ECS volume name. */
  private async prepareVolumes(): Promise<Map<string, VolumeSource>> {
    try {
      return await prepareVolumes(this.task, this.engine, this.opts.sharedVolumesRoot, (name) =>
        this.taskVolumes.push(name),
      );
    } catch (e) {
      throw new StartFailure('TaskFailedToStart', `CannotCreateVolumeError: ${engineMessage(e)}`);
    }
  }

  private dockerBase(): string {
    return `${this.task.definition.family}-${this.task.definition.revision}`;
  }

  private agentLabels(containerName: string): Record<string, string> {
    return {
      'com.amazonaws.ecs.cluster': this.task.clusterArn,
      'com.amazonaws.ecs.container-name': containerName,
      'com.amazonaws.ecs.task-arn': this.task.taskArn,
      'com.amazonaws.ecs.task-definition-family': this.task.definition.family,
      'com.amazonaws.ecs.task-definition-version': String(this.task.definition.revision),
    };
  }
}
