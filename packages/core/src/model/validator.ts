import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Constraint, MemberDef, ServiceModel, ShapeRef } from './types';
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

/** JSON Schema keywords for AWS's length, range and pattern traits of a value of `kind`. */
function constraintKeywords(c: Constraint | undefined, kind: string | undefined): JsonSchema {
  if (!c) return {};
  const out: JsonSchema = {};
  if (kind === 'string') {
    if (c.min !== undefined) out.minLength = c.min;
    if (c.max !== undefined) out.maxLength = c.max;
    if (c.pattern !== undefined) {
      out.pattern = `^(?:${c.jsPattern ?? c.pattern})$`;
      // AWS's own text of the pattern, for the message.
      out['x-aws-pattern'] = c.pattern;
    }
  } else if (kind === 'number') {
    if (c.min !== undefined) out.minimum = c.min;
    if (c.max !== undefined) out.maximum = c.max;
  } else if (kind === 'array') {
    if (c.min !== undefined) out.minItems = c.min;
    if (c.max !== undefined) out.maxItems = c.max;
  } else if (kind === 'object') {
    if (c.min !== undefined) out.minProperties = c.min;
    if (c.max !== undefined) out.maxProperties = c.max;
  }
  return out;
}

/** The JSON type a reference resolves to, following named shapes. */
function kindOf(model: ServiceModel, ref: ShapeRef): string | undefined {
  if (typeof ref === 'string')
    return ref === 'timestamp' || ref === 'document' ? undefined : ref === 'blob' ? 'string' : ref;
  if (!('shape' in ref)) return ref.type === 'list' ? 'array' : 'object';
  const s = model.shapes[ref.shape];
  if (!s) return undefined;
  if (s.type === 'primitive') return kindOf(model, s.of);
  return s.type === 'list' ? 'array' : s.type === 'map' ? 'object' : undefined;
}

function isSensitive(model: ServiceModel, m: MemberDef): boolean {
  if (m.sensitive) return true;
  const ref = m.ref;
  return (
    typeof ref === 'object' &&
    'shape' in ref &&
    model.shapes[ref.shape]?.type === 'primitive' &&
    Boolean((model.shapes[ref.shape] as { sensitive?: true }).sensitive)
  );
}

function memberSchema(model: ServiceModel, m: MemberDef): JsonSchema {
  let base = refSchema(m.ref);
  if (m.enum) {
    // A list of enum values (inline or a named list shape) checks each item.
    if (base.type === 'array') base = { ...base, items: { enum: m.enum } };
    else if (kindOf(model, m.ref) === 'array') base = { allOf: [base, { items: { enum: m.enum } }] };
    else base = { enum: m.enum };
  }
  const c = m.constraint;
  const kind = kindOf(model, m.ref);
  const extra: JsonSchema = { ...constraintKeywords(c, kind) };
  if (c?.items && kind === 'array') {
    const itemRef =
      typeof m.ref === 'object' && !('shape' in m.ref) && m.ref.type === 'list' ? m.ref.member : undefined;
    const itemKind = itemRef ? kindOf(model, itemRef) : 'string';
    extra.items = { ...(base.items as JsonSchema | undefined), ...constraintKeywords(c.items, itemKind) };
  }
  if (isSensitive(model, m)) extra['x-sensitive'] = true;
  if (!Object.keys(extra).length) return base;
  // A named shape stays a $ref; the constraints sit beside it.
  return base.$ref ? { allOf: [base], ...extra } : { ...base, ...extra };
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
        properties[k] = memberSchema(model, m);
        reach(m.ref);
      }
      defs[name] = { type: 'object', properties, required: shape.required };
    } else if (shape.type === 'list') {
      const items = memberSchema(model, shape.member);
      defs[name] = {
        type: 'array',
        items: items.allOf
          ? items
          : { ...items, ...constraintKeywords(shape.member.constraint, kindOf(model, shape.member.ref)) },
      };
      reach(shape.member.ref);
    } else if (shape.type === 'map') {
      defs[name] = { type: 'object', additionalProperties: memberSchema(model, shape.value) };
      reach(shape.value.ref);
    } else {
      defs[name] = shape.sensitive ? { ...primitiveSchema[shape.of], 'x-sensitive': true } : primitiveSchema[shape.of];
    }
  };
  visit(root);
  return { $ref: `#/$defs/${root}`, $defs: defs };
}

