import * as path from 'node:path';
import { Store, loadModel, type DocksidePlugin, type RequestContext } from '@dockside/core';
import './contract';
import { secretsManagerOperations } from './operations/secretsmanager';
import { ssmOperations } from './operations/ssm';
import { emptySecretsState, type SecretsState } from './state';

export type { SecretsManagerCalls, SsmCalls } from './contract';
export { randomPassword } from './operations/secretsmanager';
export { parseParameterRef } from './operations/ssm';

/**
 * AWS Secrets Manager and SSM Parameter Store in one plugin (one store):
 * `createGateway({ plugins: [ecs(), secrets()] })`.
 */
export function secrets(): DocksidePlugin {
  const store = new Store<SecretsState>(emptySecretsState);
  const stateOf = (ctx: RequestContext) => store.get(ctx.accountId, ctx.region);
  return {
    name: 'secrets',
    protocols: [
      {
        signingName: 'secretsmanager',
        protocol: 'awsJson1_1',
        targetPrefix: 'secretsmanager',
        model: () => loadModel(path.join(__dirname, 'secretsmanager.json')),
        validationErrorCode: 'InvalidParameterException',
        operations: secretsManagerOperations(stateOf),
      },
      {
        signingName: 'ssm',
        protocol: 'awsJson1_1',
        targetPrefix: 'AmazonSSM',
        model: () => loadModel(path.join(__dirname, 'ssm.json')),
        validationErrorCode: 'ValidationException',
        operations: ssmOperations(stateOf),
      },
    ],
    state: store,
  };
}

export default secrets;
