/**
 * Rules for a 6-digit transaction PIN. A PIN is the last line between a stolen unlocked phone
 * and the holder's money, so the guessable ones are refused: one digit six times, a run up or
 * down (wrapping past 9, as keypads do), a pair or triple repeated, and the holder's birth date
 * as printed in the ID number.
 */

export const PIN_LENGTH = 6;
const PIN_PATTERN = /^\d{6}$/;

/** Why a PIN was refused: `details.reason` of PIN_TOO_SIMPLE. */
export type PinWeakness = 'notSixDigits' | 'sameDigit' | 'sequence' | 'repeatedPattern' | 'birthDate';

/**
 * The first rule `pin` breaks, or null when it is acceptable. `birthDate` is the holder's date
 * of birth from the real-name record (`YYYYMMDD` or `YYYY-MM-DD`), null before real-name
 * verification.
 */
export function pinWeakness(pin: string, options: { birthDate: string | null }): PinWeakness | null {
  if (!PIN_PATTERN.test(pin)) return 'notSixDigits';
  const digits = [...pin].map(Number);
  if (digits.every((digit) => digit === digits[0])) return 'sameDigit';
  if (isRun(digits, 1) || isRun(digits, -1)) return 'sequence';
  if (pin.slice(0, 2).repeat(3) === pin || pin.slice(0, 3).repeat(2) === pin) return 'repeatedPattern';
  if (options.birthDate !== null && birthDateForms(options.birthDate).includes(pin)) return 'birthDate';
  return null;
}

/** 123456, 789012 (step 1) or 654321, 210987 (step −1): each digit the previous plus `step`, mod 10. */
function isRun(digits: readonly number[], step: 1 | -1): boolean {
  return digits.every((digit, index) => index === 0 || digit === (digits[index - 1]! + step + 10) % 10);
}

/**
 * The 6-digit forms of a birth date a holder might pick: `YYMMDD`, which is also the last six
 * digits of the `YYYYMMDD` printed in the ID number (1990-01-01 → 900101). Empty when the date
 * is not of the expected shape.
 */
export function birthDateForms(birthDate: string): string[] {
  const compact = birthDate.replace(/-/g, '');
  if (!/^\d{8}$/.test(compact)) return [];
  return [compact.slice(2)];
}
