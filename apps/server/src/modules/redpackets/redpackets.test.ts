/**
 * Red packets through the HTTP API (issue 13): sending with the PIN and every refusal before
 * money moves; 100 holders racing for 10 shares; one claim per holder; one-to-one packets opened
 * only by their recipient; the balance cap; expiry refunding once, also racing the last claim; a
 * claim that dies after its share was drawn. After each: the sender's escrow holds exactly what
 * the packets still owe, and the books balance.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerHolder } from '../identity/testing.ts';
import type { TestHolder } from '../identity/testing.ts';
import { verifiedHolder } from '../merchants/testing.ts';
import { createSecurityTestApp, holderWithPin } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import { PIN, balanceOf, cny, errorCode, expectBooksBalanced, fund, inbox } from '../transfers/testing.ts';
import { RED_PACKET_RULES } from '../risk/engine/default-rules.ts';
import type { Rule } from '../risk/engine/types.ts';

let subject: SecurityTestApp;
beforeAll(async () => {
  // Sessions outlive the 24 hours the tests move the clock past.
  subject = await createSecurityTestApp({ SESSION_IDLE_SECONDS: '2592000' });
});
afterAll(async () => subject.close());
afterEach(() => {
  delete subject.app.services.redPackets.hooks.afterDraw;
});

interface Packet {
  id: string;
  status: string;
  total: { amount: string } | null;
  share: { amount: string } | null;
  remaining: { amount: string } | null;
  refund: { amount: string } | null;
  remainingCount: number;
  link: string | null;
  myClaim: { amount: { amount: string } } | null;
  claims: { displayName: string; amount: { amount: string }; luckiest: boolean }[] | null;
}

const tokenOf = (packet: Packet) => packet.link!.split('/').pop()!;

async function sender(fundMinor = 5_000_00n): Promise<TestHolder> {
  const holder = await verifiedHolder(subject, '张伟');
  await fund(subject, holder, fundMinor);
  return holder;
}

function send(holder: TestHolder, payload: Record<string, unknown>, key = randomUUID()) {
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/red-packets',
    headers: { ...holder.headers, 'idempotency-key': key },
    payload: { confirmation: { pin: PIN }, ...payload },
  });
}

async function sent(holder: TestHolder, payload: Record<string, unknown>): Promise<Packet> {
  const response = await send(holder, payload);
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Packet>();
}

function claim(holder: TestHolder, ref: string) {
  return subject.app.inject({
    method: 'POST',
    url: `/v1/red-packets/${ref}/claims`,
    headers: holder.headers,
  });
}

async function mine(holder: TestHolder, id: string): Promise<Packet> {
  const response = await subject.app.inject({
    method: 'GET',
    url: `/v1/me/red-packets/${id}`,
    headers: holder.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Packet>();
}

/**
 * The escrow invariant (ADR 0019): the sender's escrow account holds exactly what the sender's
 * packets still owe — the sum of their `remaining` (no claim is pending between requests).
 */
async function expectEscrowMatches(holder: TestHolder): Promise<bigint> {
  const listed = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/red-packets?box=sent&limit=50',
    headers: holder.headers,
  });
  const owed = listed
    .json<{ packets: Packet[] }>()
    .packets.reduce((sum, packet) => sum + BigInt(packet.remaining!.amount), 0n);
  const escrow = await subject.app.services.redPackets.escrowOf(holder.userId);
  const balance = await subject.ledger.getBalance(escrow);
  expect(balance?.postedBalance ?? 0n).toBe(owed);
  return owed;
}

async function runJob(name: 'redpackets.expire' | 'redpackets.recover') {
  await subject.app.jobs.run(name);
}

