/**
 * `--data-dir` persistence: a snapshot of every plugin's state (`state.json`) plus a journal of
 * changes since (`journal-<generation>.ndjson`). Each API write is appended — only the paths it
 * changed, with their new values — and fsync'd before the response is sent, so whatever the API
 * acknowledged survives `kill -9`. Writes arriving while an append is on disk share the next
 * one (group commit). When the journal outgrows the snapshot, the snapshot is rewritten and a new
 * journal begins, so the cost of a write stays the size of its change.
 *
 * A journal line is `{"s":plugin,"k":[partition,...path],"v":value}`, `{"s","k","d":1}` for a
 * deletion, or `{"s","full":snapshot}` for a plugin whose state is not journaled path by path.
 * Unreadable files are reported and left in place; a last line cut short by a crash (never
 * acknowledged) is reported and the journal kept beside as `…truncated-<time>`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from './logger';
import type { StateStore } from './plugin';
import { encode } from './store';

interface Entry {
  s: string;
  k?: string[];
  v?: unknown;
  d?: 1;
  full?: unknown;
}

/** A change inside an array beyond this many slots is written as the whole array. */
const ARRAY_SLOTS = 16;
const MIN_COMPACT_BYTES = 1 << 20;
/** Background changes (made outside a request) reach the disk within this many ms. */
const BACKGROUND_FLUSH_MS = 200;

export class JournalCorrupt extends Error {}

/** fsync'd atomic write: a temporary file, fsync, rename, fsync of the folder. */
function writeDurably(file: string, data: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  syncDir(path.dirname(file));
}

function syncDir(dir: string) {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some filesystems refuse fsync on a folder; the rename is then as durable as they make it.
  }
}

/** Applies one journal entry to a plugin's snapshot (plain tagged JSON). */
function apply(snapshots: Record<string, unknown>, e: Entry): void {
  if (e.full !== undefined) {
    snapshots[e.s] = e.full;
    return;
  }
  const keys = e.k!;
  let node = (snapshots[e.s] ??= {}) as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) {
    let next = node[key];
    if (next === null || typeof next !== 'object') node[key] = next = {};
    node = next as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  if (e.d) delete node[last];
  else node[last] = e.v;
}

