import type { CardScheme } from './bins.ts';

/**
 * Card-number utilities (domain-rules §2): 13–19 digits, Luhn check. A full card number is
 * never stored, logged or returned: keep the token, the BIN and the last 4, and show
 * `maskCardNumber` everywhere.
 */

export const CARD_NUMBER_MIN_DIGITS = 13;
export const CARD_NUMBER_MAX_DIGITS = 19;
/** Longest input accepted before stripping separators: 19 digits with generous spacing. */
export const CARD_NUMBER_MAX_INPUT = 40;
export const ACCOUNT_NUMBER_MIN_DIGITS = 8;
export const ACCOUNT_NUMBER_MAX_DIGITS = 32;

/** Digits only (spaces and dashes removed), 13–19 of them; null otherwise. Does not check Luhn. */
export function normaliseCardNumber(input: string): string | null {
  if (typeof input !== 'string' || input.length > CARD_NUMBER_MAX_INPUT) return null;
  const digits = input.replace(/[\s-]/g, '');
  return /^\d{13,19}$/.test(digits) ? digits : null;
}

/** The Luhn (mod 10) check over a string of digits. */
export function luhnValid(digits: string): boolean {
  if (!/^\d{2,32}$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** A card number as typed → its digits when well formed and Luhn-valid; null otherwise. */
export function parseCardNumber(input: string): string | null {
  const digits = normaliseCardNumber(input);
  return digits !== null && luhnValid(digits) ? digits : null;
}

/** A bank account number as typed → 8–32 digits; null otherwise. */
export function normaliseAccountNumber(input: string): string | null {
  if (typeof input !== 'string' || input.length > 64) return null;
  const digits = input.replace(/[\s-]/g, '');
  return new RegExp(`^\\d{${ACCOUNT_NUMBER_MIN_DIGITS},${ACCOUNT_NUMBER_MAX_DIGITS}}$`).test(digits)
    ? digits
    : null;
}

/** The issuer identification number: the first 6 (or 7, 8) digits. */
export function binOf(cardNumber: string, length: 6 | 7 | 8 = 6): string {
  const digits = normaliseCardNumber(cardNumber);
  if (digits === null) throw new RangeError('not a card number');
  return digits.slice(0, length);
}

export function last4Of(cardNumber: string): string {
  const digits = normaliseCardNumber(cardNumber);
  if (digits === null) throw new RangeError('not a card number');
  return digits.slice(-4);
}

/**
 * `6222 **** **** 7894` (grouped) or `**** 7894` (short). Anything that is not a card number
 * masks to `****`, so a mistake never shows more than it should.
 */
export function maskCardNumber(cardNumber: string, style: 'grouped' | 'short' = 'grouped'): string {
  const digits = normaliseCardNumber(cardNumber);
  if (digits === null) return '****';
  return maskCardParts({ bin: digits.slice(0, 6), last4: digits.slice(-4) }, style);
}

/** The same mask from what the wallet keeps: the BIN (or null) and the last 4. */
export function maskCardParts(
  card: { bin: string | null; last4: string },
  style: 'grouped' | 'short' = 'grouped',
): string {
  const last4 = /^\d{4}$/.test(card.last4) ? card.last4 : '****';
  if (style === 'short' || card.bin === null || !/^\d{4}/.test(card.bin)) return `**** ${last4}`;
  return `${card.bin.slice(0, 4)} **** **** ${last4}`;
}

/** The card scheme from the number's leading digits, for BINs the table does not know. */
export function cardSchemeOf(cardNumber: string): CardScheme | null {
  const digits = normaliseCardNumber(cardNumber);
  if (digits === null) return null;
  if (digits.startsWith('62')) return 'UnionPay';
  if (digits.startsWith('4')) return 'Visa';
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return 'Mastercard';
  return null;
}
