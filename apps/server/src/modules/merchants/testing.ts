/** Test helpers of the merchants module: verified holders and their shops. Imported by tests only. */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { TestHolder } from '../identity/testing.ts';
import { holderWithPin } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import { PIN, cny, fund, verifyRealName } from '../transfers/testing.ts';

/** A holder with a PIN, real-name verified as `name` (`*<last character>` to others). */
export async function verifiedHolder(subject: SecurityTestApp, name = '王小明'): Promise<TestHolder> {
  const holder = await holderWithPin(subject);
  await verifyRealName(subject, holder, name);
  return holder;
}

export interface TestShop {
  id: string;
  owner: TestHolder;
}

/** A verified holder (李娜) who opened a shop (李记面馆, 上海, restaurants unless told otherwise). */
export async function shopOf(
  subject: SecurityTestApp,
  shop: { name?: string; city?: string; mcc?: string } = {},
): Promise<TestShop> {
  const owner = await verifiedHolder(subject, '李娜');
  const opened = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant',
    headers: owner.headers,
    payload: { name: shop.name ?? '李记面馆', city: shop.city ?? '上海', mcc: shop.mcc ?? '5812' },
  });
  expect(opened.statusCode, opened.body).toBe(201);
  return { id: opened.json<{ id: string }>().id, owner };
}

/**
 * An order of `amount` (minor units) made by the merchant and paid — the payment resource, the
 * PIN — by a new verified payer with ¥10,000.
 */
export async function paidOrderOf(
  subject: SecurityTestApp,
  owner: TestHolder,
  amount: string,
  merchantOrderId = `o${randomUUID().slice(0, 12)}`,
): Promise<{ merchantOrderId: string; payer: TestHolder }> {
  const payer = await verifiedHolder(subject, '张伟');
  await fund(subject, payer, 10_000_00n);
  await payOrder(subject, { owner, payer, amount, merchantOrderId });
  return { merchantOrderId, payer };
}

/** The merchant makes an order of `amount` and `payer` pays it (the payment resource, the PIN). */
export async function payOrder(
  subject: Pick<SecurityTestApp, 'app'>,
  input: { owner: TestHolder; payer: TestHolder; amount: string; merchantOrderId?: string },
): Promise<string> {
  const merchantOrderId = input.merchantOrderId ?? `o${randomUUID().slice(0, 12)}`;
  const made = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant/orders',
    headers: input.owner.headers,
    payload: { merchantOrderId, amount: cny(input.amount), description: '牛肉面' },
  });
  expect(made.statusCode, made.body).toBe(201);
  const created = await subject.app.inject({
    method: 'POST',
    url: '/v1/payments',
    headers: input.payer.headers,
    payload: { kind: 'merchant_order', qr: made.json<{ payload: string }>().payload },
  });
  expect(created.statusCode, created.body).toBe(201);
  const confirmed = await subject.app.inject({
    method: 'POST',
    url: `/v1/payments/${created.json<{ id: string }>().id}/confirm`,
    headers: { ...input.payer.headers, 'idempotency-key': randomUUID() },
    payload: { confirmation: { pin: PIN } },
  });
  expect(confirmed.statusCode, confirmed.body).toBe(200);
  return merchantOrderId;
}
