import { Secret, TOTP } from 'otpauth';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_DEFAULT_OPENING_BALANCE_MINOR } from '../../adapters/bank/index.ts';
import { registerHolder } from '../identity/testing.ts';
import type { TestHolder } from '../identity/testing.ts';
import { feeIncomeAccountId } from './accounts.ts';
import {
  TEST_PIN,
  cardNumber,
  cny,
  createFundingTestApp,
  expectBooksBalance,
  fund,
  holderWithCard,
  newKey,
  recoverNow,
  walletBalance,
} from './testing.ts';
import type { FundingTestApp } from './testing.ts';

let subject: FundingTestApp;
beforeAll(async () => (subject = await createFundingTestApp()));
afterAll(async () => subject.close());
afterEach(async () => {
  for (const key of Object.keys(subject.hooks)) delete subject.hooks[key as keyof typeof subject.hooks];
  await expectBooksBalance(subject);
});

const OPENING_CARD_BALANCE = SANDBOX_DEFAULT_OPENING_BALANCE_MINOR;

async function cardBalance(number: string): Promise<bigint> {
  const { cardToken } = await subject.bank.tokeniseCard(number);
  return (await subject.bank.balanceOf(cardToken)) ?? -1n;
}

async function fundingOf(holder: TestHolder, id: string) {
  const response = await subject.app.inject({
    method: 'GET',
    url: `/v1/me/funding/${id}`,
    headers: holder.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ status: string; timeline: { state: string }[]; fee: { amount: string } }>();
}

function crash(): never {
  throw new Error('simulated crash');
}

describe('top-up and withdrawal', () => {
  it('tops up from the card with the PIN, then withdraws; both sides agree', async () => {
    const { holder, cardId, cardNumber: number } = await holderWithCard(subject);
    const topUp = await fund(subject, holder, { kind: 'top-ups', cardId, amount: '50000' });
    expect(topUp.statusCode, topUp.body).toBe(201);
    const body = topUp.json<{ id: string; status: string; timeline: { state: string }[] }>();
    expect(body.status).toBe('succeeded');
    expect(body.timeline.map((t) => t.state)).toEqual(['created', 'held', 'bank_pending', 'succeeded']);
    expect(await walletBalance(subject, holder)).toEqual({ balance: '50000', available: '50000' });
    expect(await cardBalance(number)).toBe(OPENING_CARD_BALANCE - 50_000n);

    const withdrawal = await fund(subject, holder, { kind: 'withdrawals', cardId, amount: '20000' });
    expect(withdrawal.statusCode, withdrawal.body).toBe(201);
    expect(await walletBalance(subject, holder)).toEqual({ balance: '30000', available: '30000' });
    expect(await cardBalance(number)).toBe(OPENING_CARD_BALANCE - 30_000n);
    expect((await fundingOf(holder, body.id)).status).toBe('succeeded');
  });

  it('needs a confirmation; a wrong PIN moves nothing', async () => {
    const { holder, cardId } = await holderWithCard(subject);
    const none = await fund(subject, holder, { kind: 'top-ups', cardId, amount: '100', pin: null });
    expect(none.json()).toMatchObject({ error: { code: 'FACTOR_NOT_ACCEPTED' } });
    const wrong = await fund(subject, holder, { kind: 'top-ups', cardId, amount: '100', pin: '999999' });
    expect(wrong.json()).toMatchObject({ error: { code: 'PIN_INCORRECT' } });
    expect(await walletBalance(subject, holder)).toEqual({ balance: '0', available: '0' });
  });

  it('takes the amount as money on every route; the old bare string and a wrong currency are refused', async () => {
    const { holder, cardId } = await holderWithCard(subject);
    expect((await fund(subject, holder, { kind: 'top-ups', cardId, amount: '10000' })).statusCode).toBe(201);
    const account = { bankCode: 'ICBC', accountNumber: cardNumber(), accountName: '李明' };
    const confirmation = { pin: TEST_PIN };
    const routes = [
      { url: '/v1/me/top-ups/quote', body: { cardId } },
      { url: '/v1/me/withdrawals/quote', body: { cardId } },
      { url: '/v1/me/bank-transfers/quote', body: account },
      { url: '/v1/me/top-ups', body: { cardId, confirmation }, moves: true },
      { url: '/v1/me/withdrawals', body: { cardId, confirmation }, moves: true },
      { url: '/v1/me/bank-transfers', body: { ...account, confirmation }, moves: true },
    ];
    const refusals: [unknown, string][] = [
      ['100', 'amount'], // the shape funding took before: a bare string of fen
      [100, 'amount'],
      [{ amount: '100', currency: 'USD' }, 'amount.currency'],
      [{ amount: '100' }, 'amount.currency'],
      [{ amount: '1.00', currency: 'CNY' }, 'amount.amount'],
      [{ amount: '0', currency: 'CNY' }, 'amount.amount'],
    ];
    for (const route of routes) {
      const post = (amount: unknown) =>
        subject.app.inject({
          method: 'POST',
          url: route.url,
          headers: route.moves ? { ...holder.headers, 'idempotency-key': newKey() } : holder.headers,
          payload: { ...route.body, amount },
        });
      for (const [amount, path] of refusals) {
        const refused = await post(amount);
        expect(refused.statusCode, `${route.url} ${JSON.stringify(amount)}: ${refused.body}`).toBe(400);
        expect(refused.json()).toMatchObject({
          error: { code: 'VALIDATION_FAILED', details: { fields: [{ in: 'body', path }] } },
        });
      }
      const accepted = await post(cny('100'));
      expect(accepted.statusCode, `${route.url}: ${accepted.body}`).toBe(route.moves ? 201 : 200);
      expect(accepted.json()).toMatchObject({ amount: { amount: '100', currency: 'CNY' } });
    }
    // ¥100.00 in, ¥1.00 in, ¥1.00 out, ¥1.00 out to the bank with its ¥0.10 fee (withdrawals are free).
    expect(await walletBalance(subject, holder)).toEqual({ balance: '9890', available: '9890' });
  });

  it('a bank decline (no money on the card) voids the hold', async () => {
    const { holder, cardId, cardNumber: number } = await holderWithCard(subject, cardNumber('0002'));
    const response = await fund(subject, holder, { kind: 'top-ups', cardId, amount: '10000' });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      error: { code: 'FUNDING_DECLINED', details: { reason: 'INSUFFICIENT_FUNDS' } },
    });
    expect(await walletBalance(subject, holder)).toEqual({ balance: '0', available: '0' });
    expect(await cardBalance(number)).toBe(0n);
  });

  it('withdrawal: insufficient wallet funds, T0 refused, the balance cap on top-ups', async () => {
    const { holder, cardId } = await holderWithCard(subject);
    const short = await fund(subject, holder, { kind: 'withdrawals', cardId, amount: '100' });
    expect(short.json()).toMatchObject({ error: { code: 'INSUFFICIENT_FUNDS' } });
    const t0 = await registerHolder(subject.app);
    const refused = await fund(subject, t0, { kind: 'withdrawals', cardId, amount: '100' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: 'KYC_TIER_TOO_LOW' } });
    // T2 single payment limit is 50,000.00
    const single = await fund(subject, holder, { kind: 'top-ups', cardId, amount: '5000001' });
    expect(single.json()).toMatchObject({ error: { code: 'LIMIT_EXCEEDED', details: { limit: 'single' } } });
  });

  it('the same request with one Idempotency-Key 20 times at once makes one top-up', async () => {
    const { holder, cardId, cardNumber: number } = await holderWithCard(subject);
    const key = newKey();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        fund(subject, holder, { kind: 'top-ups', cardId, amount: '1234', key }),
      ),
    );
    const codes = responses.map((r) => r.statusCode);
    expect(codes.filter((code) => code === 201).length).toBeGreaterThanOrEqual(1);
    expect(codes.every((code) => code === 201 || code === 409)).toBe(true);
    const again = await fund(subject, holder, { kind: 'top-ups', cardId, amount: '1234', key });
    expect(again.statusCode).toBe(201);
    expect(await walletBalance(subject, holder)).toEqual({ balance: '1234', available: '1234' });
    expect(await cardBalance(number)).toBe(OPENING_CARD_BALANCE - 1234n);
  });
});

