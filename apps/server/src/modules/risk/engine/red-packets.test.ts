/**
 * Red packets in the pure engine: a packet is judged when sent (kind `red_packet`), its shares
 * are learnt as they are claimed (`receivedChanges`), and the shipped red-packet rules read what
 * came of the sender's earlier packets — a family's packets pass, money spread over fresh
 * accounts does not; a collector of many packets who passes the money on meets the transfers'
 * collected-then-passed-on rule.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_SET, RED_PACKET_RULES } from './default-rules.ts';
import { judge } from './engine.ts';
import { COUNTERS, DAY_SECONDS, HOUR_SECONDS, derive, receivedChanges, windowKey } from './features.ts';
import { MemoryRiskStateStore } from './memory-store.ts';
import { parseRuleSet } from './rules.ts';
import type { PaymentFacts, ReceivedFacts, SignInFacts } from './types.ts';

const AT = new Date('2027-02-06T20:00:00+08:00');
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const YUAN = 100n;
const later = (minutes: number) => new Date(AT.getTime() + minutes * MINUTE_MS);

function packet(overrides: Partial<PaymentFacts> = {}): PaymentFacts {
  return {
    subject: 'payment',
    kind: 'red_packet',
    holderId: 'sender',
    amountMinor: 88n * YUAN,
    currency: 'CNY',
    payee: 'red-packet:group',
    payeeHolderId: null,
    deviceId: 'sender-phone',
    ip: null,
    cardId: null,
    cardBin: null,
    balanceMinor: 5_000n * YUAN,
    at: AT,
    ...overrides,
  };
}

function claim(n: number, overrides: Partial<ReceivedFacts> = {}): ReceivedFacts {
  return {
    kind: 'red_packet_claim',
    fromHolderId: 'sender',
    toHolderId: `claimer-${n}`,
    // A relative with an account of years.
    toHolderRegisteredAt: new Date(AT.getTime() - 400 * DAY_MS),
    amountMinor: 8n * YUAN,
    currency: 'CNY',
    at: later(1),
    ...overrides,
  };
}

function signIn(holderId: string, at: Date): SignInFacts {
  return { subject: 'sign_in', holderId, deviceId: `${holderId}-phone`, ip: null, at };
}

/** A store where the sender has been known (signed in on its phone) for `days` days. */
async function storeWithSender(days: number): Promise<MemoryRiskStateStore> {
  const store = new MemoryRiskStateStore({ placeOf: () => null });
  await store.recordSignIn(signIn('sender', new Date(AT.getTime() - days * DAY_MS)), null);
  return store;
}

describe('the features of a red packet', () => {
  it('count the packets sent and the shares claimed, fresh accounts apart; null for any other kind', async () => {
    const store = await storeWithSender(30);
    await judge(store, packet({ at: AT }), DEFAULT_RULE_SET);
    await store.recordReceived(claim(1));
    await store.recordReceived(claim(2, { toHolderRegisteredAt: new Date(AT.getTime() - 2 * 3_600_000) }));
    // Registration unknown: not counted as fresh (errs towards the ordinary holder).
    await store.recordReceived(claim(3, { toHolderRegisteredAt: null }));
    const next = packet({ at: later(5) });
    const features = derive(next, await store.read(next));
    expect(features).toMatchObject({
      kind_is_red_packet: true,
      holder_red_packets_1h: 2,
      holder_red_packets_24h: 2,
      holder_red_packet_claims_24h: 3,
      holder_red_packet_new_claimers_24h: 1,
    });
    const transfer = packet({ kind: 'transfer', payee: 'user:x', payeeHolderId: 'x', at: later(6) });
    expect(derive(transfer, await store.read(transfer))).toMatchObject({
      kind_is_red_packet: false,
      holder_red_packets_1h: null,
      holder_red_packet_claims_24h: null,
      holder_red_packet_new_claimers_24h: null,
    });
  });

  it('a share is money arriving in the claimer’s wallet, and is forgotten after a day', () => {
    const changes = receivedChanges(claim(7, { amountMinor: 1234n }));
    expect(changes).toEqual([
      { type: 'counter', key: COUNTERS.payeeReceived.key('claimer-7'), amount: 1234, at: later(1) },
      { type: 'counter', key: COUNTERS.holderCredited.key('claimer-7'), amount: 1234, at: later(1) },
      { type: 'counter', key: COUNTERS.redPacketClaims.key('sender'), amount: 1234, at: later(1) },
    ]);
    expect(COUNTERS.redPacketClaims.windows).toEqual([DAY_SECONDS]);
    expect(COUNTERS.holderRedPackets.windows).toEqual([HOUR_SECONDS, DAY_SECONDS]);
  });

  it('a share counted a day later is out of the window', async () => {
    const store = await storeWithSender(30);
    for (let n = 0; n < 12; n += 1) {
      await store.recordReceived(claim(n, { toHolderRegisteredAt: AT }));
    }
    const tomorrow = packet({ at: new Date(AT.getTime() + DAY_MS + 2 * MINUTE_MS) });
    const state = await store.read(tomorrow);
    expect(
      state.windows[windowKey(COUNTERS.redPacketNewClaimers.key('sender'), DAY_SECONDS)]?.count ?? 0,
    ).toBe(0);
    expect((await judge(store, tomorrow, DEFAULT_RULE_SET)).judgement.decision).toBe('allow');
  });
});

