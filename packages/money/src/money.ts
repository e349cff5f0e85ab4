import { getCurrency } from './currency.ts';
import { CurrencyMismatchError, MoneyArgumentError } from './errors.ts';

/**
 * An amount in a currency's minor unit (fen for CNY, yen for JPY, fils for BHD). Never a float:
 * binary fractions cannot hold 0.1, and every rounding must be a decision written in code.
 */
export interface Money {
  readonly amountMinor: bigint;
  readonly currency: string;
}

/** @throws UnknownCurrencyError when the currency is not registered. */
export function money(amountMinor: bigint, currency: string): Money {
  // The type says bigint, but JavaScript callers and JSON.parse results do not read types.
  if (typeof amountMinor !== 'bigint') {
    throw new MoneyArgumentError(`amountMinor must be a bigint, got ${typeof amountMinor}`);
  }
  getCurrency(currency);
  return Object.freeze({ amountMinor, currency });
}

export function zero(currency: string): Money {
  return money(0n, currency);
}

/** @throws CurrencyMismatchError */
export function assertSameCurrency(left: Money, right: Money): void {
  if (left.currency !== right.currency) {
    throw new CurrencyMismatchError(left.currency, right.currency);
  }
}

/** @throws CurrencyMismatchError */
export function add(left: Money, right: Money): Money {
  assertSameCurrency(left, right);
  return money(left.amountMinor + right.amountMinor, left.currency);
}

/** @throws CurrencyMismatchError */
export function subtract(left: Money, right: Money): Money {
  assertSameCurrency(left, right);
  return money(left.amountMinor - right.amountMinor, left.currency);
}

/**
 * Adds up amounts that must all be in `currency`. The currency is a parameter rather than taken
 * from the first item so that an empty list still has a well-defined total.
 *
 * @throws CurrencyMismatchError
 */
export function sum(currency: string, items: readonly Money[]): Money {
  let totalMinor = 0n;
  for (const item of items) {
    if (item.currency !== currency) {
      throw new CurrencyMismatchError(currency, item.currency);
    }
    totalMinor += item.amountMinor;
  }
  return money(totalMinor, currency);
}

export function negate(value: Money): Money {
  return money(-value.amountMinor, value.currency);
}

export function abs(value: Money): Money {
  return value.amountMinor < 0n ? negate(value) : value;
}

/**
 * -1, 0 or 1, usable as an `Array.prototype.sort` comparator.
 *
 * @throws CurrencyMismatchError: amounts in different currencies have no order without a rate.
 */
export function compare(left: Money, right: Money): -1 | 0 | 1 {
  assertSameCurrency(left, right);
  if (left.amountMinor < right.amountMinor) return -1;
  if (left.amountMinor > right.amountMinor) return 1;
  return 0;
}

/** Same currency and amount. Unlike `compare`, different currencies are simply not equal. */
export function equals(left: Money, right: Money): boolean {
  return left.currency === right.currency && left.amountMinor === right.amountMinor;
}

export function isZero(value: Money): boolean {
  return value.amountMinor === 0n;
}

export function isPositive(value: Money): boolean {
  return value.amountMinor > 0n;
}

export function isNegative(value: Money): boolean {
  return value.amountMinor < 0n;
}
