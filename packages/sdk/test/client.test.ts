/**
 * The client's HTTP rules with answers the server rarely gives on demand (a 500, a 502 page, a
 * 409 "still running", a hang): which answers are retried and how long it waits, that a POST
 * keeps one idempotency key across its attempts, what a failure looks like, and the pagination
 * helpers' parameters. The same rules against the real server: sdk.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { Qianbao, QianbaoConnectionError, QianbaoError, WebhookVerificationError } from '../src/index.ts';
import type { FetchLike } from '../src/index.ts';
import { backoffMs, expandPath, isRetryableAnswer, retryAfterSecondsOf } from '../src/http.ts';

type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | 'network' | 'hang';

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
  at: number;
}

/** A server of canned answers, one per attempt in order (the last repeats). */
function canned(...answers: Answer[]) {
  const sent: Sent[] = [];
  const fetch: FetchLike = (url, init) => {
    sent.push({
      method: init.method ?? 'GET',
      url,
      headers: { ...(init.headers as Record<string, string>) },
      body: init.body as string | undefined,
      at: Date.now(),
    });
    const answer = answers[Math.min(sent.length - 1, answers.length - 1)]!;
    if (answer === 'network') return Promise.reject(new TypeError('fetch failed'));
    if (answer === 'hang') {
      return new Promise((_, reject) => {
        init.signal?.addEventListener('abort', () => reject(init.signal!.reason as Error), { once: true });
      });
    }
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
    return Promise.resolve(
      new Response(answer.status === 204 ? null : text, {
        status: answer.status,
        headers: {
          'content-type': 'application/json',
          'x-request-id': `req-${sent.length}`,
          ...answer.headers,
        },
      }),
    );
  };
  const client = (options: Partial<ConstructorParameters<typeof Qianbao>[0]> = {}) =>
    new Qianbao({
      apiKey: 'qbk_live_0123456789abcdef_secret',
      baseUrl: 'http://qianbao.test/',
      fetch,
      ...options,
    });
  return { sent, client };
}

const error = (status: number, code: string, headers: Record<string, string> = {}) => ({
  status,
  body: { error: { code, message: `the ${code}`, details: { why: code } } },
  headers,
});

async function failure(promise: Promise<unknown>): Promise<QianbaoError> {
  const caught = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(caught).toBeInstanceOf(QianbaoError);
  return caught as QianbaoError;
}

describe('requests', () => {
  it('send the key, the API version, JSON, and an idempotency key on a POST only', async () => {
    const { sent, client } = canned({ status: 201, body: { id: 'o-1' } });
    const qianbao = client({ apiVersion: '2027-01-01' });
    await qianbao.orders.create({ merchantOrderId: 'A/1', amount: { amount: '100', currency: 'CNY' } });
    await qianbao.orders.retrieve('A/1');
    expect(sent.map((request) => [request.method, request.url])).toEqual([
      ['POST', 'http://qianbao.test/v1/me/merchant/orders'],
      ['GET', 'http://qianbao.test/v1/me/merchant/orders/A%2F1'],
    ]);
    expect(sent[0]!.headers).toMatchObject({
      authorization: 'Bearer qbk_live_0123456789abcdef_secret',
      'qianbao-version': '2027-01-01',
      'content-type': 'application/json',
    });
    expect(sent[0]!.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(sent[0]!.body!)).toEqual({
      merchantOrderId: 'A/1',
      amount: { amount: '100', currency: 'CNY' },
    });
    expect(sent[1]!.headers['idempotency-key']).toBeUndefined();
    expect(sent[1]!.body).toBeUndefined();
    expect(sent[0]!.headers['qianbao-merchant']).toBeUndefined();
  });

  it('a partner’s client names the merchant it acts for on every call', async () => {
    const { sent, client } = canned({ status: 200, body: { orders: [], nextCursor: null } });
    const merchant = '0193a5b2-7c4e-7d1a-9f3e-2b8c6d4e1f20';
    await client({ merchant }).orders.list();
    expect(sent[0]!.headers['qianbao-merchant']).toBe(merchant);
  });

  it('answers the server’s error as a QianbaoError, not retried', async () => {
    for (const [status, code] of [
      [400, 'VALIDATION_FAILED'],
      [401, 'API_KEY_INVALID'],
      [403, 'FORBIDDEN'],
      [404, 'ORDER_NOT_FOUND'],
      [409, 'ORDER_NOT_CLOSABLE'],
      [422, 'IDEMPOTENCY_KEY_REUSED'],
    ] as const) {
      const { sent, client } = canned(error(status, code));
      const thrown = await failure(client().orders.close('A-1'));
      expect(thrown).toMatchObject({
        status,
        code,
        message: `the ${code}`,
        details: { why: code },
        requestId: 'req-1',
      });
      expect(sent, code).toHaveLength(1);
    }
  });
});

