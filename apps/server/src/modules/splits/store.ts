/**
 * SQL of the `splits_*` tables; only this module's service calls it. A share's claim by a payer
 * happens under its split's row lock (`FOR UPDATE`), so two holders racing for the last open share
 * and the organiser's close see one order; every other change is a compare-and-set on the share's
 * status and attempt. Every change another part may care about commits with its event (outbox/).
 */
import { withTransaction } from '@qianbao/db';
import type pg from 'pg';
import { appendEvents } from '../../outbox/index.ts';
import type { NewEvent, OutboxWake } from '../../outbox/index.ts';

export type SplitMode = 'open' | 'named';
export type SplitKind = 'equal' | 'custom';
export type SplitStatus = 'open' | 'completed' | 'closed';
export type ShareStatus = 'own' | 'open' | 'paying' | 'paid' | 'refunding' | 'refunded';

export interface SplitRow {
  id: string;
  organiser_user_id: string;
  organiser_display: string;
  organiser_wallet_account_id: string;
  title: string;
  mode: SplitMode;
  split: SplitKind;
  total_minor: bigint;
  currency: string;
  share_count: number;
  include_organiser: boolean;
  token: string;
  status: SplitStatus;
  last_reminded_at: Date | null;
  created_at: Date;
  completed_at: Date | null;
  closed_at: Date | null;
}

export interface ShareRow {
  id: string;
  split_id: string;
  position: number;
  amount_minor: bigint;
  participant_user_id: string | null;
  participant_display: string | null;
  participant_wallet_account_id: string | null;
  status: ShareStatus;
  attempt: number;
  claimed_at: Date | null;
  claim_payment_id: string | null;
  paid_at: Date | null;
  ledger_transfer_id: string | null;
  refund_attempt: number;
  refund_claimed_at: Date | null;
  refund_payment_id: string | null;
  refund_transfer_id: string | null;
  refunded_at: Date | null;
}

const SPLIT_COLUMNS = `id, organiser_user_id, organiser_display, organiser_wallet_account_id, title, mode, split,
  total_minor, currency, share_count, include_organiser, token, status, last_reminded_at, created_at, completed_at,
  closed_at`;
const SHARE_COLUMNS = `id, split_id, position, amount_minor, participant_user_id, participant_display,
  participant_wallet_account_id, status, attempt, claimed_at, claim_payment_id, paid_at, ledger_transfer_id,
  refund_attempt, refund_claimed_at, refund_payment_id, refund_transfer_id, refunded_at`;

export type NewSplit = Omit<SplitRow, 'status' | 'last_reminded_at' | 'completed_at' | 'closed_at'>;
export type NewShare = Pick<
  ShareRow,
  | 'id'
  | 'position'
  | 'amount_minor'
  | 'participant_user_id'
  | 'participant_display'
  | 'participant_wallet_account_id'
> & { status: 'own' | 'open' };

/** What a payer's claim of a share found under the split's lock. */
export type ClaimResult =
  | { claimed: ShareRow }
  /** The payer's share is paid (or refunded) already. */
  | { paid: ShareRow }
  /** Someone's payment is running: the payer's own share, or (open split) the only ones left. */
  | { busy: ShareRow[] }
  | { refused: 'closed' | 'full' | 'not_participant' };

export class SplitsStore {
  constructor(
    private readonly db: pg.Pool,
    private readonly events: OutboxWake,
  ) {}

  /** The split and its shares, once per id: a second insert answers the first split. */
  /**
   * The split and its shares in one transaction, with `events` of the split as written (a named
   * split's requests to its participants) — nothing when the split exists already (a retry).
   */
  async insertSplit(
    split: NewSplit,
    shares: readonly NewShare[],
    events: (split: SplitRow, shares: ShareRow[]) => NewEvent[] = () => [],
  ): Promise<SplitRow> {
    const appended = await withTransaction(this.db, async (client) => {
      const inserted = await client.query(
        `INSERT INTO splits_splits (id, organiser_user_id, organiser_display, organiser_wallet_account_id, title, mode,
           split, total_minor, currency, share_count, include_organiser, token, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'open', $13)
         ON CONFLICT (id) DO NOTHING`,
        [
          split.id,
          split.organiser_user_id,
          split.organiser_display,
          split.organiser_wallet_account_id,
          split.title,
          split.mode,
          split.split,
          split.total_minor,
          split.currency,
          split.share_count,
          split.include_organiser,
          split.token,
          split.created_at,
        ],
      );
      if (inserted.rowCount !== 1) return false;
      const written = await client.query<ShareRow>(
        `INSERT INTO splits_shares (id, split_id, position, amount_minor, participant_user_id, participant_display,
           participant_wallet_account_id, status)
         SELECT id, $1, position, amount_minor, participant_user_id, participant_display, participant_wallet_account_id,
                status
           FROM unnest($2::uuid[], $3::int[], $4::bigint[], $5::uuid[], $6::text[], $7::uuid[], $8::text[])
                AS s(id, position, amount_minor, participant_user_id, participant_display, participant_wallet_account_id,
                     status)
         RETURNING ${SHARE_COLUMNS}`,
        [
          split.id,
          shares.map((share) => share.id),
          shares.map((share) => share.position),
          shares.map((share) => share.amount_minor.toString()),
          shares.map((share) => share.participant_user_id),
          shares.map((share) => share.participant_display),
          shares.map((share) => share.participant_wallet_account_id),
          shares.map((share) => share.status),
        ],
      );
      const row = await client.query<SplitRow>(`SELECT ${SPLIT_COLUMNS} FROM splits_splits WHERE id = $1`, [
        split.id,
      ]);
      const news = events(row.rows[0]!, written.rows);
      if (news.length === 0) return false;
      await appendEvents(client, news);
      return true;
    });
    if (appended) this.events.wake();
    return (await this.findSplit(split.id))!;
  }

