/**
 * SQL of the `redpackets_*` tables; only this module's service calls it. A packet's remaining
 * money and shares change only under its row lock (`FOR UPDATE`), in the transaction that writes
 * the claim or the refund that changes them, so concurrent claims and the expiry sweep see one
 * order. Every change another part may care about commits with its event (outbox/).
 */
import { withTransaction } from '@qianbao/db';
import type pg from 'pg';
import { appendEvents } from '../../outbox/index.ts';
import type { NewEvent, OutboxWake } from '../../outbox/index.ts';

export type PacketKind = 'single' | 'group';
export type PacketSplit = 'fixed' | 'lucky' | 'equal';
export type PacketStatus = 'funding' | 'open' | 'finished' | 'refunding' | 'refunded' | 'failed';
export type ClaimStatus = 'pending' | 'credited' | 'returned';

export interface PacketRow {
  id: string;
  sender_user_id: string;
  sender_display: string;
  kind: PacketKind;
  split: PacketSplit;
  recipient_user_id: string | null;
  recipient_display: string | null;
  token: string | null;
  total_minor: bigint;
  currency: string;
  share_count: number;
  max_share_minor: bigint;
  remaining_minor: bigint;
  remaining_count: number;
  greeting: string;
  cover: string;
  escrow_account_id: string;
  sender_wallet_account_id: string;
  status: PacketStatus;
  refund_minor: bigint | null;
  expires_at: Date;
  created_at: Date;
  finished_at: Date | null;
  refunded_at: Date | null;
}

export interface ClaimRow {
  id: string;
  packet_id: string;
  claimer_user_id: string;
  claimer_display: string;
  claimer_wallet_account_id: string;
  amount_minor: bigint;
  status: ClaimStatus;
  created_at: Date;
  credited_at: Date | null;
}

const PACKET_COLUMNS = `id, sender_user_id, sender_display, kind, split, recipient_user_id, recipient_display, token,
  total_minor, currency, share_count, max_share_minor, remaining_minor, remaining_count, greeting, cover,
  escrow_account_id, sender_wallet_account_id, status, refund_minor, expires_at, created_at, finished_at, refunded_at`;
const CLAIM_COLUMNS = `id, packet_id, claimer_user_id, claimer_display, claimer_wallet_account_id, amount_minor, status,
  created_at, credited_at`;

/** What drawing a share under the packet's lock found. */
export type DrawResult =
  | { drawn: ClaimRow; packet: PacketRow }
  | { existing: ClaimRow }
  | { refused: 'empty' | 'expired' | 'gone'; packet: PacketRow };

export type NewPacket = Omit<
  PacketRow,
  'status' | 'refund_minor' | 'finished_at' | 'refunded_at' | 'remaining_minor' | 'remaining_count'
>;

export class RedPacketsStore {
  constructor(
    private readonly db: pg.Pool,
    private readonly events: OutboxWake,
  ) {}

  /** The packet as the send writes it before its money moves (`funding`); once per id. */
  async insertFunding(row: NewPacket): Promise<PacketRow> {
    await this.db.query(
      `INSERT INTO redpackets_packets (id, sender_user_id, sender_display, kind, split, recipient_user_id,
         recipient_display, token, total_minor, currency, share_count, max_share_minor, remaining_minor,
         remaining_count, greeting, cover, escrow_account_id, sender_wallet_account_id, status, expires_at,
         created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $9, $11, $13, $14, $15, $16, 'funding', $17, $18)
       ON CONFLICT (id) DO NOTHING`,
      [
        row.id,
        row.sender_user_id,
        row.sender_display,
        row.kind,
        row.split,
        row.recipient_user_id,
        row.recipient_display,
        row.token,
        row.total_minor,
        row.currency,
        row.share_count,
        row.max_share_minor,
        row.greeting,
        row.cover,
        row.escrow_account_id,
        row.sender_wallet_account_id,
        row.expires_at,
        row.created_at,
      ],
    );
    return (await this.findPacket(row.id))!;
  }

  /** funding → open, with `red_packet.sent`; null when it was not `funding` (opened already, failed). */
  async open(id: string, event: (packet: PacketRow) => NewEvent): Promise<PacketRow | null> {
    return this.transition(id, `status = 'open'`, `status = 'funding'`, event);
  }

  /** funding → failed: the ledger refused (or never received) its money. */
  async fail(id: string): Promise<PacketRow | null> {
    return this.transition(id, `status = 'failed'`, `status = 'funding'`, null);
  }

  /** refunding → refunded, with `red_packet.refunded`. */
  async refunded(id: string, at: Date, event: (packet: PacketRow) => NewEvent): Promise<PacketRow | null> {
    return this.transition(id, `status = 'refunded', refunded_at = $2`, `status = 'refunding'`, event, [at]);
  }

