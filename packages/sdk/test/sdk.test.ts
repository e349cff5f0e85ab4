/**
 * The public API through the SDK, against a real listening server (issue 14): a shop's server
 * with an API key makes orders and a hosted checkout, a payer pays, it lists them page by page,
 * refunds, charges a payment code at the till, settles, downloads statements, reads and re-sends
 * webhook deliveries and verifies them on its own receiver — and the SDK's promises hold on the
 * wire: an answer lost on the way back is retried with the same `Idempotency-Key` and replayed, a
 * dropped connection is retried, 429 waits `Retry-After`, other 4xx are not retried and arrive as
 * `QianbaoError`s with the server's code, a tampered or stale webhook is refused.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { connect, createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Server as TcpServer, Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { paymentCodeAt, paymentCodeStep } from '@qianbao/qr';
import { createTestApp } from '../../../apps/server/src/testing.ts';
import type { TestApp } from '../../../apps/server/src/testing.ts';
import type { App } from '../../../apps/server/src/app.ts';
import { sandboxCardNumber } from '../../../apps/server/src/adapters/bank/testing.ts';
import type { TestHolder } from '../../../apps/server/src/modules/identity/testing.ts';
import { shopOf, verifiedHolder } from '../../../apps/server/src/modules/merchants/testing.ts';
import type { TestShop } from '../../../apps/server/src/modules/merchants/testing.ts';
import { createSecurityTestApp } from '../../../apps/server/src/modules/security/testing.ts';
import type { SecurityTestApp } from '../../../apps/server/src/modules/security/testing.ts';
import {
  PIN,
  expectBooksBalanced,
  fund,
  setPasswordFree,
} from '../../../apps/server/src/modules/transfers/testing.ts';
import {
  API_VERSION,
  Qianbao,
  QianbaoConnectionError,
  QianbaoError,
  WebhookVerificationError,
} from '../src/index.ts';
import type { FetchLike, QianbaoOptions, WebhookDelivery, WebhookEvent } from '../src/index.ts';

const cny = (amount: string) => ({ amount, currency: 'CNY' }) as const;

/** A shop's webhook receiver: verifies each delivery with the SDK, 204 if it verifies, 400 if not. */
class ShopReceiver {
  readonly received: {
    headers: IncomingHttpHeaders;
    body: string;
    status: number;
    event: WebhookEvent | null;
  }[] = [];
  secret = '';
  /** The receiver's clock: the server's (the test moves it past SMS waits), as a shop's would be. */
  now: () => Date = () => new Date();
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let event: WebhookEvent | null = null;
        try {
          event = Qianbao.webhooks.verify(body, request.headers, this.secret, { now: this.now() });
        } catch (error) {
          if (!(error instanceof WebhookVerificationError)) throw error;
        }
        const status = event ? 204 : 400;
        this.received.push({ headers: request.headers, body, status, event });
        response.writeHead(status).end();
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
/** A second server on the same database allowing each key 1 request per 2 seconds. */
let limited: TestApp;
let baseUrl: string;
let limitedUrl: string;
const receiver = new ShopReceiver();

async function listen(app: App): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  subject = await createSecurityTestApp({ BANK_SANDBOX_LATENCY_MS: '0', SESSION_IDLE_SECONDS: '2592000' });
  limited = await createTestApp({
    database: subject.database,
    now: subject.clock.now,
    env: { API_KEY_RATE_LIMIT: '1', API_KEY_RATE_WINDOW_SECONDS: '2' },
  });
  baseUrl = await listen(subject.app);
  limitedUrl = await listen(limited.app);
  receiver.now = subject.clock.now;
  await receiver.start();
});
afterAll(async () => {
  await receiver.stop();
  await limited?.close();
  await subject?.close();
});
afterEach(async () => expectBooksBalanced(subject));

// ---- the shop's side: its key, its client, what went over the wire --------------------------

async function apiKey(shop: TestShop, scopes: string[]): Promise<{ id: string; secret: string }> {
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant/api-keys',
    headers: shop.owner.headers,
    payload: { name: 'shop backend', scopes },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string; secret: string }>();
}

interface Exchange {
  method: string;
  path: string;
  requestHeaders: Record<string, string>;
  startedAt: number;
  status: number | null;
  responseHeaders: Headers | null;
}

