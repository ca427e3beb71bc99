/**
 * A service's tasks as load-balancer targets: registered through the elbv2 plugin's contract
 * once RUNNING, deregistered when the scheduler stops them (the task waits in DEACTIVATING
 * until its targets have drained). What was registered is kept on the task record, so
 * registrations survive a restart with `--data-dir`; what the load balancer says of each
 * target arrives as `elbv2.target-health` events and counts in the task's health.
 */
import { createHash } from 'node:crypto';
import type * as ECS from '@aws-sdk/client-ecs';
import { isServiceNotLoaded } from '@dockside/core';
import type { TargetHealthChanged } from '@dockside/elbv2';
import type { Where } from '../domain/context';
import { addEvent } from '../domain/deployments';
import { invalidParameter } from '../errors';
import type { EcsState, ServiceRecord, TaskRecord } from '../state/types';
import { ServiceScheduler } from './scheduler';

/** How often a stopping task asks whether its targets have drained (ms). */
const DRAIN_POLL_MS = 200;

/**
 * The EC2 instance id bridge and host mode tasks register as: Dockside's container instance
 * of the cluster is the local engine host (the ELB plugin reaches `i-…` targets on loopback).
 */
export function localInstanceId(clusterArn: string): string {
  return `i-${createHash('sha256').update(clusterArn).digest('hex').slice(0, 17)}`;
}

/** The target group a task registers with for this load balancer entry (blue/green: the side its deployment is on). */
function groupFor(svc: ServiceRecord, task: TaskRecord, lb: ECS.LoadBalancer): string | undefined {
  const alternate = lb.advancedConfiguration?.alternateTargetGroupArn;
  const dep = svc.deployments.find((d) => d.id === task.startedBy);
  if (alternate && dep?.targetSide === 'alternate') return alternate;
  return lb.targetGroupArn;
}

/** RegisterTargets for each load balancer of the service (once per task). */
export async function registerTargets(s: ServiceScheduler, where: Where, svc: ServiceRecord, task: TaskRecord) {
  // A gateway route's group (gatewayTargets) takes the tasks as the user's own load balancers do.
  const lbs = [...(svc.loadBalancers ?? []), ...(svc.gatewayTargets ?? [])];
  if (!lbs.length || task.loadBalancerTargets) return;
  const entries: NonNullable<TaskRecord['loadBalancerTargets']> = [];
  for (const lb of lbs) {
    const targetGroupArn = groupFor(svc, task, lb);
    if (!targetGroupArn) continue;
    const instance = task.containerInstanceArn
      ? s.store.get(where.accountId, where.region).containerInstances[task.containerInstanceArn]
      : undefined;
    const target = targetOf(task, lb, instance?.ec2InstanceId);
    if (target) entries.push({ targetGroupArn, target });
  }
  task.loadBalancerTargets = entries;
  for (const e of entries) {
    try {
      await s.bus.call(
        'elasticloadbalancing',
        'RegisterTargets',
        { TargetGroupArn: e.targetGroupArn, Targets: [e.target] },
        where,
      );
      (task.targetHealth ??= {})[e.targetGroupArn] ??= { state: 'initial', reason: 'Elb.RegistrationInProgress' };
      addEvent(svc, `(service ${svc.serviceName}) registered 1 targets in (target-group ${e.targetGroupArn})`);
    } catch (err) {
      if (!isServiceNotLoaded(err)) s.logger.warn({ err, service: svc.serviceArn }, 'RegisterTargets failed');
      else if (s.noticeOnce(svc, 'elbv2-not-loaded')) {
        s.logger.warn(
          { service: svc.serviceArn },
          'the service has loadBalancers, but the elbv2 plugin is not loaded: targets are recorded, not registered',
        );
      }
    }
  }
}

/**
 * DeregisterTargets for what was registered for this task; the record forgets them. Resolves
 * once the load balancer no longer has them (after its deregistration delay), so the caller can
 * hold the task in DEACTIVATING meanwhile, as ECS does.
 */
