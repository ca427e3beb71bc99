import * as fs from 'node:fs';
import { isDate } from './util';
import * as path from 'node:path';
import type { JournaledStore, StateStore } from './plugin';
import { Tracker, type MarkListener } from './tracking';

/**
 * A plugin's state, one value per account and region, created on first access.
 * Snapshots are JSON that keeps `Date`, `Map` and `Set` values (tagged), so a store written to
 * `--data-dir` restores to the same objects.
 */
export class Store<T> implements StateStore, JournaledStore {
  private readonly partitions = new Map<string, T>();
  private tracker?: Tracker;

  constructor(private readonly init: () => T) {}

  /** The state of one account + region. */
  get(accountId: string, region: string): T {
    const key = `${accountId}/${region}`;
    let s = this.partitions.get(key);
    if (!s) {
      s = this.init();
      this.partitions.set(key, s);
      if (this.tracker) this.onMark?.([key]);
    }
    return this.view(key, s);
  }

  /** Every partition, for background loops that span accounts and regions. */
  entries(): Array<{ accountId: string; region: string; state: T }> {
    return [...this.partitions].map(([key, state]) => {
      const [accountId, region] = key.split('/');
      return { accountId, region, state: this.view(key, state) };
    });
  }

  private onMark?: MarkListener;

  /** A store is its own journal source (`state: store` in a plugin is enough for `--data-dir`). */
  get journal(): JournaledStore {
    return this;
  }

  /** From now on, reports the path of every change made through the store's values (`--data-dir`). */
  track(listener: MarkListener): void {
    this.onMark = listener;
    this.tracker = new Tracker(listener);
  }

  /** The value at a path (partition key first), as tagged JSON; `present: false` when nothing is there. */
  valueAt(path: string[]): { present: boolean; value?: unknown } {
    const found = this.at(path);
    if (!found.present) return found;
    return { present: true, value: found.value === undefined ? undefined : JSON.parse(encode(found.value) ?? 'null') };
  }

  /** The length of the array at a path; undefined when no array is there (nothing is serialised). */
  arrayLengthAt(path: string[]): number | undefined {
    const { value } = this.at(path);
    return Array.isArray(value) ? value.length : undefined;
  }

  private at(path: string[]): { present: boolean; value?: unknown } {
    let v: unknown = this.partitions.get(path[0]);
    if (v === undefined) return { present: false };
    for (const key of path.slice(1)) {
      if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, key))
        return { present: false };
      v = (v as Record<string, unknown>)[key];
    }
    return { present: true, value: v };
  }

  private view(key: string, s: T): T {
    return this.tracker && s && typeof s === 'object' ? this.tracker.wrap(s as T & object, [key]) : s;
  }

  reset(): void {
    this.partitions.clear();
  }

  snapshot(): unknown {
    return JSON.parse(encode(Object.fromEntries(this.partitions)));
  }

  /**
   * Replaces every partition with the snapshot's. Top-level members the snapshot lacks (state
   * written before a resource family existed) start from `init()`'s value, so stores migrate
   * forward without per-plugin code.
   */
  restore(snapshot: unknown): void {
    this.partitions.clear();
    const decoded = decode(JSON.stringify(snapshot ?? {})) as Record<string, T>;
    for (const [k, v] of Object.entries(decoded)) {
      const fresh = this.init();
      const merged = fresh && typeof fresh === 'object' && !Array.isArray(fresh) ? { ...fresh, ...v } : v;
      this.partitions.set(k, merged as T);
    }
  }
}

/** JSON with tagged Date/Map/Set values. */
export function encode(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    const raw = this[key];
    if (isDate(raw)) return { $date: raw.getTime() };
    if (raw instanceof Map) return { $map: [...raw] };
    if (raw instanceof Set) return { $set: [...raw] };
    return v;
  });
}

export function decode(text: string): unknown {
  return JSON.parse(text, (_k, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1) {
        if (keys[0] === '$date') return new Date(v.$date);
        if (keys[0] === '$map') return new Map(v.$map);
        if (keys[0] === '$set') return new Set(v.$set);
      }
    }
    return v;
  });
}

/**
 * Writes a file atomically: a temporary file in the same folder, then a rename over the target.
 * Readable by its owner only (0600, the folder 0700 when made here): stores hold secret values.
 */
export function writeFileAtomic(file: string, data: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, data, { mode: 0o600 });
  fs.renameSync(tmp, file);
}