describe('retries', () => {
  it('a 5xx, a dropped connection and a 409 still-running are retried with the same key, then succeed', async () => {
    const { sent, client } = canned(
      error(500, 'INTERNAL'),
      'network',
      error(409, 'IDEMPOTENCY_REQUEST_IN_FLIGHT', { 'retry-after': '1' }),
      { status: 201, body: { id: 'c-1', status: 'succeeded' } },
    );
    const charge = await client({ maxRetries: 3 }).charges.create(
      {
        paymentCode: '281234567890123456',
        amount: { amount: '100', currency: 'CNY' },
        merchantOrderId: 'T-1',
      },
      { idempotencyKey: 'till-1' },
    );
    expect(charge).toEqual({ id: 'c-1', status: 'succeeded' });
    expect(sent.map((request) => request.headers['idempotency-key'])).toEqual([
      'till-1',
      'till-1',
      'till-1',
      'till-1',
    ]);
    expect(new Set(sent.map((request) => request.body)).size).toBe(1);
    // Retry-After: 1 is honoured (at least a second), the backoff is shorter.
    expect(sent[3]!.at - sent[2]!.at).toBeGreaterThanOrEqual(1000);
    expect(sent[1]!.at - sent[0]!.at).toBeLessThan(1000);
  });

  it('gives up after maxRetries with the last error; a 502 page is UNEXPECTED_RESPONSE', async () => {
    const { sent, client } = canned({ status: 502, body: '<html>Bad Gateway</html>' });
    const thrown = await failure(client({ maxRetries: 2 }).orders.list());
    expect(thrown).toMatchObject({ status: 502, code: 'UNEXPECTED_RESPONSE' });
    expect(thrown.message).toContain('Bad Gateway');
    expect(sent).toHaveLength(3);
    const once = canned(error(503, 'SERVICE_UNAVAILABLE'));
    await failure(once.client({ maxRetries: 0 }).orders.list());
    expect(once.sent).toHaveLength(1);
    const bounded = canned('network');
    await failure(bounded.client({ maxRetries: 1000 }).orders.list({}, { maxRetries: 1 }));
    expect(bounded.sent).toHaveLength(2);
  });

  it('does not wait longer than maxRetryAfterSeconds: the 429 is thrown with its Retry-After', async () => {
    const { sent, client } = canned(error(429, 'RATE_LIMITED', { 'retry-after': '3600' }));
    const thrown = await failure(client().orders.list());
    expect(thrown).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryAfterSeconds: 3600 });
    expect(sent).toHaveLength(1);
  });

  it('an attempt that hangs times out and is retried; the caller’s abort ends it without a retry', async () => {
    const { sent, client } = canned('hang', { status: 200, body: { orders: [], nextCursor: null } });
    expect(await client({ timeoutMs: 100 }).orders.list()).toEqual({ orders: [], nextCursor: null });
    expect(sent).toHaveLength(2);

    const hanging = canned('hang');
    const timedOut = await failure(hanging.client({ timeoutMs: 50, maxRetries: 1 }).orders.list());
    expect(timedOut).toBeInstanceOf(QianbaoConnectionError);
    expect(timedOut).toMatchObject({ status: 0, code: 'TIMEOUT' });
    expect(hanging.sent).toHaveLength(2);

    const aborted = canned('hang');
    const controller = new AbortController();
    const call = aborted.client().orders.list({}, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('the till gave up')), 20);
    await expect(call).rejects.toThrow('the till gave up');
    expect(aborted.sent).toHaveLength(1);
  });

  it('the rules', () => {
    expect([429, 500, 502, 503, 504].every((status) => isRetryableAnswer(status, null))).toBe(true);
    expect([400, 401, 403, 404, 410, 422, 501].some((status) => isRetryableAnswer(status, 'X'))).toBe(false);
    expect(isRetryableAnswer(409, 'IDEMPOTENCY_REQUEST_IN_FLIGHT')).toBe(true);
    expect(isRetryableAnswer(409, 'WEBHOOK_DELIVERY_IN_PROGRESS')).toBe(true);
    expect(isRetryableAnswer(409, 'SETTLEMENT_IN_PROGRESS')).toBe(false);
    expect(retryAfterSecondsOf('7')).toBe(7);
    expect(retryAfterSecondsOf(new Date(10_000 + 5_000).toUTCString(), 10_000)).toBe(5);
    expect(retryAfterSecondsOf('soon')).toBeNull();
    expect(retryAfterSecondsOf(null)).toBeNull();
    for (let attempt = 0; attempt < 8; attempt++) {
      const ceiling = Math.min(8000, 250 * 2 ** attempt);
      expect(backoffMs(attempt, () => 0)).toBe(ceiling / 2);
      expect(backoffMs(attempt, () => 1)).toBe(ceiling);
    }
    expect(expandPath('/a/{id}/b/{n}', { id: 'x y', n: '1' })).toBe('/a/x%20y/b/1');
    expect(() => expandPath('/a/{id}', {})).toThrow(/id/);
  });
});

