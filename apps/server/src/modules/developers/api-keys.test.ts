/**
 * API keys of merchants through the HTTP API (issue 14, ADR 0020): the owner makes one and sees
 * its secret once; the key reaches the merchant API with its scopes and nothing more; revoked on
 * one server it is refused by another at once; rolled, the old one works for the overlap only;
 * the allow-list, the rate limit shared by two servers, the keys-per-merchant limit under
 * concurrency; the request log with secrets redacted; last use. The shop's side goes through the
 * TypeScript SDK (@qianbao/sdk) against both servers listening, as a shop's server would call
 * them; what needs a raw request (a client address, the rate-limit headers) stays raw.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Qianbao, QianbaoError } from '@qianbao/sdk';
import { createTestApp } from '../../testing.ts';
import type { TestApp } from '../../testing.ts';
import { createSecurityTestApp } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import { shopOf, verifiedHolder } from '../merchants/testing.ts';
import type { TestShop } from '../merchants/testing.ts';
import { errorCode } from '../transfers/testing.ts';

let subject: SecurityTestApp;
/** A second server on the same database: another process as far as keys are concerned. */
let other: TestApp;
let subjectUrl = '';
let otherUrl = '';
beforeAll(async () => {
  subject = await createSecurityTestApp({
    API_KEY_RATE_LIMIT: '6',
    API_KEY_RATE_WINDOW_SECONDS: '3600',
    API_KEYS_PER_MERCHANT: '3',
  });
  other = await createTestApp({
    database: subject.database,
    now: subject.clock.now,
    env: { API_KEY_RATE_LIMIT: '6', API_KEY_RATE_WINDOW_SECONDS: '3600', API_KEYS_PER_MERCHANT: '3' },
  });
  for (const [app, set] of [
    [subject.app, (url: string) => (subjectUrl = url)],
    [other.app, (url: string) => (otherUrl = url)],
  ] as const) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    set(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
  }
});
afterAll(async () => {
  await other?.close();
  await subject?.close();
});

interface Key {
  id: string;
  prefix: string;
  secret: string;
  status: string;
  scopes: string[];
  lastUsedAt: string | null;
}

function makeKey(shop: TestShop, payload: Record<string, unknown>) {
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant/api-keys',
    headers: shop.owner.headers,
    payload: { name: 'shop backend', ...payload },
  });
}

async function key(shop: TestShop, scopes: string[], extra: Record<string, unknown> = {}): Promise<Key> {
  const response = await makeKey(shop, { scopes, ...extra });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Key>();
}

/**
 * The shop's server with this key, on the first server (or the other). One attempt per call: the
 * tests below count requests (the rate limit, the request log).
 */
function shopServer(secret: string, on: 'subject' | 'other' = 'subject'): Qianbao {
  return new Qianbao({ apiKey: secret, baseUrl: on === 'subject' ? subjectUrl : otherUrl, maxRetries: 0 });
}

function newOrder(number = `o${randomUUID().slice(0, 12)}`) {
  return {
    merchantOrderId: number,
    amount: { amount: '1234', currency: 'CNY' as const },
    description: '牛肉面',
  };
}

/** The error code an SDK call was refused with. */
async function refusal(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(QianbaoError);
  return (error as QianbaoError).code;
}

/** An order made with a raw request from `remoteAddress` (the allow-list reads the client's address). */
function orderFrom(secret: string, remoteAddress: string) {
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant/orders',
    headers: { authorization: `Bearer ${secret}` },
    payload: newOrder(),
    remoteAddress,
  });
}

function query(secret: string, number: string) {
  return subject.app.inject({
    method: 'GET',
    url: `/v1/me/merchant/orders/${number}`,
    headers: { authorization: `Bearer ${secret}` },
  });
}

async function keys(shop: TestShop): Promise<Key[]> {
  const response = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/merchant/api-keys',
    headers: shop.owner.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ keys: Key[] }>().keys;
}

