/** SQL of the `merchants_*` tables (migrations.ts); only this module's service calls it. */
import type pg from 'pg';
import { withTransaction } from '@qianbao/db';
import { appendEvents, eventsOfWrittenRows } from '../../outbox/index.ts';
import type { NewEvent, OutboxWake } from '../../outbox/index.ts';
import { CHARGE_ENDING_CODES, chargeFailed } from './events.ts';

export type MerchantKind = 'individual' | 'company';
export type MerchantStatus = 'active' | 'pending_review' | 'rejected' | 'suspended';
export type OrderStatus = 'open' | 'paying' | 'paid' | 'closed';
export type OrderChannel = 'static' | 'dynamic' | 'code';
export type RefundStatus = 'pending' | 'succeeded' | 'failed';
export type PaymentCodeSecretStatus = 'active' | 'replaced' | 'off';
export type ChargeStatus =
  'pending' | 'awaiting_confirmation' | 'succeeded' | 'declined' | 'timed_out' | 'failed';

/** What `orders` finds: null is "any". */
export interface OrderQuery {
  merchantId: string;
  limit: number;
  before: { createdAt: Date; id: string } | null;
  from: Date | null;
  to: Date | null;
  channel: OrderChannel | null;
  numberPrefix: string | null;
  status: OrderStatus | 'expired' | null;
  now: Date;
}

export interface DailyTakingsRow {
  /** YYYY-MM-DD, Asia/Shanghai. */
  day: string;
  takingsMinor: bigint;
  payments: number;
  refundsMinor: bigint;
}

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
  /** A test twin's live merchant (test-mode.ts); null for a live merchant. */
  test_of: string | null;
}

export interface OrderRow {
  id: string;
  merchant_id: string;
  merchant_order_id: string;
  channel: OrderChannel;
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
  /** When the expiry job told the merchant it expired (expiry.ts); null until then. */
  expired_at: Date | null;
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

export interface PaymentCodeSecretRow {
  id: string;
  user_id: string;
  device_id: string;
  device_index: number;
  secret_sealed: string;
  step_seconds: number;
  status: PaymentCodeSecretStatus;
  created_at: Date;
  ended_at: Date | null;
}

export interface ChargeRow {
  id: string;
  merchant_id: string;
  order_id: string;
  secret_id: string;
  step: number;
  payer_user_id: string;
  status: ChargeStatus;
  failure: string | null;
  confirm_by: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** How a charge ends (`endCharge`), and from which state each may. */
export type ChargeEnding =
  { to: 'declined'; payerUserId: string } | { to: 'timed_out' } | { to: 'failed'; failure: string };

/** Issuing a secret tries this many device indexes at most before giving up (a full space). */
const DEVICE_INDEX_TRIES = 50;
const DEVICE_INDEX_SPACE = 1_000_000;

const MERCHANT_INSERT_COLUMNS = `id, owner_user_id, kind, status, name, city, mcc, balance_account_id, qr_token, created_at`;
const MERCHANT_COLUMNS = `${MERCHANT_INSERT_COLUMNS}, test_of`;

/** A merchant row's values in the order of MERCHANT_INSERT_COLUMNS. */
function insertValues(row: Omit<MerchantRow, 'test_of'>): unknown[] {
  return [
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
  ];
}
const ORDER_COLUMNS = `id, merchant_id, merchant_order_id, channel, amount_minor, currency, description, status,
  attempt, claimed_by, claimed_at, payer_user_id, payer_display, paid_at, ledger_transfer_id, fee_minor,
  refunded_minor, expires_at, closed_at, created_at, expired_at`;
const REFUND_COLUMNS = `id, order_id, merchant_refund_id, amount_minor, fee_minor, reason, status, failure,
  created_at, settled_at`;

const SECRET_COLUMNS = `id, user_id, device_id, device_index, secret_sealed, step_seconds, status, created_at,
  ended_at`;
const CHARGE_COLUMNS = `id, merchant_id, order_id, secret_id, step, payer_user_id, status, failure, confirm_by,
  created_at, updated_at`;

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

const chargeOf = (raw: Omit<ChargeRow, 'step'> & { step: string | number | bigint }): ChargeRow => ({
  ...raw,
  step: Number(raw.step),
});

/** Thrown inside `insertCharge`'s transaction to roll it back. */
class OrderNumberTaken extends Error {}

export class MerchantsStore {
  constructor(
    private readonly pool: pg.Pool,
    /** Told after a commit that appended events (outbox/). */
    private readonly events: OutboxWake,
  ) {}

