/**
 * Merchant staff (issue 12, ADR 0018): the owner adds cashiers by their wallet's phone number;
 * a cashier signs in with its own wallet account and acts for the merchant — takes payments and
 * sees today's orders, never refunds, settles, reads statements or manages staff; removed, it is
 * refused at its next request. Plus the portal's figures (summary), order filters and paging, and
 * the live feed — through the HTTP API, the books balanced.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentCodeAt, paymentCodeStep } from '@qianbao/qr';
import { shanghaiDate } from '../../platform/calendar.ts';
import { readEvents } from '../notifications/testing.ts';
import type { TestHolder } from '../identity/testing.ts';
import { createSecurityTestApp } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import { PIN, cny, errorCode, expectBooksBalanced, fund, setPasswordFree } from '../transfers/testing.ts';
import { shopOf, verifiedHolder } from './testing.ts';
import type { TestShop } from './testing.ts';

let subject: SecurityTestApp;
let url: string;
beforeAll(async () => {
  subject = await createSecurityTestApp();
  url = await subject.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => subject.close());

type Shop = TestShop;
const verified = (name: string) => verifiedHolder(subject, name);
const shop = (name = '李记面馆') => shopOf(subject, { name });

/** A request as `who`, acting for `merchantId` (the Qianbao-Merchant header) when given. */
function as(
  who: TestHolder,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  options: { merchantId?: string; payload?: object; idempotent?: boolean } = {},
) {
  return subject.app.inject({
    method,
    url: path,
    headers: {
      ...who.headers,
      ...(options.merchantId ? { 'qianbao-merchant': options.merchantId } : {}),
      ...(options.idempotent ? { 'idempotency-key': randomUUID() } : {}),
    },
    ...(options.payload ? { payload: options.payload } : {}),
  });
}

async function addCashier(merchant: Shop, cashier: TestHolder): Promise<string> {
  const added = await as(merchant.owner, 'POST', '/v1/me/merchant/staff', {
    payload: { phone: cashier.phone, role: 'cashier' },
  });
  expect(added.statusCode, added.body).toBe(201);
  return added.json<{ id: string }>().id;
}

/** A payer with ¥10,000, ¥200 password-free and its payment code on; `code()` is what its app shows now. */
async function payer(): Promise<{ holder: TestHolder; code: () => Promise<string> }> {
  const holder = await verified('张伟');
  await fund(subject, holder, 10_000_00n);
  await setPasswordFree(subject, holder, 200_00n);
  const issued = await as(holder, 'POST', '/v1/me/payment-code', { payload: { confirmation: { pin: PIN } } });
  expect(issued.statusCode, issued.body).toBe(201);
  const body = issued.json<{ secret: string; deviceIndex: number; stepSeconds: number }>();
  const secret = new Uint8Array(Buffer.from(body.secret, 'base64url'));
  let used = 0;
  return {
    holder,
    // Each charge needs a fresh code: one per step, so move the clock a step after each.
    code: async () => {
      if (used++ > 0) subject.clock.advance(body.stepSeconds);
      const step = paymentCodeStep(subject.clock.now().getTime(), body.stepSeconds);
      return paymentCodeAt({ secret, deviceIndex: body.deviceIndex, step });
    },
  };
}

/** A day later; the sessions of `holders` kept alive on the way (they idle out after 24 h). */
async function nextDay(...holders: TestHolder[]): Promise<void> {
  subject.clock.advance(12 * 3600);
  for (const holder of holders) await as(holder, 'GET', '/v1/me');
  subject.clock.advance(12 * 3600);
}

function chargeAt(who: TestHolder, merchantId: string, paymentCode: string, amount: string, orderId: string) {
  return as(who, 'POST', '/v1/me/merchant/charges', {
    merchantId,
    idempotent: true,
    payload: { paymentCode, amount: cny(amount), merchantOrderId: orderId, description: '牛肉面' },
  });
}

