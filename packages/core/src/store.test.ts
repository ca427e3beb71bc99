import { Store, decode, encode } from './store';

test('one partition per account and region, created on first use', () => {
  const s = new Store(() => ({ n: 0 }));
  s.get('1', 'a').n = 5;
  expect(s.get('1', 'a').n).toBe(5);
  expect(s.get('1', 'b').n).toBe(0);
  expect(s.get('2', 'a').n).toBe(0);
  expect(s.entries().map((e) => `${e.accountId}/${e.region}`)).toEqual(['1/a', '1/b', '2/a']);
  s.reset();
  expect(s.entries()).toEqual([]);
});

test('snapshot/restore keeps Date, Map and Set and is independent of the live state', () => {
  const s = new Store(() => ({ at: new Date(5), m: new Map([['k', 1]]), set: new Set(['x']), list: [1] }));
  s.get('1', 'a').list.push(2);
  const snap = s.snapshot();
  s.get('1', 'a').list.push(3);
  const t = new Store(() => ({ at: new Date(0), m: new Map(), set: new Set(), list: [] as number[] }));
  t.restore(JSON.parse(JSON.stringify(snap)));
  const r = t.get('1', 'a');
  expect(r.at).toEqual(new Date(5));
  expect(r.m).toEqual(new Map([['k', 1]]));
  expect(r.set).toEqual(new Set(['x']));
  expect(r.list).toEqual([1, 2]);
});

test('encode/decode round trip', () => {
  const v = { d: new Date(10), nested: [{ m: new Map([[1, new Date(2)]]) }] };
  expect(decode(encode(v))).toEqual(v);
});
