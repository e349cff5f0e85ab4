import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_SET } from './default-rules.ts';
import { judge } from './engine.ts';
import { MemoryRiskStateStore } from './memory-store.ts';
import { evaluate, parseRuleSet } from './rules.ts';
import type { PaymentFacts, Place, SignInFacts } from './types.ts';

describe('the default rule set', () => {
  it('is a valid stored rule set, version 1, with §7’s thresholds', () => {
    const parsed = parseRuleSet(JSON.parse(JSON.stringify(DEFAULT_RULE_SET)));
    expect(parsed).toEqual({ ok: true, ruleSet: DEFAULT_RULE_SET });
    expect(DEFAULT_RULE_SET.version).toBe(1);
    expect(DEFAULT_RULE_SET.thresholds).toEqual({ stepUp: 65, review: 75, block: 90 });
  });

  it('covers §7: velocity, amount anomaly, new device, geo-velocity, night, deny lists, new payees', () => {
    const ids = DEFAULT_RULE_SET.rules.map((rule) => rule.id);
    for (const id of [
      'payment_burst',
      'pin_failures',
      'amount_over_median',
      'amount_over_p95_new_payee',
      'new_device_large_amount',
      'geo_velocity_payment',
      'geo_velocity_sign_in',
      'night_new_payee_large',
      'deny_listed_payee',
      'many_new_payees_day',
    ]) {
      expect(ids).toContain(id);
    }
  });

  it('blocks a deny-listed payee whatever else is true', () => {
    const judgement = evaluate(DEFAULT_RULE_SET, 'payment', { denied_payee: true, allowed_device: true });
    expect(judgement.decision).toBe('block');
  });

  it('steps up a large payment from a new device of an established holder, not of a new one', () => {
    const large = {
      kind_is_top_up: false,
      device_new: true,
      known_holder_new_device: true,
      amount_minor: 3000_00,
      amount_over_p95: null,
    };
    const judgement = evaluate(DEFAULT_RULE_SET, 'payment', large);
    expect(judgement.fired).toContain('new_device_large_amount');
    expect(judgement.decision).toBe('step_up');
    const newHolder = evaluate(DEFAULT_RULE_SET, 'payment', { ...large, known_holder_new_device: false });
    expect(newHolder.decision).toBe('allow');
  });

  it('counts five payments in a minute and three wrong PINs, which stop a payment with another signal', () => {
    const burst = evaluate(DEFAULT_RULE_SET, 'payment', { holder_payments_1m: 5 });
    expect(burst.fired).toEqual(['payment_burst']);
    // Alone they pass: 30 payments sent at once by a script, a holder fumbling the PIN (the PIN
    // lock of security stops the guessing).
    expect(burst.decision).toBe('allow');
    expect(evaluate(DEFAULT_RULE_SET, 'payment', { holder_payments_1m: 4 }).fired).toEqual([]);
    const fumbled = { holder_payments_1m: 6, holder_factor_failures_10m: 3 };
    expect(evaluate(DEFAULT_RULE_SET, 'payment', fumbled).decision).toBe('allow');
    // With a takeover's new phone and a new payee they stop it.
    const takeover = evaluate(DEFAULT_RULE_SET, 'payment', {
      ...fumbled,
      payee_first_time: true,
      payee_is_merchant: false,
      kind_is_top_up: false,
      known_holder_new_device: true,
    });
    expect(takeover.fired).toEqual(['payment_burst', 'pin_failures', 'new_device_new_payee']);
    expect(takeover.decision).toBe('block');
    // A burst of tiny top-ups from a brand-new account (card testing).
    const cardTesting = evaluate(DEFAULT_RULE_SET, 'payment', {
      holder_payments_1m: 5,
      holder_payments_10m: 5,
      kind_is_top_up: true,
      amount_minor: 1_00,
      holder_age_days: 0.01,
    });
    expect(cardTesting.decision).not.toBe('allow');
  });

  it('never adds score for an unknown place, alone or with anything else', () => {
    for (const subject of ['payment', 'sign_in'] as const) {
      expect(evaluate(DEFAULT_RULE_SET, subject, { place_unknown: true }).fired).toEqual([]);
    }
    const readsPlace = DEFAULT_RULE_SET.rules.filter((rule) =>
      JSON.stringify(rule.when).includes('"place_unknown"'),
    );
    expect(readsPlace.map((rule) => rule.id)).toEqual([]);
  });

  it('asks to step up a sign-in 1,000 km away an hour after the last', () => {
    const judgement = evaluate(DEFAULT_RULE_SET, 'sign_in', { geo_distance_km: 1067, geo_speed_kmh: 1067 });
    expect(judgement.decision).toBe('step_up');
    const train = evaluate(DEFAULT_RULE_SET, 'sign_in', { geo_distance_km: 1067, geo_speed_kmh: 300 });
    expect(train.decision).toBe('allow');
    const nearby = evaluate(DEFAULT_RULE_SET, 'sign_in', { geo_distance_km: 80, geo_speed_kmh: 4800 });
    expect(nearby.decision).toBe('allow');
  });
});

// ─── A new holder's first hour, and the same payment from an established holder's new phone ────

const SHANGHAI: Place = { city: 'Shanghai', latitude: 31.2304, longitude: 121.4737 };
const BEIJING: Place = { city: 'Beijing', latitude: 39.9042, longitude: 116.4074 };
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** Like the sandbox adapter, this one knows few addresses: 10.1.x.x is Shanghai, 10.2.x.x Beijing. */
function placeOf(ip: string): Place | null {
  if (ip.startsWith('10.1.')) return SHANGHAI;
  if (ip.startsWith('10.2.')) return BEIJING;
  return null;
}
const UNKNOWN_IP = '100.80.1.7';
const BALANCE = 1000_00n;

