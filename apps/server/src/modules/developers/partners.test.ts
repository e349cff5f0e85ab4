/**
 * Partners (issue 14, ADR 0023): a merchant's owner grants a partner — a platform, itself a
 * merchant — access with some scopes; the partner's keys act for the merchant when a request
 * names it in `Qianbao-Merchant`, with the scopes both the key and the grant have; without the
 * header they act for the partner itself. Revoked on one server, refused by another at once; a
 * merchant that never granted is refused the same way as one that does not exist; a partner's
 * Idempotency-Keys are its own; a partner's test key acts for the merchant's test twin; a
 * partner's connected webhook endpoint gets the merchant's events while the grant lasts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../testing.ts';
import type { TestApp } from '../../testing.ts';
import { createSecurityTestApp } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import { paidOrderOf, shopOf } from '../merchants/testing.ts';
import type { TestShop } from '../merchants/testing.ts';
import { cny, errorCode } from '../transfers/testing.ts';
import { WebhookReceiver, deliverWebhooks } from './testing.ts';

let subject: SecurityTestApp;
/** A second server on the same database: another process as far as grants are concerned. */
let other: TestApp;
beforeAll(async () => {
  subject = await createSecurityTestApp();
  other = await createTestApp({ database: subject.database, now: subject.clock.now });
});
afterAll(async () => {
  await other?.close();
  await subject?.close();
});

const ALL_SCOPES = ['payments:write', 'refunds:write', 'payouts:write', 'read_only'];

async function key(shop: TestShop, scopes = ALL_SCOPES, mode: 'live' | 'test' = 'live') {
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant/api-keys',
    headers: shop.owner.headers,
    payload: { name: 'platform', scopes, mode },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string; secret: string }>();
}

interface Grant {
  id: string;
  merchantId: string;
  merchantName: string;
  partnerMerchantId: string;
  partnerName: string;
  scopes: string[];
  status: string;
}

function grantRequest(shop: TestShop, partner: TestShop, scopes: string[]) {
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant/partner-grants',
    headers: shop.owner.headers,
    payload: { partnerMerchantId: partner.id, scopes },
  });
}

async function grant(shop: TestShop, partner: TestShop, scopes: string[]): Promise<Grant> {
  const response = await grantRequest(shop, partner, scopes);
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Grant>();
}

