/**
 * The share arithmetic of AA splits as properties (issue 13): for any total and any number of
 * people within the limits, equal shares sum exactly to the total, differ by at most 1 fen and are
 * each ≥ 1 fen; custom shares are accepted exactly when they sum to the total.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { customShares, equalShares } from './shares.ts';

const MAX_PEOPLE = 1000;
const MAX_TOTAL_MINOR = 100_000_000_00n;

const bill = fc.integer({ min: 1, max: MAX_PEOPLE }).chain((count) =>
  fc.record({
    count: fc.constant(count),
    totalMinor: fc.bigInt({ min: BigInt(count), max: MAX_TOTAL_MINOR }),
  }),
);

describe('equal shares (largest remainder)', () => {
  it('sum exactly to the total, differ by at most 1 fen, each ≥ 1 fen, largest first', () => {
    fc.assert(
      fc.property(bill, ({ count, totalMinor }) => {
        const result = equalShares({ totalMinor, count });
        if (!result.ok) throw new Error('refused a total of at least a fen a share');
        const shares = result.sharesMinor;
        expect(shares).toHaveLength(count);
        expect(shares.reduce((a, b) => a + b, 0n)).toBe(totalMinor);
        const min = shares.reduce((a, b) => (b < a ? b : a));
        const max = shares.reduce((a, b) => (b > a ? b : a));
        expect(max - min <= 1n).toBe(true);
        expect(min >= 1n).toBe(true);
        for (let i = 1; i < shares.length; i += 1) expect(shares[i]! <= shares[i - 1]!).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses less than a fen a share, naming the least total that splits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_PEOPLE }).chain((count) =>
          fc.record({
            count: fc.constant(count),
            totalMinor: fc.bigInt({ min: 0n, max: BigInt(count - 1) }),
          }),
        ),
        ({ count, totalMinor }) => {
          expect(equalShares({ totalMinor, count })).toEqual({
            ok: false,
            reason: 'total_too_small',
            minTotalMinor: BigInt(count),
          });
        },
      ),
    );
  });

  it('gives the odd fen to the first positions: ¥100 among 3 is 33.34, 33.33, 33.33', () => {
    expect(equalShares({ totalMinor: 10000n, count: 3 })).toEqual({
      ok: true,
      sharesMinor: [3334n, 3333n, 3333n],
    });
    expect(equalShares({ totalMinor: 5n, count: 5 })).toEqual({
      ok: true,
      sharesMinor: [1n, 1n, 1n, 1n, 1n],
    });
  });
});

describe('custom shares', () => {
  it('are accepted exactly when each is ≥ 1 fen and they sum to the total; else the difference is told', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 1n, max: 1_000_000n }), { minLength: 1, maxLength: 100 }),
        fc.bigInt({ min: -1000n, max: 1000n }),
        (shares, offset) => {
          const sum = shares.reduce((a, b) => a + b, 0n);
          const result = customShares({ totalMinor: sum + offset, sharesMinor: shares });
          if (offset === 0n) expect(result).toEqual({ ok: true, sharesMinor: shares });
          else
            expect(result).toEqual({ ok: false, reason: 'mismatch', sumMinor: sum, differenceMinor: offset });
        },
      ),
    );
  });

  it('refuses a share under 1 fen, naming it', () => {
    expect(customShares({ totalMinor: 100n, sharesMinor: [100n, 0n] })).toEqual({
      ok: false,
      reason: 'share_too_small',
      index: 1,
    });
  });
});