  private async transition(
    id: string,
    set: string,
    when: string,
    event: ((packet: PacketRow) => NewEvent) | null,
    extra: unknown[] = [],
  ): Promise<PacketRow | null> {
    const row = await withTransaction(this.db, async (client) => {
      const { rows } = await client.query<PacketRow>(
        `UPDATE redpackets_packets SET ${set} WHERE id = $1 AND ${when} RETURNING ${PACKET_COLUMNS}`,
        [id, ...extra],
      );
      const updated = rows[0] ?? null;
      if (updated && event) await appendEvents(client, [event(updated)]);
      return updated;
    });
    if (row && event) this.events.wake();
    return row;
  }

  async findPacket(id: string): Promise<PacketRow | null> {
    const { rows } = await this.db.query<PacketRow>(
      `SELECT ${PACKET_COLUMNS} FROM redpackets_packets WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async findByToken(token: string): Promise<PacketRow | null> {
    const { rows } = await this.db.query<PacketRow>(
      `SELECT ${PACKET_COLUMNS} FROM redpackets_packets WHERE token = $1`,
      [token],
    );
    return rows[0] ?? null;
  }

  /** The holder's claim of a packet that counts (pending or credited), if any. */
  async claimOf(packetId: string, userId: string): Promise<ClaimRow | null> {
    const { rows } = await this.db.query<ClaimRow>(
      `SELECT ${CLAIM_COLUMNS} FROM redpackets_claims
        WHERE packet_id = $1 AND claimer_user_id = $2 AND status <> 'returned'`,
      [packetId, userId],
    );
    return rows[0] ?? null;
  }

  /** Every claim of a packet that counts, oldest first (at most its share count). */
  async claimsOf(packetId: string): Promise<ClaimRow[]> {
    const { rows } = await this.db.query<ClaimRow>(
      `SELECT ${CLAIM_COLUMNS} FROM redpackets_claims
        WHERE packet_id = $1 AND status <> 'returned' ORDER BY created_at, id`,
      [packetId],
    );
    return rows;
  }

  async findClaim(id: string): Promise<ClaimRow | null> {
    const { rows } = await this.db.query<ClaimRow>(
      `SELECT ${CLAIM_COLUMNS} FROM redpackets_claims WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /**
   * Draw a share for one holder under the packet's row lock: refused when the packet is not open,
   * expired or empty; the holder's claim when there is one already (also one made at this moment by
   * the same holder elsewhere: the unique index decides); else the claim row (`pending`) and the
   * packet's remaining money and shares, in one transaction. `draw` gets the locked packet.
   */
  async draw(input: {
    packetId: string;
    claim: Pick<ClaimRow, 'id' | 'claimer_user_id' | 'claimer_display' | 'claimer_wallet_account_id'>;
    now: Date;
    draw: (packet: PacketRow) => bigint;
  }): Promise<DrawResult> {
    return withTransaction(this.db, async (client) => {
      const { rows } = await client.query<PacketRow>(
        `SELECT ${PACKET_COLUMNS} FROM redpackets_packets WHERE id = $1 FOR UPDATE`,
        [input.packetId],
      );
      const packet = rows[0];
      if (!packet) throw new Error(`red packet ${input.packetId} vanished`);
      const existing = await client.query<ClaimRow>(
        `SELECT ${CLAIM_COLUMNS} FROM redpackets_claims
          WHERE packet_id = $1 AND claimer_user_id = $2 AND status <> 'returned'`,
        [packet.id, input.claim.claimer_user_id],
      );
      if (existing.rows[0]) return { existing: existing.rows[0] };
      if (packet.status === 'funding' || packet.status === 'failed') return { refused: 'gone', packet };
      if (packet.status === 'refunding' || packet.status === 'refunded' || packet.expires_at <= input.now)
        return { refused: 'expired', packet };
      if (packet.status === 'finished' || packet.remaining_count === 0) return { refused: 'empty', packet };
      const amount = input.draw(packet);
      const inserted = await client.query<ClaimRow>(
        `INSERT INTO redpackets_claims (${CLAIM_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, NULL)
         ON CONFLICT (packet_id, claimer_user_id) WHERE status <> 'returned' DO NOTHING
         RETURNING ${CLAIM_COLUMNS}`,
        [
          input.claim.id,
          packet.id,
          input.claim.claimer_user_id,
          input.claim.claimer_display,
          input.claim.claimer_wallet_account_id,
          amount,
          input.now,
        ],
      );
      const drawn = inserted.rows[0];
      if (!drawn) throw new Error('a claim appeared under the packet lock');
      const updated = await client.query<PacketRow>(
        `UPDATE redpackets_packets
            SET remaining_minor = remaining_minor - $2, remaining_count = remaining_count - 1,
                status = CASE WHEN remaining_count = 1 THEN 'finished' ELSE status END,
                finished_at = CASE WHEN remaining_count = 1 THEN $3 ELSE finished_at END
          WHERE id = $1 RETURNING ${PACKET_COLUMNS}`,
        [packet.id, amount, input.now],
      );
      return { drawn, packet: updated.rows[0]! };
    });
  }

  /** pending → credited, with `red_packet.claimed`; null when it was credited (or returned) already. */
  async credit(
    claimId: string,
    at: Date,
    event: (packet: PacketRow, claim: ClaimRow) => NewEvent,
  ): Promise<ClaimRow | null> {
    const claim = await withTransaction(this.db, async (client) => {
      const { rows } = await client.query<ClaimRow>(
        `UPDATE redpackets_claims SET status = 'credited', credited_at = $2
          WHERE id = $1 AND status = 'pending' RETURNING ${CLAIM_COLUMNS}`,
        [claimId, at],
      );
      const credited = rows[0];
      if (!credited) return null;
      const packet = await client.query<PacketRow>(
        `SELECT ${PACKET_COLUMNS} FROM redpackets_packets WHERE id = $1`,
        [credited.packet_id],
      );
      await appendEvents(client, [event(packet.rows[0]!, credited)]);
      return credited;
    });
    if (claim) this.events.wake();
    return claim;
  }

  /**
   * pending → returned (the claimer's balance cap refused the share): the share goes back to the
   * packet under its lock — a finished packet is open again — once.
   */
  async returnShare(claimId: string): Promise<boolean> {
    return withTransaction(this.db, async (client) => {
      const claim = await client.query<ClaimRow>(
        `SELECT ${CLAIM_COLUMNS} FROM redpackets_claims WHERE id = $1`,
        [claimId],
      );
      const packetId = claim.rows[0]?.packet_id;
      if (!packetId) return false;
      await client.query('SELECT 1 FROM redpackets_packets WHERE id = $1 FOR UPDATE', [packetId]);
      const { rows } = await client.query<ClaimRow>(
        `UPDATE redpackets_claims SET status = 'returned' WHERE id = $1 AND status = 'pending'
         RETURNING ${CLAIM_COLUMNS}`,
        [claimId],
      );
      const returned = rows[0];
      if (!returned) return false;
      // A packet only stops taking claims (refunding) once none is pending, so it is open or finished.
      await client.query(
        `UPDATE redpackets_packets
            SET remaining_minor = remaining_minor + $2, remaining_count = remaining_count + 1,
                status = 'open', finished_at = NULL
          WHERE id = $1 AND status IN ('open', 'finished')`,
        [packetId, returned.amount_minor],
      );
      return true;
    });
  }

  /**
   * An expired open packet stops taking claims and owes its sender what is left: open → refunding
   * with `refund_minor`, under its lock, only when no claim of it is pending (a pending claim has
   * its share already and is finished first). Answers the packet in `refunding` (also one a crash
   * left there), or null when there is nothing to refund now.
   */
  async startRefund(packetId: string, now: Date): Promise<PacketRow | null> {
    return withTransaction(this.db, async (client) => {
      const { rows } = await client.query<PacketRow>(
        `SELECT ${PACKET_COLUMNS} FROM redpackets_packets WHERE id = $1 FOR UPDATE`,
        [packetId],
      );
      const packet = rows[0];
      if (!packet) return null;
      if (packet.status === 'refunding') return packet;
      if (packet.status !== 'open' || packet.expires_at > now) return null;
      const pending = await client.query(
        `SELECT 1 FROM redpackets_claims WHERE packet_id = $1 AND status = 'pending' LIMIT 1`,
        [packetId],
      );
      if (pending.rows.length > 0) return null;
      const updated = await client.query<PacketRow>(
        `UPDATE redpackets_packets
            SET status = 'refunding', refund_minor = remaining_minor, remaining_minor = 0, remaining_count = 0
          WHERE id = $1 RETURNING ${PACKET_COLUMNS}`,
        [packetId],
      );
      return updated.rows[0]!;
    });
  }

  /** Open packets past their expiry, oldest first. */
  async dueForExpiry(now: Date, limit: number): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      `SELECT id FROM redpackets_packets WHERE status = 'open' AND expires_at <= $1 ORDER BY expires_at LIMIT $2`,
      [now, limit],
    );
    return rows.map((row) => row.id);
  }

