/**
 * The restJson1 protocol (EventBridge Scheduler and other REST-JSON services): the operation is
 * found from the request line by the model's `http` traits (`POST /schedules/{Name}`), members
 * travel in labels, query parameters and headers as their HTTP binding traits say, the rest in a
 * JSON body; errors are JSON with `x-amzn-ErrorType` and the status the model gives the error.
 */
import { ServiceError, serializationError } from '../errors';
import type { MemberDef, ServiceModel } from '../model/types';
import type { WireResponse } from './types';
import { decodeJsonBody, toWireJson } from './json';
import { coerce, resolve } from './query-shapes';

interface CompiledRoute {
  operation: string;
  method: string;
  pattern: RegExp;
  labels: string[];
  /** Literal query parameters of the URI (`/x?tagging`): the request must carry them. */
  literals: Record<string, string>;
}

const compiled = new WeakMap<ServiceModel, CompiledRoute[]>();

function compile(model: ServiceModel): CompiledRoute[] {
  let routes = compiled.get(model);
  if (routes) return routes;
  routes = [];
  for (const [operation, def] of Object.entries(model.operations)) {
    if (!def.http) continue;
    const [pathPart, queryPart] = def.http.uri.split('?');
    const labels: string[] = [];
    const source = pathPart
      .split(/(\{[^}]+\})/)
      .map((seg) => {
        const label = /^\{([^}+]+)(\+)?\}$/.exec(seg);
        if (!label) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        labels.push(label[1]);
        return label[2] ? '(.+)' : '([^/]+)';
      })
      .join('');
    const literals = Object.fromEntries(new URLSearchParams(queryPart ?? ''));
    routes.push({ operation, method: def.http.method, pattern: new RegExp(`^${source}/?$`), labels, literals });
  }
  // Literal segments beat labels: a route with fewer labels is tried first.
  routes.sort((a, b) => a.labels.length - b.labels.length);
  compiled.set(model, routes);
  return routes;
}

export interface RestMatch {
  operation: string;
  labels: Record<string, string>;
}

/** The operation a request line names, or undefined when no route of the model matches. */
export function matchRestOperation(
  model: ServiceModel,
  method: string,
  path: string,
  query: URLSearchParams,
): RestMatch | undefined {
  for (const r of compile(model)) {
    if (r.method !== method) continue;
    const m = r.pattern.exec(path);
    if (!m) continue;
    if (Object.entries(r.literals).some(([k, v]) => query.get(k) !== v && !(v === '' && query.has(k)))) continue;
    const labels: Record<string, string> = {};
    r.labels.forEach((name, i) => {
      try {
        labels[name] = decodeURIComponent(m[i + 1]);
      } catch {
        throw serializationError(`Invalid percent-encoding in the URI label ${name}`);
      }
    });
    return { operation: r.operation, labels };
  }
  return undefined;
}

/** Whether a path could belong to the model (some route's pattern matches it, any method). */
export function pathKnown(model: ServiceModel, path: string): boolean {
  return compile(model).some((r) => r.pattern.test(path));
}

/** A query or header value as the member's type: lists repeat (or comma-join, for headers). */
function fromText(model: ServiceModel, member: MemberDef, values: string[], name: string): unknown {
  const r = resolve(model, member.ref);
  if (r.kind === 'list') {
    const item = resolve(model, r.member);
    return values.map((v) => coerce(item.kind === 'primitive' ? item.of : 'string', v, name));
  }
  return coerce(r.kind === 'primitive' ? r.of : 'string', values[values.length - 1], name);
}

