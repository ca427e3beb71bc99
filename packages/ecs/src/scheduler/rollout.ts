import { randomUUID } from 'node:crypto';
import { addEvent, addStoppedEvent, countsOf, isHealthy, isProtected } from '../domain/deployments';
import { PENDING_STATUSES } from '../domain/task-index';
import type { DeploymentRecord, EcsState, ServiceRecord, TaskRecord } from '../state/types';
import { launch } from './launch';
import { shifted, shiftTraffic } from './traffic';
import { type ReconcilePass, ServiceScheduler } from './scheduler';

export function reconcileDeployments(pass: ReconcilePass) {
  const { s, state, where, svc, cluster, tasks, now } = pass;
  const primary = svc.deployments.find((d) => d.status === 'PRIMARY');
  const desired = svc.status === 'ACTIVE' ? s.desiredOf(state, svc) : 0;
  svc.desiredCount = desired;
  const cfg = svc.deploymentConfiguration ?? {};
  const maxTotal = Math.max(desired > 0 ? 1 : 0, Math.floor((desired * (cfg.maximumPercent ?? 200)) / 100));
  const minHealthy = Math.ceil((desired * (cfg.minimumHealthyPercent ?? 100)) / 100);
  const running = (t: TaskRecord) => t.desiredStatus === 'RUNNING' && t.lastStatus !== 'STOPPED';
  const notStopped = () => tasks.filter((t) => t.lastStatus !== 'STOPPED').length;
  const healthy = () => tasks.filter(isHealthy).length;
  const stopped: TaskRecord[] = [];
  const stop = (t: TaskRecord, dep: DeploymentRecord | undefined, reason?: string) => {
    s.stopTask(
      where,
      svc,
      t,
      reason ?? `Scaling activity initiated by (deployment ${dep?.id ?? primary?.id ?? 'unknown'})`,
    );
    stopped.push(t);
  };
  const scaleInOrder = (list: TaskRecord[]) =>
    list
      .filter((t) => !isProtected(t, now) || svc.status !== 'ACTIVE')
      .sort(
        (a, b) =>
          Number(isHealthy(a)) - Number(isHealthy(b)) ||
          new Date(b.createdAt!).getTime() - new Date(a.createdAt!).getTime(),
      );

  const staged =
    primary?.rolloutState === 'IN_PROGRESS' &&
    (primary.strategy ?? 'ROLLING') !== 'ROLLING' &&
    svc.deployments.length > 1 &&
    svc.status === 'ACTIVE';
  if (staged) lifecycle(pass, primary!, stop);
  // Old deployments: unhealthy tasks go at once, healthy ones as minimumHealthyPercent allows.
  else
    for (const dep of svc.deployments.filter((d) => d !== primary)) {
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
  // Tasks on DRAINING (or gone) instances: a daemon's go at once; a replica service's pending ones
  // stop at once and its running ones are replaced within minimumHealthyPercent / maximumPercent.
  const leaving = instancesLeaving(state, cluster?.clusterName);
  const onLeaving = (t: TaskRecord) => !!t.containerInstanceArn && leaving.has(t.containerInstanceArn);
  for (const t of tasks.filter((x) => running(x) && onLeaving(x))) {
    if (svc.schedulingStrategy === 'DAEMON' || PENDING_STATUSES.has(t.lastStatus!)) stop(t, primary);
  }
  for (const t of scaleInOrder(tasks.filter((x) => running(x) && onLeaving(x)))) {
    if (allowance <= 0) break;
    stop(t, primary);
    allowance--;
  }

  if (primary && !staged) {
    const mine = tasks.filter((t) => t.startedBy === primary.id && running(t) && !onLeaving(t));
    if (mine.length > desired) {
      const extra = scaleInOrder(mine).slice(0, mine.length - desired);
      for (const t of extra) stop(t, primary);
      if (mine.length - extra.length > desired && s.noticeOnce(svc, `protect:${svc.serviceArn}`)) {
        addEvent(
          svc,
          `(service ${svc.serviceName}) was unable to scale in due to (reason ${mine.length - extra.length - desired} tasks are protected).`,
        );
      }
    } else {
      s.clearNotice(svc, `protect:${svc.serviceArn}`);
    }
    const want = desired - mine.length;
    const room = maxTotal - notStopped();
    const canLaunch = primary.rolloutState !== 'FAILED' && svc.status === 'ACTIVE' && cluster?.status === 'ACTIVE';
    if (want > 0 && room > 0 && canLaunch)
      launch(s, state, where, svc, cluster!, primary.taskDefinition, primary.id, Math.min(want, room), primary);
  }
  addStoppedEvent(svc, stopped);

  // Counts, drained deployments, completion, steady state.
  for (const dep of svc.deployments) {
    const mine = tasks.filter((t) => t.startedBy === dep.id && t.lastStatus !== 'STOPPED');
    Object.assign(dep, countsOf(tasks, dep.id));
    dep.desiredCount = dep === primary ? desired : mine.filter((t) => t.desiredStatus === 'RUNNING').length;
  }
  const drained = svc.deployments.filter(
    (d) =>
      d !== primary &&
      d.runningCount === 0 &&
      d.pendingCount === 0 &&
      !tasks.some((t) => t.startedBy === d.id && t.lastStatus !== 'STOPPED'),
  );
  for (const d of drained) {
    d.status = 'INACTIVE';
    // A blue/green deployment reverted to blue is rolled back once its green tasks are gone.
    const sd = state.serviceDeployments[d.serviceDeploymentArn];
    if (
      sd?.status === 'ROLLBACK_IN_PROGRESS' &&
      d.rolloutState === 'FAILED' &&
      primary?.rolloutState === 'COMPLETED' &&
      primary.serviceDeploymentArn !== d.serviceDeploymentArn
    ) {
      Object.assign(sd, { status: 'ROLLBACK_SUCCESSFUL', updatedAt: new Date(now), finishedAt: new Date(now) });
    }
  }
  svc.deployments = svc.deployments.filter((d) => d.status !== 'INACTIVE');
  if (!primary) return;
  const stability = s.opts.stabilityMs ?? 2000;
  const primaryHealthy = tasks.filter(
    (t) => t.startedBy === primary.id && isHealthy(t) && now - new Date(t.startedAt ?? now).getTime() >= stability,
  ).length;
  if (primaryHealthy > 0 && svc.throttle) s.clearThrottle(svc);
  const others = svc.deployments.length > 1;
  const settled =
    !others && primaryHealthy === desired && tasks.filter((t) => t.lastStatus !== 'STOPPED').length === desired;
  if (primary.rolloutState === 'IN_PROGRESS' && settled) complete(s, state, svc, primary);
  const steady = settled && primary.rolloutState === 'COMPLETED';
  if (steady && !svc.steady)
    s.action(svc, 'SERVICE_STEADY_STATE', `(service ${svc.serviceName}) has reached a steady state.`);
  svc.steady = steady;
}

/**
 * A BLUE_GREEN (LINEAR, CANARY) deployment walks ECS's lifecycle stages: green scales up beside
 * blue, traffic stages pass (nothing to shift without elbv2), bake time, then blue is cleaned up.
 * PAUSE hooks hold a stage until ContinueServiceDeployment or their timeout; AWS_LAMBDA hooks
 * cannot run here and are recorded as SUCCEEDED (logged once).
 */
/** The container instances of a cluster that take no more tasks and shed the ones they have. */
function instancesLeaving(state: EcsState, clusterName: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const ci of Object.values(state.containerInstances)) {
    if (ci.clusterName === clusterName && ci.status !== 'ACTIVE') out.add(ci.containerInstanceArn);
  }
  return out;
}

