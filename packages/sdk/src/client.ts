/**
 * The Qianbao client: the merchant API an API key may call, one method per operation (the table
 * in operations.ts), with the types of the generated OpenAPI document.
 *
 *   const qianbao = new Qianbao({ apiKey: process.env.QIANBAO_KEY!, baseUrl: 'https://…' });
 *   const order = await qianbao.orders.create({ merchantOrderId: 'A-1001', amount: { amount: '3800', currency: 'CNY' } });
 *   for await (const paid of qianbao.orders.listAll({ status: 'paid' })) …
 *
 * Money stays as the API sends it: `{ amount: "<integer minor units>", currency: "CNY" }`, the
 * amount a string (never a JavaScript number).
 */
import { OPERATIONS } from './operations.ts';
import type { BodyOf, OperationName, QueryOf, ResultOf } from './operations.ts';
import {
  API_VERSION,
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_RETRY_AFTER_SECONDS,
  DEFAULT_TIMEOUT_MS,
  Transport,
} from './http.ts';
import type { Call, FetchLike, PostOptions, RequestOptions } from './http.ts';
import { verifyWebhook } from './webhooks.ts';

export interface QianbaoOptions {
  /** The merchant's API key, `qbk_live_<id>_<secret>`: keep it on the server. */
  apiKey: string;
  /** Where the Qianbao server is, e.g. `https://wallet.example.com` (no trailing path). */
  baseUrl: string;
  /** Another fetch (a proxy's, a test's); default the global one. */
  fetch?: FetchLike;
  /** Retries of a failed attempt that is safe to retry (default 2, at most 10). */
  maxRetries?: number;
  /** Each attempt's timeout (default 30 s). */
  timeoutMs?: number;
  /** The `Qianbao-Version` to ask for (default `API_VERSION`, the one this SDK was written for). */
  apiVersion?: string;
  /** A 429 or 503 asking to wait longer than this is not retried but thrown (default 60). */
  maxRetryAfterSeconds?: number;
  /**
   * A partner's client: the id of the merchant that granted it access, sent as `Qianbao-Merchant`
   * on every call (docs/developers.md "Partners"). Omitted: the key acts for its own merchant.
   */
  merchant?: string;
}

/** The SDK's name for each result, drawn from the generated types. */
export type OrderWithCode = ResultOf<'orders.create'>;
export type OrderPage = ResultOf<'orders.list'>;
export type Order = OrderPage['orders'][number];
export type OrderWithRefunds = ResultOf<'orders.retrieve'>;
export type Refund = ResultOf<'refunds.retrieve'>;
export type Charge = ResultOf<'charges.retrieve'>;
export type Checkout = ResultOf<'checkouts.create'>;
export type Settlement = ResultOf<'settlements.retrieve'>;
export type SettlementPage = ResultOf<'settlements.list'>;
export type WebhookDeliveryPage = ResultOf<'webhookDeliveries.list'>;
export type WebhookDelivery = WebhookDeliveryPage['deliveries'][number];
export type WebhookDeliveryWithAttempts = ResultOf<'webhookDeliveries.retrieve'>;
export type Money = Order['amount'];

export type CreateOrderParams = BodyOf<'orders.create'>;
export type ListOrdersParams = QueryOf<'orders.list'>;
export type CreateRefundParams = BodyOf<'refunds.create'>;
export type CreateChargeParams = BodyOf<'charges.create'>;
export type CreateCheckoutParams = BodyOf<'checkouts.create'>;
export type CreateSettlementParams = BodyOf<'settlements.create'>;
export type ListSettlementsParams = QueryOf<'settlements.list'>;
export type StatementFormat = NonNullable<QueryOf<'statements.download'>['format']>;
export type ListWebhookDeliveriesParams = QueryOf<'webhookDeliveries.list'>;

/** At most this many pages per `listAll` (100 items a page): a loop over a broken cursor ends. */
const MAX_PAGES = 10_000;
const PAGE_SIZE = 100;

abstract class Resource {
  constructor(private readonly transport: Transport) {}

  protected call<N extends OperationName, T = ResultOf<N>>(
    name: N,
    call: Omit<Call, 'operation'> = {},
  ): Promise<T> {
    return this.transport.send<T>({ operation: OPERATIONS[name], ...call });
  }
}

