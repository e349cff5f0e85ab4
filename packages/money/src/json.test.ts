import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listCurrencies } from './currency.ts';
import { MoneyFormatError } from './errors.ts';
import { fromJson, toJson } from './json.ts';
import { money } from './money.ts';

describe('toJson', () => {
  it('writes the amount as a string of integer minor units (domain rule 9)', () => {
    expect(toJson(money(1234n, 'CNY'))).toEqual({ amount: '1234', currency: 'CNY' });
    expect(JSON.stringify(toJson(money(-50n, 'BHD')))).toBe('{"amount":"-50","currency":"BHD"}');
    expect(toJson(money(2n ** 64n, 'JPY')).amount).toBe('18446744073709551616');
  });
});

describe('fromJson', () => {
  it.each([
    [{ amount: '1234', currency: 'CNY' }, 1234n, 'CNY'],
    [{ amount: '0', currency: 'JPY' }, 0n, 'JPY'],
    [{ amount: '-50', currency: 'BHD' }, -50n, 'BHD'],
    [{ amount: '9223372036854775807', currency: 'USD' }, 9223372036854775807n, 'USD'],
    [{ amount: '1', currency: 'KWD', note: 'extra properties are ignored' }, 1n, 'KWD'],
  ])('accepts %j', (value, amountMinor, currency) => {
    expect(fromJson(value)).toEqual(money(amountMinor, currency));
  });

  it.each([
    [{ amount: '1.5', currency: 'CNY' }, /integer minor units/],
    [{ amount: '01', currency: 'CNY' }, /leading zeros/],
    [{ amount: '', currency: 'CNY' }, /integer minor units/],
    [{ amount: ' 1', currency: 'CNY' }, /integer minor units/],
    [{ amount: '1 ', currency: 'CNY' }, /integer minor units/],
    [{ amount: '+1', currency: 'CNY' }, /integer minor units/],
    [{ amount: '-0', currency: 'CNY' }, /integer minor units/],
    [{ amount: '-01', currency: 'CNY' }, /integer minor units/],
    [{ amount: '1e3', currency: 'CNY' }, /integer minor units/],
    [{ amount: '1,000', currency: 'CNY' }, /integer minor units/],
    [{ amount: '0x10', currency: 'CNY' }, /integer minor units/],
    [{ amount: '1'.repeat(65), currency: 'CNY' }, /longer than 64/],
    [{ amount: 1, currency: 'CNY' }, /must be a string.*got number/],
    [{ amount: null, currency: 'CNY' }, /got null/],
    [{ currency: 'CNY' }, /got undefined/],
    [{ amount: '1', currency: 'XYZ' }, /"XYZ" is not a known ISO 4217 code/],
    [{ amount: '1', currency: 'cny' }, /not a known ISO 4217 code/],
    [{ amount: '1', currency: 156 }, /currency must be an ISO 4217 code string/],
    [{ amount: '1' }, /currency must be/],
    [1, /must be an object/],
    ['1234', /must be an object/],
    [null, /must be an object/],
    [['1234', 'CNY'], /must be an object/],
  ])('rejects %j', (value, message) => {
    expect(() => fromJson(value)).toThrow(MoneyFormatError);
    expect(() => fromJson(value)).toThrow(message);
  });

  it('rejects a bigint amount: JSON has none, so it is not a parsed body', () => {
    expect(() => fromJson({ amount: 1n, currency: 'CNY' })).toThrow(/must be a string.*got bigint/);
  });

  it('reports a stable error code', () => {
    expect(() => fromJson({ amount: '1.5', currency: 'CNY' })).toThrow(
      expect.objectContaining({ code: 'MONEY_FORMAT' }),
    );
  });

  it('round-trips through JSON text', () => {
    const codes = listCurrencies().map((currency) => currency.code);
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 60n), max: 10n ** 60n }),
        fc.constantFrom(...codes),
        (amountMinor, currency) => {
          const value = money(amountMinor, currency);
          expect(fromJson(JSON.parse(JSON.stringify(toJson(value)))).amountMinor).toBe(amountMinor);
        },
      ),
    );
  });
});
