import * as path from 'node:path';
import { Store, modelAt, type DocksidePlugin } from '@dockside/core';
import './contract';
import { DEFAULT_VIRTUAL_INSTANCE, addVirtualInstances } from './domain/container-instances';
import { createDomain } from './domain/context';
import { capacityProviderOperations } from './operations/capacity-providers';
import { daemonOperations } from './operations/daemons';
import { execOperations } from './operations/exec';
import { expressOperations } from './operations/express';
import { gatewayOperations } from './operations/gateways';
import { ListenerAddresses } from './ingress/alb';
import { IngressReconciler } from './ingress/reconcile';
import { DATA_CHANNEL_PREFIX, ExecSessions } from './exec/sessions';
import { tagsOf } from './domain/tags';
import { accountSettingOperations } from './operations/account-settings';
import { attributeOperations } from './operations/attributes';
import { clusterOperations } from './operations/clusters';
import { containerInstanceOperations } from './operations/container-instances';
import { serviceDeploymentOperations } from './operations/service-deployments';
import { serviceOperations } from './operations/services';
import { tagOperations } from './operations/tags';
import { taskDefinitionOperations } from './operations/task-definitions';
import { taskProtectionOperations } from './operations/task-protection';
import { taskSetOperations } from './operations/task-sets';
import { taskOperations } from './operations/tasks';
import type { EcsOptions } from './options';
import { introspectionRoutes } from './routes/introspection';
import { metadataRoutes } from './routes/metadata';
import { startInstanceAgent } from './runtime/instance-agent';
import { Runtime } from './runtime/runtime';
import { ServiceScheduler } from './scheduler/scheduler';
import { type EcsState, emptyState } from './state/types';

export type {
  EcsCalls,
  EcsClusterChange,
  EcsContainerInstanceChange,
  EcsContainerOutput,
  EcsDeploymentChange,
  EcsServiceAction,
  EcsTaskChange,
} from './contract';
export type { EcsState } from './state/types';
export type { EcsOptions } from './options';
export type { ContainerEngine, PullPolicy } from './runtime/engine';
export { parseEcsArn } from './domain/arn';

