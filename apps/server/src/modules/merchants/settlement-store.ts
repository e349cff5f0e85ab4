/**
 * SQL of settlements (`merchants_settlements`, and the settlement card on `merchants_merchants`;
 * migration 1302); only settlements.ts and statements.ts call it.
 */
import type pg from 'pg';
import { withTransaction } from '@qianbao/db';
import { appendEvents } from '../../outbox/index.ts';
import type { NewEvent, OutboxWake } from '../../outbox/index.ts';
import type { OtherBankOperation } from '../funding/index.ts';

interface BankRow {
  bank_operation_id: string;
  amount_minor: bigint | string;
  state: string;
  completed_at: Date | null;
}

/** A settlement as the bank sees it: a payout to a card (`credit_card`). */
function bankOperationOf(row: BankRow): OtherBankOperation {
  return {
    bankOperationId: row.bank_operation_id,
    kind: 'credit_card',
    amountMinor: BigInt(row.amount_minor),
    state: row.state,
    completedAt: row.completed_at,
  };
}

export type SettlementTrigger = 'on_demand' | 'daily';
export type SettlementState = 'created' | 'held' | 'bank_pending' | 'voiding' | 'succeeded' | 'failed';
export const UNFINISHED_SETTLEMENT_STATES: readonly SettlementState[] = [
  'created',
  'held',
  'bank_pending',
  'voiding',
];

export interface SettlementTimelineEntry {
  state: SettlementState;
  at: string;
  /** Why, for failures and recoveries (a code, never personal data). */
  note?: string;
}

export interface SettlementRow {
  id: string;
  merchant_id: string;
  trigger: SettlementTrigger;
  business_date: string | null;
  card_id: string;
  card_token: string;
  card_bin: string;
  card_last4: string;
  card_bank_code: string;
  amount_minor: bigint;
  currency: string;
  state: SettlementState;
  bank_operation_id: string;
  bank_reference: string | null;
  failure_code: string | null;
  failure_details: Record<string, unknown> | null;
  timeline: SettlementTimelineEntry[];
  attempts: number;
  claimed_until: Date | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

export type NewSettlement = Pick<
  SettlementRow,
  | 'id'
  | 'merchant_id'
  | 'trigger'
  | 'business_date'
  | 'card_id'
  | 'card_token'
  | 'card_bin'
  | 'card_last4'
  | 'card_bank_code'
  | 'amount_minor'
  | 'currency'
  | 'bank_operation_id'
  | 'created_at'
>;

/** What a settlement needs of its merchant. */
export interface SettlingMerchant {
  id: string;
  owner_user_id: string;
  name: string;
  status: string;
  balance_account_id: string;
  settlement_card_id: string | null;
  created_at: Date;
  /** A test twin's live merchant: test mode settles nothing (ADR 0022). */
  test_of: string | null;
}

/** How an insert ended: written, the same id already there, or another settlement unfinished. */
export type SettlementInsert =
  | { inserted: true; row: SettlementRow }
  | { inserted: false; existing: SettlementRow }
  | { inserted: false; busyWith: SettlementRow };

const MERCHANT_COLUMNS =
  'id, owner_user_id, name, status, balance_account_id, settlement_card_id, created_at, test_of';

type RawSettlement = Omit<SettlementRow, 'amount_minor'> & { amount_minor: string | bigint };
const settlementOf = (raw: RawSettlement): SettlementRow => ({
  ...raw,
  amount_minor: BigInt(raw.amount_minor),
});

export class SettlementStore {
  constructor(
    private readonly pool: pg.Pool,
    /** Told after a terminal state and its event commit (outbox/). */
    private readonly events: OutboxWake,
  ) {}

  // ---- the bank's view (funding's daily reconciliation) -------------------------------------------

  /** Settlements by the bank's operation id, as the reconciliation compares them with the bank's file. */
  async byBankOperationIds(ids: readonly string[]): Promise<OtherBankOperation[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<BankRow>(
      `SELECT bank_operation_id, amount_minor, state, completed_at FROM merchants_settlements
        WHERE bank_operation_id = ANY($1::text[])`,
      [ids],
    );
    return rows.map(bankOperationOf);
  }

  /** Settlements that ended between two instants (the day the reconciliation looks at). */
  async completedBetween(from: Date, to: Date, limit: number): Promise<OtherBankOperation[]> {
    const { rows } = await this.pool.query<BankRow>(
      `SELECT bank_operation_id, amount_minor, state, completed_at FROM merchants_settlements
        WHERE completed_at >= $1 AND completed_at < $2 ORDER BY completed_at LIMIT $3`,
      [from, to, limit],
    );
    return rows.map(bankOperationOf);
  }

  // ---- the settlement card ----------------------------------------------------------------------

