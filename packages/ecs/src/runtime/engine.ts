/**
 * The container engine behind the ECS runtime: everything the runtime asks of the machine that
 * runs task containers, in one interface. Docker (through dockerode) is the first
 * implementation (./docker/docker-engine.ts); the ECS domain never sees which one it is.
 *
 * Specs and inspect results use the Docker Engine API's JSON shapes as the common language (the
 * ECS agent's own model is built on them): another engine maps them onto its own objects. The
 * "Writing a plugin" guide (packages/core/README.md) says what a Kubernetes engine maps each
 * call to.
 */
import type { ContainerCreateOptions, ContainerInspectInfo } from 'dockerode';

export type PullPolicy = 'always' | 'prefer-cached' | 'never';
export type ContainerSpec = ContainerCreateOptions;
export type ContainerInfo = ContainerInspectInfo;

/** The address ECS tasks reach the agent at (metadata, credentials), as on a real instance. */
export const AGENT_ADDRESS = '169.254.170.2';

export class EngineUnavailableError extends Error {}
export class PullError extends Error {}

/** One line a container wrote (timestamp: epoch ms of arrival). */
export interface OutputLine {
  stream: 'stdout' | 'stderr';
  timestamp: number;
  line: string;
  container?: string;
}

/** A live subscription to a container's output; `drained()` settles once its stream has ended. */
export interface OutputAttachment {
  lines(): OutputLine[];
  drained(): Promise<void>;
  close(): void;
}

export interface RegistryAuth {
  username: string;
  password: string;
  serveraddress?: string;
}

/** A running interactive command: bytes in and out of its TTY. */
export interface InteractiveExec {
  stream: import('node:stream').Duplex;
  resize(cols: number, rows: number): Promise<void>;
  /** Resolves with the exit code once the command has ended (after the stream ends). */
  exitCode(): Promise<number | undefined>;
}

export interface ContainerEngine {
  /** Where the engine is, for messages (`unix:///var/run/docker.sock`). */
  describe(): string;
  /** Rejects with EngineUnavailableError when the engine does not answer. */
  ping(timeoutMs?: number): Promise<void>;
  /** Labels every container and volume Dockside creates carries (finds orphans after a crash). */
  labels(): Record<string, string>;

  // images
  /** Makes `image` available under `policy`; resolves to its digest (`sha256:…`). Rejects with PullError. */
  ensureImage(image: string, policy: PullPolicy, auth?: RegistryAuth): Promise<string>;
  /** Gives an image another name (`docker tag`). */
  tagImage(source: string, target: string): Promise<void>;
  /** The image that holds an awsvpc task's network namespace. */
  pauseImage(): Promise<string>;

  // containers
  createContainer(spec: ContainerSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after `timeoutSeconds`. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  /** Resolves with the exit code of the container's next exit (call before starting it). */
  /**
   * Resolves with the exit code at the container's next exit; with `ifRunning`, at once for a
   * container that is not running (a re-adopted one may have exited meanwhile).
   */
  waitContainer(id: string, ifRunning?: boolean): Promise<number>;
  inspectContainer(id: string): Promise<ContainerInfo>;
  /** Streams stdout/stderr line by line from now on (attach before starting). */
  attachOutput(id: string, tty: boolean, onLine: (l: OutputLine) => void): Promise<OutputAttachment>;
  /**
   * A running container's output from its engine log, following it, without the first `skip`
   * lines (those were delivered before): how a restarted Dockside picks up a task it re-adopts.
   */
  followOutput(id: string, tty: boolean, skip: number, onLine: (l: OutputLine) => void): Promise<OutputAttachment>;
  /** One resource-usage sample (the Docker stats JSON), or null. */
  stats(id: string): Promise<Record<string, unknown> | null>;
  /** Runs a command in a running container; resolves with its exit code and output. */
  exec(id: string, cmd: string[], opts?: { tty?: boolean }): Promise<{ exitCode: number; output: string }>;
  /** Starts an interactive command with a TTY (ECS Exec): its stdin/stdout stream, resize, and exit code. */
  execInteractive(id: string, cmd: string[], size: { cols: number; rows: number }): Promise<InteractiveExec>;
  /** Container events that change a task: health status changes, OOM, exits. */
  watch(id: string, handler: (e: { status: string; id: string }) => void): () => void;

  // networks
  /** The network every task joins to reach Dockside at AGENT_ADDRESS; undefined where impossible. */
  agentNetwork(): Promise<string | undefined>;
  /** A network standing for a subnet (`cidr`, `gateway`); undefined where the engine refuses it. */
  subnetNetwork(
    name: string,
    cidr: string,
    gateway: string,
    labels: Record<string, string>,
  ): Promise<string | undefined>;
  connectNetwork(network: string, containerId: string): Promise<void>;
  removeNetwork(name: string): Promise<void>;

  // volumes
  volumeExists(name: string): Promise<boolean>;
  createVolume(
    name: string,
    driver: string,
    driverOpts: Record<string, string>,
    labels: Record<string, string>,
  ): Promise<void>;
  removeVolume(name: string): Promise<void>;

  /** Removes what Dockside instances that died left behind; resolves to how many containers. */
  /** Removes containers of dead Dockside instances, except those `keep` claims (by their task ARN label). */
  removeOrphans(keep?: (taskArn: string | undefined) => boolean): Promise<number>;
  /** Containers of a task by container name (the pause container as `~internal~ecs~pause`), from their labels. */
  containersOf(taskArn: string): Promise<Record<string, string>>;
  close(): void;
}