/** The ECS plugin: `createGateway({ plugins: [ecs()] })`. */
export function ecs(options: EcsOptions = {}): DocksidePlugin {
  const store = new Store<EcsState>(emptyState);
  let stopAll: () => Promise<unknown> = async () => undefined;
  return {
    name: 'ecs',
    protocols: [
      {
        signingName: 'ecs',
        // Above the largest request AWS accepts: a task definition is at most 64 KiB; JSON escaping at worst sextuples it.
        maxRequestBytes: 1 * 1024 * 1024,
        protocol: 'awsJson1_1',
        targetPrefix: 'AmazonEC2ContainerServiceV20141113',
        ...modelAt(path.join(__dirname, 'model.json')),
        validationErrorCode: 'InvalidParameterException',
        enumWording: 'should-be-one-of',
      },
    ],
    state: {
      // Resetting stops the tasks too, so no container outlives its record.
      reset: () => {
        void stopAll();
        store.reset();
      },
      snapshot: () => store.snapshot(),
      restore: (s) => store.restore(s),
      journal: store,
    },
    setup(ctx) {
      const shape = { ...DEFAULT_VIRTUAL_INSTANCE, ...options.virtualInstance };
      const domain = createDomain(store, shape);
      const runtime = new Runtime(
        { ...options, dataDir: ctx.config.dataDir },
        {
          bus: ctx.bus,
          logger: ctx.logger,
          index: domain.index,
          store,
          endpoint: ctx.endpoint,
          exposeOn: ctx.exposeOn,
          accountOf: (task) => task.taskArn.split(':')[4],
        },
      );
      let stopAgent = () => undefined as void;
      const execSessions = new ExecSessions(() => runtime.engine, ctx.bus, ctx.logger);
      let stopExec = () => undefined as void;
      const addresses = new ListenerAddresses(ctx.bus);
      const ingress = new IngressReconciler(domain, ctx.bus, ctx.logger, addresses);
      let stopIngress = () => undefined as void;
      const scheduler = new ServiceScheduler(
        store,
        runtime,
        {
          resyncMs: options.serviceResyncMs,
          stabilityMs: options.serviceStabilityMs,
          deploymentTimeScale: options.deploymentTimeScale,
          index: domain.index,
          virtualInstance: shape,
          scaleInAfterMs: options.scaleInAfterMs,
        },
        ctx.bus,
        ctx.logger,
      );
      stopAll = () =>
        Promise.all(
          store
            .entries()
            .flatMap(({ state }) =>
              Object.values(state.tasks).map((t) =>
                runtime.stop(t, 'UserInitiated', 'Dockside state was reset', { stopTimeout: 2 }),
              ),
            ),
        );
      return {
        operations: {
          ...clusterOperations(domain, (req, c, change) => {
            ctx.bus.publish('ecs.cluster', {
              accountId: req.accountId,
              region: req.region,
              clusterArn: c.clusterArn,
              status: c.status,
              change,
            });
            if (change === 'created' && options.instancesPerCluster) {
              addVirtualInstances(domain.stateOf(req), req, c, options.instancesPerCluster, shape);
            }
          }),
          ...tagOperations(domain),
          ...accountSettingOperations(domain),
          ...containerInstanceOperations(domain, shape),
          ...capacityProviderOperations(domain),
          ...daemonOperations(domain),
          ...execOperations(domain, execSessions, ctx.endpoint),
          ...attributeOperations(domain),
          ...taskDefinitionOperations(domain),
          ...taskOperations(domain, runtime),
          ...serviceOperations(domain, scheduler, addresses),
          ...expressOperations(domain, addresses),
          ...gatewayOperations(domain),
          ...serviceDeploymentOperations(domain, scheduler),
          ...taskSetOperations(domain, scheduler),
          ...taskProtectionOperations(domain, scheduler),
        },
        routes: {
          prefixes: ['/v3/', '/v4/', '/v2/credentials/', '/_dockside/ecs/', '/_fakecloud/ecs/', DATA_CHANNEL_PREFIX],
          upgrade: (req, socket, head) => execSessions.upgrade(req, socket, head),
          mount(router) {
            metadataRoutes(router, runtime, (arn) => tagsOf(store.get(arn.split(':')[4], arn.split(':')[3]), arn));
            introspectionRoutes(router, domain, runtime);
          },
        },
        start() {
          // Services restored from --data-dir start their tasks again; the scheduler listens
          // first, so it sees the restored tasks stop below (and deregisters their targets).
          scheduler.start();
          stopAgent = startInstanceAgent(domain, ctx.bus, ctx.logger);
          stopIngress = ingress.start();
          const subscriptions = [
            ctx.bus.subscribe('ssm.terminate-session', (e) => void execSessions.terminate(e.sessionId)),
            ctx.bus.subscribe('ecs.task', (e) => {
              if (e.lastStatus === 'STOPPED') execSessions.taskStopped(e.taskArn);
            }),
          ];
          stopExec = () => subscriptions.forEach((u) => u());
          // Tasks restored from --data-dir: running ones are re-attached to their containers.
          for (const { state } of store.entries()) {
            for (const t of Object.values(state.tasks)) {
              if (t.lastStatus === 'STOPPED') continue;
              runtime
                .adopt(t)
                .catch((err) => ctx.logger.error({ err, taskArn: t.taskArn }, 're-adopting a task failed'));
            }
          }
        },
        async stop() {
          stopAgent();
          stopIngress();
          stopExec();
          execSessions.close();
          scheduler.stop();
          // With --data-dir, running tasks outlive Dockside and are re-adopted by its next start.
          await runtime.shutdown(2, Boolean(ctx.config.dataDir));
        },
      };
    },
  };
}

export default ecs;
