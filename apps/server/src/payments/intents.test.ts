/**
 * The payment resource (intents.ts) over HTTP: one shape — create (a stored quote), confirm, a
 * final state — for transfers, payment requests, top-ups, withdrawals and bank transfers; money
 * moves at most once per payment, whatever the confirms (concurrent, retried, taken over).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHolder } from '../modules/identity/testing.ts';
import {
  TEST_PIN,
  cny,
  createFundingTestApp,
  expectBooksBalance,
  fund,
  holderWithCard,
  walletBalance,
} from '../modules/funding/testing.ts';
import type { FundingTestApp } from '../modules/funding/testing.ts';
import { movementId } from './intents.ts';

let subject: FundingTestApp;
beforeAll(async () => (subject = await createFundingTestApp()));
afterAll(async () => {
  await expectBooksBalance(subject);
  await subject.close();
});

interface Intent {
  id: string;
  kind: string;
  status: string;
  amount: { amount: string; currency: string };
  fee: { amount: string; currency: string };
  total: { amount: string; currency: string };
  confirmation: { factor: string; accepted: string[] };
  payment: { id: string; amount: string; currency: string; payee: string };
  refusal: { code: string; details: Record<string, unknown> } | null;
  details: Record<string, unknown>;
  result: Record<string, unknown> | null;
  lastError: { code: string } | null;
  expiresAt: string;
}

async function create(holder: TestHolder, payload: Record<string, unknown>): Promise<Intent> {
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/payments',
    headers: holder.headers,
    payload,
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Intent>();
}

function confirm(holder: TestHolder, id: string, pin: string | null = TEST_PIN, key = randomUUID()) {
  return subject.app.inject({
    method: 'POST',
    url: `/v1/payments/${id}/confirm`,
    headers: { ...holder.headers, 'idempotency-key': key },
    payload: pin === null ? {} : { confirmation: { pin } },
  });
}

async function get(holder: TestHolder, id: string) {
  return subject.app.inject({ method: 'GET', url: `/v1/payments/${id}`, headers: holder.headers });
}

/** A holder with a PIN, a card and money in the wallet (topped up through the card). */
async function fundedHolder(
  amount = '100000',
): Promise<{ holder: TestHolder; cardId: string; phone: string }> {
  const { holder, cardId } = await holderWithCard(subject);
  if (amount !== '0') {
    expect((await fund(subject, holder, { kind: 'top-ups', cardId, amount })).statusCode).toBe(201);
  }
  return { holder, cardId, phone: holder.phone };
}

