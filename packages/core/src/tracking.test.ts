import { Tracker, unwrap } from './tracking';

test('a frozen member is handed out as it is, and replacing it is still marked', () => {
  const shared = Object.freeze({ list: Object.freeze([] as string[]) });
  const marks: string[][] = [];
  const t = new Tracker((p) => marks.push(p));
  const root = t.wrap({ a: { shared, own: { n: 1 } } } as Record<string, any>, ['p']);
  // A Proxy may not stand in for a frozen object's frozen members: reading must not throw.
  expect(root.a.shared).toBe(shared);
  expect(root.a.shared.list).toBe(shared.list);
  root.a.own.n = 2;
  root.a.shared = { list: ['x'] };
  expect(marks).toEqual([
    ['p', 'a', 'own', 'n'],
    ['p', 'a', 'shared'],
  ]);
  expect(unwrap(root.a).shared).toEqual({ list: ['x'] });
});