describe('fees', () => {
  it('quotes before confirming and charges once: 1,000.00 free a month, then 0.1%, at least 0.10', async () => {
    const { holder, cardId } = await holderWithCard(subject);
    expect((await fund(subject, holder, { kind: 'top-ups', cardId, amount: '300000' })).statusCode).toBe(201);
    const feeAccount = feeIncomeAccountId('CNY');
    const feesBefore = (await subject.ledger.getBalance(feeAccount))!.creditsPosted;
    const quote = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/withdrawals/quote',
      headers: holder.headers,
      payload: { cardId, amount: cny('150000') },
    });
    expect(quote.statusCode, quote.body).toBe(200);
    expect(quote.json()).toMatchObject({
      amount: { amount: '150000' },
      fee: { amount: '50' },
      total: { amount: '150050' },
      freeRemaining: { amount: '0' },
    });
    const first = await fund(subject, holder, { kind: 'withdrawals', cardId, amount: '150000' });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ fee: { amount: '50' }, total: { amount: '150050' } });
    const second = await fund(subject, holder, { kind: 'withdrawals', cardId, amount: '5000' });
    expect(second.json()).toMatchObject({ fee: { amount: '10' } });
    expect(await walletBalance(subject, holder)).toEqual({
      balance: String(300000 - 150050 - 5010),
      available: String(300000 - 150050 - 5010),
    });
    expect((await subject.ledger.getBalance(feeAccount))!.creditsPosted - feesBefore).toBe(60n);
  });
});

