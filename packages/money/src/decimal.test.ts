import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyExponent, listCurrencies } from './currency.ts';
import { formatDecimal, formatMoney, MAX_DECIMAL_TEXT_LENGTH, parseDecimal, parseMoney } from './decimal.ts';
import { MoneyFormatError, UnknownCurrencyError } from './errors.ts';
import { money } from './money.ts';

const currencyCodes = listCurrencies().map((currency) => currency.code);
// Wider than PostgreSQL int8 on purpose, but within MAX_DECIMAL_TEXT_LENGTH.
const amountsMinor = fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n });

describe('parseDecimal', () => {
  it.each([
    ['12.34', 'CNY', 1234n],
    ['-0.5', 'CNY', -50n],
    ['1000', 'CNY', 100000n],
    ['0', 'CNY', 0n],
    ['0.01', 'USD', 1n],
    ['12.3', 'EUR', 1230n],
    ['-0', 'CNY', 0n],
    ['-0.00', 'HKD', 0n],
    ['1000', 'JPY', 1000n],
    ['-5', 'KRW', -5n],
    ['1.234', 'BHD', 1234n],
    ['0.5', 'BHD', 500n],
    ['-0.001', 'KWD', -1n],
    ['92233720368547758.07', 'CNY', 9223372036854775807n],
  ])('parses %s %s as %s minor units', (text, currency, expectedMinor) => {
    expect(parseDecimal(text, currency)).toBe(expectedMinor);
  });

  it.each([
    ['', 'CNY', /empty/],
    [' 1', 'CNY', /plain decimal/],
    ['1 ', 'CNY', /plain decimal/],
    ['+1', 'CNY', /plain decimal/],
    ['1e3', 'CNY', /plain decimal/],
    ['1E-2', 'CNY', /plain decimal/],
    ['1.2.3', 'CNY', /plain decimal/],
    ['.5', 'CNY', /plain decimal/],
    ['5.', 'CNY', /plain decimal/],
    ['1,000', 'CNY', /plain decimal/],
    ['--1', 'CNY', /plain decimal/],
    ['-', 'CNY', /plain decimal/],
    ['0x10', 'CNY', /plain decimal/],
    ['abc', 'CNY', /plain decimal/],
    ['NaN', 'CNY', /plain decimal/],
    ['Infinity', 'CNY', /plain decimal/],
    ['１２', 'CNY', /plain decimal/],
    ['012', 'CNY', /leading zeros/],
    ['-00.5', 'CNY', /leading zeros/],
    ['12.345', 'CNY', /more than 2 decimal places allowed for CNY/],
    ['12.340', 'CNY', /more than 2 decimal places/],
    ['100.0', 'JPY', /JPY has no minor unit/],
    ['1.2345', 'BHD', /more than 3 decimal places allowed for BHD/],
    ['1'.repeat(MAX_DECIMAL_TEXT_LENGTH + 1), 'CNY', /longer than 64/],
  ])('rejects %j for %s', (text, currency, message) => {
    expect(() => parseDecimal(text, currency)).toThrow(MoneyFormatError);
    expect(() => parseDecimal(text, currency)).toThrow(message);
  });

  it('rejects unknown currencies and non-strings', () => {
    expect(() => parseDecimal('1', 'XYZ')).toThrow(UnknownCurrencyError);
    expect(() => parseDecimal(1 as unknown as string, 'CNY')).toThrow(/must be a decimal string/);
  });

  it('wraps into Money', () => {
    expect(parseMoney('12.34', 'CNY')).toEqual(money(1234n, 'CNY'));
  });
});

describe('formatDecimal', () => {
  it.each([
    [1234n, 'CNY', '12.34'],
    [-50n, 'CNY', '-0.50'],
    [0n, 'CNY', '0.00'],
    [5n, 'USD', '0.05'],
    [100000n, 'CNY', '1000.00'],
    [1000n, 'JPY', '1000'],
    [-7n, 'KRW', '-7'],
    [1n, 'BHD', '0.001'],
    [-1n, 'KWD', '-0.001'],
    [1234567n, 'BHD', '1234.567'],
    [123456789012345678901234567890n, 'CNY', '1234567890123456789012345678.90'],
  ])('formats %s %s as %s', (amountMinor, currency, expected) => {
    expect(formatDecimal(amountMinor, currency)).toBe(expected);
  });

  it('round-trips every amount in every currency: parse(format(x)) = x', () => {
    fc.assert(
      fc.property(fc.constantFrom(...currencyCodes), amountsMinor, (currency, amountMinor) => {
        expect(parseDecimal(formatDecimal(amountMinor, currency), currency)).toBe(amountMinor);
      }),
    );
  });

  it('round-trips canonical text: format(parse(text)) = text', () => {
    const canonicalText = fc
      .tuple(
        fc.constantFrom(...currencyCodes),
        fc.boolean(),
        fc.bigInt({ min: 0n, max: 10n ** 30n }),
        fc.bigInt({ min: 0n, max: 10n ** 18n }),
      )
      .map(([currency, negative, integerPart, fractionSeed]) => {
        const exponent = currencyExponent(currency);
        const fraction =
          exponent === 0
            ? ''
            : `.${(fractionSeed % 10n ** BigInt(exponent)).toString().padStart(exponent, '0')}`;
        const isZero = integerPart === 0n && /^\.?0*$/.test(fraction);
        const sign = negative && !isZero ? '-' : '';
        return { currency, text: `${sign}${integerPart.toString()}${fraction}` };
      });
    fc.assert(
      fc.property(canonicalText, ({ currency, text }) => {
        expect(formatDecimal(parseDecimal(text, currency), currency)).toBe(text);
      }),
    );
  });

  it('pads a shorter fraction to the exponent', () => {
    expect(formatDecimal(parseDecimal('12.3', 'CNY'), 'CNY')).toBe('12.30');
    expect(formatDecimal(parseDecimal('-0', 'CNY'), 'CNY')).toBe('0.00');
  });
});

describe('formatMoney', () => {
  it.each([
    [money(1234n, 'CNY'), {}, '¥12.34'],
    [money(100n, 'USD'), {}, 'US$1.00'],
    [money(123456n, 'CNY'), {}, '¥1,234.56'],
    [money(123456n, 'CNY'), { grouping: false }, '¥1234.56'],
    [money(123456789012n, 'CNY'), {}, '¥1,234,567,890.12'],
    [money(-50n, 'CNY'), {}, '-¥0.50'],
    [money(100000n, 'CNY'), {}, '¥1,000.00'],
    [money(99999n, 'CNY'), {}, '¥999.99'],
    [money(1000n, 'JPY'), {}, 'JP¥1,000'],
    [money(1000n, 'JPY'), { locale: 'en-US' }, '¥1,000'],
    [money(1234n, 'CNY'), { locale: 'en-US' }, 'CN¥12.34'],
    [money(100n, 'USD'), { locale: 'en-US' }, '$1.00'],
    [money(1234n, 'BHD'), {}, 'BHD 1.234'],
    [money(-1234567n, 'KWD'), {}, '-KWD 1,234.567'],
  ] as const)('formats %o with %o as %s', (value, options, expected) => {
    expect(formatMoney(value, options)).toBe(expected);
  });

  it('never changes the digits, only decorates them', () => {
    fc.assert(
      fc.property(fc.constantFrom(...currencyCodes), amountsMinor, (currency, amountMinor) => {
        const shown = formatMoney(money(amountMinor, currency));
        const digitsOnly = shown.replace(/[^\d.-]/g, '');
        expect(digitsOnly).toBe(formatDecimal(amountMinor, currency));
      }),
    );
  });
});
