/**
 * Splitting a bill through the HTTP API (issue 13, AA 收款): creating equal and custom splits and
 * every refusal before anything is written; paying a named share with the PIN, and nobody else
 * paying it; 30 pays at once paying once; holders racing for the last open share; reminders to
 * those who have not paid, at most once an hour; closing; refunding once; a payment that dies
 * half-way finished once. After each: the books balance.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestHolder } from '../identity/testing.ts';
import { verifiedHolder } from '../merchants/testing.ts';
import { createSecurityTestApp, holderWithPin } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import { PIN, balanceOf, cny, errorCode, expectBooksBalanced, fund, inbox } from '../transfers/testing.ts';

let subject: SecurityTestApp;
beforeAll(async () => {
  // Sessions outlive the hours the tests move the clock past.
  subject = await createSecurityTestApp({ SESSION_IDLE_SECONDS: '2592000' });
});
afterAll(async () => subject.close());
afterEach(() => {
  delete subject.app.services.splits.hooks.afterClaim;
  delete subject.app.services.splits.hooks.afterPayment;
});

interface Share {
  id: string;
  position: number;
  amount: { amount: string };
  participant: { displayName: string } | null;
  state: string;
}

interface Split {
  id: string;
  status: string;
  mode: string;
  total: { amount: string };
  shareCount: number;
  paidCount: number;
  payableCount: number;
  myShare: Share | null;
  nextShare: { amount: string } | null;
  shares: Share[] | null;
  collected: { amount: string } | null;
  outstanding: { amount: string } | null;
  link: string;
  qrPayload: string;
}

const tokenOf = (split: Split) => split.link.split('/').pop()!;

async function organiser(): Promise<TestHolder> {
  return verifiedHolder(subject, '张伟');
}

async function payer(fundMinor = 1_000_00n): Promise<TestHolder> {
  const holder = await holderWithPin(subject);
  await fund(subject, holder, fundMinor);
  return holder;
}

function create(holder: TestHolder, payload: Record<string, unknown>, key = randomUUID()) {
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/splits',
    headers: { ...holder.headers, 'idempotency-key': key },
    payload: { title: '周五聚餐', ...payload },
  });
}

async function created(holder: TestHolder, payload: Record<string, unknown>): Promise<Split> {
  const response = await create(holder, payload);
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Split>();
}

function pay(holder: TestHolder, ref: string, options: { key?: string; pin?: string } = {}) {
  return subject.app.inject({
    method: 'POST',
    url: `/v1/splits/${ref}/pay`,
    headers: { ...holder.headers, 'idempotency-key': options.key ?? randomUUID() },
    payload: { confirmation: { pin: options.pin ?? PIN } },
  });
}

function refund(holder: TestHolder, split: Split, shareId: string, key = randomUUID()) {
  return subject.app.inject({
    method: 'POST',
    url: `/v1/me/splits/${split.id}/shares/${shareId}/refund`,
    headers: { ...holder.headers, 'idempotency-key': key },
    payload: { confirmation: { pin: PIN } },
  });
}

function remind(holder: TestHolder, split: Split) {
  return subject.app.inject({
    method: 'POST',
    url: `/v1/me/splits/${split.id}/reminders`,
    headers: holder.headers,
  });
}

async function detail(holder: TestHolder, split: Split): Promise<Split> {
  const response = await subject.app.inject({
    method: 'GET',
    url: `/v1/me/splits/${split.id}`,
    headers: holder.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Split>();
}

const amounts = (split: Split) => split.shares!.map((share) => share.amount.amount);

describe('creating a split', () => {
  it('cuts an open split into equal shares by the largest remainder, the organiser’s own first', async () => {
    const alice = await organiser();
    const split = await created(alice, { amount: cny('10000'), people: 3 });
    expect(split).toMatchObject({
      mode: 'open',
      status: 'open',
      shareCount: 3,
      payableCount: 2,
      paidCount: 0,
    });
    expect(amounts(split)).toEqual(['3334', '3333', '3333']);
    expect(split.shares!.map((share) => share.state)).toEqual(['own', 'unpaid', 'unpaid']);
    expect(split.myShare).toMatchObject({ state: 'own', amount: { amount: '3334' } });
    expect(split).toMatchObject({ collected: { amount: '0' }, outstanding: { amount: '6666' } });
    expect(split.link).toMatch(/\/splits\/[A-Za-z0-9_-]{22}$/);
    expect(split.qrPayload).toBe(`qianbao://split?t=${tokenOf(split)}`);
    // Without the organiser: every share is someone else's.
    const without = await created(alice, { amount: cny('1001'), people: 4, includeMe: false });
    expect(amounts(without)).toEqual(['251', '250', '250', '250']);
    // A retry with the same key answers the same split.
    const key = randomUUID();
    const [first, second] = [
      await create(alice, { amount: cny('500'), people: 2 }, key),
      await create(alice, { amount: cny('500'), people: 2 }, key),
    ];
    expect(second.json<Split>().id).toBe(first.json<Split>().id);
  });

  it('takes custom shares of named participants when they sum to the total, and refuses the rest clearly', async () => {
    const alice = await organiser();
    const [bob, carol] = [await payer(), await payer()];
    const split = await created(alice, {
      amount: cny('30000'),
      split: 'custom',
      myAmount: cny('10000'),
      participants: [
        { phone: bob.phone, amount: cny('12000') },
        { phone: carol.phone, amount: cny('8000') },
      ],
    });
    expect(split).toMatchObject({ mode: 'named', shareCount: 3, payableCount: 2 });
    expect(amounts(split)).toEqual(['10000', '12000', '8000']);
    expect(split.shares!.every((share) => share.participant !== null)).toBe(true);

    const refusals: [Record<string, unknown>, string][] = [
      [
        {
          amount: cny('30000'),
          split: 'custom',
          includeMe: false,
          participants: [
            { phone: bob.phone, amount: cny('12000') },
            { phone: carol.phone, amount: cny('8000') },
          ],
        },
        'SPLIT_SHARES_MISMATCH',
      ],
      [{ amount: cny('10100'), people: 101 }, 'SPLIT_TOO_MANY_PEOPLE'],
      [{ amount: cny('5000001'), people: 2 }, 'SPLIT_TOTAL_TOO_LARGE'],
      [{ amount: cny('3'), people: 4 }, 'SPLIT_TOTAL_TOO_SMALL'],
      [
        { amount: cny('300'), participants: [{ phone: bob.phone }, { phone: bob.phone }] },
        'SPLIT_DUPLICATE_PARTICIPANT',
      ],
      [{ amount: cny('300'), participants: [{ phone: alice.phone }] }, 'SPLIT_PARTICIPANT_IS_ORGANISER'],
      [{ amount: cny('300'), participants: [{ phone: '13900000000' }] }, 'PAYEE_NOT_FOUND'],
      [{ amount: cny('300'), people: 3, split: 'custom' }, 'VALIDATION_FAILED'],
      [{ amount: cny('300'), people: 3, participants: [{ phone: bob.phone }] }, 'VALIDATION_FAILED'],
      [{ amount: cny('300'), split: 'custom', participants: [{ phone: bob.phone }] }, 'VALIDATION_FAILED'],
    ];
    for (const [payload, code] of refusals) {
      expect(errorCode(await create(alice, payload)), JSON.stringify(payload)).toBe(code);
    }
    const mismatch = await create(alice, refusals[0]![0]);
    expect(mismatch.json()).toMatchObject({
      error: {
        details: { total: { amount: '30000' }, sum: { amount: '20000' }, difference: { amount: '10000' } },
      },
    });
    // 100 people is the most.
    const hundred = await created(alice, { amount: cny('10000'), people: 100 });
    expect(hundred.shares).toHaveLength(100);
    const listed = await subject.app.inject({ method: 'GET', url: '/v1/me/splits', headers: alice.headers });
    expect(listed.json<{ splits: Split[] }>().splits.map((s) => s.id)).toEqual([hundred.id, split.id]);
  });
});

describe('paying a share', () => {
  it('a named participant pays their share with the PIN; nobody else can, and history names both sides', async () => {
    const alice = await organiser();
    const [bob, carol] = [await payer(), await payer()];
    const stranger = await payer();
    const split = await created(alice, {
      amount: cny('9000'),
      participants: [{ phone: bob.phone }, { phone: carol.phone }],
    });
    expect(amounts(split)).toEqual(['3000', '3000', '3000']);
    // A stranger with the link: the split does not exist for them.
    expect(errorCode(await pay(stranger, tokenOf(split)))).toBe('SPLIT_NOT_FOUND');
    expect(errorCode(await pay(stranger, split.id))).toBe('SPLIT_NOT_FOUND');
    expect(
      errorCode(
        await subject.app.inject({
          method: 'GET',
          url: `/v1/splits/${tokenOf(split)}`,
          headers: stranger.headers,
        }),
      ),
    ).toBe('SPLIT_NOT_FOUND');
    expect(errorCode(await pay(alice, tokenOf(split)))).toBe('CANNOT_PAY_OWN_SPLIT');
    // A wrong PIN moves nothing and leaves the share to pay.
    expect(errorCode(await pay(bob, tokenOf(split), { pin: '000000' }))).toBe('PIN_INCORRECT');
    expect(await balanceOf(subject, bob)).toBe('100000');

    const seen = await subject.app.inject({
      method: 'GET',
      url: `/v1/splits/${tokenOf(split)}`,
      headers: bob.headers,
    });
    expect(seen.json()).toMatchObject({
      title: '周五聚餐',
      organiser: { displayName: '*伟' },
      myShare: { amount: { amount: '3000' }, state: 'unpaid' },
      shares: null,
    });
    const preview = await subject.app.inject({
      method: 'POST',
      url: `/v1/splits/${tokenOf(split)}/preview`,
      headers: bob.headers,
    });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json()).toMatchObject({
      amount: { amount: '3000' },
      confirmation: { factor: 'pin' },
      payment: { amount: '3000', payee: `user:${alice.userId}` },
      refusal: null,
    });

    const paid = await pay(bob, tokenOf(split));
    expect(paid.statusCode, paid.body).toBe(201);
    expect(paid.json()).toMatchObject({ myShare: { state: 'paid' }, paidCount: 1 });
    expect(await balanceOf(subject, bob)).toBe('97000');
    expect(await balanceOf(subject, alice)).toBe('3000');
    expect(errorCode(await pay(bob, tokenOf(split)))).toBe('SPLIT_SHARE_ALREADY_PAID');

    const seenByAlice = await detail(alice, split);
    expect(seenByAlice.shares!.map((share) => share.state)).toEqual(['own', 'paid', 'unpaid']);
    expect(seenByAlice).toMatchObject({ collected: { amount: '3000' }, outstanding: { amount: '3000' } });
    expect((await inbox(subject, alice)).map((n) => n.kind)).toContain('splits.share_paid');
    expect((await inbox(subject, bob)).map((n) => n.kind)).toContain('splits.paid');

    const history = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/transactions',
      headers: bob.headers,
    });
    expect(history.json<{ transactions: unknown[] }>().transactions[0]).toMatchObject({
      type: 'split',
      direction: 'out',
      amount: { amount: '3000' },
      counterparty: { displayName: '*伟' },
      note: '周五聚餐',
    });
    const joined = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/splits?role=participant',
      headers: bob.headers,
    });
    expect(joined.json<{ splits: Split[] }>().splits.map((s) => s.id)).toEqual([split.id]);

    // The last share completes the split.
    expect((await pay(carol, split.id)).statusCode).toBe(201);
    expect((await detail(alice, split)).status).toBe('completed');
    expect(await balanceOf(subject, alice)).toBe('6000');
    await expectBooksBalanced(subject);
  });

  it('refuses a share the payer cannot afford, and lets them pay it after a top-up', async () => {
    const alice = await organiser();
    const poor = await payer(1000n);
    const split = await created(alice, { amount: cny('5000'), participants: [{ phone: poor.phone }] });
    expect(errorCode(await pay(poor, tokenOf(split)))).toBe('INSUFFICIENT_FUNDS');
    expect((await detail(alice, split)).shares![1]!.state).toBe('unpaid');
    await fund(subject, poor, 2000n);
    expect((await pay(poor, tokenOf(split))).statusCode).toBe(201);
    expect(await balanceOf(subject, poor)).toBe('500');
    await expectBooksBalanced(subject);
  });

  it('30 pays of one share at once pay it once: with one Idempotency-Key, or with thirty', async () => {
    const alice = await organiser();
    const bob = await payer();
    const split = await created(alice, { amount: cny('2000'), participants: [{ phone: bob.phone }] });
    const key = randomUUID();
    const same = await Promise.all(Array.from({ length: 30 }, () => pay(bob, tokenOf(split), { key })));
    expect(same.map((response) => response.statusCode)).toEqual(Array.from({ length: 30 }, () => 201));
    expect(await balanceOf(subject, bob)).toBe('99000');

    const carol = await payer();
    const other = await created(alice, { amount: cny('2000'), participants: [{ phone: carol.phone }] });
    const many = await Promise.all(Array.from({ length: 30 }, () => pay(carol, tokenOf(other))));
    expect(many.filter((response) => response.statusCode === 201)).toHaveLength(1);
    expect(many.filter((response) => response.statusCode !== 201).map(errorCode)).toEqual(
      Array.from({ length: 29 }, () => 'SPLIT_SHARE_ALREADY_PAID'),
    );
    expect(await balanceOf(subject, carol)).toBe('99000');
    expect(await balanceOf(subject, alice)).toBe('2000');
    await expectBooksBalanced(subject);
  });

  it('holders racing for the last open share: exactly one takes it, one share per holder', async () => {
    const alice = await organiser();
    const split = await created(alice, { amount: cny('3000'), people: 3 });
    const first = await payer();
    expect((await pay(first, tokenOf(split))).statusCode).toBe(201);
    // One share per holder: a second pay of the same holder takes no second share.
    expect(errorCode(await pay(first, tokenOf(split)))).toBe('SPLIT_SHARE_ALREADY_PAID');
    // One at a time: setting PINs at once races the SMS codes of the test helper.
    const racers: TestHolder[] = [];
    for (let i = 0; i < 20; i += 1) racers.push(await payer());
    const responses = await Promise.all(racers.map((holder) => pay(holder, tokenOf(split))));
    expect(responses.filter((response) => response.statusCode === 201)).toHaveLength(1);
    expect(responses.filter((response) => response.statusCode !== 201).map(errorCode)).toEqual(
      Array.from({ length: 19 }, () => 'SPLIT_FULL'),
    );
    const balances = await Promise.all(racers.map((holder) => balanceOf(subject, holder)));
    expect(balances.filter((balance) => balance === '99000')).toHaveLength(1);
    expect(balances.filter((balance) => balance === '100000')).toHaveLength(19);
    const final = await detail(alice, split);
    expect(final).toMatchObject({ status: 'completed', paidCount: 2, outstanding: { amount: '0' } });
    expect(await balanceOf(subject, alice)).toBe('2000');
    await expectBooksBalanced(subject);
  });
});

describe('the organiser', () => {
  it('asks each named participant for their share when the split is made — once, however often it is sent', async () => {
    const alice = await organiser();
    const [bob, carol] = [await payer(), await payer()];
    const key = randomUUID();
    const payload = {
      amount: cny('3000'),
      includeMe: true,
      participants: [{ phone: bob.phone }, { phone: carol.phone }],
    };
    const sent = await Promise.all(Array.from({ length: 5 }, () => create(alice, payload, key)));
    expect(sent.map((response) => response.statusCode)).toEqual([201, 201, 201, 201, 201]);
    const split = sent[0]!.json<Split>();
    for (const holder of [bob, carol]) {
      const asks = (await inbox(subject, holder)).filter((n) => n.kind === 'splits.requested');
      expect(asks).toHaveLength(1);
      expect(asks[0]).toMatchObject({
        params: { splitId: split.id, title: '周五聚餐', amount: '¥10.00' },
        body: '「周五聚餐」你的份额 ¥10.00，点开支付',
      });
    }
    // The organiser's own share asks nobody; an open split (by number of people) names nobody.
    expect((await inbox(subject, alice)).filter((n) => n.kind === 'splits.requested')).toEqual([]);
    const dave = await payer();
    await created(dave, { amount: cny('3000'), people: 3 });
    await subject.app.outbox.deliverPending();
    const { rows } = await subject.database.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox_events WHERE type = 'split.requested' AND payload->>'organiserUserId' = $1`,
      [dave.userId],
    );
    expect(rows[0]!.n).toBe(0);
  });

  it('reminds only those who have not paid, at most once an hour', async () => {
    const alice = await organiser();
    const [bob, carol, dave] = [await payer(), await payer(), await payer()];
    const split = await created(alice, {
      amount: cny('4000'),
      participants: [{ phone: bob.phone }, { phone: carol.phone }, { phone: dave.phone }],
    });
    expect((await pay(bob, tokenOf(split))).statusCode).toBe(201);
    const first = await remind(alice, split);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ reminded: 2 });
    const kinds = async (holder: TestHolder) =>
      (await inbox(subject, holder)).filter((n) => n.kind === 'splits.reminder').length;
    expect([await kinds(bob), await kinds(carol), await kinds(dave)]).toEqual([0, 1, 1]);

    const again = await remind(alice, split);
    expect(errorCode(again)).toBe('SPLIT_REMINDER_TOO_SOON');
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(3500);
    subject.clock.advance(3600);
    expect((await pay(carol, tokenOf(split))).statusCode).toBe(201);
    expect((await remind(alice, split)).json()).toMatchObject({ reminded: 1 });
    expect([await kinds(bob), await kinds(carol), await kinds(dave)]).toEqual([0, 1, 2]);
    // Only the organiser reminds; once all have paid there is nobody to remind.
    expect(errorCode(await remind(bob, split))).toBe('SPLIT_NOT_FOUND');
    subject.clock.advance(3600);
    expect((await pay(dave, tokenOf(split))).statusCode).toBe(201);
    expect(errorCode(await remind(alice, split))).toBe('SPLIT_NOTHING_TO_REMIND');
    await expectBooksBalanced(subject);
  });

  it('closing stops payments; paid shares stay paid', async () => {
    const alice = await organiser();
    const [bob, carol] = [await payer(), await payer()];
    const split = await created(alice, {
      amount: cny('3000'),
      participants: [{ phone: bob.phone }, { phone: carol.phone }],
    });
    expect((await pay(bob, tokenOf(split))).statusCode).toBe(201);
    const closed = await subject.app.inject({
      method: 'POST',
      url: `/v1/me/splits/${split.id}/close`,
      headers: alice.headers,
    });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json<Split>().shares!.map((share) => share.state)).toEqual(['own', 'paid', 'unpaid']);
    expect(closed.json()).toMatchObject({ status: 'closed' });
    expect(errorCode(await pay(carol, tokenOf(split)))).toBe('SPLIT_CLOSED');
    expect(errorCode(await remind(alice, split))).toBe('SPLIT_CLOSED');
    expect(await balanceOf(subject, carol)).toBe('100000');
    // An open split takes no newcomer either.
    const open = await created(alice, { amount: cny('3000'), people: 3 });
    await subject.app.inject({
      method: 'POST',
      url: `/v1/me/splits/${open.id}/close`,
      headers: alice.headers,
    });
    expect(errorCode(await pay(carol, tokenOf(open)))).toBe('SPLIT_CLOSED');
    await expectBooksBalanced(subject);
  });

  it('refunds a paid share once, even when asked 30 times at once', async () => {
    const alice = await organiser();
    await fund(subject, alice, 1000n);
    const [bob, carol] = [await payer(), await payer()];
    const split = await created(alice, {
      amount: cny('5000'),
      participants: [{ phone: bob.phone }, { phone: carol.phone }],
    });
    expect((await pay(bob, tokenOf(split))).statusCode).toBe(201);
    const shares = (await detail(alice, split)).shares!;
    const [bobShare, carolShare] = [shares[1]!, shares[2]!];
    expect(errorCode(await refund(alice, split, carolShare.id))).toBe('SPLIT_SHARE_NOT_PAID');
    expect(errorCode(await refund(bob, split, bobShare.id))).toBe('SPLIT_NOT_FOUND');
    const noPin = await subject.app.inject({
      method: 'POST',
      url: `/v1/me/splits/${split.id}/shares/${bobShare.id}/refund`,
      headers: { ...alice.headers, 'idempotency-key': randomUUID() },
      payload: { confirmation: {} },
    });
    expect(errorCode(noPin)).toBe('FACTOR_NOT_ACCEPTED');

    const responses = await Promise.all(Array.from({ length: 30 }, () => refund(alice, split, bobShare.id)));
    expect(responses.filter((response) => response.statusCode === 200)).toHaveLength(1);
    expect(responses.filter((response) => response.statusCode !== 200).map(errorCode)).toEqual(
      Array.from({ length: 29 }, () => 'SPLIT_SHARE_ALREADY_REFUNDED'),
    );
    expect(await balanceOf(subject, bob)).toBe('100000');
    expect(await balanceOf(subject, alice)).toBe('1000');
    const after = await detail(alice, split);
    expect(after.shares![1]).toMatchObject({ state: 'refunded' });
    expect(after).toMatchObject({ collected: { amount: '0' }, paidCount: 0 });
    expect((await inbox(subject, bob)).map((n) => n.kind)).toContain('splits.refunded');
    // A refunded share is not paid again.
    expect(errorCode(await pay(bob, tokenOf(split)))).toBe('SPLIT_SHARE_ALREADY_PAID');
    const history = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/transactions',
      headers: bob.headers,
    });
    expect(history.json<{ transactions: unknown[] }>().transactions[0]).toMatchObject({
      type: 'split_refund',
      direction: 'in',
      amount: { amount: '1667' },
      counterparty: { displayName: '*伟' },
      note: '周五聚餐',
    });
    await expectBooksBalanced(subject);
  });
});

describe('crashes', () => {
  it('a payment that dies after the ledger is finished by its retry, paid once', async () => {
    const alice = await organiser();
    const bob = await payer();
    const split = await created(alice, { amount: cny('2000'), participants: [{ phone: bob.phone }] });
    subject.app.services.splits.hooks.afterPayment = () =>
      Promise.reject(new Error('crash after the ledger'));
    const key = randomUUID();
    expect((await pay(bob, tokenOf(split), { key })).statusCode).toBe(500);
    delete subject.app.services.splits.hooks.afterPayment;
    expect(await balanceOf(subject, bob)).toBe('99000');
    const retried = await pay(bob, tokenOf(split), { key });
    expect(retried.statusCode, retried.body).toBe(201);
    expect(retried.json()).toMatchObject({ myShare: { state: 'paid' } });
    expect(await balanceOf(subject, bob)).toBe('99000');
    expect((await inbox(subject, alice)).filter((n) => n.kind === 'splits.share_paid')).toHaveLength(1);
    await expectBooksBalanced(subject);
  });

  it('a claim whose request died before the ledger is given back, and its transfer can never move', async () => {
    const alice = await organiser();
    const bob = await payer();
    const split = await created(alice, { amount: cny('2000'), participants: [{ phone: bob.phone }] });
    // The request stops after its claim, as one that died there (its claim is not given back).
    let wake!: () => void;
    subject.app.services.splits.hooks.afterClaim = () => new Promise<void>((resolve) => (wake = resolve));
    const hung = pay(bob, tokenOf(split));
    await new Promise((resolve) => setTimeout(resolve, 200));
    delete subject.app.services.splits.hooks.afterClaim;
    expect((await detail(alice, split)).shares![1]!.state).toBe('paying');
    expect(errorCode(await pay(bob, tokenOf(split)))).toBe('SPLIT_SHARE_IN_PROGRESS');
    subject.clock.advance(61);
    // The organiser's view settles it: nothing reached the ledger, so the share is unpaid again.
    expect((await detail(alice, split)).shares![1]!.state).toBe('unpaid');
    // The stopped request wakes and sends its transfer: its id was burnt, so nothing moves.
    wake();
    expect(errorCode(await hung)).toBe('SPLIT_SHARE_IN_PROGRESS');
    expect(await balanceOf(subject, bob)).toBe('100000');
    expect((await detail(alice, split)).shares![1]!.state).toBe('unpaid');
    // Paying again pays once.
    expect((await pay(bob, tokenOf(split))).statusCode).toBe(201);
    expect(await balanceOf(subject, bob)).toBe('99000');
    expect(await balanceOf(subject, alice)).toBe('1000');
    await expectBooksBalanced(subject);
  });
});
