/**
 * Webhooks of merchants (issue 14) against a real HTTP receiver on loopback: a payment to the
 * merchant becomes one delivery per endpoint that wants it, posted with Standard Webhooks headers
 * whose signature the `standardwebhooks` verifier and a hand-made HMAC both accept; retries on the
 * documented schedule with a moved clock until the delivery fails, the endpoint disabled after its
 * failing days and its owner told; a receiver that never answers; a re-send; a rotated secret
 * signing with both; an event handled twice writing one delivery; a lost job found by the sweep;
 * who may see and do what.
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSecurityTestApp } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import { paidOrderOf, shopOf, verifiedHolder } from '../merchants/testing.ts';
import type { TestShop } from '../merchants/testing.ts';
import { errorCode, inbox } from '../transfers/testing.ts';
import { RETRY_DELAYS_SECONDS } from './webhook-schedule.ts';

type Behaviour = 'ok' | 'fail' | 'hang';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A shop's webhook receiver: records what arrives, answers as told (default 200). */
class Receiver {
  readonly received: Received[] = [];
  behaviour: Behaviour = 'ok';
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        if (this.behaviour === 'hang') return;
        response.writeHead(this.behaviour === 'ok' ? 200 : 500).end(this.behaviour);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/qianbao`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let subject: SecurityTestApp;
const receiver = new Receiver();
beforeAll(async () => {
  subject = await createSecurityTestApp({
    SESSION_IDLE_SECONDS: '2592000',
    WEBHOOK_TIMEOUT_MS: '400',
    WEBHOOK_DISABLE_AFTER_DAYS: '1',
  });
  await receiver.start();
});
afterAll(async () => {
  await receiver.stop();
  await subject.close();
});
afterEach(() => {
  receiver.behaviour = 'ok';
  receiver.received.length = 0;
});

interface Endpoint {
  id: string;
  secret: string;
  status: string;
}

interface Delivery {
  id: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  eventType: string;
  body: string;
}

async function endpoint(
  shop: TestShop,
  events = ['payment.succeeded', 'refund.succeeded'],
): Promise<Endpoint> {
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant/webhook-endpoints',
    headers: shop.owner.headers,
    payload: { url: receiver.url, events, description: 'shop backend' },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Endpoint>();
}

async function deliveries(shop: TestShop, endpointId: string): Promise<Delivery[]> {
  const response = await subject.app.inject({
    method: 'GET',
    url: `/v1/me/merchant/webhook-endpoints/${endpointId}/deliveries`,
    headers: shop.owner.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ deliveries: Delivery[] }>().deliveries;
}

/** The events are handed to the subscribers, then each delivery's due attempt runs (the job's work). */
async function deliverDue(shop: TestShop, endpointId: string): Promise<Delivery[]> {
  await subject.app.outbox.deliverPending();
  for (const delivery of await deliveries(shop, endpointId)) {
    await subject.app.services.webhooks.attempt(delivery.id, 'auto');
  }
  return deliveries(shop, endpointId);
}

describe('endpoints', () => {
  it('are the owner’s: a URL that cannot be posted to and an unknown event are refused; the secret is Standard Webhooks’', async () => {
    const shop = await shopOf(subject);
    const made = await endpoint(shop);
    expect(made.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(made.status).toBe('enabled');
    for (const [payload, code] of [
      [{ url: 'ftp://example.com/x', events: ['payment.succeeded'] }, 'WEBHOOK_URL_INVALID'],
      [{ url: 'not a url', events: ['payment.succeeded'] }, 'WEBHOOK_URL_INVALID'],
      [{ url: 'https://user:pw@example.com/x', events: ['payment.succeeded'] }, 'WEBHOOK_URL_INVALID'],
      [{ url: 'https://example.com/x', events: ['payment.exploded'] }, 'VALIDATION_FAILED'],
      [{ url: 'https://example.com/x', events: [] }, 'VALIDATION_FAILED'],
    ] as const) {
      const response = await subject.app.inject({
        method: 'POST',
        url: '/v1/me/merchant/webhook-endpoints',
        headers: shop.owner.headers,
        payload,
      });
      expect(errorCode(response), JSON.stringify(payload)).toBe(code);
    }
    const revealed = await subject.app.inject({
      method: 'GET',
      url: `/v1/me/merchant/webhook-endpoints/${made.id}/secret`,
      headers: shop.owner.headers,
    });
    expect(revealed.json()).toEqual({ secret: made.secret });
    // Another merchant's owner and a cashier get nothing.
    const stranger = await shopOf(subject);
    const other = await subject.app.inject({
      method: 'GET',
      url: `/v1/me/merchant/webhook-endpoints/${made.id}/secret`,
      headers: stranger.owner.headers,
    });
    expect(errorCode(other)).toBe('WEBHOOK_ENDPOINT_NOT_FOUND');
    const cashier = await verifiedHolder(subject, '赵丽');
    await subject.app.inject({
      method: 'POST',
      url: '/v1/me/merchant/staff',
      headers: shop.owner.headers,
      payload: { phone: cashier.phone, role: 'cashier' },
    });
    const byCashier = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/merchant/webhook-endpoints',
      headers: { ...cashier.headers, 'qianbao-merchant': shop.id },
    });
    expect(errorCode(byCashier)).toBe('FORBIDDEN');
  });
});

describe('deliveries', () => {
  it('a payment reaches the endpoint once, signed as Standard Webhooks says', async () => {
    const shop = await shopOf(subject);
    const made = await endpoint(shop);
    const settlementsOnly = await endpoint(shop, ['settlement.paid']);
    const { merchantOrderId } = await paidOrderOf(subject, shop.owner, '3800', 'WH-0001');
    const [delivery] = await deliverDue(shop, made.id);
    expect(delivery).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      lastStatusCode: 200,
      eventType: 'payment.succeeded',
    });
    expect(await deliveries(shop, settlementsOnly.id)).toEqual([]);
    expect(receiver.received).toHaveLength(1);
    const [arrived] = receiver.received;
    const headers = {
      'webhook-id': String(arrived!.headers['webhook-id']),
      'webhook-timestamp': String(arrived!.headers['webhook-timestamp']),
      'webhook-signature': String(arrived!.headers['webhook-signature']),
    };
    expect(headers['webhook-id']).toBe(delivery!.id);
    expect(arrived!.headers['content-type']).toBe('application/json');
    const body = JSON.parse(arrived!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      type: 'payment.succeeded',
      data: { merchantOrderId, amount: { amount: '3800', currency: 'CNY' }, status: 'paid' },
    });
    // Nothing of the payer leaves: no holder ids, no names.
    expect(arrived!.body).not.toMatch(/payer|owner|张伟/i);
    // The reference library accepts it (its own clock: the server's clock is the test's)…
    const sentAt = Number(headers['webhook-timestamp']) * 1000;
    expect(Math.abs(sentAt - subject.clock.now().getTime())).toBeLessThan(2000);
    const realNow = Date.now;
    Date.now = () => sentAt;
    try {
      expect(new Webhook(made.secret).verify(arrived!.body, headers)).toEqual(body);
      expect(() => new Webhook(made.secret).verify(`${arrived!.body} `, headers)).toThrow();
    } finally {
      Date.now = realNow;
    }
    // …and so does the HMAC written out by hand: v1,base64(HMAC-SHA256(key, id.timestamp.body)).
    const key = Buffer.from(made.secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key)
      .update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${arrived!.body}`)
      .digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
    // The same event handled again (at least once) writes no second delivery and posts nothing.
    await subject.app.outbox.deliverPending();
    expect(await deliveries(shop, made.id)).toHaveLength(1);
    expect(receiver.received).toHaveLength(1);
  });

  it('retries on the schedule until it fails, disables the endpoint after a day of failures and tells the owner', async () => {
    const shop = await shopOf(subject);
    const made = await endpoint(shop);
    receiver.behaviour = 'fail';
    await paidOrderOf(subject, shop.owner, '1200');
    let [delivery] = await deliverDue(shop, made.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500 });
    // Not due yet: a job that runs early changes nothing.
    await subject.app.services.webhooks.attempt(delivery!.id, 'auto');
    expect(receiver.received).toHaveLength(1);
    for (const [index, seconds] of RETRY_DELAYS_SECONDS.entries()) {
      const due = new Date(delivery!.nextAttemptAt!).getTime() - new Date(delivery!.lastAttemptAt!).getTime();
      expect(due, `retry ${index + 1}`).toBe(seconds * 1000);
      subject.clock.advance(seconds);
      [delivery] = await deliverDue(shop, made.id);
    }
    expect(delivery).toMatchObject({
      status: 'failed',
      attempts: 8,
      nextAttemptAt: null,
      lastStatusCode: 500,
    });
    expect(receiver.received).toHaveLength(8);
    // Every attempt carries the same webhook-id and body.
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    const endpoints = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/merchant/webhook-endpoints',
      headers: shop.owner.headers,
    });
    expect(endpoints.json()).toMatchObject({ endpoints: [{ id: made.id, status: 'disabled' }] });
    const notices = (await inbox(subject, shop.owner)).filter(
      (n) => n.kind === 'developers.webhook_disabled',
    );
    expect(notices).toHaveLength(1);
    // A later event is not delivered to a disabled endpoint; enabled again, deliveries resume.
    receiver.behaviour = 'ok';
    await paidOrderOf(subject, shop.owner, '1300');
    await subject.app.outbox.deliverPending();
    expect(await deliveries(shop, made.id)).toHaveLength(1);
    const enabled = await subject.app.inject({
      method: 'PATCH',
      url: `/v1/me/merchant/webhook-endpoints/${made.id}`,
      headers: shop.owner.headers,
      payload: { enabled: true },
    });
    expect(enabled.json()).toMatchObject({ status: 'enabled', failingSince: null });
    // The failed delivery is re-sent by the owner: succeeded, the attempt marked as a re-send.
    const resent = await subject.app.inject({
      method: 'POST',
      url: `/v1/me/merchant/webhook-deliveries/${delivery!.id}/resend`,
      headers: shop.owner.headers,
    });
    expect(resent.json()).toMatchObject({ status: 'succeeded', attempts: 9, lastStatusCode: 200 });
    const detail = await subject.app.inject({
      method: 'GET',
      url: `/v1/me/merchant/webhook-deliveries/${delivery!.id}`,
      headers: shop.owner.headers,
    });
    const attempts = detail.json<{ attempts: { n: number; trigger: string; statusCode: number | null }[] }>()
      .attempts;
    expect(attempts.map((a) => a.trigger)).toEqual([...Array.from({ length: 8 }, () => 'auto'), 'resend']);
    expect(attempts.at(-1)).toMatchObject({ n: 9, statusCode: 200 });
  });

  it('a receiver that never answers is given up on after the timeout, and tried again later', async () => {
    const shop = await shopOf(subject);
    const made = await endpoint(shop);
    receiver.behaviour = 'hang';
    await paidOrderOf(subject, shop.owner, '900');
    const started = Date.now();
    const [delivery] = await deliverDue(shop, made.id);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(delivery).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastStatusCode: null,
      lastError: 'no answer within 400 ms',
    });
  });

  it('a rotated secret signs beside the old one for the overlap', async () => {
    const shop = await shopOf(subject);
    const made = await endpoint(shop);
    const rotated = await subject.app.inject({
      method: 'POST',
      url: `/v1/me/merchant/webhook-endpoints/${made.id}/rotate-secret`,
      headers: shop.owner.headers,
      payload: { overlapHours: 1 },
    });
    const { secret } = rotated.json<{ secret: string }>();
    expect(secret).not.toBe(made.secret);
    const ping = await subject.app.inject({
      method: 'POST',
      url: `/v1/me/merchant/webhook-endpoints/${made.id}/ping`,
      headers: shop.owner.headers,
    });
    expect(ping.json()).toMatchObject({ status: 'succeeded', eventType: 'webhook.ping' });
    const signatures = String(receiver.received[0]!.headers['webhook-signature']).split(' ');
    expect(signatures).toHaveLength(2);
    const arrived = receiver.received[0]!;
    const headers = {
      'webhook-id': String(arrived.headers['webhook-id']),
      'webhook-timestamp': String(arrived.headers['webhook-timestamp']),
      'webhook-signature': String(arrived.headers['webhook-signature']),
    };
    const realNow = Date.now;
    Date.now = () => Number(headers['webhook-timestamp']) * 1000;
    try {
      for (const key of [secret, made.secret])
        expect(() => new Webhook(key).verify(arrived.body, headers)).not.toThrow();
    } finally {
      Date.now = realNow;
    }
    // After the overlap only the new secret signs.
    subject.clock.advance(3601);
    await subject.app.inject({
      method: 'POST',
      url: `/v1/me/merchant/webhook-endpoints/${made.id}/ping`,
      headers: shop.owner.headers,
    });
    expect(String(receiver.received[1]!.headers['webhook-signature']).split(' ')).toHaveLength(1);
  });

  it('a delivery whose job was lost is queued again by the sweep, and sent once', async () => {
    const shop = await shopOf(subject);
    const made = await endpoint(shop);
    await paidOrderOf(subject, shop.owner, '700');
    await subject.app.outbox.deliverPending();
    const [pending] = await deliveries(shop, made.id);
    expect(pending).toMatchObject({ status: 'pending', attempts: 0 });
    // Its job is gone (as if the process died after writing it): the sweep finds it a minute on.
    await subject.database.pool.query(`DELETE FROM pgboss.job WHERE name = 'developers.webhook'`);
    const jobsOf = async () => {
      const { rows } = await subject.database.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'developers.webhook' AND data->>'deliveryId' = $1`,
        [pending!.id],
      );
      return rows[0]!.n;
    };
    await subject.app.services.webhooks.sweep();
    expect(await jobsOf()).toBe(0);
    subject.clock.advance(61);
    await subject.app.services.webhooks.sweep();
    expect(await jobsOf()).toBe(1);
    // Two senders at once (the job and a sweep's): the lease lets one post.
    await Promise.all([
      subject.app.services.webhooks.attempt(pending!.id, 'auto'),
      subject.app.services.webhooks.attempt(pending!.id, 'auto'),
    ]);
    expect(receiver.received).toHaveLength(1);
    expect((await deliveries(shop, made.id))[0]).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('an API key that reads orders lists the deliveries and re-sends one; another merchant’s cannot', async () => {
    const shop = await shopOf(subject);
    const made = await endpoint(shop);
    await paidOrderOf(subject, shop.owner, '500');
    const [delivery] = await deliverDue(shop, made.id);
    const key = async (owner: TestShop) => {
      const response = await subject.app.inject({
        method: 'POST',
        url: '/v1/me/merchant/api-keys',
        headers: owner.owner.headers,
        payload: { name: 'reconciler', scopes: ['read_only'] },
      });
      return { authorization: `Bearer ${response.json<{ secret: string }>().secret}` };
    };
    const reader = await key(shop);
    const listed = await subject.app.inject({
      method: 'GET',
      url: `/v1/me/merchant/webhook-endpoints/${made.id}/deliveries`,
      headers: reader,
    });
    expect(listed.json()).toMatchObject({ deliveries: [{ id: delivery!.id }] });
    const resent = await subject.app.inject({
      method: 'POST',
      url: `/v1/me/merchant/webhook-deliveries/${delivery!.id}/resend`,
      headers: reader,
    });
    expect(resent.json()).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual([delivery!.id, delivery!.id]);
    const stranger = await key(await shopOf(subject));
    const refused = await subject.app.inject({
      method: 'POST',
      url: `/v1/me/merchant/webhook-deliveries/${delivery!.id}/resend`,
      headers: stranger,
    });
    expect(errorCode(refused)).toBe('WEBHOOK_DELIVERY_NOT_FOUND');
    // A key cannot register or read endpoints (their secrets): the owner's only.
    const endpoints = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/merchant/webhook-endpoints',
      headers: reader,
    });
    expect(endpoints.statusCode).toBe(401);
  });
});