/** The operation's input from the request's labels, query, headers and body. */
export function decodeRestJsonInput(
  model: ServiceModel,
  operation: string,
  labels: Record<string, string>,
  query: URLSearchParams,
  headers: Record<string, string | string[] | undefined>,
  body: Buffer | undefined,
): Record<string, unknown> {
  const inputName = model.operations[operation]?.input;
  const shape = inputName ? model.shapes[inputName] : undefined;
  if (!shape || shape.type !== 'structure') return {};
  const members = Object.entries(shape.members);
  const payloadMember = members.find(([, m]) => m.http?.payload);
  const input: Record<string, unknown> = payloadMember ? {} : decodeJsonBody(body);
  if (payloadMember) {
    const [name, m] = payloadMember;
    const r = resolve(model, m.ref);
    if (body?.length)
      input[name] =
        r.kind === 'structure'
          ? decodeJsonBody(body)
          : r.kind === 'primitive' && r.of === 'blob'
            ? body
            : body.toString('utf8');
  }
  const bound = new Set<string>();
  for (const [name, m] of members) {
    const h = m.http;
    if (!h || h.payload) continue;
    delete input[name]; // a bound member never comes from the body
    if (h.label && labels[name] !== undefined) input[name] = fromText(model, m, [labels[name]], name);
    else if (h.query !== undefined) {
      bound.add(h.query);
      const values = query.getAll(h.query);
      if (values.length) input[name] = fromText(model, m, values, name);
    } else if (h.header !== undefined) {
      const raw = headers[h.header.toLowerCase()];
      if (raw !== undefined) {
        const values = Array.isArray(raw)
          ? raw
          : resolve(model, m.ref).kind === 'list'
            ? raw.split(',').map((v) => v.trim())
            : [raw];
        input[name] = fromText(model, m, values, name);
      }
    }
  }
  const rest = members.find(([, m]) => m.http?.queryParams);
  if (rest) {
    const map: Record<string, string> = {};
    for (const [k, v] of query) if (!bound.has(k)) map[k] = v;
    if (Object.keys(map).length) input[rest[0]] = map;
  }
  return input;
}

/** The output: bound members as headers and status, the rest as the JSON body. */
export function encodeRestJsonResult(model: ServiceModel, operation: string, output: unknown): WireResponse {
  const def = model.operations[operation];
  const shape = def?.output ? model.shapes[def.output] : undefined;
  const out = { ...((output ?? {}) as Record<string, unknown>) };
  const headers: Record<string, string> = {};
  let status = def?.http?.code ?? 200;
  let payload: unknown;
  let hasPayload = false;
  if (shape?.type === 'structure') {
    for (const [name, m] of Object.entries(shape.members)) {
      const h = m.http;
      if (!h) continue;
      const v = out[name];
      delete out[name];
      if (v === undefined) {
        if (h.payload) hasPayload = true;
        continue;
      }
      if (h.responseCode) status = Number(v);
      else if (h.header !== undefined)
        headers[h.header] = v instanceof Date ? v.toUTCString() : Array.isArray(v) ? v.join(', ') : String(v);
      else if (h.payload) {
        hasPayload = true;
        payload = v;
      }
    }
  }
  const body = hasPayload
    ? payload === undefined
      ? ''
      : typeof payload === 'string' || Buffer.isBuffer(payload)
        ? payload.toString()
        : JSON.stringify(toWireJson(payload))
    : JSON.stringify(toWireJson(out));
  return { status, contentType: 'application/json', headers, body };
}

/** `{"message": …}` with `x-amzn-ErrorType`, at the status the model gives the error (else the error's own). */
export function encodeRestJsonError(model: ServiceModel | undefined, err: ServiceError): WireResponse {
  const status = model?.errors[err.code]?.httpStatus ?? err.httpStatus;
  return {
    status,
    contentType: 'application/json',
    headers: { 'x-amzn-ErrorType': err.code },
    body: JSON.stringify(toWireJson({ ...err.fields, message: err.message })),
  };
}

/** The error a request gets when its path names no operation of the service. */
export const unknownRestOperation = (method: string, path: string) =>
  new ServiceError('UnknownOperationException', `No operation is bound to ${method} ${path}`, { httpStatus: 404 });