describe('sending', () => {
  it('moves the whole packet into the escrow with the PIN, and refuses anything over a limit before money moves', async () => {
    const alice = await sender(1_000_00n);
    const refusals: [Record<string, unknown>, string][] = [
      [{ kind: 'group', split: 'lucky', count: 2, amount: cny('40001') }, 'RED_PACKET_SHARE_TOO_LARGE'],
      [
        { kind: 'single', toPhone: (await registerHolder(subject.app)).phone, amount: cny('20001') },
        'RED_PACKET_SHARE_TOO_LARGE',
      ],
      [{ kind: 'group', split: 'equal', count: 2, amount: cny('40002') }, 'RED_PACKET_SHARE_TOO_LARGE'],
      [{ kind: 'group', split: 'lucky', count: 101, amount: cny('10100') }, 'RED_PACKET_TOO_MANY_SHARES'],
      [{ kind: 'group', split: 'lucky', count: 10, amount: cny('9') }, 'RED_PACKET_TOTAL_TOO_SMALL'],
      [{ kind: 'group', split: 'equal', count: 3, amount: cny('100') }, 'RED_PACKET_UNEVEN_TOTAL'],
      [{ kind: 'single', toPhone: alice.phone, amount: cny('100') }, 'CANNOT_PAY_YOURSELF'],
    ];
    for (const [payload, code] of refusals) {
      const response = await send(alice, payload);
      expect(errorCode(response), JSON.stringify(payload)).toBe(code);
    }
    const uneven = await send(alice, { kind: 'group', split: 'equal', count: 3, amount: cny('100') });
    expect(uneven.json()).toMatchObject({
      error: { details: { lower: { amount: '99' }, higher: { amount: '102' } } },
    });
    const wrongPin = await send(alice, {
      kind: 'group',
      count: 2,
      amount: cny('100'),
      confirmation: { pin: '000000' },
    });
    expect(errorCode(wrongPin)).toBe('PIN_INCORRECT');
    const noPin = await send(alice, { kind: 'group', count: 2, amount: cny('100'), confirmation: {} });
    expect(errorCode(noPin)).toBe('FACTOR_NOT_ACCEPTED');
    const poor = await verifiedHolder(subject, '李四');
    await fund(subject, poor, 50n);
    expect(errorCode(await send(poor, { kind: 'group', split: 'equal', count: 2, amount: cny('60') }))).toBe(
      'INSUFFICIENT_FUNDS',
    );
    expect(await balanceOf(subject, poor)).toBe('50');
    expect(await balanceOf(subject, alice)).toBe('100000');
    await expectEscrowMatches(alice);

    const packet = await sent(alice, {
      kind: 'group',
      split: 'lucky',
      count: 3,
      amount: cny('888'),
      greeting: '新年快乐',
    });
    expect(packet).toMatchObject({
      status: 'open',
      total: { amount: '888' },
      remainingCount: 3,
      share: null,
    });
    expect(packet.link).toMatch(/\/red-packets\/[A-Za-z0-9_-]{22}$/);
    expect(await balanceOf(subject, alice)).toBe(String(100000 - 888));
    expect(await expectEscrowMatches(alice)).toBe(888n);
    expect((await inbox(subject, alice)).map((n) => n.kind)).toContain('redpackets.sent');
    await expectBooksBalanced(subject);
  });

  it("counts toward the sender's tier limits (a T0 holder's ¥500 single payment)", async () => {
    const t0 = await holderWithPin(subject);
    await fund(subject, t0, 900_00n);
    const response = await send(t0, { kind: 'group', split: 'equal', count: 3, amount: cny('60000') });
    expect(errorCode(response)).toBe('LIMIT_EXCEEDED');
    expect(response.json()).toMatchObject({ error: { details: { limit: 'single' } } });
    expect(await balanceOf(subject, t0)).toBe('90000');
  });

  it('previews the split, the confirmation and what would refuse it, moving nothing', async () => {
    const alice = await sender(100_00n);
    const response = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/red-packets/preview',
      headers: alice.headers,
      payload: { kind: 'group', split: 'equal', count: 4, amount: cny('20000'), idempotencyKey: 'k1' },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      total: { amount: '20000' },
      share: { amount: '5000' },
      confirmation: { factor: 'pin' },
      payment: { amount: '20000', payee: 'red-packet:group' },
      refusal: { code: 'INSUFFICIENT_FUNDS' },
    });
    expect(await balanceOf(subject, alice)).toBe('10000');
  });

  it('answers a retried send with the same packet, moving the money once', async () => {
    const alice = await sender(100_00n);
    const key = randomUUID();
    const payload = { kind: 'group', count: 2, amount: cny('500') };
    const [first, second] = [await send(alice, payload, key), await send(alice, payload, key)];
    expect(first.statusCode).toBe(201);
    expect(second.json<Packet>().id).toBe(first.json<Packet>().id);
    expect(await balanceOf(subject, alice)).toBe('9500');
  });
});