describe('the shipped red-packet rules', () => {
  it('are part of the default rule set and parse as a stored one', () => {
    const ids = DEFAULT_RULE_SET.rules.map((rule) => rule.id);
    for (const rule of RED_PACKET_RULES) expect(ids).toContain(rule.id);
    expect(parseRuleSet(JSON.parse(JSON.stringify(DEFAULT_RULE_SET))).ok).toBe(true);
  });

  it('let a family’s Spring Festival evening through: a dozen packets, claimed by relatives of years', async () => {
    const store = await storeWithSender(200);
    let claimer = 0;
    for (let n = 0; n < 12; n += 1) {
      const { judgement } = await judge(store, packet({ at: later(n * 4) }), DEFAULT_RULE_SET);
      expect(judgement.decision, `packet ${n + 1}`).toBe('allow');
      for (let share = 0; share < 8; share += 1) {
        claimer += 1;
        await store.recordReceived(claim(claimer % 30, { at: later(n * 4 + 1) }));
      }
    }
  });

  it('refuse the next packet of a sender whose shares went to ten accounts a day old (review)', async () => {
    const store = await storeWithSender(200);
    const fresh = (n: number) => claim(n, { toHolderRegisteredAt: new Date(AT.getTime() - 3_600_000) });
    for (let n = 0; n < 9; n += 1) await store.recordReceived(fresh(n));
    const ninth = await judge(store, packet({ at: later(10) }), DEFAULT_RULE_SET);
    expect(ninth.judgement.decision).toBe('allow');
    await store.recordReceived(fresh(9));
    const tenth = await judge(store, packet({ at: later(11) }), DEFAULT_RULE_SET);
    expect(tenth.judgement).toMatchObject({ decision: 'review' });
    expect(tenth.judgement.fired).toContain('red_packets_to_new_accounts');
    // A transfer of the same holder is not a packet: the rule does not read it.
    const transfer = packet({
      kind: 'transfer',
      payee: 'user:old-friend',
      payeeHolderId: 'old-friend',
      at: later(12),
    });
    expect((await judge(store, transfer, DEFAULT_RULE_SET)).judgement.fired).not.toContain(
      'red_packets_to_new_accounts',
    );
  });

  it('refuse a day-old holder whose packets already reached a hundred people; not an established one', async () => {
    for (const [days, expected] of [
      [0, 'review'],
      [30, 'allow'],
    ] as const) {
      const store = await storeWithSender(days);
      for (let n = 0; n < 100; n += 1) await store.recordReceived(claim(n));
      const { judgement } = await judge(store, packet({ at: later(30) }), DEFAULT_RULE_SET);
      expect(judgement.decision, `known ${days} days`).toBe(expected);
      if (expected === 'review') expect(judgement.fired).toContain('red_packet_fan_out_new_holder');
    }
  });

  it('ask for the strongest factor at the twentieth packet within an hour', async () => {
    const store = await storeWithSender(200);
    for (let n = 1; n <= 19; n += 1) {
      const { judgement } = await judge(store, packet({ at: later(n * 2) }), DEFAULT_RULE_SET);
      expect(judgement.decision, `packet ${n}`).toBe('allow');
    }
    const twentieth = await judge(store, packet({ at: later(40) }), DEFAULT_RULE_SET);
    expect(twentieth.judgement).toMatchObject({ decision: 'step_up' });
    expect(twentieth.judgement.fired).toContain('red_packet_burst');
  });

  it('a claimer who collected ten shares and passes the money to a new payee meets the collector’s rule', async () => {
    const store = new MemoryRiskStateStore({ placeOf: () => null });
    await store.recordSignIn(signIn('collector', new Date(AT.getTime() - 60 * DAY_MS)), null);
    for (let n = 0; n < 10; n += 1) {
      await store.recordReceived(claim(0, { fromHolderId: `sender-${n}`, toHolderId: 'collector' }));
    }
    const passOn = packet({
      kind: 'transfer',
      holderId: 'collector',
      deviceId: 'collector-phone',
      payee: 'user:stranger',
      payeeHolderId: 'stranger',
      amountMinor: 80n * YUAN,
      balanceMinor: 100n * YUAN,
      at: later(20),
    });
    const { judgement, features } = await judge(store, passOn, DEFAULT_RULE_SET);
    expect(features).toMatchObject({ holder_incoming_24h: 10, holder_received_24h: 10 });
    expect(judgement.fired).toContain('collected_then_new_payee');
    expect(judgement.decision).not.toBe('allow');
  });
});