/** A fetch that records every attempt (and can fail the first `failFirst` before they leave). */
function recorder(options: { failFirst?: number } = {}) {
  const exchanges: Exchange[] = [];
  const fetch: FetchLike = async (url, init) => {
    const exchange: Exchange = {
      method: init.method ?? 'GET',
      path: new URL(url).pathname + new URL(url).search,
      requestHeaders: { ...(init.headers as Record<string, string>) },
      startedAt: Date.now(),
      status: null,
      responseHeaders: null,
    };
    exchanges.push(exchange);
    if (exchanges.length <= (options.failFirst ?? 0)) {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      });
    }
    const response = await globalThis.fetch(url, init);
    exchange.status = response.status;
    exchange.responseHeaders = response.headers;
    return response;
  };
  return { fetch, exchanges };
}

function sdk(secret: string, options: Partial<QianbaoOptions> = {}): Qianbao {
  return new Qianbao({ apiKey: secret, baseUrl, ...options });
}

async function thrown(promise: Promise<unknown>): Promise<QianbaoError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(QianbaoError);
  return error as QianbaoError;
}

/**
 * A TCP proxy to the server that, for its first `dropFirst` connections, lets the request through
 * and cuts the connection as the answer starts to come back: the server did the work, the client
 * never hears of it.
 */
async function lossyProxy(
  dropFirst: number,
): Promise<{ url: string; dropped: () => number; close(): Promise<void> }> {
  const target = new URL(baseUrl);
  let connections = 0;
  let dropped = 0;
  const sockets = new Set<Socket>();
  const server: TcpServer = createTcpServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream);
    if (connections++ < dropFirst) {
      upstream.once('data', () => {
        dropped++;
        client.destroy();
        upstream.destroy();
      });
    } else {
      upstream.pipe(client);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    dropped: () => dropped,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // The client's kept-alive connection would hold the proxy open.
        for (const socket of sockets) socket.destroy();
      }),
  };
}

// ---- the payer's side (the wallet's own API, not the SDK's) --------------------------------

async function payer(): Promise<TestHolder> {
  const holder = await verifiedHolder(subject, '张伟');
  await fund(subject, holder, 10_000_00n);
  return holder;
}

/** The payer scans an order's code and pays it with the PIN. */
async function pay(holder: TestHolder, payload: string): Promise<void> {
  const created = await subject.app.inject({
    method: 'POST',
    url: '/v1/payments',
    headers: holder.headers,
    payload: { kind: 'merchant_order', qr: payload },
  });
  expect(created.statusCode, created.body).toBe(201);
  const confirmed = await subject.app.inject({
    method: 'POST',
    url: `/v1/payments/${created.json<{ id: string }>().id}/confirm`,
    headers: { ...holder.headers, 'idempotency-key': crypto.randomUUID() },
    payload: { confirmation: { pin: PIN } },
  });
  expect(confirmed.statusCode, confirmed.body).toBe(200);
}

/** The code the payer's app shows now: its device's secret, issued after the PIN. */
async function paymentCodeOf(holder: TestHolder): Promise<string> {
  const issued = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/payment-code',
    headers: holder.headers,
    payload: { confirmation: { pin: PIN } },
  });
  expect(issued.statusCode, issued.body).toBe(201);
  const body = issued.json<{ secret: string; deviceIndex: number; stepSeconds: number }>();
  return paymentCodeAt({
    secret: new Uint8Array(Buffer.from(body.secret, 'base64url')),
    deviceIndex: body.deviceIndex,
    step: paymentCodeStep(subject.clock.now().getTime(), body.stepSeconds),
  });
}

/** The owner binds a sandbox debit card (its SMS code read from the sandbox bank) and names it for settlements. */
async function settlementCard(owner: TestHolder): Promise<string> {
  const number = sandboxCardNumber();
  const started = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/cards/verification',
    headers: owner.headers,
    payload: { cardNumber: number, phone: owner.phone },
  });
  expect(started.statusCode, started.body).toBe(200);
  const sms = await subject.app.inject({
    method: 'GET',
    url: `/dev/bank/sms.json?cardLast4=${number.slice(-4)}&limit=1`,
  });
  const bound = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/cards',
    headers: owner.headers,
    payload: {
      verificationId: started.json<{ verificationId: string }>().verificationId,
      smsCode: sms.json<{ codes: { code: string }[] }>().codes[0]!.code,
    },
  });
  expect(bound.statusCode, bound.body).toBe(201);
  const cardId = bound.json<{ id: string }>().id;
  const named = await subject.app.inject({
    method: 'PUT',
    url: '/v1/me/merchant/settlement-card',
    headers: owner.headers,
    payload: { cardId },
  });
  expect(named.statusCode, named.body).toBe(200);
  return number.slice(-4);
}

