import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerHolder } from '../identity/testing.ts';
import type { TestHolder } from '../identity/testing.ts';
import { createSecurityTestApp, holderWithPin } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import {
  PIN,
  balanceOf,
  errorCode,
  cny,
  expectBooksBalanced,
  fund,
  inbox,
  verifyRealName,
} from './testing.ts';

let subject: SecurityTestApp;
beforeAll(async () => (subject = await createSecurityTestApp()));
afterAll(async () => subject.close());

async function createRequest(requester: TestHolder, payload: Record<string, unknown>) {
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/payment-requests',
    headers: requester.headers,
    payload,
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string; link: string; qrPayload: string; qrDataUrl: string; status: string }>();
}

function pay(payer: TestHolder, id: string, confirmation: Record<string, unknown> = { pin: PIN }) {
  return subject.app.inject({
    method: 'POST',
    url: `/v1/payment-requests/${id}/pay`,
    headers: { ...payer.headers, 'idempotency-key': randomUUID() },
    payload: { confirmation },
  });
}

function get(viewer: TestHolder, id: string) {
  return subject.app.inject({ method: 'GET', url: `/v1/payment-requests/${id}`, headers: viewer.headers });
}

describe('payment requests', () => {
  it('anyone signed in sees it masked; 10 concurrent payers settle it exactly once', async () => {
    const requester = await registerHolder(subject.app);
    await verifyRealName(subject, requester, '李明');
    const created = await createRequest(requester, { amount: cny('5000'), note: '聚餐 AA' });
    expect(created.status).toBe('open');
    expect(created.link).toMatch(new RegExp(`/pay/requests/${created.id}$`));
    expect(created.qrPayload).toBe(`qianbao://request?id=${created.id}`);
    expect(created.qrDataUrl).toMatch(/^data:image\/svg\+xml;base64,/);

    const payers: TestHolder[] = [];
    // one at a time: holderWithPin moves the shared test clock past the SMS resend wait
    for (let i = 0; i < 10; i++) payers.push(await holderWithPin(subject, PIN));
    for (const payer of payers) await fund(subject, payer, 100_00n);
    const seen = await get(payers[0]!, created.id);
    expect(seen.json()).toMatchObject({
      amount: cny('5000'),
      note: '聚餐 AA',
      requester: { displayName: '*明' },
      status: 'open',
      mine: false,
      payment: { id: created.id, amount: '5000', currency: 'CNY', payee: `user:${requester.userId}` },
    });
    expect(
      (await subject.app.inject({ method: 'GET', url: `/v1/payment-requests/${created.id}` })).statusCode,
    ).toBe(401);

    const responses = await Promise.all(payers.map((payer) => pay(payer, created.id)));
    const codes = responses.map((r) => (r.statusCode === 201 ? 'ok' : errorCode(r)));
    expect(codes.filter((c) => c === 'ok')).toHaveLength(1);
    expect(codes.filter((c) => c === 'PAYMENT_REQUEST_ALREADY_PAID')).toHaveLength(9);
    const paid = responses.find((r) => r.statusCode === 201)!.json<object>();
    expect(paid).toMatchObject({
      kind: 'payment_request',
      paymentRequestId: created.id,
      amount: cny('5000'),
    });
    expect(await balanceOf(subject, requester)).toBe('5000');
    const total = await Promise.all(payers.map((payer) => balanceOf(subject, payer)));
    expect(total.map(BigInt).reduce((a, b) => a + b, 0n)).toBe(10n * 100_00n - 50_00n);
    expect((await get(requester, created.id)).json()).toMatchObject({ status: 'paid', mine: true });
    expect((await inbox(subject, requester)).some((n) => n.kind === 'transfers.received')).toBe(true);
    expect(errorCode(await pay(payers[3]!, created.id))).toBe('PAYMENT_REQUEST_ALREADY_PAID');
    await expectBooksBalanced(subject);
  });

  it('a failed attempt (the payer has too little) leaves it open for the next payer', async () => {
    const requester = await registerHolder(subject.app);
    const created = await createRequest(requester, { amount: cny('3000') });
    const poor = await holderWithPin(subject, PIN);
    const rich = await holderWithPin(subject, PIN);
    await fund(subject, poor, 10_00n);
    await fund(subject, rich, 100_00n);
    expect(errorCode(await pay(poor, created.id))).toBe('INSUFFICIENT_FUNDS');
    expect((await get(rich, created.id)).json<{ status: string }>().status).toBe('open');
    const ok = await pay(rich, created.id);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(await balanceOf(subject, requester)).toBe('3000');
    await expectBooksBalanced(subject);
  });

  it('expires, can be cancelled by its requester only, and cannot be paid by its requester', async () => {
    const requester = await holderWithPin(subject, PIN);
    const payer = await holderWithPin(subject, PIN);
    await fund(subject, payer, 100_00n);

    const own = await createRequest(requester, { amount: cny('100') });
    expect(errorCode(await pay(requester, own.id))).toBe('CANNOT_PAY_YOURSELF');

    const shortLived = await createRequest(requester, { amount: cny('100'), expiresInMinutes: 1 });
    subject.clock.advance(120);
    expect(errorCode(await pay(payer, shortLived.id))).toBe('PAYMENT_REQUEST_EXPIRED');
    expect((await get(payer, shortLived.id)).json<{ status: string }>().status).toBe('expired');

    const tooLong = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/payment-requests',
      headers: requester.headers,
      payload: { amount: cny('100'), expiresInMinutes: 7 * 24 * 60 + 1 },
    });
    expect(errorCode(tooLong)).toBe('VALIDATION_FAILED');

    const cancelled = await createRequest(requester, { amount: cny('100') });
    const notMine = await subject.app.inject({
      method: 'POST',
      url: `/v1/payment-requests/${cancelled.id}/cancel`,
      headers: payer.headers,
    });
    expect(errorCode(notMine)).toBe('PAYMENT_REQUEST_NOT_FOUND');
    const cancel = await subject.app.inject({
      method: 'POST',
      url: `/v1/payment-requests/${cancelled.id}/cancel`,
      headers: requester.headers,
    });
    expect(cancel.json()).toMatchObject({ status: 'cancelled' });
    expect(errorCode(await pay(payer, cancelled.id))).toBe('PAYMENT_REQUEST_CANCELLED');
    expect(errorCode(await get(payer, randomUUID()))).toBe('PAYMENT_REQUEST_NOT_FOUND');
    expect(errorCode(await get(payer, 'not-an-id'))).toBe('PAYMENT_REQUEST_NOT_FOUND');

    const mine = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/payment-requests',
      headers: requester.headers,
    });
    expect(
      mine.json<{ paymentRequests: { status: string }[] }>().paymentRequests.map((r) => r.status),
    ).toEqual(['cancelled', 'expired', 'open']);
    expect(await balanceOf(subject, payer)).toBe('10000');
    await expectBooksBalanced(subject);
  });
});
