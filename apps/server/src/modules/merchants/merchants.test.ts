/**
 * Merchants through the HTTP API (issue 12): opening a merchant, its static and dynamic codes,
 * paying them through the payment resource, order query and close, refunds (partial, repeated,
 * raced), the fee taken and returned, the static code's ¥500 a day — with the books balanced.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHolder } from '../identity/testing.ts';
import { createSecurityTestApp, holderWithPin } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import { PIN, cny, errorCode, expectBooksBalanced, fund, inbox } from '../transfers/testing.ts';
import { shopOf, verifiedHolder } from './testing.ts';

/** The domain-rules sample: a valid EMVCo code of another scheme. */
const FOREIGN_CODE =
  '00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A';

let subject: SecurityTestApp;
beforeAll(async () => {
  subject = await createSecurityTestApp();
});
afterAll(async () => subject.close());

const verified = (name?: string) => verifiedHolder(subject, name);

async function payer(): Promise<TestHolder> {
  const holder = await verified('张伟');
  await fund(subject, holder, 10_000_00n);
  return holder;
}

async function merchant(): Promise<TestHolder> {
  return (await shopOf(subject)).owner;
}

async function order(owner: TestHolder, amount: string, merchantOrderId = `o${randomUUID().slice(0, 12)}`) {
  const made = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant/orders',
    headers: owner.headers,
    payload: { merchantOrderId, amount: cny(amount), description: '牛肉面' },
  });
  expect(made.statusCode, made.body).toBe(201);
  return made.json<{ merchantOrderId: string; payload: string; amount: { amount: string } }>();
}

/** Pay a code through the payment resource with the PIN; answers the confirm's response. */
async function pay(
  holder: TestHolder,
  kind: 'merchant_static' | 'merchant_order',
  qr: string,
  amount?: string,
) {
  const created = await subject.app.inject({
    method: 'POST',
    url: '/v1/payments',
    headers: holder.headers,
    payload: { kind, qr, ...(amount ? { amount: cny(amount) } : {}) },
  });
  if (created.statusCode !== 201) return created;
  const { id } = created.json<{ id: string }>();
  return subject.app.inject({
    method: 'POST',
    url: `/v1/payments/${id}/confirm`,
    headers: { ...holder.headers, 'idempotency-key': randomUUID() },
    payload: { confirmation: { pin: PIN } },
  });
}

async function mine(owner: TestHolder) {
  const response = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/merchant',
    headers: owner.headers,
  });
  return response.json<{ balance: { amount: string }; feeRateBp: number; name: string }>();
}

async function balanceOf(holder: TestHolder): Promise<string> {
  const response = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/balance',
    headers: holder.headers,
  });
  return response.json<{ balance: { amount: string } }>().balance.amount;
}

function refund(
  owner: TestHolder,
  merchantOrderId: string,
  amount: string,
  merchantRefundId = `r${randomUUID().slice(0, 8)}`,
) {
  return subject.app.inject({
    method: 'POST',
    url: `/v1/me/merchant/orders/${merchantOrderId}/refunds`,
    headers: owner.headers,
    payload: { merchantRefundId, amount: cny(amount), reason: '少上一份' },
  });
}

describe('opening a merchant', () => {
  it('needs a real name, opens once, and starts with an empty balance at the default rate', async () => {
    const unverified = await holderWithPin(subject);
    const refused = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/merchant',
      headers: unverified.headers,
      payload: { name: '小店', city: '上海', mcc: '5411' },
    });
    expect(errorCode(refused)).toBe('MERCHANT_REAL_NAME_REQUIRED');
    const owner = await merchant();
    expect(await mine(owner)).toMatchObject({ name: '李记面馆', balance: { amount: '0' }, feeRateBp: 38 });
    const again = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/merchant',
      headers: owner.headers,
      payload: { name: '第二家', city: '上海', mcc: '5411' },
    });
    expect(errorCode(again)).toBe('MERCHANT_EXISTS');
  });
});

