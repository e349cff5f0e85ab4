import type pg from 'pg';
import type { Migration } from '@qianbao/db';
import type { IntentQuote, JsonObject } from './intent-kinds.ts';

/**
 * The payment resource's table, owned by core (0070, after the outbox's 006x). One row per
 * payment a holder created: the request as given, the quote answered, and where it stands.
 *
 * - `attempt` names the current try at confirming it; each attempt's movement has an id derived
 *   from (payment, attempt), so the same attempt run twice moves money once. A refusal (nothing
 *   moved) ends the attempt: the next confirm is attempt + 1.
 * - `claimed_until`: a confirm in progress holds the row until then. A process that dies leaves
 *   it `processing` with a claim that lapses; the next confirm takes over the same attempt.
 */
export const intentMigrations: Migration[] = [
  {
    name: '0070_payments_intents',
    sql: `
CREATE TABLE payments_intents (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  kind text NOT NULL CHECK (length(kind) BETWEEN 1 AND 40),
  request jsonb NOT NULL,
  quote jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('requires_confirmation', 'processing', 'succeeded', 'failed', 'canceled', 'expired')),
  attempt integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  claimed_until timestamptz,
  result jsonb,
  last_error jsonb,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX payments_intents_user ON payments_intents (user_id, created_at DESC);
CREATE INDEX payments_intents_expiry ON payments_intents (expires_at)
  WHERE status IN ('requires_confirmation', 'canceled', 'expired');
`,
  },
];

export type IntentStatus =
  'requires_confirmation' | 'processing' | 'succeeded' | 'failed' | 'canceled' | 'expired';

export interface IntentRow {
  id: string;
  user_id: string;
  kind: string;
  request: JsonObject;
  quote: IntentQuote;
  status: IntentStatus;
  attempt: number;
  claimed_until: Date | null;
  result: JsonObject | null;
  last_error: JsonObject | null;
  created_at: Date;
  updated_at: Date;
  expires_at: Date;
}

const COLUMNS = `id, user_id, kind, request, quote, status, attempt, claimed_until, result, last_error, created_at,
  updated_at, expires_at`;

/** SQL of `payments_intents`; only intents.ts calls it. */
export class IntentStore {
  constructor(private readonly pool: pg.Pool) {}

  async insert(
    row: Omit<IntentRow, 'attempt' | 'claimed_until' | 'result' | 'last_error'>,
  ): Promise<IntentRow> {
    const { rows } = await this.pool.query<IntentRow>(
      `INSERT INTO payments_intents (id, user_id, kind, request, quote, status, created_at, updated_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       RETURNING ${COLUMNS}`,
      [
        row.id,
        row.user_id,
        row.kind,
        JSON.stringify(row.request),
        JSON.stringify(row.quote),
        row.status,
        row.created_at,
        row.updated_at,
        row.expires_at,
      ],
    );
    return rows[0]!;
  }

  /** The holder's payment; null for none, or another holder's. */
  async get(id: string, userId: string): Promise<IntentRow | null> {
    const { rows } = await this.pool.query<IntentRow>(
      `SELECT ${COLUMNS} FROM payments_intents WHERE id = $1 AND user_id = $2`,
      [id, userId],
    );
    return rows[0] ?? null;
  }

  /**
   * Take the payment for a confirm: from `requires_confirmation`, or from `processing` whose
   * claim has lapsed (its process died, or it ended in a 5xx: a takeover of the same attempt).
   * Compare-and-set on the status and attempt read, so of concurrent confirms exactly one wins.
   */
  async claim(input: {
    id: string;
    from: { status: IntentStatus; attempt: number };
    now: Date;
    until: Date;
  }): Promise<IntentRow | null> {
    const { rows } = await this.pool.query<IntentRow>(
      `UPDATE payments_intents SET status = 'processing', claimed_until = $5, updated_at = $4
        WHERE id = $1 AND status = $2 AND attempt = $3
          AND (status = 'requires_confirmation' OR claimed_until IS NULL OR claimed_until <= $4)
        RETURNING ${COLUMNS}`,
      [input.id, input.from.status, input.from.attempt, input.now, input.until],
    );
    return rows[0] ?? null;
  }