/** Pages of a cursor: `page(cursor)` answers the items and the next cursor (null: the last page). */
async function* pages<Item>(
  page: (cursor: string | undefined) => Promise<{ items: Item[]; next: string | null }>,
): AsyncGenerator<Item, void, undefined> {
  let cursor: string | undefined;
  for (let count = 0; count < MAX_PAGES; count++) {
    const { items, next } = await page(cursor);
    yield* items;
    if (next === null || items.length === 0) return;
    cursor = next;
  }
  throw new Error(`listAll: more than ${MAX_PAGES} pages; narrow the query`);
}

export class Orders extends Resource {
  /** Make an order and its dynamic code. The same number, amount and description answer the same order. */
  create(params: CreateOrderParams, options?: PostOptions): Promise<OrderWithCode> {
    return this.call('orders.create', { body: params, options });
  }

  /** One page of orders, newest first; `nextCursor` is the next page's `cursor` (null: no more). */
  list(params: ListOrdersParams = {}, options?: RequestOptions): Promise<OrderPage> {
    return this.call('orders.list', { query: params, options });
  }

  /** Every order matching `params`, newest first, page after page as the iteration goes. */
  listAll(params: Omit<ListOrdersParams, 'cursor'> = {}, options?: RequestOptions): AsyncGenerator<Order> {
    return pages(async (cursor) => {
      const page = await this.list({ limit: PAGE_SIZE, ...params, ...(cursor ? { cursor } : {}) }, options);
      return { items: page.orders, next: page.nextCursor };
    });
  }

  /** The order query, by the merchant's own order number, with its refunds. */
  retrieve(merchantOrderId: string, options?: RequestOptions): Promise<OrderWithRefunds> {
    return this.call('orders.retrieve', { pathParams: { merchantOrderId }, options });
  }

  /** Close an unpaid order (closing a closed one answers it again). */
  close(merchantOrderId: string, options?: PostOptions): Promise<ResultOf<'orders.close'>> {
    return this.call('orders.close', { pathParams: { merchantOrderId }, options });
  }
}

export class Refunds extends Resource {
  /** Refund a paid order; the same `merchantRefundId` again answers the same refund. */
  create(merchantOrderId: string, params: CreateRefundParams, options?: PostOptions): Promise<Refund> {
    return this.call('refunds.create', { pathParams: { merchantOrderId }, body: params, options });
  }

  retrieve(merchantOrderId: string, merchantRefundId: string, options?: RequestOptions): Promise<Refund> {
    return this.call('refunds.retrieve', { pathParams: { merchantOrderId, merchantRefundId }, options });
  }
}

export class Charges extends Resource {
  /** Charge a payer's payment code scanned at the till (`status` succeeded, or awaiting the payer). */
  create(params: CreateChargeParams, options?: PostOptions): Promise<Charge> {
    return this.call('charges.create', { body: params, options });
  }

  retrieve(id: string, options?: RequestOptions): Promise<Charge> {
    return this.call('charges.retrieve', { pathParams: { id }, options });
  }

  /** The charge of an order, by the merchant's order number. */
  ofOrder(merchantOrderId: string, options?: RequestOptions): Promise<ResultOf<'charges.ofOrder'>> {
    return this.call('charges.ofOrder', { pathParams: { merchantOrderId }, options });
  }
}

export class Checkouts extends Resource {
  /** An order with a hosted checkout link: send the customer to `url`. */
  create(params: CreateCheckoutParams, options?: PostOptions): Promise<Checkout> {
    return this.call('checkouts.create', { body: params, options });
  }
}

export class Settlements extends Resource {
  /** Settle the balance (or `amount` of it) to the settlement card: `succeeded`, or `processing` to poll. */
  create(params: CreateSettlementParams = {}, options?: PostOptions): Promise<Settlement> {
    return this.call('settlements.create', { body: params, options });
  }

  /** One page, newest first; the next page is `before` the last one's `createdAt`. */
  list(params: ListSettlementsParams = {}, options?: RequestOptions): Promise<SettlementPage> {
    return this.call('settlements.list', { query: params, options });
  }

  /**
   * Every settlement, newest first. The API pages by time (`before`), not by cursor: two
   * settlements started in the same millisecond could straddle a page (one runs at a time).
   */
  listAll(
    params: Omit<ListSettlementsParams, 'before'> = {},
    options?: RequestOptions,
  ): AsyncGenerator<Settlement> {
    const limit = params.limit ?? PAGE_SIZE;
    return pages(async (before) => {
      const page = await this.list({ ...params, limit, ...(before ? { before } : {}) }, options);
      const last = page.settlements.at(-1);
      return {
        items: page.settlements,
        next: page.settlements.length < limit || !last ? null : last.createdAt,
      };
    });
  }