/** AWS's member path: `containerDefinitions.1.member.name` for `/containerDefinitions/0/name`. */
function awsPath(instancePath: string, missing?: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  const out: string[] = [];
  // AWS names members in lower camel case in these messages (`name`, not `Name`).
  const lower = (p: string) => p.charAt(0).toLowerCase() + p.slice(1);
  for (const p of parts) {
    if (/^\d+$/.test(p)) out.push(`${Number(p) + 1}.member`);
    else out.push(lower(p));
  }
  if (missing) out.push(lower(missing));
  return out.join('.');
}

const MAX_SHOWN = 256;

/**
 * A value as AWS's messages show it: strings and numbers as text, lists as `[a, b]`; cut at
 * 256 characters, so a huge input is never echoed whole.
 */
function shownValue(value: unknown): string {
  const text =
    typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : Array.isArray(value)
        ? `[${value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ')}]`
        : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}...` : text;
}

const LENGTH = new Set(['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties']);

function describe(err: ErrorObject, value: unknown): string {
  if (err.keyword === 'required') {
    const field = (err.params as { missingProperty: string }).missingProperty;
    return `Value null at '${awsPath(err.instancePath, field)}' failed to satisfy constraint: Member must not be null`;
  }
  const where = awsPath(err.instancePath) || 'input';
  const schema = (err.parentSchema ?? {}) as JsonSchema;
  // Sensitive members (secret values, passwords) are never echoed back.
  const subject = schema['x-sensitive'] ? `Value at '${where}'` : `Value '${shownValue(value)}' at '${where}'`;
  const limit = (err.params as { limit?: number }).limit;
  if (LENGTH.has(err.keyword)) {
    const dir = err.keyword.startsWith('min') ? 'greater' : 'less';
    return `${subject} failed to satisfy constraint: Member must have length ${dir} than or equal to ${limit}`;
  }
  if (err.keyword === 'minimum' || err.keyword === 'maximum') {
    const dir = err.keyword === 'minimum' ? 'greater' : 'less';
    return `${subject} failed to satisfy constraint: Member must have value ${dir} than or equal to ${limit}`;
  }
  if (err.keyword === 'pattern') {
    return `${subject} failed to satisfy constraint: Member must satisfy regular expression pattern: ${String(schema['x-aws-pattern'] ?? (err.params as { pattern: string }).pattern)}`;
  }
  const shown = JSON.stringify(value)?.slice(0, 200);
  if (err.keyword === 'enum') {
    const allowed = (err.params as { allowedValues: string[] }).allowedValues;
    return `${subject} failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`;
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
    // allErrors: AWS reports every violation ("2 validation errors detected: …; …"); verbose:
    // errors carry their schema (AWS's pattern text, sensitivity). optimize: false skips ajv's
    // pass over the generated code, which was ~44 % of compiling (every operation of the seven
    // models: 2.4 → 1.4 s; CreateService's first call ~80 → ~26 ms) and bought no speed at run
    // time (RunTask's input validates in ~0.1 µs either way).
    ajvInstance = new Ajv({
      allErrors: true,
      verbose: true,
      strict: false,
      validateSchema: false,
      code: { optimize: false },
    });
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
    private readonly enumWording: 'constraint' | 'should-be-one-of' = 'constraint',
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
    const badEnum = this.enumWording === 'should-be-one-of' ? errors.find((e) => e.keyword === 'enum') : undefined;
    if (badEnum) {
      // ECS words a bad enum value on its own: `launchType should be one of [EC2,FARGATE,…]`.
      const member =
        badEnum.instancePath
          .split('/')
          .filter((p) => p && !/^\d+$/.test(p))
          .pop() ?? 'input';
      const allowed = (badEnum.params as { allowedValues: string[] }).allowedValues;
      throw new ServiceError(this.errorCode, `${member} should be one of [${allowed.join(',')}]`);
    }
    const messages = [...new Set(errors.map((e) => describe(e, valueAt(input, e.instancePath))))];
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