describe('paying an order (dynamic code)', () => {
  it('is paid once, the fee is taken, both sides are told, and the order query says so', async () => {
    const owner = await merchant();
    const made = await order(owner, '10000');
    // The same order number and body is the same order; another amount is refused.
    const repeat = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/merchant/orders',
      headers: owner.headers,
      payload: { merchantOrderId: made.merchantOrderId, amount: cny('10000'), description: '牛肉面' },
    });
    expect(repeat.json()).toMatchObject({ payload: made.payload });
    const reused = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/merchant/orders',
      headers: owner.headers,
      payload: { merchantOrderId: made.merchantOrderId, amount: cny('20000') },
    });
    expect(errorCode(reused)).toBe('ORDER_ID_REUSED');

    const alice = await payer();
    const scanned = await subject.app.inject({
      method: 'POST',
      url: '/v1/merchant-codes/scan',
      headers: alice.headers,
      payload: { qr: made.payload },
    });
    expect(scanned.json()).toMatchObject({
      kind: 'merchant_order',
      merchant: { name: '李记面馆' },
      amount: { amount: '10000' },
      order: { merchantOrderId: made.merchantOrderId, description: '牛肉面' },
    });
    // A static payment of an order's code is refused: the kind is the code's.
    expect(errorCode(await pay(alice, 'merchant_static', made.payload, '100'))).toBe('MERCHANT_QR_INVALID');

    const paid = await pay(alice, 'merchant_order', made.payload);
    expect(paid.statusCode, paid.body).toBe(200);
    expect(paid.json()).toMatchObject({ status: 'succeeded', result: { status: 'paid', payer: '*伟' } });
    // ¥100.00 at 0.38 %: ¥0.38 to fee income.
    expect(await balanceOf(alice)).toBe('990000');
    expect((await mine(owner)).balance.amount).toBe('9962');
    const query = await subject.app.inject({
      method: 'GET',
      url: `/v1/me/merchant/orders/${made.merchantOrderId}`,
      headers: owner.headers,
    });
    expect(query.json()).toMatchObject({ status: 'paid', fee: { amount: '38' }, refunds: [] });
    expect((await inbox(subject, alice)).map((n) => n.kind)).toContain('merchants.paid');
    // The payer's history names the shop and what was bought.
    const history = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/transactions',
      headers: alice.headers,
    });
    expect(history.json<{ transactions: unknown[] }>().transactions[0]).toMatchObject({
      type: 'merchant_payment',
      direction: 'out',
      amount: { amount: '10000' },
      counterparty: { displayName: '李记面馆' },
      note: '牛肉面',
    });
    expect((await inbox(subject, owner)).map((n) => n.kind)).toContain('merchants.payment_received');

    // Paid: nobody pays it again.
    const bob = await payer();
    expect(errorCode(await pay(bob, 'merchant_order', made.payload))).toBe('ORDER_ALREADY_PAID');
    const closing = await subject.app.inject({
      method: 'POST',
      url: `/v1/me/merchant/orders/${made.merchantOrderId}/close`,
      headers: owner.headers,
    });
    expect(errorCode(closing)).toBe('ORDER_NOT_CLOSABLE');
    await expectBooksBalanced(subject);
  });

  it('of two payers at once, exactly one pays', async () => {
    const owner = await merchant();
    const made = await order(owner, '5000');
    const [a, b] = [await payer(), await payer()];
    const answers = await Promise.all([
      pay(a, 'merchant_order', made.payload),
      pay(b, 'merchant_order', made.payload),
    ]);
    expect(answers.filter((r) => r.statusCode === 200)).toHaveLength(1);
    const balances = [await balanceOf(a), await balanceOf(b)].sort();
    expect(balances).toEqual(['1000000', '995000']);
    await expectBooksBalanced(subject);
  });

  it('a closed order pays nothing; codes of other schemes and damaged codes are told apart', async () => {
    const owner = await merchant();
    const made = await order(owner, '5000');
    const closed = await subject.app.inject({
      method: 'POST',
      url: `/v1/me/merchant/orders/${made.merchantOrderId}/close`,
      headers: owner.headers,
    });
    expect(closed.json()).toMatchObject({ status: 'closed' });
    const alice = await payer();
    expect(errorCode(await pay(alice, 'merchant_order', made.payload))).toBe('ORDER_CLOSED');
    const scan = (qr: string) =>
      subject.app.inject({
        method: 'POST',
        url: '/v1/merchant-codes/scan',
        headers: alice.headers,
        payload: { qr },
      });
    expect(errorCode(await scan(FOREIGN_CODE))).toBe('MERCHANT_QR_FOREIGN');
    // One character of the CRC changed (to another hex digit, whatever it was): damaged.
    const damaged = made.payload.slice(0, -1) + (made.payload.endsWith('0') ? '1' : '0');
    expect(errorCode(await scan(damaged))).toBe('MERCHANT_QR_INVALID');
    expect(errorCode(await scan('hello'))).toBe('MERCHANT_QR_INVALID');
    // The owner cannot pay their own code.
    expect(errorCode(await scan(made.payload))).not.toBe('CANNOT_PAY_YOURSELF');
    const own = await subject.app.inject({
      method: 'POST',
      url: '/v1/merchant-codes/scan',
      headers: owner.headers,
      payload: { qr: made.payload },
    });
    expect(errorCode(own)).toBe('CANNOT_PAY_YOURSELF');
  });
});

