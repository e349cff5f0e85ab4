import type pg from 'pg';
import { withTransaction } from '@qianbao/db';

export interface NoteRow {
  id: string;
  user_id: string;
  operator_id: string;
  operator_name: string;
  text: string;
  created_at: Date;
}

export interface IndexEntry {
  userId: string;
  nameIndex: Buffer;
  idHead: string;
  idTail: string;
  sourceUpdatedAt: Date;
}

export interface JournalRecord {
  seq: bigint;
  prevHash: string;
  hash: string;
  firstTs: bigint;
  lastTs: bigint;
  transferCount: number;
  committedAt: Date;
}

/**
 * A transfer that moved live money: not a hold (its post counts), not a void (TransferFlags
 * pending | voidPending = 10), and not between a merchant's test accounts (AccountFlags.test = 4).
 */
const MOVED = `(flags & 10) = 0 AND NOT EXISTS
  (SELECT 1 FROM ledger_accounts a WHERE a.id = credit_account_id AND (a.flags & 4) <> 0)`;

/**
 * SQL of the `console_*` tables, and the read model's queries of the ledger's own tables (the
 * journal, the limit counters, today's transfers) and of the payment resource's — read only,
 * never written: the ledger package and payments/ keep them.
 */
export class ConsoleStore {
  constructor(private readonly pool: pg.Pool) {}

  // ---- notes ------------------------------------------------------------------------------