  // ---- merchants ------------------------------------------------------------------------------

  /** Insert, or null when the holder has a merchant already (one per holder, of either kind). */
  async insertMerchant(row: Omit<MerchantRow, 'test_of'>): Promise<MerchantRow | null> {
    const { rows } = await this.pool.query<MerchantRow>(
      `INSERT INTO merchants_merchants (${MERCHANT_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (owner_user_id) DO NOTHING
       RETURNING ${MERCHANT_COLUMNS}`,
      insertValues(row),
    );
    return rows[0] ?? null;
  }

  /**
   * A test payer's stand-in payment-code secret (test-mode.ts), which its test charges name: never
   * active (no code of a phone is ever read against it), made once.
   */
  async ensureTestCodeSecret(row: { id: string; user_id: string; now: Date }): Promise<void> {
    await this.pool.query(
      `INSERT INTO merchants_payment_code_secrets
         (id, user_id, device_id, device_index, secret_sealed, step_seconds, status, created_at, ended_at)
       VALUES ($1, $2, 'test-mode', 999900, '-', 60, 'off', $3, $3)
       ON CONFLICT (id) DO NOTHING`,
      [row.id, row.user_id, row.now],
    );
  }

  /** A merchant's test twin (test-mode.ts): the first of any number at once inserts it. */
  async insertTwin(row: MerchantRow & { test_of: string }): Promise<MerchantRow> {
    await this.pool.query(
      `INSERT INTO merchants_merchants (${MERCHANT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (id) DO NOTHING`,
      [...insertValues(row), row.test_of],
    );
    return (await this.merchant(row.id))!;
  }

  async twinOf(liveMerchantId: string): Promise<MerchantRow | null> {
    const { rows } = await this.pool.query<MerchantRow>(
      `SELECT ${MERCHANT_COLUMNS} FROM merchants_merchants WHERE test_of = $1`,
      [liveMerchantId],
    );
    return rows[0] ?? null;
  }

  /** Live merchants whose name contains the text (the operator console's holder search). */
  async liveMerchantsNamed(text: string, limit: number): Promise<MerchantRow[]> {
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const { rows } = await this.pool.query<MerchantRow>(
      `SELECT ${MERCHANT_COLUMNS} FROM merchants_merchants
        WHERE test_of IS NULL AND name ILIKE $1 ORDER BY created_at, id LIMIT $2`,
      [pattern, limit],
    );
    return rows;
  }

