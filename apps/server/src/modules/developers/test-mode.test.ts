/**
 * Test mode (issue 14, ADR 0022): a test key acts for the merchant's test twin — its own orders,
 * checkouts and refunds, a balance of test money, paid by test payers — and never touches live
 * money: a wallet cannot pay a test order, a test key cannot see or refund a live one, test mode
 * settles nothing to a bank, and the ledger itself refuses any transfer between test and live
 * accounts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountFlags, newId } from '@qianbao/ledger';
import { createSecurityTestApp } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import { paidOrderOf, shopOf, verifiedHolder } from '../merchants/testing.ts';
import type { TestShop } from '../merchants/testing.ts';
import { testPayerAccount, twinIdOf } from '../merchants/test-mode.ts';
import { balanceOf, cny, errorCode, expectBooksBalanced, fund } from '../transfers/testing.ts';
import { WebhookReceiver, deliverWebhooks } from './testing.ts';

let subject: SecurityTestApp;
let shop: TestShop;
let testKey: string;
let liveKey: string;
beforeAll(async () => {
  subject = await createSecurityTestApp();
  shop = await shopOf(subject);
  liveKey = (await makeKey('live')).secret;
  testKey = (await makeKey('test')).secret;
});
afterAll(async () => subject?.close());

async function makeKey(mode: 'live' | 'test', scopes = ['payments:write', 'refunds:write', 'payouts:write']) {
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant/api-keys',
    headers: shop.owner.headers,
    payload: { name: `${mode} backend`, scopes, mode },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string; secret: string; mode: string; prefix: string }>();
}

function asKey(key: string, method: 'GET' | 'POST', url: string, payload?: object) {
  return subject.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${key}`, 'idempotency-key': randomUUID() },
    ...(payload ? { payload } : {}),
  });
}

async function checkout(key: string, amount = '3800') {
  const merchantOrderId = `t${randomUUID().slice(0, 12)}`;
  const made = await asKey(key, 'POST', '/v1/me/merchant/checkouts', {
    merchantOrderId,
    amount: cny(amount),
    description: '牛肉面',
    returnUrl: 'https://shop.example.com/done',
  });
  expect(made.statusCode, made.body).toBe(201);
  const token = new URL(made.json<{ url: string }>().url).pathname.split('/').at(-1)!;
  return { merchantOrderId, token };
}

function testPay(token: string, payer: string) {
  return subject.app.inject({
    method: 'POST',
    url: `/v1/checkouts/${token}/test-payments`,
    payload: { payer },
  });
}

async function balanceOfAccount(id: string): Promise<bigint> {
  return (await subject.ledger.getBalance(id))!.postedBalance;
}

describe('test keys', () => {
  it('are `qbk_test_` keys of the same owner, listed with the live ones; a test key acts for the twin', async () => {
    expect(testKey).toMatch(/^qbk_test_[0-9a-f]{16}_[0-9a-f]{64}$/);
    const listed = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/merchant/api-keys',
      headers: shop.owner.headers,
    });
    expect(
      listed
        .json<{ keys: { mode: string }[] }>()
        .keys.map((k) => k.mode)
        .sort(),
    ).toEqual(['live', 'test']);
    // Ten owners' requests at once for another test key make one twin.
    await Promise.all(Array.from({ length: 10 }, () => makeKey('test', ['read_only'])));
    const { rows } = await subject.database.pool.query<{ n: bigint }>(
      'SELECT count(*)::int8 AS n FROM merchants_merchants WHERE test_of = $1',
      [shop.id],
    );
    expect(rows[0]!.n).toBe(1n);
  });

  it('a test order is invisible to a live key and a live order to a test key', async () => {
    const test = await checkout(testKey);
    const live = await checkout(liveKey);
    const fromLive = await asKey(liveKey, 'GET', `/v1/me/merchant/orders/${test.merchantOrderId}`);
    expect(fromLive.statusCode).toBe(404);
    const fromTest = await asKey(testKey, 'GET', `/v1/me/merchant/orders/${live.merchantOrderId}`);
    expect(fromTest.statusCode).toBe(404);
    expect((await asKey(testKey, 'GET', `/v1/me/merchant/orders/${test.merchantOrderId}`)).statusCode).toBe(
      200,
    );
  });
});

describe('test payers', () => {
  it('pay a test checkout through the ledger: an empty test wallet is refused, the other pays once', async () => {
    const twin = twinIdOf(shop.id);
    const liveBalanceBefore = (await merchantView()).balance.amount;
    const { merchantOrderId, token } = await checkout(testKey, '3800');
    const page = await subject.app.inject({ method: 'GET', url: `/v1/checkouts/${token}` });
    expect(page.json()).toMatchObject({ testMode: true, payload: null });

    const refused = await testPay(token, 'insufficient_funds');
    expect(refused.statusCode, refused.body).toBe(422);
    expect(errorCode(refused)).toBe('INSUFFICIENT_FUNDS');
    expect((await asKey(testKey, 'GET', `/v1/me/merchant/orders/${merchantOrderId}`)).json()).toMatchObject({
      status: 'open',
    });

    // Eight at once: one payment.
    const paid = await Promise.all(Array.from({ length: 8 }, () => testPay(token, 'succeeds')));
    const statuses = paid.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 200).length, JSON.stringify(paid.map((r) => r.body))).toBeGreaterThan(
      0,
    );
    for (const response of paid) {
      if (response.statusCode !== 200)
        // A request served after the winner finished finds the order paid.
        expect(errorCode(response)).toMatch(/^(ORDER_BEING_PAID|PAYMENT_IN_PROGRESS|ORDER_ALREADY_PAID)$/);
    }
    const order = (await asKey(testKey, 'GET', `/v1/me/merchant/orders/${merchantOrderId}`)).json<{
      status: string;
      payerDisplay?: string;
    }>();
    expect(order.status).toBe('paid');
    // 3800 less a restaurant's discount fee (0.38%: 14), in test money; the live balance untouched.
    const twinBalance = await subject.ledger.findAccounts({ ownerRef: `merchant:${twin}` });
    const paidIn = twinBalance.find((a) => a.code === 141)!;
    expect(paidIn.flags & AccountFlags.test).toBe(AccountFlags.test);
    expect(await balanceOfAccount(paidIn.id)).toBe(3800n - 14n);
    expect(await balanceOfAccount(testPayerAccount(twin, 'succeeds', 'CNY'))).toBe(-3800n);
    expect((await merchantView()).balance.amount).toBe(liveBalanceBefore);

    // Refunded with the test key: back to the test payer.
    const refund = await asKey(testKey, 'POST', `/v1/me/merchant/orders/${merchantOrderId}/refunds`, {
      merchantRefundId: 'r1',
      amount: cny('3800'),
    });
    expect(refund.statusCode, refund.body).toBe(201);
    expect(await balanceOfAccount(testPayerAccount(twin, 'succeeds', 'CNY'))).toBe(0n);
    await expectBooksBalanced(subject);
  });

  it('refuse a live order (TEST_MODE_ONLY); a wallet cannot pay a test order (TEST_MODE_ORDER)', async () => {
    const live = await checkout(liveKey);
    const refused = await testPay(live.token, 'succeeds');
    expect(refused.statusCode).toBe(409);
    expect(errorCode(refused)).toBe('TEST_MODE_ONLY');

    const payer = await verifiedHolder(subject, '张伟');
    await fund(subject, payer, 10_000n);
    const made = await asKey(testKey, 'POST', '/v1/me/merchant/orders', {
      merchantOrderId: `t${randomUUID().slice(0, 12)}`,
      amount: cny('100'),
      description: '测试',
    });
    expect(made.statusCode, made.body).toBe(201);
    const paying = await subject.app.inject({
      method: 'POST',
      url: '/v1/payments',
      headers: payer.headers,
      payload: { kind: 'merchant_order', qr: made.json<{ payload: string }>().payload },
    });
    expect(paying.statusCode, paying.body).toBe(409);
    expect(errorCode(paying)).toBe('TEST_MODE_ORDER');
    expect(await balanceOf(subject, payer)).toBe('10000');
  });
});

describe('webhooks of test mode', () => {
  it('a test endpoint is told of test payments only, a live endpoint never of them', async () => {
    // Earlier tests' events go to the subscribers first (a test app runs no workers): none is for these.
    await subject.app.outbox.deliverPending();
    const receiver = new WebhookReceiver();
    await receiver.start();
    try {
      const endpoint = async (mode: string) => {
        const response = await subject.app.inject({
          method: 'POST',
          url: '/v1/me/merchant/webhook-endpoints',
          headers: shop.owner.headers,
          payload: { url: receiver.url(`/${mode}`), events: ['payment.succeeded'], mode },
        });
        expect(response.statusCode, response.body).toBe(201);
        expect(response.json()).toMatchObject({ mode });
        return response.json<{ id: string }>().id;
      };
      const live = await endpoint('live');
      const test = await endpoint('test');
      const listed = await subject.app.inject({
        method: 'GET',
        url: '/v1/me/merchant/webhook-endpoints',
        headers: shop.owner.headers,
      });
      expect(
        listed.json<{ endpoints: { id: string; mode: string }[] }>().endpoints.map((e) => [e.id, e.mode]),
      ).toEqual(
        expect.arrayContaining([
          [live, 'live'],
          [test, 'test'],
        ]),
      );

      const { merchantOrderId, token } = await checkout(testKey, '990');
      expect((await testPay(token, 'succeeds')).statusCode).toBe(200);
      const delivered = await deliverWebhooks(subject, shop, test);
      expect(delivered.map((d) => [d.eventType, d.status])).toEqual([['payment.succeeded', 'succeeded']]);
      expect(await deliverWebhooks(subject, shop, live)).toEqual([]);
      expect(receiver.received.map((r) => [r.path, r.event.data['merchantOrderId']])).toEqual([
        ['/test', merchantOrderId],
      ]);
      // The test key reads its endpoint's deliveries; the live key is told there is no such endpoint.
      const url = `/v1/me/merchant/webhook-endpoints/${test}/deliveries`;
      expect((await asKey(testKey, 'GET', url)).statusCode).toBe(200);
      expect((await asKey(liveKey, 'GET', url)).statusCode).toBe(404);
    } finally {
      await receiver.stop();
    }
  });
});

describe('test payment codes at a till', () => {
  function charge(paymentCode: string, amount = '700') {
    return asKey(testKey, 'POST', '/v1/me/merchant/charges', {
      paymentCode,
      amount: cny(amount),
      merchantOrderId: `c${randomUUID().slice(0, 12)}`,
    });
  }

  it('charge the test payers: one pays (again and again), one has no money; no other code', async () => {
    const twin = twinIdOf(shop.id);
    const source = testPayerAccount(twin, 'succeeds', 'CNY');
    const before = await balanceOfAccount(source);
    for (const _ of [1, 2]) {
      const paid = await charge('289999000000000000');
      expect(paid.statusCode, paid.body).toBe(201);
      expect(paid.json()).toMatchObject({ status: 'succeeded' });
    }
    expect(await balanceOfAccount(source)).toBe(before - 1400n);

    const refused = await charge('289999000000000051');
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json()).toMatchObject({ error: { code: 'INSUFFICIENT_FUNDS' } });
    const chargeId = refused.json<{ error: { details: { chargeId: string } } }>().error.details.chargeId;
    const failed = await asKey(testKey, 'GET', `/v1/me/merchant/charges/${chargeId}`);
    expect(failed.json()).toMatchObject({ status: 'failed', failure: 'INSUFFICIENT_FUNDS' });

    // A real customer's code (or anything else) is not charged with a test key.
    const other = await charge('281234567890123456');
    expect(other.statusCode, other.body).toBe(422);
    expect(errorCode(other)).toBe('TEST_MODE_PAYMENT_CODE');
    // A live key does not know the test codes.
    const live = await asKey(liveKey, 'POST', '/v1/me/merchant/charges', {
      paymentCode: '289999000000000000',
      amount: cny('700'),
      merchantOrderId: `c${randomUUID().slice(0, 12)}`,
    });
    expect(live.statusCode).toBeGreaterThanOrEqual(400);
    expect(errorCode(live)).not.toBe('TEST_MODE_PAYMENT_CODE');
    await expectBooksBalanced(subject);
  });
});

describe('what test mode does not do', () => {
  it('settles nothing to a bank', async () => {
    const settle = await asKey(testKey, 'POST', '/v1/me/merchant/settlements', {});
    expect(settle.statusCode, settle.body).toBe(409);
    expect(settle.json()).toMatchObject({
      error: { code: 'TEST_MODE_UNSUPPORTED', details: { feature: 'settlements' } },
    });
  });

  it('a test key cannot refund live money', async () => {
    const { merchantOrderId } = await paidOrderOf(subject, shop.owner, '500');
    const refund = await asKey(testKey, 'POST', `/v1/me/merchant/orders/${merchantOrderId}/refunds`, {
      merchantRefundId: 'r1',
      amount: cny('500'),
    });
    expect(refund.statusCode).toBe(404);
    expect(errorCode(refund)).toBe('ORDER_NOT_FOUND');
  });

  it('the ledger refuses test money into a live wallet and live money into a test account', async () => {
    const twin = twinIdOf(shop.id);
    const payer = await verifiedHolder(subject, '张伟');
    await fund(subject, payer, 1000n);
    const source = testPayerAccount(twin, 'succeeds', 'CNY');
    const outcomes = await subject.ledger.createTransfers([
      {
        id: newId(),
        debitAccountId: source,
        creditAccountId: payer.walletAccountId,
        amount: 1n,
        currency: 'CNY',
        code: 210,
      },
    ]);
    expect(outcomes[0]!.result).toBe('modeMismatch');
    const back = await subject.ledger.createTransfers([
      {
        id: newId(),
        debitAccountId: payer.walletAccountId,
        creditAccountId: source,
        amount: 1n,
        currency: 'CNY',
        code: 210,
      },
    ]);
    expect(back[0]!.result).toBe('modeMismatch');
    expect(await balanceOf(subject, payer)).toBe('1000');
    await expectBooksBalanced(subject);
  });
});

async function merchantView() {
  const response = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/merchant',
    headers: shop.owner.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ balance: { amount: string } }>();
}