describe('claiming', () => {
  it('100 holders racing for a 10-share lucky packet: exactly 10 get a share, the escrow ends empty, the luckiest is named', async () => {
    const alice = await sender(2_000_00n);
    const packet = await sent(alice, { kind: 'group', split: 'lucky', count: 10, amount: cny('100000') });
    const claimers = await Promise.all(Array.from({ length: 100 }, () => registerHolder(subject.app)));
    const before = BigInt(await balanceOf(subject, alice));
    const responses = await Promise.all(claimers.map((holder) => claim(holder, tokenOf(packet))));
    const won = responses.filter((response) => response.statusCode === 201);
    expect(won).toHaveLength(10);
    expect(responses.filter((r) => r.statusCode !== 201).map(errorCode)).toEqual(
      Array.from({ length: 90 }, () => 'RED_PACKET_EMPTY'),
    );
    const shares = won.map((response) => BigInt(response.json<Packet>().myClaim!.amount.amount));
    expect(shares.reduce((a, b) => a + b, 0n)).toBe(100000n);
    expect(shares.every((share) => share >= 1n && share <= 20000n)).toBe(true);

    const final = await mine(alice, packet.id);
    expect(final).toMatchObject({ status: 'finished', remainingCount: 0, remaining: { amount: '0' } });
    expect(final.claims).toHaveLength(10);
    const luckiest = final.claims!.filter((c) => c.luckiest);
    expect(luckiest).toHaveLength(1);
    expect(BigInt(luckiest[0]!.amount.amount)).toBe(shares.reduce((a, b) => (b > a ? b : a)));
    expect(await expectEscrowMatches(alice)).toBe(0n);
    expect(BigInt(await balanceOf(subject, alice))).toBe(before);
    // Each winner's wallet has exactly its share.
    const winners = claimers.filter((_, index) => responses[index]!.statusCode === 201);
    for (const [index, holder] of winners.entries()) {
      expect(await balanceOf(subject, holder)).toBe(shares[index]!.toString());
    }
    expect((await inbox(subject, alice)).map((n) => n.kind)).toContain('redpackets.finished');
    await expectBooksBalanced(subject);
  });

  it('the same holder claiming twice at once gets one share', async () => {
    const alice = await sender();
    const packet = await sent(alice, { kind: 'group', split: 'equal', count: 5, amount: cny('500') });
    const bob = await registerHolder(subject.app);
    const responses = await Promise.all(Array.from({ length: 5 }, () => claim(bob, tokenOf(packet))));
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(1);
    for (const refused of responses.filter((r) => r.statusCode !== 201)) {
      expect(errorCode(refused)).toBe('RED_PACKET_ALREADY_CLAIMED');
      expect(refused.json()).toMatchObject({ error: { details: { amount: { amount: '100' } } } });
    }
    expect(await balanceOf(subject, bob)).toBe('100');
    expect((await mine(alice, packet.id)).remainingCount).toBe(4);
    expect(await expectEscrowMatches(alice)).toBe(400n);
    // The sender may not claim a share of their own packet.
    expect(errorCode(await claim(alice, tokenOf(packet)))).toBe('CANNOT_CLAIM_OWN_RED_PACKET');
    await expectBooksBalanced(subject);
  });

  it('a one-to-one packet is opened by its recipient only, and history names the sender and the greeting', async () => {
    const alice = await sender();
    const bob = await registerHolder(subject.app);
    const carol = await registerHolder(subject.app);
    const packet = await sent(alice, {
      kind: 'single',
      toPhone: bob.phone,
      amount: cny('6666'),
      greeting: '生日快乐',
    });
    expect(packet).toMatchObject({ share: { amount: '6666' }, link: null });
    // To anyone else it does not exist.
    for (const response of [
      await claim(carol, packet.id),
      await subject.app.inject({
        method: 'GET',
        url: `/v1/red-packets/${packet.id}`,
        headers: carol.headers,
      }),
    ]) {
      expect(errorCode(response)).toBe('RED_PACKET_NOT_FOUND');
    }
    expect((await inbox(subject, bob)).map((n) => n.kind)).toContain('redpackets.received');
    const seen = await subject.app.inject({
      method: 'GET',
      url: `/v1/red-packets/${packet.id}`,
      headers: bob.headers,
    });
    expect(seen.json()).toMatchObject({
      status: 'open',
      sender: { displayName: '*伟' },
      greeting: '生日快乐',
      myClaim: null,
    });
    const opened = await claim(bob, packet.id);
    expect(opened.statusCode, opened.body).toBe(201);
    expect(opened.json()).toMatchObject({ status: 'finished', myClaim: { amount: { amount: '6666' } } });
    expect(await balanceOf(subject, bob)).toBe('6666');
    expect((await inbox(subject, alice)).map((n) => n.kind)).toContain('redpackets.finished');
    expect((await inbox(subject, bob)).map((n) => n.kind)).toContain('redpackets.claimed');

    const history = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/transactions',
      headers: bob.headers,
    });
    expect(history.json<{ transactions: unknown[] }>().transactions[0]).toMatchObject({
      type: 'red_packet',
      direction: 'in',
      amount: { amount: '6666' },
      counterparty: { displayName: '*伟' },
      note: '生日快乐',
    });
    const sentHistory = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/transactions',
      headers: alice.headers,
    });
    expect(sentHistory.json<{ transactions: unknown[] }>().transactions[0]).toMatchObject({
      type: 'red_packet',
      direction: 'out',
      counterparty: { displayName: expect.stringMatching(/^1\d{2}\*{4}\d{4}$/) as unknown },
      note: '生日快乐',
    });
    const received = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/red-packets?box=received',
      headers: bob.headers,
    });
    expect(received.json<{ packets: Packet[] }>().packets.map((p) => p.id)).toEqual([packet.id]);
    await expectEscrowMatches(alice);
  });

  it("a share the claimer's balance cap refuses goes back to the packet", async () => {
    const alice = await sender();
    const packet = await sent(alice, { kind: 'group', split: 'equal', count: 2, amount: cny('2000') });
    const full = await registerHolder(subject.app); // T0: ¥1,000 balance cap
    await fund(subject, full, 99_950n);
    const refused = await claim(full, tokenOf(packet));
    expect(errorCode(refused)).toBe('PAYEE_BALANCE_CAP_EXCEEDED');
    expect(await mine(alice, packet.id)).toMatchObject({
      remainingCount: 2,
      remaining: { amount: '2000' },
      claims: [],
    });
    expect(await expectEscrowMatches(alice)).toBe(2000n);
    // Someone else takes a share; the refused holder may try again (and is refused again).
    expect((await claim(await registerHolder(subject.app), tokenOf(packet))).statusCode).toBe(201);
    expect(errorCode(await claim(full, tokenOf(packet)))).toBe('PAYEE_BALANCE_CAP_EXCEEDED');
    expect(await balanceOf(subject, full)).toBe('99950');
    expect(await expectEscrowMatches(alice)).toBe(1000n);
    await expectBooksBalanced(subject);
  });

  it('a claim that dies after its share was drawn is finished once: by the job, or by the holder trying again', async () => {
    const alice = await sender();
    const packet = await sent(alice, { kind: 'group', split: 'lucky', count: 3, amount: cny('300') });
    const bob = await registerHolder(subject.app);
    subject.app.services.redPackets.hooks.afterDraw = () => Promise.reject(new Error('crash after the draw'));
    const died = await claim(bob, tokenOf(packet));
    expect(died.statusCode).toBe(500);
    delete subject.app.services.redPackets.hooks.afterDraw;
    expect(await balanceOf(subject, bob)).toBe('0');
    subject.clock.advance(31);
    await runJob('redpackets.recover');
    await runJob('redpackets.recover');
    const share = BigInt(await balanceOf(subject, bob));
    expect(share).toBeGreaterThan(0n);
    const retried = await claim(bob, tokenOf(packet));
    expect(errorCode(retried)).toBe('RED_PACKET_ALREADY_CLAIMED');
    expect(retried.json()).toMatchObject({ error: { details: { amount: { amount: share.toString() } } } });
    expect(await expectEscrowMatches(alice)).toBe(300n - share);
    expect((await inbox(subject, bob)).filter((n) => n.kind === 'redpackets.claimed')).toHaveLength(1);

    // A claim that dies the same way and whose holder retries at once: the retry finishes it.
    const carol = await registerHolder(subject.app);
    subject.app.services.redPackets.hooks.afterDraw = () => Promise.reject(new Error('crash after the draw'));
    expect((await claim(carol, tokenOf(packet))).statusCode).toBe(500);
    delete subject.app.services.redPackets.hooks.afterDraw;
    const finished = await claim(carol, tokenOf(packet));
    expect(errorCode(finished)).toBe('RED_PACKET_ALREADY_CLAIMED');
    const carolShare = finished.json<{ error: { details: { amount: { amount: string } } } }>().error.details
      .amount;
    expect(await balanceOf(subject, carol)).toBe(carolShare.amount);
    expect((await inbox(subject, carol)).filter((n) => n.kind === 'redpackets.claimed')).toHaveLength(1);
    await expectEscrowMatches(alice);
    await expectBooksBalanced(subject);
  });
});