export class Journal {
  private generation = 0;
  private fd?: number;
  private bytes = 0;
  private snapshotBytes = 0;
  /** Changed paths per plugin since the last append (keyed by their JSON). */
  private marks = new Map<string, Map<string, string[]>>();
  /** Plugins without path tracking that a write touched: their whole snapshot is appended. */
  private whole = new Set<string>();
  private waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private flushing = false;
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly dir: string,
    private readonly plugins: Array<{ name: string; state?: StateStore }>,
    private readonly logger: Logger,
  ) {}

  private get stateFile() {
    return path.join(this.dir, 'state.json');
  }
  private journalFile(g: number) {
    return path.join(this.dir, `journal-${g}.ndjson`);
  }

  /**
   * Reads the snapshot and replays the journal onto it: each plugin's state as `restore()` takes
   * it (undefined for a plugin with nothing stored). Throws JournalCorrupt for unreadable files.
   */
  load(): Record<string, unknown> {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    let snapshots: Record<string, unknown> = {};
    if (fs.existsSync(this.stateFile)) {
      const text = fs.readFileSync(this.stateFile, 'utf8');
      let parsed: { generation?: number; plugins?: Record<string, unknown> };
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        throw new JournalCorrupt(
          `${this.stateFile} is not valid JSON (${(e as Error).message}). Dockside will not overwrite it: move it away or repair it, then start again.`,
        );
      }
      this.generation = parsed.generation ?? 0;
      snapshots = parsed.plugins ?? {};
      this.snapshotBytes = text.length;
    } else {
      // State written before the journal existed: one `<plugin>.json` each.
      for (const p of this.plugins) {
        const file = path.join(this.dir, `${p.name}.json`);
        if (!fs.existsSync(file)) continue;
        try {
          snapshots[p.name] = JSON.parse(fs.readFileSync(file, 'utf8'));
        } catch (e) {
          throw new JournalCorrupt(`${file} is not valid JSON (${(e as Error).message}); move it away or repair it.`);
        }
      }
    }
    const file = this.journalFile(this.generation);
    if (fs.existsSync(file)) {
      const text = fs.readFileSync(file, 'utf8');
      const lines = text.split('\n');
      const tail = lines.pop()!; // '' when the file ends with a newline, as every complete append does
      lines.forEach((line, i) => {
        if (!line) return;
        let e: Entry;
        try {
          e = JSON.parse(line);
        } catch (err) {
          throw new JournalCorrupt(
            `${file} line ${i + 1} is not a journal entry (${(err as Error).message}). Dockside will not discard it: move the file away or repair it, then start again.`,
          );
        }
        apply(snapshots, e);
      });
      if (tail) {
        const kept = `${file}.truncated-${Date.now()}`;
        fs.copyFileSync(file, kept);
        this.logger.warn(
          { file, kept, bytes: tail.length },
          'the journal ends with an incomplete entry (a write cut off by a crash before it was acknowledged): it is not applied; the journal as found is kept beside',
        );
      }
    }
    return snapshots;
  }

  /** Starts tracking the stores, and begins a fresh generation holding what was loaded. */
  start(): void {
    for (const p of this.plugins) {
      const journaled = p.state?.journal;
      if (!journaled) continue;
      journaled.track((keys) => this.mark(p.name, keys));
    }
    this.compact();
  }

  private mark(plugin: string, keys: string[]) {
    let m = this.marks.get(plugin);
    if (!m) this.marks.set(plugin, (m = new Map()));
    m.set(keys.join('\u0000'), keys);
    if (!this.timer && !this.flushing && !this.closed) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.commit().catch((err) => this.logger.error({ err }, 'persisting state failed'));
      }, BACKGROUND_FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Whether a commit would write anything. */
  pending(): boolean {
    return this.marks.size > 0 || this.whole.size > 0;
  }

  /**
   * Writes what changed and resolves once it is on disk; `plugin` names the plugin a request
   * wrote to (its whole snapshot is appended when its store is not journaled path by path).
   */
  commit(plugin?: string): Promise<void> {
    if (plugin && !this.plugins.find((p) => p.name === plugin)?.state?.journal) this.whole.add(plugin);
    if (!this.pending()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.flushing) void this.flushLoop();
    });
  }

  private async flushLoop() {
    this.flushing = true;
    try {
      while (this.waiters.length) {
        const waiters = this.waiters;
        this.waiters = [];
        try {
          const data = this.take();
          if (data) await this.append(data);
          if (this.bytes > Math.max(MIN_COMPACT_BYTES, this.snapshotBytes)) this.compact();
          for (const w of waiters) w.resolve();
        } catch (err) {
          for (const w of waiters) w.reject(err as Error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** The lines for every change marked so far (each path's current value, read now). */
  private take(): string {
    const lines: string[] = [];
    for (const name of this.whole) {
      const p = this.plugins.find((x) => x.name === name);
      if (p?.state) lines.push(JSON.stringify({ s: name, full: p.state.snapshot() }));
    }
    this.whole.clear();
    const marks = this.marks;
    this.marks = new Map();
    for (const [name, paths] of marks) {
      const store = this.plugins.find((p) => p.name === name)!.state!.journal!;
      for (const keys of minimal(paths, store)) {
        const { present, value } = store.valueAt(keys);
        lines.push(encode(present ? { s: name, k: keys, v: value ?? null } : { s: name, k: keys, d: 1 }));
      }
    }
    return lines.length ? lines.join('\n') + '\n' : '';
  }

  private async append(data: string) {
    const fd = this.fd!;
    await new Promise<void>((resolve, reject) =>
      fs.write(fd, data, null, 'utf8', (err) => (err ? reject(err) : resolve())),
    );
    await new Promise<void>((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
    this.bytes += Buffer.byteLength(data);
  }

  /** Rewrites the snapshot (a new generation) and starts its empty journal. Synchronous. */
  compact(): void {
    // Changes marked so far are in the snapshot being written.
    this.marks = new Map();
    this.whole.clear();
    const plugins: Record<string, unknown> = {};
    for (const p of this.plugins) if (p.state) plugins[p.name] = p.state.snapshot();
    const next = this.generation + 1;
    const text = JSON.stringify({ version: 1, generation: next, plugins });
    writeDurably(this.stateFile, text);
    const old = this.journalFile(this.generation);
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.generation = next;
    this.fd = fs.openSync(this.journalFile(next), 'a', 0o600);
    syncDir(this.dir);
    fs.rmSync(old, { force: true });
    this.bytes = 0;
    this.snapshotBytes = text.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    if (this.pending()) await this.commit();
    while (this.flushing) await new Promise((r) => setTimeout(r, 5));
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

/**
 * The paths to write: none under another one written, and an array's slots folded into the
 * whole array past ARRAY_SLOTS of them (or when it shrank: slots past its end are gone).
 */
function minimal(paths: Map<string, string[]>, store: NonNullable<StateStore['journal']>): string[][] {
  const sorted = [...paths.values()].sort((a, b) => a.length - b.length);
  const kept = new Set<string>();
  const out: string[][] = [];
  const covered = (keys: string[]) => {
    for (let i = 1; i < keys.length; i++) if (kept.has(keys.slice(0, i).join('\u0000'))) return true;
    return false;
  };
  const slots = new Map<string, string[][]>();
  for (const keys of sorted) {
    if (covered(keys)) continue;
    const parent = keys.slice(0, -1);
    const last = keys[keys.length - 1];
    if (last === 'length' || /^\d+$/.test(last)) {
      const list = slots.get(parent.join('\u0000')) ?? [];
      list.push(keys);
      slots.set(parent.join('\u0000'), list);
      continue;
    }
    kept.add(keys.join('\u0000'));
    out.push(keys);
  }
  for (const [parentKey, list] of slots) {
    const parent = list[0].slice(0, -1);
    if (covered(list[0])) continue;
    // Numeric keys of an object (task definition revisions) are keys like any other.
    const length = store.arrayLengthAt(parent);
    const isArray = length !== undefined;
    const shrank = isArray && list.some((k) => /^\d+$/.test(k[k.length - 1]) && Number(k[k.length - 1]) >= length);
    if (isArray && (list.length > ARRAY_SLOTS || shrank)) {
      kept.add(parentKey);
      out.push(parent);
      continue;
    }
    // Slots in order, then the length (so a replay grows the array as it grew).
    list.sort((a, b) => {
      const x = a[a.length - 1];
      const y = b[b.length - 1];
      return x === 'length' ? 1 : y === 'length' ? -1 : Number(x) - Number(y);
    });
    out.push(...list);
  }
  return out;
}
