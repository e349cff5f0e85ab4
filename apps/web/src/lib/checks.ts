/**
 * Checks a person can get while typing, mirroring the server's rules so the words are the same
 * (`errors.PIN_TOO_SIMPLE_<reason>`, `errors.INVALID_ID_NUMBER_<problem>`). The server checks
 * again and has the last word: it alone knows the birth date a PIN must not be.
 */

export type PinProblem = 'notSixDigits' | 'sameDigit' | 'sequence' | 'repeatedPattern';

/** Why a transaction PIN is too easy to guess, or null (docs/security.md). */
export function pinProblem(pin: string): PinProblem | null {
  if (!/^\d{6}$/.test(pin)) return 'notSixDigits';
  const digits = [...pin].map(Number);
  if (digits.every((digit) => digit === digits[0])) return 'sameDigit';
  const steps = digits.slice(1).map((digit, i) => (digit - digits[i]! + 10) % 10);
  if (steps.every((step) => step === 1) || steps.every((step) => step === 9)) return 'sequence';
  if (pin === pin.slice(0, 2).repeat(3) || pin === pin.slice(0, 3).repeat(2)) return 'repeatedPattern';
  return null;
}

export type IdNumberProblem = 'format' | 'region' | 'birthDate' | 'checksum';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARACTERS = '10X98765432';
const PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61,
  62, 63, 64, 65, 71, 81, 82,
]);

/** A resident ID number (GB 11643): 18 characters, province, real birth date, check character. */
export function idNumberProblem(input: string, today: Date = new Date()): IdNumberProblem | null {
  const value = input.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(value)) return 'format';
  if (!PROVINCES.has(Number.parseInt(value.slice(0, 2), 10))) return 'region';
  const year = Number.parseInt(value.slice(6, 10), 10);
  const month = Number.parseInt(value.slice(10, 12), 10);
  const day = Number.parseInt(value.slice(12, 14), 10);
  const date = new Date(Date.UTC(year, month - 1, day));
  const real =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  if (!real || year < 1800 || date.getTime() > today.getTime()) return 'birthDate';
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number.parseInt(value[i]!, 10) * WEIGHTS[i]!;
  if (CHECK_CHARACTERS[sum % 11] !== value[17]) return 'checksum';
  return null;
}
