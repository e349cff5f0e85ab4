import type pg from 'pg';
import { withTransaction } from '@qianbao/db';
import { newId } from '@qianbao/ledger';
import { appendEvents } from '../../outbox/index.ts';
import type { NewEvent, OutboxWake } from '../../outbox/index.ts';
import type { DisputeReason, DisputeStatus, DisputedKind, RefundMethod } from './states.ts';

export interface DisputeRow {
  id: string;
  user_id: string;
  wallet_account_id: string;
  transaction_id: string;
  kind: DisputedKind;
  transaction_amount_minor: bigint;
  amount_minor: bigint;
  currency: string;
  transaction_at: Date;
  counterparty: string | null;
  merchant_id: string | null;
  order_id: string | null;
  merchant_order_id: string | null;
  reason: DisputeReason;
  text: string;
  status: DisputeStatus;
  assigned_operator_id: string | null;
  refund_method: RefundMethod | null;
  refund_amount_minor: bigint | null;
  refund_attempt: number;
  refund_reference: string | null;
  refunding_since: Date | null;
  decision_reason: string | null;
  last_failure: string | null;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
}

export type Actor = 'holder' | 'operator' | 'merchant' | 'system';

export interface EventRow {
  id: string;
  dispute_id: string;
  at: Date;
  actor: Actor;
  operator_id: string | null;
  step: string;
  from_status: DisputeStatus | null;
  to_status: DisputeStatus;
  note: string | null;
}

export interface EvidenceRow {
  id: string;
  dispute_id: string;
  content_type: string;
  file_name: string;
  size_bytes: number;
  created_at: Date;
}

/** One step of a dispute, as the service decided it on the locked row. */
export interface StepWrite {
  to: DisputeStatus;
  /** Columns to set besides the status (and updated_at). */
  set: Partial<
    Pick<
      DisputeRow,
      | 'assigned_operator_id'
      | 'refund_method'
      | 'refund_amount_minor'
      | 'refund_attempt'
      | 'refund_reference'
      | 'refunding_since'
      | 'decision_reason'
      | 'last_failure'
      | 'closed_at'
    >
  >;
  event: { actor: Actor; operatorId: string | null; step: string; note: string | null };
  outbox: NewEvent[];
}

const SETTABLE = new Set([
  'assigned_operator_id',
  'refund_method',
  'refund_amount_minor',
  'refund_attempt',
  'refund_reference',
  'refunding_since',
  'decision_reason',
  'last_failure',
  'closed_at',
]);

const OPEN_SQL = `status IN ('opened', 'investigating', 'awaiting_merchant', 'refunding')`;
const EVIDENCE_COLUMNS = 'id, dispute_id, content_type, file_name, size_bytes, created_at';

