/**
 * Model-driven input values for the fuzzer: a value fit for a shape (types, enums, required
 * members, lengths), or one broken on purpose (wrong type, null, a missing required member, a
 * huge or exotic string, deep nesting, unknown members, a bad enum, an out-of-range number).
 * Everything comes from a seeded generator, so a run is reproducible from its seed.
 */
import type { ServiceModel } from '@dockside/core';

/** mulberry32: small, fast, good enough to pick test inputs; the same seed gives the same run. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
  };
}
export type Rng = ReturnType<typeof rng>;

const EXOTIC = [
  '',
  ' ',
  'ü',
  '名前',
  '🚀',
  '\u0000',
  '../../etc/passwd',
  '<x/>',
  '"',
  "'",
  '%00',
  'a'.repeat(300),
  '${x}',
  '\\',
];

/** A value that is no value of the expected kind. */
export function wrongValue(r: Rng): unknown {
  return r.pick<unknown>([
    null,
    true,
    -1,
    1e308,
    Number.MAX_SAFE_INTEGER + 2,
    'not-a-number',
    [],
    [null],
    {},
    { nested: { deeper: [1, 'x'] } },
    'x'.repeat(100_000),
    r.pick(EXOTIC),
    deep(r.int(20, 200)),
  ]);
}

function deep(n: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < n; i++) v = { a: v };
  return v;
}

interface Gen {
  model: ServiceModel;
  r: Rng;
  /** 0: valid in shape; higher: how often a member is broken. */
  breakage: number;
}

/** A value for a reference to a shape, a primitive or an inline list/map. */
export function valueFor(
  g: Gen,
  ref: unknown,
  depth = 0,
  member?: { enum?: string[]; constraint?: { min?: number; max?: number } },
): unknown {
  const { r } = g;
  if (g.breakage && r.chance(g.breakage)) return wrongValue(r);
  if (typeof ref === 'string') return primitive(g, ref, member);
  const o = ref as { shape?: string; type?: string; member?: unknown; value?: unknown };
  if (o.type === 'list')
    return depth > 6 ? [] : Array.from({ length: r.int(0, 3) }, () => valueFor(g, o.member, depth + 1));
  if (o.type === 'map')
    return depth > 6
      ? {}
      : Object.fromEntries(Array.from({ length: r.int(0, 2) }, (_, i) => [`k${i}`, valueFor(g, o.value, depth + 1)]));
  const shape = g.model.shapes[o.shape!];
  if (!shape) return null;
  if (shape.type === 'primitive') return primitive(g, shape.of, member);
  if (shape.type === 'list')
    return depth > 6
      ? []
      : Array.from({ length: r.int(0, 3) }, () => valueFor(g, shape.member.ref, depth + 1, shape.member));
  if (shape.type === 'map')
    return depth > 6
      ? {}
      : Object.fromEntries(
          Array.from({ length: r.int(0, 2) }, (_, i) => [
            `k${i}`,
            valueFor(g, shape.value.ref, depth + 1, shape.value),
          ]),
        );
  return structure(g, o.shape!, depth);
}

/** A structure: its required members, some optional ones, and now and then an unknown one or a required one left out. */
export function structure(g: Gen, name: string, depth = 0): Record<string, unknown> {
  const { r } = g;
  const shape = g.model.shapes[name];
  if (!shape || shape.type !== 'structure') return {};
  const out: Record<string, unknown> = {};
  const members = Object.entries(shape.members);
  const chosen = shape.union ? (members.length ? [r.pick(members)] : []) : members;
  for (const [m, def] of chosen) {
    const required = shape.required.includes(m);
    if (!required && !shape.union && (depth > 3 || r.chance(0.6))) continue;
    if (required && g.breakage && r.chance(g.breakage / 2)) continue; // a required member missing
    out[m] = valueFor(g, def.ref, depth + 1, def);
  }
  if (g.breakage && r.chance(g.breakage / 2)) out[`Unknown${r.int(0, 9)}`] = r.pick(EXOTIC);
  return out;
}

function primitive(
  g: Gen,
  type: string,
  member?: { enum?: string[]; constraint?: { min?: number; max?: number } },
): unknown {
  const { r } = g;
  switch (type) {
    case 'string': {
      if (member?.enum?.length) return g.breakage && r.chance(0.2) ? 'NOT_AN_ENUM_VALUE' : r.pick(member.enum);
      const min = member?.constraint?.min ?? 1;
      const max = Math.min(member?.constraint?.max ?? 24, 64);
      const len = r.int(Math.min(min, max), Math.max(min, max));
      const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789-_';
      return r.chance(0.1) ? r.pick(EXOTIC) : Array.from({ length: len }, () => r.pick([...alphabet])).join('');
    }
    case 'number': {
      const min = member?.constraint?.min ?? 0;
      const max = member?.constraint?.max ?? 100;
      return g.breakage && r.chance(0.2)
        ? r.pick([min - 1, max + 1, -1e9, 1.5])
        : r.int(Math.ceil(min), Math.floor(Math.min(max, min + 1000)));
    }
    case 'boolean':
      return r.chance(0.5);
    case 'timestamp':
      return r.chance(0.5) ? Math.floor(Date.now() / 1000) - r.int(0, 100_000) : new Date().toISOString();
    case 'blob':
      return Buffer.from(String(r.int(0, 1e6))).toString('base64');
    default:
      return { any: r.int(0, 9) };
  }
}