export function lifecycle(
  pass: ReconcilePass,
  green: DeploymentRecord,
  stop: (t: TaskRecord, dep: DeploymentRecord | undefined) => void,
) {
  const { s, state, where, svc, cluster, tasks, now } = pass;
  const sd = state.serviceDeployments[green.serviceDeploymentArn];
  const desired = svc.desiredCount;
  const stages = [
    ...(svc.deployments.filter((d) => d !== green).length > 1 ? ['RECONCILE_SERVICE'] : []),
    'PRE_SCALE_UP',
    'SCALE_UP',
    'POST_SCALE_UP',
    'TEST_TRAFFIC_SHIFT',
    'POST_TEST_TRAFFIC_SHIFT',
    'PRE_PRODUCTION_TRAFFIC_SHIFT',
    'PRODUCTION_TRAFFIC_SHIFT',
    'POST_PRODUCTION_TRAFFIC_SHIFT',
    'BAKE_TIME',
    'CLEAN_UP',
  ];
  const enter = (stage: string) => {
    green.stage = stage;
    green.stageSince = now;
    green.stageHookIds = [];
    if (sd && stage !== 'PRE_PRODUCTION_TRAFFIC_SHIFT')
      Object.assign(sd, { lifecycleStage: stage, updatedAt: new Date(now) });
    const details: NonNullable<typeof sd.lifecycleHookDetails> = [];
    for (const h of svc.deploymentConfiguration?.lifecycleHooks ?? []) {
      if (!h.lifecycleStages?.includes(stage as never)) continue;
      const pause = h.targetType === 'PAUSE';
      const hookId = `ecs-${pause ? 'pause' : 'lambda'}-${randomUUID().replace(/-/g, '')}`;
      green.stageHookIds!.push(hookId);
      if (!pause && s.noticeOnce(svc, `lambda:${svc.serviceArn}`)) {
        s.logger.warn(
          { service: svc.serviceArn, hook: h.hookTargetArn },
          'Dockside runs no Lambda: AWS_LAMBDA lifecycle hooks are recorded as SUCCEEDED',
        );
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
  const blue = svc.deployments.find((d) => d !== green && d.status !== 'INACTIVE' && d.rolloutState === 'COMPLETED');
  if (!green.stage) {
    // Green registers with the target groups blue is not on.
    if (shifted(svc).length) green.targetSide = blue?.targetSide === 'alternate' ? 'primary' : 'alternate';
    enter(stages[0]);
  }
  for (let guard = 0; guard < stages.length + 1; guard++) {
    const waiting = (sd?.lifecycleHookDetails ?? []).filter(
      (h) => green.stageHookIds?.includes(h.hookId!) && h.status === 'AWAITING_ACTION',
    );
    for (const h of waiting) {
      if (h.expiresAt && new Date(h.expiresAt).getTime() <= now) {
        h.status = 'TIMED_OUT';
        if (h.timeoutAction === 'ROLLBACK') {
          s.failDeployment(
            svc,
            green,
            'a lifecycle hook timed out',
            true,
            where,
            `The lifecycle hook ${h.hookId} timed out.`,
          );
          return;
        }
      }
    }
    if (waiting.some((h) => h.status === 'AWAITING_ACTION')) return;
    let done = true;
    if (green.stage === 'SCALE_UP') {
      const mine = tasks.filter(
        (t) => t.startedBy === green.id && t.desiredStatus === 'RUNNING' && t.lastStatus !== 'STOPPED',
      );
      if (mine.length < desired && cluster?.status === 'ACTIVE')
        launch(s, state, where, svc, cluster, green.taskDefinition, green.id, desired - mine.length, green);
      const stability = s.opts.stabilityMs ?? 2000;
      done =
        tasks.filter(
          (t) => t.startedBy === green.id && isHealthy(t) && now - new Date(t.startedAt ?? now).getTime() >= stability,
        ).length >= desired;
    } else if (green.stage === 'TEST_TRAFFIC_SHIFT' || green.stage === 'PRODUCTION_TRAFFIC_SHIFT') {
      const which = green.stage === 'TEST_TRAFFIC_SHIFT' ? 'test' : 'production';
      done = shiftTraffic(s, where, svc, green, blue, which, now - (green.stageSince ?? now));
    } else if (green.stage === 'BAKE_TIME') {
      const bake = (svc.deploymentConfiguration?.bakeTimeInMinutes ?? 0) * 60_000 * (s.opts.deploymentTimeScale ?? 1);
      done = now - (green.stageSince ?? now) >= bake;
    } else if (green.stage === 'CLEAN_UP') {
      for (const t of tasks)
        if (t.startedBy !== green.id && t.desiredStatus === 'RUNNING' && t.lastStatus !== 'STOPPED') stop(t, green);
    }
    if (!done || green.stage === 'CLEAN_UP') return;
    enter(stages[stages.indexOf(green.stage!) + 1]);
  }
}

export function complete(s: ServiceScheduler, state: EcsState, svc: ServiceRecord, dep: DeploymentRecord) {
  const now = new Date();
  dep.rolloutState = 'COMPLETED';
  dep.rolloutStateReason = `ECS deployment ${dep.id} completed.`;
  dep.updatedAt = now;
  svc.stable = { id: dep.id, taskDefinition: dep.taskDefinition, serviceRevisionArn: dep.serviceRevisionArn };
  addEvent(svc, `(service ${svc.serviceName}) (deployment ${dep.id}) deployment completed.`);
  s.deploymentChanged(svc, dep, 'SERVICE_DEPLOYMENT_COMPLETED');
  const sd = state.serviceDeployments[dep.serviceDeploymentArn];
  if (sd) {
    const status = sd.status === 'ROLLBACK_IN_PROGRESS' ? 'ROLLBACK_SUCCESSFUL' : 'SUCCESSFUL';
    Object.assign(sd, { status, updatedAt: now, finishedAt: now });
    // Monitoring ends with the deployment (a tripped breaker stays TRIGGERED).
    for (const watch of [sd.deploymentCircuitBreaker, sd.alarms])
      if (watch?.status === 'MONITORING') watch.status = 'MONITORING_COMPLETE';
    if (sd.targetServiceRevision) sd.targetServiceRevision.runningTaskCount = dep.runningCount;
  }
}
