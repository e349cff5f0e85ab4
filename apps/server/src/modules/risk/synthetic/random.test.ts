import { describe, expect, it } from 'vitest';
import { seededRandom } from './random.ts';

describe('seededRandom', () => {
  it('gives the same stream for the same seed and another for another seed', () => {
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 5 }, () => random.next());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(draw(2 ** 40)).not.toEqual(draw(0));
  });

  it('draws within its ranges, with about the right mean', () => {
    const random = seededRandom(1);
    let sum = 0;
    let lognormalBelowMedian = 0;
    let [low, high] = [1, 0];
    const wholes = new Set<number>();
    for (let index = 0; index < 20_000; index += 1) {
      const value = random.next();
      low = Math.min(low, value);
      high = Math.max(high, value);
      wholes.add(random.int(3, 5));
      sum += random.normal(10, 2);
      if (random.lognormal(100, 1) < 100) lognormalBelowMedian += 1;
    }
    expect(low).toBeGreaterThanOrEqual(0);
    expect(high).toBeLessThan(1);
    expect([...wholes].sort()).toEqual([3, 4, 5]);
    expect(sum / 20_000).toBeCloseTo(10, 1);
    expect(lognormalBelowMedian / 20_000).toBeCloseTo(0.5, 1);
    expect(random.hex(20)).toMatch(/^[0-9a-f]{20}$/);
    expect(() => random.pick([])).toThrow(RangeError);
    expect(() => seededRandom(1.5)).toThrow(RangeError);
  });
});
