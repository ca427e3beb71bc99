import type { Router } from 'express';
import type { Logger } from 'pino';
import type { Bus } from './bus';
import type { ServiceModel } from './model/types';

export type WireProtocol = 'awsJson1_0' | 'awsJson1_1' | 'awsQuery';

/** Who is asking, where, and through which path: built once per request (or internal call). */
export interface RequestContext {
  requestId: string;
  accountId: string;
  region: string;
  /** The SigV4 signing name of the service being called, e.g. `ecs`. */
  service: string;
  operation: string;
  /** True for a call one Dockside service makes on another through the bus. */
  internal: boolean;
  bus: Bus;
  logger: Logger;
}

export type OperationHandler<I = any, O = any> = (input: I, ctx: RequestContext) => O | Promise<O>;
export type OperationMap = Record<string, OperationHandler>;

/** How one AWS service of a plugin is reached on the wire. */
export interface ProtocolDef {
  /** SigV4 signing name, which also names the service on the bus (`ecs`, `logs`, `ssm`). */
  signingName: string;
  protocol: WireProtocol;
  /** `X-Amz-Target` prefix for the JSON protocols, e.g. `AmazonEC2ContainerServiceV20141113`. */
  targetPrefix?: string;
  /** awsQuery: the API version and the XML namespace of responses. */
  apiVersion?: string;
  xmlNamespace?: string;
  /** The model generated at build time (loaded on first use). */
  model: () => ServiceModel;
  /** The code this service answers for input that fails model validation. */
  validationErrorCode?: string;
  /** Operations of this service; defaults to the plugin's `operations`. */
  operations?: OperationMap;
}

/** What a plugin gets at `routes()` and `start()`. */
export interface PluginContext {
  bus: Bus;
  logger: Logger;
  config: GatewayConfig;
  /** The gateway's base URL once it listens (`http://127.0.0.1:4566`), else undefined. */
  endpoint(): string | undefined;
  /**
   * Also serve the gateway on `host` (same port), e.g. the container-engine side of the machine
   * so containers reach Dockside. Resolves to that URL; rejects if the gateway does not listen.
   */
  exposeOn(host: string): Promise<string>;
}

export interface GatewayConfig {
  accountId: string;
  region: string;
  dataDir?: string;
  version: string;
}

/** A store a plugin owns: the gateway resets, snapshots and restores it. */
export interface StateStore {
  reset(): void;
  snapshot(): unknown;
  restore(snapshot: unknown): void;
}

/** The value a plugin factory (`ecs(options)`) returns. */
export interface DocksidePlugin {
  name: string;
  protocols: ProtocolDef[];
  operations?: OperationMap;
  state?: StateStore;
  /** Extra HTTP endpoints (metadata, introspection, OCI), mounted at the gateway's root. */
  routes?(router: Router, ctx: PluginContext): void;
  start?(ctx: PluginContext): void | Promise<void>;
  stop?(): void | Promise<void>;
}