  /** The note and whatever `alongside` writes (its audit entry), in one transaction. */
  async insertNote(row: NoteRow, alongside: (client: pg.PoolClient) => Promise<void>): Promise<NoteRow> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<NoteRow>(
        `INSERT INTO console_notes (id, user_id, operator_id, operator_name, text, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING *`,
        [row.id, row.user_id, row.operator_id, row.operator_name, row.text, row.created_at],
      );
      await alongside(client);
      return rows[0]!;
    });
  }

  async notesOf(userId: string, limit: number): Promise<NoteRow[]> {
    const { rows } = await this.pool.query<NoteRow>(
      'SELECT * FROM console_notes WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2',
      [userId, limit],
    );
    return rows;
  }

  // ---- the holder search's index ----------------------------------------------------------

  /** Where the index is in kyc's order of changes: the newest (at, userId) it holds. */
  async indexWatermark(): Promise<{ at: Date; userId: string } | null> {
    const { rows } = await this.pool.query<{ source_updated_at: Date; user_id: string }>(
      `SELECT source_updated_at, user_id FROM console_holder_index
        ORDER BY source_updated_at DESC, user_id DESC LIMIT 1`,
    );
    return rows[0] ? { at: rows[0].source_updated_at, userId: rows[0].user_id } : null;
  }

  /** Upsert; an entry never goes back to an older state (concurrent refreshes write the same rows). */
  async upsertIndex(entries: IndexEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.pool.query(
      `INSERT INTO console_holder_index (user_id, name_index, id_head, id_tail, source_updated_at)
       SELECT * FROM unnest($1::uuid[], $2::bytea[], $3::text[], $4::text[], $5::timestamptz[])
       ON CONFLICT (user_id) DO UPDATE
         SET name_index = EXCLUDED.name_index, id_head = EXCLUDED.id_head, id_tail = EXCLUDED.id_tail,
             source_updated_at = EXCLUDED.source_updated_at
       WHERE console_holder_index.source_updated_at < EXCLUDED.source_updated_at`,
      [
        entries.map((e) => e.userId),
        entries.map((e) => e.nameIndex),
        entries.map((e) => e.idHead),
        entries.map((e) => e.idTail),
        entries.map((e) => e.sourceUpdatedAt),
      ],
    );
  }

  async usersByNameIndex(nameIndex: Buffer, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ user_id: string }>(
      'SELECT user_id FROM console_holder_index WHERE name_index = $1 ORDER BY user_id LIMIT $2',
      [nameIndex, limit],
    );
    return rows.map((row) => row.user_id);
  }

  async usersByIdEnds(input: { head: string | null; tail: string; limit: number }): Promise<string[]> {
    const { rows } = await this.pool.query<{ user_id: string }>(
      `SELECT user_id FROM console_holder_index
        WHERE id_tail = $1 AND ($2::text IS NULL OR id_head = $2) ORDER BY user_id LIMIT $3`,
      [input.tail, input.head, input.limit],
    );
    return rows.map((row) => row.user_id);
  }

  // ---- the ledger, read only --------------------------------------------------------------

  /** The limit counters' use (ledger_limit_counters), by key; absent keys are 0. */
  async limitCounters(keys: string[]): Promise<Map<string, bigint>> {
    const { rows } = await this.pool.query<{ key: string; used: bigint }>(
      'SELECT key, used FROM ledger_limit_counters WHERE key = ANY($1::text[])',
      [keys],
    );
    return new Map(rows.map((row) => [row.key, BigInt(row.used)]));
  }

  /** Journal records, newest first, before a sequence number (exclusive) when given. */
  async journal(input: { beforeSeq: bigint | null; limit: number }): Promise<JournalRecord[]> {
    const { rows } = await this.pool.query<{
      seq: bigint;
      prev_hash: Buffer;
      hash: Buffer;
      first_ts: bigint;
      last_ts: bigint;
      transfer_count: number;
      committed_at: Date;
    }>(
      `SELECT seq, prev_hash, hash, first_ts, last_ts, transfer_count, committed_at FROM ledger_journal
        WHERE ($1::bigint IS NULL OR seq < $1) ORDER BY seq DESC LIMIT $2`,
      [input.beforeSeq?.toString() ?? null, input.limit],
    );
    return rows.map((row) => ({
      seq: BigInt(row.seq),
      prevHash: row.prev_hash.toString('hex'),
      hash: row.hash.toString('hex'),
      firstTs: BigInt(row.first_ts),
      lastTs: BigInt(row.last_ts),
      transferCount: row.transfer_count,
      committedAt: row.committed_at,
    }));
  }

  /** Money moved in [from, to) µs of ledger time, per currency (live codes only). */
  async volume(input: {
    fromMicros: bigint;
    toMicros: bigint;
    codes: number[];
  }): Promise<{ currency: string; amount: bigint; count: number }[]> {
    const { rows } = await this.pool.query<{ currency: string; amount: bigint; count: number }>(
      `SELECT currency, sum(amount)::bigint AS amount, count(*)::int AS count FROM ledger_transfers
        WHERE ts >= $1 AND ts < $2 AND ${MOVED} AND code = ANY($3::int[])
        GROUP BY currency ORDER BY currency`,
      [input.fromMicros.toString(), input.toMicros.toString(), input.codes],
    );
    return rows.map((row) => ({ currency: row.currency, amount: BigInt(row.amount), count: row.count }));
  }

  /** Movements per minute in [from, to) µs: the minute's start (µs) and its count. */
  async perMinute(input: {
    fromMicros: bigint;
    toMicros: bigint;
    codes: number[];
  }): Promise<Map<bigint, number>> {
    const { rows } = await this.pool.query<{ minute: bigint; count: number }>(
      `SELECT (ts / 60000000) * 60000000 AS minute, count(*)::int AS count FROM ledger_transfers
        WHERE ts >= $1 AND ts < $2 AND ${MOVED} AND code = ANY($3::int[])
        GROUP BY 1`,
      [input.fromMicros.toString(), input.toMicros.toString(), input.codes],
    );
    return new Map(rows.map((row) => [BigInt(row.minute), row.count]));
  }

  /**
   * Failures since a moment, by code: payments (payments_intents) that ended `failed`, by their
   * error's code, and transfers the ledger refused (ledger_transfer_failures), by its result.
   */
  async failures(
    since: Date,
    until: Date,
  ): Promise<{ source: 'payment' | 'ledger'; code: string; count: number }[]> {
    const { rows } = await this.pool.query<{ source: 'payment' | 'ledger'; code: string; count: number }>(
      `SELECT 'payment' AS source, coalesce(last_error->>'code', 'UNKNOWN') AS code, count(*)::int AS count
         FROM payments_intents WHERE status = 'failed' AND updated_at >= $1 AND updated_at < $2 GROUP BY 2
       UNION ALL
       SELECT 'ledger', result, count(*)::int FROM ledger_transfer_failures
        WHERE failed_at >= $1 AND failed_at < $2 GROUP BY 2
       ORDER BY 3 DESC, 2`,
      [since, until],
    );
    return rows;
  }
}
