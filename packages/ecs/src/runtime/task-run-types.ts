import type { EcrSource } from './ecr-images';
import type * as ECS from '@aws-sdk/client-ecs';
import type { TaskRecord } from '../state/types';
import type { OutputAttachment, OutputLine, PullPolicy } from './engine';
import type { ResolvedSecrets } from './secrets';
import type { Lease } from './subnets';
/** The options, hooks and per-container records a task run works with. */
export interface RuntimeOptions {
  pullPolicy: PullPolicy;
  keepContainers: boolean;
  /** Host address published ports bind to. */
  publishHost: string;
  /** Name containers use for the machine; loopback URLs in env values are rewritten to it. */
  hostAlias: string;
  /** Host folder under which EFS / FSx file systems are emulated (one folder per file system id). */
  sharedVolumesRoot: string;
  /** Default seconds between SIGTERM and SIGKILL (ECS_CONTAINER_STOP_TIMEOUT). */
  defaultStopTimeout: number;
  /** Default seconds a container waits for its dependencies. */
  defaultStartTimeout: number;
}

/**
 * What a run asks of the runtime. One object serves every run (each call names its task): hooks
 * made per run were ~1 KB of closures per task, kept as long as the run and promoted with it.
 */
export interface TaskRunHooks {
  /** Called after every change of the record (status, container state). */
  changed(task: TaskRecord): void;
  output(task: TaskRecord, container: string, line: OutputLine): void;
  /** Extra environment a container gets (region, metadata URIs, credentials). */
  injectedEnv(task: TaskRecord, container: ECS.Container, agentUrl: string | undefined): Record<string, string>;
  /** Values of `secrets`, `secretOptions` and `repositoryCredentials` (rejects with SecretResolutionError). */
  secrets(task: TaskRecord, defs: ECS.ContainerDefinition[]): Promise<ResolvedSecrets>;
  /** An ECR-named image's place in Dockside's registry (undefined: pull it as named). */
  ecrImage(task: TaskRecord, image: string): Promise<EcrSource | undefined>;
  /** The agent network to join and Dockside's URL on it, when the engine allows. */
  agent(): Promise<{ network?: string; url?: string }>;
  /** The container's log driver (awslogs): prepared after creation, flushed before STOPPED. */
  logs: {
    prepare(task: TaskRecord, def: ECS.ContainerDefinition, containerId: string): Promise<void>;
    close(task: TaskRecord): Promise<void>;
  };
  /** awsvpc: an address in the subnet (undefined when exhausted), its release, and its network. */
  eni: {
    lease(task: TaskRecord, subnetId: string, attachmentId: string): Promise<Lease | undefined>;
    release(task: TaskRecord, lease: Lease): void;
    network(lease: Lease): Promise<string | undefined>;
  };
}

/** One container of a task run, as the run tracks it. */
export interface ContainerRun {
  def: ECS.ContainerDefinition;
  record: ECS.Container;
  id?: string;
  started: boolean;
  exited: boolean;
  exitCode?: number;
  health?: ECS.HealthStatus;
  output?: OutputAttachment;
  /** Settles once the exit (if any) is fully processed, output drained. */
  done?: Promise<void>;
}

/** true: met; false: can never be met; undefined: not yet. */
export function conditionMet(condition: string, c: ContainerRun): boolean | undefined {
  switch (condition) {
    case 'START':
      return c.started || c.exited ? true : undefined;
    case 'COMPLETE':
      return c.exited ? true : undefined;
    case 'SUCCESS':
      return c.exited ? c.exitCode === 0 : undefined;
    case 'HEALTHY':
      if (c.record.healthStatus === 'HEALTHY') return true;
      return c.exited ? false : undefined;
    default:
      return undefined;
  }
}

/** How a dependency stands, for messages. */
export function describeContainer(c: ContainerRun): string {
  return c.exited ? `it exited with code ${c.exitCode}` : c.started ? 'it is running' : 'it has not started';
}

/** How a task is stopped: a stopTimeout override, and what to wait for in DEACTIVATING. */
export interface StopOptions {
  stopTimeout?: number;
  /** Settles once the task's load-balancer targets have drained (the task stays DEACTIVATING until then). */
  drain?: Promise<unknown>;
}
