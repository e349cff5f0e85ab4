import { describe, expect, it } from 'vitest';
import { newOrderNumber } from '../lib/order-number.ts';
import { orderNumberValid, refundNumberValid, shanghaiToday, staffPhone, takingsTicks } from './numbers.ts';

describe('the portal’s numbers', () => {
  it('makes order numbers stamped in Beijing time, valid as order numbers', () => {
    // 18:31 UTC on the 6th is 02:31 on the 7th in Beijing: the day the statement lists it under.
    const number = newOrderNumber(new Date('2026-12-06T18:31:00Z'));
    expect(number).toMatch(/^20261207023100[A-Z2-9]{4}$/);
    expect(orderNumberValid(number)).toBe(true);
  });

  it('takes a cashier’s phone number as 11 digits starting with 1', () => {
    expect(staffPhone('13800138000')).toBe('13800138000');
    expect(staffPhone(' 138-0013-8000 ')).toBe('13800138000');
    expect(staffPhone('+86 138 0013 8000')).toBe('13800138000');
    expect(staffPhone('1380013800')).toBeNull();
    expect(staffPhone('23800138000')).toBeNull();
    expect(staffPhone('138001380001')).toBeNull();
    expect(staffPhone('')).toBeNull();
  });

  it('checks order and refund numbers as the API does', () => {
    expect(orderNumberValid('20251206181540AB')).toBe(true);
    expect(orderNumberValid('a_b-C')).toBe(true);
    expect(orderNumberValid('')).toBe(false);
    expect(orderNumberValid('x'.repeat(26))).toBe(false);
    expect(orderNumberValid('订单1')).toBe(false);
    expect(refundNumberValid('x'.repeat(32))).toBe(true);
    expect(refundNumberValid('x'.repeat(33))).toBe(false);
  });

  it('dates by the merchants’ calendar (Asia/Shanghai), whatever the computer’s time zone', () => {
    // 16:30 UTC is 00:30 the next day in Shanghai.
    expect(shanghaiToday(new Date('2025-12-06T16:30:00Z'))).toBe('2025-12-07');
    expect(shanghaiToday(new Date('2025-12-06T15:59:59Z'))).toBe('2025-12-06');
  });

  it('gives the takings axis round steps in fen that reach the best day', () => {
    expect(takingsTicks([0n, 3800n])).toEqual([0, 1000, 2000, 3000, 4000]);
    expect(takingsTicks([1n])).toEqual([0, 1]);
    expect(takingsTicks([12_345_67n])).toEqual([0, 500_000, 1_000_000, 1_500_000]);
    expect(takingsTicks([10_000n])).toEqual([0, 2000, 4000, 6000, 8000, 10_000]);
    // An empty month: ¥0–¥100.
    expect(takingsTicks([0n, 0n])).toEqual([0, 2000, 4000, 6000, 8000, 10_000]);
    expect(takingsTicks([])).toEqual([0, 2000, 4000, 6000, 8000, 10_000]);
  });
});