describe('pagination', () => {
  it('orders.listAll and webhookDeliveries.listAll follow nextCursor; settlements.listAll pages by createdAt', async () => {
    const orders = canned(
      { status: 200, body: { orders: [{ id: '1' }, { id: '2' }], nextCursor: 'c/2' } },
      { status: 200, body: { orders: [{ id: '3' }], nextCursor: null } },
    );
    const seen = [];
    for await (const order of orders.client().orders.listAll({ status: 'paid' })) seen.push(order.id);
    expect(seen).toEqual(['1', '2', '3']);
    expect(orders.sent.map((request) => new URL(request.url).search)).toEqual([
      '?limit=100&status=paid',
      '?limit=100&status=paid&cursor=c%2F2',
    ]);

    const deliveries = canned(
      { status: 200, body: { deliveries: [{ id: 'm1' }], nextCursor: 'n1' } },
      { status: 200, body: { deliveries: [], nextCursor: null } },
    );
    const ids = [];
    for await (const delivery of deliveries.client().webhookDeliveries.listAll('e-1', { limit: 1 })) {
      ids.push(delivery.id);
    }
    expect(ids).toEqual(['m1']);
    expect(
      deliveries.sent.map((request) => new URL(request.url).pathname + new URL(request.url).search),
    ).toEqual([
      '/v1/me/merchant/webhook-endpoints/e-1/deliveries?limit=1',
      '/v1/me/merchant/webhook-endpoints/e-1/deliveries?limit=1&cursor=n1',
    ]);

    const settlements = canned(
      {
        status: 200,
        body: {
          settlements: [
            { id: 's2', createdAt: 'T2' },
            { id: 's1', createdAt: 'T1' },
          ],
        },
      },
      { status: 200, body: { settlements: [{ id: 's0', createdAt: 'T0' }] } },
    );
    const settled = [];
    for await (const settlement of settlements.client().settlements.listAll({ limit: 2 }))
      settled.push(settlement.id);
    expect(settled).toEqual(['s2', 's1', 's0']);
    expect(settlements.sent.map((request) => new URL(request.url).search)).toEqual([
      '?limit=2',
      '?limit=2&before=T1',
    ]);
    // Breaking out of the loop asks for no further page.
    const early = canned({ status: 200, body: { orders: [{ id: '1' }, { id: '2' }], nextCursor: 'more' } });
    for await (const order of early.client().orders.listAll()) if (order.id === '1') break;
    expect(early.sent).toHaveLength(1);
  });
});

