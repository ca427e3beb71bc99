import * as path from 'node:path';
import { Store, modelAt, type DocksidePlugin, type RequestContext } from '@dockside/core';
import './contract';
import type { SecretsOptions } from './options';
import { secretsManagerOperations } from './operations/secretsmanager';
import { SessionBook, sessionOperations } from './operations/sessions';
import { ssmOperations } from './operations/ssm';
import { type SecretsState, emptySecretsState, normaliseTimestamps } from './state/types';

export type { SecretsManagerCalls, SsmCalls, SsmSessionEvent, SsmTerminateSession } from './contract';
export type { SecretsOptions } from './options';
export { randomPassword } from './domain/secrets';
export { parseParameterRef } from './domain/parameters';

/**
 * AWS Secrets Manager and SSM Parameter Store in one plugin (one store):
 * `createGateway({ plugins: [ecs(), secrets()] })`.
 */
export function secrets(_options: SecretsOptions = {}): DocksidePlugin {
  const store = new Store<SecretsState>(emptySecretsState);
  const stateOf = (ctx: RequestContext) => store.get(ctx.accountId, ctx.region);
  const sessions = new SessionBook();
  return {
    name: 'secrets',
    protocols: [
      {
        signingName: 'secretsmanager',
        // Above the largest request AWS accepts: a secret value is at most 64 KiB.
        maxRequestBytes: 1 * 1024 * 1024,
        protocol: 'awsJson1_1',
        targetPrefix: 'secretsmanager',
        ...modelAt(path.join(__dirname, 'secretsmanager.json')),
        validationErrorCode: 'InvalidParameterException',
        operations: secretsManagerOperations(stateOf, (accountId, region) => store.get(accountId, region)),
      },
      {
        signingName: 'ssm',
        // Above the largest request AWS accepts: a parameter value is at most 8 KiB.
        maxRequestBytes: 1 * 1024 * 1024,
        protocol: 'awsJson1_1',
        targetPrefix: 'AmazonSSM',
        ...modelAt(path.join(__dirname, 'ssm.json')),
        validationErrorCode: 'ValidationException',
        operations: { ...ssmOperations(stateOf), ...sessionOperations(sessions) },
      },
    ],
    setup(ctx) {
      let unsubscribe = () => undefined as void;
      return {
        start() {
          unsubscribe = ctx.bus.subscribe('ssm.session', (e) => sessions.record(e));
        },
        stop() {
          unsubscribe();
        },
      };
    },
    state: {
      reset: () => store.reset(),
      snapshot: () => store.snapshot(),
      journal: store,
      restore: (snapshot) => {
        normaliseTimestamps(snapshot);
        store.restore(snapshot);
      },
    },
  };
}

export default secrets;
