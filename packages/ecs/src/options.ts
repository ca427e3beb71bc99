import type { DockerOptions } from 'dockerode';
import type { VirtualInstanceShape } from './domain/container-instances';
import type { ContainerEngine, PullPolicy } from './runtime/engine';

/** Options of the ECS plugin. Every one has a CLI flag (see the README). */
export interface EcsOptions {
  /** Another container engine than Docker (see runtime/engine.ts); `docker` is then ignored. */
  engine?: ContainerEngine;
  /** How the container engine is reached; default DOCKER_HOST or /var/run/docker.sock. */
  docker?: DockerOptions;
  /** `prefer-cached` (default): pull only images the engine lacks; `always`; `never`. */
  pullPolicy?: PullPolicy;
  /** Keep stopped tasks' containers on the engine (for debugging). */
  keepContainers?: boolean;
  /** Host address published ports bind to (default 127.0.0.1). */
  publishHost?: string;
  /** Host folder for emulated EFS/FSx file systems. */
  sharedVolumesRoot?: string;
  /** Seconds between SIGTERM and SIGKILL when a container sets no stopTimeout (default 30). */
  defaultStopTimeout?: number;
  /** Known subnets (id → CIDR, /16–/28) for awsvpc ENI addresses; others get a deterministic /24 in 172.31.0.0/16. */
  subnets?: Record<string, string>;
  /** Give awsvpc tasks their ENI address on a Docker network per subnet (default true). */
  realAddresses?: boolean;
  /** How often the service scheduler reconciles every service besides its event-driven runs (ms, default 1000). */
  serviceResyncMs?: number;
  /** How long a deployment's tasks must have run healthy before the deployment is COMPLETED (ms, default 2000). */
  serviceStabilityMs?: number;
  /**
   * Multiplies blue/green, linear and canary bake times (bakeTimeInMinutes, stepBakeTimeInMinutes,
   * canaryBakeTimeInMinutes); default 1. Tests use e.g. 0.01 (a minute becomes 0.6 s).
   */
  deploymentTimeScale?: number;
  /**
   * Virtual container instances Dockside registers in every new cluster (default 0, as a new ECS
   * cluster has none: EC2 tasks then fail with "No Container Instances were found in your cluster.").
   * They share the local container engine; placement debits their resources.
   */
  instancesPerCluster?: number;
  /** What a virtual instance registers (default an m5.xlarge: 4096 CPU units, 15,600 MiB). */
  virtualInstance?: Partial<VirtualInstanceShape>;
  /**
   * Managed scale-in: how long a virtual instance of a managed-scaling (or ECS Managed Instances)
   * capacity provider runs nothing but daemon tasks before it is terminated, down to what the
   * provider's targetCapacity keeps (ms, default 900,000: target tracking scales in after ~15 min).
   */
  scaleInAfterMs?: number;
}
