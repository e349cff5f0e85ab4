/**
 * The split's invariants as properties (issue 13, domain-rules §4), for any total and count within
 * the limits and any random source: the uniform one the service uses, and adversarial ones that
 * always pick the lowest or the highest value allowed.
 */
import { randomInt } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawLuckyShare, equalShare, luckyDrawRange, luckySplit } from './split.ts';
import type { RandomInt } from './split.ts';

const MAX_SHARES = 100;
const MAX_SHARE_MINOR = 200_00n;

/** A packet within the limits: 1–100 shares, 1 fen to ¥200 each on average. */
const packet = fc.integer({ min: 1, max: MAX_SHARES }).chain((count) =>
  fc.record({
    count: fc.constant(count),
    totalMinor: fc.bigInt({ min: BigInt(count), max: MAX_SHARE_MINOR * BigInt(count) }),
  }),
);

/** Uniform (seeded by fast-check), always the lowest, always the highest. */
const randomSource = fc.oneof(
  fc.integer().map((seed): RandomInt => {
    let state = seed >>> 0 || 1;
    return (min, max) => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return min + ((state >>> 0) % (max - min + 1));
    };
  }),
  fc.constant<RandomInt>((min) => min),
  fc.constant<RandomInt>((_min, max) => max),
);

describe('the lucky split (double mean)', () => {
  it('gives every share at least 1 fen, at most the maximum, under 2 × the mean of its draw, summing to the total', () => {
    fc.assert(
      fc.property(packet, randomSource, ({ count, totalMinor }, random) => {
        let remainingMinor = totalMinor;
        let sum = 0n;
        for (let left = count; left > 0; left -= 1) {
          const share = drawLuckyShare(
            { remainingMinor, remainingCount: left, maxShareMinor: MAX_SHARE_MINOR },
            random,
          );
          expect(share).toBeGreaterThanOrEqual(1n);
          expect(share).toBeLessThanOrEqual(MAX_SHARE_MINOR);
          // share < 2R/n, in integers: share · n < 2R.
          expect(share * BigInt(left)).toBeLessThan(2n * remainingMinor);
          remainingMinor -= share;
          sum += share;
        }
        expect(sum).toBe(totalMinor);
        expect(remainingMinor).toBe(0n);
      }),
      { numRuns: 1000 },
    );
  });

  it('draws from exactly domain-rules’ range when the maximum is not near the mean', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: MAX_SHARES }),
        fc.bigInt({ min: 2n, max: 1_000_000n }),
        (n, extra) => {
          const r = BigInt(n) + extra;
          const { minMinor, maxMinor } = luckyDrawRange({
            remainingMinor: r,
            remainingCount: n,
            maxShareMinor: r, // a maximum no share can reach: inert
          });
          expect(minMinor).toBe(1n);
          const literal = (2n * r) / BigInt(n);
          const strictlyBelowTwiceMean = literal * BigInt(n) === 2n * r ? literal - 1n : literal;
          const spec = [strictlyBelowTwiceMean, r - BigInt(n - 1)].reduce((a, b) => (b < a ? b : a));
          expect(maxMinor).toBe(spec);
        },
      ),
    );
  });

  it('never draws 2 × the mean where domain-rules’ ⌊2R/n⌋ would (n divides 2R)', () => {
    // R = 10 fen, 5 shares: mean 2, ⌊2R/n⌋ = 4 = 2 × mean.
    expect(luckyDrawRange({ remainingMinor: 10n, remainingCount: 5, maxShareMinor: 200_00n })).toEqual({
      minMinor: 1n,
      maxMinor: 3n,
    });
  });

  it('with node’s random source, over whole packets at the limits', () => {
    for (const [totalMinor, count] of [
      [100n, 100],
      [MAX_SHARE_MINOR * 100n, 100],
      [MAX_SHARE_MINOR * 2n, 2],
      [1n, 1],
      [8_88n, 10],
    ] as const) {
      const shares = luckySplit({ totalMinor, count, maxShareMinor: MAX_SHARE_MINOR }, randomInt);
      expect(shares).toHaveLength(count);
      expect(shares.reduce((a, b) => a + b, 0n)).toBe(totalMinor);
      expect(shares.every((share) => share >= 1n && share <= MAX_SHARE_MINOR)).toBe(true);
    }
  });

  it('refuses a state outside the limits loudly (a programmer error, not a draw)', () => {
    expect(() =>
      drawLuckyShare({ remainingMinor: 2n, remainingCount: 3, maxShareMinor: 100n }, randomInt),
    ).toThrow(/cannot be/);
    expect(() =>
      drawLuckyShare({ remainingMinor: 301n, remainingCount: 3, maxShareMinor: 100n }, randomInt),
    ).toThrow(/cannot be/);
  });
});

describe('the equal split', () => {
  it('is exact when the total divides evenly, and otherwise names the nearest even totals', () => {
    fc.assert(
      fc.property(packet, ({ count, totalMinor }) => {
        const split = equalShare({ totalMinor, count });
        if (split.ok) {
          expect(split.shareMinor * BigInt(count)).toBe(totalMinor);
          expect(split.shareMinor).toBeGreaterThanOrEqual(1n);
        } else {
          expect(totalMinor % BigInt(count)).not.toBe(0n);
          expect(split.higherTotalMinor % BigInt(count)).toBe(0n);
          expect(split.higherTotalMinor).toBeGreaterThan(totalMinor);
          expect(split.higherTotalMinor - totalMinor).toBeLessThan(BigInt(count));
          if (split.lowerTotalMinor !== null) {
            expect(split.lowerTotalMinor % BigInt(count)).toBe(0n);
            expect(totalMinor - split.lowerTotalMinor).toBeLessThan(BigInt(count));
          }
        }
      }),
    );
    expect(equalShare({ totalMinor: 100n, count: 3 })).toEqual({
      ok: false,
      lowerTotalMinor: 99n,
      higherTotalMinor: 102n,
    });
    expect(equalShare({ totalMinor: 600n, count: 3 })).toEqual({ ok: true, shareMinor: 200n });
  });
});
