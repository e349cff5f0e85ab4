/**
 * Whatever can be known before the PIN is in the preview: a transfer or a payment request that
 * the ledger would refuse (the payer's balance, the payee's balance cap, the day's limit) comes
 * back with a `refusal`, so the client never asks for the PIN — and the ledger still refuses the
 * payment when it is sent anyway.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerHolder } from '../identity/testing.ts';
import type { TestHolder } from '../identity/testing.ts';
import { createSecurityTestApp, holderWithPin } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import {
  PIN,
  balanceOf,
  cny,
  errorCode,
  expectBooksBalanced,
  fund,
  send,
  verifyRealName,
} from './testing.ts';

interface Refusal {
  code: string;
  message: string;
  details: Record<string, unknown>;
}
interface Preview {
  refusal: Refusal | null;
  limits: { daily: { remaining: { amount: string } | null } };
  confirmation: { factor: string };
  payment: { id: string } | null;
}

let subject: SecurityTestApp;
beforeAll(async () => (subject = await createSecurityTestApp()));
afterAll(async () => subject.close());

async function preview(payer: TestHolder, payload: Record<string, unknown>): Promise<Preview> {
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/transfers/preview',
    headers: payer.headers,
    payload,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Preview>();
}

async function verifiedHolder(name: string): Promise<TestHolder> {
  const holder = await holderWithPin(subject, PIN);
  await verifyRealName(subject, holder, name);
  return holder;
}

describe('the transfer preview says what the PIN would only find out later', () => {
  it('a payer with ¥10 sending ¥50: INSUFFICIENT_FUNDS with what is available; ¥10 is fine', async () => {
    const payer = await verifiedHolder('王芳');
    const payee = await verifiedHolder('李明');
    await fund(subject, payer, 10_00n);

    const short = await preview(payer, { toPhone: payee.phone, amount: cny('5000') });
    expect(short.refusal).toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      details: { available: cny('1000') },
    });
    expect(short.refusal?.message).toBeTruthy();
    expect((await preview(payer, { toPhone: payee.phone, amount: cny('1000') })).refusal).toBeNull();

    // The ledger still enforces it: sending anyway is refused, and nothing moved.
    const sent = await send(subject, payer, {
      toPhone: payee.phone,
      amount: cny('5000'),
      confirmation: { pin: PIN },
    });
    expect(errorCode(sent)).toBe('INSUFFICIENT_FUNDS');
    expect(await balanceOf(subject, payer)).toBe('1000');
    await expectBooksBalanced(subject);
  });

  it("a payee at their balance cap: refused in the preview, without telling the payee's balance", async () => {
    const payer = await verifiedHolder('王芳');
    // A phone-only (T0) wallet holds at most ¥1,000.00.
    const payee = await registerHolder(subject.app);
    await fund(subject, payer, 100_00n);
    await fund(subject, payee, 999_50n);

    const over = await preview(payer, { toPhone: payee.phone, amount: cny('51') });
    expect(over.refusal).toMatchObject({ code: 'PAYEE_BALANCE_CAP_EXCEEDED', details: {} });
    expect(JSON.stringify(over.refusal)).not.toMatch(/999|50/);
    expect((await preview(payer, { toPhone: payee.phone, amount: cny('50') })).refusal).toBeNull();

    const sent = await send(subject, payer, {
      toPhone: payee.phone,
      amount: cny('51'),
      confirmation: { pin: PIN },
    });
    expect(errorCode(sent)).toBe('PAYEE_BALANCE_CAP_EXCEEDED');
    await expectBooksBalanced(subject);
  });

  it("the day's limit: a T0 payer who sent ¥1,000.00 today is refused the next fen", async () => {
    const payer = await holderWithPin(subject, PIN);
    const payee = await verifiedHolder('李明');
    await fund(subject, payer, 1000_00n);
    for (const amount of ['50000', '50000']) {
      const sent = await send(subject, payer, {
        toPhone: payee.phone,
        amount: cny(amount),
        confirmation: { pin: PIN },
      });
      expect(sent.statusCode, sent.body).toBe(201);
    }
    await fund(subject, payer, 10_00n);
    const shown = await preview(payer, { toPhone: payee.phone, amount: cny('1') });
    expect(shown.limits.daily.remaining).toEqual(cny('0'));
    expect(shown.refusal).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { limit: 'daily', max: cny('100000'), remaining: cny('0') },
    });
    await expectBooksBalanced(subject);
  });

  it('the single-payment limit comes first, with its maximum', async () => {
    const payer = await holderWithPin(subject, PIN);
    const payee = await verifiedHolder('李明');
    const shown = await preview(payer, { toPhone: payee.phone, amount: cny('50001') });
    expect(shown.refusal).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { limit: 'single', max: cny('50000'), remaining: cny('50000') },
    });
  });
});

describe('the payment request preview', () => {
  async function createRequest(requester: TestHolder, amount: string): Promise<string> {
    const response = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/payment-requests',
      headers: requester.headers,
      payload: { amount: cny(amount) },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ id: string }>().id;
  }

  function previewRequest(payer: TestHolder, id: string) {
    return subject.app.inject({
      method: 'POST',
      url: `/v1/payment-requests/${id}/preview`,
      headers: payer.headers,
    });
  }

  it('refuses a payer short of the amount before the PIN; answers how to confirm otherwise', async () => {
    const requester = await verifiedHolder('李明');
    const poor = await verifiedHolder('王芳');
    const rich = await verifiedHolder('张伟');
    await fund(subject, poor, 10_00n);
    await fund(subject, rich, 100_00n);
    const id = await createRequest(requester, '2000');

    const short = await previewRequest(poor, id);
    expect(short.statusCode, short.body).toBe(200);
    expect(short.json<Preview>().refusal).toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      details: { available: cny('1000') },
    });

    const fine = await previewRequest(rich, id);
    expect(fine.statusCode, fine.body).toBe(200);
    const shown = fine.json<Preview>();
    expect(shown.refusal).toBeNull();
    expect(shown.confirmation.factor).toBe('pin');
    // The payment a passkey signs is the request itself, as when paying it.
    expect(shown.payment?.id).toBe(id);

    expect(errorCode(await previewRequest(requester, id))).toBe('CANNOT_PAY_YOURSELF');
    const paid = await subject.app.inject({
      method: 'POST',
      url: `/v1/payment-requests/${id}/pay`,
      headers: { ...rich.headers, 'idempotency-key': randomUUID() },
      payload: { confirmation: { pin: PIN } },
    });
    expect(paid.statusCode, paid.body).toBe(201);
    expect(errorCode(await previewRequest(poor, id))).toBe('PAYMENT_REQUEST_ALREADY_PAID');
    await expectBooksBalanced(subject);
  });

  it("refuses when the requester's wallet is at its cap", async () => {
    const requester = await registerHolder(subject.app); // T0: at most ¥1,000.00
    const payer = await verifiedHolder('王芳');
    await fund(subject, requester, 990_00n);
    await fund(subject, payer, 100_00n);
    const id = await createRequest(requester, '2000');
    const shown = await previewRequest(payer, id);
    expect(shown.json<Preview>().refusal).toMatchObject({ code: 'PAYEE_BALANCE_CAP_EXCEEDED' });
  });
});
