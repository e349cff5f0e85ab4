import type pg from 'pg';
import { Coalescer, byKey, withTransaction } from '@qianbao/db';
import { newId } from '@qianbao/ledger';
import { NO_WAKE, appendEvents } from '../../outbox/index.ts';
import type { NewEvent, OutboxWake } from '../../outbox/index.ts';
import { frozen, lifted, lossReported } from './events.ts';
import type { FreezeMode, FreezeSource } from './events.ts';
import { decideFreeze } from './rules.ts';

/**
 * SQL of the `freeze_*` tables; only this module's service calls it. Every time comes from the
 * service's clock. A change appends its event (events.ts) and its audit row in the transaction
 * that records it, and wakes the dispatchers after the commit.
 */

export interface FreezeRow {
  id: string;
  userId: string;
  mode: FreezeMode;
  source: FreezeSource;
  reason: string;
  operatorId: string | null;
  setAt: Date;
  changedAt: Date;
  liftedAt: Date | null;
  liftedBy: 'holder' | 'operator' | null;
  liftedByOperatorId: string | null;
  liftReason: string | null;
}

interface FreezeRecord {
  id: string;
  user_id: string;
  mode: FreezeMode;
  source: FreezeSource;
  reason: string;
  operator_id: string | null;
  set_at: Date;
  changed_at: Date;
  lifted_at: Date | null;
  lifted_by: 'holder' | 'operator' | null;
  lifted_by_operator_id: string | null;
  lift_reason: string | null;
}

const COLUMNS = `id, user_id, mode, source, reason, operator_id, set_at, changed_at, lifted_at, lifted_by,
  lifted_by_operator_id, lift_reason`;

function toFreeze(row: FreezeRecord): FreezeRow {
  return {
    id: row.id,
    userId: row.user_id,
    mode: row.mode,
    source: row.source,
    reason: row.reason,
    operatorId: row.operator_id,
    setAt: row.set_at,
    changedAt: row.changed_at,
    liftedAt: row.lifted_at,
    liftedBy: row.lifted_by,
    liftedByOperatorId: row.lifted_by_operator_id,
    liftReason: row.lift_reason,
  };
}

/** Who did it and from where, for freeze_audit. */
export interface AuditContext {
  actor: FreezeSource;
  operatorId: string | null;
  ip: string | null;
  userAgent: string | null;
  deviceId: string | null;
}

export type FreezeOutcome =
  { kind: 'frozen' | 'changed' | 'unchanged'; row: FreezeRow } | { kind: 'needsOperator'; row: FreezeRow };

export type LiftOutcome =
  { kind: 'lifted'; row: FreezeRow } | { kind: 'notFrozen' } | { kind: 'needsOperator'; row: FreezeRow };

/** A concurrent freeze inserted and another lifted it between our two statements: try again. */
const MAX_FREEZE_ROUNDS = 3;

export class FreezeStore {
  constructor(
    private readonly pool: pg.Pool,
    /** Told after a change and its event commit (outbox/). */
    private readonly events: OutboxWake = NO_WAKE,
  ) {}

  /** Live freezes by mode: the rows of the partial unique index (one per frozen holder). */
  async liveCounts(): Promise<Map<FreezeMode, number>> {
    const { rows } = await this.pool.query<{ mode: FreezeMode; n: number }>(
      'SELECT mode, count(*)::int AS n FROM freeze_freezes WHERE lifted_at IS NULL GROUP BY mode',
    );
    return new Map(rows.map((row) => [row.mode, row.n]));
  }

  /**
   * The live freeze of each holder asked for, by the partial unique index; concurrent calls
   * share one statement (packages/db Coalescer: a call never joins a statement already sent, so
   * it always sees what committed before it was made). No cache: a freeze stops money at once on
   * every server.
   */
  private readonly liveFreezes = new Coalescer<string, FreezeRow | null>(async (userIds) => {
    const { rows } = await this.pool.query<FreezeRecord>(
      `SELECT ${COLUMNS} FROM freeze_freezes WHERE user_id = ANY($1::uuid[]) AND lifted_at IS NULL`,
      [userIds],
    );
    return byKey(userIds, rows.map(toFreeze), (row) => row.userId);
  });

