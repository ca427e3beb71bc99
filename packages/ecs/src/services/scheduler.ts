/**
 * The service scheduler: one reconcile per service, run when one of its tasks changes (bus
 * events), when the API changes the service, and on a periodic resync. It keeps desiredCount
 * tasks per deployment or task set, rolls deployments within minimumHealthyPercent /
 * maximumPercent, trips the deployment circuit breaker and rolls back, honours task protection,
 * and registers tasks with load balancers through the elbv2 plugin when it is loaded.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type * as ECS from '@aws-sdk/client-ecs';
import type { Bus, Logger, RequestContext, Store } from '@dockside/core';
import type { EcsDeploymentChange, EcsServiceAction, EcsTaskChange } from '../contract';
import { createTaskRecord, effectiveDefinition, portsConflict, PENDING_STATUSES } from '../operations/tasks';
import { tagsOf } from '../operations/tags';
import type { Runtime } from '../runtime/runtime';
import type { ClusterRecord, DeploymentRecord, EcsState, ServiceRecord, TaskDefinitionRecord, TaskRecord, TaskSetRecord } from '../state/types';

export interface SchedulerOptions {
  /** How often every service is reconciled besides the event-driven runs (ms, default 1000). */
  resyncMs?: number;
  /**
   * How long the tasks of a deployment must have been RUNNING (and healthy) before it is COMPLETED
   * (ms, default 2000): ECS also judges completion over scheduler cycles, so a container that dies
   * right after starting fails the deployment instead of completing it.
   */
  stabilityMs?: number;
}

type Where = Pick<RequestContext, 'accountId' | 'region'>;

const MAX_EVENTS = 100;

/** `ecs-svc/` and 19 digits, as ECS names deployments and task sets. */
export const newDeploymentId = () => `ecs-svc/${String(randomInt(1, 9)) + Array.from({ length: 18 }, () => randomInt(10)).join('')}`;

/** The service a task belongs to: started by one of its deployments or task sets, in its group. */
export const serviceArnOf = (task: Pick<TaskRecord, 'clusterArn' | 'group' | 'startedBy'>) =>
  task.group?.startsWith('service:') && task.startedBy?.startsWith('ecs-svc/')
    ? `${task.clusterArn.replace(':cluster/', ':service/')}/${task.group.slice('service:'.length)}`
    : undefined;

/** A new PRIMARY deployment, IN_PROGRESS with no tasks yet, on top of `fields`. */
export function startDeployment(
  fields: Omit<DeploymentRecord, 'id' | 'status' | 'desiredCount' | 'pendingCount' | 'runningCount' | 'failedTasks' | 'createdAt' | 'updatedAt' | 'rolloutState'>,
  desiredCount: number,
  now: Date,
): DeploymentRecord {
  return { ...fields, id: newDeploymentId(), status: 'PRIMARY', desiredCount, pendingCount: 0, runningCount: 0, failedTasks: 0, createdAt: now, updatedAt: now, rolloutState: 'IN_PROGRESS' };
}

const taskId = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

/** Circuit breaker threshold: half the desired count, at least 3, at most 200. */
export const failureThreshold = (desired: number) => Math.min(200, Math.max(3, Math.ceil(desired * 0.5)));

export function addEvent(svc: ServiceRecord, message: string): void {
  svc.events.unshift({ id: randomUUID(), createdAt: new Date(), message });
  if (svc.events.length > MAX_EVENTS) svc.events.length = MAX_EVENTS;
}

const hasHealthCheck = (t: TaskRecord) => (t.definition.containerDefinitions ?? []).some((d) => d.healthCheck && d.essential !== false);

/** Counted healthy: RUNNING, not being stopped, and its container health checks (if any) pass. */
export function isHealthy(t: TaskRecord): boolean {
  if (t.desiredStatus !== 'RUNNING' || t.lastStatus !== 'RUNNING') return false;
  return hasHealthCheck(t) ? t.healthStatus === 'HEALTHY' : true;
}

const isProtected = (t: TaskRecord, now: number) => t.protectedUntil !== undefined && t.protectedUntil > now;

export class ServiceScheduler {
  private readonly pending = new Map<string, Where>();
  private flushScheduled = false;
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  /** Tasks that were healthy at least once (a stop after that is not a failure to start). */
  private readonly everHealthy = new Set<string>();
  /** Load-balancer targets registered per task ARN. */
  private readonly registered = new Map<string, { targetGroupArn: string; target: { Id: string; Port?: number } }[]>();
  private readonly warned = new Set<string>();
  /** Services whose tasks keep failing to start: launches wait until `until` (ECS's service throttle). */
  private readonly throttle = new Map<string, { failures: number; until: number; announced: boolean; timer?: NodeJS.Timeout }>();
  /** Tasks whose stop was already judged a failed start or not. */
  private readonly judged = new Set<string>();
  /** Set at shutdown: tasks stopping then must not be replaced. */
  private stopped = false;

