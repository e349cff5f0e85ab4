/**
 * Expiry, told (issue 14): the job `merchants.expire`, every minute. An order is payable until its
 * `expiresAt`; after it the claim refuses it and the views say `expired` — read lazily, as before.
 * What the job adds is telling: each open order past its time that the merchant made (not a static
 * code's, which a payer's attempt makes) gets `expired_at` and its
 * `merchant.order_expired` event (→ webhook `order.expired`) in one transaction, once — however
 * many runs at once (rows taken `FOR UPDATE SKIP LOCKED`, and written only while still untold).
 * From then on the claim refuses the order whatever a process's clock says (store.ts `claim`),
 * so an order a merchant was told expired is never paid.
 *
 * It first ends the payment-code charges left waiting for their payer past `confirmBy`
 * (`timed_out`, their order closed, `merchant.charge_failed` → webhook `payment.failed`), which
 * until now only the next read of the charge wrote: a till that stopped polling is told too.
 */
import type pg from 'pg';
import { withTransaction } from '@qianbao/db';
import { appendEvents } from '../../outbox/index.ts';
import type { OutboxWake } from '../../outbox/index.ts';
import { orderExpired } from './events.ts';
import type { MerchantsStore } from './store.ts';

/** Orders told per transaction, and transactions per run: a backlog drains over a few runs. */
const ORDERS_PER_BATCH = 500;
const BATCHES_PER_RUN = 20;
/** Charges timed out per run (each its own compare-and-set with its event). */
const CHARGES_PER_RUN = 500;

export interface OrderExpiryDeps {
  pool: pg.Pool;
  store: Pick<MerchantsStore, 'endCharge'>;
  /** Told after a commit that appended events (outbox/). */
  events: OutboxWake;
  now: () => Date;
}

export class OrderExpiry {
  constructor(private readonly deps: OrderExpiryDeps) {}

  /** One run of `merchants.expire`: what it ended and told. */
  async run(): Promise<{ chargesTimedOut: number; ordersExpired: number }> {
    const now = this.deps.now();
    const chargesTimedOut = await this.timeOutCharges(now);
    let ordersExpired = 0;
    for (let batch = 0; batch < BATCHES_PER_RUN; batch++) {
      const told = await this.expireOrders(now);
      ordersExpired += told;
      if (told < ORDERS_PER_BATCH) break;
    }
    return { chargesTimedOut, ordersExpired };
  }

  private async timeOutCharges(now: Date): Promise<number> {
    const { rows } = await this.deps.pool.query<{ id: string }>(
      `SELECT id FROM merchants_code_charges
        WHERE status = 'awaiting_confirmation' AND confirm_by <= $1
        ORDER BY confirm_by LIMIT $2`,
      [now, CHARGES_PER_RUN],
    );
    let ended = 0;
    for (const { id } of rows) {
      // A compare-and-set: a read, a confirm or another run that got there first ends it instead.
      if (await this.deps.store.endCharge({ id, ending: { to: 'timed_out' }, now })) ended++;
    }
    return ended;
  }

  /** Up to a batch of open orders past their time, told in one transaction with their events. */
  private async expireOrders(now: Date): Promise<number> {
    const told = await withTransaction(this.deps.pool, async (client) => {
      const { rows } = await client.query<{
        id: string;
        merchant_id: string;
        merchant_order_id: string;
        channel: string;
        amount_minor: string;
        currency: string;
        expires_at: Date;
      }>(
        `WITH due AS (
           SELECT id FROM merchants_orders
            WHERE status = 'open' AND expired_at IS NULL AND expires_at <= $1
              -- a static code's order is made by a payer's attempt, not by the merchant: nothing to tell
              AND channel <> 'static'
            ORDER BY expires_at
            LIMIT $2
            FOR UPDATE SKIP LOCKED
         )
         UPDATE merchants_orders o SET expired_at = $1
           FROM due
          WHERE o.id = due.id AND o.status = 'open' AND o.expired_at IS NULL
         RETURNING o.id, o.merchant_id, o.merchant_order_id, o.channel, o.amount_minor::text AS amount_minor,
                   o.currency, o.expires_at`,
        [now, ORDERS_PER_BATCH],
      );
      await appendEvents(
        client,
        rows.map((row) =>
          orderExpired(
            {
              orderId: row.id,
              merchantId: row.merchant_id,
              merchantOrderId: row.merchant_order_id,
              channel: row.channel,
              amount: { amount: row.amount_minor, currency: row.currency },
              expiredAt: row.expires_at.toISOString(),
            },
            now,
          ),
        ),
      );
      return rows.length;
    });
    if (told > 0) this.deps.events.wake();
    return told;
  }
}
