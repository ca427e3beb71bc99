/**
 * A service's tasks as load-balancer targets: registered through the elbv2 plugin's contract
 * once RUNNING, deregistered when the scheduler stops them. What was registered is kept on the
 * task record, so registrations survive a restart with `--data-dir`.
 */
import type * as ECS from '@aws-sdk/client-ecs';
import { isServiceNotLoaded } from '@dockside/core';
import type {} from '@dockside/elbv2';
import type { Where } from '../domain/context';
import { addEvent } from '../domain/deployments';
import type { ServiceRecord, TaskRecord } from '../state/types';
import { ServiceScheduler } from './scheduler';

/** RegisterTargets for each load balancer of the service (once per task). */
export async function registerTargets(s: ServiceScheduler, where: Where, svc: ServiceRecord, task: TaskRecord) {
  if (!svc.loadBalancers?.length || task.loadBalancerTargets) return;
  const entries: NonNullable<TaskRecord['loadBalancerTargets']> = [];
  for (const lb of svc.loadBalancers) {
    if (!lb.targetGroupArn) continue;
    const target = targetOf(task, lb);
    if (target) entries.push({ targetGroupArn: lb.targetGroupArn, target });
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

/** DeregisterTargets for what was registered for this task; the record forgets them. */
export async function deregisterTargets(s: ServiceScheduler, where: Where, svc: ServiceRecord, task: TaskRecord) {
  const entries = task.loadBalancerTargets;
  delete task.loadBalancerTargets;
  if (!entries?.length || !s.bus.isLoaded('elasticloadbalancing')) return;
  addEvent(svc, `(service ${svc.serviceName}) has begun draining connections on 1 tasks.`);
  for (const e of entries) {
    try {
      await s.bus.call(
        'elasticloadbalancing',
        'DeregisterTargets',
        { TargetGroupArn: e.targetGroupArn, Targets: [e.target] },
        where,
      );
      addEvent(svc, `(service ${svc.serviceName}) deregistered 1 targets in (target-group ${e.targetGroupArn})`);
    } catch (err) {
      s.logger.warn({ err, service: svc.serviceArn }, 'DeregisterTargets failed');
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
  return {
    Id: binding?.bindIP && binding.bindIP !== '0.0.0.0' ? binding.bindIP : '127.0.0.1',
    Port: binding?.hostPort ?? lb.containerPort,
  };
}
