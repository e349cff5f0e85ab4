import { COMMON_PASSWORDS } from './common-passwords.ts';

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

/** Why a password was refused: `details.reason` of WEAK_PASSWORD. */
export type WeakPasswordReason =
  'tooShort' | 'tooLong' | 'allDigits' | 'containsPhone' | 'common' | 'sameAsCurrent';

const COMMON = new Set(COMMON_PASSWORDS.map((password) => password.toLowerCase()));

/**
 * The first rule a new login password breaks, or null when it is acceptable. Lengths count
 * characters (code points), not UTF-16 units or bytes.
 */
export function passwordWeakness(password: string, options: { phone: string }): WeakPasswordReason | null {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return 'tooShort';
  if (length > MAX_PASSWORD_LENGTH) return 'tooLong';
  if (/^\d+$/.test(password)) return 'allDigits';
  if (password.includes(options.phone)) return 'containsPhone';
  if (COMMON.has(password.toLowerCase())) return 'common';
  return null;
}
