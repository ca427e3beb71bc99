import type { Bus, Logger, OperationMap, Store } from '@dockside/core';
import { ServiceError } from '@dockside/core';
import type { Ec2Options } from '../options';
import type { Ec2State } from '../state/types';
import { accountOperations } from './account';
import { stateOfStore } from './common';
import { gatewayOperations } from './gateways';
import { instanceOperations } from './instances';
import { launchTemplateOperations } from './launch-templates';
import { networkInterfaceOperations } from './network-interfaces';
import { routeTableOperations } from './route-tables';
import { securityGroupOperations } from './security-groups';
import { vpcEndpointOperations } from './vpc-endpoints';
import { vpcOperations } from './vpcs';

export interface Ec2Deps {
  store: Store<Ec2State>;
  options: Ec2Options;
  bus: Bus;
  logger: Logger;
}

/**
 * Handlers keyed by AWS operation name, one file per resource family (`operations/<resource>.ts`)
 * spread in here. An operation of the model without a handler answers NotImplemented naming it.
 * Every handler honours `DryRun` as EC2 does: checked input, then DryRunOperation.
 */
export function operations(deps: Ec2Deps): OperationMap {
  const stateOf = stateOfStore(deps.store);
  const all: OperationMap = {
    ...vpcOperations(stateOf),
    ...securityGroupOperations(stateOf),
    ...accountOperations(stateOf),
    ...networkInterfaceOperations(stateOf),
    ...instanceOperations(stateOf),
    ...gatewayOperations(stateOf),
    ...routeTableOperations(stateOf),
    ...launchTemplateOperations(stateOf),
    ...vpcEndpointOperations(stateOf),
  };
  return Object.fromEntries(
    Object.entries(all).map(([name, handler]) => [
      name,
      (input: { DryRun?: boolean }, ctx) => {
        if (input?.DryRun)
          throw new ServiceError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', {
            httpStatus: 412,
          });
        return handler(input, ctx);
      },
    ]),
  );
}
