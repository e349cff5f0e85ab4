import { isCurrencyCode } from './currency.ts';
import { MAX_DECIMAL_TEXT_LENGTH } from './decimal.ts';
import { MoneyFormatError, quoteForError } from './errors.ts';
import { money, type Money } from './money.ts';

/**
 * Money on the wire: `{"amount": "1234", "currency": "CNY"}`. The amount is a string of integer
 * minor units because JSON numbers become IEEE doubles in most parsers, which lose integers above
 * 2^53 and invite decimal fractions.
 */
export interface MoneyJson {
  amount: string;
  currency: string;
}

// One spelling per integer: no '+', no leading zeros, no "-0". Canonical text lets idempotency
// checks compare request bodies byte for byte.
const MINOR_UNITS_PATTERN = /^(?:0|-?[1-9]\d*)$/;

export function toJson(value: Money): MoneyJson {
  return { amount: value.amountMinor.toString(), currency: value.currency };
}

/**
 * Validates untrusted input (a parsed JSON body) and returns Money. Properties other than `amount`
 * and `currency` are ignored, so the shape can grow without breaking older readers.
 *
 * @throws MoneyFormatError naming the offending field.
 */
export function fromJson(value: unknown): Money {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MoneyFormatError('Money must be an object like {"amount": "1234", "currency": "CNY"}');
  }
  const { amount, currency } = value as { amount?: unknown; currency?: unknown };
  if (typeof amount !== 'string') {
    throw new MoneyFormatError(
      `Money amount must be a string of integer minor units like "1234", got ${amount === null ? 'null' : typeof amount}`,
    );
  }
  if (amount.length > MAX_DECIMAL_TEXT_LENGTH) {
    throw new MoneyFormatError(`Money amount is longer than ${MAX_DECIMAL_TEXT_LENGTH} characters`);
  }
  if (!MINOR_UNITS_PATTERN.test(amount)) {
    throw new MoneyFormatError(
      `Money amount ${quoteForError(amount)} must be integer minor units like "1234" or "-50": no decimal point, spaces, '+' or leading zeros`,
    );
  }
  if (typeof currency !== 'string') {
    throw new MoneyFormatError(
      `Money currency must be an ISO 4217 code string, got ${currency === null ? 'null' : typeof currency}`,
    );
  }
  if (!isCurrencyCode(currency)) {
    throw new MoneyFormatError(`Money currency ${quoteForError(currency)} is not a known ISO 4217 code`);
  }
  return money(BigInt(amount), currency);
}
