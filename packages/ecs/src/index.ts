import * as path from 'node:path';
import { Store, loadModel, type DocksidePlugin, type RequestContext } from '@dockside/core';
import './contract';
import { parseEcsArn } from './arn';
import { accountSettingOperations } from './operations/account-settings';
import { attributeOperations } from './operations/attributes';
import { clusterNotFound, clusterOperations } from './operations/clusters';
import { containerInstanceOperations } from './operations/container-instances';
import { tagOperations, taggable } from './operations/tags';
import { emptyState, type EcsState } from './state/types';

export type { EcsCalls, EcsClusterChange } from './contract';
export type { EcsState } from './state/types';

/** Options of the ECS plugin; more arrive with the runtime (pull policy, engine socket, …). */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface EcsOptions {}

/** The ECS plugin: `createGateway({ plugins: [ecs()] })`. */
export function ecs(_options: EcsOptions = {}): DocksidePlugin {
  const store = new Store<EcsState>(emptyState);
  const stateOf = (ctx: RequestContext) => store.get(ctx.accountId, ctx.region);

  taggable.cluster = {
    exists: (state, _arn, id) => state.clusters[id]?.status === 'ACTIVE',
    notFound: clusterNotFound,
  };
  taggable['container-instance'] = {
    exists: (state, arn) => state.containerInstances[arn]?.status === 'ACTIVE',
    notFound: clusterNotFound,
  };

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
    },
    state: store,
  };
}

export { parseEcsArn };
export default ecs;
