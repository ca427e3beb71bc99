#!/usr/bin/env node
/**
 * Build-time model generator: `dockside-model <@aws-sdk/client-x> <out.json>`.
 *
 * The AWS SDK for JavaScript v3 ships each service's Smithy model as compact schema arrays
 * (exports ending in `$`), and its enums as exported constant objects typed onto members in
 * `dist-types`. This script walks every operation schema reachable from the client package and
 * writes a plain JSON model (./types.ts) that the gateway loads lazily. Running it at build time
 * keeps the multi-megabyte SDK out of Dockside's start-up path.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {
  ConstraintTable,
  ErrorDef,
  MemberDef,
  OperationDef,
  PrimitiveType,
  ProtocolInfo,
  ServiceModel,
  ShapeDef,
  ShapeRef,
} from './types';

type Schema = number | unknown[] | (() => unknown);

const deref = (s: unknown): unknown => (typeof s === 'function' ? (s as () => unknown)() : s);

function primitiveOf(code: number): PrimitiveType {
  if (code === 0) return 'string';
  if (code === 1 || code === 17 || code === 19) return 'number';
  if (code === 2) return 'boolean';
  if (code >= 4 && code <= 7) return 'timestamp';
  if (code === 21 || code === 42) return 'blob';
  if (code === 15) return 'document';
  throw new Error(`unknown simple schema code ${code}`);
}

/** Map `interface X { member?: EnumName ... }` in the SDK's declaration files to enum values. */
function readEnumTyping(pkgDir: string, enums: Record<string, string[]>): Map<string, Map<string, string[]>> {
  const byShape = new Map<string, Map<string, string[]>>();
  const modelsDir = path.join(pkgDir, 'dist-types', 'models');
  if (!fs.existsSync(modelsDir)) return byShape;
  for (const file of fs.readdirSync(modelsDir)) {
    if (!file.endsWith('.d.ts')) continue;
    const text = fs.readFileSync(path.join(modelsDir, file), 'utf8');
    const re = /export interface (\w+) \{([\s\S]*?)\n\}/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const members = new Map<string, string[]>();
      const memberRe = /^\s+(\w+)\??:\s*(\w+)(\[\])?\s*(\|\s*undefined)?;/gm;
      for (let mm = memberRe.exec(m[2]); mm; mm = memberRe.exec(m[2])) {
        const values = enums[mm[2]];
        if (values) members.set(mm[1], values);
      }
      if (members.size) byShape.set(m[1], members);
    }
  }
  return byShape;
}

