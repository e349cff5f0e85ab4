/**
 * Orders told expired (expiry.ts, the job `merchants.expire`): an open order past its time gets
 * one `merchant.order_expired` event — however often and however many runs at once — and its
 * `order.expired` webhook reaches the merchant's receiver; paid, closed and unexpired orders get
 * none; an order told expired is never paid after, whatever the clock says.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecurityTestApp } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import type { TestHolder } from '../identity/testing.ts';
import { PIN, cny, errorCode, fund } from '../transfers/testing.ts';
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

interface Order {
  id: string;
  merchantOrderId: string;
  status: string;
  expiresAt: string;
  payload: string;
}

async function order(shop: TestShop, merchantOrderId: string, minutes: number): Promise<Order> {
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant/orders',
    headers: shop.owner.headers,
    payload: { merchantOrderId, amount: cny('2500'), description: '奶茶', expiresInMinutes: minutes },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Order>();
}

/** How many `merchant.order_expired` events each order has. */
async function expiryEvents(orderIds: string[]): Promise<number[]> {
  const { rows } = await subject.database.pool.query<{ aggregate_id: string }>(
    `SELECT aggregate_id FROM outbox_events WHERE type = $1 AND aggregate_id = ANY($2::text[])`,
    [MERCHANT_EVENTS.orderExpired, orderIds],
  );
  return orderIds.map((id) => rows.filter((row) => row.aggregate_id === id).length);
}

/** The payer pays the order's code: the payment resource, then the PIN. */
async function pay(payer: TestHolder, target: Order) {
  const created = await subject.app.inject({
    method: 'POST',
    url: '/v1/payments',
    headers: payer.headers,
    payload: { kind: 'merchant_order', qr: target.payload },
  });
  if (created.statusCode !== 201) return created;
  return subject.app.inject({
    method: 'POST',
    url: `/v1/payments/${created.json<{ id: string }>().id}/confirm`,
    headers: { ...payer.headers, 'idempotency-key': randomUUID() },
    payload: { confirmation: { pin: PIN } },
  });
}

function expire() {
  return subject.app.jobs.run(MERCHANT_JOBS.expire);
}

describe('merchants.expire', () => {
  it('tells an open order past its time once, and the merchant’s endpoint gets order.expired', async () => {
    // The payer first: making one moves the clock (its SMS codes).
    const payer = await verifiedHolder(subject, '张伟');
    await fund(subject, payer, 100_00n);
    const shop = await shopOf(subject);
    const endpointId = await webhookEndpointOf(subject, shop, receiver.url('/expiry'), ['order.expired']);
    const late = await order(shop, `late-${randomUUID().slice(0, 8)}`, 1);
    const later = await order(shop, `later-${randomUUID().slice(0, 8)}`, 10);
    const closed = await order(shop, `closed-${randomUUID().slice(0, 8)}`, 1);
    const closing = await subject.app.inject({
      method: 'POST',
      url: `/v1/me/merchant/orders/${closed.merchantOrderId}/close`,
      headers: shop.owner.headers,
    });
    expect(closing.statusCode, closing.body).toBe(200);
    const paid = await order(shop, `paid-${randomUUID().slice(0, 8)}`, 1);
    expect((await pay(payer, paid)).statusCode).toBe(200);
    const all = [late.id, later.id, closed.id, paid.id];

    await expire();
    expect(await expiryEvents(all)).toEqual([0, 0, 0, 0]);
    subject.clock.advance(61);
    await expire();
    expect(await expiryEvents(all)).toEqual([1, 0, 0, 0]);
    // Again, and two at once: nothing more.
    await expire();
    await Promise.all([expire(), expire()]);
    expect(await expiryEvents(all)).toEqual([1, 0, 0, 0]);

    const [delivery, ...more] = await deliverWebhooks(subject, shop, endpointId);
    expect(more).toEqual([]);
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 1, eventType: 'order.expired' });
    const arrived = receiver.withId(delivery!.id);
    expect(arrived).toHaveLength(1);
    expect(arrived[0]!.path).toBe('/expiry');
    expect(arrived[0]!.event).toMatchObject({
      type: 'order.expired',
      data: {
        merchantOrderId: late.merchantOrderId,
        orderId: late.id,
        amount: { amount: '2500', currency: 'CNY' },
        status: 'expired',
        expiredAt: late.expiresAt,
      },
    });
    const view = await subject.app.inject({
      method: 'GET',
      url: `/v1/me/merchant/orders/${late.merchantOrderId}`,
      headers: shop.owner.headers,
    });
    expect(view.json()).toMatchObject({ status: 'expired' });
  });

  it('an order told expired is never paid after, even by a process whose clock is behind', async () => {
    const payer = await verifiedHolder(subject, '张伟');
    await fund(subject, payer, 100_00n);
    const shop = await shopOf(subject);
    const late = await order(shop, `told-${randomUUID().slice(0, 8)}`, 1);
    subject.clock.advance(61);
    await expire();
    expect(await expiryEvents([late.id])).toEqual([1]);
    // The clock two minutes back: by its time the order is still payable — but it was told expired.
    subject.clock.advance(-120);
    try {
      const refused = await pay(payer, late);
      expect(errorCode(refused), refused.body).toBe('ORDER_EXPIRED');
    } finally {
      subject.clock.advance(120);
    }
  });

  it('runs at once tell each of many orders exactly once', async () => {
    const shop = await shopOf(subject);
    const orders = [];
    for (let i = 0; i < 40; i++) orders.push(await order(shop, `many-${i}-${randomUUID().slice(0, 6)}`, 1));
    subject.clock.advance(61);
    const runs = await Promise.all([expire(), expire(), expire()]);
    const told = runs.map((run) => (run.result as { ordersExpired: number }).ordersExpired);
    expect(told.reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(40);
    expect(await expiryEvents(orders.map((o) => o.id))).toEqual(orders.map(() => 1));
    // And two more at once afterwards: nothing more.
    await Promise.all([expire(), expire()]);
    expect(await expiryEvents(orders.map((o) => o.id))).toEqual(orders.map(() => 1));
  });
});
