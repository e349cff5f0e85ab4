/**
 * A till's payment-code charge that ends without money (store.ts `endCharge`) writes one
 * `merchant.charge_failed` event with its ending, and the merchant's endpoint gets
 * `payment.failed` with the order, the amount and the code: refused by the payment (funds),
 * declined by the payer, left unconfirmed past its time (ended by the next read, or by the job
 * `merchants.expire` when nobody reads). A retry, a second decline or a later read writes none.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentCodeAt, paymentCodeStep } from '@qianbao/qr';
import type { TestHolder } from '../identity/testing.ts';
import { createSecurityTestApp } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import { PIN, cny, errorCode, expectBooksBalanced, fund, setPasswordFree } from '../transfers/testing.ts';
import { WebhookReceiver, deliverWebhooks, webhookEndpointOf } from '../developers/testing.ts';
import { MERCHANT_EVENTS } from './events.ts';
import { MERCHANT_JOBS } from './module.ts';
import { shopOf, verifiedHolder } from './testing.ts';
import type { TestShop } from './testing.ts';

let subject: SecurityTestApp;
const receiver = new WebhookReceiver();
beforeAll(async () => {
  subject = await createSecurityTestApp({ SESSION_IDLE_SECONDS: '2592000' });
  await receiver.start();
});
afterAll(async () => {
  await receiver.stop();
  await subject.close();
});

/** A payer with `balance` fen, payments up to ¥200 password-free, and the code its phone shows. */
async function payer(balance: bigint): Promise<{ holder: TestHolder; code: () => Promise<string> }> {
  const holder = await verifiedHolder(subject, '张伟');
  await fund(subject, holder, balance);
  await setPasswordFree(subject, holder, 200_00n);
  const issued = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/payment-code',
    headers: holder.headers,
    payload: { confirmation: { pin: PIN } },
  });
  expect(issued.statusCode, issued.body).toBe(201);
  const body = issued.json<{ secret: string; deviceIndex: number; stepSeconds: number }>();
  const secret = new Uint8Array(Buffer.from(body.secret, 'base64url'));
  return {
    holder,
    code: () =>
      paymentCodeAt({
        secret,
        deviceIndex: body.deviceIndex,
        step: paymentCodeStep(subject.clock.now().getTime(), body.stepSeconds),
      }),
  };
}

/** A shop with an endpoint that wants payment.failed. */
async function shop(): Promise<{ shop: TestShop; endpointId: string }> {
  const made = await shopOf(subject);
  return {
    shop: made,
    endpointId: await webhookEndpointOf(subject, made, receiver.url('/failed'), ['payment.failed']),
  };
}

function charge(
  owner: TestHolder,
  paymentCode: string,
  amount: string,
  merchantOrderId: string,
  key: string,
) {
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant/charges',
    headers: { ...owner.headers, 'idempotency-key': key },
    payload: { paymentCode, amount: cny(amount), merchantOrderId, description: '牛肉面' },
  });
}

