/**
 * Hosted checkout (issue 12, "Online checkout"), as Stripe's checkout sessions: the merchant makes
 * an order with a return address (`POST /v1/me/merchant/checkouts`) and sends its customer to the
 * link; Qianbao's page shows the shop, the amount and what for, has the customer sign in and confirm
 * with the PIN or a passkey — paying the order as any order is paid (the payment resource, kind
 * `merchant_order`, through the pipeline) — and sends the customer back to the return address with
 * `merchantOrderId` and `status` (`paid`, or `cancelled` when the customer leaves).
 *
 * A checkout is its order's states (docs/merchants.md has the diagram): open → paid (once) |
 * closed (the merchant cancelled it: `POST /v1/me/merchant/orders/:id/close`) | expired (its
 * `expiresAt` passed unpaid). The link's token is 18 random bytes: holding the link is what lets
 * someone see the order; it says nothing about the payer.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { newId } from '@qianbao/ledger';
import { AppError } from '../../errors.ts';
import type { MerchantsService, OrderView } from './service.ts';
import type { TestPayer } from './test-mode.ts';

export interface CheckoutView {
  id: string;
  /** The page to send the customer to. */
  url: string;
  returnUrl: string;
  order: OrderView;
}

/** What the checkout page shows to whoever holds the link. */
export interface PublicCheckout {
  merchantName: string;
  order: OrderView;
  /** The order's code while it can be paid (the page pays it); null once paid, closed or expired. */
  payload: string | null;
  returnUrl: string;
  /** A test twin's order (test-mode.ts): paid by the test payers, never by a wallet. */
  testMode: boolean;
}

interface CheckoutRow {
  id: string;
  order_id: string;
  token: string;
  return_url: string;
  created_at: Date;
}

export class Checkouts {
  constructor(
    private readonly deps: {
      pool: pg.Pool;
      merchants: Pick<MerchantsService, 'createOrder' | 'checkoutOrder' | 'payAsTestPayer'>;
      /** `QIANBAO_PUBLIC_URL`: the checkout page's address. */
      publicUrl: string;
      now: () => Date;
    },
  ) {}

  /**
   * An order and its checkout link. The merchant's order number makes it idempotent: the same
   * number, amount, description and return address is the same checkout; else ORDER_ID_REUSED.
   */
  async create(input: {
    merchantId: string;
    merchantOrderId: string;
    amountMinor: bigint;
    description: string | null;
    returnUrl: string;
    expiresInMinutes: number | null;
  }): Promise<CheckoutView> {
    const order = await this.deps.merchants.createOrder(input);
    const { rows } = await this.deps.pool.query<CheckoutRow>(
      `WITH inserted AS (
         INSERT INTO merchants_checkouts (id, order_id, token, return_url, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (order_id) DO NOTHING
         RETURNING id, order_id, token, return_url, created_at
       )
       SELECT * FROM inserted
       UNION ALL
       SELECT id, order_id, token, return_url, created_at FROM merchants_checkouts
        WHERE order_id = $2 AND NOT EXISTS (SELECT 1 FROM inserted)`,
      [newId(), order.id, randomBytes(18).toString('base64url'), input.returnUrl, this.deps.now()],
    );
    const row = rows[0]!;
    if (row.return_url !== input.returnUrl) throw new AppError('ORDER_ID_REUSED');
    const { payload: _payload, qrDataUrl: _image, ...view } = order;
    return { id: row.id, url: this.urlOf(row.token), returnUrl: row.return_url, order: view };
  }

  /** The checkout behind a link, as its page shows it; CHECKOUT_NOT_FOUND for any other token. */
  async byToken(token: string): Promise<PublicCheckout> {
    const { row, order } = await this.found(token);
    const { payload, testMode, ...view } = order;
    return { merchantName: order.merchantName, order: view, payload, returnUrl: row.return_url, testMode };
  }

  /** Pay a test checkout's order as a test payer (MerchantsService `payAsTestPayer`). */
  async payAsTestPayer(token: string, payer: TestPayer): Promise<OrderView> {
    const { row } = await this.found(token);
    return this.deps.merchants.payAsTestPayer({ orderId: row.order_id, payer });
  }

  private async found(token: string) {
    const { rows } = /^[A-Za-z0-9_-]{24}$/.test(token)
      ? await this.deps.pool.query<CheckoutRow>(
          'SELECT id, order_id, token, return_url, created_at FROM merchants_checkouts WHERE token = $1',
          [token],
        )
      : { rows: [] };
    const row = rows[0];
    const order = row ? await this.deps.merchants.checkoutOrder(row.order_id) : null;
    if (!row || !order) throw new AppError('CHECKOUT_NOT_FOUND');
    return { row, order };
  }

  private urlOf(token: string): string {
    return new URL(`/checkout/${token}`, this.deps.publicUrl).toString();
  }
}
