import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Journal, JournalCorrupt } from './journal';
import { createLogger } from './logger';
import { Store } from './store';

interface S {
  items: Record<string, { n: number; at?: Date; tags?: string[]; nested?: { deep: { x: number } } }>;
  list: Array<{ id: number; v: string }>;
  count: number;
}
const init = (): S => ({ items: {}, list: [], count: 0 });
const logger = createLogger('silent');

function open(dir: string) {
  const store = new Store<S>(init);
  const journal = new Journal(dir, [{ name: 'p', state: store }], logger);
  const loaded = journal.load();
  if (loaded.p !== undefined) store.restore(loaded.p);
  journal.start();
  return { store, journal };
}
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-journal-'));

test('every committed change comes back after a restart, with no snapshot written since', async () => {
  const dir = tmp();
  const a = open(dir);
  const s = a.store.get('1', 'r');
  s.items.x = { n: 1, at: new Date(5), tags: ['a'] };
  s.items.y = { n: 2, nested: { deep: { x: 1 } } };
  await a.journal.commit();
  s.items.x.n = 10;
  s.items.x.tags!.push('b');
  s.items.y.nested!.deep.x = 42;
  delete s.items.z;
  s.list.push({ id: 1, v: 'a' }, { id: 2, v: 'b' }, { id: 3, v: 'c' });
  s.count = 7;
  await a.journal.commit();
  s.list.shift();
  s.list[0].v = 'B';
  delete s.items.x.at;
  a.store.get('2', 'r').count = 1;
  await a.journal.commit();
  const before = JSON.stringify(a.store.snapshot());
  // No close(): as after kill -9, only the journal's appends are on disk.
  const b = open(dir);
  expect(JSON.stringify(b.store.snapshot())).toBe(before);
  expect(b.store.get('1', 'r').list).toEqual([
    { id: 2, v: 'B' },
    { id: 3, v: 'c' },
  ]);
  await a.journal.close();
  await b.journal.close();
  fs.rmSync(dir, { recursive: true });
});

test('a write appends the size of its change, not of the state', async () => {
  const dir = tmp();
  const { store, journal } = open(dir);
  const s = store.get('1', 'r');
  const file = () =>
    path.join(
      dir,
      fs.readdirSync(dir).find((f) => f.startsWith('journal-'))!,
    );
  for (let i = 0; i < 5000; i++) s.items[`item-${i}`] = { n: i, tags: ['x'.repeat(50)] };
  await journal.commit();
  journal.compact();
  const size = fs.statSync(file()).size;
  s.items['item-2500'].n = -1;
  await journal.commit();
  expect(fs.statSync(file()).size - size).toBeLessThan(100);
  // Numeric keys of an object (as task definition revisions are) are not array slots.
  (s.items as Record<string, unknown>).revs = {};
  const revisions = (s.items as Record<string, unknown>).revs as Record<string, unknown>;
  for (let i = 1; i <= 3000; i++) revisions[String(i)] = { n: i, pad: 'z'.repeat(100) };
  await journal.commit();
  const before = fs.statSync(file()).size;
  const read = jest.spyOn(store, 'valueAt');
  revisions['3001'] = { n: 3001 };
  await journal.commit();
  expect(fs.statSync(file()).size - before).toBeLessThan(100);
  // Only the new revision was read and serialised, not the 3,000 beside it.
  expect(read.mock.calls.map(([p]) => p.slice(1).join('/'))).toEqual(['items/revs/3001']);
  read.mockRestore();
  await journal.close();
  fs.rmSync(dir, { recursive: true });
});

test('concurrent writes share fsyncs (group commit)', async () => {
  const dir = tmp();
  const { store, journal } = open(dir);
  const spy = jest.spyOn(fs, 'fdatasync');
  const s = store.get('1', 'r');
  await Promise.all(
    Array.from({ length: 50 }, (_, i) => {
      s.items[`k${i}`] = { n: i };
      return journal.commit();
    }),
  );
  expect(spy.mock.calls.length).toBeLessThan(5);
  spy.mockRestore();
  const again = open(dir);
  expect(Object.keys(again.store.get('1', 'r').items)).toHaveLength(50);
  await journal.close();
  await again.journal.close();
  fs.rmSync(dir, { recursive: true });
});

test('a journal cut mid-line is reported and kept; a corrupt line or snapshot stops the start', async () => {
  const dir = tmp();
  const a = open(dir);
  a.store.get('1', 'r').items.x = { n: 1 };
  await a.journal.commit();
  await a.journal.close();
  const journalFile = path.join(
    dir,
    fs.readdirSync(dir).find((f) => f.startsWith('journal-'))!,
  );
  fs.appendFileSync(journalFile, '{"s":"p","k":["1/r","items","y"],"v":{"n"');
  const warn = jest.spyOn(logger, 'warn');
  const b = open(dir);
  expect(b.store.get('1', 'r').items).toEqual({ x: { n: 1 } });
  expect(warn).toHaveBeenCalled();
  expect(fs.readdirSync(dir).some((f) => f.includes('.truncated-'))).toBe(true);
  await b.journal.close();

  const c = open(dir);
  await c.journal.close();
  const j2 = path.join(
    dir,
    fs.readdirSync(dir).find((f) => /^journal-\d+\.ndjson$/.test(f))!,
  );
  fs.writeFileSync(j2, 'not json\n{"s":"p","k":["1/r","count"],"v":1}\n');
  expect(() => new Journal(dir, [{ name: 'p', state: new Store<S>(init) }], logger).load()).toThrow(JournalCorrupt);
  fs.writeFileSync(path.join(dir, 'state.json'), '{"generation":');
  expect(() => new Journal(dir, [{ name: 'p', state: new Store<S>(init) }], logger).load()).toThrow(
    /state\.json is not valid JSON/,
  );
  fs.rmSync(dir, { recursive: true });
});

test('the journal is folded into a new snapshot once it outgrows it', async () => {
  const dir = tmp();
  const { store, journal } = open(dir);
  const s = store.get('1', 'r');
  for (let i = 0; i < 3000; i++) {
    s.items.big = { n: i, tags: ['y'.repeat(400)] };
    await journal.commit();
  }
  const files = fs.readdirSync(dir).filter((f) => f.startsWith('journal-'));
  expect(files).toHaveLength(1);
  expect(Number(files[0].match(/\d+/)![0])).toBeGreaterThan(1);
  const again = open(dir);
  expect(again.store.get('1', 'r').items.big.n).toBe(2999);
  await journal.close();
  await again.journal.close();
  fs.rmSync(dir, { recursive: true });
});
