/**
 * The service scheduler: one reconcile per service, run when one of its tasks changes (bus
 * events), when the API changes the service, and on a periodic resync. It keeps desiredCount
 * tasks per deployment or task set, rolls deployments within minimumHealthyPercent /
 * maximumPercent, trips the deployment circuit breaker and rolls back, honours task protection,
 * and registers tasks with load balancers through the elbv2 plugin when it is loaded.
 */
import { clone } from '@dockside/core';
import type { Bus, Logger, Store } from '@dockside/core';
import type { EcsDeploymentChange, EcsServiceAction, EcsTaskChange } from '../contract';
import type { Where } from '../domain/context';
import {
  addEvent,
  failureThreshold,
  hasHealthCheck,
  isHealthy,
  serviceArnOf,
  startDeployment,
  taskId,
} from '../domain/deployments';
import { DEFAULT_VIRTUAL_INSTANCE, type VirtualInstanceShape } from '../domain/container-instances';
import { PENDING_STATUSES, TaskIndex } from '../domain/task-index';
import { Runtime } from '../runtime/runtime';
import type { ClusterRecord, DeploymentRecord, EcsState, ServiceRecord, TaskRecord } from '../state/types';
import { deregisterTargets, onTargetHealth, registerTargets } from './load-balancers';
import { scaleIn } from '../domain/capacity-providers';
import { ecsArn } from '../domain/arn';
import { containerInstanceView } from '../domain/container-instances';
import { reconcileDaemons } from './daemons';
import { reconcileDeployments } from './rollout';
import { revertTraffic } from './traffic';
import { reconcileTaskSets } from './task-sets';

export interface SchedulerOptions {
  /** How often every service is reconciled besides the event-driven runs (ms, default 1000). */
  resyncMs?: number;
  /**
   * How long the tasks of a deployment must have been RUNNING (and healthy) before it is COMPLETED
   * (ms, default 2000): ECS also judges completion over scheduler cycles, so a container that dies
   * right after starting fails the deployment instead of completing it.
   */
  stabilityMs?: number;
  /** Multiplies blue/green bake times (bakeTimeInMinutes, linear and canary step bake times); default 1. */
  deploymentTimeScale?: number;
  /** The plugin's task index (placement reads the tasks on each container instance from it). */
  index?: TaskIndex;
  /** What managed scaling's virtual instances register. */
  virtualInstance?: VirtualInstanceShape;
  /** How long a managed-scaling instance stays idle before it is terminated (ms, default 15 min). */
  scaleInAfterMs?: number;
}

export type { Where } from '../domain/context';
/** One reconcile of one service: what every step of it reads (the tasks as of its start, one clock reading). */
export interface ReconcilePass {
  s: ServiceScheduler;
  state: EcsState;
  where: Where;
  svc: ServiceRecord;
  cluster: ClusterRecord | undefined;
  tasks: TaskRecord[];
  now: number;
}

export class ServiceScheduler {
  private readonly pending = new Map<string, Where>();
  private flushScheduled = false;
  private timer?: NodeJS.Timeout;
  private unsubscribe: Array<() => void> = [];
  /** Wake-ups of throttled services (the throttle itself is in the service record). */
  private readonly throttleTimers = new Map<string, NodeJS.Timeout>();
  /** Set at shutdown: tasks stopping then must not be replaced. */
  private stopped = false;

  constructor(
    readonly store: Store<EcsState>,
    readonly runtime: Runtime,
    readonly opts: SchedulerOptions,
    readonly bus: Bus,
    readonly logger: Logger,
  ) {
    this.index = opts.index ?? new TaskIndex();
    this.virtualInstance = opts.virtualInstance ?? DEFAULT_VIRTUAL_INSTANCE;
  }

  readonly index: TaskIndex;
  readonly virtualInstance: VirtualInstanceShape;

