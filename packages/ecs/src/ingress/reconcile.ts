/**
 * The ingress reconciler: the asynchronous half of Express services and gateways. Each pass
 * (every second, and when a task stops) removes what a deleted Express service or a dropped
 * gateway connector made once none of its tasks runs any more, deletes a gateway's shared load
 * balancer when its last route is gone, ends disassociations no route holds, completes
 * UpdateGateway, and follows listeners that were bound elsewhere after a restart.
 */
import type { Bus, Logger } from '@dockside/core';
import type { EcsDomain, Where } from '../domain/context';
import { managedResources } from '../domain/express';
import { teardownExpress } from '../operations/express';
import type { EcsState, GatewayRouteRecord } from '../state/types';
import { deleteIngress, type ListenerAddresses } from './alb';
import { stampRevisions } from './connectors';

const PASS_MS = 1000;

/**
 * A task still registered with the route's group, or one of its service's tasks on its way out
 * (deregistering and draining from it): the group must outlive them.
 */
function routeInUse(state: EcsState, r: GatewayRouteRecord): boolean {
  const svc = state.services[r.serviceArn];
  const group = svc ? `service:${svc.serviceName}` : undefined;
  return Object.values(state.tasks).some(
    (t) =>
      t.lastStatus !== 'STOPPED' &&
      (t.loadBalancerTargets?.some((x) => x.targetGroupArn === r.targetGroupArn) ||
        (t.group === group && t.clusterArn === svc!.clusterArn && t.desiredStatus === 'STOPPED')),
  );
}

export class IngressReconciler {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;

  constructor(
    private readonly d: EcsDomain,
    private readonly bus: Bus,
    private readonly logger: Logger,
    private readonly addresses: ListenerAddresses,
  ) {}

  start(): () => void {
    this.timer = setInterval(() => this.kick(), PASS_MS);
    this.timer.unref();
    const off = this.bus.subscribe('ecs.task', (e) => {
      if (e.lastStatus === 'STOPPED') this.kick();
    });
    return () => {
      off();
      clearInterval(this.timer);
    };
  }

  /** Runs a pass now (or right after the one in flight); resolves when it is done. */
  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.passes().finally(() => (this.running = undefined));
    return this.running;
  }

  private async passes() {
    do {
      this.again = false;
      for (const { accountId, region, state } of this.d.store.entries()) {
        try {
          await this.pass({ accountId, region }, state);
        } catch (err) {
          this.logger.warn({ err }, 'ingress reconcile pass failed');
        }
      }
    } while (this.again);
  }

  private async pass(where: Where, state: EcsState) {
    for (const e of Object.values(state.expressServices)) {
      await teardownExpress(this.d, { ...where, bus: this.bus }, e);
      const url = e.ingress && e.status !== 'INACTIVE' ? this.addresses.get(e.ingress.listenerArn) : undefined;
      if (url && url !== e.ingress!.url) {
        e.ingress!.url = url;
        for (const c of e.configurations) {
          const rev = c.serviceRevisionArn ? state.serviceRevisions[c.serviceRevisionArn] : undefined;
          if (rev?.ecsManagedResources)
            rev.ecsManagedResources = managedResources(
              e,
              'ACTIVE',
              c.healthCheckPath!,
              e.ports?.[rev.serviceRevisionArn!] ?? 80,
            );
        }
      }
    }
    for (const r of Object.values(state.gatewayRoutes)) await this.route(where, state, r);
    for (const [key, a] of Object.entries(state.gatewayAssociations)) {
      const held = Object.values(state.gatewayRoutes).some(
        (r) => r.gatewayArn === a.gatewayArn && r.clusterArn === a.clusterArn,
      );
      if (a.status === 'DISASSOCIATING' && !held) delete state.gatewayAssociations[key];
    }
    for (const g of Object.values(state.gateways)) {
      if (g.status === 'UPDATE_IN_PROGRESS') {
        g.status = 'UPDATE_COMPLETE';
        g.updatedAt = new Date();
      }
      const used = Object.values(state.gatewayRoutes).some((r) => r.gatewayArn === g.gatewayArn);
      if (g.loadBalancerArn && !used) {
        const arn = g.loadBalancerArn;
        g.loadBalancerArn = undefined;
        await this.bus
          .call('elasticloadbalancing', 'DeleteLoadBalancer', { LoadBalancerArn: arn }, where)
          .catch((err) => this.logger.warn({ err, loadBalancer: arn }, 'could not delete a gateway load balancer'));
      }
    }
  }

  private async route(where: Where, state: EcsState, r: GatewayRouteRecord) {
    const svc = state.services[r.serviceArn];
    const dropped = !svc || svc.status === 'INACTIVE' || r.status === 'DELETE_IN_PROGRESS';
    if (!dropped) {
      const url = this.addresses.get(r.listenerArn);
      if (url && url !== r.url) {
        r.url = url;
        stampRevisions(state, svc);
      }
      return;
    }
    r.status = 'DELETE_IN_PROGRESS';
    if (routeInUse(state, r)) return;
    await deleteIngress(this.bus, where, r, { keepLoadBalancer: true });
    delete state.gatewayRoutes[r.gatewayRouteArn];
  }
}
