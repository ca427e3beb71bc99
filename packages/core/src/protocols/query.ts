import type { ServiceError } from '../errors';
import type { ServiceModel, ShapeRef } from '../model/types';
import { coerce, resolve } from './query-shapes';
import type { WireResponse } from './types';
import { escapeXml, scalarXml } from './xml';

/**
 * awsQuery: `Action=…&Version=…` form parameters in, XML out (ELBv2 and other query services).
 * Lists arrive as `Name.member.N`, maps as `Name.entry.N.key` / `.value`, structures as `A.B`.
 */
export function parseForm(body: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(body)) params.set(k, v);
  return params;
}

/** Rebuilds an operation's input object from flat query parameters, guided by its input shape. */
export function decodeQueryInput(
  model: ServiceModel,
  inputShape: string | null,
  params: Map<string, string>,
): Record<string, unknown> {
  if (!inputShape) return {};
  const read = (prefix: string, ref: ShapeRef): unknown => {
    const r = resolve(model, ref);
    if (r.kind === 'primitive') {
      const raw = params.get(prefix);
      return raw === undefined ? undefined : coerce(r.of, raw, prefix);
    }
    if (r.kind === 'structure') {
      const out: Record<string, unknown> = {};
      let any = false;
      for (const [name, m] of Object.entries(r.members)) {
        const v = read(prefix ? `${prefix}.${name}` : name, m.ref);
        if (v !== undefined) {
          out[name] = v;
          any = true;
        }
      }
      return any || !prefix ? out : undefined;
    }
    if (r.kind === 'list') {
      // An empty list is sent as `Name=` with no members.
      const items: unknown[] = [];
      for (let i = 1; ; i++) {
        const v = read(`${prefix}.member.${i}`, r.member);
        if (v === undefined) break;
        items.push(v);
      }
      if (items.length === 0 && params.get(prefix) === '') return [];
      return items.length ? items : undefined;
    }
    const map: Record<string, unknown> = {};
    let any = false;
    for (let i = 1; ; i++) {
      const key = params.get(`${prefix}.entry.${i}.key`);
      if (key === undefined) break;
      map[key] = read(`${prefix}.entry.${i}.value`, r.value);
      any = true;
    }
    return any ? map : undefined;
  };
  return read('', { shape: inputShape }) as Record<string, unknown>;
}

function xmlValue(model: ServiceModel, ref: ShapeRef, value: unknown): string {
  const r = resolve(model, ref);
  if (r.kind === 'structure') {
    let out = '';
    for (const [name, m] of Object.entries(r.members)) {
      const v = (value as Record<string, unknown>)[name];
      if (v !== undefined && v !== null) out += `<${name}>${xmlValue(model, m.ref, v)}</${name}>`;
    }
    return out;
  }
  if (r.kind === 'list') {
    return (value as unknown[]).map((v) => `<member>${xmlValue(model, r.member, v)}</member>`).join('');
  }
  if (r.kind === 'map') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `<entry><key>${escapeXml(k)}</key><value>${xmlValue(model, r.value, v)}</value></entry>`)
      .join('');
  }
  return scalarXml(r.of, value);
}

export function encodeQueryResult(
  model: ServiceModel,
  operation: string,
  xmlNamespace: string,
  output: unknown,
  requestId: string,
): WireResponse {
  const shape = model.operations[operation]?.output;
  const result = shape ? `<${operation}Result>${xmlValue(model, { shape }, output ?? {})}</${operation}Result>` : '';
  return {
    status: 200,
    contentType: 'text/xml',
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="${xmlNamespace}">${result}` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`,
  };
}

/** `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>` with the model's query code. */
export function encodeQueryError(
  model: ServiceModel | undefined,
  xmlNamespace: string,
  err: ServiceError,
  requestId: string,
): WireResponse {
  const def = model?.errors[err.code];
  const code = def?.queryCode ?? err.code;
  const status = def?.queryHttpStatus ?? err.httpStatus;
  return {
    status,
    contentType: 'text/xml',
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${xmlNamespace}"><Error>` +
      `<Type>${err.fault === 'server' ? 'Receiver' : 'Sender'}</Type><Code>${escapeXml(code)}</Code>` +
      `<Message>${escapeXml(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}