  /** Company merchants waiting for an operator's review (the operator console's dashboard). */
  async countPendingReviews(): Promise<number> {
    const { rows } = await this.pool.query<{ count: string }>(
      "SELECT count(*)::text AS count FROM merchants_merchants WHERE status = 'pending_review' AND test_of IS NULL",
    );
    return Number(rows[0]!.count);
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

  /**
   * A merchant's orders, newest first, after `before` (the last one of the page before), with the
   * filters given: created in [from, to), the view's status (`expired` is an open order past its
   * time), channel, an order number starting with `numberPrefix`. On the (merchant, created_at)
   * index: a page reads at most what it skips by its filters.
   */
  async orders(query: OrderQuery): Promise<OrderRow[]> {
    const { rows } = await this.pool.query<Raw<OrderRow>>(
      `SELECT ${ORDER_COLUMNS} FROM merchants_orders
        WHERE merchant_id = $1
          AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3::uuid))
          AND ($4::timestamptz IS NULL OR created_at >= $4)
          AND ($5::timestamptz IS NULL OR created_at < $5)
          AND ($6::text IS NULL OR channel = $6)
          AND ($7::text IS NULL OR starts_with(merchant_order_id, $7))
          AND (CASE $8::text
                 WHEN 'open' THEN status = 'open' AND expires_at > $9
                 WHEN 'expired' THEN status = 'open' AND expires_at <= $9
                 WHEN 'paying' THEN status = 'paying'
                 WHEN 'paid' THEN status = 'paid'
                 WHEN 'closed' THEN status = 'closed'
                 ELSE true END)
        ORDER BY created_at DESC, id DESC
        LIMIT $10`,
      [
        query.merchantId,
        query.before?.createdAt ?? null,
        query.before?.id ?? null,
        query.from,
        query.to,
        query.channel,
        query.numberPrefix,
        query.status,
        query.now,
        query.limit,
      ],
    );
    return rows.map(orderOf);
  }

  /**
   * Takings per day (Asia/Shanghai) from `from`: the payments paid that day, their count, and the
   * refunds that succeeded that day. Read from the orders, not kept as a running total: a running
   * total would be one row every payment of a busy merchant waits for (docs/merchants.md).
   */
  async dailyTakings(merchantId: string, from: Date): Promise<DailyTakingsRow[]> {
    const { rows } = await this.pool.query<{
      day: string;
      takings: string;
      payments: string;
      refunds: string;
    }>(
      `WITH paid AS (
         SELECT to_char(paid_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day,
                sum(amount_minor) AS takings, count(*) AS payments
           FROM merchants_orders
          WHERE merchant_id = $1 AND status = 'paid' AND paid_at >= $2
            -- an order is paid within its life (at most 7 days): the index bounds the scan
            AND created_at >= $2 - interval '8 days'
          GROUP BY 1),
       refunded AS (
         SELECT to_char(r.settled_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day,
                sum(r.amount_minor) AS refunds
           FROM merchants_refunds r JOIN merchants_orders o ON o.id = r.order_id
          WHERE o.merchant_id = $1 AND r.status = 'succeeded' AND r.settled_at >= $2
          GROUP BY 1)
       SELECT coalesce(p.day, r.day) AS day, coalesce(p.takings, 0)::text AS takings,
              coalesce(p.payments, 0)::text AS payments, coalesce(r.refunds, 0)::text AS refunds
         FROM paid p FULL JOIN refunded r ON r.day = p.day
        ORDER BY 1`,
      [merchantId, from],
    );
    return rows.map((row) => ({
      day: row.day,
      takingsMinor: BigInt(row.takings),
      payments: Number(row.payments),
      refundsMinor: BigInt(row.refunds),
    }));
  }

  /**
   * Take the order for one payer: open and unexpired → paying, with the next attempt. An order
   * the expiry job has reported expired (`expired_at`, expiry.ts) is never taken, whatever this
   * process's clock says. A claim older than `staleBefore` (its process died) is taken over only
   * when the caller checked that its ledger transfer never happened (`staleAttempt`).
   */
  async claim(input: {
    id: string;
    payerUserId: string;
    now: Date;
    staleAttempt?: number;
  }): Promise<OrderRow | null> {
    const { rows } = await this.pool.query<Raw<OrderRow>>(
      `UPDATE merchants_orders SET status = 'paying', attempt = attempt + 1, claimed_by = $2, claimed_at = $3
        WHERE id = $1 AND expires_at > $3 AND expired_at IS NULL
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
  // ---- payment codes: the devices' secrets ---------------------------------------------------

  async activeSecret(userId: string, deviceId: string): Promise<PaymentCodeSecretRow | null> {
    const { rows } = await this.pool.query<PaymentCodeSecretRow>(
      `SELECT ${SECRET_COLUMNS} FROM merchants_payment_code_secrets
        WHERE user_id = $1 AND device_id = $2 AND status = 'active'`,
      [userId, deviceId],
    );
    return rows[0] ?? null;
  }

  async activeSecretOfIndex(deviceIndex: number): Promise<PaymentCodeSecretRow | null> {
    const { rows } = await this.pool.query<PaymentCodeSecretRow>(
      `SELECT ${SECRET_COLUMNS} FROM merchants_payment_code_secrets WHERE device_index = $1 AND status = 'active'`,
      [deviceIndex],
    );
    return rows[0] ?? null;
  }

  /**
   * The device's new secret, replacing its active one, in one transaction: two issues for one
   * device at once are serialised by an advisory lock on (holder, device), so one stays active.
   * The device index is the sequence's next value modulo 1,000,000, the next again while an active
   * secret has it (the partial unique index decides, so two devices never share one).
   */
  async issueSecret(input: {
    id: string;
    userId: string;
    deviceId: string;
    secretSealed: string;
    stepSeconds: number;
    now: Date;
  }): Promise<PaymentCodeSecretRow> {
    return withTransaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 1301))`, [
        `merchants:payment-code:${input.userId}:${input.deviceId}`,
      ]);
      await client.query(
        `UPDATE merchants_payment_code_secrets SET status = 'replaced', ended_at = $3
          WHERE user_id = $1 AND device_id = $2 AND status = 'active'`,
        [input.userId, input.deviceId, input.now],
      );
      for (let attempt = 0; attempt < DEVICE_INDEX_TRIES; attempt += 1) {
        const { rows } = await client.query<PaymentCodeSecretRow>(
          `INSERT INTO merchants_payment_code_secrets (id, user_id, device_id, device_index, secret_sealed,
                                                      step_seconds, status, created_at)
           VALUES ($1, $2, $3, (nextval('merchants_payment_code_device_index') % $4)::integer, $5, $6, 'active', $7)
           ON CONFLICT DO NOTHING
           RETURNING ${SECRET_COLUMNS}`,
          [
            input.id,
            input.userId,
            input.deviceId,
            DEVICE_INDEX_SPACE,
            input.secretSealed,
            input.stepSeconds,
            input.now,
          ],
        );
        if (rows[0]) return rows[0];
      }
      throw new Error(`no free payment-code device index in ${DEVICE_INDEX_TRIES} tries`);
    });
  }

