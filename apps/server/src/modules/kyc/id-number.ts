/**
 * Resident identity numbers (GB 11643-1999): 6-digit region, YYYYMMDD birth date, 3-digit
 * sequence (odd = male), check character. Validated fully before any verifier is called.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARACTERS = '10X98765432';
/** Province-level codes (first two digits) in use, incl. Taiwan (71), Hong Kong (81), Macao (82). */
const PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61,
  62, 63, 64, 65, 71, 81, 82,
]);

export type IdNumberProblem = 'format' | 'region' | 'birthDate' | 'checksum';

export interface ParsedIdNumber {
  /** Normalised: 18 characters, a final x upper-cased. */
  value: string;
  birthDate: { year: number; month: number; day: number };
  sex: 'male' | 'female';
}

export function parseIdNumber(
  input: string,
  today: Date = new Date(),
): { ok: true; id: ParsedIdNumber } | { ok: false; problem: IdNumberProblem } {
  const value = input.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(value)) return { ok: false, problem: 'format' };
  if (!PROVINCES.has(Number.parseInt(value.slice(0, 2), 10))) return { ok: false, problem: 'region' };
  const year = Number.parseInt(value.slice(6, 10), 10);
  const month = Number.parseInt(value.slice(10, 12), 10);
  const day = Number.parseInt(value.slice(12, 14), 10);
  const date = new Date(Date.UTC(year, month - 1, day));
  const real =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  if (!real || year < 1800 || date.getTime() > today.getTime()) return { ok: false, problem: 'birthDate' };
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number.parseInt(value[i]!, 10) * WEIGHTS[i]!;
  if (CHECK_CHARACTERS[sum % 11] !== value[17]) return { ok: false, problem: 'checksum' };
  const sequence = Number.parseInt(value.slice(14, 17), 10);
  return {
    ok: true,
    id: { value, birthDate: { year, month, day }, sex: sequence % 2 === 1 ? 'male' : 'female' },
  };
}

/** `1101**********002X`: the first 4 and last 4 characters, never more, in every response and log. */
export function maskIdNumber(value: string): string {
  if (value.length <= 8) return '*'.repeat(value.length);
  return `${value.slice(0, 4)}${'*'.repeat(value.length - 8)}${value.slice(-4)}`;
}

/** `*明` for 李明, `**红` for 欧阳红: only the last character of a Chinese name shows. */
export function maskName(name: string): string {
  const characters = [...name.trim()];
  if (characters.length <= 1) return '*';
  return `${'*'.repeat(characters.length - 1)}${characters[characters.length - 1]}`;
}

/** Legal names as they appear on an ID card: 2–30 characters, Chinese or Latin letters, `·` and spaces. */
export function isPlausibleLegalName(name: string): boolean {
  const trimmed = name.trim();
  return /^[\p{Script=Han}A-Za-z·•. ]{2,30}$/u.test(trimmed) && /[\p{Script=Han}A-Za-z]/u.test(trimmed);
}
