import { serializationError } from '../errors';
import type { MemberDef, ServiceModel, ShapeRef } from '../model/types';

/** A shape reference as the query protocols (awsQuery, ec2Query) walk it. */
export type Resolved =
  | { kind: 'primitive'; of: string }
  | { kind: 'structure'; members: Record<string, MemberDef> }
  | { kind: 'list'; member: ShapeRef; itemName?: string }
  | { kind: 'map'; value: ShapeRef };

export function resolve(model: ServiceModel, ref: ShapeRef): Resolved {
  if (typeof ref === 'string') return { kind: 'primitive', of: ref };
  if ('shape' in ref) {
    const s = model.shapes[ref.shape];
    if (s.type === 'structure') return { kind: 'structure', members: s.members };
    if (s.type === 'list') return { kind: 'list', member: s.member.ref, itemName: s.member.xmlName };
    if (s.type === 'map') return { kind: 'map', value: s.value.ref };
    return { kind: 'primitive', of: s.of };
  }
  if (ref.type === 'list') return { kind: 'list', member: ref.member };
  return { kind: 'map', value: ref.value };
}

/** A form parameter as its primitive type; timestamps stay ISO-8601 text (the validator reads both forms). */
export function coerce(of: string, raw: string, name: string): unknown {
  if (of === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || Number.isNaN(n)) throw serializationError(`Invalid number '${raw}' for ${name}`);
    return n;
  }
  if (of === 'boolean') {
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    throw serializationError(`Invalid boolean '${raw}' for ${name}`);
  }
  return raw;
}
