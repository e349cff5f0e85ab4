/**
 * The unified social credit code (统一社会信用代码, GB 32100-2015) a company's business licence
 * carries: 18 characters of `0–9 A–H J–N P–R T U W–Y` (no I, O, S, V, Z), the last a check
 * character — Σ value(cᵢ) × 3ⁱ mod 31 over the first 17, weights 1, 3, 9, 27, 19 … (3ⁱ mod 31),
 * check = (31 − Σ mod 31) mod 31. Pure.
 */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function isUscc(text: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(text)) return false;
  const sum = WEIGHTS.reduce((total, weight, i) => total + ALPHABET.indexOf(text.charAt(i)) * weight, 0);
  return ALPHABET.charAt((31 - (sum % 31)) % 31) === text.charAt(17);
}

/** The check character of 17 characters (to make test codes). */
export function usccCheck(first17: string): string {
  const sum = WEIGHTS.reduce((total, weight, i) => total + ALPHABET.indexOf(first17.charAt(i)) * weight, 0);
  return ALPHABET.charAt((31 - (sum % 31)) % 31);
}