async function chargeStatus(owner: TestHolder, id: string): Promise<string> {
  const response = await subject.app.inject({
    method: 'GET',
    url: `/v1/me/merchant/charges/${id}`,
    headers: owner.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ status: string }>().status;
}

async function failedEvents(chargeId: string): Promise<{ status: string; code: string }[]> {
  const { rows } = await subject.database.pool.query<{ payload: { status: string; code: string } }>(
    `SELECT payload FROM outbox_events WHERE type = $1 AND aggregate_id = $2`,
    [MERCHANT_EVENTS.chargeFailed, chargeId],
  );
  return rows.map((row) => ({ status: row.payload.status, code: row.payload.code }));
}

/** The endpoint's one delivery is payment.failed for this order and amount, with `code`. */
async function expectDelivered(
  target: { shop: TestShop; endpointId: string },
  order: { merchantOrderId: string; amount: string; chargeId: string },
  code: string,
): Promise<void> {
  const deliveries = await deliverWebhooks(subject, target.shop, target.endpointId);
  expect(deliveries).toHaveLength(1);
  expect(deliveries[0]).toMatchObject({ status: 'succeeded', eventType: 'payment.failed' });
  const arrived = receiver.withId(deliveries[0]!.id);
  expect(arrived).toHaveLength(1);
  expect(arrived[0]!.event).toMatchObject({
    type: 'payment.failed',
    data: {
      merchantOrderId: order.merchantOrderId,
      chargeId: order.chargeId,
      amount: { amount: order.amount, currency: 'CNY' },
      status: 'failed',
      code,
    },
  });
  expect(arrived[0]!.body).not.toMatch(/payer|张伟/i);
}

describe('payment.failed', () => {
  it('a charge the payment refuses (not enough money): one event, delivered; the till’s retry writes none', async () => {
    const target = await shop();
    const alice = await payer(10_00n);
    const merchantOrderId = `poor-${randomUUID().slice(0, 8)}`;
    const key = randomUUID();
    const refused = await charge(target.shop.owner, await alice.code(), '5000', merchantOrderId, key);
    expect(errorCode(refused), refused.body).toBe('INSUFFICIENT_FUNDS');
    const { chargeId } = refused.json<{ error: { details: { chargeId: string } } }>().error.details;
    expect(await failedEvents(chargeId)).toEqual([{ status: 'failed', code: 'INSUFFICIENT_FUNDS' }]);
    // The till tries again with the same key: answered the same, no second event.
    const again = await charge(target.shop.owner, await alice.code(), '5000', merchantOrderId, key);
    expect(errorCode(again)).toBe('INSUFFICIENT_FUNDS');
    expect(await failedEvents(chargeId)).toHaveLength(1);
    await expectDelivered(target, { merchantOrderId, amount: '5000', chargeId }, 'INSUFFICIENT_FUNDS');
    await expectBooksBalanced(subject);
  });

  it('a charge the payer declines: one event with CHARGE_DECLINED, however often declined', async () => {
    const target = await shop();
    const alice = await payer(1000_00n);
    const merchantOrderId = `no-${randomUUID().slice(0, 8)}`;
    const asked = await charge(target.shop.owner, await alice.code(), '30000', merchantOrderId, randomUUID());
    expect(asked.statusCode, asked.body).toBe(202);
    const chargeId = asked.json<{ id: string }>().id;
    expect(await failedEvents(chargeId)).toEqual([]);
    for (let i = 0; i < 2; i++) {
      const declined = await subject.app.inject({
        method: 'POST',
        url: `/v1/me/charges/${chargeId}/decline`,
        headers: alice.holder.headers,
      });
      expect(declined.json()).toMatchObject({ status: 'declined' });
    }
    expect(await failedEvents(chargeId)).toEqual([{ status: 'declined', code: 'CHARGE_DECLINED' }]);
    await expectDelivered(target, { merchantOrderId, amount: '30000', chargeId }, 'CHARGE_DECLINED');
  });

  it('a charge nobody confirms is timed out by the job: one event with CHARGE_TIMED_OUT, the later read writes none', async () => {
    const target = await shop();
    const alice = await payer(1000_00n);
    const merchantOrderId = `late-${randomUUID().slice(0, 8)}`;
    const asked = await charge(target.shop.owner, await alice.code(), '30000', merchantOrderId, randomUUID());
    expect(asked.statusCode, asked.body).toBe(202);
    const chargeId = asked.json<{ id: string }>().id;
    await subject.app.jobs.run(MERCHANT_JOBS.expire);
    expect(await failedEvents(chargeId)).toEqual([]);
    subject.clock.advance(61);
    await Promise.all([
      subject.app.jobs.run(MERCHANT_JOBS.expire),
      subject.app.jobs.run(MERCHANT_JOBS.expire),
    ]);
    expect(await failedEvents(chargeId)).toEqual([{ status: 'timed_out', code: 'CHARGE_TIMED_OUT' }]);
    expect(await chargeStatus(target.shop.owner, chargeId)).toBe('timed_out');
    expect(await failedEvents(chargeId)).toHaveLength(1);
    await expectDelivered(target, { merchantOrderId, amount: '30000', chargeId }, 'CHARGE_TIMED_OUT');
  });

  it('a charge read past its time before the job: the read writes the one event, the job none', async () => {
    const target = await shop();
    const alice = await payer(1000_00n);
    const merchantOrderId = `read-${randomUUID().slice(0, 8)}`;
    const asked = await charge(target.shop.owner, await alice.code(), '30000', merchantOrderId, randomUUID());
    const chargeId = asked.json<{ id: string }>().id;
    subject.clock.advance(61);
    expect(await chargeStatus(target.shop.owner, chargeId)).toBe('timed_out');
    await subject.app.jobs.run(MERCHANT_JOBS.expire);
    expect(await failedEvents(chargeId)).toEqual([{ status: 'timed_out', code: 'CHARGE_TIMED_OUT' }]);
  });

  it('a charge that succeeds writes none', async () => {
    const target = await shop();
    const alice = await payer(1000_00n);
    const paid = await charge(
      target.shop.owner,
      await alice.code(),
      '1500',
      `ok-${randomUUID().slice(0, 8)}`,
      randomUUID(),
    );
    expect(paid.statusCode, paid.body).toBe(201);
    expect(await failedEvents(paid.json<{ id: string }>().id)).toEqual([]);
    expect(await deliverWebhooks(subject, target.shop, target.endpointId)).toEqual([]);
  });
});
