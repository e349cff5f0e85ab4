import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_SET } from './default-rules.ts';
import { judge } from './engine.ts';
import { quantile } from './features.ts';
import { MemoryRiskStateStore } from './memory-store.ts';
import type { Judgement, PaymentFacts, Place, SignInFacts } from './types.ts';

const START = new Date('2026-04-01T12:00:00+08:00').getTime();
const SHANGHAI: Place = { city: 'Shanghai', latitude: 31.2304, longitude: 121.4737 };
const JUDGEMENT: Judgement = { score: 0, decision: 'allow', fired: [], version: 1 };

function at(seconds: number): Date {
  return new Date(START + seconds * 1000);
}

function payment(seconds: number, overrides: Partial<PaymentFacts> = {}): PaymentFacts {
  return {
    subject: 'payment',
    kind: 'transfer',
    holderId: 'h1',
    amountMinor: 1000n,
    currency: 'CNY',
    payee: 'user:h2',
    payeeHolderId: 'h2',
    deviceId: 'd1',
    ip: '10.0.0.1',
    cardId: null,
    cardBin: null,
    balanceMinor: 50_000n,
    at: at(seconds),
    ...overrides,
  };
}

function newStore(): MemoryRiskStateStore {
  return new MemoryRiskStateStore({ placeOf: (ip) => (ip.startsWith('10.') ? SHANGHAI : null) });
}