/** Today in Asia/Shanghai by the server's clock: the statement day of what the test just did. */
function shanghaiToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(subject.clock.now());
}

const number = (prefix: string) => `${prefix}${crypto.randomUUID().slice(0, 8)}`;

// ---- the API through the SDK ----------------------------------------------------------------

describe('orders, refunds and checkouts', () => {
  it('makes orders, a payer pays one, lists them page by page, refunds it once, closes another', async () => {
    const shop = await shopOf(subject);
    const { secret } = await apiKey(shop, ['payments:write', 'refunds:write']);
    const wire = recorder();
    const qianbao = sdk(secret, { fetch: wire.fetch });

    const numbers = [number('A-'), number('B-'), number('C-')];
    const made = [];
    for (const merchantOrderId of numbers) {
      made.push(await qianbao.orders.create({ merchantOrderId, amount: cny('3800'), description: '牛肉面' }));
    }
    expect(made[0]).toMatchObject({ merchantOrderId: numbers[0], status: 'open', amount: cny('3800') });
    expect(typeof made[0]!.amount.amount).toBe('string');
    expect(made[0]!.payload).toMatch(/^000201/);
    // Every request names the API version; every POST carries its own idempotency key.
    expect(
      wire.exchanges.every((exchange) => exchange.requestHeaders['qianbao-version'] === API_VERSION),
    ).toBe(true);
    const keys = wire.exchanges.map((exchange) => exchange.requestHeaders['idempotency-key']);
    expect(new Set(keys).size).toBe(3);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f-]{36}$/);
    // The same order number and amount again is the same order.
    expect(
      (
        await qianbao.orders.create({
          merchantOrderId: numbers[0]!,
          amount: cny('3800'),
          description: '牛肉面',
        })
      ).id,
    ).toBe(made[0]!.id);

    const holder = await payer();
    await pay(holder, made[0]!.payload);
    const paid = await qianbao.orders.retrieve(numbers[0]!);
    expect(paid).toMatchObject({ status: 'paid', amount: cny('3800'), refunds: [] });
    expect(paid.paidAt).not.toBeNull();

    // Page by page: two requests of two, newest first, the cursor carried by listAll.
    const firstPage = await qianbao.orders.list({ limit: 2 });
    expect(firstPage.orders.map((order) => order.merchantOrderId)).toEqual([numbers[2], numbers[1]]);
    expect(firstPage.nextCursor).not.toBeNull();
    wire.exchanges.length = 0;
    const all = [];
    for await (const order of qianbao.orders.listAll({ limit: 2 })) all.push(order.merchantOrderId);
    expect(all).toEqual([numbers[2], numbers[1], numbers[0]]);
    expect(wire.exchanges.map((exchange) => exchange.path)).toEqual([
      '/v1/me/merchant/orders?limit=2',
      `/v1/me/merchant/orders?limit=2&cursor=${encodeURIComponent(firstPage.nextCursor!)}`,
    ]);
    const paidOnly = [];
    for await (const order of qianbao.orders.listAll({ status: 'paid' }))
      paidOnly.push(order.merchantOrderId);
    expect(paidOnly).toEqual([numbers[0]]);

    // A refund in part; its number again is the same refund (a new idempotency key or not).
    const refund = await qianbao.refunds.create(numbers[0]!, {
      merchantRefundId: 'R-1',
      amount: cny('800'),
      reason: '少了一个蛋',
    });
    expect(refund).toMatchObject({ merchantRefundId: 'R-1', status: 'succeeded', amount: cny('800') });
    const again = await qianbao.refunds.create(numbers[0]!, {
      merchantRefundId: 'R-1',
      amount: cny('800'),
      reason: '少了一个蛋',
    });
    expect(again.id).toBe(refund.id);
    expect(await qianbao.refunds.retrieve(numbers[0]!, 'R-1')).toMatchObject({
      id: refund.id,
      status: 'succeeded',
    });
    const tooMuch = await thrown(
      qianbao.refunds.create(numbers[0]!, { merchantRefundId: 'R-2', amount: cny('3001') }),
    );
    expect(tooMuch).toMatchObject({
      status: 409,
      code: 'REFUND_EXCEEDS_PAID',
      details: { remaining: cny('3000') },
    });
    expect((await qianbao.orders.retrieve(numbers[0]!)).refunded).toEqual(cny('800'));

    // Closing an unpaid order, twice, answers it closed; a paid one cannot be closed.
    expect((await qianbao.orders.close(numbers[2]!)).status).toBe('closed');
    expect((await qianbao.orders.close(numbers[2]!)).status).toBe('closed');
    const notClosable = await thrown(qianbao.orders.close(numbers[0]!));
    expect(notClosable).toMatchObject({
      status: 409,
      code: 'ORDER_NOT_CLOSABLE',
      details: { status: 'paid' },
    });
    expect(notClosable.requestId).toMatch(/.+/);
  });

  it('makes a hosted checkout, queried as any order', async () => {
    const shop = await shopOf(subject);
    const { secret } = await apiKey(shop, ['payments:write']);
    const qianbao = sdk(secret);
    const merchantOrderId = number('K-');
    const checkout = await qianbao.checkouts.create({
      merchantOrderId,
      amount: cny('1999'),
      description: '礼盒',
      returnUrl: 'https://shop.example.com/back',
    });
    expect(checkout).toMatchObject({
      returnUrl: 'https://shop.example.com/back',
      order: { merchantOrderId, status: 'open', amount: cny('1999') },
    });
    expect(checkout.url).toMatch(/^https?:\/\//);
    expect(await qianbao.orders.retrieve(merchantOrderId)).toMatchObject({ id: checkout.order.id });
  });
});

