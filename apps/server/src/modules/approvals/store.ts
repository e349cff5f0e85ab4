import type pg from 'pg';
import { withTransaction } from '@qianbao/db';
import { appendEvents } from '../../outbox/index.ts';
import type { NewEvent } from '../../outbox/index.ts';
import type { ChangeKind, ChangeStatus } from './plan.ts';

/** Work in a change's own transaction (the operator's audit entry), given the row as written. */
export type Alongside = (client: pg.PoolClient, row: ChangeRow) => Promise<void>;

export interface ChangeRow {
  id: string;
  kind: ChangeKind;
  setting: string | null;
  payload: Record<string, unknown>;
  reason: string;
  maker_id: string;
  maker_name: string;
  created_at: Date;
  effective_at: Date;
  status: ChangeStatus;
  checker_id: string | null;
  checker_name: string | null;
  decided_at: Date | null;
  decision_reason: string | null;
  target_user_id: string | null;
  movement_id: string | null;
  failure_code: string | null;
  finished_at: Date | null;
}

export type NewChange = Pick<
  ChangeRow,
  | 'id'
  | 'kind'
  | 'setting'
  | 'payload'
  | 'reason'
  | 'maker_id'
  | 'maker_name'
  | 'created_at'
  | 'effective_at'
  | 'target_user_id'
>;

/** At most this many approved configuration changes are read for the values in force. */
export const MAX_APPROVED_SETTINGS = 2000;

/** SQL of the `approvals_*` tables; only this module's service calls it. */
export class ApprovalsStore {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Every change of a row takes `alongside` (the operator's audit entry), run in the change's
   * transaction only when the change is written: no change without its entry, no entry for a
   * change that did not happen (a compare-and-set lost, a retry).
   */
  async insert(row: NewChange, alongside: Alongside): Promise<ChangeRow> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<ChangeRow>(
        `INSERT INTO approvals_changes
         (id, kind, setting, payload, reason, maker_id, maker_name, created_at, effective_at, status, target_user_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'proposed', $10) RETURNING *`,
        [
          row.id,
          row.kind,
          row.setting,
          JSON.stringify(row.payload),
          row.reason,
          row.maker_id,
          row.maker_name,
          row.created_at,
          row.effective_at,
          row.target_user_id,
        ],
      );
      await alongside(client, rows[0]!);
      return rows[0]!;
    });
  }

  async get(kind: ChangeKind, id: string): Promise<ChangeRow | null> {
    const { rows } = await this.pool.query<ChangeRow>(
      'SELECT * FROM approvals_changes WHERE id = $1 AND kind = $2',
      [id, kind],
    );
    return rows[0] ?? null;
  }

  async list(input: { kind: ChangeKind; statuses: readonly ChangeStatus[] | null; limit: number }) {
    const { rows } = await this.pool.query<ChangeRow>(
      `SELECT * FROM approvals_changes
        WHERE kind = $1 AND ($2::text[] IS NULL OR status = ANY($2::text[]))
        ORDER BY created_at DESC, id DESC LIMIT $3`,
      [input.kind, input.statuses, input.limit],
    );
    return rows;
  }

  /**
   * The one decision of a proposed change: a compare-and-set on `proposed`, so of any number of
   * checkers at once exactly one moves it (the others find it decided). The maker never (the
   * CHECK says so too). An approved change takes effect no earlier than its approval.
   */
  async decide(input: {
    kind: ChangeKind;
    id: string;
    status: 'approved' | 'rejected';
    checkerId: string;
    checkerName: string;
    reason: string | null;
    at: Date;
    alongside: Alongside;
  }): Promise<ChangeRow | null> {
    return this.changeOne(input.alongside, (client) =>
      client.query<ChangeRow>(
        `UPDATE approvals_changes
          SET status = $3, checker_id = $4, checker_name = $5, decision_reason = $6, decided_at = $7,
              effective_at = CASE WHEN $3 = 'approved' THEN GREATEST(effective_at, $7) ELSE effective_at END
        WHERE id = $1 AND kind = $2 AND status = 'proposed' AND maker_id <> $4
        RETURNING *`,
        [input.id, input.kind, input.status, input.checkerId, input.checkerName, input.reason, input.at],
      ),
    );
  }

  async cancel(input: {
    kind: ChangeKind;
    id: string;
    makerId: string;
    alongside: Alongside;
  }): Promise<ChangeRow | null> {
    return this.changeOne(input.alongside, (client) =>
      client.query<ChangeRow>(
        `UPDATE approvals_changes SET status = 'cancelled'
          WHERE id = $1 AND kind = $2 AND status = 'proposed' AND maker_id = $3 RETURNING *`,
        [input.id, input.kind, input.makerId],
      ),
    );
  }

  /** One compare-and-set UPDATE, then `alongside` when it changed the row, in one transaction. */
  private changeOne(
    alongside: Alongside,
    update: (client: pg.PoolClient) => Promise<pg.QueryResult<ChangeRow>>,
  ): Promise<ChangeRow | null> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await update(client);
      const row = rows[0];
      if (!row) return null;
      await alongside(client, row);
      return row;
    });
  }

  /**
   * An approved adjustment's outcome, once: `approved` → `applied` or `failed`, with its event
   * in the same transaction (a retry after a crash finds it finished and writes nothing).
   */
  async finish(input: {
    id: string;
    status: 'applied' | 'failed';
    movementId: string;
    failureCode: string | null;
    at: Date;
    event: (row: ChangeRow) => NewEvent | null;
    alongside: Alongside;
  }): Promise<ChangeRow | null> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<ChangeRow>(
        `UPDATE approvals_changes SET status = $2, movement_id = $3, failure_code = $4, finished_at = $5
          WHERE id = $1 AND kind = 'adjustment' AND status = 'approved' RETURNING *`,
        [input.id, input.status, input.movementId, input.failureCode, input.at],
      );
      const row = rows[0];
      if (!row) return null;
      const event = input.event(row);
      if (event) await appendEvents(client, [event]);
      await input.alongside(client, row);
      return row;
    });
  }

  /** Approved adjustments whose execution has not finished, decided before `before`. */
  async unfinished(before: Date, limit: number): Promise<ChangeRow[]> {
    const { rows } = await this.pool.query<ChangeRow>(
      `SELECT * FROM approvals_changes
        WHERE kind = 'adjustment' AND status = 'approved' AND decided_at < $1
        ORDER BY decided_at LIMIT $2`,
      [before, limit],
    );
    return rows;
  }

  /**
   * The approved configuration changes that decide a value at `at` or later: of each setting the
   * one in force at `at`, and every one scheduled after it (at most MAX_APPROVED_SETTINGS).
   */
  async approvedSettings(at: Date): Promise<ChangeRow[]> {
    const { rows } = await this.pool.query<ChangeRow>(
      `(SELECT DISTINCT ON (setting) * FROM approvals_changes
         WHERE kind = 'configuration' AND status = 'approved' AND effective_at <= $1
         ORDER BY setting, effective_at DESC, decided_at DESC)
       UNION ALL
       (SELECT * FROM approvals_changes
         WHERE kind = 'configuration' AND status = 'approved' AND effective_at > $1
         ORDER BY effective_at LIMIT $2)`,
      [at, MAX_APPROVED_SETTINGS],
    );
    return rows;
  }
}
