export {
  type Currency,
  currencyExponent,
  getCurrency,
  isCurrencyCode,
  listCurrencies,
  minorUnitsPerMajor,
  registerCurrency,
} from './currency.ts';
export {
  CurrencyMismatchError,
  MoneyArgumentError,
  MoneyError,
  type MoneyErrorCode,
  MoneyFormatError,
  UnknownCurrencyError,
} from './errors.ts';
export {
  abs,
  add,
  assertSameCurrency,
  compare,
  equals,
  isNegative,
  isPositive,
  isZero,
  money,
  type Money,
  negate,
  subtract,
  sum,
  zero,
} from './money.ts';
export {
  type FormatMoneyOptions,
  formatDecimal,
  formatMoney,
  MAX_DECIMAL_TEXT_LENGTH,
  type MoneyLocale,
  parseDecimal,
  parseMoney,
} from './decimal.ts';
export { fromJson, type MoneyJson, toJson } from './json.ts';
export {
  applyRate,
  convertCurrency,
  divideRounded,
  multiplyRatio,
  parseRate,
  type Ratio,
  type RoundingMode,
  roundHalfUp,
} from './rounding.ts';
export { allocate, MAX_ALLOCATION_PARTS, splitEvenly } from './allocation.ts';