  /** Packets a crash left in `funding` or `refunding` before `before`. */
  async unsettled(before: Date, limit: number): Promise<PacketRow[]> {
    const { rows } = await this.db.query<PacketRow>(
      `SELECT ${PACKET_COLUMNS} FROM redpackets_packets
        WHERE status IN ('funding', 'refunding') AND created_at <= $1 ORDER BY created_at LIMIT $2`,
      [before, limit],
    );
    return rows;
  }

  /** Claims drawn before `before` whose ledger transfer is not answered yet (optionally of one packet). */
  async pendingClaims(input: { before: Date; limit: number; packetId?: string }): Promise<ClaimRow[]> {
    const { rows } = await this.db.query<ClaimRow>(
      `SELECT ${CLAIM_COLUMNS} FROM redpackets_claims
        WHERE status = 'pending' AND created_at <= $1 AND ($3::uuid IS NULL OR packet_id = $3)
        ORDER BY created_at LIMIT $2`,
      [input.before, input.limit, input.packetId ?? null],
    );
    return rows;
  }

  /** The packets a holder sent, newest first (funding and failed ones are nobody's business). */
  async sentBy(userId: string, limit: number): Promise<PacketRow[]> {
    const { rows } = await this.db.query<PacketRow>(
      `SELECT ${PACKET_COLUMNS} FROM redpackets_packets
        WHERE sender_user_id = $1 AND status NOT IN ('funding', 'failed') ORDER BY created_at DESC LIMIT $2`,
      [userId, limit],
    );
    return rows;
  }

