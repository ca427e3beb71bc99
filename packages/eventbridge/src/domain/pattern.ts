/**
 * EventBridge's event pattern language: exact values, prefix / suffix (each also with
 * equals-ignore-case), equals-ignore-case, wildcard, anything-but (value, list, prefix, suffix,
 * equals-ignore-case, wildcard), numeric ranges, exists, cidr, $or, nested objects and arrays.
 * `checkPattern` validates as PutRule does; `explain` says why an event does not match.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

export class PatternError extends Error {
  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const OPERATORS = new Set([
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
]);
const NUMERIC_OPS = new Set(['<', '<=', '=', '>', '>=']);

/** Parses and validates a pattern document (PutRule, TestEventPattern). */
export function parsePattern(text: string): Obj {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new PatternError(`Filter is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObj(doc)) throw new PatternError('Filter is not an object');
  checkObject(doc, '');
  return doc;
}

function checkObject(p: Obj, path: string) {
  if (!Object.keys(p).length && path) throw new PatternError(`Empty objects are not allowed at ${path}`);
  for (const [k, v] of Object.entries(p)) {
    const at = path ? `${path}.${k}` : k;
    if (k === '$or') {
      if (!Array.isArray(v) || v.length < 2 || !v.every(isObj))
        throw new PatternError('$or must be an array of at least two objects');
      for (const sub of v as Obj[]) checkObject(sub, path);
      continue;
    }
    if (Array.isArray(v)) {
      if (!v.length) throw new PatternError(`Empty arrays are not allowed at ${at}`);
      for (const m of v) checkMatcher(m, at);
    } else if (isObj(v)) checkObject(v, at);
    else throw new PatternError(`'${at}' must be an object or an array`);
  }
}

function stringOrIgnoreCase(v: Json, op: string, at: string) {
  if (typeof v === 'string') return;
  if (isObj(v) && Object.keys(v).length === 1 && typeof v['equals-ignore-case'] === 'string') return;
  throw new PatternError(`${op} match pattern must be a string, or an object with equals-ignore-case at ${at}`);
}

function checkWildcard(v: Json, at: string) {
  if (typeof v !== 'string') throw new PatternError(`wildcard match pattern must be a string at ${at}`);
  if (/\*\*/.test(v)) throw new PatternError(`Consecutive wildcard characters at pos ${v.indexOf('**') + 1}`);
}

function checkMatcher(m: Json, at: string) {
  if (m === null || typeof m === 'string' || typeof m === 'boolean') return;
  if (typeof m === 'number') {
    if (!Number.isFinite(m)) throw new PatternError(`Invalid number at ${at}`);
    return;
  }
  if (Array.isArray(m)) throw new PatternError(`Match value must be String, number, true, false, or null at ${at}`);
  const keys = Object.keys(m);
  if (keys.length !== 1) throw new PatternError(`Only one key allowed in match expression at ${at}`);
  const [op] = keys;
  const v = m[op];
  if (!OPERATORS.has(op)) throw new PatternError(`Unrecognized match type ${op}`);
  switch (op) {
    case 'prefix':
    case 'suffix':
      return stringOrIgnoreCase(v, op, at);
    case 'equals-ignore-case':
      if (typeof v !== 'string') throw new PatternError(`equals-ignore-case match pattern must be a string at ${at}`);
      return;
    case 'wildcard':
      return checkWildcard(v, at);
    case 'exists':
      if (typeof v !== 'boolean') throw new PatternError(`exists match pattern must be either true or false.`);
      return;
    case 'cidr':
      if (typeof v !== 'string' || !parseCidr(v)) throw new PatternError(`Malformed CIDR, one '/' required`);
      return;
    case 'numeric':
      return checkNumeric(v);
    case 'anything-but': {
      if (typeof v === 'string' || typeof v === 'number' || v === null || typeof v === 'boolean') return;
      if (Array.isArray(v)) {
        if (!v.length || !v.every((x) => typeof x === 'string' || typeof x === 'number')) {
          throw new PatternError('Inside anything but list, start|null|boolean is not supported.');
        }
        return;
      }
      const inner = Object.keys(v);
      if (inner.length !== 1) throw new PatternError('anything-but takes one expression');
      const [iop] = inner;
      const iv = v[iop];
      if (iop === 'prefix' || iop === 'suffix') {
        if (typeof iv !== 'string') throw new PatternError(`prefix/suffix match pattern must be a string`);
        return;
      }
      if (iop === 'equals-ignore-case' || iop === 'wildcard') {
        const list = Array.isArray(iv) ? iv : [iv];
        if (!list.length || !list.every((x) => typeof x === 'string'))
          throw new PatternError(`${iop} match pattern must be a string or a list of strings`);
        if (iop === 'wildcard') for (const w of list) checkWildcard(w, at);
        return;
      }
      throw new PatternError(`Unsupported anything-but pattern: ${iop}`);
    }
  }
}

function checkNumeric(v: Json) {
  if (!Array.isArray(v) || !v.length) throw new PatternError('Value of numeric must be an array.');
  if (v.length % 2 || v.length > 4)
    throw new PatternError('Value of numeric must be an array of one or two comparisons');
  for (let i = 0; i < v.length; i += 2) {
    if (typeof v[i] !== 'string' || !NUMERIC_OPS.has(v[i] as string))
      throw new PatternError(`Unrecognized numeric range operator: ${String(v[i])}`);
    if (typeof v[i + 1] !== 'number') throw new PatternError(`Value of ${v[i]} must be numeric`);
    if (v[i] === '=' && v.length > 2) throw new PatternError('= cannot be combined with another comparison');
  }
  if (v.length === 4) {
    const lower = v[0] === '>' || v[0] === '>=';
    const upper = v[2] === '<' || v[2] === '<=';
    if (!lower || !upper) throw new PatternError('Bad numeric range operator');
    if ((v[1] as number) >= (v[3] as number)) throw new PatternError('Bottom must be less than top');
  }
}

function parseCidr(c: string): { net: string; bits: number; type: 'ipv4' | 'ipv6' } | undefined {
  const [net, b] = c.split('/');
  const bits = Number(b);
  if (!net || b === undefined || !Number.isInteger(bits)) return undefined;
  if (isIPv4(net) && bits >= 0 && bits <= 32) return { net, bits, type: 'ipv4' };
  if (isIPv6(net) && bits >= 0 && bits <= 128) return { net, bits, type: 'ipv6' };
  return undefined;
}

const wildcardRegex = (w: string, flags = '') =>
  new RegExp(`^${w.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, `s${flags}`);

/** Whether one event value (never an array) satisfies one matcher. */
function matchOne(m: Json, value: Json): boolean {
  if (m === null) return value === null;
  if (typeof m === 'number') return typeof value === 'number' && value === m;
  if (typeof m === 'string' || typeof m === 'boolean') return value === m;
  if (Array.isArray(m)) return false;
  const [op] = Object.keys(m);
  const v = m[op];
  switch (op) {
    case 'prefix':
      if (typeof value !== 'string') return false;
      return typeof v === 'string'
        ? value.startsWith(v)
        : value.toLowerCase().startsWith(String((v as Obj)['equals-ignore-case']).toLowerCase());
    case 'suffix':
      if (typeof value !== 'string') return false;
      return typeof v === 'string'
        ? value.endsWith(v)
        : value.toLowerCase().endsWith(String((v as Obj)['equals-ignore-case']).toLowerCase());
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === String(v).toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && wildcardRegex(String(v)).test(value);
    case 'numeric': {
      if (typeof value !== 'number') return false;
      const r = v as Json[];
      for (let i = 0; i < r.length; i += 2) {
        const n = r[i + 1] as number;
        const ok = { '<': value < n, '<=': value <= n, '=': value === n, '>': value > n, '>=': value >= n }[
          r[i] as string
        ];
        if (!ok) return false;
      }
      return true;
    }
    case 'cidr': {
      if (typeof value !== 'string') return false;
      const c = parseCidr(String(v))!;
      const type = isIPv4(value) ? 'ipv4' : isIPv6(value) ? 'ipv6' : undefined;
      if (!type || type !== c.type) return false;
      const list = new BlockList();
      list.addSubnet(c.net, c.bits, c.type);
      return list.check(value, type);
    }
    case 'anything-but': {
      if (value === undefined) return false;
      if (!isObj(v)) return !(Array.isArray(v) ? v : [v]).some((x) => matchOne(x, value));
      const [iop] = Object.keys(v);
      const iv = v[iop];
      if (typeof value !== 'string') return iop !== 'prefix' && iop !== 'suffix' ? true : false;
      if (iop === 'prefix') return !value.startsWith(String(iv));
      if (iop === 'suffix') return !value.endsWith(String(iv));
      const list = (Array.isArray(iv) ? iv : [iv]) as string[];
      if (iop === 'equals-ignore-case') return !list.some((x) => x.toLowerCase() === value.toLowerCase());
      return !list.some((x) => wildcardRegex(x).test(value));
    }
    default:
      return false;
  }
}

/** A leaf: the field's value (or any element of it) matches one of the matchers; `exists` checks presence. */
function matchLeaf(matchers: Json[], value: Json | undefined): boolean {
  return matchers.some((m) => {
    if (isObj(m) && 'exists' in m) {
      // exists looks at leaves: a field holding an object does not exist as a value.
      return m.exists ? value !== undefined && !isObj(value) : value === undefined;
    }
    if (value === undefined) return false;
    const values = Array.isArray(value) ? value : [value];
    return values.some((x) => matchOne(m, x));
  });
}

/** Why an event does not match (the first field that failed), or undefined when it matches. */
export function explain(pattern: Obj, event: Json, path = ''): string | undefined {
  for (const [k, p] of Object.entries(pattern)) {
    if (k === '$or') {
      const failures = (p as Obj[]).map((sub) => explain(sub, event, path));
      if (failures.every((f) => f !== undefined)) return failures[0];
      continue;
    }
    const at = path ? `${path}.${k}` : k;
    const value = isObj(event) ? event[k] : undefined;
    if (Array.isArray(p)) {
      if (!matchLeaf(p, value)) return at;
      continue;
    }
    // A nested object: the value must be an object, or an array with one element matching it all.
    const candidates = Array.isArray(value) ? value : [value];
    const objects = candidates.filter(isObj);
    if (!objects.length) {
      if (onlyAbsence(p as Obj)) continue;
      return at;
    }
    const reasons = objects.map((o) => explain(p as Obj, o, at));
    if (reasons.every((r) => r !== undefined)) return reasons[0];
  }
  return undefined;
}

/** A sub-pattern made only of `exists: false` leaves matches an absent object. */
function onlyAbsence(p: Obj): boolean {
  return Object.entries(p).every(([k, v]) =>
    k === '$or'
      ? (v as Obj[]).some(onlyAbsence)
      : Array.isArray(v)
        ? v.some((m) => isObj(m) && m.exists === false)
        : onlyAbsence(v as Obj),
  );
}

export const matches = (pattern: Obj, event: Json) => explain(pattern, event) === undefined;
