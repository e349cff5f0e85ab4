import { describe, expect, it } from 'vitest';
import { FRAUD_PATTERNS, generate, placeOfIp } from './generator.ts';
import type { SyntheticEvent } from './generator.ts';

const stream = generate(11, { holders: 300, days: 20 });
const payments = stream.events.filter(
  (event): event is Extract<SyntheticEvent, { type: 'payment' }> => event.type === 'payment',
);

describe('the synthetic generator', () => {
  it('is deterministic for a seed', () => {
    const again = generate(11, { holders: 300, days: 20 });
    expect(again.events.length).toBe(stream.events.length);
    expect(again.events.slice(-50)).toEqual(stream.events.slice(-50));
    expect(generate(12, { holders: 300, days: 20 }).events.length).not.toBe(stream.events.length);
  });

  it('streams events in time order, warm-up first and unmeasured', () => {
    for (let index = 1; index < stream.events.length; index += 1) {
      expect(stream.events[index]!.at >= stream.events[index - 1]!.at).toBe(true);
    }
    for (const event of stream.events) {
      expect(event.measured).toBe(event.at >= stream.measuredFrom);
      if (!event.measured) expect(['normal', 'setup']).toContain(event.label);
    }
  });

  it('holds every fraud pattern and plenty of normal behaviour', () => {
    const labels = new Set(payments.map((event) => event.label));
    for (const pattern of FRAUD_PATTERNS) expect(labels).toContain(pattern);
    const normal = payments.filter((event) => event.label === 'normal');
    expect(normal.length).toBeGreaterThan(payments.length * 0.9);
    // The hard cases fraud is made of happen to normal holders too.
    const nightPayments = normal.filter((event) => {
      const hour = (event.at.getUTCHours() + 8) % 24;
      return hour < 5;
    });
    expect(nightPayments.length).toBeGreaterThan(normal.length * 0.005);
    expect(normal.some((event) => event.facts.kind === 'withdrawal')).toBe(true);
    expect(normal.some((event) => event.facts.ip !== null && placeOfIp(event.facts.ip) === null)).toBe(true);
  });

  it('keeps facts honest: the same shape and id formats whatever the label, balances never negative', () => {
    const shape = (event: (typeof payments)[number]) => Object.keys(event.facts).sort().join();
    const shapes = new Set(payments.map(shape));
    expect(shapes.size).toBe(1);
    for (const event of payments) {
      const { facts } = event;
      expect(facts.holderId).toMatch(/^h[0-9a-f]{12}$/);
      if (facts.deviceId !== null) expect(facts.deviceId).toMatch(/^d[0-9a-f]{16}$/);
      expect(facts.payee).toMatch(
        /^(user:h[0-9a-f]{12}|merchant:m[0-9a-f]{10}|card:c[0-9a-f]{12}|bank:[0-9a-f]{16})$/,
      );
      expect(facts.amountMinor > 0n).toBe(true);
      expect(facts.balanceMinor !== null && facts.balanceMinor >= 0n).toBe(true);
      if (facts.kind !== 'top_up') expect(facts.amountMinor <= (facts.balanceMinor ?? 0n)).toBe(true);
      expect(JSON.stringify({ ...facts, amountMinor: 0, balanceMinor: 0 })).not.toMatch(
        /takeover|testing|mule|night|swap|fraud|setup/,
      );
    }
  });

  it('has holders register during the measured period, fund their one phone and pay new payees at once', () => {
    expect(stream.newHolders.size).toBe(16); // 80 per 1,000 holders and 30 days
    for (const [holderId, joined] of stream.newHolders) {
      expect(joined >= stream.measuredFrom).toBe(true);
      const own = stream.events.filter(
        (event) =>
          (event.type === 'sign_in' || event.type === 'payment') && event.facts.holderId === holderId,
      );
      // Nothing before registering, which is a sign-in; nobody pays them before either.
      expect(own[0]).toMatchObject({ type: 'sign_in', at: joined, label: 'normal' });
      const paidBefore = payments.filter(
        (event) => event.facts.payeeHolderId === holderId && event.at < joined,
      );
      expect(paidBefore).toEqual([]);
      const firstHour = payments.filter(
        (event) => event.facts.holderId === holderId && event.at.getTime() - joined.getTime() < 3_600_000,
      );
      expect(firstHour[0]?.facts.kind).toBe('top_up');
      const devices = new Set(firstHour.map((event) => event.facts.deviceId));
      expect(devices.size).toBe(1);
      expect(firstHour.every((event) => event.label === 'normal')).toBe(true);
    }
    // Between them, they pay friends and landlords most of what they topped up, some at once.
    const drains = payments.filter((event) => {
      const joined = stream.newHolders.get(event.facts.holderId);
      return (
        joined !== undefined &&
        event.facts.kind !== 'top_up' &&
        event.at.getTime() - joined.getTime() < 3_600_000 &&
        Number(event.facts.amountMinor) >= 0.5 * Number(event.facts.balanceMinor)
      );
    });
    expect(drains.length).toBeGreaterThan(3);
  });

  it('places few addresses: many holders sign in and pay from addresses the adapter cannot place', () => {
    const signIns = stream.events.filter(
      (event): event is Extract<SyntheticEvent, { type: 'sign_in' }> =>
        event.type === 'sign_in' && event.label === 'normal',
    );
    const unplaced = signIns.filter((event) => placeOfIp(event.facts.ip ?? '') === null);
    expect(unplaced.length).toBeGreaterThan(signIns.length * 0.25);
    expect(unplaced.length).toBeLessThan(signIns.length * 0.6);
  });

  it('refuses sizes out of range', () => {
    expect(() => generate(1, { holders: 1, days: 1 })).toThrow(RangeError);
    expect(() => generate(1, { holders: 10, days: 0 })).toThrow(RangeError);
    expect(() => generate(1, { holders: 10, days: 1000 })).toThrow(RangeError);
  });
});
