/**
 * Hosted checkout through the API (issue 12): the merchant makes a checkout, the page reads it by
 * its link without signing in, the customer pays it through the payment resource, and the link
 * then says paid; a repeat is the same checkout; a closed one cannot be paid.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHolder } from '../identity/testing.ts';
import { createSecurityTestApp, holderWithPin } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import { PIN, cny, errorCode, expectBooksBalanced, fund, verifyRealName } from '../transfers/testing.ts';
import { shopOf } from './testing.ts';

let subject: SecurityTestApp;
beforeAll(async () => {
  subject = await createSecurityTestApp();
});
afterAll(async () => subject.close());

async function owner(): Promise<TestHolder> {
  return (await shopOf(subject, { name: '小李书店', city: '杭州', mcc: '5999' })).owner;
}

function checkout(
  holder: TestHolder,
  merchantOrderId: string,
  returnUrl = 'https://shop.example.com/done?x=1',
) {
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant/checkouts',
    headers: holder.headers,
    payload: { merchantOrderId, amount: cny('8800'), description: '《活着》', returnUrl },
  });
}

describe('hosted checkout', () => {
  it('is read by its link without signing in, paid once through the payment resource, then says paid', async () => {
    const shop = await owner();
    const made = await checkout(shop, 'BK1001');
    expect(made.statusCode, made.body).toBe(201);
    const { url, id } = made.json<{ url: string; id: string }>();
    expect(url).toMatch(/\/checkout\/[A-Za-z0-9_-]{24}$/);
    // The same order number and body: the same checkout; another return address: refused.
    expect((await checkout(shop, 'BK1001')).json()).toMatchObject({ id, url });
    expect(errorCode(await checkout(shop, 'BK1001', 'https://other.example.com/'))).toBe('ORDER_ID_REUSED');
    const bad = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/merchant/checkouts',
      headers: shop.headers,
      payload: { merchantOrderId: 'BK1002', amount: cny('100'), returnUrl: 'javascript:alert(1)' },
    });
    expect(bad.statusCode).toBe(400);

    const token = url.split('/').pop()!;
    const page = await subject.app.inject({ method: 'GET', url: `/v1/checkouts/${token}` });
    expect(page.statusCode, page.body).toBe(200);
    const read = page.json<{
      payload: string;
      merchantName: string;
      order: { status: string };
      returnUrl: string;
    }>();
    expect(read).toMatchObject({
      merchantName: '小李书店',
      order: { status: 'open', amount: { amount: '8800' }, description: '《活着》' },
      returnUrl: 'https://shop.example.com/done?x=1',
    });
    expect(errorCode(await subject.app.inject({ method: 'GET', url: '/v1/checkouts/nope' }))).toBe(
      'CHECKOUT_NOT_FOUND',
    );

    const customer = await holderWithPin(subject);
    await verifyRealName(subject, customer, '张伟');
    await fund(subject, customer, 100_00n);
    const created = await subject.app.inject({
      method: 'POST',
      url: '/v1/payments',
      headers: customer.headers,
      payload: { kind: 'merchant_order', qr: read.payload },
    });
    expect(created.statusCode, created.body).toBe(201);
    const paid = await subject.app.inject({
      method: 'POST',
      url: `/v1/payments/${created.json<{ id: string }>().id}/confirm`,
      headers: { ...customer.headers, 'idempotency-key': randomUUID() },
      payload: { confirmation: { pin: PIN } },
    });
    expect(paid.json()).toMatchObject({ status: 'succeeded', result: { status: 'paid' } });
    const after = await subject.app.inject({ method: 'GET', url: `/v1/checkouts/${token}` });
    expect(after.json()).toMatchObject({ order: { status: 'paid', payer: '*伟' }, payload: null });
    await expectBooksBalanced(subject);
  });

  it('cannot be paid once the merchant closed it', async () => {
    const shop = await owner();
    const { url } = (await checkout(shop, 'BK2001')).json<{ url: string }>();
    const closed = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/merchant/orders/BK2001/close',
      headers: shop.headers,
    });
    expect(closed.statusCode, closed.body).toBe(200);
    const page = await subject.app.inject({ method: 'GET', url: `/v1/checkouts/${url.split('/').pop()!}` });
    expect(page.json()).toMatchObject({ order: { status: 'closed' }, payload: null });
  });
});