describe('idempotency and retries', () => {
  it('a till charge whose answer is lost is retried with the same key and replayed: the payer pays once', async () => {
    const shop = await shopOf(subject);
    const { secret } = await apiKey(shop, ['payments:write']);
    const holder = await payer();
    await setPasswordFree(subject, holder, 200_00n);
    const proxy = await lossyProxy(1);
    const wire = recorder();
    try {
      const qianbao = sdk(secret, { baseUrl: proxy.url, fetch: wire.fetch });
      const merchantOrderId = number('T-');
      const charge = await qianbao.charges.create({
        paymentCode: await paymentCodeOf(holder),
        amount: cny('1500'),
        merchantOrderId,
        description: '豆浆油条',
      });
      expect(proxy.dropped()).toBe(1);
      expect(charge).toMatchObject({ status: 'succeeded', amount: cny('1500'), order: { status: 'paid' } });
      // Two attempts with one key; the server ran the first and replayed it to the second.
      expect(wire.exchanges).toHaveLength(2);
      const [lost, retried] = wire.exchanges;
      expect(lost!.status).toBeNull();
      expect(retried!.requestHeaders['idempotency-key']).toBe(lost!.requestHeaders['idempotency-key']);
      expect(retried!.responseHeaders!.get('idempotency-replayed')).toBe('true');
      expect(await qianbao.charges.retrieve(charge.id)).toMatchObject({ id: charge.id, status: 'succeeded' });
      expect(await qianbao.charges.ofOrder(merchantOrderId)).toMatchObject({ id: charge.id });
      const balance = await subject.app.inject({
        method: 'GET',
        url: '/v1/me/balance',
        headers: holder.headers,
      });
      expect(balance.json<{ balance: { amount: string } }>().balance.amount).toBe(String(10_000_00 - 1500));
    } finally {
      await proxy.close();
    }
  });

  it('the caller’s own key: the same request again is replayed, another body with it refused and not retried', async () => {
    const shop = await shopOf(subject);
    const { secret } = await apiKey(shop, ['payments:write']);
    const holder = await payer();
    await setPasswordFree(subject, holder, 200_00n);
    const wire = recorder();
    const qianbao = sdk(secret, { fetch: wire.fetch });
    const body = {
      paymentCode: await paymentCodeOf(holder),
      amount: cny('900'),
      merchantOrderId: number('T-'),
    };
    const idempotencyKey = `till-7-${crypto.randomUUID()}`;
    const first = await qianbao.charges.create(body, { idempotencyKey });
    const second = await qianbao.charges.create(body, { idempotencyKey });
    expect(second).toEqual(first);
    expect(wire.exchanges.map((exchange) => exchange.responseHeaders!.get('idempotency-replayed'))).toEqual([
      null,
      'true',
    ]);
    wire.exchanges.length = 0;
    const reused = await thrown(qianbao.charges.create({ ...body, amount: cny('901') }, { idempotencyKey }));
    expect(reused).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(wire.exchanges).toHaveLength(1);
  });

  it('a connection that fails before the request leaves is retried; without retries the failure is thrown', async () => {
    const shop = await shopOf(subject);
    const { secret } = await apiKey(shop, ['payments:write']);
    const merchantOrderId = number('N-');
    await sdk(secret).orders.create({ merchantOrderId, amount: cny('100') });

    const flaky = recorder({ failFirst: 1 });
    expect((await sdk(secret, { fetch: flaky.fetch }).orders.retrieve(merchantOrderId)).merchantOrderId).toBe(
      merchantOrderId,
    );
    expect(flaky.exchanges.map((exchange) => exchange.status)).toEqual([null, 200]);

    const once = recorder({ failFirst: 1 });
    const failed = await thrown(
      sdk(secret, { fetch: once.fetch, maxRetries: 0 }).orders.retrieve(merchantOrderId),
    );
    expect(failed).toBeInstanceOf(QianbaoConnectionError);
    expect(failed).toMatchObject({ status: 0, code: 'CONNECTION_FAILED' });
    expect(once.exchanges).toHaveLength(1);

    // Nobody listening: every attempt fails, then the error.
    const closed = createTcpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const nowhere = recorder();
    const refused = await thrown(
      sdk(secret, { baseUrl: `http://127.0.0.1:${port}`, fetch: nowhere.fetch, maxRetries: 1 }).orders.list(),
    );
    expect(refused).toMatchObject({ status: 0, code: 'CONNECTION_FAILED' });
    expect(nowhere.exchanges).toHaveLength(2);
  });

  it('429: waits Retry-After and succeeds; with no retries (or a wait too long) the error is thrown', async () => {
    const shop = await shopOf(subject);
    const { secret } = await apiKey(shop, ['read_only']);
    const wire = recorder();
    const patient = new Qianbao({ apiKey: secret, baseUrl: limitedUrl, fetch: wire.fetch });
    // One request per window of 2 s: of three in a row at least one meets the limit and waits.
    for (let i = 0; i < 3; i++) expect((await patient.orders.list()).orders).toEqual([]);
    const statuses = wire.exchanges.map((exchange) => exchange.status);
    expect(statuses).toContain(429);
    expect(statuses.at(-1)).toBe(200);
    for (const [index, exchange] of wire.exchanges.entries()) {
      if (exchange.status !== 429) continue;
      const retryAfter = Number(exchange.responseHeaders!.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      const next = wire.exchanges[index + 1]!;
      expect(next.startedAt - exchange.startedAt).toBeGreaterThanOrEqual(retryAfter * 1000 - 50);
    }

    for (const options of [{ maxRetries: 0 }, { maxRetryAfterSeconds: 0 }]) {
      const hurried = recorder();
      const client = new Qianbao({ apiKey: secret, baseUrl: limitedUrl, fetch: hurried.fetch, ...options });
      let error: QianbaoError | null = null;
      for (let i = 0; i < 3 && !error; i++) {
        error = await client.orders.list().then(
          () => null,
          (caught: unknown) => caught as QianbaoError,
        );
      }
      expect(error, JSON.stringify(options)).toBeInstanceOf(QianbaoError);
      expect(error).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      expect(error!.retryAfterSeconds).toBeGreaterThan(0);
      expect(hurried.exchanges.filter((exchange) => exchange.status === 429)).toHaveLength(1);
    }
  });
});

describe('keys', () => {
  it('a read-only key reads but cannot refund (403, not retried); a revoked key is 401 API_KEY_INVALID', async () => {
    const shop = await shopOf(subject);
    const writer = await apiKey(shop, ['payments:write']);
    const reader = await apiKey(shop, ['read_only']);
    const merchantOrderId = number('R-');
    await sdk(writer.secret).orders.create({ merchantOrderId, amount: cny('500') });
    const wire = recorder();
    const readOnly = sdk(reader.secret, { fetch: wire.fetch });
    expect((await readOnly.orders.retrieve(merchantOrderId)).merchantOrderId).toBe(merchantOrderId);
    wire.exchanges.length = 0;
    const forbidden = await thrown(
      readOnly.refunds.create(merchantOrderId, { merchantRefundId: 'R-1', amount: cny('500') }),
    );
    expect(forbidden).toMatchObject({ name: 'QianbaoError', status: 403, code: 'FORBIDDEN' });
    expect(forbidden.requestId).toBe(wire.exchanges[0]!.responseHeaders!.get('x-request-id'));
    expect(wire.exchanges).toHaveLength(1);

    const revoked = await subject.app.inject({
      method: 'DELETE',
      url: `/v1/me/merchant/api-keys/${writer.id}`,
      headers: shop.owner.headers,
    });
    expect(revoked.statusCode, revoked.body).toBe(200);
    const refused = await thrown(sdk(writer.secret).orders.retrieve(merchantOrderId));
    expect(refused).toMatchObject({ status: 401, code: 'API_KEY_INVALID' });
    expect(refused.message).not.toBe('');
  });
});

describe('settlements and statements', () => {
  it('settles part of the balance, lists and reads settlements, downloads the day’s statement in three formats', async () => {
    const shop = await shopOf(subject);
    const cardLast4 = await settlementCard(shop.owner);
    const { secret } = await apiKey(shop, ['payments:write', 'payouts:write', 'read_only']);
    const qianbao = sdk(secret);
    const order = await qianbao.orders.create({ merchantOrderId: number('S-'), amount: cny('10000') });
    await pay(await payer(), order.payload);

    const settled = [];
    for (const amount of ['1000', '2000']) {
      const settlement = await qianbao.settlements.create({ amount: cny(amount) });
      expect(settlement).toMatchObject({ amount: cny(amount) });
      expect(['succeeded', 'processing']).toContain(settlement.status);
      await expect
        .poll(async () => (await qianbao.settlements.retrieve(settlement.id)).status, { timeout: 10_000 })
        .toBe('succeeded');
      settled.push(settlement.id);
    }
    expect((await qianbao.settlements.list({ limit: 1 })).settlements.map((s) => s.id)).toEqual([settled[1]]);
    const all = [];
    for await (const settlement of qianbao.settlements.listAll({ limit: 1 })) all.push(settlement.id);
    expect(all).toEqual([settled[1], settled[0]]);
    expect(await qianbao.settlements.create()).toMatchObject({ status: expect.any(String) as string });
    await expect
      .poll(
        async () => (await qianbao.settlements.list()).settlements.every((s) => s.status !== 'processing'),
        { timeout: 10_000 },
      )
      .toBe(true);
    expect(JSON.stringify(await qianbao.settlements.list())).toContain(cardLast4);

    const today = shanghaiToday();
    const statement = (await qianbao.statements.download(today)) as { date: string };
    expect(statement.date).toBe(today);
    const csv = await qianbao.statements.download(today, { format: 'csv' });
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toContain(order.merchantOrderId);
    const pdf = await qianbao.statements.download(today, { format: 'pdf' });
    expect(new TextDecoder().decode(pdf.subarray(0, 5))).toBe('%PDF-');
    const invalid = await thrown(qianbao.statements.download('2001-01-01'));
    expect(invalid).toMatchObject({ status: 400, code: 'STATEMENT_DATE_INVALID' });
  });
});

describe('webhooks', () => {
  it('a delivery reaches the shop’s receiver, verified there by the SDK; read and re-sent through the SDK', async () => {
    const shop = await shopOf(subject);
    const registered = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/merchant/webhook-endpoints',
      headers: shop.owner.headers,
      payload: { url: receiver.url, events: ['payment.succeeded', 'refund.succeeded'] },
    });
    expect(registered.statusCode, registered.body).toBe(201);
    const endpoint = registered.json<{ id: string; secret: string }>();
    receiver.secret = endpoint.secret;
    receiver.received.length = 0;

    const { secret } = await apiKey(shop, ['payments:write', 'refunds:write']);
    const qianbao = sdk(secret);
    const order = await qianbao.orders.create({ merchantOrderId: number('W-'), amount: cny('3800') });
    await pay(await payer(), order.payload);
    await qianbao.refunds.create(order.merchantOrderId, { merchantRefundId: 'WR-1', amount: cny('1000') });
    // The events are handed to the webhook subscriber (the job queue's work, done here at once).
    await subject.app.outbox.deliverPending();

    const deliveries: WebhookDelivery[] = [];
    for await (const delivery of qianbao.webhookDeliveries.listAll(endpoint.id, { limit: 1 })) {
      deliveries.push(delivery);
    }
    expect(deliveries.map((delivery) => delivery.eventType).sort()).toEqual([
      'payment.succeeded',
      'refund.succeeded',
    ]);
    const byType = (type: string) => deliveries.find((delivery) => delivery.eventType === type)!;
    for (const delivery of [byType('payment.succeeded'), byType('refund.succeeded')]) {
      const resent = await qianbao.webhookDeliveries.resend(delivery.id);
      expect(resent).toMatchObject({ id: delivery.id, status: 'succeeded', lastStatusCode: 204 });
    }
    expect(receiver.received.map((arrived) => arrived.status)).toEqual([204, 204]);
    const [payment, refund] = receiver.received.map((arrived) => arrived.event!);
    if (payment!.type !== 'payment.succeeded' || refund!.type !== 'refund.succeeded') {
      throw new Error(`unexpected events ${payment!.type}, ${refund!.type}`);
    }
    // The event types describe the bodies exactly.
    expect(payment!.data).toEqual({
      merchantOrderId: order.merchantOrderId,
      orderId: order.id,
      amount: cny('3800'),
      status: 'paid',
    });
    expect(refund!.data).toEqual({
      merchantOrderId: order.merchantOrderId,
      orderId: order.id,
      merchantRefundId: 'WR-1',
      refundId: expect.any(String) as string,
      amount: cny('1000'),
      status: 'succeeded',
    });
    const read = await qianbao.webhookDeliveries.retrieve(byType('payment.succeeded').id);
    expect(read.attempts.map((attempt) => [attempt.trigger, attempt.statusCode])).toEqual([['resend', 204]]);

    // The receiver refuses a tampered copy and one replayed after the tolerance.
    const arrived = receiver.received[0]!;
    const headers = {
      'webhook-id': String(arrived.headers['webhook-id']),
      'webhook-timestamp': String(arrived.headers['webhook-timestamp']),
      'webhook-signature': String(arrived.headers['webhook-signature']),
    };
    const now = subject.clock.now();
    expect(Qianbao.webhooks.verify(arrived.body, new Headers(headers), endpoint.secret, { now })).toEqual(
      JSON.parse(arrived.body),
    );
    const tampered = arrived.body.replace('"3800"', '"380000"');
    expect(tampered).not.toBe(arrived.body);
    expect(() => Qianbao.webhooks.verify(tampered, headers, endpoint.secret, { now })).toThrow(
      WebhookVerificationError,
    );
    const later = (seconds: number) => new Date(Number(headers['webhook-timestamp']) * 1000 + seconds * 1000);
    expect(Qianbao.webhooks.verify(arrived.body, headers, endpoint.secret, { now: later(299) }).id).toBe(
      payment!.id,
    );
    expect(() =>
      Qianbao.webhooks.verify(arrived.body, headers, endpoint.secret, { now: later(301) }),
    ).toThrow(/too old/);
    expect(() =>
      Qianbao.webhooks.verify(arrived.body, headers, endpoint.secret, {
        now: later(601),
        toleranceSeconds: 600,
      }),
    ).toThrow(WebhookVerificationError);
    const otherSecret = `whsec_${Buffer.alloc(24, 1).toString('base64')}`;
    expect(() => Qianbao.webhooks.verify(arrived.body, headers, otherSecret, { now })).toThrow(
      WebhookVerificationError,
    );
    // The receiver, shown the tampered body, answers 400 as a shop's should.
    const posted = await fetch(receiver.url, { method: 'POST', headers, body: tampered });
    expect(posted.status).toBe(400);
  });
});