describe('staff', () => {
  it('the owner adds a cashier by phone number once, however many times it is asked at once', async () => {
    const merchant = await shop();
    const cashier = await verified('王芳');
    const stranger = `1${String(Math.floor(Math.random() * 1e10)).padStart(10, '0')}`;
    expect(
      errorCode(
        await as(merchant.owner, 'POST', '/v1/me/merchant/staff', {
          payload: { phone: stranger, role: 'cashier' },
        }),
      ),
    ).toBe('STAFF_HOLDER_NOT_FOUND');
    expect(
      errorCode(
        await as(merchant.owner, 'POST', '/v1/me/merchant/staff', {
          payload: { phone: merchant.owner.phone, role: 'cashier' },
        }),
      ),
    ).toBe('STAFF_IS_OWNER');
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        as(merchant.owner, 'POST', '/v1/me/merchant/staff', {
          payload: { phone: cashier.phone, role: 'cashier' },
        }),
      ),
    );
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(1);
    const others = answers.filter((a) => a.statusCode !== 201).map(errorCode);
    expect(others).toEqual(Array.from({ length: 29 }, () => 'STAFF_EXISTS'));
    const list = await as(merchant.owner, 'GET', '/v1/me/merchant/staff');
    expect(list.statusCode, list.body).toBe(200);
    const staff = list.json<{ staff: { id: string; role: string; name: string; phone: string }[] }>().staff;
    expect(staff.map((s) => s.role)).toEqual(['owner', 'cashier']);
    expect(staff[1]!.name).toBe('*芳');
    expect(staff[1]!.phone).toBe(`${cashier.phone.slice(0, 3)}****${cashier.phone.slice(7)}`);
  });

  it('a cashier acts for the merchant with its own wallet session, within its permissions', async () => {
    const merchant = await shop();
    const cashier = await verified('王芳');
    await addCashier(merchant, cashier);

    const mine = await as(cashier, 'GET', '/v1/me/merchants');
    expect(mine.json<{ merchants: { id: string; role: string; name: string }[] }>().merchants).toEqual([
      { id: merchant.id, name: '李记面馆', kind: 'individual', status: 'active', role: 'cashier' },
    ]);
    const me = await as(cashier, 'GET', '/v1/me/merchant', { merchantId: merchant.id });
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json()).toMatchObject({
      id: merchant.id,
      role: 'cashier',
      permissions: ['payments:create', 'orders:readToday'],
    });
    // Its only merchant: no header needed.
    expect((await as(cashier, 'GET', '/v1/me/merchant')).json()).toMatchObject({
      id: merchant.id,
      role: 'cashier',
    });
    const owner = await as(merchant.owner, 'GET', '/v1/me/merchant');
    expect(owner.json<{ permissions: string[] }>().permissions).toEqual([
      'payments:create',
      'refunds:create',
      'payouts:create',
      'orders:read',
      'orders:readToday',
      'merchant:manage',
    ]);

    // Takes a payment code at the till: the merchant is paid.
    const alice = await payer();
    const charged = await chargeAt(cashier, merchant.id, await alice.code(), '3600', 'till-1');
    expect(charged.statusCode, charged.body).toBe(201);
    expect(charged.json<{ status: string }>().status).toBe('succeeded');
    const order = await as(cashier, 'GET', '/v1/me/merchant/orders/till-1', { merchantId: merchant.id });
    expect(order.json()).toMatchObject({ status: 'paid', amount: { amount: '3600' } });

    // Not a refund, a settlement, a statement, the figures or the staff.
    const refused = [
      as(cashier, 'POST', '/v1/me/merchant/orders/till-1/refunds', {
        merchantId: merchant.id,
        payload: { merchantRefundId: 'r1', amount: cny('100') },
      }),
      as(cashier, 'GET', '/v1/me/merchant/orders/till-1/refunds/r1', { merchantId: merchant.id }),
      as(cashier, 'POST', '/v1/me/merchant/settlements', {
        merchantId: merchant.id,
        idempotent: true,
        payload: {},
      }),
      as(cashier, 'GET', '/v1/me/merchant/settlements', { merchantId: merchant.id }),
      as(cashier, 'PUT', '/v1/me/merchant/settlement-card', {
        merchantId: merchant.id,
        payload: { cardId: randomUUID() },
      }),
      as(cashier, 'GET', `/v1/me/merchant/statements/${new Date().toISOString().slice(0, 10)}`, {
        merchantId: merchant.id,
      }),
      as(cashier, 'GET', '/v1/me/merchant/summary', { merchantId: merchant.id }),
      as(cashier, 'GET', '/v1/me/merchant/staff', { merchantId: merchant.id }),
      as(cashier, 'POST', '/v1/me/merchant/staff', {
        merchantId: merchant.id,
        payload: { phone: alice.holder.phone, role: 'cashier' },
      }),
    ];
    for (const response of await Promise.all(refused))
      expect(errorCode(response), response.body).toBe('FORBIDDEN');
    // The owner may.
    const refund = await as(merchant.owner, 'POST', '/v1/me/merchant/orders/till-1/refunds', {
      payload: { merchantRefundId: 'r1', amount: cny('600'), reason: '少了一个蛋' },
    });
    expect(refund.statusCode, refund.body).toBe(201);
    await expectBooksBalanced(subject);
  });

  it('a removed cashier is refused at its next request; a stranger never gets in', async () => {
    const merchant = await shop();
    const cashier = await verified('王芳');
    const id = await addCashier(merchant, cashier);
    expect((await as(cashier, 'GET', '/v1/me/merchant', { merchantId: merchant.id })).statusCode).toBe(200);
    const removed = await as(merchant.owner, 'DELETE', `/v1/me/merchant/staff/${id}`);
    expect(removed.statusCode, removed.body).toBe(204);
    expect(errorCode(await as(cashier, 'GET', '/v1/me/merchant', { merchantId: merchant.id }))).toBe(
      'MERCHANT_NOT_FOUND',
    );
    expect(errorCode(await as(merchant.owner, 'DELETE', `/v1/me/merchant/staff/${id}`))).toBe(
      'STAFF_NOT_FOUND',
    );
    expect(errorCode(await as(merchant.owner, 'DELETE', '/v1/me/merchant/staff/owner'))).toBe(
      'STAFF_NOT_FOUND',
    );
    // Added again: a new membership.
    await addCashier(merchant, cashier);
    expect((await as(cashier, 'GET', '/v1/me/merchant', { merchantId: merchant.id })).statusCode).toBe(200);

    // Another merchant's owner naming this merchant, a malformed id, a holder with no merchant.
    const other = await shop('王记包子');
    expect(
      errorCode(await as(other.owner, 'GET', '/v1/me/merchant/orders', { merchantId: merchant.id })),
    ).toBe('MERCHANT_NOT_FOUND');
    expect(errorCode(await as(other.owner, 'GET', '/v1/me/merchant', { merchantId: 'not-a-uuid' }))).toBe(
      'MERCHANT_NOT_FOUND',
    );
    const nobody = await verified('赵敏');
    expect(errorCode(await as(nobody, 'GET', '/v1/me/merchant'))).toBe('MERCHANT_NOT_FOUND');
    // Without a session, nothing.
    const anonymous = await subject.app.inject({ method: 'GET', url: '/v1/me/merchant' });
    expect(errorCode(anonymous)).toBe('UNAUTHORIZED');
  });

  it('a cashier of two merchants names the one it acts for', async () => {
    const first = await shop();
    const second = await shop('王记包子');
    const cashier = await verified('王芳');
    await addCashier(first, cashier);
    await addCashier(second, cashier);
    expect(errorCode(await as(cashier, 'GET', '/v1/me/merchant'))).toBe('MERCHANT_SELECTOR_REQUIRED');
    expect((await as(cashier, 'GET', '/v1/me/merchant', { merchantId: second.id })).json()).toMatchObject({
      name: '王记包子',
    });
    // The query parameter does for downloads and event streams what the header does.
    const byQuery = await as(cashier, 'GET', `/v1/me/merchant?merchant=${first.id}`);
    expect(byQuery.json()).toMatchObject({ name: '李记面馆' });
  });
});

