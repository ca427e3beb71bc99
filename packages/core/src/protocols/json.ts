import type { ServiceError } from '../errors';
import { isDate } from '../util';
import { serializationError } from '../errors';
import type { WireProtocol } from '../plugin';
import { stringifyJson } from './json-pieces';
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

/**
 * JSON protocols send timestamps as epoch seconds (fractional for milliseconds) and blobs as
 * base64. Copy on write: a value holding neither comes back as it is (JSON.stringify already
 * drops undefined members), so a large plain answer — a GetLogEvents page of 10,000 events — is
 * walked, not rebuilt; rebuilding it was 5 % of the gateway's time in bench/log-delivery.mjs.
 */
export function toWireJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (isDate(value)) return value.getTime() / 1000;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      const w = toWireJson(v);
      if (w !== v) (out ??= value.slice())[i] = w;
    }
    return out ?? value;
  }
  let out: Record<string, unknown> | undefined;
  const obj = value as Record<string, unknown>;
  for (const k in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
    const v = obj[k];
    const w = toWireJson(v);
    if (w !== v) (out ??= { ...obj })[k] = w;
  }
  return out ?? value;
}

/** `plain`: the output's shape holds no timestamp, blob or document (model/plain-output.ts). */
export function encodeJsonResult(protocol: WireProtocol, output: unknown, plain = false): WireResponse {
  return {
    status: 200,
    contentType: jsonContentType(protocol),
    body: stringifyJson(plain ? (output ?? {}) : toWireJson(output ?? {})),
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
