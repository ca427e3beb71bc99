import type { ErrorObject, ValidateFunction } from 'ajv';
import type { MemberDef, ServiceModel, ShapeRef } from './types';
import { ServiceError } from '../errors';

type JsonSchema = Record<string, unknown>;

const primitiveSchema: Record<string, JsonSchema> = {
  string: { type: 'string' },
  number: { type: 'number' },
  boolean: { type: 'boolean' },
  // JSON protocols send epoch seconds; awsQuery sends ISO-8601 text.
  timestamp: { type: ['number', 'string'] },
  blob: { type: 'string' },
  document: {},
};

function refSchema(ref: ShapeRef): JsonSchema {
  if (typeof ref === 'string') return primitiveSchema[ref];
  if ('shape' in ref) return { $ref: `#/$defs/${ref.shape}` };
  if (ref.type === 'list') return { type: 'array', items: refSchema(ref.member) };
  return { type: 'object', additionalProperties: refSchema(ref.value) };
}

function memberSchema(m: MemberDef): JsonSchema {
  const base = refSchema(m.ref);
  if (!m.enum) return base;
  if (base.type === 'array') return { ...base, items: { enum: m.enum } };
  return { enum: m.enum };
}

/** JSON Schema (draft 2020-12 subset) for one shape and, under $defs, every shape it reaches. */
export function shapeToJsonSchema(model: ServiceModel, root: string): JsonSchema {
  const defs: Record<string, JsonSchema> = {};
  const visit = (name: string) => {
    if (defs[name]) return;
    const shape = model.shapes[name];
    defs[name] = {};
    const reach = (ref: ShapeRef) => {
      if (typeof ref === 'string') return;
      if ('shape' in ref) visit(ref.shape);
      else if (ref.type === 'list') reach(ref.member);
      else reach(ref.value);
    };
    if (shape.type === 'structure') {
      const properties: Record<string, JsonSchema> = {};
      for (const [k, m] of Object.entries(shape.members)) {
        properties[k] = memberSchema(m);
        reach(m.ref);
      }
      defs[name] = { type: 'object', properties, required: shape.required };
    } else if (shape.type === 'list') {
      defs[name] = { type: 'array', items: memberSchema(shape.member) };
      reach(shape.member.ref);
    } else if (shape.type === 'map') {
      defs[name] = { type: 'object', additionalProperties: memberSchema(shape.value) };
      reach(shape.value.ref);
    } else {
      defs[name] = primitiveSchema[shape.of];
    }
  };
  visit(root);
  return { $ref: `#/$defs/${root}`, $defs: defs };
}

/** AWS's member path: `containerDefinitions.1.member.name` for `/containerDefinitions/0/name`. */
function awsPath(instancePath: string, missing?: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  const out: string[] = [];
  for (const p of parts) {
    if (/^\d+$/.test(p)) out.push(`${Number(p) + 1}.member`);
    else out.push(p);
  }
  if (missing) out.push(missing);
  return out.join('.');
}

function describe(err: ErrorObject, value: unknown): string {
  if (err.keyword === 'required') {
    const field = (err.params as { missingProperty: string }).missingProperty;
    return `Value null at '${awsPath(err.instancePath, field)}' failed to satisfy constraint: Member must not be null`;
  }
  const where = awsPath(err.instancePath) || 'input';
  const shown = JSON.stringify(value)?.slice(0, 200);
  if (err.keyword === 'enum') {
    const allowed = (err.params as { allowedValues: string[] }).allowedValues;
    return `Value '${typeof value === 'string' ? value : shown}' at '${where}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`;
  }
  if (err.keyword === 'type') {
    return `Value ${shown} at '${where}' failed to satisfy constraint: Member must be of type ${String(
      (err.params as { type: string | string[] }).type,
    )}`;
  }
  return `Value ${shown} at '${where}' failed to satisfy constraint: ${err.message ?? 'invalid'}`;
}

function valueAt(root: unknown, instancePath: string): unknown {
  let v: unknown = root;
  for (const p of instancePath.split('/').filter(Boolean)) v = (v as Record<string, unknown> | undefined)?.[p];
  return v;
}

type AjvCtor = typeof import('ajv').default;
let ajvInstance: InstanceType<AjvCtor> | undefined;
function ajv() {
  if (!ajvInstance) {
    // ajv is loaded on the first validated request, not at start-up.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Ajv = (require('ajv') as { default: AjvCtor }).default;
    ajvInstance = new Ajv({ allErrors: false, strict: false, validateSchema: false });
  }
  return ajvInstance;
}

/**
 * Validates operation inputs against the model, compiling one ajv validator per operation on
 * first use and caching it.
 */
export class ModelValidator {
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(
    private readonly model: () => ServiceModel,
    private readonly errorCode: string,
  ) {}

  validate(operation: string, input: unknown): void {
    let fn = this.cache.get(operation);
    if (!fn) {
      const op = this.model().operations[operation];
      if (!op?.input) return;
      fn = ajv().compile(shapeToJsonSchema(this.model(), op.input));
      this.cache.set(operation, fn);
    }
    if (fn(input)) return;
    const errors = fn.errors ?? [];
    const messages = errors.map((e) => describe(e, valueAt(input, e.instancePath)));
    const n = messages.length;
    throw new ServiceError(
      this.errorCode,
      `${n} validation error${n === 1 ? '' : 's'} detected: ${messages.join('; ')}`,
    );
  }
}

/** Drops `null` members: AWS services treat an explicit null as an absent member. */
export function stripNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = stripNulls(x);
    return out;
  }
  return v;
}
