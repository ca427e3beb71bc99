import * as path from 'node:path';
import { loadModel, type ProtocolDef } from '@dockside/core';

const models = path.dirname(require.resolve('@dockside/core/dist/test-models/ecs.json'));

/** The ECS wire protocol on the real ECS model, for test plugins. */
export const ecsTestProtocol = (over: Partial<ProtocolDef> = {}): ProtocolDef => ({
  signingName: 'ecs',
  protocol: 'awsJson1_1',
  targetPrefix: 'AmazonEC2ContainerServiceV20141113',
  model: () => loadModel(path.join(models, 'ecs.json')),
  validationErrorCode: 'InvalidParameterException',
  ...over,
});

export const elbv2TestModel = () => loadModel(path.join(models, 'elbv2.json'));