describe('the risk engine', () => {
  it('refuses the next packet of a sender whose shares went to ten accounts registered today — told before the PIN, nothing moved', async () => {
    const alice = await sender(1_000_00n);
    const packet = await sent(alice, { kind: 'group', split: 'equal', count: 10, amount: cny('1000') });
    const fresh = await Promise.all(Array.from({ length: 10 }, () => registerHolder(subject.app)));
    const payload = { kind: 'group', split: 'lucky', count: 5, amount: cny('5000') };
    const preview = () =>
      subject.app.inject({
        method: 'POST',
        url: '/v1/me/red-packets/preview',
        headers: alice.headers,
        payload,
      });
    for (const [index, holder] of fresh.entries()) {
      if (index === 9) expect((await preview()).json()).toMatchObject({ refusal: null });
      const claimed = await claim(holder, tokenOf(packet));
      expect(claimed.statusCode, claimed.body).toBe(201);
      // A claim answered again (one per holder) is not counted again.
      expect(errorCode(await claim(holder, tokenOf(packet)))).toBe('RED_PACKET_ALREADY_CLAIMED');
    }
    const before = await balanceOf(subject, alice);
    const foreseen = await preview();
    expect(foreseen.statusCode, foreseen.body).toBe(200);
    expect(foreseen.json()).toMatchObject({
      refusal: { code: 'RISK_REVIEW_REQUIRED', details: { rules: ['red_packets_to_new_accounts'] } },
    });
    const refused = await send(alice, payload);
    expect(errorCode(refused)).toBe('RISK_REVIEW_REQUIRED');
    expect(refused.json()).toMatchObject({ error: { details: { rules: ['red_packets_to_new_accounts'] } } });
    expect(await balanceOf(subject, alice)).toBe(before);
    // Kept for operators, with the features it was judged on.
    const { rows } = await subject.database.pool.query<{
      decision: string;
      features: Record<string, unknown>;
    }>(
      `SELECT decision, features FROM risk_decisions WHERE holder_id = $1 AND kind = 'red_packet' ORDER BY at DESC LIMIT 1`,
      [alice.userId],
    );
    expect(rows[0]).toMatchObject({
      decision: 'review',
      features: { holder_red_packet_claims_24h: 10, holder_red_packet_new_claimers_24h: 10 },
    });
    await expectBooksBalanced(subject);
  });

  it('a database whose rule sets predate red packets gets their shipped rules once, its other rules unchanged', async () => {
    const pool = subject.database.pool;
    const ids = RED_PACKET_RULES.map((rule) => rule.id);
    const { rows } = await pool.query<{ version: number; rules: Rule[] }>(
      'SELECT version, rules FROM risk_rule_sets ORDER BY version',
    );
    for (const row of rows) {
      await pool.query('UPDATE risk_rule_sets SET rules = $2 WHERE version = $1', [
        row.version,
        JSON.stringify(row.rules.filter((rule) => !ids.includes(rule.id))),
      ]);
    }
    const before = await pool.query<{ rules: Rule[] }>(
      `SELECT rules FROM risk_rule_sets WHERE status = 'active'`,
    );
    await subject.app.services.risk.seedDefaultRules();
    await subject.app.services.risk.seedDefaultRules();
    const sets = await pool.query<{ rules: Rule[]; status: string; created_by: string }>(
      'SELECT rules, status, created_by FROM risk_rule_sets ORDER BY version',
    );
    expect(sets.rows).toHaveLength(rows.length + 1);
    const added = sets.rows.at(-1)!;
    expect(added).toMatchObject({ status: 'active', created_by: 'system' });
    expect(added.rules.filter((rule) => !ids.includes(rule.id))).toEqual(before.rows[0]!.rules);
    expect(added.rules.filter((rule) => ids.includes(rule.id)).map((rule) => rule.id)).toEqual(ids);
  });
});

