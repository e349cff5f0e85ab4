import { describe, expect, it } from 'vitest';
import {
  currencyExponent,
  getCurrency,
  isCurrencyCode,
  listCurrencies,
  minorUnitsPerMajor,
  registerCurrency,
} from './currency.ts';
import { MoneyArgumentError, UnknownCurrencyError } from './errors.ts';

describe('currency registry', () => {
  it('knows the ISO 4217 exponents of domain rule 9', () => {
    const expected: [string, string, number][] = [
      ['CNY', '156', 2],
      ['USD', '840', 2],
      ['EUR', '978', 2],
      ['HKD', '344', 2],
      ['GBP', '826', 2],
      ['SGD', '702', 2],
      ['JPY', '392', 0],
      ['KRW', '410', 0],
      ['BHD', '048', 3],
      ['KWD', '414', 3],
    ];
    for (const [code, numeric, exponent] of expected) {
      expect(getCurrency(code)).toEqual({ code, numeric, exponent });
      expect(currencyExponent(code)).toBe(exponent);
      expect(isCurrencyCode(code)).toBe(true);
    }
    expect(minorUnitsPerMajor('CNY')).toBe(100n);
    expect(minorUnitsPerMajor('JPY')).toBe(1n);
    expect(minorUnitsPerMajor('BHD')).toBe(1000n);
  });

  it('rejects unknown codes with a clear error', () => {
    expect(isCurrencyCode('XYZ')).toBe(false);
    expect(isCurrencyCode('cny')).toBe(false);
    expect(isCurrencyCode(156)).toBe(false);
    expect(() => getCurrency('XYZ')).toThrow(UnknownCurrencyError);
    expect(() => currencyExponent('cny')).toThrow(/Unknown currency "cny"/);
    try {
      getCurrency('XYZ');
    } catch (error) {
      expect(error).toMatchObject({ code: 'UNKNOWN_CURRENCY', currency: 'XYZ' });
    }
  });

  it('registers more currencies at start-up, idempotently', () => {
    expect(isCurrencyCode('CLF')).toBe(false);
    const clf = registerCurrency({ code: 'CLF', numeric: '990', exponent: 4 });
    expect(registerCurrency({ code: 'CLF', numeric: '990', exponent: 4 })).toBe(clf);
    expect(currencyExponent('CLF')).toBe(4);
    expect(listCurrencies().map((currency) => currency.code)).toContain('CLF');
  });

  it('refuses to redefine or clash with an existing currency', () => {
    expect(() => registerCurrency({ code: 'CNY', numeric: '156', exponent: 3 })).toThrow(MoneyArgumentError);
    expect(() => registerCurrency({ code: 'XTS', numeric: '156', exponent: 2 })).toThrow(
      /already used by CNY/,
    );
    expect(() => registerCurrency({ code: 'xts', numeric: '963', exponent: 2 })).toThrow(/three capital/);
    expect(() => registerCurrency({ code: 'XTS', numeric: '96', exponent: 2 })).toThrow(/three digits/);
    expect(() => registerCurrency({ code: 'XTS', numeric: '963', exponent: -1 })).toThrow(/Exponent/);
    expect(() => registerCurrency({ code: 'XTS', numeric: '963', exponent: 1.5 })).toThrow(/Exponent/);
    expect(isCurrencyCode('XTS')).toBe(false);
    expect(currencyExponent('CNY')).toBe(2);
  });
});