  async findSplit(id: string): Promise<SplitRow | null> {
    const { rows } = await this.db.query<SplitRow>(
      `SELECT ${SPLIT_COLUMNS} FROM splits_splits WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async findByToken(token: string): Promise<SplitRow | null> {
    const { rows } = await this.db.query<SplitRow>(
      `SELECT ${SPLIT_COLUMNS} FROM splits_splits WHERE token = $1`,
      [token],
    );
    return rows[0] ?? null;
  }

  /** The shares of these splits, by position. */
  async sharesOf(splitIds: readonly string[]): Promise<ShareRow[]> {
    if (splitIds.length === 0) return [];
    const { rows } = await this.db.query<ShareRow>(
      `SELECT ${SHARE_COLUMNS} FROM splits_shares WHERE split_id = ANY($1::uuid[]) ORDER BY split_id, position`,
      [splitIds],
    );
    return rows;
  }

  async findShare(id: string): Promise<ShareRow | null> {
    const { rows } = await this.db.query<ShareRow>(
      `SELECT ${SHARE_COLUMNS} FROM splits_shares WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** The holder's share of a split, if any (the organiser's own included). */
  async shareOf(splitId: string, userId: string): Promise<ShareRow | null> {
    const { rows } = await this.db.query<ShareRow>(
      `SELECT ${SHARE_COLUMNS} FROM splits_shares WHERE split_id = $1 AND participant_user_id = $2`,
      [splitId, userId],
    );
    return rows[0] ?? null;
  }

  /**
   * Take a share for one payer under the split's lock: the payer's named share, or (open split)
   * the first share nobody holds — open → paying with the next attempt number and the payer's
   * payment id. Refused when the split is closed, every share is paid, or the payer is not named.
   */
  async claim(input: {
    splitId: string;
    payer: { userId: string; display: string; walletAccountId: string };
    paymentId: string;
    now: Date;
  }): Promise<ClaimResult> {
    return withTransaction(this.db, async (client) => {
      const { rows } = await client.query<SplitRow>(
        `SELECT ${SPLIT_COLUMNS} FROM splits_splits WHERE id = $1 FOR UPDATE`,
        [input.splitId],
      );
      const split = rows[0];
      if (!split) throw new Error(`split ${input.splitId} vanished`);
      const mine = await client.query<ShareRow>(
        `SELECT ${SHARE_COLUMNS} FROM splits_shares WHERE split_id = $1 AND participant_user_id = $2`,
        [split.id, input.payer.userId],
      );
      let share = mine.rows[0];
      if (share && ['paid', 'refunding', 'refunded'].includes(share.status)) return { paid: share };
      if (share?.status === 'paying') return { busy: [share] };
      if (split.status === 'closed') return { refused: 'closed' };
      if (!share) {
        if (split.mode === 'named') return { refused: 'not_participant' };
        const free = await client.query<ShareRow>(
          `SELECT ${SHARE_COLUMNS} FROM splits_shares
            WHERE split_id = $1 AND status = 'open' AND participant_user_id IS NULL ORDER BY position LIMIT 1`,
          [split.id],
        );
        share = free.rows[0];
        if (!share) {
          const paying = await client.query<ShareRow>(
            `SELECT ${SHARE_COLUMNS} FROM splits_shares WHERE split_id = $1 AND status = 'paying'`,
            [split.id],
          );
          return paying.rows.length > 0 ? { busy: paying.rows } : { refused: 'full' };
        }
      }
      if (share.status !== 'open') throw new Error(`share ${share.id} is ${share.status}, not open`);
      const claimed = await client.query<ShareRow>(
        `UPDATE splits_shares
            SET status = 'paying', attempt = attempt + 1, claimed_at = $2, claim_payment_id = $3,
                participant_user_id = $4, participant_display = $5, participant_wallet_account_id = $6
          WHERE id = $1 AND status = 'open'
          RETURNING ${SHARE_COLUMNS}`,
        [
          share.id,
          input.now,
          input.paymentId,
          input.payer.userId,
          input.payer.display,
          input.payer.walletAccountId,
        ],
      );
      return { claimed: claimed.rows[0]! };
    });
  }

  /**
   * The claimed attempt moved no money: the share is open again — a named share still its
   * participant's, an open split's share nobody's. Once (compare-and-set on the attempt).
   */
  async release(share: Pick<ShareRow, 'id' | 'attempt'>, mode: SplitMode): Promise<void> {
    await this.db.query(
      `UPDATE splits_shares
          SET status = 'open', claimed_at = NULL, claim_payment_id = NULL,
              participant_user_id = CASE WHEN $3 = 'open' THEN NULL ELSE participant_user_id END,
              participant_display = CASE WHEN $3 = 'open' THEN NULL ELSE participant_display END,
              participant_wallet_account_id = CASE WHEN $3 = 'open' THEN NULL ELSE participant_wallet_account_id END
        WHERE id = $1 AND status = 'paying' AND attempt = $2`,
      [share.id, share.attempt, mode],
    );
  }

  /**
   * paying → paid with the attempt's ledger transfer and `split.share_paid`, under the split's
   * lock; the split is `completed` when no share is left to pay. Null when it was not that attempt
   * paying (paid already by a retry, or released).
   */
  async markPaid(input: {
    share: Pick<ShareRow, 'id' | 'attempt' | 'split_id'>;
    ledgerTransferId: string;
    at: Date;
    event: (split: SplitRow, share: ShareRow, last: boolean) => NewEvent;
  }): Promise<ShareRow | null> {
    const paid = await withTransaction(this.db, async (client) => {
      await client.query('SELECT 1 FROM splits_splits WHERE id = $1 FOR UPDATE', [input.share.split_id]);
      const { rows } = await client.query<ShareRow>(
        `UPDATE splits_shares SET status = 'paid', paid_at = $3, ledger_transfer_id = $4
          WHERE id = $1 AND status = 'paying' AND attempt = $2
          RETURNING ${SHARE_COLUMNS}`,
        [input.share.id, input.share.attempt, input.at, input.ledgerTransferId],
      );
      const share = rows[0];
      if (!share) return null;
      const completed = await client.query(
        `UPDATE splits_splits SET status = 'completed', completed_at = $2
          WHERE id = $1 AND status = 'open'
            AND NOT EXISTS (SELECT 1 FROM splits_shares WHERE split_id = $1 AND status IN ('open', 'paying'))`,
        [share.split_id, input.at],
      );
      const split = await client.query<SplitRow>(`SELECT ${SPLIT_COLUMNS} FROM splits_splits WHERE id = $1`, [
        share.split_id,
      ]);
      await appendEvents(client, [input.event(split.rows[0]!, share, completed.rowCount === 1)]);
      return share;
    });
    if (paid) this.events.wake();
    return paid;
  }

  /** open → closed: no more payments (a payment claimed before it still finishes). Null if not open. */
  async close(splitId: string, at: Date): Promise<SplitRow | null> {
    const { rows } = await this.db.query<SplitRow>(
      `UPDATE splits_splits SET status = 'closed', closed_at = $2 WHERE id = $1 AND status = 'open'
       RETURNING ${SPLIT_COLUMNS}`,
      [splitId, at],
    );
    return rows[0] ?? null;
  }

  /**
   * One round of reminders, under the split's lock: each named share not paid (nor being paid)
   * gets its `split.reminded` event, and the split remembers when — refused when the last round is
   * younger than `notBefore` allows, or nobody is left to remind.
   */
  async remind(input: {
    splitId: string;
    now: Date;
    intervalMs: number;
    event: (split: SplitRow, share: ShareRow) => NewEvent;
  }): Promise<{ reminded: ShareRow[] } | { tooSoon: Date } | { nobody: true }> {
    const result = await withTransaction(this.db, async (client) => {
      const { rows } = await client.query<SplitRow>(
        `SELECT ${SPLIT_COLUMNS} FROM splits_splits WHERE id = $1 FOR UPDATE`,
        [input.splitId],
      );
      const split = rows[0]!;
      const unpaid = await client.query<ShareRow>(
        `SELECT ${SHARE_COLUMNS} FROM splits_shares
          WHERE split_id = $1 AND status = 'open' AND participant_user_id IS NOT NULL ORDER BY position`,
        [split.id],
      );
      if (unpaid.rows.length === 0) return { nobody: true as const };
      if (split.last_reminded_at) {
        const next = new Date(split.last_reminded_at.getTime() + input.intervalMs);
        if (next > input.now) return { tooSoon: next };
      }
      await client.query('UPDATE splits_splits SET last_reminded_at = $2 WHERE id = $1', [
        split.id,
        input.now,
      ]);
      await appendEvents(
        client,
        unpaid.rows.map((share) => input.event(split, share)),
      );
      return { reminded: unpaid.rows };
    });
    if ('reminded' in result) this.events.wake();
    return result;
  }

  /** paid → refunding for one refund attempt (the next number), with the organiser's payment id. */
  async claimRefund(input: { shareId: string; paymentId: string; now: Date }): Promise<ShareRow | null> {
    const { rows } = await this.db.query<ShareRow>(
      `UPDATE splits_shares
          SET status = 'refunding', refund_attempt = refund_attempt + 1, refund_claimed_at = $2, refund_payment_id = $3
        WHERE id = $1 AND status = 'paid'
        RETURNING ${SHARE_COLUMNS}`,
      [input.shareId, input.now, input.paymentId],
    );
    return rows[0] ?? null;
  }

  /** The refund attempt moved no money: the share is paid again (compare-and-set on the attempt). */
  async releaseRefund(share: Pick<ShareRow, 'id' | 'refund_attempt'>): Promise<void> {
    await this.db.query(
      `UPDATE splits_shares SET status = 'paid', refund_claimed_at = NULL, refund_payment_id = NULL
        WHERE id = $1 AND status = 'refunding' AND refund_attempt = $2`,
      [share.id, share.refund_attempt],
    );
  }

  /** refunding → refunded with its transfer and `split.share_refunded`; null when not that attempt. */
  async markRefunded(input: {
    share: Pick<ShareRow, 'id' | 'refund_attempt'>;
    ledgerTransferId: string;
    at: Date;
    event: (split: SplitRow, share: ShareRow) => NewEvent;
  }): Promise<ShareRow | null> {
    const refunded = await withTransaction(this.db, async (client) => {
      const { rows } = await client.query<ShareRow>(
        `UPDATE splits_shares SET status = 'refunded', refunded_at = $3, refund_transfer_id = $4
          WHERE id = $1 AND status = 'refunding' AND refund_attempt = $2
          RETURNING ${SHARE_COLUMNS}`,
        [input.share.id, input.share.refund_attempt, input.at, input.ledgerTransferId],
      );
      const share = rows[0];
      if (!share) return null;
      const split = await client.query<SplitRow>(`SELECT ${SPLIT_COLUMNS} FROM splits_splits WHERE id = $1`, [
        share.split_id,
      ]);
      await appendEvents(client, [input.event(split.rows[0]!, share)]);
      return share;
    });
    if (refunded) this.events.wake();
    return refunded;
  }

  async organisedBy(userId: string, limit: number): Promise<SplitRow[]> {
    const { rows } = await this.db.query<SplitRow>(
      `SELECT ${SPLIT_COLUMNS} FROM splits_splits WHERE organiser_user_id = $1 ORDER BY created_at DESC LIMIT $2`,
      [userId, limit],
    );
    return rows;
  }

  /** The splits a holder takes part in (has a share of, not as their organiser), newest first. */
  async joinedBy(userId: string, limit: number): Promise<SplitRow[]> {
    const { rows } = await this.db.query<SplitRow>(
      `SELECT ${SPLIT_COLUMNS} FROM splits_splits
        WHERE id IN (SELECT split_id FROM splits_shares WHERE participant_user_id = $1 AND status <> 'own')
        ORDER BY created_at DESC LIMIT $2`,
      [userId, limit],
    );
    return rows;
  }

  /** For history: shares by id with their split's words, only those the viewer paid or organised. */
  async sharesForHistory(ids: readonly string[], viewerUserId: string): Promise<HistoryShare[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.db.query<HistoryShare>(
      `SELECT sh.id AS "shareId", sh.participant_user_id AS "participantUserId",
              sh.participant_display AS "participantDisplay", sp.organiser_user_id AS "organiserUserId",
              sp.organiser_display AS "organiserDisplay", sp.title
         FROM splits_shares sh JOIN splits_splits sp ON sp.id = sh.split_id
        WHERE sh.id = ANY($1::uuid[]) AND (sh.participant_user_id = $2 OR sp.organiser_user_id = $2)`,
      [ids, viewerUserId],
    );
    return rows;
  }
}

export interface HistoryShare {
  shareId: string;
  participantUserId: string | null;
  participantDisplay: string | null;
  organiserUserId: string;
  organiserDisplay: string;
  title: string;
}
