import * as path from 'node:path';
import { ServiceError, Store, loadModel, type Bus, type DocksidePlugin, type Logger, type RequestContext } from '@dockside/core';
import type { DockerOptions } from 'dockerode';
import './contract';
import { parseEcsArn } from './arn';
import { accountSettingOperations } from './operations/account-settings';
import { attributeOperations } from './operations/attributes';
import { clusterNotFound, clusterOperations } from './operations/clusters';
import { containerInstanceOperations } from './operations/container-instances';
import { tagOperations, taggable } from './operations/tags';
import { taskDefinitionOperations } from './operations/task-definitions';
import { taskOperations } from './operations/tasks';
import { ServiceScheduler } from './services/scheduler';
import { serviceOperations } from './services/operations';
import type { PullPolicy } from './runtime/engine';
import { Runtime } from './runtime/runtime';
import { introspectionRoutes } from './routes/introspection';
import { metadataRoutes } from './routes/metadata';
import { tagsOf } from './operations/tags';
import { emptyState, type EcsState } from './state/types';

export type { EcsCalls, EcsClusterChange, EcsContainerOutput, EcsDeploymentChange, EcsServiceAction, EcsTaskChange } from './contract';
export type { EcsState } from './state/types';
export type { PullPolicy } from './runtime/engine';

/** Options of the ECS plugin. Every one has a CLI flag (see the README). */
export interface EcsOptions {
  /** How the container engine is reached; default DOCKER_HOST or /var/run/docker.sock. */
  docker?: DockerOptions;
  /** `prefer-cached` (default): pull only images the engine lacks; `always`; `never`. */
  pullPolicy?: PullPolicy;
  /** Keep stopped tasks' containers on the engine (for debugging). */
  keepContainers?: boolean;
  /** Host address published ports bind to (default 127.0.0.1). */
  publishHost?: string;
  /** Host folder for emulated EFS/FSx file systems. */
  sharedVolumesRoot?: string;
  /** Seconds between SIGTERM and SIGKILL when a container sets no stopTimeout (default 30). */
  defaultStopTimeout?: number;
  /** Known subnets (id → CIDR, /16–/28) for awsvpc ENI addresses; others get a deterministic /24 in 172.31.0.0/16. */
  subnets?: Record<string, string>;
  /** Give awsvpc tasks their ENI address on a Docker network per subnet (default true). */
  realAddresses?: boolean;
  /** How often the service scheduler reconciles every service besides its event-driven runs (ms, default 1000). */
  serviceResyncMs?: number;
  /** How long a deployment's tasks must have run healthy before the deployment is COMPLETED (ms, default 2000). */
  serviceStabilityMs?: number;
}

/** The ECS plugin: `createGateway({ plugins: [ecs()] })`. */
export function ecs(options: EcsOptions = {}): DocksidePlugin {
  const store = new Store<EcsState>(emptyState);
  const stateOf = (ctx: RequestContext) => store.get(ctx.accountId, ctx.region);
  let bus: Bus | undefined;
  let logger: Logger | undefined;
  let endpoint: () => string | undefined = () => undefined;
  let exposeOn: (host: string) => Promise<string> = () => Promise.reject(new Error('not started'));
  const runtime = new Runtime(options, {
    bus: () => bus,
    logger: () => logger,
    endpoint: () => endpoint(),
    exposeOn: (host) => exposeOn(host),
    accountOf: (task) => task.taskArn.split(':')[4],
  });

  const scheduler = new ServiceScheduler(store, runtime, { resyncMs: options.serviceResyncMs, stabilityMs: options.serviceStabilityMs }, () => bus, () => logger);

  taggable.cluster = { exists: (state, _arn, id) => state.clusters[id]?.status === 'ACTIVE', notFound: clusterNotFound };
  taggable['container-instance'] = { exists: (state, arn) => state.containerInstances[arn]?.status === 'ACTIVE', notFound: clusterNotFound };
  taggable.task = { exists: (state, arn) => Boolean(state.tasks[arn]), notFound: () => new ServiceError('InvalidParameterException', 'The specified task is not found.') };
  taggable['task-definition'] = {
    exists: (state, _arn, id) => {
      const [family, rev] = id.split(':');
      return Boolean(state.taskDefinitions[family]?.[Number(rev)]);
    },
    notFound: () => new ServiceError('ClientException', 'Unable to describe task definition.'),
  };

  const stopAll = () =>
    Promise.all(store.entries().flatMap(({ state }) => Object.values(state.tasks).map((t) => runtime.stop(t, 'UserInitiated', 'Dockside state was reset', { stopTimeout: 2 }))));

  return {
    name: 'ecs',
    protocols: [
      {
        signingName: 'ecs',
        protocol: 'awsJson1_1',
        targetPrefix: 'AmazonEC2ContainerServiceV20141113',
        model: () => loadModel(path.join(__dirname, 'model.json')),
        validationErrorCode: 'InvalidParameterException',
      },
    ],
    operations: {
      ...clusterOperations(stateOf, (ctx, c, change) =>
        ctx.bus.publish('ecs.cluster', { accountId: ctx.accountId, region: ctx.region, clusterArn: c.clusterArn, status: c.status, change }),
      ),
      ...tagOperations(stateOf),
      ...accountSettingOperations(stateOf),
      ...containerInstanceOperations(stateOf),
      ...attributeOperations(stateOf),
      ...taskDefinitionOperations(stateOf),
      ...taskOperations(stateOf, runtime),
      ...serviceOperations(stateOf, scheduler),
    },
    state: {
      // Resetting stops the tasks too, so no container outlives its record.
      reset: () => {
        void stopAll();
        store.reset();
        runtime.forget();
        scheduler.forget();
      },
      snapshot: () => store.snapshot(),
      restore: (s) => {
        store.restore(s);
        // Stores written before a resource family existed lack its map.
        for (const { state } of store.entries()) {
          for (const [k, v] of Object.entries(emptyState())) (state as unknown as Record<string, unknown>)[k] ??= v;
        }
      },
    },
    routes(router) {
      metadataRoutes(router, runtime, (arn) => {
        const account = arn.split(':')[4];
        const region = arn.split(':')[3];
        return tagsOf(store.get(account, region), arn);
      });
      introspectionRoutes(router, store, runtime);
    },
    start(ctx) {
      bus = ctx.bus;
      logger = ctx.logger;
      endpoint = ctx.endpoint;
      exposeOn = ctx.exposeOn;
      // Tasks restored from --data-dir have no containers under this process: record that.
      for (const { state } of store.entries()) {
        for (const t of Object.values(state.tasks)) {
          if (t.lastStatus !== 'STOPPED') void runtime.stop(t, 'TaskFailedToStart', 'Dockside restarted and did not re-adopt the task containers');
        }
      }
      // Services restored from --data-dir start their tasks again.
      scheduler.start();
    },
    async stop() {
      scheduler.stop();
      await runtime.shutdown();
    },
  };
}

export { parseEcsArn };
export default ecs;
