import { describe, expect, it } from 'vitest';
import { seededRandom } from '../synthetic/random.ts';
import {
  AMOUNT_BINS,
  AMOUNT_HALF_LIFE_MS,
  FEATURES,
  addAmount,
  amountBin,
  attemptChanges,
  derive,
  distanceKm,
  featuresOf,
  effectiveCount,
  isNight,
  quantile,
  shanghaiHour,
  speedKmh,
  stateKeys,
  successChanges,
  windowKey,
} from './features.ts';
import type { PaymentFacts, Place, RiskState, SignInFacts } from './types.ts';

const SHANGHAI: Place = { city: 'Shanghai', latitude: 31.2304, longitude: 121.4737 };
const BEIJING: Place = { city: 'Beijing', latitude: 39.9042, longitude: 116.4074 };
const AT = new Date('2026-04-01T12:00:00+08:00');
const DAY_MS = 86_400_000;

function payment(overrides: Partial<PaymentFacts> = {}): PaymentFacts {
  return {
    subject: 'payment',
    kind: 'transfer',
    holderId: 'h1',
    amountMinor: 10_000n,
    currency: 'CNY',
    payee: 'user:h2',
    payeeHolderId: 'h2',
    deviceId: 'd1',
    ip: '10.0.0.1',
    cardId: null,
    cardBin: null,
    balanceMinor: 40_000n,
    at: AT,
    ...overrides,
  };
}