  retrieve(id: string, options?: RequestOptions): Promise<Settlement> {
    return this.call('settlements.retrieve', { pathParams: { id }, options });
  }
}

export class Statements extends Resource {
  /**
   * The daily statement of `date` (YYYY-MM-DD, Asia/Shanghai): parsed JSON (default), the CSV
   * text, or the PDF's bytes.
   */
  download(date: string, params?: { format?: 'json' }, options?: RequestOptions): Promise<unknown>;
  download(date: string, params: { format: 'csv' }, options?: RequestOptions): Promise<string>;
  download(date: string, params: { format: 'pdf' }, options?: RequestOptions): Promise<Uint8Array>;
  download(
    date: string,
    params: { format?: StatementFormat } = {},
    options?: RequestOptions,
  ): Promise<unknown> {
    const format = params.format ?? 'json';
    return this.call('statements.download', {
      pathParams: { date },
      query: { format },
      responseKind: format === 'json' ? 'json' : format === 'csv' ? 'text' : 'bytes',
      options,
    });
  }
}

export class WebhookDeliveries extends Resource {
  /** One page of an endpoint's deliveries, newest first (`nextCursor`: the next page). */
  list(
    endpointId: string,
    params: ListWebhookDeliveriesParams = {},
    options?: RequestOptions,
  ): Promise<WebhookDeliveryPage> {
    return this.call('webhookDeliveries.list', { pathParams: { id: endpointId }, query: params, options });
  }

  /** Every delivery of an endpoint, newest first. */
  listAll(
    endpointId: string,
    params: Omit<ListWebhookDeliveriesParams, 'cursor'> = {},
    options?: RequestOptions,
  ): AsyncGenerator<WebhookDelivery> {
    return pages(async (cursor) => {
      const page = await this.list(
        endpointId,
        { limit: PAGE_SIZE, ...params, ...(cursor ? { cursor } : {}) },
        options,
      );
      return { items: page.deliveries, next: page.nextCursor };
    });
  }

  /** One delivery (`msg_…`, the `webhook-id` it was posted with) and its attempts. */
  retrieve(id: string, options?: RequestOptions): Promise<WebhookDeliveryWithAttempts> {
    return this.call('webhookDeliveries.retrieve', { pathParams: { id }, options });
  }

  /** Post a delivery again now: the same id and body, a new timestamp and signature. */
  resend(id: string, options?: PostOptions): Promise<ResultOf<'webhookDeliveries.resend'>> {
    return this.call('webhookDeliveries.resend', { pathParams: { id }, options });
  }
}

export class Qianbao {
  /** Verify a webhook delivery's signature and timestamp: `Qianbao.webhooks.verify(rawBody, headers, secret)`. */
  static readonly webhooks = { verify: verifyWebhook };

  readonly orders: Orders;
  readonly refunds: Refunds;
  readonly charges: Charges;
  readonly checkouts: Checkouts;
  readonly settlements: Settlements;
  readonly statements: Statements;
  readonly webhookDeliveries: WebhookDeliveries;

  constructor(options: QianbaoOptions) {
    if (!options.apiKey) throw new TypeError('Qianbao: apiKey is required');
    if (!options.baseUrl) throw new TypeError('Qianbao: baseUrl is required');
    if (!options.fetch && typeof globalThis.fetch !== 'function') {
      throw new TypeError('Qianbao: no global fetch (Node 20 or later has one); pass options.fetch');
    }
    const transport = new Transport({
      apiKey: options.apiKey,
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      apiVersion: options.apiVersion ?? API_VERSION,
      maxRetryAfterSeconds: options.maxRetryAfterSeconds ?? DEFAULT_MAX_RETRY_AFTER_SECONDS,
      ...(options.merchant ? { merchant: options.merchant } : {}),
    });
    this.orders = new Orders(transport);
    this.refunds = new Refunds(transport);
    this.charges = new Charges(transport);
    this.checkouts = new Checkouts(transport);
    this.settlements = new Settlements(transport);
    this.statements = new Statements(transport);
    this.webhookDeliveries = new WebhookDeliveries(transport);
  }
}
