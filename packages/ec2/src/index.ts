import * as path from 'node:path';
import { Store, modelAt, type DocksidePlugin } from '@dockside/core';
import './contract';
import { operations } from './operations';
import type { Ec2Options } from './options';
import { emptyState, type Ec2State } from './state/types';

export type { Ec2Calls, Ec2InstanceChange } from './contract';
export type { Ec2Options } from './options';

/**
 * The EC2 networking plugin: VPCs, subnets, security groups, route tables and network ACLs,
 * regions and zones, tags, with a default VPC per account and region.
 * `createGateway({ plugins: [ec2()] })`.
 */
export function ec2(options: Ec2Options = {}): DocksidePlugin {
  const store = new Store<Ec2State>(emptyState);
  return {
    name: 'ec2',
    protocols: [
      {
        signingName: 'ec2',
        // Above the largest request AWS accepts: EC2's form requests are small; 1 MiB is far above any this emulation serves.
        maxRequestBytes: 1 * 1024 * 1024,
        protocol: 'ec2Query',
        apiVersion: '2016-11-15',
        xmlNamespace: 'http://ec2.amazonaws.com/doc/2016-11-15',
        ...modelAt(path.join(__dirname, 'model.json')),
        validationErrorCode: 'InvalidParameterValue',
      },
    ],
    state: store,
    setup(ctx) {
      return { operations: operations({ store, options, bus: ctx.bus, logger: ctx.logger }) };
    },
  };
}

export default ec2;
