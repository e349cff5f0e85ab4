import { Coalescer } from '@qianbao/db';
import type pg from 'pg';
import { eventsOfWrittenRows } from '../../outbox/index.ts';
import { currentRequestId } from '../../http/request-context.ts';
import type { OutboxWake } from '../../outbox/index.ts';
import { transferHeld, transferReturned, transferSucceeded } from './events.ts';

export type TransferKind = 'phone' | 'qr' | 'payment_request';
/**
 * `succeeded` at once, or — held for review (payments/review.ts) — `under_review` until an
 * operator approves it (`succeeded`) or rejects it (`rejected`), or nobody does in time (`expired`).
 */
export type TransferStatus = 'succeeded' | 'under_review' | 'rejected' | 'expired';
export type PaymentRequestStatus = 'open' | 'paying' | 'paid' | 'cancelled';

export interface TransferRow {
  id: string;
  ledger_transfer_id: string;
  kind: TransferKind;
  status: TransferStatus;
  payer_user_id: string;
  payee_user_id: string;
  payer_display: string;
  payee_display: string;
  amount_minor: bigint;
  currency: string;
  note: string | null;
  payment_request_id: string | null;
  created_at: Date;
}

export interface PaymentRequestRow {
  id: string;
  requester_user_id: string;
  requester_display: string;
  amount_minor: bigint;
  currency: string;
  note: string | null;
  status: PaymentRequestStatus;
  attempt: number;
  claimed_by: string | null;
  claimed_at: Date | null;
  paid_by: string | null;
  paid_at: Date | null;
  ledger_transfer_id: string | null;
  cancelled_at: Date | null;
  expires_at: Date;
  created_at: Date;
}

const TRANSFER_COLUMNS = `id, ledger_transfer_id, kind, status, payer_user_id, payee_user_id, payer_display,
  payee_display, amount_minor, currency, note, payment_request_id, created_at`;
const REQUEST_COLUMNS = `id, requester_user_id, requester_display, amount_minor, currency, note, status, attempt,
  claimed_by, claimed_at, paid_by, paid_at, ledger_transfer_id, cancelled_at, expires_at, created_at`;

function firstPerTransfer(rows: readonly TransferRow[]): TransferRow[] {
  const seen = new Set<string>();
  return rows.filter((row) => !seen.has(row.ledger_transfer_id) && seen.add(row.ledger_transfer_id));
}

/** SQL of the `transfers_*` tables; only this module's service calls it. */
export class TransfersStore {
  constructor(
    private readonly db: pg.Pool,
    /** Told after a commit that appended events (outbox/). */
    private readonly events: OutboxWake,
  ) {}

  /**
   * Insert once per ledger transfer, with its `transfer.succeeded` event in the same statement
   * (a record written now, and only then, gets its event: a retry never makes a second); answers
   * the stored row (the first one on a retry).
   */
  insertTransfer(row: TransferRow): Promise<TransferRow> {
    // The statement runs in one caller's context: each event keeps the id of its own request.
    this.requestIds.set(row, currentRequestId());
    return this.inserts.call(row);
  }

  private readonly requestIds = new WeakMap<TransferRow, string | null>();