describe('the payment resource', () => {
  it('a transfer: quoted, refused with a wrong PIN (nothing moves), confirmed once, confirmed again = the same', async () => {
    const payer = await fundedHolder();
    const payee = await fundedHolder('0');
    const created = await create(payer.holder, {
      kind: 'transfer',
      toPhone: payee.phone,
      amount: cny('2500'),
      note: '午饭',
    });
    expect(created).toMatchObject({
      kind: 'transfer',
      status: 'requires_confirmation',
      amount: cny('2500'),
      fee: cny('0'),
      total: cny('2500'),
      confirmation: { factor: 'pin' },
      payment: { id: movementId(created.id, 0), amount: '2500', currency: 'CNY' },
      refusal: null,
      result: null,
      lastError: null,
    });
    expect(Object.keys(created.details)).toEqual(expect.arrayContaining(['payee', 'limits']));

    const wrong = await confirm(payer.holder, created.id, '000000');
    expect(wrong.statusCode, wrong.body).toBe(422);
    expect(wrong.json()).toMatchObject({ error: { code: 'PIN_INCORRECT' } });
    const refused = (await get(payer.holder, created.id)).json<Intent>();
    expect(refused).toMatchObject({ status: 'requires_confirmation', lastError: { code: 'PIN_INCORRECT' } });
    // A new attempt: a passkey now signs the next movement.
    expect(refused.payment.id).toBe(movementId(created.id, 1));
    expect(await walletBalance(subject, payer.holder)).toMatchObject({ balance: '100000' });

    const done = await confirm(payer.holder, created.id);
    expect(done.statusCode, done.body).toBe(200);
    const paid = done.json<Intent>();
    expect(paid).toMatchObject({ status: 'succeeded', lastError: null });
    expect(paid.result).toMatchObject({ id: movementId(created.id, 1), amount: cny('2500'), note: '午饭' });
    expect(await walletBalance(subject, payer.holder)).toMatchObject({ balance: '97500' });
    expect(await walletBalance(subject, payee.holder)).toMatchObject({ balance: '2500' });

    // Another confirm (another key, even a wrong PIN) answers where it stands and moves nothing.
    const again = await confirm(payer.holder, created.id, '000000');
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ status: 'succeeded', result: { id: paid.result!.id } });
    expect(await walletBalance(subject, payer.holder)).toMatchObject({ balance: '97500' });
    // Someone else's payment is not found.
    expect((await get(payee.holder, created.id)).statusCode).toBe(404);
  });

  it('20 confirms at once with different keys: the money moves once', async () => {
    const payer = await fundedHolder();
    const payee = await fundedHolder('0');
    const created = await create(payer.holder, {
      kind: 'transfer',
      toPhone: payee.phone,
      amount: cny('1000'),
    });
    const answers = await Promise.all(Array.from({ length: 20 }, () => confirm(payer.holder, created.id)));
    const codes = answers.map((r) =>
      r.statusCode === 200 ? r.json<Intent>().status : r.json<{ error: { code: string } }>().error.code,
    );
    expect(codes.filter((c) => c === 'succeeded').length).toBeGreaterThanOrEqual(1);
    expect(codes.every((c) => c === 'succeeded' || c === 'PAYMENT_IN_PROGRESS')).toBe(true);
    expect(await walletBalance(subject, payer.holder)).toMatchObject({ balance: '99000' });
    expect(await walletBalance(subject, payee.holder)).toMatchObject({ balance: '1000' });
    expect((await get(payer.holder, created.id)).json()).toMatchObject({ status: 'succeeded' });
  });

  it('a confirm whose process died after the money moved: the next confirm answers that success, no PIN asked', async () => {
    const payer = await fundedHolder();
    const payee = await fundedHolder('0');
    const created = await create(payer.holder, {
      kind: 'transfer',
      toPhone: payee.phone,
      amount: cny('700'),
    });
    // The dead run: it claimed the payment and moved the money under attempt 0's id, then died.
    await subject.app.services.transfers.transfer({
      payerUserId: payer.holder.userId,
      payerWalletAccountId: payer.holder.walletAccountId,
      payee: { toPhone: payee.phone },
      amountMinor: 700n,
      note: null,
      confirmation: { pin: TEST_PIN },
      paymentId: movementId(created.id, 0),
      resumed: false,
    });
    await subject.database.pool.query(
      `UPDATE payments_intents SET status = 'processing', claimed_until = $2 WHERE id = $1`,
      [created.id, new Date(subject.clock.now().getTime() - 1000)],
    );
    // A wrong PIN: the takeover asks the ledger first, so it never gets to the PIN.
    const resumed = await confirm(payer.holder, created.id, '000000');
    expect(resumed.statusCode, resumed.body).toBe(200);
    expect(resumed.json()).toMatchObject({ status: 'succeeded', result: { id: movementId(created.id, 0) } });
    expect(await walletBalance(subject, payer.holder)).toMatchObject({ balance: '99300' });
    expect(await walletBalance(subject, payee.holder)).toMatchObject({ balance: '700' });
  });

  it('a claim still held answers PAYMENT_IN_PROGRESS; expired and canceled payments refuse a confirm', async () => {
    const payer = await fundedHolder();
    const payee = await fundedHolder('0');
    const held = await create(payer.holder, { kind: 'transfer', toPhone: payee.phone, amount: cny('100') });
    await subject.database.pool.query(
      `UPDATE payments_intents SET status = 'processing', claimed_until = $2 WHERE id = $1`,
      [held.id, new Date(subject.clock.now().getTime() + 60_000)],
    );
    expect((await confirm(payer.holder, held.id)).json()).toMatchObject({
      error: { code: 'PAYMENT_IN_PROGRESS' },
    });

    const canceled = await create(payer.holder, {
      kind: 'transfer',
      toPhone: payee.phone,
      amount: cny('100'),
    });
    const cancel = await subject.app.inject({
      method: 'POST',
      url: `/v1/payments/${canceled.id}/cancel`,
      headers: payer.holder.headers,
    });
    expect(cancel.json()).toMatchObject({ status: 'canceled' });
    expect((await confirm(payer.holder, canceled.id)).json()).toMatchObject({
      error: { code: 'PAYMENT_CANCELED' },
    });

    const late = await create(payer.holder, { kind: 'transfer', toPhone: payee.phone, amount: cny('100') });
    subject.clock.advance(16 * 60);
    const expired = await confirm(payer.holder, late.id);
    expect(expired.statusCode).toBe(410);
    expect(expired.json()).toMatchObject({ error: { code: 'PAYMENT_EXPIRED' } });
    expect((await get(payer.holder, late.id)).json()).toMatchObject({ status: 'expired' });
    expect(await walletBalance(subject, payer.holder)).toMatchObject({ balance: '100000' });
  });

  it('a withdrawal the single limit refuses is quoted with that refusal (the drift of issue 10), and refused alike', async () => {
    const { holder, cardId } = await fundedHolder('0');
    // T2 here (card bound): the quote must carry the same single-payment check as the payment.
    const kyc = await subject.app.inject({ method: 'GET', url: '/v1/me/kyc', headers: holder.headers });
    const single = BigInt(kyc.json<{ limits: { singlePayment: string } }>().limits.singlePayment);
    const over = await create(holder, { kind: 'withdrawal', cardId, amount: cny(String(single + 100n)) });
    expect(over.refusal).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'single' } });
    const refused = await confirm(holder, over.id);
    expect(refused.json()).toMatchObject({ error: { code: 'LIMIT_EXCEEDED' } });
  });

  it('top-up and withdrawal: confirmed through the same shape, with the fee and the operation as result', async () => {
    const { holder, cardId } = await fundedHolder('0');
    const topUp = await create(holder, { kind: 'top_up', cardId, amount: cny('50000') });
    expect(topUp).toMatchObject({ status: 'requires_confirmation', total: cny('50000'), refusal: null });
    const toppedUp = await confirm(holder, topUp.id);
    expect(toppedUp.statusCode, toppedUp.body).toBe(200);
    expect(toppedUp.json()).toMatchObject({
      status: 'succeeded',
      result: { id: movementId(topUp.id, 0), kind: 'top_up', status: 'succeeded', amount: cny('50000') },
    });
    expect(await walletBalance(subject, holder)).toMatchObject({ balance: '50000' });

    const withdrawal = await create(holder, { kind: 'withdrawal', cardId, amount: cny('10000') });
    expect(Object.keys(withdrawal.details).sort()).toEqual(['arrives', 'freeRemaining']);
    const withdrawn = await confirm(holder, withdrawal.id);
    expect(withdrawn.json()).toMatchObject({ status: 'succeeded', result: { kind: 'withdrawal' } });
    const fee = BigInt(withdrawal.fee.amount);
    expect(await walletBalance(subject, holder)).toMatchObject({ balance: String(40000n - fee) });
  });

  it('a bank transfer: the account is stored sealed, shown masked, and the transfer goes through', async () => {
    const { holder } = await fundedHolder();
    const account = { bankCode: 'ICBC', accountName: '李明', accountNumber: '6222021234567894' };
    const created = await create(holder, { kind: 'bank_transfer', ...account, amount: cny('3000') });
    expect(JSON.stringify(created.details.account)).toContain('7894');
    const { rows } = await subject.database.pool.query<{ request: string }>(
      'SELECT request::text AS request FROM payments_intents WHERE id = $1',
      [created.id],
    );
    expect(rows[0]!.request).not.toContain('6222021234567894');
    expect(rows[0]!.request).not.toContain('李明');
    const done = await confirm(holder, created.id);
    expect(done.statusCode, done.body).toBe(200);
    expect(['succeeded', 'processing']).toContain(done.json<Intent>().status);
    expect(done.json()).toMatchObject({ result: { kind: 'bank_transfer' } });
  });

  it('a payment request paid through the resource settles it', async () => {
    const requester = await fundedHolder('0');
    const payer = await fundedHolder();
    const request = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/payment-requests',
      headers: requester.holder.headers,
      payload: { amount: cny('4200'), note: 'AA' },
    });
    expect(request.statusCode, request.body).toBe(201);
    const requestId = request.json<{ id: string }>().id;
    const created = await create(payer.holder, { kind: 'payment_request', paymentRequestId: requestId });
    // A passkey signs the request's own id, whatever the attempt.
    expect(created).toMatchObject({ amount: cny('4200'), payment: { id: requestId } });
    const paid = await confirm(payer.holder, created.id);
    expect(paid.json()).toMatchObject({ status: 'succeeded', result: { paymentRequestId: requestId } });
    expect(await walletBalance(subject, requester.holder)).toMatchObject({ balance: '4200' });
  });

  it('payments.prune deletes payments never confirmed a week after their expiry, and nothing else', async () => {
    const payer = await fundedHolder();
    const payee = await fundedHolder('0');
    const left = await create(payer.holder, { kind: 'transfer', toPhone: payee.phone, amount: cny('100') });
    const paid = await create(payer.holder, { kind: 'transfer', toPhone: payee.phone, amount: cny('100') });
    expect((await confirm(payer.holder, paid.id)).statusCode).toBe(200);
    // Aged in the table (moving the clock by days would end the holders' sessions).
    const age = (days: number) =>
      subject.database.pool.query(
        `UPDATE payments_intents SET expires_at = expires_at - make_interval(days => $2) WHERE id = ANY($1)`,
        [[left.id, paid.id], days],
      );
    await age(6);
    await subject.app.jobs.run('payments.prune');
    expect((await get(payer.holder, left.id)).json()).toMatchObject({ status: 'expired' });
    await age(2);
    await subject.app.jobs.run('payments.prune');
    expect((await get(payer.holder, left.id)).statusCode).toBe(404);
    expect((await get(payer.holder, paid.id)).json()).toMatchObject({ status: 'succeeded' });
  });

  it('refuses bad input with the field named', async () => {
    const { holder } = await fundedHolder('0');
    for (const payload of [
      { kind: 'lottery', amount: cny('100') },
      { kind: 'transfer', amount: cny('100') },
      { kind: 'transfer', toPhone: '13800138000', amount: { amount: '-1', currency: 'CNY' } },
      { kind: 'top_up', cardId: 'not-a-card', amount: cny('100') },
    ]) {
      const response = await subject.app.inject({
        method: 'POST',
        url: '/v1/payments',
        headers: holder.headers,
        payload,
      });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
    }
    expect(
      (
        await subject.app.inject({
          method: 'GET',
          url: `/v1/payments/${randomUUID()}`,
          headers: holder.headers,
        })
      ).statusCode,
    ).toBe(404);
  });
});