  constructor(
    private readonly store: Store<EcsState>,
    private readonly runtime: Runtime,
    private readonly opts: SchedulerOptions,
    private readonly bus: () => Bus | undefined,
    private readonly logger: () => Logger | undefined,
  ) {}

  start(): void {
    this.stopped = false;
    const bus = this.bus();
    this.unsubscribe = bus?.subscribe('ecs.task', (e) => this.onTask(e));
    this.timer = setInterval(() => this.resyncAll(), this.opts.resyncMs ?? 1000);
    this.timer.unref();
    this.resyncAll();
  }

  stop(): void {
    this.stopped = true;
    for (const arn of [...this.throttle.keys()]) this.clearThrottle(arn);
    this.pending.clear();
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
  }

  forget(): void {
    for (const arn of [...this.throttle.keys()]) this.clearThrottle(arn);
    this.pending.clear();
    this.judged.clear();
    this.everHealthy.clear();
    this.registered.clear();
  }

  /** Publishes `ecs.deployment` (ECS's "ECS Deployment State Change" event names). */
  deploymentChanged(svc: ServiceRecord, dep: DeploymentRecord, eventName: EcsDeploymentChange['eventName']): void {
    if (eventName === 'SERVICE_DEPLOYMENT_IN_PROGRESS') this.clearThrottle(svc.serviceArn);
    const [, , , region, accountId] = svc.serviceArn.split(':');
    this.bus()?.publish('ecs.deployment', {
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
  private action(svc: ServiceRecord, eventName: EcsServiceAction['eventName'], message: string) {
    addEvent(svc, message);
    const [, , , region, accountId] = svc.serviceArn.split(':');
    this.bus()?.publish('ecs.service-action', { accountId, region, clusterArn: svc.clusterArn, serviceArn: svc.serviceArn, eventName, message, createdAt: new Date().toISOString() });
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
      for (const svc of Object.values(state.services ?? {})) if (svc.status !== 'INACTIVE') this.schedule({ accountId, region }, svc.serviceArn);
    }
  }

  private safely(fn: () => void) {
    try {
      fn();
    } catch (err) {
      this.logger()?.error({ err }, 'service scheduler failed');
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
    if (isHealthy(task) && hasHealthCheck(task)) this.everHealthy.add(task.taskArn);
    if (e.lastStatus === 'RUNNING' && task.desiredStatus === 'RUNNING') void this.registerTargets(e, svc, task);
    // Counted when the task starts stopping (its replacement is launched then), once.
    if (task.desiredStatus === 'STOPPED' && task.stopCode && !this.judged.has(task.taskArn)) {
      this.judged.add(task.taskArn);
      this.countStartFailure(e, svc, task);
    }
    if (e.lastStatus === 'STOPPED') {
      // ECS surfaces why a service task could not start (secrets, pulls, ENIs) as a service event.
      if (task.stopCode === 'TaskFailedToStart' && task.stoppedReason) {
        this.action(svc, 'SERVICE_TASK_CONFIGURATION_FAILURE', `(service ${svc.serviceName}) was unable to place a task. Reason: ${task.stoppedReason.replace(/\.?$/, '.')}`);
      }
      this.onStopped(e, svc, task);
      this.everHealthy.delete(task.taskArn);
      this.judged.delete(task.taskArn);
    }
    this.schedule(e, svc.serviceArn);
  }

  /**
   * A task that stops by itself before it was stable (or fails its health checks) is a failed
   * start. From the third in a row, launches wait 1 s, 2 s, 4 s … (at most 30 s) and the service
   * says it "is unable to consistently start tasks successfully", as ECS throttles crash loops.
   */
  private countStartFailure(where: Where, svc: ServiceRecord, task: TaskRecord) {
    const healthStop = task.stoppedReason === 'Task failed container health checks';
    const byItself = task.stopCode === 'EssentialContainerExited' || task.stopCode === 'TaskFailedToStart' || healthStop;
    const ran = task.startedAt ? Date.now() - new Date(task.startedAt).getTime() : 0;
    if (!byItself || (!healthStop && ran >= (this.opts.stabilityMs ?? 2000))) return;
    const t = this.throttle.get(svc.serviceArn) ?? { failures: 0, until: 0, announced: false };
    t.failures++;
    if (t.failures >= 3) {
      const delay = Math.min(30_000, 1000 * 2 ** (t.failures - 3));
      t.until = Date.now() + delay;
      if (t.timer) clearTimeout(t.timer);
      t.timer = setTimeout(() => this.schedule(where, svc.serviceArn), delay + 10);
      t.timer.unref();
      if (!t.announced) {
        t.announced = true;
        this.action(svc, 'SERVICE_TASK_START_IMPAIRED', `(service ${svc.serviceName}) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`);
      }
    }
    this.throttle.set(svc.serviceArn, t);
  }

  /** A stable task, or a new deployment, ends the throttle. */
  private clearThrottle(serviceArn: string) {
    const t = this.throttle.get(serviceArn);
    if (t?.timer) clearTimeout(t.timer);
    this.throttle.delete(serviceArn);
  }

  /** A task of the primary deployment that stops by itself before it was ever healthy is a failure. */
  private onStopped(where: Where, svc: ServiceRecord, task: TaskRecord) {
    void this.deregisterTargets(where, svc, task);
    const dep = svc.deployments.find((d) => d.id === task.startedBy);
    if (!dep || dep.status !== 'PRIMARY' || dep.rolloutState !== 'IN_PROGRESS') return;
    const scheduled = task.stopCode === 'ServiceSchedulerInitiated' && task.stoppedReason !== 'Task failed container health checks';
    if (scheduled || task.stopCode === 'UserInitiated' || this.everHealthy.has(task.taskArn)) return;
    dep.failedTasks = (dep.failedTasks ?? 0) + 1;
    dep.updatedAt = new Date();
    const breaker = svc.deploymentConfiguration?.deploymentCircuitBreaker;
    const sd = this.store.get(where.accountId, where.region).serviceDeployments[dep.serviceDeploymentArn];
    if (sd?.deploymentCircuitBreaker) sd.deploymentCircuitBreaker.failureCount = dep.failedTasks;
    if (breaker?.enable && dep.failedTasks >= failureThreshold(svc.desiredCount)) this.failDeployment(svc, dep, 'tasks failed to start', breaker.rollback === true, where);
  }

  /** Marks the primary deployment FAILED and, when asked and possible, rolls back to the last completed one. */
  failDeployment(svc: ServiceRecord, dep: DeploymentRecord, why: string, rollback: boolean, where: Where, reason?: string): void {
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
      if (sd) Object.assign(sd, { status: 'STOPPED', statusReason: dep.rolloutStateReason, stoppedAt: now, updatedAt: now, finishedAt: now });
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
    // Blue/green: blue still runs at full size, so rolling back is making it primary again.
    if (blue && (dep.strategy ?? 'ROLLING') !== 'ROLLING') return rollBackTo(blue);
    const { id: _id, createdAt: _c, updatedAt: _u, stage: _s, stageSince: _ss, stageHookIds: _h, ...rest } = structuredClone(dep);
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
  private tasksOf(state: EcsState, svc: ServiceRecord): TaskRecord[] {
    const group = `service:${svc.serviceName}`;
    // RunTask may use any group; only tasks a deployment or task set started are the service's.
    return Object.values(state.tasks).filter((t) => t.group === group && t.clusterArn === svc.clusterArn && t.startedBy?.startsWith('ecs-svc/') && t.createdAt! >= svc.createdAt!);
  }

  reconcile(state: EcsState, where: Where, svc: ServiceRecord): void {
    if (svc.status === 'INACTIVE') return;
    const cluster = Object.values(state.clusters).find((c) => c.clusterArn === svc.clusterArn);
    const tasks = this.tasksOf(state, svc);
    const now = Date.now();
    this.stopUnhealthy(svc, tasks, now);
    if ((svc.deploymentController?.type ?? 'ECS') === 'ECS') this.reconcileDeployments(state, where, svc, cluster, tasks, now);
    else this.reconcileTaskSets(state, where, svc, cluster, tasks, now);
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

  /** Tasks whose container health checks fail past the grace period are replaced. */
  private stopUnhealthy(svc: ServiceRecord, tasks: TaskRecord[], now: number) {
    const grace = (svc.healthCheckGracePeriodSeconds ?? 0) * 1000;
    for (const t of tasks) {
      if (t.desiredStatus !== 'RUNNING' || t.lastStatus !== 'RUNNING' || t.healthStatus !== 'UNHEALTHY') continue;
      if (t.startedAt && now - new Date(t.startedAt).getTime() < grace) continue;
      addEvent(svc, `(service ${svc.serviceName}) (task ${taskId(t.taskArn)}) failed container health checks.`);
      void this.runtime.stop(t, 'ServiceSchedulerInitiated', 'Task failed container health checks');
    }
  }

  private reconcileDeployments(state: EcsState, where: Where, svc: ServiceRecord, cluster: ClusterRecord | undefined, tasks: TaskRecord[], now: number) {
    const primary = svc.deployments.find((d) => d.status === 'PRIMARY');
    const desired = svc.status === 'ACTIVE' ? this.desiredOf(state, svc) : 0;
    svc.desiredCount = desired;
    const cfg = svc.deploymentConfiguration ?? {};
    const maxTotal = Math.max(desired > 0 ? 1 : 0, Math.floor((desired * (cfg.maximumPercent ?? 200)) / 100));
    const minHealthy = Math.ceil((desired * (cfg.minimumHealthyPercent ?? 100)) / 100);
    const running = (t: TaskRecord) => t.desiredStatus === 'RUNNING' && t.lastStatus !== 'STOPPED';
    const notStopped = () => tasks.filter((t) => t.lastStatus !== 'STOPPED').length;
    const healthy = () => tasks.filter(isHealthy).length;
    const stopped: TaskRecord[] = [];
    const stop = (t: TaskRecord, dep: DeploymentRecord | undefined, reason?: string) => {
      void this.deregisterTargets(where, svc, t);
      void this.runtime.stop(t, 'ServiceSchedulerInitiated', reason ?? `Scaling activity initiated by (deployment ${dep?.id ?? primary?.id ?? 'unknown'})`);
      stopped.push(t);
    };
    const scaleInOrder = (list: TaskRecord[]) =>
      list
        .filter((t) => !isProtected(t, now) || svc.status !== 'ACTIVE')
        .sort((a, b) => Number(isHealthy(a)) - Number(isHealthy(b)) || new Date(b.createdAt!).getTime() - new Date(a.createdAt!).getTime());

    const staged = primary?.rolloutState === 'IN_PROGRESS' && (primary.strategy ?? 'ROLLING') !== 'ROLLING' && svc.deployments.length > 1 && svc.status === 'ACTIVE';
    if (staged) this.lifecycle(state, where, svc, cluster, tasks, now, primary!, stop);
    // Old deployments: unhealthy tasks go at once, healthy ones as minimumHealthyPercent allows.
    else for (const dep of svc.deployments.filter((d) => d !== primary)) {
      const mine = tasks.filter((t) => t.startedBy === dep.id && running(t));
      for (const t of scaleInOrder(mine.filter((x) => !isHealthy(x)))) stop(t, primary);
    }
    const oldHealthy = staged ? [] : scaleInOrder(tasks.filter((t) => isHealthy(t) && t.startedBy !== primary?.id));
    let allowance = healthy() - minHealthy;
    for (const t of oldHealthy) {
      if (allowance <= 0) break;
      stop(t, primary);
      allowance--;
    }

    if (primary && !staged) {
      const mine = tasks.filter((t) => t.startedBy === primary.id && running(t));
      if (mine.length > desired) {
        const extra = scaleInOrder(mine).slice(0, mine.length - desired);
        for (const t of extra) stop(t, primary);
        if (mine.length - extra.length > desired && !this.warned.has(`protect:${svc.serviceArn}`)) {
          this.warned.add(`protect:${svc.serviceArn}`);
          addEvent(svc, `(service ${svc.serviceName}) was unable to scale in due to (reason ${mine.length - extra.length - desired} tasks are protected).`);
        }
      } else {
        this.warned.delete(`protect:${svc.serviceArn}`);
      }
      const want = desired - mine.length;
      const room = maxTotal - notStopped();
      const canLaunch = primary.rolloutState !== 'FAILED' && svc.status === 'ACTIVE' && cluster?.status === 'ACTIVE';
      if (want > 0 && room > 0 && canLaunch) this.launch(state, where, svc, cluster!, primary.taskDefinition, primary.id, Math.min(want, room), primary);
    }
    if (stopped.length) addEvent(svc, `(service ${svc.serviceName}) has stopped ${stopped.length} running tasks: ${stopped.map((t) => `(task ${taskId(t.taskArn)})`).join(' ')}.`);

    // Counts, drained deployments, completion, steady state.
    for (const dep of svc.deployments) {
      const mine = tasks.filter((t) => t.startedBy === dep.id && t.lastStatus !== 'STOPPED');
      dep.runningCount = mine.filter((t) => t.lastStatus === 'RUNNING').length;
      dep.pendingCount = mine.filter((t) => PENDING_STATUSES.has(t.lastStatus!)).length;
      dep.desiredCount = dep === primary ? desired : mine.filter((t) => t.desiredStatus === 'RUNNING').length;
    }
    const drained = svc.deployments.filter((d) => d !== primary && d.runningCount === 0 && d.pendingCount === 0 && !tasks.some((t) => t.startedBy === d.id && t.lastStatus !== 'STOPPED'));
    for (const d of drained) {
      d.status = 'INACTIVE';
      // A blue/green deployment reverted to blue is rolled back once its green tasks are gone.
      const sd = state.serviceDeployments[d.serviceDeploymentArn];
      if (sd?.status === 'ROLLBACK_IN_PROGRESS' && d.rolloutState === 'FAILED' && primary?.rolloutState === 'COMPLETED' && primary.serviceDeploymentArn !== d.serviceDeploymentArn) {
        Object.assign(sd, { status: 'ROLLBACK_SUCCESSFUL', updatedAt: new Date(now), finishedAt: new Date(now) });
      }
    }
    svc.deployments = svc.deployments.filter((d) => d.status !== 'INACTIVE');
    if (!primary) return;
    const stability = this.opts.stabilityMs ?? 2000;
    const primaryHealthy = tasks.filter((t) => t.startedBy === primary.id && isHealthy(t) && now - new Date(t.startedAt ?? now).getTime() >= stability).length;
    if (primaryHealthy > 0 && this.throttle.has(svc.serviceArn)) this.clearThrottle(svc.serviceArn);
    const others = svc.deployments.length > 1;
    const settled = !others && primaryHealthy === desired && tasks.filter((t) => t.lastStatus !== 'STOPPED').length === desired;
    if (primary.rolloutState === 'IN_PROGRESS' && settled) this.complete(state, svc, primary);
    const steady = settled && primary.rolloutState === 'COMPLETED';
    if (steady && !svc.steady) this.action(svc, 'SERVICE_STEADY_STATE', `(service ${svc.serviceName}) has reached a steady state.`);
    svc.steady = steady;
  }

  /**
   * A BLUE_GREEN (LINEAR, CANARY) deployment walks ECS's lifecycle stages: green scales up beside
   * blue, traffic stages pass (nothing to shift without elbv2), bake time, then blue is cleaned up.
   * PAUSE hooks hold a stage until ContinueServiceDeployment or their timeout; AWS_LAMBDA hooks
   * cannot run here and are recorded as SUCCEEDED (logged once).
   */
  private lifecycle(state: EcsState, where: Where, svc: ServiceRecord, cluster: ClusterRecord | undefined, tasks: TaskRecord[], now: number, green: DeploymentRecord, stop: (t: TaskRecord, dep: DeploymentRecord | undefined) => void) {
    const sd = state.serviceDeployments[green.serviceDeploymentArn];
    const desired = svc.desiredCount;
    const stages = [
      ...(svc.deployments.filter((d) => d !== green).length > 1 ? ['RECONCILE_SERVICE'] : []),
      'PRE_SCALE_UP', 'SCALE_UP', 'POST_SCALE_UP', 'TEST_TRAFFIC_SHIFT', 'POST_TEST_TRAFFIC_SHIFT',
      'PRE_PRODUCTION_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT', 'BAKE_TIME', 'CLEAN_UP',
    ];
    const enter = (stage: string) => {
      green.stage = stage;
      green.stageSince = now;
      green.stageHookIds = [];
      if (sd && stage !== 'PRE_PRODUCTION_TRAFFIC_SHIFT') Object.assign(sd, { lifecycleStage: stage, updatedAt: new Date(now) });
      const details: NonNullable<typeof sd.lifecycleHookDetails> = [];
      for (const h of svc.deploymentConfiguration?.lifecycleHooks ?? []) {
        if (!h.lifecycleStages?.includes(stage as never)) continue;
        const pause = h.targetType === 'PAUSE';
        const hookId = `ecs-${pause ? 'pause' : 'lambda'}-${randomUUID().replace(/-/g, '')}`;
        green.stageHookIds!.push(hookId);
        if (!pause && !this.warned.has(`lambda:${svc.serviceArn}`)) {
          this.warned.add(`lambda:${svc.serviceArn}`);
          this.logger()?.warn({ service: svc.serviceArn, hook: h.hookTargetArn }, 'Dockside runs no Lambda: AWS_LAMBDA lifecycle hooks are recorded as SUCCEEDED');
        }
        details.push({
          hookId,
          targetType: pause ? 'PAUSE' : 'AWS_LAMBDA',
          ...(pause ? {} : { targetArn: h.hookTargetArn }),
          status: pause ? 'AWAITING_ACTION' : 'SUCCEEDED',
          expiresAt: new Date(now + (h.timeoutConfiguration?.timeoutInMinutes ?? 1440) * 60_000),
          timeoutAction: h.timeoutConfiguration?.action ?? 'ROLLBACK',
        });
      }
      // Hooks of earlier stages stay listed with their outcome.
      if (sd) sd.lifecycleHookDetails = [...(sd.lifecycleHookDetails ?? []), ...details];
    };
    if (!green.stage) enter(stages[0]);
    for (let guard = 0; guard < stages.length + 1; guard++) {
      const waiting = (sd?.lifecycleHookDetails ?? []).filter((h) => green.stageHookIds?.includes(h.hookId!) && h.status === 'AWAITING_ACTION');
      for (const h of waiting) {
        if (h.expiresAt && new Date(h.expiresAt).getTime() <= now) {
          h.status = 'TIMED_OUT';
          if (h.timeoutAction === 'ROLLBACK') {
            this.failDeployment(svc, green, 'a lifecycle hook timed out', true, where, `The lifecycle hook ${h.hookId} timed out.`);
            return;
          }
        }
      }
      if (waiting.some((h) => h.status === 'AWAITING_ACTION')) return;
      let done = true;
      if (green.stage === 'SCALE_UP') {
        const mine = tasks.filter((t) => t.startedBy === green.id && t.desiredStatus === 'RUNNING' && t.lastStatus !== 'STOPPED');
        if (mine.length < desired && cluster?.status === 'ACTIVE') this.launch(state, where, svc, cluster, green.taskDefinition, green.id, desired - mine.length, green);
        const stability = this.opts.stabilityMs ?? 2000;
        done = tasks.filter((t) => t.startedBy === green.id && isHealthy(t) && now - new Date(t.startedAt ?? now).getTime() >= stability).length >= desired;
      } else if (green.stage === 'BAKE_TIME') {
        done = now - (green.stageSince ?? now) >= (svc.deploymentConfiguration?.bakeTimeInMinutes ?? 0) * 60_000;
      } else if (green.stage === 'CLEAN_UP') {
        for (const t of tasks) if (t.startedBy !== green.id && t.desiredStatus === 'RUNNING' && t.lastStatus !== 'STOPPED') stop(t, green);
      }
      if (!done || green.stage === 'CLEAN_UP') return;
      enter(stages[stages.indexOf(green.stage!) + 1]);
    }
  }

  private complete(state: EcsState, svc: ServiceRecord, dep: DeploymentRecord) {
    const now = new Date();
    dep.rolloutState = 'COMPLETED';
    dep.rolloutStateReason = `ECS deployment ${dep.id} completed.`;
    dep.updatedAt = now;
    svc.stable = { id: dep.id, taskDefinition: dep.taskDefinition, serviceRevisionArn: dep.serviceRevisionArn };
    addEvent(svc, `(service ${svc.serviceName}) (deployment ${dep.id}) deployment completed.`);
    this.deploymentChanged(svc, dep, 'SERVICE_DEPLOYMENT_COMPLETED');
    const sd = state.serviceDeployments[dep.serviceDeploymentArn];
    if (sd) {
      const status = sd.status === 'ROLLBACK_IN_PROGRESS' ? 'ROLLBACK_SUCCESSFUL' : 'SUCCESSFUL';
      Object.assign(sd, { status, updatedAt: now, finishedAt: now });
      // Monitoring ends with the deployment (a tripped breaker stays TRIGGERED).
      for (const watch of [sd.deploymentCircuitBreaker, sd.alarms]) if (watch?.status === 'MONITORING') watch.status = 'MONITORING_COMPLETE';
      if (sd.targetServiceRevision) sd.targetServiceRevision.runningTaskCount = dep.runningCount;
    }
  }

  /** REPLICA: the service's desiredCount; DAEMON: one per active container instance of the cluster. */
  private desiredOf(state: EcsState, svc: ServiceRecord): number {
    if (svc.schedulingStrategy !== 'DAEMON') return svc.desiredCount;
    const clusterName = svc.clusterArn.slice(svc.clusterArn.lastIndexOf('/') + 1);
    return Object.values(state.containerInstances).filter((ci) => ci.clusterName === clusterName && ci.status === 'ACTIVE').length;
  }

  private reconcileTaskSets(state: EcsState, where: Where, svc: ServiceRecord, cluster: ClusterRecord | undefined, tasks: TaskRecord[], now: number) {
    const desired = svc.status === 'ACTIVE' ? svc.desiredCount : 0;
    const stopped: TaskRecord[] = [];
    for (const set of svc.taskSets) {
      const target = set.status === 'DRAINING' ? 0 : Math.ceil((desired * (set.scale?.value ?? 100)) / 100);
      set.computedDesiredCount = target;
      const mine = tasks.filter((t) => t.startedBy === set.id && t.desiredStatus === 'RUNNING' && t.lastStatus !== 'STOPPED');
      if (mine.length > target) {
        const order = mine
          .filter((t) => !isProtected(t, now) || set.status === 'DRAINING')
          .sort((a, b) => Number(isHealthy(a)) - Number(isHealthy(b)) || new Date(b.createdAt!).getTime() - new Date(a.createdAt!).getTime());
        for (const t of order.slice(0, mine.length - target)) {
          void this.deregisterTargets(where, svc, t);
          void this.runtime.stop(t, 'ServiceSchedulerInitiated', `Scaling activity initiated by (deployment ${set.id})`);
          stopped.push(t);
        }
      } else if (mine.length < target && svc.status === 'ACTIVE' && cluster?.status === 'ACTIVE') {
        this.launch(state, where, svc, cluster, set.taskDefinition, set.id, target - mine.length, set);
      }
    }
    if (stopped.length) addEvent(svc, `(service ${svc.serviceName}) has stopped ${stopped.length} running tasks: ${stopped.map((t) => `(task ${taskId(t.taskArn)})`).join(' ')}.`);
    for (const set of svc.taskSets) {
      const mine = tasks.filter((t) => t.startedBy === set.id && t.lastStatus !== 'STOPPED');
      set.runningCount = mine.filter((t) => t.lastStatus === 'RUNNING').length;
      set.pendingCount = mine.filter((t) => PENDING_STATUSES.has(t.lastStatus!)).length;
      const stable = set.runningCount === set.computedDesiredCount && set.pendingCount === 0 && mine.every((t) => t.desiredStatus === 'RUNNING');
      const status = stable ? 'STEADY_STATE' : 'STABILIZING';
      if (status !== set.stabilityStatus) {
        set.stabilityStatus = status;
        set.stabilityStatusAt = new Date();
      }
    }
    svc.taskSets = svc.taskSets.filter((s) => s.status !== 'DRAINING' || tasks.some((t) => t.startedBy === s.id && t.lastStatus !== 'STOPPED'));
    const primary = svc.taskSets.find((s) => s.status === 'PRIMARY');
    const steady = svc.taskSets.length > 0 && svc.taskSets.every((s) => s.stabilityStatus === 'STEADY_STATE') && Boolean(primary);
    if (steady) this.clearThrottle(svc.serviceArn);
    if (steady && !svc.steady) this.action(svc, 'TASKSET_STEADY_STATE', `(service ${svc.serviceName}) has reached a steady state.`);
    svc.steady = steady;
  }

  private launch(state: EcsState, where: Where, svc: ServiceRecord, cluster: ClusterRecord, taskDefinitionArn: string, startedBy: string, count: number, from: DeploymentRecord | TaskSetRecord) {
    const [family, rev] = taskDefinitionArn.slice(taskDefinitionArn.lastIndexOf('/') + 1).split(':');
    const td: TaskDefinitionRecord | undefined = state.taskDefinitions[family]?.[Number(rev)];
    if (!td) return;
    const throttled = this.throttle.get(svc.serviceArn);
    if (throttled && throttled.until > Date.now()) return;
    const definition = effectiveDefinition(td, undefined);
    const started: TaskRecord[] = [];
    for (let i = 0; i < count; i++) {
      if (portsConflict(state, definition)) {
        const key = `ports:${svc.serviceArn}`;
        if (!this.warned.has(key)) {
          this.warned.add(key);
          this.action(
            svc,
            'SERVICE_TASK_PLACEMENT_FAILURE',
            `(service ${svc.serviceName}) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance dockside) is already using a port required by your task.`,
          );
        }
        break;
      }
      const tags =
        svc.propagateTags === 'SERVICE' ? tagsOf(state, svc.serviceArn) : svc.propagateTags === 'TASK_DEFINITION' ? tagsOf(state, td.taskDefinitionArn) : [];
      const systemTags = svc.enableECSManagedTags
        ? [
            { key: 'aws:ecs:clusterName', value: cluster.clusterName },
            { key: 'aws:ecs:serviceName', value: svc.serviceName },
          ]
        : [];
      const task = createTaskRecord(state, where, cluster, td, definition, {
        launchType: (from.launchType ?? svc.launchType ?? 'EC2') as ECS.LaunchType,
        ...(from.capacityProviderStrategy?.[0]?.capacityProvider ? { capacityProviderName: from.capacityProviderStrategy[0].capacityProvider } : {}),
        group: `service:${svc.serviceName}`,
        startedBy,
        platformVersion: from.platformVersion ?? svc.platformVersion,
        enableExecuteCommand: svc.enableExecuteCommand,
        subnets: (from.networkConfiguration ?? svc.networkConfiguration)?.awsvpcConfiguration?.subnets,
        tags,
        systemTags,
      });
      this.runtime.launch(task);
      started.push(task);
    }
    if (started.length) {
      this.warned.delete(`ports:${svc.serviceArn}`);
      addEvent(svc, `(service ${svc.serviceName}) has started ${started.length} tasks: ${started.map((t) => `(task ${taskId(t.taskArn)})`).join(' ')}.`);
    }
  }

  /** RegisterTargets on the elbv2 plugin for each load balancer of the service (once per task). */
  private async registerTargets(where: Where, svc: ServiceRecord, task: TaskRecord) {
    if (!svc.loadBalancers?.length || this.registered.has(task.taskArn)) return;
    const bus = this.bus();
    const entries: { targetGroupArn: string; target: { Id: string; Port?: number } }[] = [];
    for (const lb of svc.loadBalancers) {
      if (!lb.targetGroupArn) continue;
      const target = targetOf(task, lb);
      if (target) entries.push({ targetGroupArn: lb.targetGroupArn, target });
    }
    this.registered.set(task.taskArn, entries);
    if (!bus?.isLoaded('elasticloadbalancing')) {
      if (!this.warned.has(`elbv2:${svc.serviceArn}`)) {
        this.warned.add(`elbv2:${svc.serviceArn}`);
        this.logger()?.warn({ service: svc.serviceArn }, 'the service has loadBalancers, but the elbv2 plugin is not loaded: targets are recorded, not registered');
      }
      return;
    }
    for (const e of entries) {
      try {
        await bus.callUntyped('elasticloadbalancing', 'RegisterTargets', { TargetGroupArn: e.targetGroupArn, Targets: [e.target] }, where);
        addEvent(svc, `(service ${svc.serviceName}) registered 1 targets in (target-group ${e.targetGroupArn})`);
      } catch (err) {
        this.logger()?.warn({ err, service: svc.serviceArn }, 'RegisterTargets failed');
      }
    }
  }

  private async deregisterTargets(where: Where, svc: ServiceRecord, task: TaskRecord) {
    const entries = this.registered.get(task.taskArn);
    this.registered.delete(task.taskArn);
    const bus = this.bus();
    if (!entries?.length || !bus?.isLoaded('elasticloadbalancing')) return;
    addEvent(svc, `(service ${svc.serviceName}) has begun draining connections on 1 tasks.`);
    for (const e of entries) {
      try {
        await bus.callUntyped('elasticloadbalancing', 'DeregisterTargets', { TargetGroupArn: e.targetGroupArn, Targets: [e.target] }, where);
        addEvent(svc, `(service ${svc.serviceName}) deregistered 1 targets in (target-group ${e.targetGroupArn})`);
      } catch (err) {
        this.logger()?.warn({ err, service: svc.serviceArn }, 'DeregisterTargets failed');
      }
    }
  }
}

/** The ELB target of a task: its ENI address (awsvpc) or the host port of the container port (bridge/host). */
function targetOf(task: TaskRecord, lb: ECS.LoadBalancer): { Id: string; Port?: number } | undefined {
  const c = task.containers?.find((x) => x.name === lb.containerName);
  if (!c) return undefined;
  if (task.definition.networkMode === 'awsvpc') {
    const ip = c.networkInterfaces?.[0]?.privateIpv4Address;
    return ip ? { Id: ip, Port: lb.containerPort } : undefined;
  }
  const binding = c.networkBindings?.find((b) => b.containerPort === lb.containerPort);
  return { Id: binding?.bindIP && binding.bindIP !== '0.0.0.0' ? binding.bindIP : '127.0.0.1', Port: binding?.hostPort ?? lb.containerPort };
}

