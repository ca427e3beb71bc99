import * as os from 'node:os';
import * as path from 'node:path';
import type * as ECS from '@aws-sdk/client-ecs';
import type { Bus, Logger } from '@dockside/core';
import type { DockerOptions } from 'dockerode';
import type { TaskRecord } from '../state/types';
import { Engine, type PullPolicy } from './engine';
import { applyStatus, pathTo, type TaskStatus } from './lifecycle';
import type { OutputLine } from './output';
import { TaskRun, type RuntimeOptions } from './task-run';
import { rewriteLoopback } from './docker-spec';

export interface RuntimeConfig {
  docker?: DockerOptions;
  pullPolicy?: PullPolicy;
  keepContainers?: boolean;
  publishHost?: string;
  hostAlias?: string;
  sharedVolumesRoot?: string;
  defaultStopTimeout?: number;
  defaultStartTimeout?: number;
  instanceId?: string;
}

export interface RuntimeWiring {
  bus(): Bus | undefined;
  logger(): Logger | undefined;
  /** The gateway's URL as the host sees it. */
  endpoint(): string | undefined;
  accountOf(task: TaskRecord): string;
}

/** Every task run of one ECS plugin instance, and the engine they share. */
export class Runtime {
  readonly engine: Engine;
  private readonly runs = new Map<string, TaskRun>();
  private readonly opts: RuntimeOptions;
  private orphansChecked = false;

  constructor(
    config: RuntimeConfig,
    private readonly wiring: RuntimeWiring,
  ) {
    this.engine = new Engine(config.docker, config.instanceId ?? `dockside-${process.pid}`);
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
    const region = task.taskArn.split(':')[3];
    this.wiring.bus()?.publish('ecs.task', {
      accountId: this.wiring.accountOf(task),
      region,
      clusterArn: task.clusterArn,
      taskArn: task.taskArn,
      lastStatus: task.lastStatus!,
      desiredStatus: task.desiredStatus!,
      version: task.version!,
      stopCode: task.stopCode,
      stoppedReason: task.stoppedReason,
    });
  }

  private injectedEnv(task: TaskRecord, container: ECS.Container): Record<string, string> {
    const region = task.taskArn.split(':')[3];
    const env: Record<string, string> = {
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_EXECUTION_ENV: task.launchType === 'FARGATE' ? 'AWS_ECS_FARGATE' : 'AWS_ECS_EC2',
    };
    const endpoint = this.wiring.endpoint();
    if (endpoint) {
      const base = task.definition.networkMode === 'host' ? endpoint : rewriteLoopback(endpoint, this.opts.hostAlias);
      const token = container.containerArn!.slice(container.containerArn!.lastIndexOf('/') + 1);
      env.ECS_CONTAINER_METADATA_URI = `${base}/v3/${token}`;
      env.ECS_CONTAINER_METADATA_URI_V4 = `${base}/v4/${token}`;
    }
    return env;
  }

  /** Starts driving a new task (PROVISIONING) on the engine, in the background. */
  launch(task: TaskRecord): void {
    if (!this.orphansChecked) {
      this.orphansChecked = true;
      this.engine.removeOrphans().then(
        (n) => n && this.wiring.logger()?.info({ removed: n }, 'removed containers left by earlier Dockside instances'),
        () => undefined,
      );
    }
    const run = new TaskRun(task, this.engine, this.opts, {
      changed: (t) => this.publish(t),
      output: (t, line: OutputLine) => {
        this.wiring.bus()?.publish('ecs.container-output', {
          accountId: this.wiring.accountOf(t),
          region: t.taskArn.split(':')[3],
          clusterArn: t.clusterArn,
          taskArn: t.taskArn,
          containerName: line.container!,
          stream: line.stream,
          timestamp: line.timestamp,
          line: line.line,
        });
      },
      injectedEnv: (t, c) => this.injectedEnv(t, c),
      log: {
        warn: (o, m) => this.wiring.logger()?.warn(o, m),
        debug: (o, m) => this.wiring.logger()?.debug(o, m),
      },
    });
    this.runs.set(task.taskArn, run);
    this.publish(task);
    run.finished.then(() => this.runs.delete(task.taskArn));
    run.start();
  }

  /** Stops a task. A task with no run (restored from disk) goes straight to STOPPED. */
  stop(task: TaskRecord, stopCode: ECS.TaskStopCode, reason: string, opts: { stopTimeout?: number } = {}): Promise<void> {
    const run = this.runs.get(task.taskArn);
    if (run) return run.stop(stopCode, reason, opts);
    if (task.lastStatus !== 'STOPPED') {
      task.desiredStatus = 'STOPPED';
      task.stopCode ??= stopCode;
      task.stoppedReason ??= reason;
      for (const s of pathTo(task.lastStatus as TaskStatus, 'STOPPED')) {
        applyStatus(task, s);
        this.publish(task);
      }
      for (const c of task.containers ?? []) c.lastStatus = 'STOPPED';
    }
    return Promise.resolve();
  }

  output(taskArn: string) {
    return this.runs.get(taskArn)?.output();
  }

  /** Stops every task quickly (SIGTERM, then SIGKILL after `graceSeconds`) and waits for removal. */
  async shutdown(graceSeconds = 2): Promise<void> {
    await Promise.all([...this.runs.values()].map((r) => r.stop('UserInitiated', 'Dockside is shutting down', { stopTimeout: graceSeconds })));
    this.engine.close();
  }
}
