/**
 * How a bill is cut into shares (AA 收款), in fen, pure: no clock, no database.
 *
 * **Equal** — the largest-remainder method with equal weights: with `total = q·n + r`
 * (0 ≤ r < n), the first `r` shares are `q + 1` and the others `q`. So the shares sum exactly to
 * the total, any two differ by at most 1 fen, and each is at least 1 fen when `total ≥ n`. The
 * extra fen go to the first positions: the organiser's own share, when counted, is position 0 and
 * so takes the first extra fen (the one who asks for the money absorbs the odd fen first).
 *
 * **Custom** — the organiser names each share; they must sum exactly to the total (else the
 * difference is told: `total − sum`, positive when the shares fall short) and each be ≥ 1 fen.
 */

export type EqualSharesResult =
  { ok: true; sharesMinor: bigint[] } | { ok: false; reason: 'total_too_small'; minTotalMinor: bigint };

/** The equal shares of `totalMinor` among `count` people (count ≥ 1), largest first. */
export function equalShares(input: { totalMinor: bigint; count: number }): EqualSharesResult {
  assert(Number.isInteger(input.count) && input.count >= 1, 'a split has at least one share');
  const n = BigInt(input.count);
  if (input.totalMinor < n) return { ok: false, reason: 'total_too_small', minTotalMinor: n };
  const quotient = input.totalMinor / n;
  const remainder = input.totalMinor % n;
  const sharesMinor = Array.from({ length: input.count }, (_, index) =>
    BigInt(index) < remainder ? quotient + 1n : quotient,
  );
  return { ok: true, sharesMinor };
}

export type CustomSharesResult =
  | { ok: true; sharesMinor: bigint[] }
  | { ok: false; reason: 'share_too_small'; index: number }
  | { ok: false; reason: 'mismatch'; sumMinor: bigint; differenceMinor: bigint };

/** Custom shares checked against the total: each ≥ 1 fen, summing exactly to it. */
export function customShares(input: {
  totalMinor: bigint;
  sharesMinor: readonly bigint[];
}): CustomSharesResult {
  assert(input.sharesMinor.length >= 1, 'a split has at least one share');
  const tooSmall = input.sharesMinor.findIndex((share) => share < 1n);
  if (tooSmall >= 0) return { ok: false, reason: 'share_too_small', index: tooSmall };
  const sumMinor = input.sharesMinor.reduce((sum, share) => sum + share, 0n);
  if (sumMinor !== input.totalMinor) {
    return { ok: false, reason: 'mismatch', sumMinor, differenceMinor: input.totalMinor - sumMinor };
  }
  return { ok: true, sharesMinor: [...input.sharesMinor] };
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`split shares: ${message}`);
}