describe('orders for the portal', () => {
  it('a cashier sees today’s orders only; the owner filters and pages through all of them', async () => {
    const merchant = await shop();
    const cashier = await verified('王芳');
    await addCashier(merchant, cashier);
    const order = (number: string, amount: string) =>
      as(merchant.owner, 'POST', '/v1/me/merchant/orders', {
        payload: { merchantOrderId: number, amount: cny(amount) },
      });
    expect((await order('yday-1', '1000')).statusCode).toBe(201);
    expect((await order('yday-2', '2000')).statusCode).toBe(201);
    await nextDay(merchant.owner, cashier);
    for (let i = 1; i <= 5; i++) expect((await order(`today-${i}`, `${i}00`)).statusCode).toBe(201);
    await as(merchant.owner, 'POST', '/v1/me/merchant/orders/today-2/close');

    const numbers = (response: { json: <T>() => T }) =>
      response.json<{ orders: { merchantOrderId: string }[] }>().orders.map((o) => o.merchantOrderId);
    const cashierView = await as(cashier, 'GET', '/v1/me/merchant/orders?from=2000-01-01', {
      merchantId: merchant.id,
    });
    expect(numbers(cashierView)).toEqual(['today-5', 'today-4', 'today-3', 'today-2', 'today-1']);
    expect(
      errorCode(await as(cashier, 'GET', '/v1/me/merchant/orders/yday-1', { merchantId: merchant.id })),
    ).toBe('ORDER_NOT_FOUND');
    expect(numbers(await as(merchant.owner, 'GET', '/v1/me/merchant/orders'))).toHaveLength(7);
    expect(numbers(await as(merchant.owner, 'GET', '/v1/me/merchant/orders?q=yday'))).toEqual([
      'yday-2',
      'yday-1',
    ]);
    // Yesterday's are past their 2 hours: expired.
    expect(numbers(await as(merchant.owner, 'GET', '/v1/me/merchant/orders?status=expired'))).toEqual([
      'yday-2',
      'yday-1',
    ]);
    expect(numbers(await as(merchant.owner, 'GET', '/v1/me/merchant/orders?status=closed'))).toEqual([
      'today-2',
    ]);
    expect(numbers(await as(merchant.owner, 'GET', '/v1/me/merchant/orders?channel=code'))).toEqual([]);
    // Days are Beijing days, both ends included.
    const today = shanghaiDate(subject.clock.now());
    const yesterday = shanghaiDate(new Date(subject.clock.now().getTime() - 24 * 3600 * 1000));
    expect(numbers(await as(merchant.owner, 'GET', `/v1/me/merchant/orders?from=${today}`))).toHaveLength(5);
    expect(numbers(await as(merchant.owner, 'GET', `/v1/me/merchant/orders?to=${yesterday}`))).toEqual([
      'yday-2',
      'yday-1',
    ]);
    expect(
      numbers(await as(merchant.owner, 'GET', `/v1/me/merchant/orders?from=${yesterday}&to=${yesterday}`)),
    ).toEqual(['yday-2', 'yday-1']);
    expect(errorCode(await as(merchant.owner, 'GET', '/v1/me/merchant/orders?from=2026-02-30'))).toBe(
      'VALIDATION_FAILED',
    );

    // Pages of 3: 3, 3, 1, each after the last, none twice.
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await as(
        merchant.owner,
        'GET',
        `/v1/me/merchant/orders?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      const body = page.json<{ orders: { merchantOrderId: string }[]; nextCursor: string | null }>();
      seen.push(...body.orders.map((o) => o.merchantOrderId));
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(['today-5', 'today-4', 'today-3', 'today-2', 'today-1', 'yday-2', 'yday-1']);
    expect(errorCode(await as(merchant.owner, 'GET', '/v1/me/merchant/orders?cursor=garbage'))).toBe(
      'VALIDATION_FAILED',
    );
  });

  it('the dashboard sums each day’s takings, payments and refunds, today last', async () => {
    const merchant = await shop();
    const alice = await payer();
    const pay = async (orderId: string, amount: string) =>
      expect(
        (await chargeAt(merchant.owner, merchant.id, await alice.code(), amount, orderId)).statusCode,
      ).toBe(201);
    await pay('d1-a', '1000');
    await nextDay(merchant.owner, alice.holder);
    await pay('d2-a', '2000');
    await pay('d2-b', '3050');
    const refund = await as(merchant.owner, 'POST', '/v1/me/merchant/orders/d2-b/refunds', {
      payload: { merchantRefundId: 'r1', amount: cny('525') },
    });
    expect(refund.statusCode, refund.body).toBe(201);
    const summary = await as(merchant.owner, 'GET', '/v1/me/merchant/summary?days=30');
    expect(summary.statusCode, summary.body).toBe(200);
    const body = summary.json<{
      balance: { amount: string };
      today: { takings: { amount: string }; payments: number; refunds: { amount: string } };
      days: { date: string; takings: { amount: string }; payments: number }[];
    }>();
    expect(body.days).toHaveLength(30);
    expect(body.today).toEqual({
      takings: { amount: '5050', currency: 'CNY' },
      payments: 2,
      refunds: { amount: '525', currency: 'CNY' },
    });
    expect(body.days.at(-2)).toMatchObject({ takings: { amount: '1000' }, payments: 1 });
    expect(body.days.slice(0, -2).every((d) => d.payments === 0 && d.takings.amount === '0')).toBe(true);
    const dates = body.days.map((d) => d.date);
    expect([...dates].sort()).toEqual(dates);
    expect(new Set(dates).size).toBe(30);
    // Takings less the fees (0.38 %) and the refund (its fee share back): the balance.
    const merchantNow = await as(merchant.owner, 'GET', '/v1/me/merchant');
    expect(body.balance.amount).toBe(merchantNow.json<{ balance: { amount: string } }>().balance.amount);
    await expectBooksBalanced(subject);
  });
});

describe('the live feed', () => {
  it('pushes a payment taken by a cashier to the owner’s open portal, and nothing of other merchants', async () => {
    const merchant = await shop();
    const other = await shop('王记包子');
    const cashier = await verified('王芳');
    await addCashier(merchant, cashier);
    const alice = await payer();

    const { events } = await readEvents(
      `${url}/v1/me/merchant/stream?merchant=${merchant.id}`,
      merchant.owner.headers,
      {
        timeoutMs: 5000,
        until: (seen) => seen.some((e) => e.event === 'order'),
        onOpen: async () => {
          // Another merchant's payment first: it must not show up here.
          const elsewhere = await chargeAt(other.owner, other.id, await alice.code(), '900', 'other-1');
          expect(elsewhere.statusCode, elsewhere.body).toBe(201);
          const here = await chargeAt(cashier, merchant.id, await alice.code(), '1234', 'live-1');
          expect(here.statusCode, here.body).toBe(201);
          // A test app runs no job workers: deliver the events the payments appended.
          await subject.app.outbox.deliverPending();
        },
      },
    );
    expect(events.filter((e) => e.event === 'order')).toEqual([
      {
        event: 'order',
        data: expect.objectContaining({
          type: 'payment',
          merchantOrderId: 'live-1',
          status: 'paid',
          amount: { amount: '1234', currency: 'CNY' },
        }) as unknown,
      },
    ]);
  });

  it('refuses a stream to a cashier of another merchant', async () => {
    const merchant = await shop();
    const outsider = await verified('赵敏');
    const response = await fetch(`${url}/v1/me/merchant/stream?merchant=${merchant.id}`, {
      headers: outsider.headers,
    });
    expect(response.status).toBe(404);
    expect((await response.json()) as object).toMatchObject({ error: { code: 'MERCHANT_NOT_FOUND' } });
  });
});
