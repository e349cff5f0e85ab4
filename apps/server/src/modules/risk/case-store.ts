/** The SQL of `risk_cases` (case-migrations.ts); only cases.ts calls it. */
import type pg from 'pg';
import { withTransaction } from '@qianbao/db';

export type CaseStatus = 'open' | 'approved' | 'rejected' | 'expired' | 'cancelled';
export type CaseOutcome = 'approve' | 'reject' | 'expire' | 'cancel';

export interface CaseRow {
  id: string;
  movement_id: string;
  kind: string;
  holder_id: string;
  amount_minor: bigint;
  currency: string;
  payee: string;
  decision_id: string | null;
  rules: string[];
  score: number;
  status: CaseStatus;
  outcome: CaseOutcome | null;
  decided_by: string | null;
  decided_at: Date | null;
  reason: string | null;
  opened_at: Date;
  expires_at: Date;
  closed_at: Date | null;
}

const COLUMNS = `id, movement_id, kind, holder_id, amount_minor, currency, payee, decision_id, rules, score,
  status, outcome, decided_by, decided_at, reason, opened_at, expires_at, closed_at`;

type RawRow = Omit<CaseRow, 'amount_minor'> & { amount_minor: string };
const rowOf = (raw: RawRow): CaseRow => ({ ...raw, amount_minor: BigInt(raw.amount_minor) });

export class CaseStore {
  constructor(private readonly db: pg.Pool) {}

  async openCount(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM risk_cases WHERE status = 'open'`,
    );
    return rows[0]!.n;
  }

  /** The case of this movement: inserted now, or the one a retry of the payment opened before. */
  async open(
    row: Omit<CaseRow, 'status' | 'outcome' | 'decided_by' | 'decided_at' | 'reason' | 'closed_at'>,
  ) {
    const { rows } = await this.db.query<RawRow>(
      `WITH inserted AS (
         INSERT INTO risk_cases (id, movement_id, kind, holder_id, amount_minor, currency, payee, decision_id,
                                 rules, score, status, opened_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11, $12)
         ON CONFLICT (movement_id) DO NOTHING
         RETURNING ${COLUMNS}
       )
       SELECT ${COLUMNS} FROM inserted
       UNION ALL
       SELECT ${COLUMNS} FROM risk_cases WHERE movement_id = $2 AND NOT EXISTS (SELECT 1 FROM inserted)`,
      [
        row.id,
        row.movement_id,
        row.kind,
        row.holder_id,
        row.amount_minor.toString(),
        row.currency,
        row.payee,
        row.decision_id,
        row.rules,
        row.score,
        row.opened_at,
        row.expires_at,
      ],
    );
    return rowOf(rows[0]!);
  }

  async get(id: string): Promise<CaseRow | null> {
    const { rows } = await this.db.query<RawRow>(`SELECT ${COLUMNS} FROM risk_cases WHERE id = $1`, [id]);
    return rows[0] ? rowOf(rows[0]) : null;
  }

  async ofMovement(movementId: string): Promise<CaseRow | null> {
    const { rows } = await this.db.query<RawRow>(`SELECT ${COLUMNS} FROM risk_cases WHERE movement_id = $1`, [
      movementId,
    ]);
    return rows[0] ? rowOf(rows[0]) : null;
  }

  /** Newest first; `status` narrows it, `holderId` too. */
  async list(input: {
    status: CaseStatus | null;
    holderId: string | null;
    limit: number;
  }): Promise<CaseRow[]> {
    const { rows } = await this.db.query<RawRow>(
      `SELECT ${COLUMNS} FROM risk_cases
        WHERE ($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR holder_id = $2)
        ORDER BY opened_at DESC LIMIT $3`,
      [input.status, input.holderId, input.limit],
    );
    return rows.map(rowOf);
  }

  /** Record the decision on an open, undecided case (compare-and-set): null when it was not. */
  async decide(input: {
    id: string;
    outcome: CaseOutcome;
    by: string;
    reason: string | null;
    now: Date;
    /** In the decision's transaction, only when this call decided (an operator's audit entry). */
    alongside?: (client: pg.PoolClient, decided: CaseRow) => Promise<void>;
  }): Promise<CaseRow | null> {
    const decide = async (db: pg.Pool | pg.PoolClient) => {
      const { rows } = await db.query<RawRow>(
        `UPDATE risk_cases SET outcome = $2, decided_by = $3, reason = $4, decided_at = $5
          WHERE id = $1 AND status = 'open' AND outcome IS NULL
          RETURNING ${COLUMNS}`,
        [input.id, input.outcome, input.by, input.reason, input.now],
      );
      return rows[0] ? rowOf(rows[0]) : null;
    };
    const { alongside } = input;
    if (!alongside) return decide(this.db);
    return withTransaction(this.db, async (client) => {
      const decided = await decide(client);
      if (decided) await alongside(client, decided);
      return decided;
    });
  }

  /** The ledger has done what was decided: the case closes with `status` (once). */
  async close(input: {
    id: string;
    status: Exclude<CaseStatus, 'open'>;
    now: Date;
  }): Promise<CaseRow | null> {
    const { rows } = await this.db.query<RawRow>(
      `UPDATE risk_cases SET status = $2, closed_at = $3
        WHERE id = $1 AND status = 'open'
        RETURNING ${COLUMNS}`,
      [input.id, input.status, input.now],
    );
    return rows[0] ? rowOf(rows[0]) : null;
  }

  /**
   * The open cases the expiry job settles: undecided ones past their expiry, and decided ones
   * whose settling was cut short (decided more than `stuckBefore` ago and still open).
   */
  async due(input: { now: Date; stuckBefore: Date; limit: number }): Promise<CaseRow[]> {
    const { rows } = await this.db.query<RawRow>(
      `SELECT ${COLUMNS} FROM risk_cases
        WHERE status = 'open'
          AND ((outcome IS NULL AND expires_at <= $1) OR (outcome IS NOT NULL AND decided_at <= $2))
        ORDER BY expires_at LIMIT $3`,
      [input.now, input.stuckBefore, input.limit],
    );
    return rows.map(rowOf);
  }
}