describe('MemoryRiskStateStore', () => {
  it('keeps exact sliding windows: (at − window, at]', async () => {
    const store = newStore();
    for (const seconds of [0, 30, 59]) await store.recordAttempt(payment(seconds), JUDGEMENT);
    const minute = async (seconds: number) =>
      (await store.read(payment(seconds))).windows['holder:h1:pay@60'] ?? { count: 0, sum: 0 };
    expect(await minute(59)).toEqual({ count: 3, sum: 3000 });
    expect(await minute(60)).toEqual({ count: 2, sum: 2000 }); // the event at 0 is exactly a minute old: out
    expect(await minute(89)).toEqual({ count: 2, sum: 2000 });
    expect(await minute(90)).toEqual({ count: 1, sum: 1000 });
    expect(await minute(118)).toEqual({ count: 1, sum: 1000 });
    expect(await minute(119)).toEqual({ count: 0, sum: 0 });
    // Events after the judged instant are not counted (a replay, a backtest).
    expect(await minute(29)).toEqual({ count: 1, sum: 1000 });
  });

  it('reads every window of a counter from the same events and forgets the older than a day', async () => {
    const store = newStore();
    for (let minute = 0; minute < 3 * 24 * 60; minute += 30) {
      await store.recordAttempt(payment(minute * 60), JUDGEMENT);
    }
    const last = 3 * 24 * 3600 - 30 * 60;
    const { windows } = await store.read(payment(last));
    expect(windows['holder:h1:pay@60']?.count).toBe(1);
    expect(windows['holder:h1:pay@600']?.count).toBe(1);
    expect(windows['holder:h1:pay@3600']?.count).toBe(2);
    expect(windows['holder:h1:pay@86400']?.count).toBe(48);
  });

  it('places an event that arrives late where it belongs', async () => {
    const store = newStore();
    await store.recordAttempt(payment(100), JUDGEMENT);
    await store.recordAttempt(payment(10), JUDGEMENT);
    const { windows } = await store.read(payment(65));
    expect(windows['holder:h1:pay@60']).toEqual({ count: 1, sum: 1000 });
  });

  it('counts fan-in, new payees and distinct cards the way features.ts says', async () => {
    const store = newStore();
    for (const payer of ['a', 'b', 'c']) {
      await store.recordAttempt(payment(0, { holderId: payer }), JUDGEMENT);
    }
    await store.recordSuccess(payment(0, { holderId: 'a' }));
    await store.recordAttempt(payment(10, { holderId: 'a' }), JUDGEMENT); // 'a' knows h2 now
    const { windows } = await store.read(payment(20, { holderId: 'd' }));
    expect(windows['payee:h2:recv@3600']?.count).toBe(4);
    expect(windows['payee:h2:recvnew@3600']?.count).toBe(3);

    const topUp = (seconds: number, card: string) =>
      payment(seconds, {
        kind: 'top_up',
        payee: `card:${card}`,
        payeeHolderId: null,
        cardId: card,
        cardBin: '622202',
      });
    for (const [seconds, card] of [
      [0, 'c1'],
      [60, 'c1'],
      [120, 'c2'],
      [180, 'c3'],
    ] as const) {
      await store.recordAttempt(topUp(seconds, card), JUDGEMENT);
    }
    const cards = await store.read(topUp(240, 'c1'));
    expect(cards.windows['holder:h1:newcard@86400']?.count).toBe(3);
    expect(cards.windows['card:c1:topup@3600']?.count).toBe(2);
  });

  it('remembers the first payment to a payee, the first sight of a device, the last sign-in and reset', async () => {
    const store = newStore();
    await store.recordSuccess(payment(100));
    await store.recordSuccess(payment(50));
    await store.recordSuccess(payment(200));
    const signIn: SignInFacts = {
      subject: 'sign_in',
      holderId: 'h1',
      deviceId: 'd9',
      ip: '10.1.1.1',
      at: at(300),
    };
    await store.recordSignIn(signIn, SHANGHAI);
    await store.recordSignIn({ ...signIn, at: at(250) }, null); // older: ignored
    await store.recordCredentialReset('h1', at(400));
    await store.recordCredentialReset('h1', at(350));
    const state = await store.read(payment(500, { deviceId: 'd9', ip: '203.0.113.5' }));
    expect(state.payeeFirstPaidAt).toEqual(at(50));
    expect(state.deviceFirstSeenAt).toEqual(at(250));
    expect(state.lastSignIn).toEqual({ at: at(300), place: SHANGHAI });
    expect(state.lastCredentialResetAt).toEqual(at(400));
    expect(state.place).toBeNull();
    expect(quantile(state.amountHistogram, 0.5, at(500))).toBeNull(); // three payments: too few
    expect((await store.read(payment(500, { holderId: 'h3' }))).payeeFirstPaidAt).toBeNull();
  });

  it('knows when it first saw the holder: the earliest first sight of any of its devices', async () => {
    const store = newStore();
    expect((await store.read(payment(0))).holderFirstSeenAt).toBeNull();
    await store.recordSignIn(
      { subject: 'sign_in', holderId: 'h1', deviceId: 'phone', ip: null, at: at(100) },
      null,
    );
    await store.recordAttempt(payment(50, { deviceId: 'tablet' }), JUDGEMENT);
    await store.recordAttempt(payment(400, { deviceId: 'new-phone' }), JUDGEMENT);
    const state = await store.read(payment(500, { deviceId: 'new-phone' }));
    expect(state.holderFirstSeenAt).toEqual(at(50));
    expect(state.deviceFirstSeenAt).toEqual(at(400));
    // Another holder on the same device is another holder.
    expect(
      (await store.read(payment(500, { holderId: 'h3', deviceId: 'tablet' }))).holderFirstSeenAt,
    ).toBeNull();
  });

  it('keeps the amount history of successful payments only', async () => {
    const store = newStore();
    for (let index = 0; index < 5; index += 1) await store.recordAttempt(payment(index), JUDGEMENT);
    expect((await store.read(payment(10))).amountHistogram).toBeNull();
    for (let index = 0; index < 5; index += 1) await store.recordSuccess(payment(index));
    const median = quantile((await store.read(payment(10))).amountHistogram, 0.5, at(10));
    expect(median).toBeGreaterThan(1000 / 1.5);
    expect(median).toBeLessThan(1000 * 1.5);
  });

  it('answers deny and allow list hits for the request’s payee, device, IP and card BIN', async () => {
    const store = newStore();
    store.deny('payee', 'user:h2');
    store.deny('card_bin', '411111');
    store.allow('device', 'd1');
    const state = await store.read(payment(0));
    expect(state.lists).toEqual({ deny: ['payee'], allow: ['device'] });
    const topUp = await store.read(
      payment(0, { kind: 'top_up', payee: 'card:c1', payeeHolderId: null, cardBin: '411111' }),
    );
    expect(topUp.lists.deny).toEqual(['card_bin']);
    const signIn = await store.read({
      subject: 'sign_in',
      holderId: 'h1',
      deviceId: 'd1',
      ip: null,
      at: at(0),
    });
    expect(signIn.lists).toEqual({ deny: [], allow: ['device'] });
  });
});

describe('judge', () => {
  it('counts every judged payment attempt, not sign-ins, and answers the features it judged on', async () => {
    const store = newStore();
    let last = await judge(store, payment(0), DEFAULT_RULE_SET);
    for (let seconds = 1; seconds < 6; seconds += 1)
      last = await judge(store, payment(seconds), DEFAULT_RULE_SET);
    expect(last.features.holder_payments_1m).toBe(6);
    expect(last.judgement.fired).toContain('payment_burst');
    const signIn = await judge(
      store,
      { subject: 'sign_in', holderId: 'h1', deviceId: 'd1', ip: '10.0.0.1', at: at(7) },
      DEFAULT_RULE_SET,
    );
    expect(signIn.features.amount_minor).toBeUndefined();
    expect((await judge(store, payment(8), DEFAULT_RULE_SET)).features.holder_payments_1m).toBe(7);
  });
});