describe('webhook verification', () => {
  const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
  const body = JSON.stringify({
    id: 'evt_1',
    type: 'webhook.ping',
    created: '2026-12-07T00:00:00.000Z',
    data: { endpointId: 'e-1' },
  });
  const sentAt = new Date('2026-12-07T00:00:00Z');
  const signed = (key = secret, at = sentAt, payload = body) => ({
    'webhook-id': 'msg_1',
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(key).sign('msg_1', at, payload),
  });

  it('accepts what the Standard Webhooks library signs, in any header form, raw bytes or text', () => {
    const headers = signed();
    const event = Qianbao.webhooks.verify(body, headers, secret, { now: sentAt });
    expect(event).toEqual(JSON.parse(body));
    if (event.type === 'webhook.ping') expect(event.data.endpointId).toBe('e-1');
    expect(Qianbao.webhooks.verify(Buffer.from(body), new Headers(headers), secret, { now: sentAt }).id).toBe(
      'evt_1',
    );
    const upper = Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name.toUpperCase(), [value]]),
    );
    expect(Qianbao.webhooks.verify(body, upper, secret, { now: sentAt }).id).toBe('evt_1');
  });

  it('during a rotation either secret verifies; a v2 or unknown signature does not', () => {
    const old = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    const both = {
      ...signed(),
      'webhook-signature': `${signed()['webhook-signature']} ${signed(old)['webhook-signature']}`,
    };
    expect(Qianbao.webhooks.verify(body, both, old, { now: sentAt }).id).toBe('evt_1');
    expect(Qianbao.webhooks.verify(body, both, secret, { now: sentAt }).id).toBe('evt_1');
    const v2 = { ...signed(), 'webhook-signature': signed()['webhook-signature'].replace(/^v1,/, 'v2,') };
    expect(() => Qianbao.webhooks.verify(body, v2, secret, { now: sentAt })).toThrow(
      WebhookVerificationError,
    );
  });

  it('refuses a missing header, another id, a stale or future timestamp; a malformed secret is a TypeError', () => {
    const headers = signed();
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const without: Record<string, string> = { ...headers };
      delete without[name];
      expect(() => Qianbao.webhooks.verify(body, without, secret, { now: sentAt }), name).toThrow(
        WebhookVerificationError,
      );
    }
    expect(() =>
      Qianbao.webhooks.verify(body, { ...headers, 'webhook-id': 'msg_2' }, secret, { now: sentAt }),
    ).toThrow(/no signature/);
    const at = (seconds: number) => new Date(sentAt.getTime() + seconds * 1000);
    expect(() => Qianbao.webhooks.verify(body, headers, secret, { now: at(301) })).toThrow(/too old/);
    expect(() => Qianbao.webhooks.verify(body, headers, secret, { now: at(-301) })).toThrow(/future/);
    expect(Qianbao.webhooks.verify(body, headers, secret, { now: at(-300) }).id).toBe('evt_1');
    expect(Qianbao.webhooks.verify(body, headers, secret, { now: at(30), toleranceSeconds: 30 }).id).toBe(
      'evt_1',
    );
    expect(() =>
      Qianbao.webhooks.verify(body, headers, secret, { now: at(31), toleranceSeconds: 30 }),
    ).toThrow(WebhookVerificationError);
    expect(() =>
      Qianbao.webhooks.verify(body, { ...headers, 'webhook-timestamp': '17e8' }, secret, { now: sentAt }),
    ).toThrow(WebhookVerificationError);
    expect(() => Qianbao.webhooks.verify(body, headers, 'whsec_', { now: sentAt })).toThrow(TypeError);
  });
});