async function revoke(shop: TestShop, grantId: string) {
  const response = await subject.app.inject({
    method: 'DELETE',
    url: `/v1/me/merchant/partner-grants/${grantId}`,
    headers: shop.owner.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  expect(response.json()).toMatchObject({ status: 'revoked' });
}

/** A request with a key, for `merchantId` when given (`Qianbao-Merchant`). */
function withKey(
  secret: string,
  request: {
    method: 'GET' | 'POST';
    url: string;
    merchantId?: string;
    payload?: object;
    idempotencyKey?: string;
    on?: 'subject' | 'other';
  },
) {
  return (request.on === 'other' ? other : subject).app.inject({
    method: request.method,
    url: request.url,
    headers: {
      authorization: `Bearer ${secret}`,
      ...(request.merchantId ? { 'qianbao-merchant': request.merchantId } : {}),
      ...(request.idempotencyKey ? { 'idempotency-key': request.idempotencyKey } : {}),
    },
    ...(request.payload ? { payload: request.payload } : {}),
  });
}

function newOrder(merchantOrderId = `p${randomUUID().slice(0, 12)}`, amount = '1234') {
  return { merchantOrderId, amount: cny(amount), description: '牛肉面' };
}

function ownerGet(shop: TestShop, url: string) {
  return subject.app.inject({ method: 'GET', url, headers: shop.owner.headers });
}

describe('granting a partner access', () => {
  it('lets the partner’s key act for the merchant with the header, and for itself without', async () => {
    const merchant = await shopOf(subject, { name: '王记小馆' });
    const partner = await shopOf(subject, { name: '云收银' });
    const partnerKey = await key(partner);
    const before = await withKey(partnerKey.secret, {
      method: 'POST',
      url: '/v1/me/merchant/orders',
      merchantId: merchant.id,
      payload: newOrder(),
    });
    expect(before.statusCode).toBe(403);
    expect(errorCode(before)).toBe('PARTNER_ACCESS_NOT_GRANTED');

    const given = await grant(merchant, partner, ['payments:write', 'read_only']);
    expect(given).toMatchObject({
      merchantId: merchant.id,
      merchantName: '王记小馆',
      partnerMerchantId: partner.id,
      partnerName: '云收银',
      scopes: ['payments:write', 'read_only'],
      status: 'active',
    });

    const forMerchant = await withKey(partnerKey.secret, {
      method: 'POST',
      url: '/v1/me/merchant/orders',
      merchantId: merchant.id,
      payload: newOrder('shared-0001', '3800'),
    });
    expect(forMerchant.statusCode, forMerchant.body).toBe(201);
    // The merchant's owner sees the order as its own; the partner's own orders do not hold it.
    const seen = await ownerGet(merchant, '/v1/me/merchant/orders/shared-0001');
    expect(seen.statusCode).toBe(200);
    expect(seen.json()).toMatchObject({ amount: { amount: '3800' } });
    expect((await ownerGet(partner, '/v1/me/merchant/orders/shared-0001')).statusCode).toBe(404);

    // Without the header (or naming itself) the key acts for the partner, as any key does.
    const forItself = await withKey(partnerKey.secret, {
      method: 'POST',
      url: '/v1/me/merchant/orders',
      payload: newOrder('shared-0001', '500'),
    });
    expect(forItself.statusCode, forItself.body).toBe(201);
    expect((await ownerGet(partner, '/v1/me/merchant/orders/shared-0001')).json()).toMatchObject({
      amount: { amount: '500' },
    });
    const namingItself = await withKey(partnerKey.secret, {
      method: 'GET',
      url: '/v1/me/merchant/orders/shared-0001',
      merchantId: partner.id,
    });
    expect(namingItself.json()).toMatchObject({ amount: { amount: '500' } });

    // The partner's key's log keeps both, with the merchant it acted for (a request refused before
    // it had a principal — the grant missing — is not a request of the key's, as for a bad key).
    await expect
      .poll(async () => {
        const log = await ownerGet(partner, `/v1/me/merchant/api-keys/${partnerKey.id}/requests`);
        return log
          .json<{ requests: { status: number; actedFor: string | null }[] }>()
          .requests.map((request) => [request.status, request.actedFor]);
      })
      .toEqual([
        [200, null],
        [201, null],
        [201, merchant.id],
      ]);

    // Each side lists the grant: the merchant those it gave, the partner those it received.
    const givenList = await ownerGet(merchant, '/v1/me/merchant/partner-grants');
    expect(givenList.json<{ grants: Grant[] }>().grants.map((g) => g.id)).toEqual([given.id]);
    const received = await ownerGet(partner, '/v1/me/merchant/partner-grants/received');
    expect(received.json<{ grants: Grant[] }>().grants).toEqual([
      expect.objectContaining({ id: given.id, merchantId: merchant.id, merchantName: '王记小馆' }),
    ]);
    expect((await ownerGet(partner, '/v1/me/merchant/partner-grants')).json()).toEqual({ grants: [] });
  });

  it('is the owner’s to give: a key cannot grant; a merchant cannot grant itself or nobody', async () => {
    const merchant = await shopOf(subject);
    const partner = await shopOf(subject);
    const merchantKey = await key(merchant);
    const byKey = await withKey(merchantKey.secret, {
      method: 'POST',
      url: '/v1/me/merchant/partner-grants',
      payload: { partnerMerchantId: partner.id, scopes: ['read_only'] },
    });
    expect(byKey.statusCode).toBe(401);
    expect(errorCode(await grantRequest(merchant, merchant, ['read_only']))).toBe('VALIDATION_FAILED');
    expect(errorCode(await grantRequest(merchant, { ...partner, id: randomUUID() }, ['read_only']))).toBe(
      'PARTNER_NOT_FOUND',
    );
    expect(errorCode(await grantRequest(merchant, partner, []))).toBe('VALIDATION_FAILED');
  });

  it('gives the scopes both the key and the grant have', async () => {
    const merchant = await shopOf(subject);
    const partner = await shopOf(subject);
    const partnerKey = await key(partner, ['payments:write', 'refunds:write', 'read_only']);
    const { merchantOrderId } = await paidOrderOf(subject, merchant.owner, '800');
    await grant(merchant, partner, ['read_only']);
    const read = await withKey(partnerKey.secret, {
      method: 'GET',
      url: `/v1/me/merchant/orders/${merchantOrderId}`,
      merchantId: merchant.id,
    });
    expect(read.statusCode, read.body).toBe(200);
    const refund = await withKey(partnerKey.secret, {
      method: 'POST',
      url: `/v1/me/merchant/orders/${merchantOrderId}/refunds`,
      merchantId: merchant.id,
      payload: { merchantRefundId: 'r1', amount: cny('800') },
    });
    expect(refund.statusCode).toBe(403);
    expect(errorCode(refund)).toBe('FORBIDDEN');
    const order = await withKey(partnerKey.secret, {
      method: 'POST',
      url: '/v1/me/merchant/orders',
      merchantId: merchant.id,
      payload: newOrder(),
    });
    expect(errorCode(order)).toBe('FORBIDDEN');
    // Granting again changes the scopes, at once.
    const widened = await grantRequest(merchant, partner, ['read_only', 'refunds:write']);
    expect(widened.statusCode, widened.body).toBe(200);
    const again = await withKey(partnerKey.secret, {
      method: 'POST',
      url: `/v1/me/merchant/orders/${merchantOrderId}/refunds`,
      merchantId: merchant.id,
      payload: { merchantRefundId: 'r1', amount: cny('800') },
    });
    expect(again.statusCode, again.body).toBe(201);
  });

  it('refuses a merchant that never granted access as it refuses one that does not exist', async () => {
    const stranger = await shopOf(subject);
    const partner = await shopOf(subject);
    const partnerKey = await key(partner);
    const answers = [];
    for (const merchantId of [stranger.id, randomUUID(), 'not-a-merchant']) {
      const response = await withKey(partnerKey.secret, {
        method: 'GET',
        url: '/v1/me/merchant/orders',
        merchantId,
      });
      expect(response.statusCode, merchantId).toBe(403);
      answers.push(response.json<{ error: object }>().error);
    }
    expect(answers[0]).toMatchObject({ code: 'PARTNER_ACCESS_NOT_GRANTED', details: {} });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('revoked on one server, refused by the other at its next request', async () => {
    const merchant = await shopOf(subject);
    const partner = await shopOf(subject);
    const partnerKey = await key(partner);
    const given = await grant(merchant, partner, ['payments:write']);
    const order = (on: 'subject' | 'other') =>
      withKey(partnerKey.secret, {
        method: 'POST',
        url: '/v1/me/merchant/orders',
        merchantId: merchant.id,
        payload: newOrder(),
        on,
      });
    expect((await order('other')).statusCode).toBe(201);
    await revoke(merchant, given.id);
    for (const on of ['other', 'subject'] as const) {
      const refused = await order(on);
      expect(refused.statusCode, on).toBe(403);
      expect(errorCode(refused)).toBe('PARTNER_ACCESS_NOT_GRANTED');
    }
    // The partner sees it revoked; another owner cannot revoke this merchant's grant.
    expect(
      (await ownerGet(partner, '/v1/me/merchant/partner-grants/received')).json<{ grants: Grant[] }>().grants,
    ).toEqual([expect.objectContaining({ id: given.id, status: 'revoked' })]);
    const byStranger = await subject.app.inject({
      method: 'DELETE',
      url: `/v1/me/merchant/partner-grants/${given.id}`,
      headers: partner.owner.headers,
    });
    expect(errorCode(byStranger)).toBe('PARTNER_GRANT_NOT_FOUND');
  });
});

describe('Idempotency-Keys of a partner', () => {
  it('are not the merchant’s own: the same key from both is two requests, each replayed in its own space', async () => {
    const merchant = await shopOf(subject);
    const partner = await shopOf(subject);
    const merchantKey = await key(merchant);
    const partnerKey = await key(partner);
    await grant(merchant, partner, ['payments:write']);
    const idempotencyKey = `till-${randomUUID()}`;
    const charge = (paymentCode: string, merchantOrderId: string) => ({
      paymentCode,
      amount: cny('500'),
      merchantOrderId,
    });
    const ownBody = charge('281234567890123456', `c${randomUUID().slice(0, 12)}`);
    const partnerBody = charge('289999999999999999', `c${randomUUID().slice(0, 12)}`);
    const own = () =>
      withKey(merchantKey.secret, {
        method: 'POST',
        url: '/v1/me/merchant/charges',
        payload: ownBody,
        idempotencyKey,
      });
    const asPartner = () =>
      withKey(partnerKey.secret, {
        method: 'POST',
        url: '/v1/me/merchant/charges',
        merchantId: merchant.id,
        payload: partnerBody,
        idempotencyKey,
      });
    const first = await own();
    expect(first.statusCode).toBeGreaterThanOrEqual(400);
    expect(first.statusCode).toBeLessThan(500);
    // Another body with the same key: in one space it would be IDEMPOTENCY_KEY_REUSED.
    const partnerFirst = await asPartner();
    expect(partnerFirst.statusCode).toBeLessThan(500);
    expect(errorCode(partnerFirst)).not.toMatch(/^IDEMPOTENCY_/);
    expect(partnerFirst.headers['idempotency-replayed']).toBeUndefined();
    // Each is answered its own first answer again.
    const partnerAgain = await asPartner();
    expect(partnerAgain.headers['idempotency-replayed']).toBe('true');
    expect(partnerAgain.body).toBe(partnerFirst.body);
    const ownAgain = await own();
    expect(ownAgain.headers['idempotency-replayed']).toBe('true');
    expect(ownAgain.body).toBe(first.body);
  });
});

describe('a partner’s test key', () => {
  it('acts for the merchant’s test mode: its orders are the merchant’s test orders', async () => {
    const merchant = await shopOf(subject);
    const partner = await shopOf(subject);
    const partnerTestKey = await key(partner, ['payments:write', 'read_only'], 'test');
    const refused = await withKey(partnerTestKey.secret, {
      method: 'GET',
      url: '/v1/me/merchant/orders',
      merchantId: merchant.id,
    });
    expect(errorCode(refused)).toBe('PARTNER_ACCESS_NOT_GRANTED');
    await grant(merchant, partner, ['payments:write', 'read_only']);
    const merchantOrderId = `t${randomUUID().slice(0, 12)}`;
    const made = await withKey(partnerTestKey.secret, {
      method: 'POST',
      url: '/v1/me/merchant/orders',
      merchantId: merchant.id,
      payload: newOrder(merchantOrderId),
    });
    expect(made.statusCode, made.body).toBe(201);
    const url = `/v1/me/merchant/orders/${merchantOrderId}`;
    const merchantTestKey = await key(merchant, ['read_only'], 'test');
    const merchantLiveKey = await key(merchant, ['read_only']);
    expect((await withKey(merchantTestKey.secret, { method: 'GET', url })).statusCode).toBe(200);
    expect((await withKey(merchantLiveKey.secret, { method: 'GET', url })).statusCode).toBe(404);
    // Without the header it is the partner's own test mode.
    expect((await withKey(partnerTestKey.secret, { method: 'GET', url })).statusCode).toBe(404);
  });
});

describe('a partner’s connected webhook endpoint', () => {
  it('gets the merchant’s events, naming the merchant, while the grant lasts', async () => {
    await subject.app.outbox.deliverPending();
    const receiver = new WebhookReceiver();
    await receiver.start();
    try {
      const merchant = await shopOf(subject);
      const partner = await shopOf(subject);
      const endpoint = async (shop: TestShop, path: string, connected: boolean) => {
        const response = await subject.app.inject({
          method: 'POST',
          url: '/v1/me/merchant/webhook-endpoints',
          headers: shop.owner.headers,
          payload: { url: receiver.url(path), events: ['payment.succeeded'], connected },
        });
        expect(response.statusCode, response.body).toBe(201);
        expect(response.json()).toMatchObject({ connected });
        return response.json<{ id: string }>().id;
      };
      const connected = await endpoint(partner, '/partner/connected', true);
      const plain = await endpoint(partner, '/partner/plain', false);
      const own = await endpoint(merchant, '/merchant', false);
      const given = await grant(merchant, partner, ['read_only']);

      const { merchantOrderId } = await paidOrderOf(subject, merchant.owner, '900');
      const delivered = await deliverWebhooks(subject, partner, connected);
      expect(delivered.map((d) => [d.eventType, d.status])).toEqual([['payment.succeeded', 'succeeded']]);
      expect(await deliverWebhooks(subject, partner, plain)).toEqual([]);
      expect(await deliverWebhooks(subject, merchant, own)).toHaveLength(1);
      const toPartner = receiver.received.filter((r) => r.path === '/partner/connected');
      expect(toPartner).toHaveLength(1);
      expect(JSON.parse(toPartner[0]!.body)).toMatchObject({
        type: 'payment.succeeded',
        merchantId: merchant.id,
        data: { merchantOrderId, amount: cny('900') },
      });
      // The merchant's own endpoint is told of its own events as before (no merchantId).
      const toMerchant = receiver.received.filter((r) => r.path === '/merchant');
      expect(JSON.parse(toMerchant[0]!.body)).not.toHaveProperty('merchantId');
      // The delivery is the partner's to read and re-send, not the merchant's.
      const deliveryUrl = `/v1/me/merchant/webhook-deliveries/${delivered[0]!.id}`;
      expect((await ownerGet(partner, deliveryUrl)).statusCode).toBe(200);
      expect((await ownerGet(merchant, deliveryUrl)).statusCode).toBe(404);

      await revoke(merchant, given.id);
      await paidOrderOf(subject, merchant.owner, '700');
      expect(await deliverWebhooks(subject, partner, connected)).toHaveLength(1);
      expect(await deliverWebhooks(subject, merchant, own)).toHaveLength(2);
      expect(receiver.received.filter((r) => r.path === '/partner/connected')).toHaveLength(1);
    } finally {
      await receiver.stop();
    }
  });
});