  async merchant(id: string): Promise<SettlingMerchant | null> {
    const { rows } = await this.pool.query<SettlingMerchant>(
      `SELECT ${MERCHANT_COLUMNS} FROM merchants_merchants WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async setSettlementCard(merchantId: string, cardId: string): Promise<void> {
    await this.pool.query('UPDATE merchants_merchants SET settlement_card_id = $2 WHERE id = $1', [
      merchantId,
      cardId,
    ]);
  }

  /** Active merchants with a settlement card, by id after `afterId` (keyset paging). */
  async settlingMerchants(afterId: string | null, limit: number): Promise<SettlingMerchant[]> {
    const { rows } = await this.pool.query<SettlingMerchant>(
      `SELECT ${MERCHANT_COLUMNS} FROM merchants_merchants
        WHERE settlement_card_id IS NOT NULL AND status = 'active' AND ($1::uuid IS NULL OR id > $1::uuid)
        ORDER BY id LIMIT $2`,
      [afterId, limit],
    );
    return rows;
  }

  // ---- settlements ------------------------------------------------------------------------------

  /**
   * Write the settlement `created`. The same id again answers the stored row; another unfinished
   * settlement of the merchant (the partial unique index) answers that one: neither writes.
   */
  async insert(row: NewSettlement): Promise<SettlementInsert> {
    const timeline: SettlementTimelineEntry[] = [{ state: 'created', at: row.created_at.toISOString() }];
    const { rows } = await this.pool.query<RawSettlement>(
      `INSERT INTO merchants_settlements (id, merchant_id, trigger, business_date, card_id, card_token, card_bin,
         card_last4, card_bank_code, amount_minor, currency, state, bank_operation_id, timeline, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'created', $12, $13, $14, $14)
       ON CONFLICT DO NOTHING
       RETURNING *`,
      [
        row.id,
        row.merchant_id,
        row.trigger,
        row.business_date,
        row.card_id,
        row.card_token,
        row.card_bin,
        row.card_last4,
        row.card_bank_code,
        row.amount_minor,
        row.currency,
        row.bank_operation_id,
        JSON.stringify(timeline),
        row.created_at,
      ],
    );
    if (rows[0]) return { inserted: true, row: settlementOf(rows[0]) };
    const existing = (await this.get(row.id)) ?? (await this.dailyOf(row.merchant_id, row.business_date));
    if (existing) return { inserted: false, existing };
    const busy = await this.unfinishedOf(row.merchant_id);
    // Whatever was in the way ended between the insert and these reads: a programmer should look.
    if (!busy) throw new Error(`settlement ${row.id}: refused by a constraint that no row explains`);
    return { inserted: false, busyWith: busy };
  }

  async get(id: string): Promise<SettlementRow | null> {
    const { rows } = await this.pool.query<RawSettlement>(
      'SELECT * FROM merchants_settlements WHERE id = $1',
      [id],
    );
    return rows[0] ? settlementOf(rows[0]) : null;
  }

  private async dailyOf(merchantId: string, businessDate: string | null): Promise<SettlementRow | null> {
    if (businessDate === null) return null;
    const { rows } = await this.pool.query<RawSettlement>(
      `SELECT * FROM merchants_settlements WHERE merchant_id = $1 AND business_date = $2 AND trigger = 'daily'`,
      [merchantId, businessDate],
    );
    return rows[0] ? settlementOf(rows[0]) : null;
  }

  async unfinishedOf(merchantId: string): Promise<SettlementRow | null> {
    const { rows } = await this.pool.query<RawSettlement>(
      `SELECT * FROM merchants_settlements WHERE merchant_id = $1 AND state = ANY($2::text[])`,
      [merchantId, UNFINISHED_SETTLEMENT_STATES],
    );
    return rows[0] ? settlementOf(rows[0]) : null;
  }

  /** The merchant's settlements, newest first, created before `before` (keyset paging). */
  async list(merchantId: string, input: { limit: number; before: Date | null }): Promise<SettlementRow[]> {
    const { rows } = await this.pool.query<RawSettlement>(
      `SELECT * FROM merchants_settlements WHERE merchant_id = $1 AND ($2::timestamptz IS NULL OR created_at < $2)
        ORDER BY created_at DESC, id DESC LIMIT $3`,
      [merchantId, input.before, input.limit],
    );
    return rows.map(settlementOf);
  }

  async getMany(ids: readonly string[]): Promise<SettlementRow[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<RawSettlement>(
      'SELECT * FROM merchants_settlements WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return rows.map(settlementOf);
  }

  /**
   * Compare-and-set: move the settlement from one of `from` to `to`, appending to its timeline.
   * Null when it was elsewhere (someone moved it first). A terminal state is written with its
   * event (`eventOf`) in one transaction, so the owner's notice is neither lost nor sent twice.
   */
  async transition(input: {
    id: string;
    from: readonly SettlementState[];
    to: SettlementState;
    at: Date;
    note?: string;
    bankReference?: string;
    failure?: { code: string; details: Record<string, unknown> };
    eventOf?: (row: SettlementRow) => Promise<NewEvent>;
  }): Promise<SettlementRow | null> {
    const entry: SettlementTimelineEntry = {
      state: input.to,
      at: input.at.toISOString(),
      ...(input.note ? { note: input.note } : {}),
    };
    const final = input.to === 'succeeded' || input.to === 'failed';
    const update = async (db: pg.Pool | pg.PoolClient) => {
      const { rows } = await db.query<RawSettlement>(
        `UPDATE merchants_settlements
            SET state = $3, updated_at = $4, timeline = timeline || $5::jsonb,
                bank_reference = COALESCE($6, bank_reference),
                failure_code = COALESCE($7, failure_code),
                failure_details = COALESCE($8::jsonb, failure_details),
                completed_at = CASE WHEN $9 THEN $4 ELSE completed_at END,
                claimed_until = NULL
          WHERE id = $1 AND state = ANY($2::text[])
          RETURNING *`,
        [
          input.id,
          input.from,
          input.to,
          input.at,
          JSON.stringify([entry]),
          input.bankReference ?? null,
          input.failure?.code ?? null,
          input.failure ? JSON.stringify(input.failure.details) : null,
          final,
        ],
      );
      return rows[0] ? settlementOf(rows[0]) : null;
    };
    if (!final || !input.eventOf) return update(this.pool);
    const { eventOf } = input;
    const row = await withTransaction(this.pool, async (client) => {
      const moved = await update(client);
      if (moved) await appendEvents(client, [await eventOf(moved)]);
      return moved;
    });
    if (row) this.events.wake();
    return row;
  }

  /**
   * Claim up to `limit` unfinished settlements untouched since `idleBefore` and not leased by
   * another worker (FOR UPDATE SKIP LOCKED, then a lease): several instances share the work, one
   * at a time per row. The bank is called after the commit, outside any transaction.
   */
  async claimUnfinished(input: {
    limit: number;
    now: Date;
    idleBefore: Date;
    leaseUntil: Date;
  }): Promise<SettlementRow[]> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<RawSettlement>(
        `WITH due AS (
           SELECT id FROM merchants_settlements
            WHERE state = ANY($1::text[]) AND updated_at < $2 AND (claimed_until IS NULL OR claimed_until < $3)
            ORDER BY updated_at LIMIT $4
            FOR UPDATE SKIP LOCKED)
         UPDATE merchants_settlements s SET claimed_until = $5, attempts = s.attempts + 1
           FROM due WHERE s.id = due.id
         RETURNING s.*`,
        [UNFINISHED_SETTLEMENT_STATES, input.idleBefore, input.now, input.limit, input.leaseUntil],
      );
      return rows.map(settlementOf);
    });
  }

  /** Leave the row alone until `until` (backoff after an attempt that did not finish it). */
  async extendClaim(id: string, until: Date): Promise<void> {
    await this.pool.query('UPDATE merchants_settlements SET claimed_until = $2 WHERE id = $1', [id, until]);
  }

  // ---- statements -------------------------------------------------------------------------------

  /** Paid orders by id (a statement's payments): number, payer (masked), fee. */
  async ordersByIds(
    ids: readonly string[],
  ): Promise<
    { id: string; merchant_order_id: string; payer_display: string | null; paid_at: Date | null }[]
  > {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<{
      id: string;
      merchant_order_id: string;
      payer_display: string | null;
      paid_at: Date | null;
    }>(
      'SELECT id, merchant_order_id, payer_display, paid_at FROM merchants_orders WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return rows;
  }

  /** Refunds by id (a statement's refunds), with their order's number. */
  async refundsByIds(ids: readonly string[]): Promise<
    {
      id: string;
      merchant_refund_id: string;
      merchant_order_id: string;
      amount_minor: bigint;
      fee_minor: bigint;
    }[]
  > {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<{
      id: string;
      merchant_refund_id: string;
      merchant_order_id: string;
      amount_minor: string;
      fee_minor: string;
    }>(
      `SELECT r.id, r.merchant_refund_id, o.merchant_order_id, r.amount_minor, r.fee_minor
         FROM merchants_refunds r JOIN merchants_orders o ON o.id = r.order_id
        WHERE r.id = ANY($1::uuid[])`,
      [ids],
    );
    return rows.map((row) => ({
      ...row,
      amount_minor: BigInt(row.amount_minor),
      fee_minor: BigInt(row.fee_minor),
    }));
  }
}
