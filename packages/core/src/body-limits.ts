import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher, ServiceRoute } from './dispatcher';
import { ServiceError } from './errors';
import { encodeEc2Error } from './protocols/ec2';
import { encodeJsonError } from './protocols/json';
import { encodeQueryError } from './protocols/query';
import { encodeRestJsonError } from './protocols/rest-json';
import { parseAuthorization } from './protocols/sigv4';
import type { WireResponse } from './protocols/types';

/** What a service reads when its plugin names no limit (ProtocolDef.maxRequestBytes). */
export const DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/** AWS's front end refusing a body over the service's limit. */
export const tooLarge = () =>
  new ServiceError('RequestEntityTooLargeException', 'Request Entity Too Large', { httpStatus: 413 });

/**
 * The service a request is for, read from its headers alone (before its body is): the
 * `X-Amz-Target` prefix, else the SigV4 scope's service; undefined when neither names a loaded one.
 */
export function routeOfHeaders(dispatcher: Dispatcher, headers: IncomingHttpHeaders): ServiceRoute | undefined {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return dispatcher.byTarget.get(target.slice(0, target.lastIndexOf('.')));
  const scope = parseAuthorization(headers.authorization, {});
  return scope ? dispatcher.bySigningName.get(scope.service) : undefined;
}

/** The body limit for a request to `route` (the default when the service is not known yet). */
export const limitOf = (route: ServiceRoute | undefined) =>
  route?.protocol.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;

/** An error as `route`'s protocol writes it (awsJson1_1 when no service is known). */
export function encodeErrorFor(route: ServiceRoute | undefined, err: ServiceError, requestId: string): WireResponse {
  const protocol = route?.protocol;
  switch (protocol?.protocol) {
    case 'ec2Query':
      return encodeEc2Error(err, requestId);
    case 'awsQuery':
      return encodeQueryError(route!.model(), protocol.xmlNamespace ?? 'https://dockside.local/', err, requestId);
    case 'restJson1':
      return encodeRestJsonError(route!.model(), err);
    default:
      return encodeJsonError(protocol?.protocol ?? 'awsJson1_1', err);
  }
}