  live(userId: string): Promise<FreezeRow | null> {
    return this.liveFreezes.call(userId);
  }

  /**
   * Freeze, or tighten the live freeze (rules.ts). One live freeze per holder whatever arrives
   * together: the partial unique index lets one insert win, the others wait for it, then find
   * it under its row lock and decide again. The event and the audit row go with the change.
   */
  async freeze(input: {
    userId: string;
    mode: FreezeMode;
    source: FreezeSource;
    reason: string;
    operatorId: string | null;
    context: AuditContext;
    now: Date;
    /** Runs in the transaction when the freeze is set or changed (an operator's audit entry); not for a repeat. */
    alongside?: (client: pg.PoolClient) => Promise<void>;
  }): Promise<FreezeOutcome> {
    const outcome = await withTransaction(this.pool, async (client) => {
      for (let round = 0; round < MAX_FREEZE_ROUNDS; round += 1) {
        const live = await this.lockLive(client, input.userId);
        if (!live) {
          const { rows } = await client.query<FreezeRecord>(
            `INSERT INTO freeze_freezes (id, user_id, mode, source, reason, operator_id, set_at, changed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
             ON CONFLICT (user_id) WHERE lifted_at IS NULL DO NOTHING
             RETURNING ${COLUMNS}`,
            [
              newId(),
              input.userId,
              input.mode,
              input.source,
              input.reason,
              input.source === 'operator' ? input.operatorId : null,
              input.now,
            ],
          );
          if (!rows[0]) continue; // another request froze first: decide against its freeze
          const row = toFreeze(rows[0]);
          await this.record(client, row, 'frozen', input, [
            frozen({ ...ofRow(row), previousMode: null, at: input.now }),
          ]);
          await input.alongside?.(client);
          return { kind: 'frozen' as const, row };
        }
        const decision = decideFreeze(live, input);
        if (decision.kind === 'unchanged') return { kind: 'unchanged' as const, row: live };
        if (decision.kind === 'needsOperator') return { kind: 'needsOperator' as const, row: live };
        const takenOver = decision.source !== live.source;
        const reason = takenOver || input.source === live.source ? input.reason : live.reason;
        const operatorId =
          decision.source !== 'operator' ? null : takenOver ? input.operatorId : live.operatorId;
        const { rows } = await client.query<FreezeRecord>(
          `UPDATE freeze_freezes SET mode = $2, source = $3, reason = $4, operator_id = $5, changed_at = $6
            WHERE id = $1 RETURNING ${COLUMNS}`,
          [live.id, decision.mode, decision.source, reason, operatorId, input.now],
        );
        const row = toFreeze(rows[0]!);
        await this.record(client, row, 'changed', input, [
          frozen({ ...ofRow(row), previousMode: live.mode, at: input.now }),
        ]);
        await input.alongside?.(client);
        return { kind: 'changed' as const, row };
      }
      throw new Error(`the freeze of holder ${input.userId} kept changing under us`);
    });
    if (outcome.kind === 'frozen' || outcome.kind === 'changed') this.events.wake();
    return outcome;
  }

