import { describe, expect, it } from 'vitest';
import { decisionRefusal, familyOf, parseSettingValue, valueInForce } from './plan.ts';
import type { ApprovedSetting } from './plan.ts';

const at = (iso: string) => new Date(iso);
function change(id: string, setting: string, effective: string, decided: string): ApprovedSetting {
  return { id, setting, value: { id }, effectiveAt: at(effective), decidedAt: at(decided) };
}

describe('the value in force at a time', () => {
  const changes = [
    change('a', 'password_free', '2026-12-01T00:00:00Z', '2026-11-30T10:00:00Z'),
    change('b', 'password_free', '2026-12-10T00:00:00Z', '2026-12-02T10:00:00Z'),
    // approved later for the same instant: it wins
    change('c', 'password_free', '2026-12-10T00:00:00Z', '2026-12-03T10:00:00Z'),
    change('d', 'withdrawal_fee', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z'),
  ];

  it('is the approved change with the latest effective time not after it, else none (the default)', () => {
    expect(valueInForce(changes, 'password_free', at('2026-11-30T23:59:59Z'))).toBeNull();
    expect(valueInForce(changes, 'password_free', at('2026-12-01T00:00:00Z'))?.id).toBe('a');
    expect(valueInForce(changes, 'password_free', at('2026-12-09T23:59:59Z'))?.id).toBe('a');
    expect(valueInForce(changes, 'password_free', at('2026-12-10T00:00:00Z'))?.id).toBe('c');
    expect(valueInForce(changes, 'withdrawal_fee', at('2027-01-01T00:00:00Z'))?.id).toBe('d');
    expect(valueInForce(changes, 'bank_transfer_fee', at('2027-01-01T00:00:00Z'))).toBeNull();
  });
});

describe('who decides', () => {
  it('another operator, once', () => {
    expect(decisionRefusal({ status: 'proposed', makerId: 'm', operatorId: 'c' })).toBeNull();
    expect(decisionRefusal({ status: 'proposed', makerId: 'm', operatorId: 'm' })).toBe(
      'APPROVAL_OWN_CHANGE',
    );
    for (const status of ['approved', 'rejected', 'cancelled', 'applied', 'failed'] as const) {
      expect(decisionRefusal({ status, makerId: 'm', operatorId: 'c' })).toBe('APPROVAL_ALREADY_DECIDED');
    }
  });
});

describe('the settings and their values', () => {
  it('knows each setting by its key', () => {
    expect(familyOf('tier_limits.T3')).toBe('tier_limits');
    expect(familyOf('tier_limits.T4')).toBeNull();
    expect(familyOf('merchant_rate.mcc.5812')).toBe('merchant_rate');
    expect(familyOf('merchant_rate.merchant.01a24ee7-8453-7000-acb6-c634f63dd662')).toBe('merchant_rate');
    expect(familyOf('merchant_rate.mcc.58')).toBeNull();
    expect(familyOf('interest_rate')).toBeNull();
  });

  it('checks shapes and bounds: fen as digit strings, rates in range, password-free within ¥1,000', () => {
    const limits = {
      balanceCap: null,
      singlePayment: '50000',
      daily: '100000',
      yearly: null,
      mayWithdraw: true,
      maySendAbroad: false,
    };
    expect(parseSettingValue('tier_limits.T1', limits)).toEqual({ ok: true, value: limits });
    expect(parseSettingValue('tier_limits.T1', { ...limits, daily: 100000 }).ok).toBe(false);
    expect(parseSettingValue('tier_limits.T1', { ...limits, daily: '1.5' }).ok).toBe(false);
    expect(parseSettingValue('tier_limits.T1', { ...limits, extra: 1 }).ok).toBe(false);
    expect(parseSettingValue('password_free', { maxPerPayment: '20000', dailyMax: '100000' }).ok).toBe(true);
    expect(parseSettingValue('password_free', { maxPerPayment: '20000', dailyMax: '100001' }).ok).toBe(false);
    expect(parseSettingValue('password_free', { maxPerPayment: '30000', dailyMax: '20000' }).ok).toBe(false);
    expect(parseSettingValue('merchant_rate.default', { basisPoints: 10_001 }).ok).toBe(false);
    expect(
      parseSettingValue('withdrawal_fee', { freeMonthly: '0', basisPoints: 1001, minimum: '1' }).ok,
    ).toBe(false);
    expect(parseSettingValue('bank_transfer_fee', { basisPoints: 10, minimum: '10', maximum: '5' }).ok).toBe(
      false,
    );
  });
});
