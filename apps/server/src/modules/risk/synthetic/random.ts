/**
 * A small seeded pseudo-random generator for the synthetic behaviour generator: the same seed
 * always gives the same stream of events, on every machine, so an evaluation figure can be
 * reproduced and a test can fail meaningfully. sfc32 (Chris Doty-Humphrey's Small Fast Counter)
 * passes PractRand far beyond what a simulation of a few million draws needs; its 128-bit state
 * is filled from the seed by splitmix32 so that neighbouring seeds give unrelated streams.
 *
 * Not for anything secret: ids, codes and keys come from node:crypto elsewhere.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element, uniformly; the array must not be empty. */
  pick<T>(items: readonly T[]): T;
  /** Standard normal scaled: mean + sd × N(0, 1) (Box–Muller). */
  normal(mean: number, sd: number): number;
  /** exp(N(ln median, sigma)): a positive, right-skewed amount around `median`. */
  lognormal(median: number, sigma: number): number;
  /** Exponential with the given mean (waiting times of a Poisson process). */
  exponential(mean: number): number;
  /** Poisson count with the given mean (Knuth's product method: means here are small). */
  poisson(mean: number): number;
  /** `length` lowercase hexadecimal digits. */
  hex(length: number): string;
}

const UINT32 = 2 ** 32;

export function seededRandom(seed: number): Random {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer: ${seed}`);
  // splitmix32 over the seed's low and high 32 bits fills sfc32's four words.
  let mix = (seed >>> 0) ^ Math.floor(seed / UINT32);
  const splitmix = (): number => {
    mix = (mix + 0x9e3779b9) | 0;
    let z = mix;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / UINT32;
  };
  // Discard the first outputs, as sfc32's author recommends, so the state is well mixed.
  for (let i = 0; i < 12; i += 1) next();

  let spareNormal: number | null = null;
  const standardNormal = (): number => {
    if (spareNormal !== null) {
      const value = spareNormal;
      spareNormal = null;
      return value;
    }
    const u = 1 - next(); // (0, 1]: log(0) would be -Infinity
    const v = next();
    const radius = Math.sqrt(-2 * Math.log(u));
    spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  };

  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    uniform: (min, max) => min + next() * (max - min),
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[Math.floor(next() * items.length)] as T;
    },
    normal: (mean, sd) => mean + sd * standardNormal(),
    lognormal: (median, sigma) => median * Math.exp(sigma * standardNormal()),
    exponential: (mean) => -mean * Math.log(1 - next()),
    poisson(mean) {
      const limit = Math.exp(-mean);
      let count = 0;
      for (let product = next(); product > limit; product *= next()) count += 1;
      return count;
    },
    hex(length) {
      let text = '';
      while (text.length < length)
        text += Math.floor(next() * UINT32)
          .toString(16)
          .padStart(8, '0');
      return text.slice(0, length);
    },
  };
}
