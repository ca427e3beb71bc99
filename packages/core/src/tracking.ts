/**
 * Write tracking for stores persisted with `--data-dir`: a store hands out proxies of its
 * partitions that report the path of every property set or deleted beneath them, so the journal
 * writes only what changed (../journal.ts) and a write costs the size of the change, not of the
 * state. Values stay plain objects underneath: proxies are made on read, cached per object, and
 * a proxy assigned into the state is stored as its plain target.
 *
 * Paths name object keys down to the changed property; an array's own slots are paths (a push
 * marks the new index and `length`), but a change inside an array element marks the whole array
 * (elements move when arrays are spliced). Dates, Maps and Sets are values, marked when replaced;
 * so are frozen objects.
 */

/** Told the path (partition key first) of each property set or deleted through a tracked proxy. */
export type MarkListener = (path: string[]) => void;

const RAW = Symbol('dockside.raw');

const plainObject = (v: unknown): v is object =>
  typeof v === 'object' && v !== null && !(v instanceof Date) && !(v instanceof Map) && !(v instanceof Set);

/** The plain object behind a tracked proxy (the value itself otherwise). */
export function unwrap<T>(v: T): T {
  return ((plainObject(v) && (v as Record<symbol, unknown>)[RAW]) || v) as T;
}

export class Tracker {
  private readonly proxies = new WeakMap<object, object>();

  constructor(private readonly mark: MarkListener) {}

  /** The tracked view of `target`, whose own path is `path`. */
  wrap<T extends object>(target: T, path: string[]): T {
    const cached = this.proxies.get(target);
    if (cached) return cached as T;
    // An array's elements report changes inside them as changes of the whole array: they move
    // when the array is spliced, so no index names them for long.
    const inner = (v: object, key: string) =>
      Array.isArray(target) ? this.whole(v, path) : this.wrap(v, path.concat(key));
    return this.remember(target, (key) => this.mark(path.concat(key)), inner);
  }

  /** A view whose every change, at any depth, marks `path`. */
  private whole<T extends object>(target: T, path: string[]): T {
    const cached = this.proxies.get(target);
    if (cached) return cached as T;
    return this.remember(
      target,
      () => this.mark(path),
      (v) => this.whole(v, path),
    );
  }

  private remember<T extends object>(
    target: T,
    changed: (key: string) => void,
    inner: (v: object, key: string) => object,
  ): T {
    const proxy = new Proxy(target, {
      get: (t, key, receiver) => {
        if (key === RAW) return t;
        const v = Reflect.get(t, key, receiver);
        // A frozen object cannot change, so it needs no proxy (and a Proxy may not stand in for
        // a frozen member: stopped tasks share frozen parts, ecs/src/domain/stopped-task.ts).
        return typeof key === 'string' && plainObject(v) && !Object.isFrozen(v) ? inner(v, key) : v;
      },
      set: (t, key, value) => {
        const ok = Reflect.set(t, key, unwrap(value));
        if (typeof key === 'string') changed(key);
        return ok;
      },
      deleteProperty: (t, key) => {
        const ok = Reflect.deleteProperty(t, key);
        if (typeof key === 'string') changed(key);
        return ok;
      },
    });
    this.proxies.set(target, proxy);
    return proxy;
  }
}

/**
 * A deep copy of plain data (objects, arrays, Dates, Maps, Sets), as `structuredClone` makes, that
 * also reads through tracked proxies (`structuredClone` refuses a Proxy). Plugins copy state with it.
 */
export function clone<T>(value: T): T {
  const v = unwrap(value) as unknown;
  if (v === null || typeof v !== 'object') return v as T;
  if (v instanceof Date) return new Date(v.getTime()) as T;
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [clone(k), clone(x)])) as T;
  if (v instanceof Set) return new Set([...v].map((x) => clone(x))) as T;
  if (Buffer.isBuffer(v)) return Buffer.from(v) as T;
  if (Array.isArray(v)) return v.map((x) => clone(x)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = clone(x);
  return out as T;
}