  start(): void {
    this.stopped = false;
    this.unsubscribe = [
      this.bus.subscribe('ecs.task', (e) => this.onTask(e)),
      this.bus.subscribe('elbv2.target-health', (e) => {
        const state = this.store.get(e.accountId, e.region);
        const task = onTargetHealth(state, e);
        const arn = task && serviceArnOf(task);
        if (arn) this.schedule(e, arn);
      }),
    ];
    this.timer = setInterval(() => this.resyncAll(), this.opts.resyncMs ?? 1000);
    this.timer.unref();
    this.resyncAll();
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.throttleTimers.values()) clearTimeout(timer);
    this.throttleTimers.clear();
    this.pending.clear();
    for (const u of this.unsubscribe.splice(0)) u();
    if (this.timer) clearInterval(this.timer);
  }

  /** True once the gateway is shutting down. */
  isStopped(): boolean {
    return this.stopped;
  }

  /**
   * Stops a service task the scheduler no longer wants: its targets are deregistered first and
   * the task stays in DEACTIVATING until the load balancer has drained them.
   */
  stopTask(
    where: Where,
    svc: ServiceRecord,
    t: TaskRecord,
    reason: string,
    stopCode: 'ServiceSchedulerInitiated' = 'ServiceSchedulerInitiated',
  ) {
    const drain = deregisterTargets(this, where, svc, t);
    void this.runtime.stop(t, stopCode, reason, { drain });
  }

  /** Publishes `ecs.deployment` (ECS's "ECS Deployment State Change" event names). */
  deploymentChanged(svc: ServiceRecord, dep: DeploymentRecord, eventName: EcsDeploymentChange['eventName']): void {
    if (eventName === 'SERVICE_DEPLOYMENT_IN_PROGRESS') this.clearThrottle(svc);
    const [, , , region, accountId] = svc.serviceArn.split(':');
    this.bus.publish('ecs.deployment', {
      accountId,
      region,
      clusterArn: svc.clusterArn,
      serviceArn: svc.serviceArn,
      deploymentId: dep.id,
      eventName,
      reason: dep.rolloutStateReason ?? '',
      updatedAt: new Date().toISOString(),
    });
  }

  /** A service event that ECS also sends to EventBridge as an "ECS Service Action". */
  action(svc: ServiceRecord, eventName: EcsServiceAction['eventName'], message: string) {
    addEvent(svc, message);
    const [, , , region, accountId] = svc.serviceArn.split(':');
    this.bus.publish('ecs.service-action', {
      accountId,
      region,
      clusterArn: svc.clusterArn,
      serviceArn: svc.serviceArn,
      eventName,
      message,
      createdAt: new Date().toISOString(),
    });
  }

  /** Reconciles the service soon (coalesced: many events, one run). */
  schedule(where: Where, serviceArn: string): void {
    if (this.stopped) return;
    this.pending.set(serviceArn, { accountId: where.accountId, region: where.region });
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (this.stopped) return;
      const batch = [...this.pending];
      this.pending.clear();
      for (const [arn, w] of batch) {
        const state = this.store.get(w.accountId, w.region);
        const svc = state.services?.[arn];
        if (svc) this.safely(() => this.reconcile(state, w, svc));
      }
    });
  }

  private resyncAll() {
    for (const { accountId, region, state } of this.store.entries()) {
      for (const svc of Object.values(state.services ?? {}))
        if (svc.status !== 'INACTIVE') this.schedule({ accountId, region }, svc.serviceArn);
      if (this.stopped) continue;
      this.safely(() => reconcileDaemons(this, state, { accountId, region }));
      this.safely(() => {
        for (const ci of scaleIn(
          state,
          this.index.liveByInstance(state),
          Date.now(),
          this.opts.scaleInAfterMs ?? 900_000,
        ))
          this.bus.publish('ecs.container-instance', {
            accountId,
            region,
            clusterArn: ecsArn({ accountId, region }, `cluster/${ci.clusterName}`),
            containerInstance: containerInstanceView(state, ci, []),
          });
      });
    }
  }

  private safely(fn: () => void) {
    try {
      fn();
    } catch (err) {
      this.logger.error({ err }, 'service scheduler failed');
    }
  }

  private onTask(e: EcsTaskChange) {
    const state = this.store.get(e.accountId, e.region);
    const task = state.tasks[e.taskArn];
    if (!task) return;
    const arn = serviceArnOf(task);
    const svc = arn ? state.services?.[arn] : undefined;
    if (!svc) return;
    // Only a passing health check proves a task good; without one, a task that stops by itself
    // during a rollout counts as failed even if it was RUNNING for a moment (a crash loop).
    if (isHealthy(task) && hasHealthCheck(task)) task.everHealthy = true;
    if (e.lastStatus === 'RUNNING' && task.desiredStatus === 'RUNNING') void registerTargets(this, e, svc, task);
    // Counted when the task starts stopping (its replacement is launched then), once.
    if (task.desiredStatus === 'STOPPED' && task.stopCode && !task.startJudged) {
      task.startJudged = true;
      this.countStartFailure(e, svc, task);
    }
    if (e.lastStatus === 'STOPPED') {
      // ECS surfaces why a service task could not start (secrets, pulls, ENIs) as a service event.
      if (task.stopCode === 'TaskFailedToStart' && task.stoppedReason) {
        this.action(
          svc,
          'SERVICE_TASK_CONFIGURATION_FAILURE',
          `(service ${svc.serviceName}) was unable to place a task. Reason: ${task.stoppedReason.replace(/\.?$/, '.')}`,
        );
      }
      this.onStopped(e, svc, task);
    }
    this.schedule(e, svc.serviceArn);
  }

  /**
   * A task that stops by itself before it was stable (or fails its health checks) is a failed
   * start. From the third in a row, launches wait 1 s, 2 s, 4 s … (at most 30 s) and the service
   * says it "is unable to consistently start tasks successfully", as ECS throttles crash loops.
   */
  private countStartFailure(where: Where, svc: ServiceRecord, task: TaskRecord) {
    const healthStop =
      task.stoppedReason === 'Task failed container health checks' ||
      task.stoppedReason?.startsWith('Task failed ELB health checks') === true;
    const byItself =
      task.stopCode === 'EssentialContainerExited' || task.stopCode === 'TaskFailedToStart' || healthStop;
    const ran = task.startedAt ? Date.now() - new Date(task.startedAt).getTime() : 0;
    if (!byItself || (!healthStop && ran >= (this.opts.stabilityMs ?? 2000))) return;
    const t = (svc.throttle ??= { failures: 0, until: 0, announced: false });
    t.failures++;
    if (t.failures >= 3) {
      const delay = startRetryDelayMs(t.failures);
      t.until = Date.now() + delay;
      clearTimeout(this.throttleTimers.get(svc.serviceArn));
      const timer = setTimeout(() => this.schedule(where, svc.serviceArn), delay + 10);
      timer.unref();
      this.throttleTimers.set(svc.serviceArn, timer);
      if (!t.announced) {
        t.announced = true;
        this.action(
          svc,
          'SERVICE_TASK_START_IMPAIRED',
          `(service ${svc.serviceName}) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`,
        );
      }
    }
  }

  /** A stable task, or a new deployment, ends the throttle. */
  clearThrottle(svc: ServiceRecord) {
    clearTimeout(this.throttleTimers.get(svc.serviceArn));
    this.throttleTimers.delete(svc.serviceArn);
    delete svc.throttle;
  }

  /** Whether a service is held back by the start-failure throttle now. */
  throttled(svc: ServiceRecord): boolean {
    return (svc.throttle?.until ?? 0) > Date.now();
  }

  /** Records that a once-per-condition notice was given; false if it was already. */
  noticeOnce(svc: ServiceRecord, key: string): boolean {
    const given = (svc.notices ??= []);
    if (given.includes(key)) return false;
    given.push(key);
    return true;
  }

  /** The condition behind a notice is over: the next occurrence is announced again. */
  clearNotice(svc: ServiceRecord, key: string): void {
    if (svc.notices) svc.notices = svc.notices.filter((k) => k !== key);
  }

  /** A task of the primary deployment that stops by itself before it was ever healthy is a failure. */
  private onStopped(where: Where, svc: ServiceRecord, task: TaskRecord) {
    void deregisterTargets(this, where, svc, task);
    const dep = svc.deployments.find((d) => d.id === task.startedBy);
    if (!dep || dep.status !== 'PRIMARY' || dep.rolloutState !== 'IN_PROGRESS') return;
    const healthStop =
      task.stoppedReason === 'Task failed container health checks' ||
      task.stoppedReason?.startsWith('Task failed ELB health checks') === true;
    const scheduled = task.stopCode === 'ServiceSchedulerInitiated' && !healthStop;
    if (scheduled || task.stopCode === 'UserInitiated' || task.everHealthy) return;
    dep.failedTasks = (dep.failedTasks ?? 0) + 1;
    dep.updatedAt = new Date();
    const breaker = svc.deploymentConfiguration?.deploymentCircuitBreaker;
    const sd = this.store.get(where.accountId, where.region).serviceDeployments[dep.serviceDeploymentArn];
    if (sd?.deploymentCircuitBreaker) sd.deploymentCircuitBreaker.failureCount = dep.failedTasks;
    if (breaker?.enable && dep.failedTasks >= failureThreshold(svc.desiredCount))
      this.failDeployment(svc, dep, 'tasks failed to start', breaker.rollback === true, where);
  }

  /** Marks the primary deployment FAILED and, when asked and possible, rolls back to the last completed one. */
  failDeployment(
    svc: ServiceRecord,
    dep: DeploymentRecord,
    why: string,
    rollback: boolean,
    where: Where,
    reason?: string,
  ): void {
    const state = this.store.get(where.accountId, where.region);
    const now = new Date();
    dep.rolloutState = 'FAILED';
    dep.rolloutStateReason = reason ?? `ECS deployment circuit breaker: ${why}.`;
    dep.updatedAt = now;
    addEvent(svc, `(service ${svc.serviceName}) (deployment ${dep.id}) deployment failed: ${why}.`);
    this.deploymentChanged(svc, dep, 'SERVICE_DEPLOYMENT_FAILED');
    const sd = state.serviceDeployments[dep.serviceDeploymentArn];
    if (sd?.deploymentCircuitBreaker && !reason) sd.deploymentCircuitBreaker.status = 'TRIGGERED';
    const blue = svc.deployments.find((d) => d !== dep && d.rolloutState === 'COMPLETED');
    const stable = blue ?? svc.stable;
    if (!rollback || !stable) {
      if (sd)
        Object.assign(sd, {
          status: 'STOPPED',
          statusReason: dep.rolloutStateReason,
          stoppedAt: now,
          updatedAt: now,
          finishedAt: now,
        });
      return;
    }
    const rollBackTo = (primary: DeploymentRecord) => {
      for (const d of svc.deployments) if (d.status === 'PRIMARY') d.status = 'ACTIVE';
      primary.status = 'PRIMARY';
      svc.taskDefinition = stable.taskDefinition;
      addEvent(svc, `(service ${svc.serviceName}) rolling back to deployment ${stable.id}.`);
      if (sd) {
        Object.assign(sd, {
          status: 'ROLLBACK_IN_PROGRESS',
          statusReason: dep.rolloutStateReason,
          updatedAt: now,
          rollback: { reason: dep.rolloutStateReason, startedAt: now, serviceRevisionArn: stable.serviceRevisionArn },
        });
      }
    };
    // Blue/green: blue still runs at full size, so rolling back is making it primary again
    // (and pointing the listener rules back at it).
    if (blue && (dep.strategy ?? 'ROLLING') !== 'ROLLING') {
      revertTraffic(this, where, svc, dep, blue);
      return rollBackTo(blue);
    }
    const { id: _id, createdAt: _c, updatedAt: _u, stage: _s, stageSince: _ss, stageHookIds: _h, ...rest } = clone(dep);
    const back = startDeployment(
      {
        ...rest,
        taskDefinition: stable.taskDefinition,
        rolloutStateReason: reason ?? `ECS deployment circuit breaker: rolling back to deploymentId ${stable.id}.`,
        serviceRevisionArn: stable.serviceRevisionArn,
      },
      svc.desiredCount,
      now,
    );
    svc.deployments.unshift(back);
    rollBackTo(back);
    this.deploymentChanged(svc, back, 'SERVICE_DEPLOYMENT_IN_PROGRESS');
  }

  /** Every task the service ever started (newest last). */
  tasksOf(state: EcsState, svc: ServiceRecord): TaskRecord[] {
    const group = `service:${svc.serviceName}`;
    // RunTask may use any group; only tasks a deployment or task set started are the service's.
    return Object.values(state.tasks).filter(
      (t) =>
        t.group === group &&
        t.clusterArn === svc.clusterArn &&
        t.startedBy?.startsWith('ecs-svc/') &&
        t.createdAt! >= svc.createdAt!,
    );
  }

  reconcile(state: EcsState, where: Where, svc: ServiceRecord): void {
    if (svc.status === 'INACTIVE') return;
    const cluster = Object.values(state.clusters).find((c) => c.clusterArn === svc.clusterArn);
    const tasks = this.tasksOf(state, svc);
    const now = Date.now();
    this.stopUnhealthy(where, svc, tasks, now);
    const pass: ReconcilePass = { s: this, state, where, svc, cluster, tasks, now };
    if ((svc.deploymentController?.type ?? 'ECS') === 'ECS') reconcileDeployments(pass);
    else reconcileTaskSets(pass);
    const live = tasks.filter((t) => t.lastStatus !== 'STOPPED');
    svc.runningCount = live.filter((t) => t.lastStatus === 'RUNNING').length;
    svc.pendingCount = live.filter((t) => PENDING_STATUSES.has(t.lastStatus!)).length;
    if (svc.status === 'DRAINING' && live.length === 0) {
      svc.status = 'INACTIVE';
      for (const d of svc.deployments) d.status = 'INACTIVE';
      svc.deployments = [];
      svc.taskSets = [];
    }
  }

  /**
   * Tasks whose container health checks fail, or that a load balancer reports unhealthy, past
   * the health-check grace period are replaced, with ECS's service events.
   */
  private stopUnhealthy(where: Where, svc: ServiceRecord, tasks: TaskRecord[], now: number) {
    const grace = (svc.healthCheckGracePeriodSeconds ?? 0) * 1000;
    for (const t of tasks) {
      if (t.desiredStatus !== 'RUNNING' || t.lastStatus !== 'RUNNING') continue;
      if (t.startedAt && now - new Date(t.startedAt).getTime() < grace) continue;
      if (t.healthStatus === 'UNHEALTHY') {
        addEvent(svc, `(service ${svc.serviceName}) (task ${taskId(t.taskArn)}) failed container health checks.`);
        void this.runtime.stop(t, 'ServiceSchedulerInitiated', 'Task failed container health checks');
        continue;
      }
      const bad = Object.entries(t.targetHealth ?? {}).find(([, h]) => h.state === 'unhealthy');
      if (!bad) continue;
      const [tgArn, h] = bad;
      const port = t.loadBalancerTargets?.find((x) => x.targetGroupArn === tgArn)?.target.Port;
      addEvent(
        svc,
        `(service ${svc.serviceName}) (task ${taskId(t.taskArn)}) (port ${port}) is unhealthy in (target-group ${tgArn}) due to (reason ${h.description ?? h.reason}).`,
      );
      this.stopTask(where, svc, t, `Task failed ELB health checks in (target-group ${tgArn})`);
    }
  }

  /** REPLICA: the service's desiredCount; DAEMON: one per active container instance of the cluster. */
  desiredOf(state: EcsState, svc: ServiceRecord): number {
    if (svc.schedulingStrategy !== 'DAEMON') return svc.desiredCount;
    const clusterName = svc.clusterArn.slice(svc.clusterArn.lastIndexOf('/') + 1);
    return Object.values(state.containerInstances).filter(
      (ci) => ci.clusterName === clusterName && ci.status === 'ACTIVE',
    ).length;
  }
}

/** How long a service waits before its next launch after `failures` failed starts in a row: 0, then 1 s, 2 s, 4 s … 30 s. */
export function startRetryDelayMs(failures: number): number {
  return failures < 3 ? 0 : Math.min(30_000, 1000 * 2 ** (failures - 3));
}
