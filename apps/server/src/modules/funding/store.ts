import type pg from 'pg';
import { withTransaction } from '@qianbao/db';
import { NO_WAKE, appendEvents } from '../../outbox/index.ts';
import type { OutboxWake } from '../../outbox/index.ts';
import { fundingEventOf } from './events.ts';

export type FundingKind = 'top_up' | 'withdrawal' | 'bank_transfer';
export type FundingState = 'created' | 'held' | 'bank_pending' | 'voiding' | 'succeeded' | 'failed';
export const UNFINISHED_STATES: readonly FundingState[] = ['created', 'held', 'bank_pending', 'voiding'];

export interface TimelineEntry {
  state: FundingState;
  at: string;
  /** Why, for failures and recoveries (a code, never personal data). */
  note?: string;
}

export interface OperationRow {
  id: string;
  user_id: string;
  wallet_account_id: string;
  kind: FundingKind;
  /** Top-up and withdrawal: the bound card. Null for a bank transfer. */
  card_id: string | null;
  card_token: string | null;
  card_bin: string | null;
  card_last4: string | null;
  card_bank_code: string | null;
  /** Bank transfer: the account, number and name sealed (SecretBox). Null otherwise. */
  account_number_sealed: string | null;
  account_name_sealed: string | null;
  account_last4: string | null;
  account_bank_code: string | null;
  account_name_masked: string | null;
  /** The holder's note on a bank transfer (≤ 50 characters). */
  note: string | null;
  amount_minor: bigint;
  fee_minor: bigint;
  currency: string;
  state: FundingState;
  bank_operation_id: string;
  bank_reference: string | null;
  failure_code: string | null;
  failure_details: Record<string, unknown> | null;
  timeline: TimelineEntry[];
  attempts: number;
  claimed_until: Date | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

export type NewOperation = Omit<
  OperationRow,
  | 'state'
  | 'bank_reference'
  | 'failure_code'
  | 'failure_details'
  | 'timeline'
  | 'attempts'
  | 'claimed_until'
  | 'updated_at'
  | 'completed_at'
>;

/** SQL of the funding module; only this module touches the `funding_*` tables. */
export class FundingStore {
  constructor(
    private readonly pool: pg.Pool,
    /** Told after a terminal state and its event commit (outbox/). */
    private readonly events: OutboxWake = NO_WAKE,
  ) {}

