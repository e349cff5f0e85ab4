import { describe, expect, it } from 'vitest';
import {
  UNKNOWN,
  checkPassword,
  formatDateTime,
  formatMoney,
  isMainlandMobile,
  normalisePhone,
} from './format.ts';

describe('formatMoney', () => {
  it('formats integer fen exactly, with grouping', () => {
    expect(formatMoney({ amount: '0', currency: 'CNY' }, 'zh-CN')).toBe('¥0.00');
    expect(formatMoney({ amount: '5', currency: 'CNY' }, 'zh-CN')).toBe('¥0.05');
    expect(formatMoney({ amount: '123456', currency: 'CNY' }, 'zh-CN')).toBe('¥1,234.56');
    expect(formatMoney({ amount: '-100', currency: 'CNY' }, 'zh-CN')).toBe('-¥1.00');
    // Beyond 2^53: a float would already be wrong here.
    expect(formatMoney({ amount: '900719925474099312', currency: 'CNY' }, 'zh-CN')).toBe(
      '¥9,007,199,254,740,993.12',
    );
    expect(formatMoney({ amount: '1000', currency: 'JPY' }, 'zh-CN')).toBe('JP¥1,000');
  });

  it('writes yuan as ¥ in English too, as the amount inputs do (never CN¥)', () => {
    expect(formatMoney({ amount: '123456', currency: 'CNY' }, 'en')).toBe('¥1,234.56');
    expect(formatMoney({ amount: '-5', currency: 'CNY' }, 'en')).toBe('-¥0.05');
    expect(formatMoney({ amount: '1000', currency: 'JPY' }, 'en')).toBe('JP¥1,000');
  });
});

describe('formatDateTime', () => {
  it('is year-month-day and 24-hour in every language: never 12/05/2026', () => {
    // The test process runs in UTC or any zone: build the expectation from the same instant.
    const at = new Date(2026, 11, 5, 14, 3);
    for (const language of ['zh-CN', 'en', 'en-US']) {
      expect(formatDateTime(at.toISOString(), language)).toBe('2026-12-05 14:03');
    }
    expect(formatDateTime(new Date(2026, 0, 2, 0, 7).toISOString(), 'en')).toBe('2026-01-02 00:07');
    expect(formatDateTime(undefined, 'en')).toBe(UNKNOWN);
    expect(formatDateTime('not a date', 'en')).toBe(UNKNOWN);
  });
});

describe('formatMoney, unreadable input', () => {
  it('shows "—" for anything it cannot read, never a wrong figure', () => {
    expect(formatMoney(undefined, 'zh-CN')).toBe(UNKNOWN);
    expect(formatMoney(null, 'zh-CN')).toBe(UNKNOWN);
    expect(formatMoney({ amount: '12.34', currency: 'CNY' }, 'zh-CN')).toBe(UNKNOWN);
    expect(formatMoney({ amount: '1', currency: 'XXX' }, 'zh-CN')).toBe(UNKNOWN);
  });
});

describe('phone numbers', () => {
  it('accepts mainland mobiles with or without a country prefix', () => {
    for (const input of ['13800138000', '+8613800138000', '008613800138000', '86 138-0013-8000']) {
      expect(isMainlandMobile(input), input).toBe(true);
      expect(normalisePhone(input), input).toBe('13800138000');
    }
    for (const input of ['12800138000', '1380013800', '138001380001', '']) {
      expect(isMainlandMobile(input), input).toBe(false);
    }
  });
});

describe('checkPassword', () => {
  const failed = (password: string, phone?: string) =>
    checkPassword(password, phone)
      .filter((check) => !check.ok)
      .map((check) => check.key);

  it('ticks the rules the server applies', () => {
    expect(failed('Lotus-garden-88', '13800138000')).toEqual([]);
    expect(failed('short1', '13800138000')).toEqual(['minLength']);
    expect(failed('1234567890', '13800138000')).toEqual(['notAllDigits']);
    expect(failed('a13800138000', '13800138000')).toEqual(['notPhone']);
  });

  it('leaves the phone rule out when the number is not known', () => {
    expect(checkPassword('a13800138000').map((check) => check.key)).toEqual(['minLength', 'notAllDigits']);
  });
});
