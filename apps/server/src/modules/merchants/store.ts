/** SQL of the `merchants_*` tables (migrations.ts); only this module's service calls it. */
import type pg from 'pg';
import { withTransaction } from '@qianbao/db';
import { eventsOfWrittenRows } from '../../outbox/index.ts';
import type { NewEvent, OutboxWake } from '../../outbox/index.ts';

export type MerchantKind = 'individual' | 'company';
export type MerchantStatus = 'active' | 'pending_review' | 'rejected' | 'suspended';
export type OrderStatus = 'open' | 'paying' | 'paid' | 'closed';
export type RefundStatus = 'pending' | 'succeeded' | 'failed';

export interface MerchantRow {
  id: string;
  owner_user_id: string;
  kind: MerchantKind;
  status: MerchantStatus;
  name: string;
  city: string;
  mcc: string;
  balance_account_id: string;
  qr_token: string;
  created_at: Date;
}

export interface OrderRow {
  id: string;
  merchant_id: string;
  merchant_order_id: string;
  channel: 'static' | 'dynamic';
  amount_minor: bigint;
  currency: string;
  description: string | null;
  status: OrderStatus;
  attempt: number;
  claimed_by: string | null;
  claimed_at: Date | null;
  payer_user_id: string | null;
  payer_display: string | null;
  paid_at: Date | null;
  ledger_transfer_id: string | null;
  fee_minor: bigint;
  refunded_minor: bigint;
  expires_at: Date;
  closed_at: Date | null;
  created_at: Date;
}

export interface RefundRow {
  id: string;
  order_id: string;
  merchant_refund_id: string;
  amount_minor: bigint;
  fee_minor: bigint;
  reason: string | null;
  status: RefundStatus;
  failure: string | null;
  created_at: Date;
  settled_at: Date | null;
}

const MERCHANT_COLUMNS = `id, owner_user_id, kind, status, name, city, mcc, balance_account_id, qr_token, created_at`;
const ORDER_COLUMNS = `id, merchant_id, merchant_order_id, channel, amount_minor, currency, description, status,
  attempt, claimed_by, claimed_at, payer_user_id, payer_display, paid_at, ledger_transfer_id, fee_minor,
  refunded_minor, expires_at, closed_at, created_at`;
const REFUND_COLUMNS = `id, order_id, merchant_refund_id, amount_minor, fee_minor, reason, status, failure,
  created_at, settled_at`;

type Raw<T> = { [K in keyof T]: T[K] extends bigint ? string : T[K] };
const orderOf = (raw: Raw<OrderRow>): OrderRow => ({
  ...raw,
  amount_minor: BigInt(raw.amount_minor),
  fee_minor: BigInt(raw.fee_minor),
  refunded_minor: BigInt(raw.refunded_minor),
});
const refundOf = (raw: Raw<RefundRow>): RefundRow => ({
  ...raw,
  amount_minor: BigInt(raw.amount_minor),
  fee_minor: BigInt(raw.fee_minor),
});

export class MerchantsStore {
  constructor(
    private readonly pool: pg.Pool,
    /** Told after a commit that appended events (outbox/). */
    private readonly events: OutboxWake,
  ) {}

  // ---- merchants ------------------------------------------------------------------------------

  /** Insert, or null when the holder has an individual merchant already. */
  async insertMerchant(row: MerchantRow): Promise<MerchantRow | null> {
    const { rows } = await this.pool.query<MerchantRow>(
      `INSERT INTO merchants_merchants (${MERCHANT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (owner_user_id) WHERE kind = 'individual' DO NOTHING
       RETURNING ${MERCHANT_COLUMNS}`,
      [
        row.id,
        row.owner_user_id,
        row.kind,
        row.status,
        row.name,
        row.city,
        row.mcc,
        row.balance_account_id,
        row.qr_token,
        row.created_at,
      ],
    );
    return rows[0] ?? null;
  }

  async merchantOfOwner(ownerUserId: string): Promise<MerchantRow | null> {
    const { rows } = await this.pool.query<MerchantRow>(
      `SELECT ${MERCHANT_COLUMNS} FROM merchants_merchants WHERE owner_user_id = $1 ORDER BY created_at LIMIT 1`,
      [ownerUserId],
    );
    return rows[0] ?? null;
  }