describe('making a key', () => {
  it('answers the secret once; lists show its prefix only; the database keeps a hash', async () => {
    const shop = await shopOf(subject);
    const made = await key(shop, ['payments:write']);
    expect(made.secret).toMatch(/^qbk_live_[0-9a-f]{16}_[0-9a-f]{64}$/);
    expect(made.prefix).toBe(`qbk_live_${made.id}_…`);
    expect(made).toMatchObject({ status: 'active', scopes: ['payments:write'], lastUsedAt: null });
    const listed = await keys(shop);
    expect(listed).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(made.secret.slice(-64));
    const { rows } = await subject.database.pool.query<{ row: string }>(
      'SELECT row_to_json(k)::text AS row FROM developers_api_keys k WHERE id = $1',
      [made.id],
    );
    expect(rows[0]!.row).not.toContain(made.secret.slice(-64));
  });

  it('is the owner’s: a cashier, a holder without a shop and a key itself are refused', async () => {
    const shop = await shopOf(subject);
    const made = await key(shop, ['payments:write']);
    const cashier = await verifiedHolder(subject, '赵丽');
    const added = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/merchant/staff',
      headers: shop.owner.headers,
      payload: { phone: cashier.phone, role: 'cashier' },
    });
    expect(added.statusCode, added.body).toBe(201);
    const byCashier = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/merchant/api-keys',
      headers: cashier.headers,
      payload: { name: 'mine', scopes: ['payments:write'] },
    });
    expect(errorCode(byCashier)).toBe('FORBIDDEN');
    const byKey = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/merchant/api-keys',
      headers: { authorization: `Bearer ${made.secret}` },
    });
    expect(byKey.statusCode).toBe(401);
  });

  it('refuses bad input, and more keys than a merchant may have — also when made at once', async () => {
    const shop = await shopOf(subject);
    for (const [payload, code] of [
      [{ scopes: [] }, 'VALIDATION_FAILED'],
      [{ scopes: ['everything'] }, 'VALIDATION_FAILED'],
      [{ scopes: ['read_only'], ipAllow: ['10.0.0.0/33'] }, 'VALIDATION_FAILED'],
      [{ scopes: ['read_only'], ipAllow: ['not-an-ip'] }, 'VALIDATION_FAILED'],
      [{ scopes: ['read_only'], name: '' }, 'VALIDATION_FAILED'],
    ] as const) {
      expect(errorCode(await makeKey(shop, payload)), JSON.stringify(payload)).toBe(code);
    }
    const made = await Promise.all(
      Array.from({ length: 10 }, () => makeKey(shop, { scopes: ['read_only'] })),
    );
    expect(made.filter((response) => response.statusCode === 201)).toHaveLength(3);
    expect(made.filter((response) => response.statusCode !== 201).map(errorCode)).toEqual(
      Array.from({ length: 7 }, () => 'API_KEY_LIMIT_REACHED'),
    );
    // A revoked key frees its place.
    const first = made.find((response) => response.statusCode === 201)!.json<Key>();
    await subject.app.inject({
      method: 'DELETE',
      url: `/v1/me/merchant/api-keys/${first.id}`,
      headers: shop.owner.headers,
    });
    expect((await makeKey(shop, { scopes: ['read_only'] })).statusCode).toBe(201);
  });
});

