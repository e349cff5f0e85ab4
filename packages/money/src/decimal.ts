import { currencyExponent } from './currency.ts';
import { MoneyFormatError, quoteForError } from './errors.ts';
import { money, type Money } from './money.ts';

/**
 * Longest decimal text accepted. PostgreSQL int8 holds 19 digits; the bound leaves room above that
 * while refusing megabyte digit strings that would cost real CPU to turn into a bigint.
 */
export const MAX_DECIMAL_TEXT_LENGTH = 64;

const DECIMAL_PATTERN = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Parses a decimal amount in major units ("12.34" CNY) into minor units (1234n).
 *
 * Accepted: an optional leading '-', digits without leading zeros ("0" alone is fine), and
 * optionally '.' followed by 1..exponent digits. "12.3" is 1230n for CNY; "-0" and "-0.00" are 0n.
 *
 * Rejected, with a `MoneyFormatError`: empty text, whitespace, a leading '+' (an API field has one
 * spelling for a sign), grouping separators, exponent notation ("1e3"), a bare or trailing dot
 * (".5", "5."), several dots, leading zeros ("012"), and more fractional digits than the currency
 * has — even trailing zeros like "1.000" for CNY, because silently rounding or truncating user
 * input is how money goes missing.
 *
 * @throws MoneyFormatError
 * @throws UnknownCurrencyError
 */
export function parseDecimal(text: string, currency: string): bigint {
  const exponent = currencyExponent(currency);
  if (typeof text !== 'string') {
    throw new MoneyFormatError(`Amount must be a decimal string, got ${typeof text}`);
  }
  if (text.length === 0) {
    throw new MoneyFormatError('Amount is empty');
  }
  if (text.length > MAX_DECIMAL_TEXT_LENGTH) {
    throw new MoneyFormatError(`Amount is longer than ${MAX_DECIMAL_TEXT_LENGTH} characters`);
  }
  const match = DECIMAL_PATTERN.exec(text);
  if (match === null) {
    throw new MoneyFormatError(
      `Amount ${quoteForError(text)} is not a plain decimal like "12.34" (no '+', spaces, separators or exponent)`,
    );
  }
  const sign = match[1] ?? '';
  const integerDigits = match[2] ?? '';
  const fractionDigits = match[3] ?? '';
  if (integerDigits.length > 1 && integerDigits.startsWith('0')) {
    throw new MoneyFormatError(`Amount ${quoteForError(text)} has leading zeros`);
  }
  if (fractionDigits.length > exponent) {
    throw new MoneyFormatError(
      exponent === 0
        ? `Amount ${quoteForError(text)} has a fraction, but ${currency} has no minor unit`
        : `Amount ${quoteForError(text)} has more than ${exponent} decimal places allowed for ${currency}`,
    );
  }
  const magnitudeMinor = BigInt(integerDigits + fractionDigits.padEnd(exponent, '0'));
  return sign === '-' ? -magnitudeMinor : magnitudeMinor;
}

/** `parseDecimal` wrapped into a `Money`. */
export function parseMoney(text: string, currency: string): Money {
  return money(parseDecimal(text, currency), currency);
}

/**
 * Formats minor units as a plain decimal with exactly the currency's number of decimal places:
 * 1234n CNY → "12.34", -50n CNY → "-0.50", 1000n JPY → "1000", 1n BHD → "0.001". The inverse of
 * `parseDecimal`.
 *
 * @throws UnknownCurrencyError
 */
export function formatDecimal(amountMinor: bigint, currency: string): string {
  const exponent = currencyExponent(currency);
  const sign = amountMinor < 0n ? '-' : '';
  const digits = (amountMinor < 0n ? -amountMinor : amountMinor).toString();
  if (exponent === 0) {
    return sign + digits;
  }
  const padded = digits.padStart(exponent + 1, '0');
  const splitAt = padded.length - exponent;
  return `${sign}${padded.slice(0, splitAt)}.${padded.slice(splitAt)}`;
}

export type MoneyLocale = 'zh-CN' | 'en-US';

export interface FormatMoneyOptions {
  /** Chooses the symbol table; defaults to 'zh-CN', where the customers are. */
  locale?: MoneyLocale;
  /** Thousands separators ("¥1,234.56"); defaults to true because this is for display. */
  grouping?: boolean;
}

// Modelled on CLDR's narrow-enough symbols: a symbol shared by two currencies in a locale (¥, $)
// goes to the local one, the other gets a prefix. Currencies missing here print as "BHD 1.234".
const SYMBOLS: Record<MoneyLocale, Readonly<Record<string, string>>> = {
  'zh-CN': {
    CNY: '¥',
    USD: 'US$',
    EUR: '€',
    GBP: '£',
    HKD: 'HK$',
    TWD: 'NT$',
    JPY: 'JP¥',
    KRW: '₩',
    AUD: 'A$',
    CAD: 'CA$',
  },
  'en-US': {
    CNY: 'CN¥',
    USD: '$',
    EUR: '€',
    GBP: '£',
    HKD: 'HK$',
    TWD: 'NT$',
    JPY: '¥',
    KRW: '₩',
    AUD: 'A$',
    CAD: 'CA$',
  },
};

function groupThousands(integerDigits: string): string {
  return integerDigits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Formats money for people: "¥1,234.56", "-US$1.00", "JP¥1,000", "BHD 1.234". Not for APIs or
 * storage — use `toJson` or `formatDecimal` there, which never change with locale.
 *
 * @throws UnknownCurrencyError
 */
export function formatMoney(value: Money, options: FormatMoneyOptions = {}): string {
  const { locale = 'zh-CN', grouping = true } = options;
  const plain = formatDecimal(value.amountMinor, value.currency);
  const sign = plain.startsWith('-') ? '-' : '';
  const unsigned = sign === '' ? plain : plain.slice(1);
  const dotAt = unsigned.indexOf('.');
  const integerDigits = dotAt === -1 ? unsigned : unsigned.slice(0, dotAt);
  const fraction = dotAt === -1 ? '' : unsigned.slice(dotAt);
  const number = (grouping ? groupThousands(integerDigits) : integerDigits) + fraction;
  const symbol = SYMBOLS[locale][value.currency];
  return symbol === undefined ? `${sign}${value.currency} ${number}` : `${sign}${symbol}${number}`;
}
