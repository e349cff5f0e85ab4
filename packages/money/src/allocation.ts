import { MoneyArgumentError } from './errors.ts';

/** Bounds the work (and memory) of one split; a red packet has at most 100 shares. */
export const MAX_ALLOCATION_PARTS = 100_000;

function assertPartCount(count: number): void {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_ALLOCATION_PARTS) {
    throw new MoneyArgumentError(`Allocation needs 1..${MAX_ALLOCATION_PARTS} parts, got ${count}`);
  }
}

/**
 * Splits `amountMinor` in proportion to `ratios` by the largest-remainder method: every part gets
 * the floor of its exact share, then the minor units left over go one each to the parts with the
 * largest remainders, ties to the lowest index. So the parts always sum exactly to the amount, each
 * is within one minor unit of its exact share, and a zero ratio always gets zero.
 *
 * A negative amount is split as its magnitude and every part negated, so refunding a split mirrors
 * the original exactly.
 *
 * @throws MoneyArgumentError when a ratio is negative, none is positive, or there are no or too
 * many ratios.
 */
export function allocate(amountMinor: bigint, ratios: readonly bigint[]): bigint[] {
  assertPartCount(ratios.length);
  let ratioTotal = 0n;
  for (const ratio of ratios) {
    if (ratio < 0n) {
      throw new MoneyArgumentError(`Allocation ratios must not be negative, got ${ratio}`);
    }
    ratioTotal += ratio;
  }
  if (ratioTotal === 0n) {
    throw new MoneyArgumentError('Allocation needs at least one positive ratio');
  }

  const magnitudeMinor = amountMinor < 0n ? -amountMinor : amountMinor;
  const parts: bigint[] = [];
  const remainders: bigint[] = [];
  let allocatedMinor = 0n;
  for (const ratio of ratios) {
    const exactNumerator = magnitudeMinor * ratio;
    const part = exactNumerator / ratioTotal;
    parts.push(part);
    remainders.push(exactNumerator % ratioTotal);
    allocatedMinor += part;
  }

  // The leftover is (sum of remainders) / ratioTotal with each remainder < ratioTotal, so it is
  // smaller than the number of non-zero remainders: only parts with a remainder get a unit.
  const leftoverMinor = magnitudeMinor - allocatedMinor;
  if (leftoverMinor > 0n) {
    const order = parts.map((_, index) => index);
    order.sort((left, right) => {
      const leftRemainder = remainders[left] ?? 0n;
      const rightRemainder = remainders[right] ?? 0n;
      if (leftRemainder !== rightRemainder) return leftRemainder > rightRemainder ? -1 : 1;
      return left - right;
    });
    let given = 0n;
    for (const index of order) {
      if (given === leftoverMinor) break;
      parts[index] = (parts[index] ?? 0n) + 1n;
      given += 1n;
    }
  }

  return amountMinor < 0n ? parts.map((part) => -part) : parts;
}

/**
 * Splits `amountMinor` into `parts` shares that differ by at most one minor unit, the larger ones
 * first: 100 fen in 3 → [34, 33, 33]; -100 in 3 → [-34, -33, -33].
 *
 * @throws MoneyArgumentError when `parts` is not an integer 1..MAX_ALLOCATION_PARTS.
 */
export function splitEvenly(amountMinor: bigint, parts: number): bigint[] {
  assertPartCount(parts);
  const count = BigInt(parts);
  const magnitudeMinor = amountMinor < 0n ? -amountMinor : amountMinor;
  const baseMinor = magnitudeMinor / count;
  const leftover = magnitudeMinor % count;
  const shares: bigint[] = [];
  for (let index = 0n; index < count; index += 1n) {
    const share = index < leftover ? baseMinor + 1n : baseMinor;
    shares.push(amountMinor < 0n ? -share : share);
  }
  return shares;
}
