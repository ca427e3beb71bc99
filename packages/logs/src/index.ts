import * as path from 'node:path';
import { Store, modelAt, type DocksidePlugin, type RequestContext } from '@dockside/core';
import './contract';
import { accountResourceOperations } from './operations/account-resources';
import { analyticsOperations } from './operations/analytics';
import { expire } from './operations/common';
import { eventOperations } from './operations/events';
import { deliveryOperations } from './operations/deliveries';
import { filterOperations } from './operations/filters';
import { groupSettingOperations } from './operations/group-settings';
import { groupOperations } from './operations/groups';
import { liveTailOperations } from './operations/live-tail';
import { queryOperations } from './operations/queries';
import { streamOperations } from './operations/streams';
import type { LogsOptions } from './options';
import { type LogsState, emptyLogsState } from './state/types';

export type { LogsCalls, LogsEventsStored } from './contract';
export type { LogsOptions } from './options';
export { compileFilterPattern } from './filter-pattern';

/** The CloudWatch Logs plugin: `createGateway({ plugins: [logs()] })`. */
export function logs(options: LogsOptions = {}): DocksidePlugin {
  const store = new Store<LogsState>(emptyLogsState);
  const stateOf = (ctx: RequestContext) => store.get(ctx.accountId, ctx.region);
  let sweep: NodeJS.Timeout | undefined;
  return {
    name: 'logs',
    protocols: [
      {
        signingName: 'logs',
        // Above the largest request AWS accepts: PutLogEvents takes a 1 MiB batch; JSON escaping of messages can grow that sixfold.
        maxRequestBytes: 8 * 1024 * 1024,
        protocol: 'awsJson1_1',
        targetPrefix: 'Logs_20140328',
        ...modelAt(path.join(__dirname, 'model.json')),
        validationErrorCode: 'InvalidParameterException',
      },
    ],
    operations: {
      ...groupOperations(stateOf),
      ...streamOperations(stateOf),
      ...eventOperations(stateOf),
      ...filterOperations(stateOf),
      ...accountResourceOperations(stateOf),
      ...liveTailOperations(stateOf),
      ...queryOperations(stateOf),
      ...groupSettingOperations(stateOf),
      ...deliveryOperations(stateOf),
      ...analyticsOperations(stateOf),
    },
    state: store,
    start() {
      sweep = setInterval(() => {
        for (const { state } of store.entries()) for (const g of Object.values(state.groups)) expire(g);
      }, options.retentionSweepMs ?? 60_000);
      sweep.unref();
    },
    stop() {
      if (sweep) clearInterval(sweep);
    },
  };
}

export default logs;
