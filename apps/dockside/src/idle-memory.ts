import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/**
 * Gives memory back after a busy spell. A burst (10,000 RunTasks, a log flood) grows V8's young
 * generation to 32 MiB and leaves old-space garbage; V8 keeps both for as long as the process
 * lives unless a full collection runs while allocation is low, and nothing in an idle gateway
 * triggers one. Measured with 10,000 stopped tasks (packed CLI): RSS 142 MiB stays 142 MiB
 * through 40 s of idling; one compacting collection after 6 s of quiet takes it to 90 MiB
 * (heap 76 → 24 MiB committed: new space 32 → 1, old space 38 → ~19) in ~115 ms.
 *
 * So: when the heap has grown since the last collection and the event loop has been nearly idle
 * for `quietMs`, run one full collection. Nothing runs while the gateway is busy, and nothing
 * runs again until the heap grows again. V8 gives the young generation back only when its own
 * measure of the allocation rate is low too (it samples at GCs): a collection that left it grown
 * is tried again after the next quiet window, at most `RETRIES` times.
 */
export interface IdleMemoryOptions {
  /** How long the event loop must be nearly idle first (V8 shrinks new space only after ~5 s of low allocation). */
  quietMs: number;
  /** The heap counts as grown once its committed size is this much over the size after the last collection. */
  growthBytes?: number;
  /** Busier than this share of the window is not quiet (an idle gateway with 10,000 tasks: ~0.001). */
  maxUtilization?: number;
}

/** Collections in a row that may leave the young generation grown before the grown heap counts as the new normal. */
const RETRIES = 3;

/** The decision, apart from clocks and V8, for unit tests: feed it samples, it says when to collect. */
export class IdleCollector {
  private readonly growth: number;
  private readonly maxUtilization: number;
  /** Committed heap size after the last collection; 0 at first, so start-up's own garbage goes in the first quiet spell. */
  private baseline = 0;
  /** Collections since the young generation was last given back. */
  private misses = 0;

  constructor(private readonly opts: IdleMemoryOptions) {
    this.growth = opts.growthBytes ?? 4 * 2 ** 20;
    this.maxUtilization = opts.maxUtilization ?? 0.05;
  }

  /**
   * One look: `utilization` of the event loop over the last `windowMs`, and the committed heap
   * size now. True when a collection is due.
   */
  due(windowMs: number, utilization: number, heapSize: number): boolean {
    // A heap that shrank by itself (V8's own reducer) lowers the mark: growth counts from there.
    if (this.baseline && heapSize < this.baseline) this.baseline = heapSize;
    return (
      windowMs >= this.opts.quietMs && utilization <= this.maxUtilization && heapSize >= this.baseline + this.growth
    );
  }

  /**
   * After a collection: the heap's size then is the new mark, unless the young generation stayed
   * grown (`youngReturned` false) and there are retries left: then the next quiet window tries again.
   */
  collected(heapSize: number, youngReturned: boolean): void {
    if (!youngReturned && ++this.misses < RETRIES) return;
    this.misses = 0;
    this.baseline = heapSize;
  }
}

/** A young generation this small has been given back (V8 starts it at 1 MiB; a burst grows it to 32). */
const YOUNG_RETURNED = 4 * 2 ** 20;

let gc: (() => void) | undefined;
/**
 * A full garbage collection without starting Node with `--expose-gc`: the flag is set for one
 * new context, whose `gc` is kept, and cleared again (the pattern jest's leak detector uses).
 * Costs one small context (~0.3 MiB), made at the first collection, never at start-up.
 */
export function fullCollection(): () => void {
  if (gc) return gc;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return (gc = exposed);
  v8.setFlagsFromString('--expose-gc');
  try {
    gc = vm.runInNewContext('gc') as () => void;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
  return gc;
}

/**
 * A full collection that also compacts old space. A plain one frees objects but keeps the pages
 * they were spread over: with 10,000 stopped tasks, old space stayed 38 MiB committed for 18 MiB
 * live. V8 compacts every page only under `--compact-on-every-full-gc`, a flag it reads inside
 * the collection, so it is on for this one call only (unless Node was started with it). Measured
 * on a heap fragmented to a third: old space 52.7 → 19.7 MiB committed, RSS 100 → 67 MiB.
 */
export function compactingCollection(): void {
  const collect = fullCollection();
  if (process.execArgv.some((a) => a.replace(/_/g, '-') === '--compact-on-every-full-gc')) return collect();
  v8.setFlagsFromString('--compact-on-every-full-gc');
  try {
    collect();
  } finally {
    v8.setFlagsFromString('--no-compact-on-every-full-gc');
  }
}

/**
 * Looks every `quietMs / 4` (at most every second) at the last `quietMs` of event-loop use and
 * the heap's committed size; `onCollect` hears each collection (committed heap before and after,
 * MiB; the pages reach RSS a moment later, when V8's unmapper returns them). Runs for the life
 * of the process (the timer does not keep it alive).
 */
export function releaseIdleMemory(
  opts: IdleMemoryOptions,
  onCollect: (r: { heapBeforeMiB: number; heapAfterMiB: number; youngAfterMiB: number; ms: number }) => void,
): void {
  const heapSize = () => v8.getHeapStatistics().total_heap_size;
  const youngSize = () => v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space')?.space_size ?? 0;
  const decide = new IdleCollector(opts);
  const tickMs = Math.max(10, Math.min(1000, Math.floor(opts.quietMs / 4)));
  // Snapshots of cumulative event-loop use, oldest first, covering at least the quiet window.
  const marks: { at: number; elu: EventLoopUtilization }[] = [];
  const tick = () => {
    const at = performance.now();
    const elu = performance.eventLoopUtilization();
    marks.push({ at, elu });
    while (marks.length > 1 && at - marks[1].at >= opts.quietMs) marks.shift();
    const from = marks[0];
    const window = at - from.at;
    const used = performance.eventLoopUtilization(elu, from.elu).utilization;
    const before = heapSize();
    if (!decide.due(window, used, before)) return;
    const t0 = performance.now();
    compactingCollection();
    const ms = performance.now() - t0;
    const after = heapSize();
    const young = youngSize();
    decide.collected(after, young <= YOUNG_RETURNED);
    // The collection's own work is not activity: the next window starts after it.
    marks.length = 0;
    marks.push({ at: performance.now(), elu: performance.eventLoopUtilization() });
    onCollect({ heapBeforeMiB: before / 2 ** 20, heapAfterMiB: after / 2 ** 20, youngAfterMiB: young / 2 ** 20, ms });
  };
  setInterval(tick, tickMs).unref();
}
