import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Bus, CallOptions } from './bus';
import { DocksideError, ServiceError, ServiceNotLoadedError, notImplemented, unknownOperation } from './errors';
import { ModelValidator, stripNulls } from './model/validator';
import type { ServiceModel } from './model/types';
import type { DocksidePlugin, OperationMap, ProtocolDef, RequestContext } from './plugin';

/** One AWS service as the gateway routes it. */
export interface ServiceRoute {
  plugin: DocksidePlugin;
  protocol: ProtocolDef;
  operations: OperationMap;
  model(): ServiceModel;
  validator: ModelValidator;
}

const once = <T>(f: () => T): (() => T) => {
  let v: T | undefined;
  return () => (v ??= f());
};

/**
 * The fixed pipeline every request and internal call goes through:
 * route → (protocol decode, done by the caller) → validate → invoke → (encode).
 */
export class Dispatcher {
  readonly byTarget = new Map<string, ServiceRoute>();
  readonly bySigningName = new Map<string, ServiceRoute>();
  readonly routes: ServiceRoute[] = [];

  constructor(
    plugins: DocksidePlugin[],
    private readonly bus: Bus,
    private readonly logger: Logger,
  ) {
    const names = new Set<string>();
    for (const plugin of plugins) {
      if (!plugin || typeof plugin.name !== 'string' || !Array.isArray(plugin.protocols)) {
        throw new DocksideError(
          'DOCKSIDE_INVALID_PLUGIN',
          'a plugin must be an object with a name and protocols[] (did you pass the factory instead of calling it?)',
        );
      }
      if (names.has(plugin.name)) {
        throw new DocksideError('DOCKSIDE_DUPLICATE_PLUGIN', `plugin '${plugin.name}' is registered twice`);
      }
      names.add(plugin.name);
      for (const protocol of plugin.protocols) this.addRoute(plugin, protocol);
    }
  }

  private addRoute(plugin: DocksidePlugin, protocol: ProtocolDef) {
    const operations = protocol.operations ?? plugin.operations ?? {};
    const isJson = protocol.protocol === 'awsJson1_0' || protocol.protocol === 'awsJson1_1';
    if (isJson && !protocol.targetPrefix) {
      throw new DocksideError(
        'DOCKSIDE_UNROUTABLE_OPERATION',
        `plugin '${plugin.name}': ${protocol.protocol} service '${protocol.signingName}' has no targetPrefix, so no request can reach its operations`,
      );
    }
    if (
      (protocol.protocol === 'awsQuery' || protocol.protocol === 'ec2Query') &&
      (!protocol.apiVersion || !protocol.xmlNamespace)
    ) {
      throw new DocksideError(
        'DOCKSIDE_UNROUTABLE_OPERATION',
        `plugin '${plugin.name}': ${protocol.protocol} service '${protocol.signingName}' needs apiVersion and xmlNamespace`,
      );
    }
    const taken = this.bySigningName.get(protocol.signingName);
    if (taken) {
      throw new DocksideError(
        'DOCKSIDE_DUPLICATE_PROTOCOL',
        `service '${protocol.signingName}' is served by both '${taken.plugin.name}' and '${plugin.name}'`,
      );
    }
    if (protocol.targetPrefix && this.byTarget.has(protocol.targetPrefix)) {
      throw new DocksideError(
        'DOCKSIDE_DUPLICATE_PROTOCOL',
        `target prefix '${protocol.targetPrefix}' is claimed twice`,
      );
    }
    const model = once(protocol.model);
    // An operation the service's model does not have could never be called by an AWS client. A
    // large model (EC2's) offers its operation names apart, so boot does not parse the whole model.
    const known = new Set(protocol.operationNames ? protocol.operationNames() : Object.keys(model().operations));
    for (const op of Object.keys(operations)) {
      if (!known.has(op)) {
        throw new DocksideError(
          'DOCKSIDE_UNROUTABLE_OPERATION',
          `plugin '${plugin.name}' implements '${op}', which the ${protocol.signingName} model does not have`,
        );
      }
    }
    const route: ServiceRoute = {
      plugin,
      protocol,
      operations,
      model,
      validator: new ModelValidator(model, protocol.validationErrorCode ?? 'ValidationException', protocol.enumWording),
    };
    this.routes.push(route);
    this.bySigningName.set(protocol.signingName, route);
    if (protocol.targetPrefix) this.byTarget.set(protocol.targetPrefix, route);
  }

  /** Validates and runs one operation. Throws ServiceError for anything the client should see. */
  async invoke(
    route: ServiceRoute,
    operation: string,
    input: unknown,
    ctx: RequestContext,
    trusted = false,
  ): Promise<unknown> {
    const handler = Object.prototype.hasOwnProperty.call(route.operations, operation)
      ? route.operations[operation]
      : undefined;
    const modelled = Object.prototype.hasOwnProperty.call(route.model().operations, operation);
    if (!handler && !modelled) {
      // Query services answer an unknown Action as the AWS query APIs do.
      if (route.protocol.protocol === 'awsQuery' || route.protocol.protocol === 'ec2Query') {
        throw new ServiceError('InvalidAction', `The action ${operation} is not valid for this web service.`);
      }
      throw unknownOperation(route.protocol.targetPrefix ? `${route.protocol.targetPrefix}.${operation}` : operation);
    }
    if (trusted && handler) {
      ctx.trusted = true;
      return handler(input ?? {}, ctx);
    }
    const clean = stripNulls(input ?? {}) as Record<string, unknown>;
    // Input is validated before anything else, as AWS does, even for operations Dockside lacks.
    route.validator.validate(operation, clean);
    if (!handler) throw notImplemented(route.protocol.signingName, operation);
    return handler(clean, ctx);
  }

  context(
    route: ServiceRoute,
    operation: string,
    accountId: string,
    region: string,
    internal: boolean,
    requestId = randomUUID(),
  ): RequestContext {
    return {
      requestId,
      accountId,
      region,
      service: route.protocol.signingName,
      operation,
      internal,
      bus: this.bus,
      logger: this.logger,
    };
  }

  /** The bus's entry point: an internal call by signing name. */
  async call(service: string, operation: string, input: unknown, opts: CallOptions, internal = true) {
    const route = this.bySigningName.get(service);
    if (!route) throw new ServiceNotLoadedError(service, operation);
    const ctx = this.context(route, operation, opts.accountId, opts.region, internal);
    if (opts.principal) ctx.principal = opts.principal;
    return this.invoke(route, operation, input, ctx, internal && opts.trusted === true);
  }
}
