import { stringifyJson } from './json-pieces';

const joined = (v: unknown) => {
  const out = stringifyJson(v);
  return typeof out === 'string' ? out : out.join('');
};

describe('stringifyJson', () => {
  it('answers a value without a long, large top-level list as one JSON.stringify', () => {
    const v = { a: [1, 2, 3], b: { c: Array.from({ length: 500 }, (_, i) => i) }, s: 'x' };
    expect(stringifyJson(v)).toBe(JSON.stringify(v));
    // ListTasks' page: 100 ARNs are 8 KB, less than two pieces.
    const arns = Array.from(
      { length: 100 },
      (_, i) => `arn:aws:ecs:us-east-1:000000000000:task/c/${'0'.repeat(30)}${i}`,
    );
    expect(stringifyJson({ taskArns: arns, nextToken: 't' })).toBe(JSON.stringify({ taskArns: arns, nextToken: 't' }));
    expect(stringifyJson([1, 2])).toBe('[1,2]');
    expect(stringifyJson(null)).toBe('null');
  });

  it('cuts long lists into pieces whose text is exactly JSON.stringify of the whole', () => {
    const events = Array.from({ length: 10_000 }, (_, i) => ({
      timestamp: 1_700_000_000_000 + i,
      message: i % 7 ? `line ${i} "quoted" \\ ü 🚀` : `${'x'.repeat(300)}\n${i}`,
      ingestionTime: 1_700_000_000_001 + i,
    }));
    for (const v of [
      { events, nextForwardToken: 'f/1', nextBackwardToken: 'b/0' },
      { first: 'a', events, gone: undefined, fn: () => 1, tail: [1, undefined, 3] },
      { more: events.slice(0, 65).map(() => undefined), events: [...events.slice(0, 1000)], end: null },
      { a: Array.from({ length: 70 }, (_, i) => ({ i, blob: 'y'.repeat(40_000) })), b: Array(100).fill(0) },
    ]) {
      const out = stringifyJson(v);
      expect(Array.isArray(out)).toBe(true);
      expect(joined(v)).toBe(JSON.stringify(v));
      expect(JSON.parse(joined(v))).toEqual(JSON.parse(JSON.stringify(v)));
    }
  });

  it('keeps pieces small enough for the young generation, each element whole', () => {
    const events = Array.from({ length: 10_000 }, (_, i) => ({ timestamp: i, message: `message number ${i}` }));
    const out = stringifyJson({ events }) as string[];
    expect(out.length).toBeGreaterThan(5);
    for (const p of out) expect(p.length).toBeLessThan(64 * 1024);
    // Elements larger than a piece go one per piece, once the first few have been measured.
    const big = stringifyJson({ items: Array.from({ length: 64 }, () => ({ s: 'z'.repeat(50_000) })) }) as string[];
    expect(big.length).toBeGreaterThan(50);
    for (const p of big.slice(3, -1)) expect(p.length).toBeLessThan(50_100);
  });

  it('writes lists of strings as JSON.stringify does, those that need escaping too, on every call', () => {
    const arns = Array.from({ length: 100 }, (_, i) => `arn:aws:ecs:us-east-1:000000000000:task/c/${i}`);
    const odd = ['quote "', 'back \\ slash', 'tab \t', 'nul \u0000', 'unit \u001f', 'lone \ud800', 'low \udc00 x'];
    const fine = ['pair 🚀', 'é ü', 'line \u2028 sep', '', '\u007f del'];
    const lists = [
      arns,
      [...arns.slice(0, 70), ...fine],
      // Strings already seen as safe, then one that is not: the whole list is escaped as it must be.
      ...odd.map((o) => [...arns.slice(0, 70), o]),
      [...arns.slice(0, 70), 7, 'x'],
      [...arns.slice(0, 70), null],
    ];
    for (let round = 0; round < 2; round++) {
      for (const list of lists) {
        const v = { items: list, nextToken: 't' };
        expect(joined(v)).toBe(JSON.stringify(v));
      }
    }
    // A list of strings long enough for pieces is still cut into pieces.
    const long = Array.from(
      { length: 2000 },
      (_, i) => `arn:aws:ecs:us-east-1:000000000000:task/c/${'f'.repeat(40)}${i}`,
    );
    const out = stringifyJson({ taskArns: long });
    expect(Array.isArray(out)).toBe(true);
    expect(joined({ taskArns: long })).toBe(JSON.stringify({ taskArns: long }));
  });

  it('leaves an object with its own toJSON to JSON.stringify', () => {
    const v = { list: Array(100).fill(1), toJSON: () => ({ short: true }) };
    expect(stringifyJson(v)).toBe('{"short":true}');
  });
});