  /**
   * What a holder received, newest first: each claim that counts with its packet, and the
   * one-to-one packets sent to the holder and not opened (claim null).
   */
  async receivedBy(userId: string, limit: number): Promise<{ packet: PacketRow; claim: ClaimRow | null }[]> {
    const { rows } = await this.db.query<PacketRow & { claim: ClaimRow | null }>(
      `SELECT * FROM (
         SELECT ${prefixed('p', PACKET_COLUMNS)}, row_to_json(c) AS claim, c.created_at AS at
           FROM redpackets_claims c JOIN redpackets_packets p ON p.id = c.packet_id
          WHERE c.claimer_user_id = $1 AND c.status <> 'returned'
         UNION ALL
         SELECT ${prefixed('p', PACKET_COLUMNS)}, NULL, p.created_at AS at
           FROM redpackets_packets p
          WHERE p.recipient_user_id = $1 AND p.status NOT IN ('funding', 'failed')
            AND NOT EXISTS (SELECT 1 FROM redpackets_claims c
                             WHERE c.packet_id = p.id AND c.claimer_user_id = $1 AND c.status <> 'returned')
       ) received ORDER BY at DESC LIMIT $2`,
      [userId, limit],
    );
    return rows.map(({ claim, ...packet }) => ({
      packet: packet,
      claim: claim ? claimOfJson(claim as unknown as Record<string, unknown>) : null,
    }));
  }

  /** For history: claims by id (with their packets), only the viewer's own. */
  async claimsForHistory(
    ids: readonly string[],
    viewerUserId: string,
  ): Promise<{ claimId: string; senderDisplay: string; greeting: string }[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.db.query<{ claim_id: string; sender_display: string; greeting: string }>(
      `SELECT c.id AS claim_id, p.sender_display, p.greeting
         FROM redpackets_claims c JOIN redpackets_packets p ON p.id = c.packet_id
        WHERE c.id = ANY($1::uuid[]) AND c.claimer_user_id = $2`,
      [ids, viewerUserId],
    );
    return rows.map((row) => ({
      claimId: row.claim_id,
      senderDisplay: row.sender_display,
      greeting: row.greeting,
    }));
  }

  /** For history: the viewer's own packets by id. */
  async packetsForHistory(ids: readonly string[], senderUserId: string): Promise<PacketRow[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.db.query<PacketRow>(
      `SELECT ${PACKET_COLUMNS} FROM redpackets_packets WHERE id = ANY($1::uuid[]) AND sender_user_id = $2`,
      [ids, senderUserId],
    );
    return rows;
  }
}

function prefixed(alias: string, columns: string): string {
  return columns
    .split(',')
    .map((column) => `${alias}.${column.trim()}`)
    .join(', ');
}

/** A claim row read through `row_to_json`: bigints and times arrive as JSON. */
function claimOfJson(json: Record<string, unknown>): ClaimRow {
  return {
    id: json.id as string,
    packet_id: json.packet_id as string,
    claimer_user_id: json.claimer_user_id as string,
    claimer_display: json.claimer_display as string,
    claimer_wallet_account_id: json.claimer_wallet_account_id as string,
    amount_minor: BigInt(json.amount_minor as number | string),
    status: json.status as ClaimStatus,
    created_at: new Date(json.created_at as string),
    credited_at: json.credited_at ? new Date(json.credited_at as string) : null,
  };
}