  /**
   * Lift the live freeze (compare-and-set): a holder only one of a kind the holder may lift.
   * With `freeze.lifted` and the audit row.
   */
  async lift(input: {
    userId: string;
    by: 'holder' | 'operator';
    operatorId: string | null;
    reason: string;
    context: AuditContext;
    now: Date;
    /** Runs in the transaction when the freeze is lifted (an operator's audit entry). */
    alongside?: (client: pg.PoolClient) => Promise<void>;
  }): Promise<LiftOutcome> {
    const outcome = await withTransaction(this.pool, async (client): Promise<LiftOutcome> => {
      const live = await this.lockLive(client, input.userId);
      if (!live) return { kind: 'notFrozen' };
      if (input.by === 'holder' && live.source !== 'holder' && live.source !== 'report_loss') {
        return { kind: 'needsOperator', row: live };
      }
      const { rows } = await client.query<FreezeRecord>(
        `UPDATE freeze_freezes
            SET lifted_at = $2, lifted_by = $3, lifted_by_operator_id = $4, lift_reason = $5
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [live.id, input.now, input.by, input.by === 'operator' ? input.operatorId : null, input.reason],
      );
      const row = toFreeze(rows[0]!);
      await this.record(client, row, 'lifted', { ...input, reason: input.reason }, [
        lifted({ ...ofRow(row), liftedBy: input.by, at: input.now }),
      ]);
      await input.alongside?.(client);
      return { kind: 'lifted', row };
    });
    if (outcome.kind === 'lifted') this.events.wake();
    return outcome;
  }

  /**
   * What a lost-phone report did besides the freeze: the devices marked lost (the first report of
   * a device stands), the audit row and `freeze.loss_reported`, together.
   */
  async recordLossReport(input: {
    userId: string;
    freeze: FreezeRow;
    deviceIds: readonly string[];
    sessionsEnded: number;
    passkeysSuspended: number;
    context: AuditContext;
    now: Date;
  }): Promise<void> {
    await withTransaction(this.pool, async (client) => {
      // The holder's live freeze row first, as every transaction with this holder's events does.
      await this.lockLive(client, input.userId);
      if (input.deviceIds.length > 0) {
        await client.query(
          `INSERT INTO freeze_lost_devices (user_id, device_id, freeze_id, reported_at)
           SELECT $1, device_id, $2, $3 FROM unnest($4::text[]) AS device_id
           ON CONFLICT (user_id, device_id) DO NOTHING`,
          [input.userId, input.freeze.id, input.now, input.deviceIds],
        );
      }
      await this.record(
        client,
        input.freeze,
        'loss_reported',
        {
          reason: 'phone reported lost',
          context: input.context,
          now: input.now,
          details: {
            sessionsEnded: input.sessionsEnded,
            devicesLost: input.deviceIds.length,
            passkeysSuspended: input.passkeysSuspended,
          },
        },
        [
          lossReported({
            userId: input.userId,
            freezeId: input.freeze.id,
            sessionsEnded: input.sessionsEnded,
            devicesLost: input.deviceIds.length,
            passkeysSuspended: input.passkeysSuspended,
            at: input.now,
          }),
        ],
      );
    });
    this.events.wake();
  }

  async isDeviceLost(userId: string, deviceId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'SELECT 1 FROM freeze_lost_devices WHERE user_id = $1 AND device_id = $2',
      [userId, deviceId],
    );
    return rowCount === 1;
  }

  /** The holder's freezes, newest first. */
  async history(userId: string, limit: number): Promise<FreezeRow[]> {
    const { rows } = await this.pool.query<FreezeRecord>(
      `SELECT ${COLUMNS} FROM freeze_freezes WHERE user_id = $1 ORDER BY set_at DESC, id DESC LIMIT $2`,
      [userId, limit],
    );
    return rows.map(toFreeze);
  }

  private async lockLive(client: pg.PoolClient, userId: string): Promise<FreezeRow | null> {
    const { rows } = await client.query<FreezeRecord>(
      `SELECT ${COLUMNS} FROM freeze_freezes WHERE user_id = $1 AND lifted_at IS NULL FOR UPDATE`,
      [userId],
    );
    return rows[0] ? toFreeze(rows[0]) : null;
  }

  private async record(
    client: pg.PoolClient,
    row: FreezeRow,
    action: 'frozen' | 'changed' | 'lifted' | 'loss_reported',
    input: { reason: string; context: AuditContext; now: Date; details?: Record<string, number> },
    events: NewEvent[],
  ): Promise<void> {
    const { context } = input;
    await client.query(
      `INSERT INTO freeze_audit (id, user_id, freeze_id, action, mode, source, actor, operator_id, reason,
         ip_address, user_agent, device_id, details, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        newId(),
        row.userId,
        row.id,
        action,
        row.mode,
        row.source,
        context.actor,
        context.operatorId,
        input.reason,
        context.ip,
        context.userAgent,
        context.deviceId,
        JSON.stringify(input.details ?? {}),
        input.now,
      ],
    );
    await appendEvents(client, events);
  }
}

function ofRow(row: FreezeRow) {
  return { userId: row.userId, freezeId: row.id, mode: row.mode, source: row.source };
}
