import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, MAX_ALLOCATION_PARTS, splitEvenly } from './allocation.ts';
import { MoneyArgumentError } from './errors.ts';

const amountsMinor = fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n });
const ratioLists = fc
  .array(fc.bigInt({ min: 0n, max: 10n ** 6n }), { minLength: 1, maxLength: 30 })
  .filter((ratios) => ratios.some((ratio) => ratio > 0n));

function total(values: readonly bigint[]): bigint {
  return values.reduce((sum, value) => sum + value, 0n);
}

describe('allocate', () => {
  it.each([
    [100n, [1n, 1n, 1n], [34n, 33n, 33n]],
    [-100n, [1n, 1n, 1n], [-34n, -33n, -33n]],
    [1n, [1n, 1n, 1n], [1n, 0n, 0n]],
    [2n, [1n, 1n, 1n], [1n, 1n, 0n]],
    [5n, [3n, 7n], [2n, 3n]],
    [10n, [0n, 1n], [0n, 10n]],
    [0n, [1n, 2n], [0n, 0n]],
    [1000n, [70n, 20n, 10n], [700n, 200n, 100n]],
    [100n, [1n, 2n, 3n, 4n], [10n, 20n, 30n, 40n]],
    [7n, [1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n], [1n, 1n, 1n, 1n, 1n, 1n, 1n, 0n, 0n, 0n]],
    [10n, [1n, 3n, 3n], [2n, 4n, 4n]], // remainders 3/7, 2/7, 2/7: the largest wins, not the lowest index
  ])('%s by %s → %s', (amountMinor, ratios, expected) => {
    expect(allocate(amountMinor, ratios)).toEqual(expected);
  });

  it('refuses ratios it cannot split by', () => {
    expect(() => allocate(100n, [])).toThrow(MoneyArgumentError);
    expect(() => allocate(100n, [-1n, 2n])).toThrow(/must not be negative/);
    expect(() => allocate(100n, [0n, 0n])).toThrow(/at least one positive/);
    expect(() => allocate(100n, new Array<bigint>(MAX_ALLOCATION_PARTS + 1).fill(1n))).toThrow(/parts/);
  });

  it('parts always sum exactly to the whole', () => {
    fc.assert(
      fc.property(amountsMinor, ratioLists, (amountMinor, ratios) => {
        expect(total(allocate(amountMinor, ratios))).toBe(amountMinor);
      }),
    );
  });

  it('each part is less than one minor unit from its exact share', () => {
    fc.assert(
      fc.property(amountsMinor, ratioLists, (amountMinor, ratios) => {
        const ratioTotal = total(ratios);
        allocate(amountMinor, ratios).forEach((part, index) => {
          // |part − amount × ratio / ratioTotal| < 1, scaled by ratioTotal to stay in integers.
          const exactScaled = amountMinor * (ratios[index] ?? 0n);
          const differenceScaled = part * ratioTotal - exactScaled;
          expect(differenceScaled < ratioTotal && differenceScaled > -ratioTotal).toBe(true);
        });
      }),
    );
  });

  it('gives the leftover to the largest remainders, ties to the lowest index', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 20n }), ratioLists, (amountMinor, ratios) => {
        const ratioTotal = total(ratios);
        const parts = allocate(amountMinor, ratios);
        const shares = ratios.map((ratio, index) => {
          const exactScaled = amountMinor * ratio;
          return {
            index,
            remainder: exactScaled % ratioTotal,
            gotExtra: (parts[index] ?? 0n) > exactScaled / ratioTotal,
          };
        });
        for (const winner of shares.filter((share) => share.gotExtra)) {
          for (const loser of shares.filter((share) => !share.gotExtra)) {
            const beats =
              winner.remainder > loser.remainder ||
              (winner.remainder === loser.remainder && winner.index < loser.index);
            expect(beats).toBe(true);
          }
        }
      }),
    );
  });

  it('mirrors negative amounts and gives zero ratios nothing', () => {
    fc.assert(
      fc.property(amountsMinor, ratioLists, (amountMinor, ratios) => {
        const parts = allocate(amountMinor, ratios);
        expect(allocate(-amountMinor, ratios)).toEqual(parts.map((part) => -part));
        ratios.forEach((ratio, index) => {
          if (ratio === 0n) expect(parts[index]).toBe(0n);
        });
      }),
    );
  });
});

describe('splitEvenly', () => {
  it.each([
    [100n, 3, [34n, 33n, 33n]],
    [-100n, 3, [-34n, -33n, -33n]],
    [1n, 3, [1n, 0n, 0n]],
    [0n, 2, [0n, 0n]],
    [10000n, 1, [10000n]],
    [20000n, 4, [5000n, 5000n, 5000n, 5000n]],
  ])('%s into %s → %s', (amountMinor, parts, expected) => {
    expect(splitEvenly(amountMinor, parts)).toEqual(expected);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_ALLOCATION_PARTS + 1])(
    'refuses %s parts',
    (parts) => {
      expect(() => splitEvenly(100n, parts)).toThrow(MoneyArgumentError);
    },
  );

  it('equals allocate with equal ratios', () => {
    fc.assert(
      fc.property(amountsMinor, fc.integer({ min: 1, max: 50 }), (amountMinor, parts) => {
        const shares = splitEvenly(amountMinor, parts);
        expect(shares).toEqual(allocate(amountMinor, new Array<bigint>(parts).fill(1n)));
        expect(total(shares)).toBe(amountMinor);
      }),
    );
  });
});
