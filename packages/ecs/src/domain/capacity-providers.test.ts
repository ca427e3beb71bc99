import { distribute } from './capacity-providers';

const count = (names: string[]) => names.reduce<Record<string, number>>((a, n) => ({ ...a, [n]: (a[n] ?? 0) + 1 }), {});

test("AWS's example: A{base 2, weight 1}, B{weight 3}, 10 tasks → A 4, B 6", () => {
  const out = distribute(
    [
      { capacityProvider: 'A', base: 2, weight: 1 },
      { capacityProvider: 'B', weight: 3 },
    ],
    10,
  );
  expect(out.slice(0, 2)).toEqual(['A', 'A']);
  expect(count(out)).toEqual({ A: 4, B: 6 });
});

test('weights split evenly over calls; weight 0 gets nothing beyond its base', () => {
  expect(
    count(
      distribute(
        [
          { capacityProvider: 'A', weight: 1 },
          { capacityProvider: 'B', weight: 1 },
        ],
        6,
      ),
    ),
  ).toEqual({ A: 3, B: 3 });
  expect(
    count(
      distribute(
        [
          { capacityProvider: 'A', base: 1, weight: 0 },
          { capacityProvider: 'B', weight: 1 },
        ],
        5,
      ),
    ),
  ).toEqual({ A: 1, B: 4 });
});

test("a service's base counts the tasks a provider already runs", () => {
  const already = new Map([['A', 2]]);
  expect(
    distribute(
      [
        { capacityProvider: 'A', base: 2, weight: 0 },
        { capacityProvider: 'B', weight: 1 },
      ],
      3,
      already,
    ),
  ).toEqual(['B', 'B', 'B']);
});
