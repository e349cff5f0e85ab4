/**
 * Quotes say what would refuse a top-up, withdrawal or bank transfer before the PIN is asked:
 * the single-payment limit (for withdrawals too), the day's limit, a wallet balance short of
 * amount + fee, a top-up past the wallet's cap. The operation itself is still refused by the
 * ledger when sent anyway, and no money moves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHolder } from '../identity/testing.ts';
import {
  createFundingTestApp,
  expectBooksBalance,
  fund,
  holderWithCard,
  newKey,
  TEST_PIN,
  walletBalance,
} from './testing.ts';
import type { FundingTestApp } from './testing.ts';

interface Refusal {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

let subject: FundingTestApp;
beforeAll(async () => (subject = await createFundingTestApp()));
afterAll(async () => subject.close());

/** `amount` is fen of CNY. */
async function quote(
  holder: TestHolder,
  route: 'top-ups' | 'withdrawals' | 'bank-transfers',
  payload: Record<string, unknown> & { amount: string },
): Promise<{ refusal: Refusal | null; fee: { amount: string }; total: { amount: string } }> {
  const response = await subject.app.inject({
    method: 'POST',
    url: `/v1/me/${route}/quote`,
    headers: holder.headers,
    payload: { ...payload, amount: cny(payload.amount) },
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

const account = { bankCode: 'ICBC', accountName: '李明', accountNumber: '6222021234567894' };
const cny = (amount: string) => ({ amount, currency: 'CNY' });

describe('funding quotes refuse before the PIN', () => {
  it('a withdrawal above the available balance (fee included): INSUFFICIENT_FUNDS with what is there', async () => {
    const { holder, cardId } = await holderWithCard(subject);
    expect((await fund(subject, holder, { kind: 'top-ups', cardId, amount: '10000' })).statusCode).toBe(201);

    const over = await quote(holder, 'withdrawals', { cardId, amount: '15000' });
    expect(over.refusal).toMatchObject({ code: 'INSUFFICIENT_FUNDS', details: { available: cny('10000') } });
    expect((await quote(holder, 'withdrawals', { cardId, amount: '10000' })).refusal).toBeNull();

    const sent = await fund(subject, holder, { kind: 'withdrawals', cardId, amount: '15000' });
    expect(sent.json()).toMatchObject({ error: { code: 'INSUFFICIENT_FUNDS' } });
    expect(await walletBalance(subject, holder)).toEqual({ balance: '10000', available: '10000' });
    await expectBooksBalance(subject);
  });

  it('a withdrawal over the single-payment limit is refused in the quote, as top-ups and transfers are', async () => {
    const { holder, cardId } = await holderWithCard(subject); // T2: at most ¥50,000.00 a payment
    const over = await quote(holder, 'withdrawals', { cardId, amount: '5000001' });
    expect(over.refusal).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { limit: 'single', max: cny('5000000'), remaining: cny('5000000') },
    });
    const topUp = await quote(holder, 'top-ups', { cardId, amount: '5000001' });
    expect(topUp.refusal).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'single' } });
    expect((await quote(holder, 'top-ups', { cardId, amount: '5000000' })).refusal).toBeNull();
  });

  it("the day's limit: after ¥100,000.00 of top-ups today, a withdrawal of ¥1.00 is refused in the quote", async () => {
    const { holder, cardId } = await holderWithCard(subject); // T2: ¥100,000.00 a day
    for (const amount of ['5000000', '5000000']) {
      const topUp = await fund(subject, holder, { kind: 'top-ups', cardId, amount });
      expect(topUp.statusCode, topUp.body).toBe(201);
    }
    const shown = await quote(holder, 'withdrawals', { cardId, amount: '100' });
    expect(shown.refusal).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { limit: 'daily', max: cny('10000000'), remaining: cny('0') },
    });
    const sent = await fund(subject, holder, { kind: 'withdrawals', cardId, amount: '100' });
    expect(sent.json()).toMatchObject({ error: { code: 'LIMIT_EXCEEDED', details: { limit: 'daily' } } });
    await expectBooksBalance(subject);
  });

  it('a bank transfer whose amount + fee is more than the wallet holds, or over the single limit', async () => {
    const { holder, cardId } = await holderWithCard(subject);
    expect((await fund(subject, holder, { kind: 'top-ups', cardId, amount: '10000' })).statusCode).toBe(201);
    const exact = await quote(holder, 'bank-transfers', { ...account, amount: '10000' });
    expect(exact.fee.amount).not.toBe('0');
    expect(exact.refusal).toMatchObject({ code: 'INSUFFICIENT_FUNDS', details: { available: cny('10000') } });
    const room = 10000n - BigInt(exact.fee.amount);
    const fits = await quote(holder, 'bank-transfers', { ...account, amount: String(room) });
    // The fee of the smaller amount may be smaller still: what matters is amount + fee ≤ 10000.
    expect(BigInt(fits.total.amount) <= 10000n).toBe(true);
    expect(fits.refusal).toBeNull();
    const single = await quote(holder, 'bank-transfers', { ...account, amount: '5000001' });
    expect(single.refusal).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'single' } });

    const sent = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/bank-transfers',
      headers: { ...holder.headers, 'idempotency-key': newKey() },
      payload: { ...account, amount: cny('10000'), confirmation: { pin: TEST_PIN } },
    });
    expect(sent.json()).toMatchObject({ error: { code: 'INSUFFICIENT_FUNDS' } });
    expect(await walletBalance(subject, holder)).toEqual({ balance: '10000', available: '10000' });
    await expectBooksBalance(subject);
  });
});
