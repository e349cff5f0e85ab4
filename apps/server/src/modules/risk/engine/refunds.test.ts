/**
 * Merchant refunds in the pure engine (subject `merchant_refund`): their features, the state
 * they read and change, and the shipped refund rules — an ordinary refund passes, a merchant
 * emptying itself does not.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_SET, MERCHANT_REFUND_RULES } from './default-rules.ts';
import { judge } from './engine.ts';
import {
  COUNTERS,
  FEATURES,
  derive,
  featuresOf,
  refundChanges,
  stateKeys,
  successChanges,
  windowKey,
} from './features.ts';
import { MemoryRiskStateStore } from './memory-store.ts';
import { evaluate, parseRuleSet } from './rules.ts';
import type { MerchantRefundFacts, PaymentFacts, RiskState } from './types.ts';

const AT = new Date('2026-04-01T12:00:00+08:00');
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const YUAN = 100n;

function refund(overrides: Partial<MerchantRefundFacts> = {}): MerchantRefundFacts {
  return {
    subject: 'merchant_refund',
    merchantId: 'm1',
    ownerUserId: 'owner1',
    refundId: 'r1',
    amountMinor: 30n * YUAN,
    currency: 'CNY',
    orderPaidMinor: 100n * YUAN,
    orderRefundedMinor: 0n,
    orderPaidAt: new Date(AT.getTime() - 10 * MINUTE_MS),
    payerUserId: 'payer1',
    at: AT,
    ...overrides,
  };
}

function merchantPayment(overrides: Partial<PaymentFacts> = {}): PaymentFacts {
  return {
    subject: 'payment',
    kind: 'merchant_order',
    holderId: 'payer1',
    amountMinor: 100n * YUAN,
    currency: 'CNY',
    payee: 'merchant:m1',
    payeeHolderId: null,
    deviceId: 'd1',
    ip: null,
    cardId: null,
    cardBin: null,
    balanceMinor: null,
    at: AT,
    ...overrides,
  };
}

function state(overrides: Partial<RiskState> = {}): RiskState {
  return {
    windows: {},
    amountHistogram: null,
    payeeFirstPaidAt: null,
    deviceFirstSeenAt: null,
    holderFirstSeenAt: null,
    lastSignIn: null,
    place: null,
    lastCredentialResetAt: null,
    lists: { deny: [], allow: [] },
    ...overrides,
  };
}

const refunds = COUNTERS.merchantRefunds.key('m1');
const takings = COUNTERS.merchantTakings.key('m1');

describe('a refund’s features', () => {
  it('are exactly the refund subject’s, of the catalogue’s types, and none of a holder’s', () => {
    const features = derive(refund(), state());
    expect(Object.keys(features).sort()).toEqual(featuresOf('merchant_refund').sort());
    for (const [name, value] of Object.entries(features)) {
      const definition = FEATURES[name as keyof typeof FEATURES];
      if (value !== null) expect([name, typeof value]).toEqual([name, definition.type]);
    }
    expect(features).not.toHaveProperty('holder_payments_1h');
    expect(features).not.toHaveProperty('payee_first_time');
  });

  it('read the merchant’s refund and takings windows only', () => {
    expect(stateKeys(refund()).sort()).toEqual(
      [windowKey(refunds, 3600), windowKey(refunds, 86_400), windowKey(takings, 86_400)].sort(),
    );
  });

  it('measure the refund against its order and the merchant’s day, this refund included', () => {
    const features = derive(
      refund({ amountMinor: 40n * YUAN, orderRefundedMinor: 60n * YUAN }),
      state({
        windows: {
          [windowKey(refunds, 3600)]: { count: 4, sum: 200_00 },
          [windowKey(refunds, 86_400)]: { count: 9, sum: 900_00 },
          [windowKey(takings, 86_400)]: { count: 20, sum: 2000_00 },
        },
      }),
    );
    expect(features).toMatchObject({
      refund_amount_minor: 40_00,
      order_paid_minor: 100_00,
      refund_share_of_order: 0.4,
      order_fully_refunded_after: true,
      minutes_since_order_paid: 10,
      merchant_refunds_1h: 5,
      merchant_refunds_24h: 10,
      merchant_refunds_24h_minor: 940_00,
      merchant_takings_24h_minor: 2000_00,
      merchant_refund_to_takings_24h: 0.47,
      denied_payee: false,
    });
  });

  it('leave the ratio to takings empty on a day with nothing taken, and a part refund not full', () => {
    const features = derive(refund(), state());
    expect(features.merchant_refund_to_takings_24h).toBeNull();
    expect(features.merchant_refunds_1h).toBe(1);
    expect(features.order_fully_refunded_after).toBe(false);
  });

  it('see the payee lists: the payer who gets the money back', () => {
    expect(derive(refund(), state({ lists: { deny: ['payee'], allow: [] } })).denied_payee).toBe(true);
  });
});

describe('what refunds and payments change', () => {
  it('a refund let through counts in the merchant’s refunds, with its amount', () => {
    expect(refundChanges(refund())).toEqual([{ type: 'counter', key: refunds, amount: 30_00, at: AT }]);
  });

  it('a payment into a merchant counts in its takings; one into a wallet does not', () => {
    expect(successChanges(merchantPayment())).toContainEqual({
      type: 'counter',
      key: takings,
      amount: 100_00,
      at: AT,
    });
    const transfer = successChanges(
      merchantPayment({ kind: 'transfer', payee: 'user:h2', payeeHolderId: 'h2' }),
    );
    expect(transfer.some((c) => c.type === 'counter' && c.key.startsWith('merchant:'))).toBe(false);
  });

  it('a refund changes no holder’s state: neither the owner’s nor the payer’s', () => {
    const store = new MemoryRiskStateStore({ placeOf: () => null });
    const before = store.readNow(merchantPayment({ payee: 'user:h2', payeeHolderId: 'h2' }));
    store.apply(refundChanges(refund()));
    expect(store.readNow(merchantPayment({ payee: 'user:h2', payeeHolderId: 'h2' }))).toEqual(before);
  });
});

describe('the shipped refund rules', () => {
  const judged = (facts: MerchantRefundFacts, given: Partial<RiskState> = {}) =>
    evaluate(DEFAULT_RULE_SET, 'merchant_refund', derive(facts, state(given)));

  it('are in the default rule set, which still validates against the catalogue', () => {
    expect(parseRuleSet(JSON.parse(JSON.stringify(DEFAULT_RULE_SET)))).toEqual({
      ok: true,
      ruleSet: DEFAULT_RULE_SET,
    });
    const ids = DEFAULT_RULE_SET.rules.map((rule) => rule.id);
    for (const rule of MERCHANT_REFUND_RULES) {
      expect(rule.subject).toBe('merchant_refund');
      expect(ids).toContain(rule.id);
    }
  });

  it('let ordinary refunds through: a part or the whole, minutes or weeks after', () => {
    const busyDay = {
      windows: {
        [windowKey(refunds, 3600)]: { count: 3, sum: 150_00 },
        [windowKey(refunds, 86_400)]: { count: 8, sum: 600_00 },
        [windowKey(takings, 86_400)]: { count: 200, sum: 20_000_00 },
      },
    };
    for (const facts of [
      refund(),
      refund({ amountMinor: 100n * YUAN }),
      refund({ amountMinor: 100n * YUAN, orderPaidAt: new Date(AT.getTime() - 20 * DAY_MS) }),
      // A large order returned whole a week later, on a day with takings.
      refund({
        amountMinor: 1500n * YUAN,
        orderPaidMinor: 1500n * YUAN,
        orderPaidAt: new Date(AT.getTime() - 7 * DAY_MS),
      }),
      // A small order returned whole months later.
      refund({ amountMinor: 100n * YUAN, orderPaidAt: new Date(AT.getTime() - 90 * DAY_MS) }),
    ]) {
      expect(judged(facts, busyDay)).toMatchObject({ decision: 'allow', fired: [] });
    }
  });

  it('ask for review of the thirty-first refund in an hour, not the thirtieth', () => {
    const hour = (count: number) => ({
      windows: { [windowKey(refunds, 3600)]: { count, sum: count * 100 } },
    });
    expect(judged(refund(), hour(29)).decision).toBe('allow');
    expect(judged(refund(), hour(30))).toMatchObject({ decision: 'review', fired: ['refund_burst'] });
  });

  it('ask for review when a day’s refunds pass 80 % of its takings and ¥2,000', () => {
    const day = (refunded: number, taken: number) => ({
      windows: {
        [windowKey(refunds, 86_400)]: { count: 5, sum: refunded },
        [windowKey(takings, 86_400)]: { count: 50, sum: taken },
      },
    });
    expect(judged(refund(), day(2000_00, 2500_00))).toMatchObject({
      decision: 'review',
      fired: ['refunds_near_takings'],
    });
    // Below 80 %, or a small shop's small day.
    expect(judged(refund(), day(1900_00, 2500_00)).decision).toBe('allow');
    expect(judged(refund(), day(1000_00, 1000_00)).decision).toBe('allow');
  });

  it('ask for review of an order of ¥1,000 or more refunded in full more than 30 days later', () => {
    const late = refund({
      amountMinor: 600n * YUAN,
      orderPaidMinor: 1200n * YUAN,
      orderRefundedMinor: 600n * YUAN,
      orderPaidAt: new Date(AT.getTime() - 31 * DAY_MS),
    });
    expect(judged(late)).toMatchObject({ decision: 'review', fired: ['late_full_refund_large'] });
    // A part of it, or within 30 days, passes.
    expect(judged({ ...late, orderRefundedMinor: 0n }).decision).toBe('allow');
    expect(judged({ ...late, orderPaidAt: new Date(AT.getTime() - 29 * DAY_MS) }).decision).toBe('allow');
  });

  it('block a refund to a deny-listed payer', () => {
    expect(judged(refund(), { lists: { deny: ['payee'], allow: [] } })).toMatchObject({
      decision: 'block',
      fired: ['deny_listed_refund_payee'],
    });
  });

  it('are never fired by a payment, nor a payment’s rules by a refund', () => {
    const features = derive(refund(), state());
    const payment = evaluate(DEFAULT_RULE_SET, 'payment', { ...features, merchant_refunds_1h: 100 });
    expect(payment.fired.some((id) => MERCHANT_REFUND_RULES.some((rule) => rule.id === id))).toBe(false);
    const asRefund = evaluate(DEFAULT_RULE_SET, 'merchant_refund', { ...features, holder_payments_1m: 50 });
    expect(asRefund.fired).toEqual([]);
  });
});

describe('refunds through the engine (memory store)', () => {
  it('counts the refunds let through: of 32 in an hour, the 31st is reviewed; refused ones do not count', async () => {
    const store = new MemoryRiskStateStore({ placeOf: () => null });
    const decisions: string[] = [];
    for (let i = 0; i < 32; i += 1) {
      const at = new Date(AT.getTime() + i * MINUTE_MS);
      const { judgement } = await judge(
        store,
        refund({ refundId: `r${i}`, amountMinor: 1n, at }),
        DEFAULT_RULE_SET,
      );
      decisions.push(judgement.decision);
    }
    expect(decisions.slice(0, 30).every((d) => d === 'allow')).toBe(true);
    expect(decisions.slice(30)).toEqual(['review', 'review']);
    // The refused ones moved nothing: the 30 let through are what the next refund is measured on.
    const fortyMinutesOn = refund({ at: new Date(AT.getTime() + 40 * MINUTE_MS) });
    const next = derive(fortyMinutesOn, await store.read(fortyMinutesOn));
    expect(next.merchant_refunds_1h).toBe(31);
    // An hour after the first, the window has moved on (the memory store's windows are exact).
    const later = new Date(AT.getTime() + 90 * MINUTE_MS);
    const after = await judge(store, refund({ at: later }), DEFAULT_RULE_SET);
    expect(after.judgement.decision).toBe('allow');
  });

  it('measures refunds against the takings recorded from merchant payments', async () => {
    const store = new MemoryRiskStateStore({ placeOf: () => null });
    await store.recordSuccess(merchantPayment({ amountMinor: 2400n * YUAN }));
    const big = refund({ amountMinor: 2000n * YUAN, orderPaidMinor: 2400n * YUAN });
    const { judgement, features } = await judge(store, big, DEFAULT_RULE_SET);
    expect(features.merchant_takings_24h_minor).toBe(2400_00);
    expect(judgement).toMatchObject({ decision: 'review', fired: ['refunds_near_takings'] });
  });
});
