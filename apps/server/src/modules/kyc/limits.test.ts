import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@qianbao/ledger';
import { openTestLedger, type TestLedger } from '../../../../../test/support/ledger.ts';
import { shanghaiCalendar } from '../../platform/calendar.ts';
import { planPaymentLimits, payeeBalanceCap, limitNameOfKey } from './limits.ts';
import { DEFAULT_TIER_LIMITS } from './tiers.ts';

describe('planPaymentLimits', () => {
  const now = new Date('2026-11-21T16:30:00Z'); // 00:30 on 22 November in Shanghai

  it('uses the Shanghai calendar day and year for the counters', () => {
    expect(shanghaiCalendar(now)).toEqual({ day: '2026-11-22', year: '2026' });
    expect(shanghaiCalendar(new Date('2026-12-31T16:00:00Z'))).toEqual({ day: '2027-01-01', year: '2027' });
    const plan = planPaymentLimits({
      payerUserId: 'u1',
      payerLimits: DEFAULT_TIER_LIMITS.T1,
      amountMinor: 1n,
      now,
    });
    expect(plan.ledgerLimits).toEqual([
      { key: 'kyc:day:u1:2026-11-22', max: 10_000_00n },
      { key: 'kyc:year:u1:2026', max: 200_000_00n },
    ]);
    expect(plan.ledgerLimits.map((l) => limitNameOfKey(l.key))).toEqual(['daily', 'yearly']);
  });

  it('refuses a single payment over the tier limit at once', () => {
    expect(
      planPaymentLimits({ payerUserId: 'u', payerLimits: DEFAULT_TIER_LIMITS.T0, amountMinor: 500_01n, now }),
    ).toEqual({ refusal: { limit: 'single', maxMinor: 500_00n }, ledgerLimits: [] });
  });

  it('T3 has no yearly counter; own-card movements skip the yearly one; static QR adds 500/day', () => {
    const t3 = planPaymentLimits({
      payerUserId: 'u',
      payerLimits: DEFAULT_TIER_LIMITS.T3,
      amountMinor: 1n,
      now,
    });
    expect(t3.ledgerLimits.map((l) => l.key)).toEqual(['kyc:day:u:2026-11-22']);
    const ownCard = planPaymentLimits({
      payerUserId: 'u',
      payerLimits: DEFAULT_TIER_LIMITS.T2,
      amountMinor: 1n,
      now,
      countsTowardYear: false,
    });
    expect(ownCard.ledgerLimits.map((l) => l.key)).toEqual(['kyc:day:u:2026-11-22']);
    const qr = planPaymentLimits({
      payerUserId: 'u',
      payerLimits: DEFAULT_TIER_LIMITS.T3,
      amountMinor: 1n,
      now,
      staticMerchantQr: true,
    });
    expect(qr.ledgerLimits).toContainEqual({ key: 'kyc:qr-static:day:u:2026-11-22', max: 500_00n });
    expect(payeeBalanceCap(DEFAULT_TIER_LIMITS.T0)).toBe(1_000_00n);
    expect(payeeBalanceCap(DEFAULT_TIER_LIMITS.T3)).toBeUndefined();
  });
});

describe('tier limits enforced inside the ledger batch', () => {
  let t: TestLedger;
  beforeAll(async () => (t = await openTestLedger()));
  afterAll(async () => t.close());

  it('concurrent payments that together pass the T1 daily limit: exactly the ones that fit go through', async () => {
    const payer = await t.customer();
    const payee = await t.customer();
    await t.fund(payer, 20_000_00n);
    const now = new Date();
    // 25 payments of 1,000.00 at once against a daily limit of 10,000.00
    const attempts = Array.from({ length: 25 }, () => {
      const plan = planPaymentLimits({
        payerUserId: 'holder-1',
        payerLimits: DEFAULT_TIER_LIMITS.T1,
        amountMinor: 1_000_00n,
        now,
      });
      return t.ledger.createTransfers([
        {
          id: newId(),
          debitAccountId: payer,
          creditAccountId: payee,
          amount: 1_000_00n,
          currency: 'CNY',
          code: 20,
          limits: plan.ledgerLimits,
        },
      ]);
    });
    const results = (await Promise.all(attempts)).map(([o]) => o!.result);
    expect(results.filter((r) => r === 'ok')).toHaveLength(10);
    expect(results.filter((r) => r === 'limitExceeded')).toHaveLength(15);
    expect((await t.ledger.getBalance(payee))!.postedBalance).toBe(10_000_00n);
    await t.assertBooks();
  });

  it("the payee's T0 balance cap holds under concurrency too", async () => {
    const payer = await t.customer();
    const payee = await t.customer();
    await t.fund(payer, 5_000_00n);
    const cap = payeeBalanceCap(DEFAULT_TIER_LIMITS.T0)!;
    const results = (
      await Promise.all(
        Array.from({ length: 12 }, () =>
          t.ledger.createTransfers([
            {
              id: newId(),
              debitAccountId: payer,
              creditAccountId: payee,
              amount: 100_00n,
              currency: 'CNY',
              code: 20,
              creditBalanceCap: cap,
            },
          ]),
        ),
      )
    ).map(([o]) => o!.result);
    expect(results.filter((r) => r === 'ok')).toHaveLength(10);
    expect(results.filter((r) => r === 'exceedsBalanceCap')).toHaveLength(2);
    await t.assertBooks();
  });
});