describe('paying the static code', () => {
  it('takes the amount the payer types, at most ¥500 a day per payer', async () => {
    const owner = await merchant();
    const code = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/merchant/qr',
      headers: owner.headers,
    });
    const { payload } = code.json<{ payload: string }>();
    const alice = await payer();
    const scanned = await subject.app.inject({
      method: 'POST',
      url: '/v1/merchant-codes/scan',
      headers: alice.headers,
      payload: { qr: payload },
    });
    expect(scanned.json()).toMatchObject({ kind: 'merchant_static', amount: null, order: null });
    const first = await pay(alice, 'merchant_static', payload, '30000');
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({
      result: { channel: 'static', status: 'paid', amount: { amount: '30000' } },
    });
    // ¥300 + ¥250 passes ¥500 a day through static codes.
    const second = await pay(alice, 'merchant_static', payload, '25000');
    expect(errorCode(second)).toBe('LIMIT_EXCEEDED');
    expect(second.json<{ error: { details: { limit: string } } }>().error.details.limit).toBe(
      'staticQrDaily',
    );
    const third = await pay(alice, 'merchant_static', payload, '20000');
    expect(third.statusCode, third.body).toBe(200);
    await expectBooksBalanced(subject);
  });
});

describe('refunds', () => {
  it('refunds in parts up to what was paid, returns the fee pro rata, and a repeat is the same refund', async () => {
    const owner = await merchant();
    const made = await order(owner, '10000');
    const alice = await payer();
    expect((await pay(alice, 'merchant_order', made.payload)).statusCode).toBe(200);
    const first = await refund(owner, made.merchantOrderId, '3000', 'r1');
    expect(first.statusCode, first.body).toBe(201);
    // ⌊38 × 3000 / 10000⌋ = 11 fen of the fee.
    expect(first.json()).toMatchObject({
      status: 'succeeded',
      amount: { amount: '3000' },
      fee: { amount: '11' },
    });
    const repeat = await refund(owner, made.merchantOrderId, '3000', 'r1');
    expect(repeat.json()).toMatchObject({ id: first.json<{ id: string }>().id, status: 'succeeded' });
    expect(errorCode(await refund(owner, made.merchantOrderId, '3100', 'r1'))).toBe('REFUND_ID_REUSED');
    const over = await refund(owner, made.merchantOrderId, '8000', 'r2');
    expect(errorCode(over)).toBe('REFUND_EXCEEDS_PAID');
    expect(over.json()).toMatchObject({ error: { details: { remaining: { amount: '7000' } } } });
    const rest = await refund(owner, made.merchantOrderId, '7000', 'r3');
    expect(rest.json()).toMatchObject({ status: 'succeeded', fee: { amount: '27' } });
    // Everything back: the payer whole, the merchant at zero, the fee returned in full.
    expect(await balanceOf(alice)).toBe('1000000');
    expect((await mine(owner)).balance.amount).toBe('0');
    expect((await inbox(subject, alice)).filter((n) => n.kind === 'merchants.refunded')).toHaveLength(2);
    const entries = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/transactions?type=refund',
      headers: alice.headers,
    });
    const refunds = entries.json<{
      transactions: {
        counterparty: { displayName: string } | null;
        note: string | null;
        amount: { amount: string };
      }[];
    }>().transactions;
    // Each refund is one entry of its whole amount (the fee's share is the merchant's business).
    expect(refunds.map((t) => [t.counterparty?.displayName, t.note, t.amount.amount])).toEqual([
      ['李记面馆', '少上一份', '7000'],
      ['李记面馆', '少上一份', '3000'],
    ]);
    const query = await subject.app.inject({
      method: 'GET',
      url: `/v1/me/merchant/orders/${made.merchantOrderId}/refunds/r3`,
      headers: owner.headers,
    });
    expect(query.json()).toMatchObject({ status: 'succeeded', amount: { amount: '7000' } });
    await expectBooksBalanced(subject);
  });

  it('of 20 partial refunds at once, never more than was paid', async () => {
    const owner = await merchant();
    const made = await order(owner, '10000');
    const alice = await payer();
    expect((await pay(alice, 'merchant_order', made.payload)).statusCode).toBe(200);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => refund(owner, made.merchantOrderId, '1000', `race${i}`)),
    );
    const ok = answers.filter((r) => r.statusCode === 201);
    expect(ok).toHaveLength(10);
    expect(answers.filter((r) => r.statusCode !== 201).map(errorCode)).toEqual(
      Array(10).fill('REFUND_EXCEEDS_PAID'),
    );
    expect(await balanceOf(alice)).toBe('1000000');
    const fees = ok.map((r) => BigInt(r.json<{ fee: { amount: string } }>().fee.amount));
    expect(fees.reduce((a, b) => a + b, 0n)).toBe(38n);
    await expectBooksBalanced(subject);
  });

  it('refuses to refund an unpaid order', async () => {
    const owner = await merchant();
    const made = await order(owner, '10000');
    expect(errorCode(await refund(owner, made.merchantOrderId, '100'))).toBe('ORDER_NOT_PAID');
  });
});