/** SQL of the `disputes_*` tables; only this module's service calls it. */
export class DisputesStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly events: OutboxWake,
  ) {}

  /**
   * A new dispute with its first timeline entry (and its outbox events), or — when the movement
   * has an open dispute already, this one included (the same request again) — that dispute.
   */
  async open(
    row: Omit<DisputeRow, 'refund_attempt' | 'closed_at'>,
    outbox: NewEvent[],
  ): Promise<{ created: true; row: DisputeRow } | { created: false; open: DisputeRow | null }> {
    const inserted = await withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<DisputeRow>(
        `INSERT INTO disputes_disputes (id, user_id, wallet_account_id, transaction_id, kind, transaction_amount_minor,
           amount_minor, currency, transaction_at, counterparty, merchant_id, order_id, merchant_order_id, reason, text,
           status, assigned_operator_id, refund_method, refund_amount_minor, refund_reference, refunding_since,
           decision_reason, last_failure, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)
         ON CONFLICT DO NOTHING RETURNING *`,
        [
          row.id,
          row.user_id,
          row.wallet_account_id,
          row.transaction_id,
          row.kind,
          row.transaction_amount_minor,
          row.amount_minor,
          row.currency,
          row.transaction_at,
          row.counterparty,
          row.merchant_id,
          row.order_id,
          row.merchant_order_id,
          row.reason,
          row.text,
          row.status,
          row.assigned_operator_id,
          row.refund_method,
          row.refund_amount_minor,
          row.refund_reference,
          row.refunding_since,
          row.decision_reason,
          row.last_failure,
          row.created_at,
          row.updated_at,
        ],
      );
      const made = rows[0] ? disputeOf(rows[0]) : null;
      if (!made) return null;
      await insertEvent(client, made.id, {
        at: row.created_at,
        actor: 'holder',
        operatorId: null,
        step: 'open',
        from: null,
        to: made.status,
        note: null,
      });
      await appendEvents(client, outbox);
      return made;
    });
    if (inserted) {
      this.events.wake();
      return { created: true, row: inserted };
    }
    const { rows } = await this.pool.query<DisputeRow>(
      `SELECT * FROM disputes_disputes WHERE transaction_id = $1 AND ${OPEN_SQL}`,
      [row.transaction_id],
    );
    return { created: false, open: rows[0] ? disputeOf(rows[0]) : await this.get(row.id) };
  }

  async get(id: string): Promise<DisputeRow | null> {
    const { rows } = await this.pool.query<DisputeRow>('SELECT * FROM disputes_disputes WHERE id = $1', [id]);
    return rows[0] ? disputeOf(rows[0]) : null;
  }

  async ofUser(userId: string, limit: number, transactionId: string | null): Promise<DisputeRow[]> {
    const { rows } = await this.pool.query<DisputeRow>(
      `SELECT * FROM disputes_disputes WHERE user_id = $1 AND ($3::uuid IS NULL OR transaction_id = $3)
        ORDER BY created_at DESC, id DESC LIMIT $2`,
      [userId, limit, transactionId],
    );
    return rows.map(disputeOf);
  }

  async ofMerchant(merchantId: string, limit: number): Promise<DisputeRow[]> {
    const { rows } = await this.pool.query<DisputeRow>(
      'SELECT * FROM disputes_disputes WHERE merchant_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2',
      [merchantId, limit],
    );
    return rows.map(disputeOf);
  }

  async wasRefunded(transactionId: string): Promise<boolean> {
    const { rows } = await this.pool.query(
      `SELECT 1 FROM disputes_disputes WHERE transaction_id = $1 AND status = 'resolved_refunded' LIMIT 1`,
      [transactionId],
    );
    return rows.length > 0;
  }

  /** The operators' queue: open ones oldest first (or those of one status). */
  async queue(input: { status: DisputeStatus | 'open'; limit: number }): Promise<DisputeRow[]> {
    const { rows } = await this.pool.query<DisputeRow>(
      input.status === 'open'
        ? `SELECT * FROM disputes_disputes WHERE ${OPEN_SQL} ORDER BY created_at, id LIMIT $1`
        : `SELECT * FROM disputes_disputes WHERE status = $2 ORDER BY created_at DESC, id LIMIT $1`,
      input.status === 'open' ? [input.limit] : [input.limit, input.status],
    );
    return rows.map(disputeOf);
  }

  async openCount(): Promise<number> {
    const { rows } = await this.pool.query<{ count: string }>(
      `SELECT count(*)::text AS count FROM disputes_disputes WHERE ${OPEN_SQL}`,
    );
    return Number(rows[0]!.count);
  }

  /** Refunds left `refunding` since before `before` (a crash between the money and the status). */
  async staleRefunding(before: Date, limit: number): Promise<DisputeRow[]> {
    const { rows } = await this.pool.query<DisputeRow>(
      `SELECT * FROM disputes_disputes WHERE status = 'refunding' AND refunding_since < $1
        ORDER BY refunding_since LIMIT $2`,
      [before, limit],
    );
    return rows.map(disputeOf);
  }

  /**
   * One step, decided on the row held locked (`decide` sees it as it is now, not as the request
   * read it): of any number of steps at once, each is decided on what the one before left.
   * `decide` answers what to write, null to leave the row as it is, or throws to write nothing.
   */
  /**
   * One step under the dispute's row lock. `alongside` (an operator's audit entry) runs in the
   * step's transaction when a step is written: never for a step `decide` declined (null).
   */
  async step(
    id: string,
    at: Date,
    decide: (row: DisputeRow) => StepWrite | null,
    alongside?: (client: pg.PoolClient, updated: DisputeRow) => Promise<void>,
  ): Promise<DisputeRow> {
    const outcome = await withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<DisputeRow>(
        'SELECT * FROM disputes_disputes WHERE id = $1 FOR UPDATE',
        [id],
      );
      const row = rows[0] ? disputeOf(rows[0]) : null;
      if (!row) throw new Error(`dispute ${id} vanished`);
      const write = decide(row);
      if (write === null) return { row, woke: false };
      const columns = Object.keys(write.set).filter((column) => SETTABLE.has(column));
      const values = columns.map((column) => write.set[column as keyof StepWrite['set']] ?? null);
      const assignments = columns.map((column, index) => `${column} = $${index + 4}`);
      const { rows: updated } = await client.query<DisputeRow>(
        `UPDATE disputes_disputes SET status = $2, updated_at = $3${assignments.length ? ', ' : ''}${assignments.join(', ')}
          WHERE id = $1 RETURNING *`,
        [id, write.to, at, ...values],
      );
      await insertEvent(client, id, {
        at,
        actor: write.event.actor,
        operatorId: write.event.operatorId,
        step: write.event.step,
        from: row.status,
        to: write.to,
        note: write.event.note,
      });
      await appendEvents(client, write.outbox);
      const stepped = disputeOf(updated[0]!);
      await alongside?.(client, stepped);
      return { row: stepped, woke: write.outbox.length > 0 };
    });
    if (outcome.woke) this.events.wake();
    return outcome.row;
  }

  async timeline(disputeId: string): Promise<EventRow[]> {
    const { rows } = await this.pool.query<EventRow>(
      'SELECT * FROM disputes_events WHERE dispute_id = $1 ORDER BY at, id LIMIT 200',
      [disputeId],
    );
    return rows;
  }

  /**
   * Evidence added under the dispute's lock: never more than `max` files, whatever the number of
   * uploads at once; the same file twice is the one row (its SHA-256).
   */
  async addEvidence(input: {
    disputeId: string;
    contentType: string;
    fileName: string;
    content: Buffer;
    sha256: Buffer;
    at: Date;
    max: number;
    mayAdd: (row: DisputeRow) => void;
  }): Promise<{ evidence: EvidenceRow } | { full: true }> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<DisputeRow>(
        'SELECT * FROM disputes_disputes WHERE id = $1 FOR UPDATE',
        [input.disputeId],
      );
      input.mayAdd(disputeOf(rows[0]!));
      const same = await client.query<EvidenceRow>(
        `SELECT ${EVIDENCE_COLUMNS} FROM disputes_evidence WHERE dispute_id = $1 AND sha256 = $2`,
        [input.disputeId, input.sha256],
      );
      if (same.rows[0]) return { evidence: same.rows[0] };
      const count = await client.query<{ count: string }>(
        'SELECT count(*)::text AS count FROM disputes_evidence WHERE dispute_id = $1',
        [input.disputeId],
      );
      if (Number(count.rows[0]!.count) >= input.max) return { full: true as const };
      const { rows: inserted } = await client.query<EvidenceRow>(
        `INSERT INTO disputes_evidence (id, dispute_id, content_type, file_name, size_bytes, sha256, content, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${EVIDENCE_COLUMNS}`,
        [
          newId(),
          input.disputeId,
          input.contentType,
          input.fileName,
          input.content.length,
          input.sha256,
          input.content,
          input.at,
        ],
      );
      return { evidence: inserted[0]! };
    });
  }

  async evidenceOf(disputeId: string): Promise<EvidenceRow[]> {
    const { rows } = await this.pool.query<EvidenceRow>(
      `SELECT ${EVIDENCE_COLUMNS} FROM disputes_evidence WHERE dispute_id = $1 ORDER BY created_at, id LIMIT 20`,
      [disputeId],
    );
    return rows;
  }

  async evidenceFile(
    disputeId: string,
    evidenceId: string,
  ): Promise<{ content_type: string; file_name: string; content: Buffer } | null> {
    const { rows } = await this.pool.query<{ content_type: string; file_name: string; content: Buffer }>(
      'SELECT content_type, file_name, content FROM disputes_evidence WHERE dispute_id = $1 AND id = $2',
      [disputeId, evidenceId],
    );
    return rows[0] ?? null;
  }
}

/** int8 columns arrive as text (the pool parses no types): money back to bigint. */
function disputeOf(raw: DisputeRow): DisputeRow {
  return {
    ...raw,
    transaction_amount_minor: BigInt(raw.transaction_amount_minor),
    amount_minor: BigInt(raw.amount_minor),
    refund_amount_minor: raw.refund_amount_minor === null ? null : BigInt(raw.refund_amount_minor),
  };
}

async function insertEvent(
  client: pg.PoolClient,
  disputeId: string,
  event: {
    at: Date;
    actor: Actor;
    operatorId: string | null;
    step: string;
    from: DisputeStatus | null;
    to: DisputeStatus;
    note: string | null;
  },
): Promise<void> {
  await client.query(
    `INSERT INTO disputes_events (id, dispute_id, at, actor, operator_id, step, from_status, to_status, note)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      newId(),
      disputeId,
      event.at,
      event.actor,
      event.operatorId,
      event.step,
      event.from,
      event.to,
      event.note,
    ],
  );
}