describe('expiry', () => {
  it('gives the sender back what nobody claimed after 24 hours, once', async () => {
    const alice = await sender(100_00n);
    const packet = await sent(alice, { kind: 'group', split: 'equal', count: 3, amount: cny('900') });
    const single = await sent(alice, {
      kind: 'single',
      toPhone: (await registerHolder(subject.app)).phone,
      amount: cny('50'),
    });
    expect((await claim(await registerHolder(subject.app), tokenOf(packet))).statusCode).toBe(201);
    subject.clock.advance(24 * 3600 - 10);
    await runJob('redpackets.expire');
    expect((await mine(alice, packet.id)).status).toBe('open');
    subject.clock.advance(10);
    await Promise.all([runJob('redpackets.expire'), runJob('redpackets.expire')]);
    await runJob('redpackets.expire');
    expect(await mine(alice, packet.id)).toMatchObject({
      status: 'refunded',
      refund: { amount: '600' },
      remainingCount: 0,
    });
    expect(await mine(alice, single.id)).toMatchObject({ status: 'refunded', refund: { amount: '50' } });
    expect(await balanceOf(subject, alice)).toBe(String(10000 - 300));
    expect(await expectEscrowMatches(alice)).toBe(0n);
    expect(errorCode(await claim(await registerHolder(subject.app), tokenOf(packet)))).toBe(
      'RED_PACKET_EXPIRED',
    );
    const refunds = (await inbox(subject, alice)).filter((n) => n.kind === 'redpackets.refunded');
    expect(refunds).toHaveLength(2);
    await expectBooksBalanced(subject);
  });

  it('racing the expiry: a share drawn before it is claimed, the rest refunded — never both', async () => {
    const alice = await sender(100_00n);
    const packet = await sent(alice, { kind: 'group', split: 'lucky', count: 3, amount: cny('1000') });
    const first = await claim(await registerHolder(subject.app), tokenOf(packet));
    expect(first.statusCode).toBe(201);
    const firstShare = BigInt(first.json<Packet>().myClaim!.amount.amount);
    const bob = await registerHolder(subject.app);
    // Bob's claim draws a share just before the expiry and stops before its ledger transfer…
    let release!: () => void;
    const drawn = new Promise<void>((resolve) => {
      subject.app.services.redPackets.hooks.afterDraw = async () => {
        resolve();
        await new Promise<void>((go) => (release = go));
      };
    });
    subject.clock.advance(24 * 3600 - 1);
    const claiming = claim(bob, tokenOf(packet));
    await drawn;
    // …the expiry runs meanwhile: it finishes Bob's claim itself, then refunds the last share.
    subject.clock.advance(2);
    await runJob('redpackets.expire');
    release();
    const answered = await claiming;
    expect(answered.statusCode, answered.body).toBe(201);
    const share = BigInt(answered.json<Packet>().myClaim!.amount.amount);
    expect(await balanceOf(subject, bob)).toBe(share.toString());
    const final = await mine(alice, packet.id);
    expect(final).toMatchObject({
      status: 'refunded',
      refund: { amount: (1000n - firstShare - share).toString() },
    });
    expect(await balanceOf(subject, alice)).toBe((10000n - firstShare - share).toString());
    expect(await expectEscrowMatches(alice)).toBe(0n);
    await expectBooksBalanced(subject);
  });

  it('racing claims against the sweep at the expiry: every fen is claimed or refunded exactly once', async () => {
    const alice = await sender(100_00n);
    const packet = await sent(alice, { kind: 'group', split: 'lucky', count: 20, amount: cny('2000') });
    const claimers = await Promise.all(Array.from({ length: 20 }, () => registerHolder(subject.app)));
    subject.clock.advance(24 * 3600 - 1);
    // Each claim waits a moment after its draw; the clock passes the expiry meanwhile.
    subject.app.services.redPackets.hooks.afterDraw = () => new Promise((resolve) => setTimeout(resolve, 20));
    const claims = claimers.map((holder, index) =>
      new Promise((resolve) => setTimeout(resolve, index * 3)).then(() => claim(holder, tokenOf(packet))),
    );
    await new Promise((resolve) => setTimeout(resolve, 25));
    subject.clock.advance(1);
    const [responses] = await Promise.all([Promise.all(claims), runJob('redpackets.expire')]);
    await runJob('redpackets.expire');
    let claimed = 0n;
    for (const [index, response] of responses.entries()) {
      if (response.statusCode === 201) {
        claimed += BigInt(await balanceOf(subject, claimers[index]!));
      } else {
        expect(errorCode(response)).toBe('RED_PACKET_EXPIRED');
        expect(await balanceOf(subject, claimers[index]!)).toBe('0');
      }
    }
    const final = await mine(alice, packet.id);
    const refunded = BigInt(final.refund?.amount ?? '0');
    expect(claimed + refunded).toBe(2000n);
    expect(await balanceOf(subject, alice)).toBe((10000n - claimed).toString());
    expect(await expectEscrowMatches(alice)).toBe(0n);
    await expectBooksBalanced(subject);
  });
});
