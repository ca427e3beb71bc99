/**
 * An error the gateway returns to an AWS client. Each wire protocol serialises it the way the
 * AWS SDKs parse it, so `err instanceof ClusterNotFoundException` holds on the client side.
 */
const BRAND = Symbol.for('dockside.ServiceError');

export class ServiceError extends Error {
  /** Recognised across copies of this package (a plugin may bundle its own). */
  readonly [BRAND] = true;
  readonly code: string;
  readonly httpStatus: number;
  readonly fault: 'client' | 'server';
  /** Extra members of the error shape (e.g. `resourceIds`), serialised beside the message. */
  readonly fields: Record<string, unknown>;

  constructor(
    code: string,
    message: string,
    options: { httpStatus?: number; fault?: 'client' | 'server'; fields?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = code;
    this.code = code;
    this.fault = options.fault ?? ((options.httpStatus ?? 400) >= 500 ? 'server' : 'client');
    this.httpStatus = options.httpStatus ?? (this.fault === 'server' ? 500 : 400);
    this.fields = options.fields ?? {};
  }
}

export const isServiceError = (e: unknown): e is ServiceError =>
  e instanceof ServiceError || Boolean(e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND]);

/** The error AWS answers for an operation name it does not know. */
export const unknownOperation = (target: string) =>
  new ServiceError('UnknownOperationException', `Unrecognized operation: ${target}`);

/** An operation the AWS model has but this Dockside plugin does not implement yet. */
export const notImplemented = (service: string, operation: string) =>
  new ServiceError(
    'NotImplemented',
    `${operation} is part of the ${service} API but is not implemented by Dockside's ${service} plugin yet.`,
    { httpStatus: 501, fault: 'server' },
  );

export const serializationError = (message: string) => new ServiceError('SerializationException', message);

export const internalFailure = () =>
  new ServiceError('InternalFailure', 'The request processing has failed because of an unknown error.', {
    httpStatus: 500,
  });

/** Codes of the errors the gateway raises at boot (never sent to AWS clients). */
export type BootErrorCode =
  | 'DOCKSIDE_DUPLICATE_PLUGIN'
  | 'DOCKSIDE_DUPLICATE_PROTOCOL'
  | 'DOCKSIDE_UNROUTABLE_OPERATION'
  | 'DOCKSIDE_INVALID_PLUGIN'
  | 'DOCKSIDE_ROUTE_CONFLICT'
  | 'DOCKSIDE_SERVICE_NOT_LOADED';

/** A configuration mistake found while the gateway is being built: fails fast, before listening. */
export class DocksideError extends Error {
  constructor(
    readonly code: BootErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'DocksideError';
  }
}

/**
 * A bus call named a service this gateway does not load. Callers handle it by type
 * (`isServiceNotLoaded(err)`) and degrade the way the real service would.
 */
export class ServiceNotLoadedError extends DocksideError {
  constructor(
    readonly service: string,
    readonly operation: string,
  ) {
    super(
      'DOCKSIDE_SERVICE_NOT_LOADED',
      `service '${service}' is not loaded in this gateway (needed for ${service}.${operation})`,
    );
    this.name = 'ServiceNotLoadedError';
  }
}

export const isServiceNotLoaded = (e: unknown): e is ServiceNotLoadedError =>
  e instanceof DocksideError && e.code === 'DOCKSIDE_SERVICE_NOT_LOADED';