  /** Concurrent transfers share one statement (packages/db Coalescer): records and events. */
  private readonly inserts = new Coalescer<TransferRow, TransferRow>(async (calls) => {
    const column = <K extends keyof TransferRow>(key: K) => calls.map((row) => row[key]);
    const events = eventsOfWrittenRows({
      // A record's event is built from the row as it will be stored (the columns are the call's);
      // a transfer twice in one batch (two retries at once) is one record, so one event.
      events: firstPerTransfer(calls).map((row) => ({
        // A record written late (its run died after the ledger) may be of a held transfer settled
        // meanwhile: its event is that of where it stands.
        event:
          row.status === 'under_review'
            ? transferHeld(row)
            : row.status === 'succeeded'
              ? transferSucceeded(row)
              : transferReturned(row, row.created_at),
        key: row.ledger_transfer_id,
        requestId: this.requestIds.get(row) ?? null,
      })),
      written: 'written',
      keyColumn: 'ledger_transfer_id',
      firstParameter: 14,
    });
    const inserted = await this.db.query<TransferRow>(
      `WITH written AS (
         INSERT INTO transfers_transfers (${TRANSFER_COLUMNS})
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::uuid[], $7::text[],
                              $8::text[], $9::bigint[], $10::text[], $11::text[], $12::uuid[], $13::timestamptz[])
         ON CONFLICT (ledger_transfer_id) DO NOTHING
         RETURNING ${TRANSFER_COLUMNS}
       ), events AS (${events.sql})
       SELECT * FROM written`,
      [
        column('id'),
        column('ledger_transfer_id'),
        column('kind'),
        column('status'),
        column('payer_user_id'),
        column('payee_user_id'),
        column('payer_display'),
        column('payee_display'),
        column('amount_minor').map(String),
        column('currency'),
        column('note'),
        column('payment_request_id'),
        column('created_at'),
        ...events.parameters,
      ],
    );
    if (inserted.rows.length > 0) this.events.wake();
    const stored = new Map(inserted.rows.map((row) => [row.ledger_transfer_id, row]));
    // A retry's record was there already: answer the stored (first) one.
    const missing = calls.map((row) => row.ledger_transfer_id).filter((id) => !stored.has(id));
    for (const row of await this.findByLedgerIds(missing)) stored.set(row.ledger_transfer_id, row);
    return calls.map((row) => stored.get(row.ledger_transfer_id)!);
  });

  /**
   * A held transfer settled: `under_review` → `succeeded`, `rejected` or `expired`, with its event
   * in the same statement (`transfer.succeeded`: both sides' notices, as any transfer; else
   * `transfer.returned`). Once: a second settle finds it settled and answers null.
   */
  async settleHeld(input: {
    ledgerTransferId: string;
    status: Exclude<TransferStatus, 'under_review'>;
    at: Date;
  }): Promise<TransferRow | null> {
    const [current] = await this.findByLedgerIds([input.ledgerTransferId]);
    if (!current || current.status !== 'under_review') return null;
    const settled: TransferRow = { ...current, status: input.status };
    const events = eventsOfWrittenRows({
      events: [
        {
          event:
            input.status === 'succeeded'
              ? { ...transferSucceeded(settled), createdAt: input.at }
              : transferReturned(settled, input.at),
          key: input.ledgerTransferId,
        },
      ],
      written: 'written',
      keyColumn: 'ledger_transfer_id',
      firstParameter: 3,
    });
    const { rows } = await this.db.query<TransferRow>(
      `WITH written AS (
         UPDATE transfers_transfers SET status = $2
          WHERE ledger_transfer_id = $1 AND status = 'under_review'
         RETURNING ${TRANSFER_COLUMNS}
       ), events AS (${events.sql})
       SELECT * FROM written`,
      [input.ledgerTransferId, input.status, ...events.parameters],
    );
    if (rows.length > 0) this.events.wake();
    return rows[0] ?? null;
  }

  async findByLedgerIds(ledgerTransferIds: readonly string[]): Promise<TransferRow[]> {
    if (ledgerTransferIds.length === 0) return [];
    const { rows } = await this.db.query<TransferRow>(
      `SELECT ${TRANSFER_COLUMNS} FROM transfers_transfers WHERE ledger_transfer_id = ANY($1::uuid[])`,
      [ledgerTransferIds],
    );
    return rows;
  }

  async findReceiveCodeByUser(userId: string): Promise<string | null> {
    const { rows } = await this.db.query<{ token: string }>(
      'SELECT token FROM transfers_receive_codes WHERE user_id = $1',
      [userId],
    );
    return rows[0]?.token ?? null;
  }

  /** The holder's token: the existing one, or this new one (two concurrent calls agree). */
  async ensureReceiveCode(input: { userId: string; token: string; now: Date }): Promise<string> {
    await this.db.query(
      `INSERT INTO transfers_receive_codes (token, user_id, created_at) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO NOTHING`,
      [input.token, input.userId, input.now],
    );
    return (await this.findReceiveCodeByUser(input.userId))!;
  }