describe('fees under concurrency', () => {
  it('two withdrawals at the same instant cannot both spend the monthly free allowance', async () => {
    const { holder, cardId } = await holderWithCard(subject);
    expect((await fund(subject, holder, { kind: 'top-ups', cardId, amount: '300000' })).statusCode).toBe(201);
    const feeAccount = feeIncomeAccountId('CNY');
    const feesBefore = (await subject.ledger.getBalance(feeAccount))!.creditsPosted;
    // 800.00 twice against 1,000.00 free: one is free, the other pays 0.1% of the 600.00 over.
    // Each waits 300 ms after reading the month's total: without the per-holder lock both
    // would read 0 and both go free.
    subject.hooks.afterWithdrawnRead = () => new Promise((resolve) => setTimeout(resolve, 300));
    const [a, b] = await Promise.all([
      fund(subject, holder, { kind: 'withdrawals', cardId, amount: '80000' }),
      fund(subject, holder, { kind: 'withdrawals', cardId, amount: '80000' }),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    const fees = [a, b].map((r) => r.json<{ fee: { amount: string } }>().fee.amount).sort();
    expect(fees).toEqual(['0', '60']);
    expect((await subject.ledger.getBalance(feeAccount))!.creditsPosted - feesBefore).toBe(60n);
  });
});

describe('crash points and the recovery worker', () => {
  async function topUpCrashing(number = cardNumber()) {
    const setup = await holderWithCard(subject, number);
    const response = await fund(subject, setup.holder, {
      kind: 'top-ups',
      cardId: setup.cardId,
      amount: '7700',
    });
    return { ...setup, response };
  }

  async function operationIdOf(holder: TestHolder): Promise<string> {
    const { rows } = await subject.database.pool.query<{ id: string }>(
      'SELECT id FROM funding_operations WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1',
      [holder.userId],
    );
    return rows[0]!.id;
  }

  it('after the hold, before the bank call: voided, nothing moved', async () => {
    subject.hooks.afterHold = crash;
    const { holder, response, cardNumber: number } = await topUpCrashing();
    expect(response.statusCode).toBe(500);
    expect(await walletBalance(subject, holder)).toEqual({ balance: '0', available: '0' });
    expect((await subject.ledger.getBalance(holder.walletAccountId))!.creditsPending).toBe(7700n);
    await recoverNow(subject);
    const id = await operationIdOf(holder);
    expect((await fundingOf(holder, id)).status).toBe('failed');
    expect((await subject.ledger.getBalance(holder.walletAccountId))!.creditsPending).toBe(0n);
    expect(await cardBalance(number)).toBe(OPENING_CARD_BALANCE);
  });

  it('marked bank_pending, bank never called: the worker sends it once', async () => {
    subject.hooks.beforeBankCall = crash;
    const { holder, response, cardNumber: number } = await topUpCrashing();
    expect(response.statusCode).toBe(500);
    await recoverNow(subject);
    await recoverNow(subject);
    expect((await fundingOf(holder, await operationIdOf(holder))).status).toBe('succeeded');
    expect(await walletBalance(subject, holder)).toEqual({ balance: '7700', available: '7700' });
    expect(await cardBalance(number)).toBe(OPENING_CARD_BALANCE - 7700n);
  });

  it('after the bank call (answer lost in our process): the worker asks the bank and posts', async () => {
    subject.hooks.afterBankCall = crash;
    const { holder, response, cardNumber: number } = await topUpCrashing();
    expect(response.statusCode).toBe(500);
    expect(await walletBalance(subject, holder)).toEqual({ balance: '0', available: '0' });
    await recoverNow(subject);
    expect(await walletBalance(subject, holder)).toEqual({ balance: '7700', available: '7700' });
    expect(await cardBalance(number)).toBe(OPENING_CARD_BALANCE - 7700n);
  });

  it('before the post: the worker posts exactly once', async () => {
    subject.hooks.beforePost = crash;
    const { holder, response, cardNumber: number } = await topUpCrashing();
    expect(response.statusCode).toBe(500);
    delete subject.hooks.beforePost;
    await recoverNow(subject);
    await recoverNow(subject);
    expect(await walletBalance(subject, holder)).toEqual({ balance: '7700', available: '7700' });
    expect(await cardBalance(number)).toBe(OPENING_CARD_BALANCE - 7700n);
  });

  it('0036: the bank times out but succeeded → processing, then posted; unbinding waits', async () => {
    const {
      holder,
      cardId,
      response,
      cardNumber: number,
    } = await topUpCrashing(cardNumber('0036', '621661'));
    expect(response.statusCode, response.body).toBe(202);
    expect(response.json()).toMatchObject({ status: 'processing' });
    const busy = await subject.app.inject({
      method: 'DELETE',
      url: `/v1/me/cards/${cardId}`,
      headers: holder.headers,
    });
    expect(busy.json()).toMatchObject({ error: { code: 'CARD_BUSY' } });
    await recoverNow(subject);
    expect(await walletBalance(subject, holder)).toEqual({ balance: '7700', available: '7700' });
    expect(await cardBalance(number)).toBe(OPENING_CARD_BALANCE - 7700n);
    const removed = await subject.app.inject({
      method: 'DELETE',
      url: `/v1/me/cards/${cardId}`,
      headers: holder.headers,
    });
    expect(removed.statusCode).toBe(204);
  });

  it('0077: the bank times out and failed → voided', async () => {
    const { holder, response, cardNumber: number } = await topUpCrashing(cardNumber('0077', '622690'));
    expect(response.statusCode).toBe(202);
    await recoverNow(subject);
    const id = await operationIdOf(holder);
    const view = await fundingOf(holder, id);
    expect(view.status).toBe('failed');
    expect(view.timeline.map((t) => t.state)).toEqual([
      'created',
      'held',
      'bank_pending',
      'voiding',
      'failed',
    ]);
    expect(await walletBalance(subject, holder)).toEqual({ balance: '0', available: '0' });
    expect(await cardBalance(number)).toBe(OPENING_CARD_BALANCE);
  });

  it('withdrawal with a fee, crash after the bank call: fee and amount posted once', async () => {
    const { holder, cardId, cardNumber: number } = await holderWithCard(subject);
    expect((await fund(subject, holder, { kind: 'top-ups', cardId, amount: '200000' })).statusCode).toBe(201);
    subject.hooks.afterBankCall = crash;
    const response = await fund(subject, holder, { kind: 'withdrawals', cardId, amount: '150000' });
    expect(response.statusCode).toBe(500);
    await recoverNow(subject);
    expect(await walletBalance(subject, holder)).toEqual({
      balance: String(200000 - 150050),
      available: String(200000 - 150050),
    });
    expect(await cardBalance(number)).toBe(OPENING_CARD_BALANCE - 200_000n + 150_000n);
  });
});

describe('reconciliation', () => {
  it('finds a planted mismatch through the operator API', async () => {
    const { holder, cardId, cardNumber: number } = await holderWithCard(subject);
    const ok = await fund(subject, holder, { kind: 'top-ups', cardId, amount: '4200' });
    const tampered = await fund(subject, holder, { kind: 'top-ups', cardId, amount: '4300' });
    const tamperedId = tampered.json<{ id: string }>().id;
    expect(ok.statusCode).toBe(201);
    // planted: our record says another amount; the bank has an operation we never made
    await subject.database.pool.query('UPDATE funding_operations SET amount_minor = 4301 WHERE id = $1', [
      tamperedId,
    ]);
    const { cardToken } = await subject.bank.tokeniseCard(number);
    await subject.bank.debitCard({
      operationId: 'planted-unknown-1',
      cardToken,
      amountMinor: 99n,
      currency: 'CNY',
      description: 'planted',
    });
    const date = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(subject.clock.now());

    const created = await subject.app.services.operator.create({ username: 'finance.zhao', role: 'finance' });
    const totp = new TOTP({ secret: Secret.fromBase32(created.totpSecret), digits: 6, period: 30 });
    const login = await subject.app.inject({
      method: 'POST',
      url: '/v1/operator/login',
      payload: {
        username: 'finance.zhao',
        password: created.password,
        totpCode: totp.generate({ timestamp: subject.clock.now().getTime() }),
      },
    });
    expect(login.statusCode, login.body).toBe(200);
    const headers = { authorization: `Bearer ${login.json<{ token: string }>().token}` };
    expect(
      (
        await subject.app.inject({
          method: 'GET',
          url: `/v1/operator/reconciliation?date=${date}`,
          headers: holder.headers,
        })
      ).statusCode,
    ).toBe(401);
    const response = await subject.app.inject({
      method: 'GET',
      url: `/v1/operator/reconciliation?date=${date}`,
      headers,
    });
    expect(response.statusCode, response.body).toBe(200);
    const report = response.json<{
      missing: { operationId: string }[];
      amountMismatch: { operationId: string }[];
      extra: unknown[];
    }>();
    expect(report.missing.map((m) => m.operationId)).toContain('planted-unknown-1');
    expect(report.amountMismatch.map((m) => m.operationId)).toEqual([tamperedId]);
    await subject.database.pool.query('UPDATE funding_operations SET amount_minor = 4300 WHERE id = $1', [
      tamperedId,
    ]);
    const bad = await subject.app.inject({
      method: 'GET',
      url: '/v1/operator/reconciliation?date=2025-13-40',
      headers,
    });
    expect(bad.json()).toMatchObject({ error: { code: 'RECONCILIATION_DATE_INVALID' } });
  });
});