function signIn(holderId: string, deviceId: string, ip: string, at: Date): SignInFacts {
  return { subject: 'sign_in', holderId, deviceId, ip, at };
}

function payment(facts: Partial<PaymentFacts> & Pick<PaymentFacts, 'holderId' | 'at'>): PaymentFacts {
  return {
    subject: 'payment',
    kind: 'transfer',
    amountMinor: 500_00n,
    currency: 'CNY',
    payee: 'user:friend',
    payeeHolderId: 'friend',
    deviceId: 'phone',
    ip: UNKNOWN_IP,
    cardId: null,
    cardBin: null,
    balanceMinor: BALANCE,
    ...facts,
  };
}

/** Judge a sign-in and record it, as identity and the risk service do. */
async function signedIn(store: MemoryRiskStateStore, facts: SignInFacts) {
  const verdict = await judge(store, facts, DEFAULT_RULE_SET);
  await store.recordSignIn(facts, placeOf(facts.ip ?? ''));
  return verdict;
}

/** Judge a payment; when allowed, the ledger moves it and the engine records the success. */
async function paid(store: MemoryRiskStateStore, facts: PaymentFacts) {
  const verdict = await judge(store, facts, DEFAULT_RULE_SET);
  if (verdict.judgement.decision === 'allow') await store.recordSuccess(facts);
  return verdict;
}

/** `share` (a whole number of tenths) of the balance. */
function tenths(share: number): bigint {
  return (BALANCE * BigInt(share)) / 10n;
}

const CASES = [
  ['14:00', 5],
  ['14:00', 9],
  ['23:30', 5],
  ['23:30', 9],
] as const;

describe('a new holder’s first hour under the default rules', () => {
  it.each(CASES)(
    'registered at %s on their only phone from an unknown place, tops up and sends %d/10 of it to a friend: allowed',
    async (time, share) => {
      const store = new MemoryRiskStateStore({ placeOf });
      const registered = new Date(`2026-05-12T${time}:00+08:00`);
      const after = (minutes: number) => new Date(registered.getTime() + minutes * MINUTE_MS);
      // Registration is the holder's first sign-in: the engine sees the phone, and the holder, now.
      await store.recordSignIn(signIn('newbie', 'phone', UNKNOWN_IP, registered), null);
      const topUp = await paid(
        store,
        payment({
          holderId: 'newbie',
          at: after(3),
          kind: 'top_up',
          amountMinor: BALANCE,
          payee: 'card:c1',
          payeeHolderId: null,
          cardId: 'c1',
          cardBin: '622202',
          balanceMinor: 0n,
        }),
      );
      expect(topUp.judgement.decision).toBe('allow');

      const first = await paid(
        store,
        payment({ holderId: 'newbie', at: after(9), amountMinor: tenths(share) }),
      );
      expect(first.features).toMatchObject({
        device_new: true,
        known_holder_new_device: false,
        place_unknown: true,
        payee_first_time: true,
        amount_to_balance: share / 10,
      });
      expect(first.features.holder_age_days).toBeLessThan(0.01);
      expect(first.judgement.decision).toBe('allow');

      // The rest to the landlord's bank account (before midnight): still an ordinary first hour.
      const rent = await paid(
        store,
        payment({
          holderId: 'newbie',
          at: after(20),
          kind: 'bank_transfer',
          payee: 'bank:landlord',
          payeeHolderId: null,
          amountMinor: tenths(10 - share),
          balanceMinor: tenths(10 - share),
        }),
      );
      expect(rent.judgement.decision).toBe('allow');
    },
  );

  it.each(CASES)(
    'the same payment at %s (%d/10 of the balance) by a holder known for 60 days, from a phone first seen now at a new place: flagged',
    async (time, share) => {
      const store = new MemoryRiskStateStore({ placeOf });
      const now = new Date(`2026-05-12T${time}:00+08:00`);
      // Sixty days on one phone in Shanghai, paying mum now and then.
      for (let day = 60; day >= 1; day -= 1) {
        const at = new Date(now.getTime() - day * DAY_MS);
        if (day % 3 === 0) await signedIn(store, signIn('regular', 'old-phone', '10.1.0.5', at));
        const known = { payee: 'user:mum', payeeHolderId: 'mum', amountMinor: 80_00n };
        await paid(
          store,
          payment({ holderId: 'regular', deviceId: 'old-phone', ip: '10.1.0.5', at, ...known }),
        );
      }
      // A phished password: a sign-in on another phone, in another city, then the transfer.
      const stranger = await signedIn(store, signIn('regular', 'new-phone', '10.2.0.9', now));
      expect(stranger.features).toMatchObject({ device_new: true, known_holder_new_device: true });
      const drained = await paid(
        store,
        payment({
          holderId: 'regular',
          deviceId: 'new-phone',
          ip: '10.2.0.9',
          at: new Date(now.getTime() + 6 * MINUTE_MS),
          amountMinor: tenths(share),
        }),
      );
      expect(drained.features).toMatchObject({ known_holder_new_device: true, payee_first_time: true });
      expect(drained.features.holder_age_days).toBeGreaterThanOrEqual(59);
      expect(drained.judgement.fired).toEqual(
        expect.arrayContaining(['new_device_new_payee', 'fresh_device_new_payee']),
      );
      expect(drained.judgement.decision).not.toBe('allow');
    },
  );
});
