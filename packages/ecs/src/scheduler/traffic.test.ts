/** How much production traffic green has, step by step, for each deployment strategy. */
import { productionPercent } from './traffic';

const minute = 60_000;

test('BLUE_GREEN shifts everything at once', () => {
  expect(productionPercent({ strategy: 'BLUE_GREEN' }, 0)).toBe(100);
});

test('LINEAR adds stepPercent every stepBakeTimeInMinutes (defaults 10 % every 6 minutes)', () => {
  const cfg = { strategy: 'LINEAR' as const, linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 2 } };
  expect([0, 1, 2, 4, 6, 8, 60].map((m) => productionPercent(cfg, m * minute))).toEqual([
    25, 25, 50, 75, 100, 100, 100,
  ]);
  expect(productionPercent({ strategy: 'LINEAR' }, 0)).toBe(10);
  expect(productionPercent({ strategy: 'LINEAR' }, 6 * minute)).toBe(20);
});

test('CANARY holds canaryPercent for canaryBakeTimeInMinutes, then shifts the rest (defaults 5 %, 10 minutes)', () => {
  const cfg = { strategy: 'CANARY' as const, canaryConfiguration: { canaryPercent: 20, canaryBakeTimeInMinutes: 3 } };
  expect([0, 2.9, 3].map((m) => productionPercent(cfg, m * minute))).toEqual([20, 20, 100]);
  expect(productionPercent({ strategy: 'CANARY' }, 9 * minute)).toBe(5);
});

test('the time scale shortens every bake time alike', () => {
  const cfg = { strategy: 'CANARY' as const, canaryConfiguration: { canaryPercent: 20, canaryBakeTimeInMinutes: 1 } };
  expect(productionPercent(cfg, 600, 0.01)).toBe(100);
  expect(productionPercent(cfg, 599, 0.01)).toBe(20);
});
