/**
 * The demo shop's HTTP server, on `node:http` alone: one item, a Buy button that makes a hosted
 * checkout through the SDK, the order page the checkout sends the customer back to, and the
 * webhook receiver that verifies what Qianbao posts.
 *
 *   GET  /             the shop: the item, Buy, how the demo works
 *   POST /buy          checkouts.create → 303 to the hosted checkout
 *   GET  /orders/:id   the return page: orders.retrieve and the webhooks received for the order
 *   POST /webhooks     Qianbao's webhooks: verified on the raw body, kept in memory (the last 50)
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Qianbao, QianbaoError, WebhookVerificationError } from '@qianbao/sdk';
import type { OrderWithRefunds, WebhookEvent } from '@qianbao/sdk';
import { homePage, messagePage, orderPage } from './pages.ts';
import type { Item, PortalInfo, ShopView } from './pages.ts';

export const NOODLES: Item = {
  name: '牛肉面',
  english: 'Beef noodles',
  blurb: '手工拉面，牛骨清汤',
  blurbEnglish: 'hand-pulled noodles in a clear beef broth',
  price: { amount: '3800', currency: 'CNY' },
};

/** Webhooks kept in memory: the shop shows the latest; a real shop stores what it handled. */
export const MAX_WEBHOOKS = 50;
const MAX_ORDERS = 200;
const MAX_SEEN_IDS = 1000;
/** Qianbao's events are a few hundred bytes. */
const MAX_BODY_BYTES = 64 * 1024;
const ORDER_ID = /^[A-Za-z0-9_-]{1,25}$/;
const START_AT_HOME: [string, string] = ['请从商店首页开始。', 'Start from the shop’s home page.'];
/** The order page reloads this often while it waits for `payment.succeeded`. */
export const REFRESH_SECONDS = 2;
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** What the shop needs of Qianbao: a client with its key, and the endpoint's signing secret. */
export interface ShopConnection {
  /** The merchant's API key, `qbk_test_…` (or `qbk_live_…`). */
  apiKey: string;
  /** Where Qianbao is, e.g. `http://localhost:8080`. */
  qianbaoUrl: string;
  /** The webhook endpoint's signing secret, `whsec_…`. */
  webhookSecret: string;
  /** The shop's name as payers see it (the merchant's). */
  shopName: string;
  /** Where the merchant's side can be seen (sandbox: the demo owner's sign-in), or null. */
  portal?: PortalInfo | null;
}

export interface ReceivedWebhook {
  /** The `webhook-id` header: the same on every attempt and re-send of one delivery. */
  webhookId: string;
  event: WebhookEvent;
  receivedAt: Date;
  /** This webhook-id came before: a re-send or a retry, handled once already. */
  repeat: boolean;
}

export interface DemoShopOptions {
  item?: Item;
  /** The shop's clock (webhook timestamps are judged by it). */
  now?: () => Date;
}

export class DemoShop {
  readonly server: Server;
  /** Where people reach the shop, e.g. `http://localhost:8090`: links and the checkout's return address. */
  publicUrl = '';
  private connection: (ShopConnection & { qianbao: Qianbao; mode: 'test' | 'live' }) | null = null;
  private readonly webhooks: ReceivedWebhook[] = [];
  private readonly seenIds = new Set<string>();
  /** merchantOrderId → its checkout page and when it was made (this process's orders only). */
  private readonly orders = new Map<string, { checkoutUrl: string; at: Date }>();
  private readonly item: Item;
  private readonly now: () => Date;

