import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Router } from 'express';
import type { Logger } from 'pino';
import type { Bus } from './bus';
import type { ServiceModel } from './model/types';

export type WireProtocol = 'awsJson1_0' | 'awsJson1_1' | 'awsQuery' | 'ec2Query' | 'restJson1';

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
  /**
   * The IAM principal acting, when the caller knows it (an ECS task's execution role pulling an
   * image); resource policies are checked against it. Unset for external requests: Dockside maps
   * credentials to an account only, so they act as the account.
   */
  principal?: string;
  /**
   * The input came through the bus from a caller that built it within the operation's limits
   * (CallOptions.trusted): the model's validation was skipped, and an operation may skip its own
   * checks of what such a caller guarantees.
   */
  trusted?: boolean;
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
  /** awsQuery and ec2Query: the API version and the XML namespace of responses. */
  apiVersion?: string;
  xmlNamespace?: string;
  /** The model generated at build time (loaded on first use). */
  model: () => ServiceModel;
  /**
   * The model's operation names, when reading them is cheaper than loading the model (the
   * generator writes them beside it as `<model>.operations.json`); boot checks handlers against them.
   */
  operationNames?: () => string[];
  /** The code this service answers for input that fails model validation. */
  validationErrorCode?: string;
  /**
   * How a value outside an enum is worded: AWS's generic constraint message (default), or the
   * `<member> should be one of [A,B]` form some services (ECS) use.
   */
  enumWording?: 'constraint' | 'should-be-one-of';
  /** Operations of this service; defaults to the plugin's `operations`. */
  operations?: OperationMap;
  /**
   * The largest request body this service reads, in bytes (default 16 MiB). A larger one is refused
   * before it is read, with AWS's 413 `RequestEntityTooLargeException` in the service's protocol.
   * Set it above the largest request the service's own quotas allow (escaping included).
   */
  maxRequestBytes?: number;
}

/** What a plugin gets once, at `setup()`: the gateway's bus, logger, configuration and endpoints. */
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
  /**
   * The plugin's Store, for `--data-dir`'s journal: with it, each acknowledged write appends only
   * what changed; without it, the whole snapshot is written for every write to the plugin.
   */
  journal?: JournaledStore;
}

/** What the journal needs of a store: change tracking and the current value at a changed path. */
export interface JournaledStore {
  track(listener: (path: string[]) => void): void;
  valueAt(path: string[]): { present: boolean; value?: unknown };
  /** The length of the array at a path, or undefined when it holds no array. */
  arrayLengthAt(path: string[]): number | undefined;
}

/**
 * HTTP endpoints a plugin serves beside the AWS APIs (metadata, credentials, introspection, UI).
 * The gateway refuses, at boot, two plugins whose prefixes overlap (`DOCKSIDE_ROUTE_CONFLICT`),
 * and sends a plugin only the requests under its own prefixes.
 */
export interface PluginRoutes {
  /** Path prefixes, each starting and ending with `/` (e.g. `/v4/`, `/_dockside/ecs/`). */
  prefixes: string[];
  /** Adds the handlers; paths are full paths (the router is not mounted under a prefix). */
  mount(router: Router): void;
  /**
   * Claims requests by their Host header instead of their path (e.g. a load balancer's DNS
   * name sent to the gateway's port): a handler for that host name, or undefined to pass.
   * Asked before any path routing, for every request.
   */
  byHost?(hostname: string): ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  /**
   * HTTP upgrades (WebSockets) on the gateway's port: return true when the request is the
   * plugin's (under its prefixes) and it took the socket; false to pass.
   */
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
}

/** What a plugin builds once it has its context: the parts that need the bus, logger or endpoints. */
export interface PluginParts {
  operations?: OperationMap;
  routes?: PluginRoutes;
  /** Background work (schedulers, restoring runtime state): called once, before listening. */
  start?(): void | Promise<void>;
  stop?(): void | Promise<void>;
}

/**
 * The value a plugin factory (`ecs(options)`) returns. A plugin whose internals need the bus,
 * the logger or the gateway's endpoints builds them in `setup(ctx)`, which the gateway calls
 * exactly once, before it routes anything; the parts it returns complete the plugin.
 */
export interface DocksidePlugin extends PluginParts {
  name: string;
  protocols: ProtocolDef[];
  state?: StateStore;
  setup?(ctx: PluginContext): PluginParts | void;
}
