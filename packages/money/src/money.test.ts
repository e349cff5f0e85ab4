import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CurrencyMismatchError, UnknownCurrencyError } from './errors.ts';
import {
  abs,
  add,
  compare,
  equals,
  isNegative,
  isPositive,
  isZero,
  money,
  negate,
  subtract,
  sum,
  zero,
} from './money.ts';

describe('Money arithmetic', () => {
  it('adds and subtracts in one currency', () => {
    expect(add(money(1234n, 'CNY'), money(66n, 'CNY'))).toEqual(money(1300n, 'CNY'));
    expect(subtract(money(100n, 'CNY'), money(150n, 'CNY'))).toEqual(money(-50n, 'CNY'));
    expect(sum('JPY', [money(1n, 'JPY'), money(2n, 'JPY'), money(3n, 'JPY')])).toEqual(money(6n, 'JPY'));
    expect(sum('CNY', [])).toEqual(zero('CNY'));
  });

  it('refuses to mix currencies', () => {
    expect(() => add(money(1n, 'CNY'), money(1n, 'USD'))).toThrow(CurrencyMismatchError);
    expect(() => subtract(money(1n, 'CNY'), money(1n, 'JPY'))).toThrow(/CNY and JPY/);
    expect(() => compare(money(1n, 'CNY'), money(1n, 'USD'))).toThrow(CurrencyMismatchError);
    expect(() => sum('CNY', [money(1n, 'CNY'), money(1n, 'HKD')])).toThrow(CurrencyMismatchError);
    try {
      add(money(1n, 'CNY'), money(1n, 'USD'));
    } catch (error) {
      expect(error).toMatchObject({ code: 'CURRENCY_MISMATCH', leftCurrency: 'CNY', rightCurrency: 'USD' });
    }
    expect(equals(money(1n, 'CNY'), money(1n, 'USD'))).toBe(false);
  });

  it('validates construction', () => {
    expect(() => money(1n, 'XYZ')).toThrow(UnknownCurrencyError);
    expect(() => money(1 as unknown as bigint, 'CNY')).toThrow(/must be a bigint/);
    expect(Object.isFrozen(money(1n, 'CNY'))).toBe(true);
  });

  it('compares, negates and classifies', () => {
    const amounts = [money(5n, 'CNY'), money(-3n, 'CNY'), money(0n, 'CNY')];
    expect([...amounts].sort(compare).map((value) => value.amountMinor)).toEqual([-3n, 0n, 5n]);
    expect(negate(money(5n, 'CNY'))).toEqual(money(-5n, 'CNY'));
    expect(negate(zero('CNY')).amountMinor).toBe(0n);
    expect(abs(money(-7n, 'CNY'))).toEqual(money(7n, 'CNY'));
    expect(isZero(zero('USD'))).toBe(true);
    expect(isPositive(money(1n, 'USD'))).toBe(true);
    expect(isNegative(money(-1n, 'USD'))).toBe(true);
    expect(isNegative(zero('USD'))).toBe(false);
  });

  it('add and subtract are inverse, exact beyond 2^53', () => {
    fc.assert(
      fc.property(fc.bigInt(), fc.bigInt(), (left, right) => {
        const a = money(left, 'CNY');
        const b = money(right, 'CNY');
        expect(subtract(add(a, b), b)).toEqual(a);
        expect(compare(add(a, b), a)).toBe(right > 0n ? 1 : right < 0n ? -1 : 0);
      }),
    );
    expect(add(money(2n ** 53n, 'CNY'), money(1n, 'CNY')).amountMinor).toBe(9007199254740993n);
  });
});
