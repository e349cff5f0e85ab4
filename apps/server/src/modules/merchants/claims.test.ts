/**
 * An order is paid once even when one payer pays it twice at once (two tabs, two devices): the
 * second run may take over the first's claim (a retry after a crash looks the same), but only
 * after fencing the first attempt's transfer in the ledger, so the first can no longer move
 * money. Before the fence, both moved (found by test mode's parallel test payers).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSecurityTestApp } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import { PIN, balanceOf, cny, expectBooksBalanced, fund } from '../transfers/testing.ts';
import { shopOf, verifiedHolder } from './testing.ts';

let subject: SecurityTestApp;
beforeAll(async () => (subject = await createSecurityTestApp()));
afterAll(async () => subject?.close());

it('one payer paying one order with six payments at once pays it once', async () => {
  const shop = await shopOf(subject);
  const payer = await verifiedHolder(subject, '张伟');
  await fund(subject, payer, 100_000n);
  const made = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant/orders',
    headers: shop.owner.headers,
    payload: { merchantOrderId: `o${randomUUID().slice(0, 12)}`, amount: cny('1000'), description: '牛肉面' },
  });
  expect(made.statusCode, made.body).toBe(201);
  const payments = await Promise.all(
    Array.from({ length: 6 }, async () => {
      const created = await subject.app.inject({
        method: 'POST',
        url: '/v1/payments',
        headers: payer.headers,
        payload: { kind: 'merchant_order', qr: made.json<{ payload: string }>().payload },
      });
      expect(created.statusCode, created.body).toBe(201);
      return created.json<{ id: string }>().id;
    }),
  );
  const confirmed = await Promise.all(
    payments.map((id) =>
      subject.app.inject({
        method: 'POST',
        url: `/v1/payments/${id}/confirm`,
        headers: { ...payer.headers, 'idempotency-key': randomUUID() },
        payload: { confirmation: { pin: PIN } },
      }),
    ),
  );
  expect(confirmed.some((r) => r.statusCode === 200)).toBe(true);
  expect(await balanceOf(subject, payer)).toBe('99000');
  await expectBooksBalanced(subject);
});