  /** The outcome of a claimed attempt. `processing` keeps the attempt (the bank still works). */
  async finish(input: {
    id: string;
    attempt: number;
    status: 'succeeded' | 'processing' | 'failed';
    result: JsonObject;
    now: Date;
  }): Promise<IntentRow | null> {
    const { rows } = await this.pool.query<IntentRow>(
      `UPDATE payments_intents SET status = $3, result = $4, claimed_until = NULL, last_error = NULL, updated_at = $5
        WHERE id = $1 AND attempt = $2 AND status = 'processing'
        RETURNING ${COLUMNS}`,
      [input.id, input.attempt, input.status, JSON.stringify(input.result), input.now],
    );
    return rows[0] ?? null;
  }

  /** A refused attempt: nothing moved; the payment waits for a confirm again, as attempt + 1. */
  /**
   * A confirm refused: the payment waits for a confirm again — as a new attempt, or (`sameAttempt`,
   * a step-up: the holder passes it for this attempt's movement) as the same one.
   */
  async refuse(input: {
    id: string;
    attempt: number;
    error: JsonObject;
    now: Date;
    sameAttempt?: boolean;
  }): Promise<void> {
    await this.pool.query(
      `UPDATE payments_intents
          SET status = 'requires_confirmation', attempt = attempt + $5, claimed_until = NULL, last_error = $3,
              updated_at = $4
        WHERE id = $1 AND attempt = $2 AND status = 'processing'`,
      [input.id, input.attempt, JSON.stringify(input.error), input.now, input.sameAttempt ? 0 : 1],
    );
  }

  /** A confirm that ended unanswered (5xx): the claim lapses now, so a retry takes over at once. */
  async release(input: { id: string; attempt: number; now: Date }): Promise<void> {
    await this.pool.query(
      `UPDATE payments_intents SET claimed_until = $3
        WHERE id = $1 AND attempt = $2 AND status = 'processing'`,
      [input.id, input.attempt, input.now],
    );
  }

  /** `requires_confirmation` → `canceled` or `expired`; null when it was not waiting any more. */
  async close(input: { id: string; to: 'canceled' | 'expired'; now: Date }): Promise<IntentRow | null> {
    const { rows } = await this.pool.query<IntentRow>(
      `UPDATE payments_intents SET status = $2, updated_at = $3
        WHERE id = $1 AND status = 'requires_confirmation'
        RETURNING ${COLUMNS}`,
      [input.id, input.to, input.now],
    );
    return rows[0] ?? null;
  }

  /**
   * Delete payments that never moved money and can no longer: canceled, expired, or past their
   * expiry unconfirmed, whose expiry is before `before`. Answers how many went. A payment that
   * succeeded, failed or is processing stays (it is the record of an attempt at moving money).
   */
  async prune(before: Date, chunk = 5000): Promise<number> {
    let deleted = 0;
    for (;;) {
      const { rowCount } = await this.pool.query(
        `DELETE FROM payments_intents WHERE id = ANY(ARRAY(
           SELECT id FROM payments_intents
            WHERE status IN ('requires_confirmation', 'canceled', 'expired') AND expires_at < $1
            LIMIT $2))`,
        [before, chunk],
      );
      deleted += rowCount ?? 0;
      if ((rowCount ?? 0) < chunk) return deleted;
    }
  }

  /** A processing payment's new state, from the module's record (the bank answered). */
  async settle(input: {
    id: string;
    attempt: number;
    status: 'succeeded' | 'failed';
    result: JsonObject;
    now: Date;
  }): Promise<IntentRow | null> {
    const { rows } = await this.pool.query<IntentRow>(
      `UPDATE payments_intents SET status = $3, result = $4, updated_at = $5
        WHERE id = $1 AND attempt = $2 AND status = 'processing' AND claimed_until IS NULL
        RETURNING ${COLUMNS}`,
      [input.id, input.attempt, input.status, JSON.stringify(input.result), input.now],
    );
    return rows[0] ?? null;
  }
}