export function generateModel(sdkPackage: string, requireFrom = process.cwd()): ServiceModel {
  const entry = require.resolve(sdkPackage, { paths: [requireFrom] });
  const pkgDir = entry.slice(0, entry.lastIndexOf(`${path.sep}dist-cjs`));
  const pkgJson = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require(entry) as Record<string, unknown>;

  const enums: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(sdk)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && !k.endsWith('$')) {
      const values = Object.values(v);
      if (values.length && values.every((x) => typeof x === 'string')) enums[k] = values as string[];
    }
  }
  const enumTyping = readEnumTyping(pkgDir, enums);

  const shapes: Record<string, ShapeDef> = {};
  const errors: Record<string, ErrorDef> = {};
  const operations: Record<string, OperationDef> = {};
  let namespace = '';

  const refOf = (raw: Schema): ShapeRef => {
    const s = deref(raw);
    if (typeof s === 'number') {
      if (s >= 128) return { type: 'map', value: primitiveOf(s & 0b0011_1111) };
      if (s >= 64) return { type: 'list', member: primitiveOf(s & 0b0011_1111) };
      return primitiveOf(s);
    }
    if (!Array.isArray(s)) throw new Error(`unexpected schema ${String(s)}`);
    const name = s[2] as string;
    if (!(name in shapes)) {
      shapes[name] = { type: 'primitive', of: 'string' }; // placeholder breaks recursion
      shapes[name] = shapeOf(s);
    }
    return { shape: name };
  };

  const memberOf = (raw: unknown, enumValues?: string[]): MemberDef => {
    let schema = raw as Schema;
    let traits: unknown = 0;
    // A member with traits is the tuple [schemaRef, traits].
    if (Array.isArray(raw) && raw.length === 2 && (typeof raw[0] === 'function' || typeof raw[0] === 'number')) {
      schema = raw[0] as Schema;
      traits = raw[1];
    }
    const def: MemberDef = { ref: refOf(schema) };
    if (enumValues) def.enum = enumValues;
    // Traits are a bit vector (smithy's order: httpLabel, idempotent, idempotencyToken, sensitive,
    // httpPayload, httpResponseCode, httpQueryParams) or an object naming them.
    const t: Record<string, unknown> =
      typeof traits === 'number'
        ? Object.fromEntries(
            [
              'httpLabel',
              'idempotent',
              'idempotencyToken',
              'sensitive',
              'httpPayload',
              'httpResponseCode',
              'httpQueryParams',
            ]
              .filter((_, i) => (traits >> i) & 1)
              .map((k) => [k, 1]),
          )
        : traits && typeof traits === 'object'
          ? (traits as Record<string, unknown>)
          : {};
    if (t.sensitive) def.sensitive = true;
    if (typeof t.ec2QueryName === 'string') def.queryName = t.ec2QueryName;
    if (typeof t.xmlName === 'string') def.xmlName = t.xmlName;
    if (t.idempotencyToken) def.idempotencyToken = true;
    const http: MemberDef['http'] = {};
    if (t.httpLabel) http.label = true;
    if (typeof t.httpQuery === 'string') http.query = t.httpQuery;
    if (t.httpQueryParams) http.queryParams = true;
    if (typeof t.httpHeader === 'string') http.header = t.httpHeader;
    if (typeof t.httpPrefixHeaders === 'string') http.header = t.httpPrefixHeaders;
    if (t.httpPayload) http.payload = true;
    if (t.httpResponseCode) http.responseCode = true;
    if (Object.keys(http).length) def.http = http;
    return def;
  };

  const shapeOf = (s: unknown[]): ShapeDef => {
    const kind = s[0] as number;
    const traits = s[3];
    if (kind === 0) {
      const ref = refOf(s[4] as Schema);
      const def: ShapeDef = { type: 'primitive', of: typeof ref === 'string' ? ref : 'string' };
      if (typeof traits === 'number' && traits & 0b1000) def.sensitive = true;
      return def;
    }
    if (kind === 1) return { type: 'list', member: memberOf(s[4]) };
    if (kind === 2) return { type: 'map', value: memberOf(s[5]) };
    if (kind === 3 || kind === -3 || kind === 4) {
      const names = (s[4] as string[]) ?? [];
      const schemas = (s[5] as unknown[]) ?? [];
      const requiredCount = typeof s[6] === 'number' ? (s[6] as number) : 0;
      const enumsHere = enumTyping.get(s[2] as string);
      const members: Record<string, MemberDef> = {};
      names.forEach((n, i) => (members[n] = memberOf(schemas[i], enumsHere?.get(n))));
      const def: ShapeDef = { type: 'structure', members, required: names.slice(0, requiredCount) };
      if (kind === 4) def.union = true;
      return def;
    }
    throw new Error(`unexpected schema kind ${kind} for ${String(s[2])}`);
  };

  for (const [key, value] of Object.entries(sdk)) {
    if (!key.endsWith('$') || !Array.isArray(value)) continue;
    if (value[0] === 9) {
      namespace = value[1] as string;
      const input = deref(value[4]) as unknown[];
      const output = deref(value[5]) as unknown[];
      const nameOf = (s: unknown[]) =>
        Array.isArray(s) && s[0] === 3 ? (refOf(s as Schema) as { shape: string }).shape : null;
      const op: OperationDef = { input: nameOf(input), output: nameOf(output) };
      const http = (value[3] as { http?: [string, string, number] } | undefined)?.http;
      if (Array.isArray(http)) op.http = { method: http[0], uri: http[1], code: http[2] };
      operations[value[2] as string] = op;
    } else if (value[0] === -3 && !String(value[1]).startsWith('smithy.ts.sdk.synthetic')) {
      const t = (value[3] ?? {}) as { error?: string; httpError?: number; awsQueryError?: [string, number] };
      const def: ErrorDef = {
        fault: t.error === 'server' ? 'server' : 'client',
        httpStatus: t.httpError ?? (t.error === 'server' ? 500 : 400),
      };
      if (t.awsQueryError) {
        def.queryCode = t.awsQueryError[0];
        def.queryHttpStatus = t.awsQueryError[1];
      }
      errors[value[2] as string] = def;
    }
  }
  const sorted = <T>(o: Record<string, T>) =>
    Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    sdkPackage,
    sdkVersion: pkgJson.version,
    namespace,
    protocol: readProtocol(entry),
    operations: sorted(operations),
    shapes: sorted(shapes),
    errors: sorted(errors),
  };
}