  /**
   * Insert the operation; `feeOf` (when given) prices it from what the holder has withdrawn so far
   * this month, inside one transaction that holds a per-holder lock — so two withdrawals at the
   * same instant cannot both spend the monthly free allowance. False when the id exists (the same
   * request again).
   */
  async insert(
    row: NewOperation,
    pricing?: {
      month: { from: Date; to: Date };
      feeOf: (withdrawnMinor: bigint) => bigint;
      afterRead?: () => void | Promise<void>;
    },
  ): Promise<boolean> {
    if (!pricing) return this.insertOn(this.pool, row);
    return withTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `funding:pricing:${row.user_id}`,
      ]);
      const withdrawn = await this.withdrawnBetween(
        row.user_id,
        pricing.month.from,
        pricing.month.to,
        client,
      );
      await pricing.afterRead?.();
      return this.insertOn(client, { ...row, fee_minor: pricing.feeOf(withdrawn) });
    });
  }

  private async insertOn(db: pg.Pool | pg.PoolClient, row: NewOperation): Promise<boolean> {
    const timeline: TimelineEntry[] = [{ state: 'created', at: row.created_at.toISOString() }];
    const result = await db.query(
      `INSERT INTO funding_operations (id, user_id, wallet_account_id, kind, card_id, card_token, card_bin, card_last4,
         card_bank_code, amount_minor, fee_minor, currency, state, bank_operation_id, timeline, created_at, updated_at,
         account_number_sealed, account_name_sealed, account_last4, account_bank_code, account_name_masked, note)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'created', $13, $14, $15, $15,
         $16, $17, $18, $19, $20, $21)
       ON CONFLICT (id) DO NOTHING`,
      [
        row.id,
        row.user_id,
        row.wallet_account_id,
        row.kind,
        row.card_id,
        row.card_token,
        row.card_bin,
        row.card_last4,
        row.card_bank_code,
        row.amount_minor,
        row.fee_minor,
        row.currency,
        row.bank_operation_id,
        JSON.stringify(timeline),
        row.created_at,
        row.account_number_sealed,
        row.account_name_sealed,
        row.account_last4,
        row.account_bank_code,
        row.account_name_masked,
        row.note,
      ],
    );
    return result.rowCount === 1;
  }

  async get(id: string): Promise<OperationRow | null> {
    const { rows } = await this.pool.query<OperationRow>('SELECT * FROM funding_operations WHERE id = $1', [
      id,
    ]);
    return rows[0] ?? null;
  }

  async getMany(ids: readonly string[]): Promise<OperationRow[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<OperationRow>(
      'SELECT * FROM funding_operations WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return rows;
  }

  /**
   * Compare-and-set: move the operation from one of `from` to `to`, appending to its timeline.
   * Null when it was in another state (someone else moved it first): the caller backs off.
   * A terminal state (`succeeded`, `failed`) is written with its event in one transaction: the
   * holder's notice follows from the event, so it can be neither lost nor sent twice.
   */
  async transition(input: {
    id: string;
    from: readonly FundingState[];
    to: FundingState;
    at: Date;
    note?: string;
    bankReference?: string;
    failure?: { code: string; details: Record<string, unknown> };
  }): Promise<OperationRow | null> {
    const entry: TimelineEntry = {
      state: input.to,
      at: input.at.toISOString(),
      ...(input.note ? { note: input.note } : {}),
    };
    const final = input.to === 'succeeded' || input.to === 'failed';
    const update = (db: pg.Pool | pg.PoolClient) =>
      db.query<OperationRow>(
        `UPDATE funding_operations
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
    if (!final) return (await update(this.pool)).rows[0] ?? null;
    const row = await withTransaction(this.pool, async (client) => {
      const [moved] = (await update(client)).rows;
      const event = moved ? fundingEventOf(moved) : null;
      if (event) await appendEvents(client, [event]);
      return moved ?? null;
    });
    if (row) this.events.wake();
    return row;
  }

  async hasUnfinishedOnCard(cardId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `SELECT 1 FROM funding_operations WHERE card_id = $1 AND state = ANY($2::text[]) LIMIT 1`,
      [cardId, UNFINISHED_STATES],
    );
    return rowCount === 1;
  }

  /** Withdrawals of the holder in [from, to) that did not fail: what counts toward the free allowance. */
  async withdrawnBetween(
    userId: string,
    from: Date,
    to: Date,
    db: pg.Pool | pg.PoolClient = this.pool,
  ): Promise<bigint> {
    const { rows } = await db.query<{ total: bigint | null }>(
      `SELECT sum(amount_minor)::bigint AS total FROM funding_operations
        WHERE user_id = $1 AND kind = 'withdrawal' AND state <> 'failed' AND created_at >= $2 AND created_at < $3`,
      [userId, from, to],
    );
    return rows[0]?.total ?? 0n;
  }

  /**
   * Claim up to `limit` unfinished operations untouched since `idleBefore` and not claimed by
   * another worker: a short transaction with FOR UPDATE SKIP LOCKED sets a lease, so several
   * instances share the work and each row is handled by one of them at a time. The bank calls
   * happen after the commit, outside any transaction.
   */
  async claimUnfinished(input: {
    limit: number;
    now: Date;
    idleBefore: Date;
    leaseUntil: Date;
  }): Promise<OperationRow[]> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      const { rows } = await client.query<OperationRow>(
        `WITH due AS (
           SELECT id FROM funding_operations
            WHERE state = ANY($1::text[]) AND updated_at < $2 AND (claimed_until IS NULL OR claimed_until < $3)
            ORDER BY updated_at LIMIT $4
            FOR UPDATE SKIP LOCKED)
         UPDATE funding_operations o SET claimed_until = $5, attempts = o.attempts + 1
           FROM due WHERE o.id = due.id
         RETURNING o.*`,
        [UNFINISHED_STATES, input.idleBefore, input.now, input.limit, input.leaseUntil],
      );
      await client.query('COMMIT');
      return rows;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  /** Leave the row alone until `until` (backoff after an attempt that did not finish it). */
  async extendClaim(id: string, until: Date): Promise<void> {
    await this.pool.query('UPDATE funding_operations SET claimed_until = $2 WHERE id = $1', [id, until]);
  }

  /** Operations that reached a final state in [from, to), at most `limit`. */
  async completedBetween(from: Date, to: Date, limit: number): Promise<OperationRow[]> {
    const { rows } = await this.pool.query<OperationRow>(
      `SELECT * FROM funding_operations WHERE completed_at >= $1 AND completed_at < $2 ORDER BY completed_at LIMIT $3`,
      [from, to, limit],
    );
    return rows;
  }

  async saveReconciliation(input: {
    date: string;
    report: unknown;
    mismatches: number;
    at: Date;
  }): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO funding_reconciliation_reports (date, report, mismatches, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (date) DO NOTHING`,
      [input.date, JSON.stringify(input.report), input.mismatches, input.at],
    );
    return result.rowCount === 1;
  }

  async hasReconciliation(date: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'SELECT 1 FROM funding_reconciliation_reports WHERE date = $1',
      [date],
    );
    return rowCount === 1;
  }
}