export async function deregisterTargets(s: ServiceScheduler, where: Where, svc: ServiceRecord, task: TaskRecord) {
  const entries = task.loadBalancerTargets;
  delete task.loadBalancerTargets;
  if (!entries?.length || !s.bus.isLoaded('elasticloadbalancing')) return;
  addEvent(svc, `(service ${svc.serviceName}) has begun draining connections on 1 tasks.`);
  await Promise.all(
    entries.map(async (e) => {
      try {
        await s.bus.call(
          'elasticloadbalancing',
          'DeregisterTargets',
          { TargetGroupArn: e.targetGroupArn, Targets: [e.target] },
          where,
        );
        addEvent(svc, `(service ${svc.serviceName}) deregistered 1 targets in (target-group ${e.targetGroupArn})`);
        await drained(s, where, e.targetGroupArn, e.target);
      } catch (err) {
        s.logger.warn({ err, service: svc.serviceArn }, 'DeregisterTargets failed');
      }
    }),
  );
  delete task.targetHealth;
}

async function drained(
  s: ServiceScheduler,
  where: Where,
  targetGroupArn: string,
  target: { Id: string; Port?: number },
) {
  while (!s.isStopped()) {
    const d = await s.bus.call(
      'elasticloadbalancing',
      'DescribeTargetHealth',
      { TargetGroupArn: targetGroupArn, Targets: [target] },
      where,
    );
    if (d.TargetHealthDescriptions?.every((x) => x.TargetHealth?.Reason === 'Target.NotRegistered')) return;
    await new Promise((r) => setTimeout(r, DRAIN_POLL_MS));
  }
}

/** Records what the load balancer says of a task's target; returns the task it concerns. */
export function onTargetHealth(state: EcsState, e: TargetHealthChanged): TaskRecord | undefined {
  for (const task of Object.values(state.tasks)) {
    const hit = task.loadBalancerTargets?.find(
      (x) =>
        x.targetGroupArn === e.targetGroupArn &&
        x.target.Id === e.target.Id &&
        (x.target.Port ?? e.target.Port) === e.target.Port,
    );
    if (!hit || task.lastStatus === 'STOPPED') continue;
    (task.targetHealth ??= {})[e.targetGroupArn] = { state: e.state, reason: e.reason, description: e.description };
    return task;
  }
  return undefined;
}

/**
 * The ELB target of a task: its ENI address (awsvpc), or the EC2 instance it sits on (its cluster's
 * stand-in when it has none) and the published host port.
 */
function targetOf(
  task: TaskRecord,
  lb: ECS.LoadBalancer,
  ec2InstanceId: string | undefined,
): { Id: string; Port?: number } | undefined {
  const c = task.containers?.find((x) => x.name === lb.containerName);
  if (!c) return undefined;
  if (task.definition.networkMode === 'awsvpc') {
    const ip = c.networkInterfaces?.[0]?.privateIpv4Address;
    return ip ? { Id: ip, Port: lb.containerPort } : undefined;
  }
  const binding = c.networkBindings?.find((b) => b.containerPort === lb.containerPort);
  return { Id: ec2InstanceId ?? localInstanceId(task.clusterArn), Port: binding?.hostPort ?? lb.containerPort };
}

/** ECS's checks of a service's target groups, through the elbv2 plugin (skipped when it is not loaded). */
export async function checkTargetGroups(
  s: ServiceScheduler,
  where: Where,
  lbs: ECS.LoadBalancer[] | undefined,
  networkMode: string | undefined,
) {
  if (!s.bus.isLoaded('elasticloadbalancing')) return;
  for (const arn of (lbs ?? [])
    .flatMap((lb) => [lb.targetGroupArn, lb.advancedConfiguration?.alternateTargetGroupArn])
    .filter((x): x is string => !!x)) {
    let group;
    try {
      group = (await s.bus.call('elasticloadbalancing', 'DescribeTargetGroups', { TargetGroupArns: [arn] }, where))
        .TargetGroups?.[0];
    } catch (err) {
      const name = (err as { code?: string }).code;
      if (name !== 'TargetGroupNotFoundException' && name !== 'ValidationError') return; // an elbv2 without the operation: no check
    }
    if (!group) {
      throw invalidParameter(
        'Unable to assume role and validate the specified targetGroupArn. Please verify that the ECS service role being passed has the proper permissions.',
      );
    }
    if (!group.LoadBalancerArns?.length) {
      throw invalidParameter(`The target group with targetGroupArn ${arn} does not have an associated load balancer.`);
    }
    const wants = networkMode === 'awsvpc' ? 'ip' : networkMode ? 'instance' : undefined;
    if (wants && group.TargetType !== wants && group.TargetType !== 'alb') {
      throw invalidParameter(
        `The provided target group ${arn} has target type ${group.TargetType}, which is incompatible with the ${networkMode} network mode specified in the task definition.`,
      );
    }
  }
}