  /** The device's active secret ended (`off`): its codes are refused from now on. */
  async turnOffSecret(input: { userId: string; deviceId: string; now: Date }): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE merchants_payment_code_secrets SET status = 'off', ended_at = $3
        WHERE user_id = $1 AND device_id = $2 AND status = 'active'`,
      [input.userId, input.deviceId, input.now],
    );
    return (rowCount ?? 0) > 0;
  }

  // ---- payment codes: charges -----------------------------------------------------------------

  /**
   * A till's charge of a verified code and its order, in one transaction. The charge row goes
   * first: its (secret, step) is the code's single use, so of many tills at once one takes the
   * code and the others wait on it and find it used. Answers the new charge and order; or the
   * charge with this id (the till's own retry); or `codeUsed`; or `orderTaken` when the
   * merchant's order number is another order's (nothing written then, the code not used).
   */
  async insertCharge(input: {
    charge: Pick<ChargeRow, 'id' | 'merchant_id' | 'order_id' | 'secret_id' | 'step' | 'payer_user_id'>;
    order: Pick<OrderRow, 'merchant_order_id' | 'amount_minor' | 'currency' | 'description' | 'expires_at'>;
    now: Date;
  }): Promise<
    | { created: { charge: ChargeRow; order: OrderRow } }
    | { existing: ChargeRow }
    | { codeUsed: true }
    | { orderTaken: true }
  > {
    const { charge, order, now } = input;
    return withTransaction(this.pool, async (client) => {
      const inserted = await client.query<ChargeRow>(
        `INSERT INTO merchants_code_charges (id, merchant_id, order_id, secret_id, step, payer_user_id, status,
                                             created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7)
         ON CONFLICT DO NOTHING
         RETURNING ${CHARGE_COLUMNS}`,
        [
          charge.id,
          charge.merchant_id,
          charge.order_id,
          charge.secret_id,
          charge.step,
          charge.payer_user_id,
          now,
        ],
      );
      if (!inserted.rows[0]) {
        const own = await client.query<ChargeRow>(
          `SELECT ${CHARGE_COLUMNS} FROM merchants_code_charges WHERE id = $1`,
          [charge.id],
        );
        return own.rows[0] ? { existing: chargeOf(own.rows[0]) } : { codeUsed: true as const };
      }
      const made = await client.query<Raw<OrderRow>>(
        `INSERT INTO merchants_orders (id, merchant_id, merchant_order_id, channel, amount_minor, currency,
                                       description, status, expires_at, created_at)
         VALUES ($1, $2, $3, 'code', $4, $5, $6, 'open', $7, $8)
         ON CONFLICT DO NOTHING
         RETURNING ${ORDER_COLUMNS}`,
        [
          charge.order_id,
          charge.merchant_id,
          order.merchant_order_id,
          order.amount_minor.toString(),
          order.currency,
          order.description,
          order.expires_at,
          now,
        ],
      );
      // The order number is taken: rolled back, so the code stays unused for the till's next try.
      if (!made.rows[0]) throw new OrderNumberTaken();
      return { created: { charge: chargeOf(inserted.rows[0]), order: orderOf(made.rows[0]) } };
    }).catch((error: unknown) => {
      if (error instanceof OrderNumberTaken) return { orderTaken: true as const };
      throw error;
    });
  }

  async charge(id: string): Promise<ChargeRow | null> {
    const { rows } = await this.pool.query<ChargeRow>(
      `SELECT ${CHARGE_COLUMNS} FROM merchants_code_charges WHERE id = $1`,
      [id],
    );
    return rows[0] ? chargeOf(rows[0]) : null;
  }

  async chargeOfOrder(orderId: string): Promise<ChargeRow | null> {
    const { rows } = await this.pool.query<ChargeRow>(
      `SELECT ${CHARGE_COLUMNS} FROM merchants_code_charges WHERE order_id = $1`,
      [orderId],
    );
    return rows[0] ? chargeOf(rows[0]) : null;
  }

  /** The payer's charges waiting for a confirmation (past their time too: the caller ends those). */
  async awaitingCharges(payerUserId: string, limit: number): Promise<ChargeRow[]> {
    const { rows } = await this.pool.query<ChargeRow>(
      `SELECT ${CHARGE_COLUMNS} FROM merchants_code_charges
        WHERE payer_user_id = $1 AND status = 'awaiting_confirmation'
        ORDER BY created_at LIMIT $2`,
      [payerUserId, limit],
    );
    return rows.map(chargeOf);
  }

  /** Pending → awaiting the payer's confirmation until `confirmBy`, with the payer's event (once). */
  async chargeAwaiting(input: {
    id: string;
    confirmBy: Date;
    now: Date;
    event: NewEvent;
  }): Promise<ChargeRow | null> {
    const events = eventsOfWrittenRows({
      events: [{ event: input.event, key: input.id }],
      written: 'written',
      keyColumn: 'id',
      firstParameter: 4,
    });
    const { rows } = await this.pool.query<ChargeRow>(
      `WITH written AS (
         UPDATE merchants_code_charges SET status = 'awaiting_confirmation', confirm_by = $2, updated_at = $3
          WHERE id = $1 AND status = 'pending'
         RETURNING ${CHARGE_COLUMNS}
       ), events AS (${events.sql})
       SELECT * FROM written`,
      [input.id, input.confirmBy, input.now, ...events.parameters],
    );
    if (rows.length > 0) this.events.wake();
    return rows[0] ? chargeOf(rows[0]) : null;
  }

  /**
   * The payer's confirm takes the charge (→ pending) before it moves money, so a decline or the
   * timeout cannot end it meanwhile: awaiting and in time, or pending since before `staleBefore`
   * (a confirm or a till whose process died before the ledger; the order's claim guards the money).
   */
  async takeChargeToConfirm(input: {
    id: string;
    payerUserId: string;
    now: Date;
    staleBefore: Date;
  }): Promise<ChargeRow | null> {
    const { rows } = await this.pool.query<ChargeRow>(
      `UPDATE merchants_code_charges SET status = 'pending', updated_at = $3
        WHERE id = $1 AND payer_user_id = $2
          AND ((status = 'awaiting_confirmation' AND confirm_by > $3) OR (status = 'pending' AND updated_at < $4))
        RETURNING ${CHARGE_COLUMNS}`,
      [input.id, input.payerUserId, input.now, input.staleBefore],
    );
    return rows[0] ? chargeOf(rows[0]) : null;
  }

  /** A confirmation that did not prove the payer (a wrong PIN …): awaiting again, same deadline. */
  async chargeAwaitingAgain(input: { id: string; now: Date }): Promise<void> {
    await this.pool.query(
      `UPDATE merchants_code_charges SET status = 'awaiting_confirmation', updated_at = $2
        WHERE id = $1 AND status = 'pending' AND confirm_by IS NOT NULL`,
      [input.id, input.now],
    );
  }

  /** The order was paid: the charge succeeded (once). */
  async chargeSucceeded(input: { id: string; now: Date }): Promise<ChargeRow | null> {
    const { rows } = await this.pool.query<ChargeRow>(
      `UPDATE merchants_code_charges SET status = 'succeeded', updated_at = $2
        WHERE id = $1 AND status IN ('pending', 'awaiting_confirmation')
        RETURNING ${CHARGE_COLUMNS}`,
      [input.id, input.now],
    );
    return rows[0] ? chargeOf(rows[0]) : null;
  }

  /**
   * End a charge without money, and close its order in the same statement, so nothing pays it
   * later: declined by its payer while awaiting and in time; timed out once awaiting past its
   * time; failed while pending (the payment was refused). Its `merchant.charge_failed` event
   * commits with it (once: only the call that ended it writes one). Null when it was not in
   * that state.
   */
  async endCharge(input: { id: string; ending: ChargeEnding; now: Date }): Promise<ChargeRow | null> {
    const { ending } = input;
    const condition =
      ending.to === 'declined'
        ? `status = 'awaiting_confirmation' AND confirm_by > $3 AND payer_user_id = $5`
        : ending.to === 'timed_out'
          ? `status = 'awaiting_confirmation' AND confirm_by <= $3`
          : `status = 'pending'`;
    const ended = await withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<
        ChargeRow & { merchant_order_id: string; amount_minor: string; currency: string }
      >(
        `WITH ended AS (
           UPDATE merchants_code_charges SET status = $2, failure = $4, updated_at = $3
            WHERE id = $1 AND ${condition}
           RETURNING ${CHARGE_COLUMNS}
         ), closed AS (
           UPDATE merchants_orders o SET status = 'closed', closed_at = $3
             FROM ended e WHERE o.id = e.order_id AND o.status = 'open'
         )
         SELECT e.*, o.merchant_order_id, o.amount_minor::text AS amount_minor, o.currency
           FROM ended e JOIN merchants_orders o ON o.id = e.order_id`,
        [
          input.id,
          ending.to,
          input.now,
          ending.to === 'failed' ? ending.failure : null,
          ...(ending.to === 'declined' ? [ending.payerUserId] : []),
        ],
      );
      const row = rows[0];
      if (!row) return null;
      const { merchant_order_id, amount_minor, currency, ...charge } = row;
      await appendEvents(client, [
        chargeFailed(
          {
            chargeId: charge.id,
            orderId: charge.order_id,
            merchantId: charge.merchant_id,
            merchantOrderId: merchant_order_id,
            amount: { amount: amount_minor, currency },
            status: ending.to,
            code: ending.to === 'failed' ? ending.failure : CHARGE_ENDING_CODES[ending.to],
          },
          input.now,
        ),
      ]);
      return chargeOf(charge);
    });
    if (ended) this.events.wake();
    return ended;
  }
}