  constructor(options: DemoShopOptions = {}) {
    this.item = options.item ?? NOODLES;
    this.now = options.now ?? (() => new Date());
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        // Never out of here: the shop may share its process with the wallet.
        if (!response.headersSent) {
          this.send(response, 500, this.message(['出错了', 'Something went wrong'], describe(error)));
        } else response.destroy();
      });
    });
  }

  /** Sell with this key and verify with this secret (until then, Buy answers 503). */
  connect(connection: ShopConnection): void {
    this.connection = {
      ...connection,
      qianbao: new Qianbao({ apiKey: connection.apiKey, baseUrl: connection.qianbaoUrl, timeoutMs: 15_000 }),
      mode: connection.apiKey.startsWith('qbk_live_') ? 'live' : 'test',
    };
  }

  /** Listen on `port` (0: any free one); answers the port. */
  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      const failed = (error: Error) => reject(error);
      this.server.once('error', failed);
      this.server.listen(port, host, () => {
        this.server.off('error', failed);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  /** The webhooks received, oldest first (at most MAX_WEBHOOKS). */
  received(): readonly ReceivedWebhook[] {
    return this.webhooks;
  }

  /** The webhooks received about one order. */
  webhooksOf(merchantOrderId: string): ReceivedWebhook[] {
    return this.webhooks.filter((received) => orderIdOf(received.event) === merchantOrderId);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://shop.invalid');
    const route = `${request.method} ${url.pathname}`;
    if (route === 'GET /') return this.home(response);
    if (route === 'POST /buy') {
      await readBody(request); // nothing in it: one item, one bowl
      return this.buy(response);
    }
    if (route === 'POST /webhooks') return this.receive(request, response);
    const order = /^\/orders\/([^/]+)$/.exec(url.pathname);
    if (request.method === 'GET' && order) {
      const status = url.searchParams.get('status');
      return this.order(
        response,
        decodeURIComponent(order[1]!),
        status === 'paid' || status === 'cancelled' ? status : null,
      );
    }
    if (route === 'GET /favicon.ico') return void response.writeHead(204).end();
    this.send(response, 404, this.message(['没有这个页面', 'No such page'], START_AT_HOME));
  }

  private home(response: ServerResponse): void {
    const orders = [...this.orders]
      .map(([merchantOrderId, { at }]) => ({ merchantOrderId, at }))
      .reverse()
      .slice(0, 5);
    this.send(
      response,
      200,
      homePage(this.view(), { orders, webhooks: [...this.webhooks].reverse().slice(0, 5) }),
    );
  }

  private async buy(response: ServerResponse): Promise<void> {
    const connection = this.connection;
    if (!connection) return this.notReady(response);
    const merchantOrderId = newOrderId(this.now());
    try {
      const checkout = await connection.qianbao.checkouts.create({
        merchantOrderId,
        amount: this.item.price,
        description: `${this.item.name} ${this.item.english}`,
        returnUrl: `${this.publicUrl}/orders/${merchantOrderId}`,
        expiresInMinutes: 30,
      });
      this.orders.set(merchantOrderId, { checkoutUrl: checkout.url, at: this.now() });
      if (this.orders.size > MAX_ORDERS) this.orders.delete(this.orders.keys().next().value!);
      response.writeHead(303, { location: checkout.url, 'cache-control': 'no-store' }).end();
    } catch (error) {
      this.send(
        response,
        502,
        this.message(['收银台没有打开', 'The checkout could not be made'], describe(error)),
      );
    }
  }

  private async order(
    response: ServerResponse,
    merchantOrderId: string,
    returned: 'paid' | 'cancelled' | null,
  ): Promise<void> {
    const connection = this.connection;
    if (!connection) return this.notReady(response);
    if (!ORDER_ID.test(merchantOrderId)) {
      return this.send(response, 404, this.message(['没有这个订单', 'No such order'], START_AT_HOME));
    }
    let order: OrderWithRefunds;
    try {
      order = await connection.qianbao.orders.retrieve(merchantOrderId);
    } catch (error) {
      if (error instanceof QianbaoError && error.code === 'ORDER_NOT_FOUND') {
        return this.send(response, 404, this.message(['没有这个订单', 'No such order'], START_AT_HOME));
      }
      return this.send(
        response,
        502,
        this.message(['查不到订单', 'The order query failed'], describe(error)),
      );
    }
    const webhooks = this.webhooksOf(merchantOrderId);
    const succeeded = webhooks.some((received) => received.event.type === 'payment.succeeded');
    // Until the shop has heard of the payment: a customer back from the checkout usually arrives
    // before the webhook does.
    const waiting = !succeeded && ['open', 'paying', 'paid'].includes(order.status);
    this.send(
      response,
      200,
      orderPage(this.view(), {
        order,
        webhooks,
        checkoutUrl: this.orders.get(merchantOrderId)?.checkoutUrl ?? null,
        returned,
        refreshSeconds: waiting ? REFRESH_SECONDS : null,
      }),
    );
  }

  /** A webhook: verified on the raw bytes, before any parsing; 204 kept, 400 refused (not kept). */
  private async receive(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    if (body === null) return void response.writeHead(413).end();
    const connection = this.connection;
    // Not set up yet: Qianbao tries again later.
    if (!connection) return void response.writeHead(503, { 'retry-after': '5' }).end();
    let event: WebhookEvent;
    try {
      event = Qianbao.webhooks.verify(body, request.headers, connection.webhookSecret, { now: this.now() });
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      return void response
        .writeHead(400, { 'content-type': 'text/plain; charset=utf-8' })
        .end(`${error.message}\n`);
    }
    const webhookId = String(request.headers['webhook-id']);
    // At least once: a webhook-id seen before is a repeat (a re-send, or a retry after a lost answer).
    const repeat = this.seenIds.has(webhookId);
    this.seenIds.add(webhookId);
    if (this.seenIds.size > MAX_SEEN_IDS) this.seenIds.delete(this.seenIds.values().next().value!);
    this.webhooks.push({ webhookId, event, receivedAt: this.now(), repeat });
    if (this.webhooks.length > MAX_WEBHOOKS) this.webhooks.shift();
    response.writeHead(204).end();
  }

  private notReady(response: ServerResponse): void {
    this.send(
      response,
      503,
      this.message(
        ['商店还在准备', 'The shop is getting ready'],
        ['几秒钟后再试。', 'Try again in a few seconds.'],
      ),
      { 'retry-after': '5' },
    );
  }

  private view(): ShopView {
    return {
      shopName: this.connection?.shopName ?? '演示商店',
      mode: this.connection?.mode ?? 'test',
      item: this.item,
      portal: this.connection?.portal ?? null,
    };
  }

  private message(title: [string, string], text: [string, string]): string {
    return messagePage(this.view(), title, text);
  }

  private send(
    response: ServerResponse,
    status: number,
    html: string,
    headers: Record<string, string> = {},
  ): void {
    response
      .writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS, ...headers })
      .end(html);
  }
}

/** `DEMO-261207-1a2b3c4d`: the day (Asia/Shanghai) and 8 random hex characters; 20 characters. */
export function newOrderId(now: Date): string {
  const day = now
    .toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' }) // 2026-12-07
    .slice(2)
    .replaceAll('-', '');
  return `DEMO-${day}-${randomBytes(4).toString('hex')}`;
}

function orderIdOf(event: WebhookEvent): string | null {
  const data = event.data as { merchantOrderId?: unknown };
  return typeof data.merchantOrderId === 'string' ? data.merchantOrderId : null;
}

/** The request's body, or null past MAX_BODY_BYTES. */
async function readBody(request: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** An error as the pages show it: Qianbao's code and message, or what went wrong. */
function describe(error: unknown): [string, string] {
  if (error instanceof QianbaoError) {
    const text = `${error.code}: ${error.message}${error.requestId ? ` (request ${error.requestId})` : ''}`;
    return [`钱包答复 ${text}`, `Qianbao answered ${text}`];
  }
  const text = error instanceof Error ? error.message : String(error);
  return [text, text];
}
