/**
 * HTTP requests the fuzzer sends: an operation's input in its service's own wire protocol (JSON
 * with `X-Amz-Target`, query/EC2 forms, restJson1 paths), and protocol garbage (bodies that do
 * not parse, wrong content types, unknown targets and actions, oversized bodies).
 */
import type { ProtocolDef, ServiceModel } from '@dockside/core';
import type { Rng } from './values';

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
  /** What it is, for reports: `ecs.RunTask`, `garbage.bad-json`… */
  label: string;
}

const auth = (service: string, region = 'us-east-1') =>
  `AWS4-HMAC-SHA256 Credential=AKIAFUZZ/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=00`;

/** Flattens a value into query parameters (awsQuery's `member.N` lists, or EC2's `N`). */
export function flatten(value: unknown, prefix: string, ec2: boolean, out: Array<[string, string]>) {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => flatten(v, ec2 ? `${prefix}.${i + 1}` : `${prefix}.member.${i + 1}`, ec2, out));
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, ec2, out);
  } else out.push([prefix, String(value)]);
}

export function encodeRequest(p: ProtocolDef, model: ServiceModel, op: string, input: unknown): FuzzRequest {
  const label = `${p.signingName}.${op}`;
  switch (p.protocol) {
    case 'awsJson1_0':
    case 'awsJson1_1':
      return {
        method: 'POST',
        path: '/',
        headers: {
          'content-type': `application/x-amz-json-${p.protocol === 'awsJson1_0' ? '1.0' : '1.1'}`,
          'x-amz-target': `${p.targetPrefix}.${op}`,
          authorization: auth(p.signingName),
        },
        body: JSON.stringify(input),
        label,
      };
    case 'awsQuery':
    case 'ec2Query': {
      const pairs: Array<[string, string]> = [
        ['Action', op],
        ['Version', p.apiVersion ?? ''],
      ];
      flatten(input, '', p.protocol === 'ec2Query', pairs);
      return {
        method: 'POST',
        path: '/',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth(p.signingName) },
        body: new URLSearchParams(pairs).toString(),
        label,
      };
    }
    default: {
      // restJson1: labels into the path, the rest as the JSON body.
      const http = model.operations[op]?.http ?? { method: 'POST', uri: '/', code: 200 };
      const values = (input ?? {}) as Record<string, unknown>;
      const uri = http.uri
        .split('?')[0]
        .replace(/\{(\w+)\+?\}/g, (_, name: string) => encodeURIComponent(String(values[name] ?? 'x')));
      return {
        method: http.method,
        path: uri,
        headers: { 'content-type': 'application/json', authorization: auth(p.signingName) },
        ...(http.method === 'GET' || http.method === 'DELETE' ? {} : { body: JSON.stringify(values) }),
        label,
      };
    }
  }
}

/** A request no service should take: each kind answered with a 4xx, never a crash. */
export function garbage(r: Rng, p: ProtocolDef): FuzzRequest {
  const kind = r.pick(['bad-json', 'wrong-type', 'unknown-target', 'bad-form', 'binary', 'empty', 'unknown-action']);
  const json = p.protocol.startsWith('awsJson');
  const base = { method: 'POST', path: '/', label: `garbage.${kind}` };
  const target: Record<string, string> = json
    ? { 'x-amz-target': `${p.targetPrefix}.${kind === 'unknown-target' ? 'NoSuchOp' : 'ListThings'}` }
    : {};
  switch (kind) {
    case 'bad-json':
      return { ...base, headers: { 'content-type': 'application/x-amz-json-1.1', ...target }, body: '{"a": [1, 2' };
    case 'wrong-type':
      return { ...base, headers: { 'content-type': 'text/plain', ...target }, body: 'hello' };
    case 'bad-form':
      return {
        ...base,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'Action=%ZZ&&==&Version',
      };
    case 'binary':
      return {
        ...base,
        headers: { 'content-type': 'application/octet-stream', ...target },
        body: Buffer.from([0, 255, 1, 254, 0x7b]),
      };
    case 'empty':
      return { ...base, headers: { ...target, authorization: auth(p.signingName) } };
    case 'unknown-action':
      return {
        ...base,
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth(p.signingName) },
        body: 'Action=NoSuchAction&Version=1',
      };
    default:
      return {
        ...base,
        headers: { 'content-type': 'application/x-amz-json-1.1', ...target, authorization: auth(p.signingName) },
        body: '{}',
      };
  }
}