describe('using a key', () => {
  it('acts as the merchant within its scopes', async () => {
    const shop = await shopOf(subject);
    const writer = await key(shop, ['payments:write']);
    const reader = await key(shop, ['read_only']);
    const refunder = await key(shop, ['refunds:write']);
    const made = await shopServer(writer.secret).orders.create(newOrder('api-0001'));
    expect(made).toMatchObject({ merchantOrderId: 'api-0001', amount: { amount: '1234' } });
    // The owner sees the key's order as any other.
    const seen = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/merchant/orders/api-0001',
      headers: shop.owner.headers,
    });
    expect(seen.statusCode).toBe(200);
    // The order query — the fallback when a notification is late — for writers and readers.
    for (const secret of [writer.secret, reader.secret, refunder.secret]) {
      expect((await shopServer(secret).orders.retrieve('api-0001')).id).toBe(made.id);
    }
    expect(await refusal(shopServer(reader.secret).orders.create(newOrder()))).toBe('FORBIDDEN');
    expect(await refusal(shopServer(refunder.secret).orders.create(newOrder()))).toBe('FORBIDDEN');
    // Another merchant's key does not see this merchant's order.
    const stranger = await key(await shopOf(subject), ['read_only']);
    expect(await refusal(shopServer(stranger.secret).orders.retrieve('api-0001'))).toBe('ORDER_NOT_FOUND');
  });

  it('refuses an unknown, malformed or wrong key the same way', async () => {
    const shop = await shopOf(subject);
    const made = await key(shop, ['payments:write']);
    const wrongSecret = made.secret.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    for (const secret of [wrongSecret, `qbk_live_${'0'.repeat(16)}_${'0'.repeat(64)}`, 'qbk_live_nonsense']) {
      const error = await shopServer(secret)
        .orders.create(newOrder())
        .catch((thrown: unknown) => thrown);
      expect(error, secret).toBeInstanceOf(QianbaoError);
      expect(error).toMatchObject({ status: 401, code: 'API_KEY_INVALID' });
    }
  });

  it('revoked on one server, refused by the other at its next request', async () => {
    const shop = await shopOf(subject);
    const made = await key(shop, ['payments:write']);
    await shopServer(made.secret, 'other').orders.create(newOrder());
    const revoked = await subject.app.inject({
      method: 'DELETE',
      url: `/v1/me/merchant/api-keys/${made.id}`,
      headers: shop.owner.headers,
    });
    expect(revoked.json()).toMatchObject({ status: 'revoked' });
    expect(await refusal(shopServer(made.secret, 'other').orders.create(newOrder()))).toBe('API_KEY_INVALID');
    expect(await refusal(shopServer(made.secret).orders.create(newOrder()))).toBe('API_KEY_INVALID');
  });

  it('rolled: the new key works at once, the old one for the overlap only; 20 rolls at once make one', async () => {
    const shop = await shopOf(subject);
    const made = await key(shop, ['payments:write'], { name: 'till sync' });
    const rolls = await Promise.all(
      Array.from({ length: 20 }, () =>
        subject.app.inject({
          method: 'POST',
          url: `/v1/me/merchant/api-keys/${made.id}/roll`,
          headers: shop.owner.headers,
          payload: { overlapHours: 1 },
        }),
      ),
    );
    const won = rolls.filter((response) => response.statusCode === 201);
    expect(won).toHaveLength(1);
    expect(rolls.filter((response) => response.statusCode !== 201).map(errorCode)).toEqual(
      Array.from({ length: 19 }, () => 'API_KEY_ALREADY_ROLLED'),
    );
    const successor = won[0]!.json<Key & { rolled: Key & { expiresAt: string } }>();
    expect(successor).toMatchObject({ name: 'till sync', scopes: ['payments:write'], status: 'active' });
    expect(successor.rolled).toMatchObject({ status: 'expiring', rolledTo: successor.id });
    await shopServer(successor.secret).orders.create(newOrder());
    await shopServer(made.secret).orders.create(newOrder());
    subject.clock.advance(3601);
    expect(await refusal(shopServer(made.secret).orders.create(newOrder()))).toBe('API_KEY_INVALID');
    await shopServer(successor.secret).orders.create(newOrder());
  });

  it('keeps to its IP allow-list', async () => {
    const shop = await shopOf(subject);
    const made = await key(shop, ['payments:write'], { ipAllow: ['10.1.2.0/24', '2001:db8::1'] });
    expect((await orderFrom(made.secret, '10.1.2.3')).statusCode).toBe(201);
    const refused = await orderFrom(made.secret, '10.9.9.9');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({
      error: { code: 'API_KEY_IP_NOT_ALLOWED', details: { ip: '10.9.9.9' } },
    });
  });

  it('is rate limited across both servers, with RateLimit headers and Retry-After', async () => {
    const shop = await shopOf(subject);
    const made = await key(shop, ['read_only']);
    const first = await query(made.secret, 'none');
    expect(first.headers).toMatchObject({ 'ratelimit-limit': '6', 'ratelimit-remaining': '5' });
    expect(Number(first.headers['ratelimit-reset'])).toBeGreaterThan(0);
    const answers = await Promise.all([
      ...Array.from({ length: 4 }, () => query(made.secret, 'none')),
      ...Array.from({ length: 4 }, () =>
        other.app.inject({
          method: 'GET',
          url: '/v1/me/merchant/orders/none',
          headers: { authorization: `Bearer ${made.secret}` },
        }),
      ),
    ]);
    const limited = answers.filter((response) => response.statusCode === 429);
    expect(limited).toHaveLength(3);
    for (const response of limited) {
      expect(errorCode(response)).toBe('RATE_LIMITED');
      expect(response.headers['ratelimit-remaining']).toBe('0');
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    }
    // Another key of the same merchant has its own budget.
    const second = await key(shop, ['read_only']);
    expect((await query(second.secret, 'none')).statusCode).toBe(404);
  });

  it('logs what it did, secrets redacted, and when it was last used', async () => {
    const shop = await shopOf(subject);
    const made = await key(shop, ['payments:write']);
    const till = shopServer(made.secret);
    await till.orders.create(newOrder('log-0001'));
    const charge = (await till.charges
      .create(
        {
          paymentCode: '281234567890123456',
          amount: { amount: '500', currency: 'CNY' },
          merchantOrderId: 'log-0002',
        },
        { idempotencyKey: 'till-42' },
      )
      .catch((thrown: unknown) => thrown)) as QianbaoError;
    expect(charge).toBeInstanceOf(QianbaoError);
    expect(charge.status).toBeGreaterThanOrEqual(400);
    await expect
      .poll(async () => {
        const response = await subject.app.inject({
          method: 'GET',
          url: `/v1/me/merchant/api-keys/${made.id}/requests`,
          headers: shop.owner.headers,
        });
        return response.json<{ requests: unknown[] }>().requests.length;
      })
      .toBe(2);
    const log = await subject.app.inject({
      method: 'GET',
      url: `/v1/me/merchant/api-keys/${made.id}/requests?limit=1`,
      headers: shop.owner.headers,
    });
    const page = log.json<{ requests: Record<string, unknown>[]; nextCursor: string }>();
    expect(page.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/me/merchant/charges',
      status: charge.status,
      idempotencyKey: 'till-42',
      body: { paymentCode: '[redacted]', amount: { amount: '500', currency: 'CNY' } },
    });
    expect(JSON.stringify(page)).not.toContain('281234567890123456');
    const older = await subject.app.inject({
      method: 'GET',
      url: `/v1/me/merchant/api-keys/${made.id}/requests?limit=1&cursor=${encodeURIComponent(page.nextCursor)}`,
      headers: shop.owner.headers,
    });
    expect(older.json()).toMatchObject({
      requests: [
        {
          method: 'POST',
          path: '/v1/me/merchant/orders',
          status: 201,
          body: { merchantOrderId: 'log-0001' },
        },
      ],
    });
    await expect.poll(async () => (await keys(shop))[0]!.lastUsedAt).not.toBeNull();
    // Another merchant's owner cannot read this key's log.
    const stranger = await shopOf(subject);
    const refused = await subject.app.inject({
      method: 'GET',
      url: `/v1/me/merchant/api-keys/${made.id}/requests`,
      headers: stranger.owner.headers,
    });
    expect(errorCode(refused)).toBe('API_KEY_NOT_FOUND');
  });
});
