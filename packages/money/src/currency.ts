import { MoneyArgumentError, UnknownCurrencyError } from './errors.ts';

export interface Currency {
  /** ISO 4217 alphabetic code, e.g. `CNY`. */
  readonly code: string;
  /** ISO 4217 numeric code as three digits, e.g. `156`, `048`: a string so leading zeros survive. */
  readonly numeric: string;
  /** Number of decimal places of the minor unit: 2 for CNY (fen), 0 for JPY, 3 for BHD. */
  readonly exponent: number;
}

// ISO 4217 tops out at 4 (CLF); anything larger is almost certainly a mistake, and a bound keeps
// `10n ** exponent` cheap.
const MAX_EXPONENT = 18;

const BUILT_IN_CURRENCIES: readonly Currency[] = [
  { code: 'CNY', numeric: '156', exponent: 2 },
  { code: 'USD', numeric: '840', exponent: 2 },
  { code: 'EUR', numeric: '978', exponent: 2 },
  { code: 'HKD', numeric: '344', exponent: 2 },
  { code: 'MOP', numeric: '446', exponent: 2 },
  { code: 'TWD', numeric: '901', exponent: 2 },
  { code: 'GBP', numeric: '826', exponent: 2 },
  { code: 'SGD', numeric: '702', exponent: 2 },
  { code: 'AUD', numeric: '036', exponent: 2 },
  { code: 'CAD', numeric: '124', exponent: 2 },
  { code: 'CHF', numeric: '756', exponent: 2 },
  { code: 'THB', numeric: '764', exponent: 2 },
  { code: 'MYR', numeric: '458', exponent: 2 },
  { code: 'JPY', numeric: '392', exponent: 0 },
  { code: 'KRW', numeric: '410', exponent: 0 },
  { code: 'VND', numeric: '704', exponent: 0 },
  { code: 'BHD', numeric: '048', exponent: 3 },
  { code: 'KWD', numeric: '414', exponent: 3 },
  { code: 'OMR', numeric: '512', exponent: 3 },
  { code: 'JOD', numeric: '400', exponent: 3 },
];

const currenciesByCode = new Map<string, Currency>();

/**
 * Adds a currency to the registry. Call it at start-up, before any amount in that currency is
 * parsed or stored: the exponent decides what every stored minor-unit amount means.
 *
 * Registering the same definition again is a no-op, so start-up code may run more than once.
 * Registering a different definition for an existing code (or reusing a numeric code) throws:
 * silently changing an exponent would rescale every balance already in that currency.
 */
export function registerCurrency(currency: Currency): Currency {
  const { code, numeric, exponent } = currency;
  if (!/^[A-Z]{3}$/.test(code)) {
    throw new MoneyArgumentError(`Currency code must be three capital letters, got ${JSON.stringify(code)}`);
  }
  if (!/^\d{3}$/.test(numeric)) {
    throw new MoneyArgumentError(
      `Numeric code of ${code} must be three digits, got ${JSON.stringify(numeric)}`,
    );
  }
  if (!Number.isSafeInteger(exponent) || exponent < 0 || exponent > MAX_EXPONENT) {
    throw new MoneyArgumentError(
      `Exponent of ${code} must be an integer 0..${MAX_EXPONENT}, got ${exponent}`,
    );
  }
  const existing = currenciesByCode.get(code);
  if (existing !== undefined) {
    if (existing.numeric === numeric && existing.exponent === exponent) {
      return existing;
    }
    throw new MoneyArgumentError(
      `Currency ${code} is already registered as numeric ${existing.numeric}, exponent ${existing.exponent}`,
    );
  }
  for (const other of currenciesByCode.values()) {
    if (other.numeric === numeric) {
      throw new MoneyArgumentError(`Numeric code ${numeric} is already used by ${other.code}`);
    }
  }
  const registered: Currency = Object.freeze({ code, numeric, exponent });
  currenciesByCode.set(code, registered);
  return registered;
}

for (const currency of BUILT_IN_CURRENCIES) {
  registerCurrency(currency);
}

export function isCurrencyCode(code: unknown): code is string {
  return typeof code === 'string' && currenciesByCode.has(code);
}

/** @throws UnknownCurrencyError */
export function getCurrency(code: string): Currency {
  const currency = currenciesByCode.get(code);
  if (currency === undefined) {
    throw new UnknownCurrencyError(code);
  }
  return currency;
}

/** @throws UnknownCurrencyError */
export function currencyExponent(code: string): number {
  return getCurrency(code).exponent;
}

/** How many minor units make one major unit: 100n for CNY, 1n for JPY, 1000n for BHD. */
export function minorUnitsPerMajor(code: string): bigint {
  return 10n ** BigInt(currencyExponent(code));
}

export function listCurrencies(): Currency[] {
  return [...currenciesByCode.values()];
}
