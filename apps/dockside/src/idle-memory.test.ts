import { constants, PerformanceObserver } from 'node:perf_hooks';
import * as vm from 'node:vm';
import * as v8 from 'node:v8';
import { IdleCollector, compactingCollection, fullCollection } from './idle-memory';

const MiB = 2 ** 20;

test('collects once the loop has been quiet for the window and the heap has grown', () => {
  const c = new IdleCollector({ quietMs: 6000 });
  // Start-up's own growth is collected in the first quiet spell.
  expect(c.due(3000, 0.01, 60 * MiB)).toBe(false); // not quiet long enough
  expect(c.due(6000, 0.5, 60 * MiB)).toBe(false); // busy
  expect(c.due(6000, 0.01, 60 * MiB)).toBe(true);
  c.collected(30 * MiB, true);
  // Idle and unchanged: never again.
  expect(c.due(6000, 0.0, 30 * MiB)).toBe(false);
  expect(c.due(60_000, 0.0, 33 * MiB)).toBe(false); // grown, but less than 4 MiB
  // A burst grew the heap: collected after the next quiet window, not during the burst.
  expect(c.due(6000, 0.9, 62 * MiB)).toBe(false);
  expect(c.due(6000, 0.05, 62 * MiB)).toBe(true);
});

test('a collection that left the young generation grown is retried in the next quiet windows, three times', () => {
  const c = new IdleCollector({ quietMs: 6000 });
  expect(c.due(6000, 0, 70 * MiB)).toBe(true);
  c.collected(68 * MiB, false);
  expect(c.due(6000, 0, 68 * MiB)).toBe(true);
  c.collected(68 * MiB, false);
  expect(c.due(6000, 0, 68 * MiB)).toBe(true);
  c.collected(68 * MiB, false);
  // Three misses: the grown heap is the new normal, until it grows again.
  expect(c.due(6000, 0, 68 * MiB)).toBe(false);
  expect(c.due(6000, 0, 73 * MiB)).toBe(true);
  c.collected(40 * MiB, true);
  expect(c.due(6000, 0, 41 * MiB)).toBe(false);
});

test('a heap that shrank by itself lowers the mark growth counts from', () => {
  const c = new IdleCollector({ quietMs: 1000, growthBytes: 2 * MiB });
  c.collected(40 * MiB, true);
  expect(c.due(1000, 0, 20 * MiB)).toBe(false);
  expect(c.due(1000, 0, 23 * MiB)).toBe(true);
});

test('the full collection is a real major GC, and does not leave gc() to other contexts', async () => {
  // From a known state: jest runs files one after another in a worker process, and a file before
  // this one may have left --expose-gc set.
  v8.setFlagsFromString('--no-expose-gc');
  expect(vm.runInNewContext('typeof gc')).toBe('undefined');
  const major = new Promise<void>((resolve) => {
    const obs = new PerformanceObserver((list) => {
      if (
        list
          .getEntries()
          .some(
            (e) =>
              (e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR,
          )
      ) {
        obs.disconnect();
        resolve();
      }
    });
    obs.observe({ entryTypes: ['gc'] });
  });
  const gc = fullCollection();
  expect(fullCollection()).toBe(gc); // made once
  gc();
  await major;
  expect(vm.runInNewContext('typeof gc')).toBe('undefined');
});

test('the compacting collection gives back the old-space pages a plain one keeps', () => {
  const oldSpace = () => v8.getHeapSpaceStatistics().find((x) => x.space_name === 'old_space')!.space_size;
  const gc = fullCollection();
  // ~50 MiB of small objects moved to old space, then two of every three dropped: the survivors
  // stay spread over every page.
  let objects: { i: number; s: string; a: number[] }[] = [];
  for (let i = 0; i < 400_000; i++) objects.push({ i, s: `v${i}`, a: [i] });
  gc();
  gc();
  objects = objects.filter((_, i) => i % 3 === 0);
  gc();
  const plain = oldSpace();
  compactingCollection();
  const compacted = oldSpace();
  expect(objects).toHaveLength(133_334);
  expect(compacted).toBeLessThan(plain - 16 * MiB);
});
