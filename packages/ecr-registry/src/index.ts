import * as path from 'node:path';
import { Store, modelAt, type DocksidePlugin, type RequestContext } from '@dockside/core';
import './contract';
import { Tokens } from './domain/auth';
import type { EcrEnv } from './operations/context';
import { imageOperations } from './operations/images';
import { layerOperations } from './operations/layers';
import { applyAll, lifecycleOperations } from './operations/lifecycle';
import { registryOperations } from './operations/registry';
import { repositoryOperations } from './operations/repositories';
import type { EcrRegistryOptions } from './options';
import { Registry } from './registry/server';
import { replicate } from './replication';
import { ecrRoutes } from './routes';
import { emptyEcrState, type EcrState } from './state/types';
import { BlobStore } from './storage/blobs';

export type { EcrRegistryCalls } from './contract';
export type { EcrRegistryOptions } from './options';
export { parseEcrImage, awsRegistryHost } from './domain/names';

const DEFAULT_PORT = 4510;

/**
 * The ECR plugin: the ECR API (awsJson1_1) and an OCI distribution registry on its own port that
 * `docker login/push/pull` and ECS tasks use. `createGateway({ plugins: [ecrRegistry()] })`.
 */
export function ecrRegistry(options: EcrRegistryOptions = {}): DocksidePlugin {
  const store = new Store<EcrState>(emptyEcrState);
  const tokens = new Tokens();
  const host = options.host ?? '127.0.0.1';
  let port = options.port ?? DEFAULT_PORT;
  let blobs: BlobStore | undefined;
  const blobStore = () => (blobs ??= new BlobStore(options.storageDir));
  const collect = () => {
    const keep = new Set<string>();
    for (const { state } of store.entries()) {
      for (const repo of Object.values(state.repositories)) {
        for (const d of Object.keys(repo.blobs)) keep.add(d);
        for (const i of Object.values(repo.images)) for (const b of i.blobs) keep.add(b);
      }
    }
    blobStore().collect(keep);
  };
  const env: EcrEnv = {
    stateOf: (ctx) => store.get(ctx.accountId, ctx.region),
    get blobs() {
      return blobStore();
    },
    tokens,
    registryHost: () => `${host}:${port}`,
    registryUrl: () => `http://${host}:${port}`,
    replicate: (ctx, repository, digest) => replicate(store, blobStore(), ctx, repository, digest),
    collect,
  };
  let registry: Registry | undefined;
  let tick: NodeJS.Timeout | undefined;
  return {
    name: 'ecr-registry',
    protocols: [
      {
        signingName: 'ecr',
        // Above the largest request AWS accepts: PutImage carries a manifest of up to 4 MiB (model), JSON-escaped.
        maxRequestBytes: 16 * 1024 * 1024,
        protocol: 'awsJson1_1',
        targetPrefix: 'AmazonEC2ContainerRegistry_V20150921',
        ...modelAt(path.join(__dirname, 'model.json')),
        validationErrorCode: 'InvalidParameterException',
      },
    ],
    operations: {
      ...repositoryOperations(env),
      ...imageOperations(env),
      ...layerOperations(env),
      ...lifecycleOperations(env),
      ...registryOperations(env),
    },
    state: store,
    setup(ctx) {
      if (!options.storageDir && ctx.config.dataDir) options.storageDir = path.join(ctx.config.dataDir, 'ecr-blobs');
      if (ctx.config.dataDir) tokens.persistKey(path.join(ctx.config.dataDir, 'ecr-token.key'));
      return {
        routes: ecrRoutes({ applyLifecycle: () => applyAll(store.entries()), registryUrl: env.registryUrl }),
        async start() {
          registry = new Registry({
            stateOf: env.stateOf,
            blobs: blobStore(),
            tokens,
            logger: ctx.logger,
            replicate: env.replicate,
            collect,
          });
          const bound = await registry.listen(host, port);
          if (bound !== port && port !== 0)
            ctx.logger.warn({ wanted: port, port: bound }, `ECR registry port ${port} is taken: using ${bound}`);
          port = bound;
          ctx.logger.info({ url: env.registryUrl() }, `ECR registry on ${env.registryUrl()}`);
          tick = setInterval(() => applyAll(store.entries()), options.lifecycleTickMs ?? 60_000);
          tick.unref();
        },
        async stop() {
          if (tick) clearInterval(tick);
          await registry?.close();
          blobs?.close();
        },
      };
    },
  };
}

export default ecrRegistry;

/** The type of `RequestContext` the operations take (re-exported for embedding). */
export type { RequestContext };
