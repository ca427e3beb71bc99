import * as path from 'node:path';
import { Store, modelAt, type DocksidePlugin, type RequestContext } from '@dockside/core';
import './contract';
import { DataPlane } from './dataplane/plane';
import { HealthChecker } from './health/checker';
import { accountOperations } from './operations/account';
import type { Elbv2Env } from './operations/context';
import { listenerOperations } from './operations/listeners';
import { loadBalancerOperations } from './operations/load-balancers';
import { ruleOperations } from './operations/rules';
import { tagOperations } from './operations/tags';
import { targetGroupOperations } from './operations/target-groups';
import { targetOperations } from './operations/targets';
import { trustStoreOperations } from './operations/trust-stores';
import type { Elbv2Options } from './options';
import { elbv2Routes } from './routes';
import { type Elbv2State, emptyElbv2State } from './state/types';

export type { ElasticLoadBalancingCalls, ListenerBound, TargetHealthChanged } from './contract';
export type { Elbv2Options } from './options';
export type { BoundListener } from './dataplane/plane';

/** The time scale from the option, else DOCKSIDE_ELBV2_TIME_SCALE, else 1. */
function timeScale(options: Elbv2Options): number {
  const raw =
    options.timeScale ?? (process.env.DOCKSIDE_ELBV2_TIME_SCALE ? Number(process.env.DOCKSIDE_ELBV2_TIME_SCALE) : 1);
  if (!(raw > 0) || raw > 1) throw new Error(`elbv2 timeScale must be > 0 and <= 1 (got ${raw})`);
  return raw;
}

/**
 * The ELBv2 plugin: the Elastic Load Balancing v2 API over awsQuery, with listeners that bind
 * real sockets, health checks that really run and a proxy that routes by the listener's rules.
 * `createGateway({ plugins: [elbv2({ timeScale: 0.05 })] })`.
 */
export function elbv2(options: Elbv2Options = {}): DocksidePlugin {
  const scale = timeScale(options);
  const store = new Store<Elbv2State>(emptyElbv2State);
  let plane: DataPlane | undefined;
  let checker: HealthChecker | undefined;
  const changed = () => void plane?.sync();
  const env: Elbv2Env = { stateOf: (ctx: RequestContext) => store.get(ctx.accountId, ctx.region), changed, scale };
  return {
    name: 'elbv2',
    protocols: [
      {
        signingName: 'elasticloadbalancing',
        // Above the largest request AWS accepts: form-encoded calls with bounded lists (100 targets, 50 tags).
        maxRequestBytes: 1 * 1024 * 1024,
        protocol: 'awsQuery',
        apiVersion: '2015-12-01',
        xmlNamespace: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
        ...modelAt(path.join(__dirname, 'model.json')),
        validationErrorCode: 'ValidationError',
      },
    ],
    operations: {
      ...loadBalancerOperations(env),
      ...targetGroupOperations(env),
      ...listenerOperations(env),
      ...ruleOperations(env),
      ...targetOperations(env),
      ...tagOperations(env),
      ...trustStoreOperations(env),
      ...accountOperations(),
    },
    state: {
      reset() {
        store.reset();
        changed();
      },
      snapshot: () => store.snapshot(),
      journal: store,
      restore(snapshot) {
        store.restore(snapshot);
        // Provisioning finished while the gateway was down; health is checked afresh.
        for (const { state } of store.entries()) {
          for (const lb of Object.values(state.loadBalancers)) lb.state = 'active';
        }
        changed();
      },
    },
    setup(ctx) {
      const gatewayHost = () => {
        const url = ctx.endpoint();
        return url ? new URL(url).hostname.replace(/^\[|\]$/g, '') : '127.0.0.1';
      };
      const p = new DataPlane(store, options, ctx.logger, scale, gatewayHost, (e) =>
        ctx.bus.publish('elbv2.listener-bound', e),
      );
      plane = p;
      checker = new HealthChecker(store, scale, ctx.logger, changed, (e) => ctx.bus.publish('elbv2.target-health', e));
      return {
        routes: elbv2Routes(p, store, ctx.config),
        start() {
          checker!.start();
        },
        async stop() {
          checker!.stop();
          await p.stop();
        },
      };
    },
  };
}

export default elbv2;
