import { describe, expect, it } from 'vitest';
import { shanghaiDate } from '../../platform/calendar.ts';
import { decideFactor, passwordFreeLimitKey } from './factor-policy.ts';
import type { HolderFactors } from './factor-policy.ts';
import { paymentChallenge, paymentHash, paymentHashOfChallenge } from './payment-binding.ts';

const userId = '0192f000-0000-7000-8000-000000000001';
const policy = { currency: 'CNY', dailyMaxMinor: 100_000n };
const now = new Date('2026-11-21T16:30:00Z'); // 00:30 on the 22nd in Shanghai
const plain: HolderFactors = {
  pinSet: true,
  passkeyCount: 0,
  totpEnabled: false,
  passwordFreeLimitMinor: 0n,
};

function decide(
  holder: HolderFactors,
  amountMinor: bigint,
  options: { riskStepUp?: boolean; currency?: string } = {},
) {
  return decideFactor({
    userId,
    holder,
    amountMinor,
    currency: options.currency ?? 'CNY',
    riskStepUp: options.riskStepUp ?? false,
    allowPasswordFree: true,
    policy,
    now,
  });
}

describe('which factor a payment needs', () => {
  it('asks for the PIN by default, and takes a passkey instead when the holder has one', () => {
    expect(decide(plain, 100n)).toEqual({
      factor: 'pin',
      accepted: ['pin'],
      reason: 'standard',
      ledgerLimits: [],
    });
    expect(decide({ ...plain, passkeyCount: 2 }, 100n).accepted).toEqual(['pin', 'passkey']);
  });

  it('lets a small CNY payment through password-free, counted per Shanghai day in the ledger', () => {
    const holder = { ...plain, passwordFreeLimitMinor: 20_000n };
    expect(shanghaiDate(now)).toBe('2026-11-22');
    expect(decide(holder, 20_000n)).toEqual({
      factor: 'none',
      accepted: ['none', 'pin'],
      reason: 'passwordFree',
      ledgerLimits: [{ key: `pwfree:day:${userId}:2026-11-22`, max: 100_000n }],
    });
    expect(passwordFreeLimitKey(userId, now)).toMatch(/^[A-Za-z0-9:._-]{1,128}$/);
    expect(decide(holder, 20_001n).factor).toBe('pin');
    expect(decide(holder, 100n, { currency: 'USD' }).factor).toBe('pin');
    expect(
      decideFactor({
        userId,
        holder,
        amountMinor: 100n,
        currency: 'CNY',
        riskStepUp: false,
        allowPasswordFree: false,
        policy,
        now,
      }).factor,
    ).toBe('pin');
  });

  it('steps up to a passkey, else TOTP, when risk asks; says so when the holder has neither', () => {
    const holder = { ...plain, passwordFreeLimitMinor: 20_000n };
    expect(decide({ ...holder, passkeyCount: 1, totpEnabled: true }, 100n, { riskStepUp: true })).toEqual({
      factor: 'passkey',
      accepted: ['passkey', 'totp'],
      reason: 'stepUp',
      ledgerLimits: [],
    });
    expect(decide({ ...holder, totpEnabled: true }, 100n, { riskStepUp: true })).toMatchObject({
      factor: 'totp',
      accepted: ['totp'],
    });
    expect(decide(holder, 100n, { riskStepUp: true })).toMatchObject({
      factor: 'pin',
      reason: 'stepUpUnavailable',
    });
  });
});

describe('payment binding', () => {
  const payment = {
    id: '0192f000-0000-7000-8000-0000000000aa',
    amountMinor: 12_345n,
    currency: 'CNY',
    payee: 'wallet:x',
  };

  it('hashes every field, unambiguously', () => {
    const hash = paymentHash(payment);
    expect(hash).toHaveLength(32);
    expect(paymentHash({ ...payment }).equals(hash)).toBe(true);
    for (const changed of [
      { ...payment, id: '0192f000-0000-7000-8000-0000000000ab' },
      { ...payment, amountMinor: 12_346n },
      { ...payment, currency: 'USD' },
      { ...payment, payee: 'wallet:y' },
      // Moving characters between fields changes the hash too (length prefixes).
      { ...payment, currency: 'CN', payee: 'Ywallet:x' },
    ]) {
      expect(paymentHash(changed).equals(hash)).toBe(false);
    }
  });

  it('puts the hash after a fresh nonce in the challenge', () => {
    const first = paymentChallenge(payment);
    const second = paymentChallenge(payment);
    expect(first).toHaveLength(48);
    expect(first.equals(second)).toBe(false);
    expect(paymentHashOfChallenge(first)!.equals(paymentHash(payment))).toBe(true);
    expect(paymentHashOfChallenge(Buffer.alloc(32))).toBeNull();
  });
});
