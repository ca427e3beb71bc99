/**
 * The load balancers ECS makes on the user's behalf (Express services, gateway routes), made
 * and removed through the elbv2 plugin's contract, as ECS's own control plane calls ELB with the
 * infrastructure role. Each ingress is an application load balancer, an `ip` target group the
 * service's tasks register with, and an HTTP listener whose default rule forwards to it: its
 * socket is the local URL that reaches the tasks.
 */
import type { Bus, InputOf, OutputOf } from '@dockside/core';
import { isServiceError } from '@dockside/core';
import type { ListenerBound } from '@dockside/elbv2';
import type { Where } from '../domain/context';
import type { ManagedIngress } from '../state/types';

/** Where each listener really listens, learnt from the elbv2 plugin's `elbv2.listener-bound` events. */
export class ListenerAddresses {
  private readonly urls = new Map<string, string>();
  private readonly waiters = new Map<string, Array<(url: string) => void>>();

  constructor(bus: Bus) {
    bus.subscribe('elbv2.listener-bound', (e: ListenerBound) => {
      this.urls.set(e.listenerArn, e.url);
      for (const w of this.waiters.get(e.listenerArn) ?? []) w(e.url);
      this.waiters.delete(e.listenerArn);
    });
  }

  get(listenerArn: string): string | undefined {
    return this.urls.get(listenerArn);
  }

  /** The listener's URL once bound; undefined if it is not bound within `ms` (it keeps its record). */
  wait(listenerArn: string, ms = 5000): Promise<string | undefined> {
    const known = this.urls.get(listenerArn);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), ms);
      timer.unref();
      const list = this.waiters.get(listenerArn) ?? [];
      list.push((url) => {
        clearTimeout(timer);
        resolve(url);
      });
      this.waiters.set(listenerArn, list);
    });
  }
}

export interface IngressSpec {
  /** Reuse this load balancer (a gateway's shared one); else one named `loadBalancerName` is made. */
  loadBalancerArn?: string;
  loadBalancerName: string;
  scheme: 'internet-facing' | 'internal';
  subnets?: string[];
  securityGroups?: string[];
  targetGroupName: string;
  /** The container port the targets take traffic on. */
  port: number;
  /** The listener's port (mapped to a free local one when taken). */
  listenerPort: number;
  healthCheck: Pick<
    InputOf<'elasticloadbalancing', 'CreateTargetGroup'>,
    | 'HealthCheckPath'
    | 'HealthCheckProtocol'
    | 'HealthCheckPort'
    | 'HealthCheckIntervalSeconds'
    | 'HealthCheckTimeoutSeconds'
    | 'HealthyThresholdCount'
    | 'UnhealthyThresholdCount'
    | 'Matcher'
  >;
  tags?: Array<{ Key: string; Value?: string }>;
}

export interface MadeIngress extends ManagedIngress {
  dnsName: string;
  /** The subnets the load balancer is in (the tasks' default subnets). */
  subnetIds: string[];
  securityGroupIds: string[];
}

/** Makes the load balancer (unless given), target group and listener; undoes what it made on failure. */
export async function createIngress(bus: Bus, where: Where, spec: IngressSpec): Promise<MadeIngress> {
  const made: Array<() => Promise<unknown>> = [];
  try {
    let lb: NonNullable<OutputOf<'elasticloadbalancing', 'CreateLoadBalancer'>['LoadBalancers']>[number];
    if (spec.loadBalancerArn) {
      lb = (
        await bus.call(
          'elasticloadbalancing',
          'DescribeLoadBalancers',
          { LoadBalancerArns: [spec.loadBalancerArn] },
          where,
        )
      ).LoadBalancers![0];
    } else {
      lb = (
        await bus.call(
          'elasticloadbalancing',
          'CreateLoadBalancer',
          {
            Name: spec.loadBalancerName,
            Type: 'application',
            Scheme: spec.scheme,
            ...(spec.subnets?.length ? { Subnets: spec.subnets } : {}),
            ...(spec.securityGroups?.length ? { SecurityGroups: spec.securityGroups } : {}),
            ...(spec.tags?.length ? { Tags: spec.tags } : {}),
          },
          where,
        )
      ).LoadBalancers![0];
      made.push(() =>
        bus.call('elasticloadbalancing', 'DeleteLoadBalancer', { LoadBalancerArn: lb.LoadBalancerArn }, where),
      );
    }
    const tg = (
      await bus.call(
        'elasticloadbalancing',
        'CreateTargetGroup',
        {
          Name: spec.targetGroupName,
          Protocol: 'HTTP',
          Port: spec.port,
          VpcId: lb.VpcId,
          TargetType: 'ip',
          ...spec.healthCheck,
          ...(spec.tags?.length ? { Tags: spec.tags } : {}),
        },
        where,
      )
    ).TargetGroups![0];
    made.push(() =>
      bus.call('elasticloadbalancing', 'DeleteTargetGroup', { TargetGroupArn: tg.TargetGroupArn }, where),
    );
    const listener = (
      await bus.call(
        'elasticloadbalancing',
        'CreateListener',
        {
          LoadBalancerArn: lb.LoadBalancerArn,
          Protocol: 'HTTP',
          Port: spec.listenerPort,
          DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
        },
        where,
      )
    ).Listeners![0];
    const rules = await bus.call('elasticloadbalancing', 'DescribeRules', { ListenerArn: listener.ListenerArn }, where);
    return {
      loadBalancerArn: lb.LoadBalancerArn!,
      listenerArn: listener.ListenerArn!,
      ruleArn: rules.Rules?.find((r) => r.IsDefault)?.RuleArn,
      targetGroupArn: tg.TargetGroupArn!,
      dnsName: lb.DNSName!,
      subnetIds: (lb.AvailabilityZones ?? []).map((z) => z.SubnetId!).filter(Boolean),
      securityGroupIds: lb.SecurityGroups ?? [],
    };
  } catch (e) {
    for (const undo of made.reverse()) await undo().catch(() => undefined);
    throw e;
  }
}

/** Removes the listener and target group, and the load balancer unless `keepLoadBalancer`; gone already is fine. */
export async function deleteIngress(
  bus: Bus,
  where: Where,
  ingress: ManagedIngress,
  { keepLoadBalancer = false } = {},
): Promise<void> {
  const gone = (e: unknown) => {
    if (!isServiceError(e) || !/NotFound/.test(e.code)) throw e;
  };
  await bus.call('elasticloadbalancing', 'DeleteListener', { ListenerArn: ingress.listenerArn }, where).catch(gone);
  await bus
    .call('elasticloadbalancing', 'DeleteTargetGroup', { TargetGroupArn: ingress.targetGroupArn }, where)
    .catch(gone);
  if (!keepLoadBalancer)
    await bus
      .call('elasticloadbalancing', 'DeleteLoadBalancer', { LoadBalancerArn: ingress.loadBalancerArn }, where)
      .catch(gone);
}

/** A free listener port on a load balancer: the first of `from`, `from + 1`, … none of its listeners uses. */
export async function freeListenerPort(bus: Bus, where: Where, loadBalancerArn: string, from: number): Promise<number> {
  const used = new Set(
    (
      (await bus.call('elasticloadbalancing', 'DescribeListeners', { LoadBalancerArn: loadBalancerArn }, where))
        .Listeners ?? []
    ).map((l) => l.Port),
  );
  let port = from;
  while (used.has(port)) port++;
  return port;
}