function signIn(overrides: Partial<SignInFacts> = {}): SignInFacts {
  return { subject: 'sign_in', holderId: 'h1', deviceId: 'd1', ip: '10.0.0.1', at: AT, ...overrides };
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

describe('the catalogue', () => {
  it('derive gives exactly the catalogue’s features of each subject', () => {
    const forSubject = (subject: 'payment' | 'sign_in') => featuresOf(subject).sort();
    expect(Object.keys(derive(payment(), state())).sort()).toEqual(forSubject('payment'));
    expect(Object.keys(derive(signIn(), state())).sort()).toEqual(forSubject('sign_in'));
    // `both` is a holder's two subjects; a refund reads none of them (refunds.test.ts).
    expect(featuresOf('payment')).toContain('device_new');
    expect(featuresOf('merchant_refund')).not.toContain('device_new');
  });

  it('gives each feature the catalogue’s type (or null)', () => {
    const histogram = Array.from({ length: 10 }, () => 0).reduce<number[] | null>(
      (current) => addAmount(current, AT, 5000),
      null,
    );
    const features = derive(
      payment(),
      state({
        amountHistogram: histogram,
        payeeFirstPaidAt: new Date(AT.getTime() - DAY_MS),
        deviceFirstSeenAt: new Date(AT.getTime() - 30 * DAY_MS),
        lastSignIn: { at: new Date(AT.getTime() - 3_600_000), place: BEIJING },
        place: SHANGHAI,
        lastCredentialResetAt: new Date(AT.getTime() - DAY_MS),
      }),
    );
    for (const [name, value] of Object.entries(features)) {
      const definition = FEATURES[name as keyof typeof FEATURES];
      if (value !== null) expect([name, typeof value]).toEqual([name, definition.type]);
    }
  });
});

describe('windows', () => {
  it('names the windows a payment reads, per holder, device, IP, payee and card', () => {
    const keys = stateKeys(payment({ kind: 'top_up', payee: 'card:c1', payeeHolderId: null, cardId: 'c1' }));
    expect(keys).toEqual(
      expect.arrayContaining([
        'holder:h1:pay@60',
        'holder:h1:pay@600',
        'holder:h1:pay@3600',
        'holder:h1:pay@86400',
        'holder:h1:newpayee@86400',
        'holder:h1:newcard@86400',
        'holder:h1:factorfail@600',
        'device:d1:pay@3600',
        'ip:10.0.0.1:pay@3600',
        'card:c1:topup@3600',
      ]),
    );
    // A top-up pays no wallet: no fan-in windows (but the holder's own incoming payments).
    expect(keys.filter((key) => key.startsWith('payee:'))).toEqual(['payee:h1:recv@86400']);
    expect(stateKeys(payment())).toContain('payee:h2:recvnew@3600');
    expect(stateKeys(signIn())).toEqual(['holder:h1:factorfail@600']);
  });

  it('counts include the attempt being judged', () => {
    const windows = {
      [windowKey('holder:h1:pay', 60)]: { count: 4, sum: 400 },
      [windowKey('holder:h1:pay', 86400)]: { count: 9, sum: 90_000 },
      [windowKey('payee:h2:recv', 3600)]: { count: 2, sum: 7000 },
      [windowKey('payee:h2:recvnew', 3600)]: { count: 2, sum: 7000 },
      [windowKey('holder:h1:newpayee', 3600)]: { count: 2, sum: 1 },
    };
    const features = derive(payment(), state({ windows }));
    expect(features.holder_payments_1m).toBe(5);
    expect(features.holder_payments_10m).toBe(1);
    expect(features.holder_payments_24h).toBe(10);
    expect(features.holder_amount_24h).toBe(100_000);
    expect(features.payee_received_1h).toBe(3);
    expect(features.payee_amount_1h).toBe(17_000);
    expect(features.payee_new_payers_1h).toBe(3);
    expect(features.holder_new_payees_1h).toBe(3);
    // Once the payee is known, the payer is not new to it.
    const known = derive(payment(), state({ windows, payeeFirstPaidAt: new Date(0) }));
    expect(known.payee_new_payers_1h).toBe(2);
    expect(known.holder_new_payees_1h).toBe(2);
    expect(known.payee_first_time).toBe(false);
    // A retry to a payee already tried today is neither a new payee nor a new payer again.
    const retry = derive(
      payment(),
      state({ windows: { ...windows, [windowKey('pair:h1>user:h2:try', 86400)]: { count: 1, sum: 1 } } }),
    );
    expect(retry.payee_new_payers_1h).toBe(2);
    expect(retry.holder_new_payees_1h).toBe(2);
    expect(retry.payee_first_time).toBe(true);
  });

  it('reads the attempts others made to pay the holder today', () => {
    expect(stateKeys(payment())).toContain('payee:h1:recv@86400');
    const windows = { [windowKey('payee:h1:recv', 86400)]: { count: 17, sum: 2_500_000 } };
    expect(derive(payment(), state({ windows })).holder_incoming_24h).toBe(17);
    expect(derive(payment(), state()).holder_incoming_24h).toBe(0);
  });
});

describe('what events change', () => {
  it('counts the first try of a new payee once a day, however often it is retried', () => {
    const counted = (facts: PaymentFacts, pairTries: number) =>
      attemptChanges(facts, {
        windows: pairTries === 0 ? {} : { 'pair:h1>user:h2:try@86400': { count: pairTries, sum: 0 } },
        payeeFirstPaidAt: null,
      }).flatMap((change) => (change.type === 'counter' ? [change.key] : []));
    expect(counted(payment(), 0)).toEqual(
      expect.arrayContaining(['holder:h1:newpayee', 'payee:h2:recvnew', 'pair:h1>user:h2:try']),
    );
    const retry = counted(payment(), 1);
    expect(retry).not.toContain('holder:h1:newpayee');
    expect(retry).not.toContain('payee:h2:recvnew');
    expect(retry).toContain('pair:h1>user:h2:try');
    // A payee paid before needs no pair counter at all.
    const known = attemptChanges(payment(), { windows: {}, payeeFirstPaidAt: new Date(0) });
    expect(known.some((change) => change.type === 'counter' && change.key.startsWith('pair:'))).toBe(false);
  });

  it('counts a new payee only for a person or bank never paid, not a shop nor a top-up', () => {
    const newPayee = (facts: PaymentFacts, paidBefore: Date | null) =>
      attemptChanges(facts, { windows: {}, payeeFirstPaidAt: paidBefore }).some(
        (change) => change.type === 'counter' && change.key === 'holder:h1:newpayee',
      );
    expect(newPayee(payment(), null)).toBe(true);
    expect(newPayee(payment(), new Date(0))).toBe(false);
    expect(
      newPayee(payment({ payee: 'merchant:m1', payeeHolderId: null, kind: 'payment_request' }), null),
    ).toBe(false);
    expect(
      newPayee(payment({ kind: 'top_up', payee: 'card:c1', payeeHolderId: null, cardId: 'c1' }), null),
    ).toBe(false);
  });

  it('counts a card once a day toward the holder’s distinct cards', () => {
    const topUp = payment({ kind: 'top_up', payee: 'card:c1', payeeHolderId: null, cardId: 'c1' });
    const newCard = (cardDay: number) =>
      attemptChanges(topUp, {
        windows: cardDay === 0 ? {} : { 'card:c1:topup@86400': { count: cardDay, sum: 0 } },
        payeeFirstPaidAt: null,
      }).filter((change) => change.type === 'counter' && change.key === 'holder:h1:newcard').length;
    expect(newCard(0)).toBe(1);
    expect(newCard(1)).toBe(0);
  });

  it('adds a successful payment to the history, but not a top-up', () => {
    expect(successChanges(payment()).map((change) => change.type)).toEqual([
      'payee_first_paid',
      'counter',
      'amount',
    ]);
    expect(
      successChanges(payment({ kind: 'top_up', payee: 'card:c1', payeeHolderId: null })).map(
        (change) => change.type,
      ),
    ).toEqual(['payee_first_paid']);
  });
});

describe('the amount history', () => {
  it('bins amounts on a log scale from 1 fen to 10^10 fen', () => {
    expect(amountBin(0)).toBe(0);
    expect(amountBin(1)).toBe(0);
    expect(amountBin(10)).toBe(6);
    expect(amountBin(1e10)).toBe(AMOUNT_BINS - 1);
    expect(amountBin(1e15)).toBe(AMOUNT_BINS - 1);
  });

  it('has no quantiles below five payments', () => {
    let histogram: number[] | null = null;
    for (let index = 0; index < 4; index += 1) histogram = addAmount(histogram, AT, 1000);
    expect(quantile(histogram, 0.5, AT)).toBeNull();
    histogram = addAmount(histogram, AT, 1000);
    expect(quantile(histogram, 0.5, AT)).not.toBeNull();
  });

  it('matches exact quantiles of random amounts within one bin', () => {
    const random = seededRandom(42);
    const tolerance = 10 ** (10 / AMOUNT_BINS); // one bin's width
    for (let trial = 0; trial < 20; trial += 1) {
      const amounts = Array.from({ length: 400 }, () =>
        Math.max(1, Math.round(random.lognormal(random.uniform(1000, 100_000), random.uniform(0.3, 1.5)))),
      );
      const histogram = amounts.reduce<number[] | null>(
        (current, amount) => addAmount(current, AT, amount),
        null,
      );
      const sorted = [...amounts].sort((a, b) => a - b);
      for (const q of [0.5, 0.95]) {
        const exact = sorted[Math.ceil(q * sorted.length) - 1] as number;
        const estimate = quantile(histogram, q, AT) as number;
        expect(estimate / exact).toBeLessThan(tolerance);
        expect(exact / estimate).toBeLessThan(tolerance);
      }
    }
  });

  it('forgets slowly: a payment a half-life ago counts one half, ninety days ago one eighth', () => {
    const old = new Date(AT.getTime() - AMOUNT_HALF_LIFE_MS);
    expect(effectiveCount(addAmount(null, old, 100), AT)).toBeCloseTo(0.5, 9);
    const older = new Date(AT.getTime() - 90 * DAY_MS);
    expect(effectiveCount(addAmount(null, older, 100), AT)).toBeCloseTo(0.125, 9);
  });

  it('follows recent payments over old ones', () => {
    let histogram: number[] | null = null;
    const longAgo = new Date(AT.getTime() - 180 * DAY_MS);
    for (let index = 0; index < 30; index += 1) histogram = addAmount(histogram, longAgo, 1_000_000);
    for (let index = 0; index < 20; index += 1) histogram = addAmount(histogram, AT, 1000);
    // 30 old payments weigh 30/64 < 20 recent ones: the median is the recent amount.
    expect(quantile(histogram, 0.5, AT)).toBeLessThan(1500);
    expect(quantile(histogram, 0.5, AT)).toBeGreaterThan(700);
  });
});

describe('places and time', () => {
  it('measures Shanghai–Beijing at about 1,067 km', () => {
    expect(distanceKm(SHANGHAI, BEIJING)).toBeGreaterThan(1060);
    expect(distanceKm(SHANGHAI, BEIJING)).toBeLessThan(1075);
    expect(distanceKm(SHANGHAI, SHANGHAI)).toBe(0);
  });

  it('implies a speed, with the time floored at a minute', () => {
    const from = new Date(AT.getTime() - 2 * 3_600_000);
    expect(speedKmh(1000, from, AT)).toBe(500);
    expect(speedKmh(1000, AT, from)).toBe(500);
    expect(speedKmh(100, AT, AT)).toBe(6000);
  });

  it('is night from 00:00 to 05:00 in Shanghai', () => {
    const cases: [string, boolean][] = [
      ['2026-03-01T15:59:59.999Z', false], // 23:59:59.999 in Shanghai
      ['2026-03-01T16:00:00.000Z', true], // midnight
      ['2026-03-01T20:59:59.999Z', true], // 04:59:59.999
      ['2026-03-01T21:00:00.000Z', false], // 05:00
      ['2026-03-02T04:00:00.000Z', false], // noon
    ];
    const intlHour = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Shanghai',
      hour: '2-digit',
      hourCycle: 'h23',
    });
    for (const [instant, night] of cases) {
      const at = new Date(instant);
      expect([instant, isNight(at)]).toEqual([instant, night]);
      expect(shanghaiHour(at)).toBe(Number(intlHour.format(at)));
    }
  });

  it('derives geo features from the last sign-in’s place, null when a place is unknown', () => {
    const lastSignIn = { at: new Date(AT.getTime() - 3_600_000), place: BEIJING };
    const jump = derive(signIn(), state({ lastSignIn, place: SHANGHAI }));
    expect(jump.geo_distance_km).toBeCloseTo(distanceKm(BEIJING, SHANGHAI), 6);
    expect(jump.geo_speed_kmh).toBeGreaterThan(1000);
    expect(jump.minutes_since_sign_in).toBe(60);
    const unknown = derive(signIn(), state({ lastSignIn, place: null }));
    expect(unknown.geo_distance_km).toBeNull();
    expect(unknown.geo_speed_kmh).toBeNull();
    expect(unknown.place_unknown).toBe(true);
    expect(derive(signIn({ ip: null }), state()).place_unknown).toBe(false);
  });

  it('tells a new holder on their first device from an established holder on a new one', () => {
    const seen = (holderDays: number | null, deviceDays: number | null) =>
      derive(
        payment(),
        state({
          holderFirstSeenAt: holderDays === null ? null : new Date(AT.getTime() - holderDays * DAY_MS),
          deviceFirstSeenAt: deviceDays === null ? null : new Date(AT.getTime() - deviceDays * DAY_MS),
        }),
      );
    // Registered ten minutes ago on this phone.
    const newcomer = seen(10 / 1440, 10 / 1440);
    expect(newcomer.device_new).toBe(true);
    expect(newcomer.holder_age_days).toBeCloseTo(10 / 1440, 9);
    expect(newcomer.known_holder_new_device).toBe(false);
    // Known for 60 days, this phone first seen now (or never: a payment before any sign-in on it).
    expect(seen(60, 0).known_holder_new_device).toBe(true);
    expect(seen(60, null).known_holder_new_device).toBe(true);
    expect(seen(7, 1).known_holder_new_device).toBe(true);
    expect(seen(6.9, 1).known_holder_new_device).toBe(false);
    // Known for 60 days on this very phone: not new at all.
    expect(seen(60, 60).known_holder_new_device).toBe(false);
    // Never seen: no age, not "known".
    expect(seen(null, null).holder_age_days).toBeNull();
    expect(seen(null, null).known_holder_new_device).toBe(false);
  });

  it('calls a device new when never seen or seen for less than 7 days', () => {
    const seen = (days: number) => state({ deviceFirstSeenAt: new Date(AT.getTime() - days * DAY_MS) });
    expect(derive(signIn(), state()).device_new).toBe(true);
    expect(derive(signIn(), state()).device_age_days).toBeNull();
    expect(derive(signIn(), seen(6.9)).device_new).toBe(true);
    expect(derive(signIn(), seen(7)).device_new).toBe(false);
    expect(derive(signIn(), seen(7)).device_age_days).toBe(7);
    expect(derive(signIn({ deviceId: null }), seen(30)).device_new).toBe(true);
  });

  it('reads ratios, reset time and list hits', () => {
    const features = derive(
      payment({ amountMinor: 30_000n, balanceMinor: 40_000n }),
      state({
        lastCredentialResetAt: new Date(AT.getTime() - 90 * 60_000),
        lists: { deny: ['payee'], allow: ['device'] },
      }),
    );
    expect(features.amount_to_balance).toBe(0.75);
    expect(features.minutes_since_credential_reset).toBe(90);
    expect(features.denied_payee).toBe(true);
    expect(features.denied_device).toBe(false);
    expect(features.allowed_device).toBe(true);
    expect(derive(payment({ balanceMinor: 0n }), state()).amount_to_balance).toBeNull();
    expect(derive(payment({ balanceMinor: null }), state()).amount_to_balance).toBeNull();
  });
});