/**
 * How the service is reached on the wire, read from the client's own configuration code (the
 * SDK names its protocol class, signing name, JSON target prefix and query version there).
 */
function readProtocol(entry: string): ProtocolInfo | undefined {
  const code = fs.readFileSync(entry, 'utf8');
  const signingName = /defaultSigningName: "([^"]+)"/.exec(code)?.[1];
  const kind = /\b(AwsJson1_0|AwsJson1_1|AwsQuery|AwsRestJson1?|AwsEc2Query|AwsRestXml)Protocol\b/.exec(code)?.[1];
  if (!signingName || !kind) return undefined;
  const names: Record<string, ProtocolInfo['protocol']> = {
    AwsJson1_0: 'awsJson1_0',
    AwsJson1_1: 'awsJson1_1',
    AwsQuery: 'awsQuery',
    AwsRestJson1: 'restJson1',
    AwsRestJson: 'restJson1',
    AwsEc2Query: 'ec2Query',
    AwsRestXml: 'restXml',
  };
  const info: ProtocolInfo = { protocol: names[kind], signingName };
  const target = /serviceTarget: "([^"]+)"/.exec(code)?.[1];
  if (target && kind.startsWith('AwsJson')) info.targetPrefix = target;
  const version = /\bversion: "(\d{4}-\d{2}-\d{2})"/.exec(code)?.[1];
  const xmlNamespace = /xmlNamespace: "([^"]+)"/.exec(code)?.[1];
  if (version) info.apiVersion = version;
  if (xmlNamespace) info.xmlNamespace = xmlNamespace;
  return info;
}

/**
 * Merges a constraint table (see ./constraints.ts) into the model's members: structure members
 * by name, and the items of named list shapes. Members the table does not know stay as they are.
 */
export function applyConstraints(model: ServiceModel, table: ConstraintTable): ServiceModel {
  for (const [name, shape] of Object.entries(model.shapes)) {
    if (shape.type === 'structure') {
      for (const [member, c] of Object.entries(table.structures[name] ?? {})) {
        if (shape.members[member]) shape.members[member].constraint = c;
      }
    } else if (shape.type === 'list' && table.lists[name]) {
      shape.member.constraint = table.lists[name];
    }
  }
  model.constraintSource = `${table.source} (API ${table.apiVersion})`;
  return model;
}

if (require.main === module) {
  const [sdkPackage, out, constraints] = process.argv.slice(2);
  if (!sdkPackage || !out) {
    console.error('usage: dockside-model <@aws-sdk/client-name> <out.json> [constraints.json]');
    process.exit(2);
  }
  const model = generateModel(sdkPackage);
  if (constraints) applyConstraints(model, JSON.parse(fs.readFileSync(constraints, 'utf8')) as ConstraintTable);
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(model));
  // The operation names alone, for a cheap boot-time check of a large model's handlers.
  fs.writeFileSync(out.replace(/\.json$/, '.operations.json'), JSON.stringify(Object.keys(model.operations)));
  console.log(
    `dockside-model: ${sdkPackage}@${model.sdkVersion}: ${Object.keys(model.operations).length} operations, ` +
      `${Object.keys(model.shapes).length} shapes, ${Object.keys(model.errors).length} errors -> ${out}`,
  );
}
