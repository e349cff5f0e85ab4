/**
 * How a red packet's money is split into shares (domain-rules §4), in fen, pure: no clock, no
 * database, the random source injected (tests give a seeded or adversarial one, the service
 * `randomInt` of node:crypto).
 *
 * **Lucky (拼手气)** — the double-mean method, one draw per claim, at claim time: with `R` fen
 * and `n` shares left, the last share (n = 1) is `R`; otherwise a share is drawn uniformly from
 *
 *     [ max(1, R − max·(n − 1)),  min(⌊(2R − 1) / n⌋, R − (n − 1), max) ]
 *
 * - `⌊(2R − 1) / n⌋` is the largest whole number *below* 2R/n. Domain-rules writes ⌊2R/n⌋, which
 *   equals 2 × the mean when n divides 2R (R = 10, n = 5 could draw 4 = 2 × 2) and so breaks the
 *   invariant stated beside it ("each share < 2 × mean"); the two bounds differ only then.
 * - `R − (n − 1)` leaves at least 1 fen for each share after this one.
 * - `max` (the per-share maximum, ¥200 by default) and its partner `R − max·(n − 1)` keep every
 *   share, the last included, at most `max`: a packet is sent only if `total ≤ max × count`, and
 *   the lower bound keeps what is left within `max × (n − 1)`. When the maximum is far from the
 *   mean (every ordinary packet) both bounds are inert and the draw is exactly domain-rules'.
 *
 * The range is never empty while `n ≤ R ≤ max·n` (proved in the comments of `luckyDrawRange`),
 * which every draw keeps for the shares after it. Invariants, checked by property tests
 * (split.test.ts): every share ≥ 1 fen, the shares sum exactly to the total, each share
 * < 2 × the mean at the time of its draw (R/n), each share ≤ max.
 *
 * **Equal (普通红包)** — every share is `total / count`; a total that does not divide evenly is
 * refused (RED_PACKET_UNEVEN_TOTAL, with the nearest totals that do) rather than giving someone
 * a fen more: "equal" means equal.
 */

/** A whole number in [min, max], both inclusive (min ≤ max), uniformly: node's `randomInt(min, max + 1)`. */
export type RandomInt = (min: number, max: number) => number;

export interface DrawInput {
  /** Fen left in the packet. */
  remainingMinor: bigint;
  /** Shares left (n ≥ 1). */
  remainingCount: number;
  /** The per-share maximum, in fen. */
  maxShareMinor: bigint;
}

/**
 * The range a lucky share is drawn from, for the state before the draw. Asserts what the caller
 * must keep: `n ≤ R ≤ max·n` (at least a fen per share, at most the maximum per share).
 */
export function luckyDrawRange(input: DrawInput): { minMinor: bigint; maxMinor: bigint } {
  const { remainingMinor: r, maxShareMinor: max } = input;
  const n = BigInt(input.remainingCount);
  assert(n >= 1n, 'a draw needs a share left');
  assert(max >= 1n, 'the per-share maximum is at least 1 fen');
  assert(r >= n && r <= max * n, `R = ${r} fen cannot be n = ${n} shares of 1…${max} fen`);
  if (n === 1n) return { minMinor: r, maxMinor: r };
  // lo ≤ ⌊R/n⌋ since R − max(n−1) ≤ R/n ⟺ R ≤ max·n; and ⌊R/n⌋ ≤ each upper bound: ⌊(2R−1)/n⌋
  // (R ≥ 1), R − (n − 1) (R ≥ n), max (R ≤ max·n). So lo ≤ hi.
  const lo = maxOf(1n, r - max * (n - 1n));
  const hi = minOf((2n * r - 1n) / n, r - (n - 1n), max);
  assert(lo <= hi, `empty draw range for R = ${r}, n = ${n}, max = ${max}`);
  return { minMinor: lo, maxMinor: hi };
}

/** One lucky share for the state before the draw (the caller then takes it off R and n). */
export function drawLuckyShare(input: DrawInput, random: RandomInt): bigint {
  const { minMinor, maxMinor } = luckyDrawRange(input);
  if (minMinor === maxMinor) return minMinor;
  // Offsets fit a double exactly: a packet is at most max × count fen (¥200 × 100 = 2,000,000).
  const span = maxMinor - minMinor;
  assert(span <= BigInt(Number.MAX_SAFE_INTEGER), 'draw range too wide for the random source');
  const offset = random(0, Number(span));
  assert(Number.isInteger(offset) && offset >= 0 && offset <= Number(span), 'random source out of range');
  return minMinor + BigInt(offset);
}

/** Every share of a lucky packet drawn at once (tests, and to reason about a whole packet). */
export function luckySplit(
  input: { totalMinor: bigint; count: number; maxShareMinor: bigint },
  random: RandomInt,
): bigint[] {
  const shares: bigint[] = [];
  let remainingMinor = input.totalMinor;
  for (let left = input.count; left > 0; left -= 1) {
    const share = drawLuckyShare(
      { remainingMinor, remainingCount: left, maxShareMinor: input.maxShareMinor },
      random,
    );
    shares.push(share);
    remainingMinor -= share;
  }
  return shares;
}

/**
 * The equal share of a total, or why there is none: `uneven` with the nearest totals below and
 * above that split evenly (below is null when it would leave a share under 1 fen).
 */
export function equalShare(input: {
  totalMinor: bigint;
  count: number;
}):
  { ok: true; shareMinor: bigint } | { ok: false; lowerTotalMinor: bigint | null; higherTotalMinor: bigint } {
  const n = BigInt(input.count);
  assert(n >= 1n, 'an equal packet has at least one share');
  const share = input.totalMinor / n;
  if (share >= 1n && share * n === input.totalMinor) return { ok: true, shareMinor: share };
  return {
    ok: false,
    lowerTotalMinor: share >= 1n ? share * n : null,
    higherTotalMinor: (share + 1n) * n,
  };
}

function minOf(...values: bigint[]): bigint {
  return values.reduce((a, b) => (b < a ? b : a));
}

function maxOf(...values: bigint[]): bigint {
  return values.reduce((a, b) => (b > a ? b : a));
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`red packet split: ${message}`);
}
