import type { ServiceError } from '../errors';
import type { MemberDef, ServiceModel, ShapeRef } from '../model/types';
import { coerce, resolve } from './query-shapes';
import type { WireResponse } from './types';
import { escapeXml, scalarXml } from './xml';

/**
 * EC2's query dialect: `Action=…&Version=…` form parameters like awsQuery, but lists are flat
 * (`Filter.1.Name`, `Filter.1.Value.1`, `SubnetId.1`: no `.member`) and parameter names come from
 * the `ec2QueryName` trait (else the capitalised `xmlName`, else the member name). Responses are
 * XML without a Result wrapper, lists as `<xSet><item>…</item></xSet>`, errors as
 * `<Response><Errors><Error>…</Error></Errors><RequestID/></Response>`.
 */

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The query parameter name of a member, as the EC2 protocol derives it. */
export const ec2ParamName = (name: string, m: MemberDef) => m.queryName ?? capitalise(m.xmlName ?? name);

/** Rebuilds an operation's input from EC2 query parameters, guided by its input shape. */
export function decodeEc2Input(
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
        const key = ec2ParamName(name, m);
        const v = read(prefix ? `${prefix}.${key}` : key, m.ref);
        if (v !== undefined) {
          out[name] = v;
          any = true;
        }
      }
      return any || !prefix ? out : undefined;
    }
    if (r.kind === 'list') {
      const items: unknown[] = [];
      for (let i = 1; ; i++) {
        const v = read(`${prefix}.${i}`, r.member);
        if (v === undefined) break;
        items.push(v);
      }
      return items.length ? items : undefined;
    }
    const map: Record<string, unknown> = {};
    let any = false;
    for (let i = 1; ; i++) {
      const key = params.get(`${prefix}.${i}.key`) ?? params.get(`${prefix}.${i}.Key`);
      if (key === undefined) break;
      map[key] = read(`${prefix}.${i}.value`, r.value) ?? read(`${prefix}.${i}.Value`, r.value);
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
      if (v === undefined || v === null) continue;
      const tag = m.xmlName ?? name;
      out += `<${tag}>${xmlValue(model, m.ref, v)}</${tag}>`;
    }
    return out;
  }
  if (r.kind === 'list') {
    const tag = r.itemName ?? 'item';
    return (value as unknown[]).map((v) => `<${tag}>${xmlValue(model, r.member, v)}</${tag}>`).join('');
  }
  if (r.kind === 'map') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `<item><key>${escapeXml(k)}</key><value>${xmlValue(model, r.value, v)}</value></item>`)
      .join('');
  }
  return scalarXml(r.of, value);
}

export function encodeEc2Result(
  model: ServiceModel,
  operation: string,
  xmlNamespace: string,
  output: unknown,
  requestId: string,
): WireResponse {
  const shape = model.operations[operation]?.output;
  const body = shape ? xmlValue(model, { shape }, output ?? {}) : '<return>true</return>';
  return {
    status: 200,
    contentType: 'text/xml;charset=UTF-8',
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="${xmlNamespace}/">` +
      `<requestId>${requestId}</requestId>${body}</${operation}Response>`,
  };
}

export function encodeEc2Error(err: ServiceError, requestId: string): WireResponse {
  return {
    status: err.httpStatus,
    contentType: 'text/xml;charset=UTF-8',
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(err.code)}</Code>` +
      `<Message>${escapeXml(err.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
  };
}
