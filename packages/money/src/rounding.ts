import { currencyExponent } from './currency.ts';
import { MAX_DECIMAL_TEXT_LENGTH } from './decimal.ts';
import { MoneyArgumentError, MoneyFormatError, quoteForError } from './errors.ts';

/**
 * How a quotient that is not a whole number of minor units becomes one. Every mode is symmetric
 * about zero (as java.math.RoundingMode), so a refund of a fee rounds exactly like the fee:
 *
 * - `halfUp`: to the nearest; an exact half goes away from zero (2.5 → 3, -2.5 → -3).
 * - `down`: toward zero, i.e. truncate (2.9 → 2, -2.9 → -2). E.g. fund income, domain rule 5.
 * - `up`: away from zero (2.1 → 3, -2.1 → -3).
 */
export type RoundingMode = 'halfUp' | 'down' | 'up';

/** An exact non-negative fraction, e.g. a rate "7.1234" as 71234n / 10000n. */
export interface Ratio {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/**
 * numerator / denominator rounded to an integer by `mode`.
 *
 * @throws MoneyArgumentError when the denominator is zero.
 */
export function divideRounded(numerator: bigint, denominator: bigint, mode: RoundingMode): bigint {
  if (denominator === 0n) {
    throw new MoneyArgumentError('Division by zero');
  }
  // Work on magnitudes so that the rounding direction depends only on the sign of the result.
  const negative = numerator < 0n !== denominator < 0n;
  const dividend = numerator < 0n ? -numerator : numerator;
  const divisor = denominator < 0n ? -denominator : denominator;
  let quotient = dividend / divisor;
  const remainder = dividend % divisor;
  if (remainder !== 0n) {
    switch (mode) {
      case 'down':
        break;
      case 'up':
        quotient += 1n;
        break;
      case 'halfUp':
        if (remainder * 2n >= divisor) quotient += 1n;
        break;
    }
  }
  return negative ? -quotient : quotient;
}

/**
 * numerator / denominator rounded half away from zero: 5/2 → 3, -5/2 → -3, 7/3 → 2. The rounding
 * domain rule 9 prescribes for converting to a currency's exponent.
 *
 * @throws MoneyArgumentError when the denominator is zero.
 */
export function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  return divideRounded(numerator, denominator, 'halfUp');
}

/**
 * amountMinor × numerator / denominator, rounded once, at the end: rounding intermediate results
 * would compound errors.
 *
 * @throws MoneyArgumentError when the denominator is zero.
 */
export function multiplyRatio(
  amountMinor: bigint,
  numerator: bigint,
  denominator: bigint,
  mode: RoundingMode,
): bigint {
  return divideRounded(amountMinor * numerator, denominator, mode);
}

const RATE_PATTERN = /^(\d+)(?:\.(\d+))?$/;

function greatestCommonDivisor(left: bigint, right: bigint): bigint {
  let a = left;
  let b = right;
  while (b !== 0n) {
    [a, b] = [b, a % b];
  }
  return a;
}

/**
 * Parses a non-negative decimal rate ("0.001", "7.1234", "1") into an exact reduced fraction.
 * Same spelling rules as amounts (no sign, exponent, spaces or leading zeros), but any number of
 * decimal places: rates are quoted finer than money.
 *
 * @throws MoneyFormatError
 */
export function parseRate(text: string): Ratio {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_DECIMAL_TEXT_LENGTH) {
    throw new MoneyFormatError(`Rate must be a decimal string of 1..${MAX_DECIMAL_TEXT_LENGTH} characters`);
  }
  const match = RATE_PATTERN.exec(text);
  const integerDigits = match?.[1] ?? '';
  if (match === null || (integerDigits.length > 1 && integerDigits.startsWith('0'))) {
    throw new MoneyFormatError(
      `Rate ${quoteForError(text)} is not a plain non-negative decimal like "0.001" or "7.1234"`,
    );
  }
  const fractionDigits = match[2] ?? '';
  const numerator = BigInt(integerDigits + fractionDigits);
  const denominator = 10n ** BigInt(fractionDigits.length);
  const divisor = numerator === 0n ? denominator : greatestCommonDivisor(numerator, denominator);
  return { numerator: numerator / divisor, denominator: denominator / divisor };
}

/**
 * amountMinor × rate, for fees and interest: `applyRate(12345n, "0.001", 'halfUp')` is 12n.
 * Minimum and maximum fees are policy and belong to the caller.
 *
 * @throws MoneyFormatError when the rate is not a plain decimal.
 */
export function applyRate(amountMinor: bigint, rate: string, mode: RoundingMode): bigint {
  const { numerator, denominator } = parseRate(rate);
  return multiplyRatio(amountMinor, numerator, denominator, mode);
}

/**
 * Converts minor units of one currency into minor units of another. `rate` is the price of one
 * major unit of `fromCurrency` in major units of `toCurrency` (USD→CNY "7.1234"), so the
 * exponents are applied here: 100n fen (1 CNY) at CNY→JPY "20.5" is 21n yen with halfUp.
 *
 * @throws MoneyFormatError when the rate is not a plain decimal.
 * @throws MoneyArgumentError when the rate is zero.
 * @throws UnknownCurrencyError
 */
export function convertCurrency(
  amountMinor: bigint,
  fromCurrency: string,
  toCurrency: string,
  rate: string,
  mode: RoundingMode,
): bigint {
  const fromExponent = currencyExponent(fromCurrency);
  const toExponent = currencyExponent(toCurrency);
  const { numerator, denominator } = parseRate(rate);
  if (numerator === 0n) {
    throw new MoneyArgumentError(
      `Exchange rate ${fromCurrency}→${toCurrency} must be positive, got "${rate}"`,
    );
  }
  return divideRounded(
    amountMinor * numerator * 10n ** BigInt(toExponent),
    denominator * 10n ** BigInt(fromExponent),
    mode,
  );
}
