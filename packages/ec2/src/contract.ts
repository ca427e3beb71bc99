/**
 * The ec2 plugin's public contract: the operations other plugins may call through the bus
 * and the events it publishes. Types only.
 */
import type { Call } from '@dockside/core';
import type * as SDK from '@aws-sdk/client-ec2';

/** Add an entry per operation another plugin calls: `Name: Call<SDK.NameRequest, SDK.NameResponse>`. */
export interface Ec2Calls {
  AcceptTransitGatewayMulticastDomainAssociations: Call<
    SDK.AcceptTransitGatewayMulticastDomainAssociationsCommandInput,
    SDK.AcceptTransitGatewayMulticastDomainAssociationsCommandOutput
  >;
}

declare module '@dockside/core' {
  interface DocksideServices {
    ec2: Ec2Calls;
  }
}