  async findUserByReceiveCode(token: string): Promise<string | null> {
    const { rows } = await this.db.query<{ user_id: string }>(
      'SELECT user_id FROM transfers_receive_codes WHERE token = $1',
      [token],
    );
    return rows[0]?.user_id ?? null;
  }

  async insertPaymentRequest(
    row: Pick<
      PaymentRequestRow,
      | 'id'
      | 'requester_user_id'
      | 'requester_display'
      | 'amount_minor'
      | 'currency'
      | 'note'
      | 'expires_at'
      | 'created_at'
    >,
  ): Promise<PaymentRequestRow> {
    const { rows } = await this.db.query<PaymentRequestRow>(
      `INSERT INTO transfers_payment_requests
         (id, requester_user_id, requester_display, amount_minor, currency, note, status, expires_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8)
       RETURNING ${REQUEST_COLUMNS}`,
      [
        row.id,
        row.requester_user_id,
        row.requester_display,
        row.amount_minor,
        row.currency,
        row.note,
        row.expires_at,
        row.created_at,
      ],
    );
    return rows[0]!;
  }

  async findPaymentRequest(id: string): Promise<PaymentRequestRow | null> {
    const { rows } = await this.db.query<PaymentRequestRow>(
      `SELECT ${REQUEST_COLUMNS} FROM transfers_payment_requests WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async listPaymentRequests(input: { userId: string; limit: number }): Promise<PaymentRequestRow[]> {
    const { rows } = await this.db.query<PaymentRequestRow>(
      `SELECT ${REQUEST_COLUMNS} FROM transfers_payment_requests
        WHERE requester_user_id = $1 ORDER BY created_at DESC LIMIT $2`,
      [input.userId, input.limit],
    );
    return rows;
  }

  /**
   * Take the request for one payer: open and unexpired → paying, with the next attempt number.
   * A claim older than `staleBefore` (its process died) may be taken over only when the caller
   * has checked that its ledger transfer never happened (`staleAttempt`).
   */
  async claimPaymentRequest(input: {
    id: string;
    payerUserId: string;
    now: Date;
    staleAttempt?: number;
  }): Promise<PaymentRequestRow | null> {
    const { rows } = await this.db.query<PaymentRequestRow>(
      `UPDATE transfers_payment_requests
          SET status = 'paying', attempt = attempt + 1, claimed_by = $2, claimed_at = $3
        WHERE id = $1 AND expires_at > $3
          AND (status = 'open' OR (status = 'paying' AND attempt = $4::integer))
        RETURNING ${REQUEST_COLUMNS}`,
      [input.id, input.payerUserId, input.now, input.staleAttempt ?? null],
    );
    return rows[0] ?? null;
  }

  /** The claimed attempt failed in the ledger: give the request back to other payers. */
  async releasePaymentRequest(input: { id: string; attempt: number }): Promise<void> {
    await this.db.query(
      `UPDATE transfers_payment_requests SET status = 'open', claimed_by = NULL, claimed_at = NULL
        WHERE id = $1 AND status = 'paying' AND attempt = $2`,
      [input.id, input.attempt],
    );
  }

  async markPaymentRequestPaid(input: {
    id: string;
    attempt: number;
    payerUserId: string;
    ledgerTransferId: string;
    now: Date;
  }): Promise<void> {
    await this.db.query(
      `UPDATE transfers_payment_requests
          SET status = 'paid', paid_by = $3, paid_at = $5, ledger_transfer_id = $4
        WHERE id = $1 AND status = 'paying' AND attempt = $2`,
      [input.id, input.attempt, input.payerUserId, input.ledgerTransferId, input.now],
    );
  }

  async cancelPaymentRequest(input: {
    id: string;
    userId: string;
    now: Date;
  }): Promise<PaymentRequestRow | null> {
    const { rows } = await this.db.query<PaymentRequestRow>(
      `UPDATE transfers_payment_requests SET status = 'cancelled', cancelled_at = $3
        WHERE id = $1 AND requester_user_id = $2 AND status = 'open'
        RETURNING ${REQUEST_COLUMNS}`,
      [input.id, input.userId, input.now],
    );
    return rows[0] ?? null;
  }
}