  async merchant(id: string): Promise<MerchantRow | null> {
    const { rows } = await this.pool.query<MerchantRow>(
      `SELECT ${MERCHANT_COLUMNS} FROM merchants_merchants WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async merchantOfToken(token: string): Promise<MerchantRow | null> {
    const { rows } = await this.pool.query<MerchantRow>(
      `SELECT ${MERCHANT_COLUMNS} FROM merchants_merchants WHERE qr_token = $1`,
      [token],
    );
    return rows[0] ?? null;
  }

  // ---- orders ---------------------------------------------------------------------------------

  /** Insert once per (merchant, order number): the stored row answers (the first, on a repeat). */
  async insertOrder(
    row: Pick<
      OrderRow,
      | 'id'
      | 'merchant_id'
      | 'merchant_order_id'
      | 'channel'
      | 'amount_minor'
      | 'currency'
      | 'description'
      | 'expires_at'
      | 'created_at'
    >,
  ): Promise<{ row: OrderRow; created: boolean }> {
    const { rows } = await this.pool.query<Raw<OrderRow>>(
      `INSERT INTO merchants_orders (id, merchant_id, merchant_order_id, channel, amount_minor, currency,
                                     description, status, expires_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9)
       ON CONFLICT DO NOTHING
       RETURNING ${ORDER_COLUMNS}`,
      [
        row.id,
        row.merchant_id,
        row.merchant_order_id,
        row.channel,
        row.amount_minor.toString(),
        row.currency,
        row.description,
        row.expires_at,
        row.created_at,
      ],
    );
    if (rows[0]) return { row: orderOf(rows[0]), created: true };
    const existing =
      (await this.orderById(row.id)) ?? (await this.order(row.merchant_id, row.merchant_order_id));
    if (!existing) throw new Error(`order ${row.id} was neither inserted nor found`);
    return { row: existing, created: false };
  }

  async order(merchantId: string, merchantOrderId: string): Promise<OrderRow | null> {
    const { rows } = await this.pool.query<Raw<OrderRow>>(
      `SELECT ${ORDER_COLUMNS} FROM merchants_orders WHERE merchant_id = $1 AND merchant_order_id = $2`,
      [merchantId, merchantOrderId],
    );
    return rows[0] ? orderOf(rows[0]) : null;
  }

  async orderById(id: string): Promise<OrderRow | null> {
    const { rows } = await this.pool.query<Raw<OrderRow>>(
      `SELECT ${ORDER_COLUMNS} FROM merchants_orders WHERE id = $1`,
      [id],
    );
    return rows[0] ? orderOf(rows[0]) : null;
  }

  async orders(merchantId: string, limit: number): Promise<OrderRow[]> {
    const { rows } = await this.pool.query<Raw<OrderRow>>(
      `SELECT ${ORDER_COLUMNS} FROM merchants_orders WHERE merchant_id = $1 ORDER BY created_at DESC LIMIT $2`,
      [merchantId, limit],
    );
    return rows.map(orderOf);
  }

  /**
   * Take the order for one payer: open and unexpired → paying, with the next attempt. A claim
   * older than `staleBefore` (its process died) is taken over only when the caller checked that
   * its ledger transfer never happened (`staleAttempt`).
   */
  async claim(input: {
    id: string;
    payerUserId: string;
    now: Date;
    staleAttempt?: number;
  }): Promise<OrderRow | null> {
    const { rows } = await this.pool.query<Raw<OrderRow>>(
      `UPDATE merchants_orders SET status = 'paying', attempt = attempt + 1, claimed_by = $2, claimed_at = $3
        WHERE id = $1 AND expires_at > $3
          AND (status = 'open' OR (status = 'paying' AND attempt = $4::integer))
        RETURNING ${ORDER_COLUMNS}`,
      [input.id, input.payerUserId, input.now, input.staleAttempt ?? null],
    );
    return rows[0] ? orderOf(rows[0]) : null;
  }

  /** The claimed attempt was refused by the ledger: the order is open to payers again. */
  async release(input: { id: string; attempt: number }): Promise<void> {
    await this.pool.query(
      `UPDATE merchants_orders SET status = 'open', claimed_by = NULL, claimed_at = NULL
        WHERE id = $1 AND status = 'paying' AND attempt = $2`,
      [input.id, input.attempt],
    );
  }

  /** The attempt's money moved: paid, with its event in the same statement (once). */
  async markPaid(input: {
    id: string;
    attempt: number;
    payerUserId: string;
    payerDisplay: string;
    ledgerTransferId: string;
    feeMinor: bigint;
    now: Date;
    event: NewEvent;
  }): Promise<OrderRow | null> {
    const events = eventsOfWrittenRows({
      events: [{ event: input.event, key: input.id }],
      written: 'written',
      keyColumn: 'id',
      firstParameter: 8,
    });
    const { rows } = await this.pool.query<Raw<OrderRow>>(
      `WITH written AS (
         UPDATE merchants_orders
            SET status = 'paid', payer_user_id = $3, payer_display = $4, ledger_transfer_id = $5, fee_minor = $6,
                paid_at = $7
          WHERE id = $1 AND status = 'paying' AND attempt = $2
         RETURNING ${ORDER_COLUMNS}
       ), events AS (${events.sql})
       SELECT * FROM written`,
      [
        input.id,
        input.attempt,
        input.payerUserId,
        input.payerDisplay,
        input.ledgerTransferId,
        input.feeMinor.toString(),
        input.now,
        ...events.parameters,
      ],
    );
    if (rows.length > 0) this.events.wake();
    return rows[0] ? orderOf(rows[0]) : null;
  }

  /** Close an open order (nobody is paying it): null when it was not open. */
  async close(input: { id: string; now: Date }): Promise<OrderRow | null> {
    const { rows } = await this.pool.query<Raw<OrderRow>>(
      `UPDATE merchants_orders SET status = 'closed', closed_at = $2 WHERE id = $1 AND status = 'open'
       RETURNING ${ORDER_COLUMNS}`,
      [input.id, input.now],
    );
    return rows[0] ? orderOf(rows[0]) : null;
  }

  // ---- refunds --------------------------------------------------------------------------------

  async refund(orderId: string, merchantRefundId: string): Promise<RefundRow | null> {
    const { rows } = await this.pool.query<Raw<RefundRow>>(
      `SELECT ${REFUND_COLUMNS} FROM merchants_refunds WHERE order_id = $1 AND merchant_refund_id = $2`,
      [orderId, merchantRefundId],
    );
    return rows[0] ? refundOf(rows[0]) : null;
  }

  async refundsOf(orderId: string): Promise<RefundRow[]> {
    const { rows } = await this.pool.query<Raw<RefundRow>>(
      `SELECT ${REFUND_COLUMNS} FROM merchants_refunds WHERE order_id = $1 ORDER BY created_at`,
      [orderId],
    );
    return rows.map(refundOf);
  }

  /**
   * Reserve a refund on its order and write it `pending`, in one transaction under the order's
   * row lock: the refunds of an order never pass what was paid, however many run at once.
   * `feeOf` gives the fee it returns from what was refunded before (fees.ts). Answers the new
   * refund; or the one already there with this number (a repeat); or `exceeds` with what is left.
   */
  async reserveRefund(input: {
    orderId: string;
    merchantRefundId: string;
    id: string;
    amountMinor: bigint;
    reason: string | null;
    now: Date;
    feeOf: (order: OrderRow) => bigint;
  }): Promise<{ refund: RefundRow; created: boolean } | { exceeds: bigint } | { notPaid: OrderStatus }> {
    return withTransaction(this.pool, async (client) => {
      const locked = await client.query<Raw<OrderRow>>(
        `SELECT ${ORDER_COLUMNS} FROM merchants_orders WHERE id = $1 FOR UPDATE`,
        [input.orderId],
      );
      const order = orderOf(locked.rows[0]!);
      const existing = await client.query<Raw<RefundRow>>(
        `SELECT ${REFUND_COLUMNS} FROM merchants_refunds WHERE order_id = $1 AND merchant_refund_id = $2`,
        [input.orderId, input.merchantRefundId],
      );
      if (existing.rows[0]) return { refund: refundOf(existing.rows[0]), created: false };
      if (order.status !== 'paid') return { notPaid: order.status };
      const left = order.amount_minor - order.refunded_minor;
      if (input.amountMinor > left) return { exceeds: left };
      const feeMinor = input.feeOf(order);
      await client.query(`UPDATE merchants_orders SET refunded_minor = refunded_minor + $2 WHERE id = $1`, [
        input.orderId,
        input.amountMinor.toString(),
      ]);
      const inserted = await client.query<Raw<RefundRow>>(
        `INSERT INTO merchants_refunds (id, order_id, merchant_refund_id, amount_minor, fee_minor, reason, status,
                                        created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7)
         RETURNING ${REFUND_COLUMNS}`,
        [
          input.id,
          input.orderId,
          input.merchantRefundId,
          input.amountMinor.toString(),
          feeMinor.toString(),
          input.reason,
          input.now,
        ],
      );
      return { refund: refundOf(inserted.rows[0]!), created: true };
    });
  }

  /** The ledger moved the refund: succeeded, with its event (once). */
  async refundSucceeded(input: { id: string; now: Date; event: NewEvent }): Promise<RefundRow | null> {
    const events = eventsOfWrittenRows({
      events: [{ event: input.event, key: input.id }],
      written: 'written',
      keyColumn: 'id',
      firstParameter: 3,
    });
    const { rows } = await this.pool.query<Raw<RefundRow>>(
      `WITH written AS (
         UPDATE merchants_refunds SET status = 'succeeded', settled_at = $2 WHERE id = $1 AND status = 'pending'
         RETURNING ${REFUND_COLUMNS}
       ), events AS (${events.sql})
       SELECT * FROM written`,
      [input.id, input.now, ...events.parameters],
    );
    if (rows.length > 0) this.events.wake();
    return rows[0] ? refundOf(rows[0]) : null;
  }

  /** The ledger refused the refund: failed, and its reservation given back, together (once). */
  async refundFailed(input: { id: string; failure: string; now: Date }): Promise<RefundRow | null> {
    const { rows } = await this.pool.query<Raw<RefundRow>>(
      `WITH failed AS (
         UPDATE merchants_refunds SET status = 'failed', failure = $2, settled_at = $3
          WHERE id = $1 AND status = 'pending'
         RETURNING ${REFUND_COLUMNS}
       ), released AS (
         UPDATE merchants_orders o SET refunded_minor = o.refunded_minor - f.amount_minor
           FROM failed f WHERE o.id = f.order_id
       )
       SELECT * FROM failed`,
      [input.id, input.failure, input.now],
    );
    return rows[0] ? refundOf(rows[0]) : null;
  }
}
