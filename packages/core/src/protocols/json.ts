import type { ServiceError } from '../errors';
import { isDate } from '../util';
import { serializationError } from '../errors';
import type { WireProtocol } from '../plugin';
import type { WireResponse } from './types';

export const jsonContentType = (p: WireProtocol) =>
  p === 'awsJson1_0' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1';

/** Parses a JSON protocol body; an empty body is an empty input, garbage is a SerializationException. */
export function decodeJsonBody(body: Buffer | undefined): Record<string, unknown> {
  if (!body || body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw serializationError(
      'Start of structure or map found where not expected, or the request body is not valid JSON.',
    );
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw serializationError('The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

/** JSON protocols send timestamps as epoch seconds (fractional for milliseconds). */
export function toWireJson(value: unknown): unknown {
  if (isDate(value)) return value.getTime() / 1000;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(toWireJson);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWireJson(v);
    return out;
  }
  return value;
}

export function encodeJsonResult(protocol: WireProtocol, output: unknown): WireResponse {
  return {
    status: 200,
    contentType: jsonContentType(protocol),
    body: JSON.stringify(toWireJson(output ?? {})),
  };
}

/** `{"__type": code, "message": …}` plus `x-amzn-ErrorType`, which the SDKs read first. */
export function encodeJsonError(protocol: WireProtocol, err: ServiceError): WireResponse {
  return {
    status: err.httpStatus,
    contentType: jsonContentType(protocol),
    headers: { 'x-amzn-ErrorType': err.code },
    body: JSON.stringify(toWireJson({ ...err.fields, __type: err.code, message: err.message })),
  };
}
