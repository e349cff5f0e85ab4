/**
 * SQL of the history projection (migrations.ts): the entries, the cursor and the projector's
 * lock. Pages are keyset reads on (account_id, ts DESC): one indexed range, filters applied on
 * the way, `limit + 1` rows to know whether another page follows.
 */
import type pg from 'pg';
import { TransferCodes } from '../../platform/codes.ts';

export type TransactionStatus = 'succeeded' | 'pending' | 'released';

/** What the ledger says of one holder's side of a transfer: never changes. */
export interface EntryFacts {
  accountId: string;
  ledgerTransferId: string;
  userId: string;
  /** Ledger time, µs since the epoch: the order. */
  ts: bigint;
  direction: 'in' | 'out';
  amountMinor: bigint;
  currency: string;
  status: TransactionStatus;
  ledgerCode: number;
  pendingId: string | null;
  userData: string | null;
}

/** What the module that made the transfer says of it (or its ledger code, until it has). */
export interface EntryDescription {
  type: string;
  label: { 'zh-CN': string; en: string };
  counterpartyUserId: string | null;
  counterpartyDisplay: string | null;
  note: string | null;
  paymentRequestId: string | null;
  fundingId: string | null;
  parties: { payer: string; payee: string } | null;
  /** False while only the ledger code describes it. */
  described: boolean;
}

export type Entry = EntryFacts & EntryDescription;

export interface EntryFilter {
  type?: string | undefined;
  direction?: 'in' | 'out' | undefined;
  fromMicros?: bigint | undefined;
  /** Inclusive. */
  toMicros?: bigint | undefined;
  minAmountMinor?: bigint | undefined;
  maxAmountMinor?: bigint | undefined;
  counterpartyUserId?: string | undefined;
  /** Text in the counterparty's masked name (any case). */
  counterpartyText?: string | undefined;
  /** Text in the note, the counterparty's name or the label (any case). */
  q?: string | undefined;
}

interface EntryRow {
  account_id: string;
  ledger_transfer_id: string;
  user_id: string;
  ts: bigint;
  direction: 'in' | 'out';
  amount_minor: bigint;
  currency: string;
  status: TransactionStatus;
  ledger_code: number;
  pending_id: string | null;
  user_data: string | null;
  type: string;
  label_zh: string;
  label_en: string;
  counterparty_user_id: string | null;
  counterparty_display: string | null;
  note: string | null;
  payment_request_id: string | null;
  funding_id: string | null;
  payer_display: string | null;
  payee_display: string | null;
  described: boolean;
}

const COLUMNS = `account_id, ledger_transfer_id, user_id, ts, direction, amount_minor, currency, status,
  ledger_code, pending_id, user_data, type, label_zh, label_en, counterparty_user_id,
  counterparty_display, note, payment_request_id, funding_id, payer_display, payee_display, described`;

/** The advisory lock of the projector: one at a time across every server process. */
const PROJECTOR_LOCK = 'history:projector';

/** Lower-cased text a `q` search looks in: the note, the counterparty's name, both labels. */
export function searchTextOf(description: EntryDescription): string {
  return [description.note, description.counterpartyDisplay, description.label['zh-CN'], description.label.en]
    .filter((text): text is string => typeof text === 'string' && text.length > 0)
    .join('\n')
    .toLowerCase();
}

/** `%text%` for LIKE, with the pattern's own characters escaped. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

export class HistoryStore {
  constructor(private readonly pool: pg.Pool) {}

  /** On `pool` when given: a replica's, to learn how far it has replayed the projection. */
  async cursor(pool: pg.Pool = this.pool): Promise<bigint> {
    const { rows } = await pool.query<{ last_ts: bigint }>('SELECT last_ts FROM history_cursor');
    return rows[0]!.last_ts;
  }

  /**
   * In the projector's transaction: wait for the projector's lock (held until commit), then the
   * cursor as the previous holder left it.
   */
  async lockProjection(client: pg.PoolClient): Promise<bigint> {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [PROJECTOR_LOCK]);
    const { rows } = await client.query<{ last_ts: bigint }>('SELECT last_ts FROM history_cursor');
    return rows[0]!.last_ts;
  }

  async moveCursor(client: pg.PoolClient, lastTs: bigint): Promise<void> {
    await client.query('UPDATE history_cursor SET last_ts = $1', [lastTs.toString()]);
  }

  /**
   * Insert the entries, or describe them again: idempotent. A description never goes back from
   * a module's record to the ledger code (a re-projection racing an event's update).
   */
  async upsert(client: pg.PoolClient, entries: readonly Entry[]): Promise<void> {
    if (entries.length === 0) return;
    const column = <T>(pick: (entry: Entry) => T) => entries.map(pick);
    await client.query(
      `INSERT INTO history_entries (${COLUMNS}, search)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::bigint[], $5::text[], $6::bigint[],
         $7::text[], $8::text[], $9::integer[], $10::uuid[], $11::text[], $12::text[], $13::text[],
         $14::text[], $15::uuid[], $16::text[], $17::text[], $18::uuid[], $19::uuid[], $20::text[],
         $21::text[], $22::boolean[], $23::text[])
       ON CONFLICT (account_id, ledger_transfer_id) DO UPDATE SET
         type = EXCLUDED.type, label_zh = EXCLUDED.label_zh, label_en = EXCLUDED.label_en,
         counterparty_user_id = EXCLUDED.counterparty_user_id,
         counterparty_display = EXCLUDED.counterparty_display, note = EXCLUDED.note,
         payment_request_id = EXCLUDED.payment_request_id, funding_id = EXCLUDED.funding_id,
         payer_display = EXCLUDED.payer_display, payee_display = EXCLUDED.payee_display,
         search = EXCLUDED.search, described = EXCLUDED.described
       WHERE EXCLUDED.described OR NOT history_entries.described`,
      [
        column((e) => e.accountId),
        column((e) => e.ledgerTransferId),
        column((e) => e.userId),
        column((e) => e.ts.toString()),
        column((e) => e.direction),
        column((e) => e.amountMinor.toString()),
        column((e) => e.currency),
        column((e) => e.status),
        column((e) => e.ledgerCode),
        column((e) => e.pendingId),
        column((e) => e.userData),
        ...descriptionColumns(entries),
        column((e) => e.described),
        column(searchTextOf),
      ],
    );
  }

  /** Store the descriptions of entries that now have one (compare-and-set on `described`). */
  async describe(entries: readonly Entry[]): Promise<number> {
    const described = entries.filter((entry) => entry.described);
    if (described.length === 0) return 0;
    const column = <T>(pick: (entry: Entry) => T) => described.map(pick);
    const result = await this.pool.query(
      `UPDATE history_entries AS e SET
         type = d.type, label_zh = d.label_zh, label_en = d.label_en,
         counterparty_user_id = d.counterparty_user_id, counterparty_display = d.counterparty_display,
         note = d.note, payment_request_id = d.payment_request_id, funding_id = d.funding_id,
         payer_display = d.payer_display, payee_display = d.payee_display, search = d.search,
         described = true
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::text[],
         $8::text[], $9::uuid[], $10::uuid[], $11::text[], $12::text[], $13::text[])
         AS d(account_id, ledger_transfer_id, type, label_zh, label_en, counterparty_user_id,
              counterparty_display, note, payment_request_id, funding_id, payer_display, payee_display, search)
       WHERE e.account_id = d.account_id AND e.ledger_transfer_id = d.ledger_transfer_id AND NOT e.described`,
      [
        column((e) => e.accountId),
        column((e) => e.ledgerTransferId),
        ...descriptionColumns(described),
        described.map(searchTextOf),
      ],
    );
    return result.rowCount ?? 0;
  }

  /** One page of an account's entries, newest first, after `beforeTs` (exclusive) when given. */
  async page(input: {
    accountId: string;
    filter: EntryFilter;
    beforeTs: bigint | null;
    limit: number;
    /** A replica (ReplicaReads) instead of the primary. */
    pool?: pg.Pool | undefined;
  }): Promise<{ entries: Entry[]; more: boolean }> {
    const { filter } = input;
    const values: unknown[] = [input.accountId];
    const where = [
      'account_id = $1',
      // Not shown: a hold once its post or void is (that entry's timeline starts with the hold),
      // and a wallet-to-wallet transfer held for review on the payee's side until it is paid.
      `NOT (status = 'pending' AND ((direction = 'in' AND ledger_code = ${TransferCodes.p2p})
         OR EXISTS (SELECT 1 FROM history_entries r
                     WHERE r.account_id = history_entries.account_id
                       AND r.pending_id = history_entries.ledger_transfer_id)))`,
    ];
    const add = (sql: (placeholder: string) => string, value: unknown) =>
      where.push(sql(`$${values.push(value)}`));
    if (input.beforeTs !== null) add((p) => `ts < ${p}`, input.beforeTs.toString());
    if (filter.type !== undefined) add((p) => `type = ${p}`, filter.type);
    if (filter.direction !== undefined) add((p) => `direction = ${p}`, filter.direction);
    if (filter.fromMicros !== undefined) add((p) => `ts >= ${p}`, filter.fromMicros.toString());
    if (filter.toMicros !== undefined) add((p) => `ts <= ${p}`, filter.toMicros.toString());
    if (filter.minAmountMinor !== undefined)
      add((p) => `amount_minor >= ${p}`, filter.minAmountMinor.toString());
    if (filter.maxAmountMinor !== undefined)
      add((p) => `amount_minor <= ${p}`, filter.maxAmountMinor.toString());
    if (filter.counterpartyUserId !== undefined)
      add((p) => `counterparty_user_id = ${p}`, filter.counterpartyUserId);
    if (filter.counterpartyText !== undefined)
      add((p) => `counterparty_display ILIKE ${p}`, containsPattern(filter.counterpartyText));
    if (filter.q !== undefined) add((p) => `search LIKE ${p}`, containsPattern(filter.q.toLowerCase()));
    const { rows } = await (input.pool ?? this.pool).query<EntryRow>(
      `SELECT ${COLUMNS} FROM history_entries WHERE ${where.join(' AND ')}
        ORDER BY ts DESC LIMIT $${values.push(input.limit + 1)}`,
      values,
    );
    return { entries: rows.slice(0, input.limit).map(entryOf), more: rows.length > input.limit };
  }

  async get(accountId: string, ledgerTransferId: string, pool: pg.Pool = this.pool): Promise<Entry | null> {
    const { rows } = await pool.query<EntryRow>(
      `SELECT ${COLUMNS} FROM history_entries WHERE account_id = $1 AND ledger_transfer_id = $2`,
      [accountId, ledgerTransferId],
    );
    return rows[0] ? entryOf(rows[0]) : null;
  }

  /** Entries still waiting for their description between these ledger times, newest first. */
  async undescribedBetween(fromTs: bigint, toTs: bigint, limit: number): Promise<Entry[]> {
    const { rows } = await this.pool.query<EntryRow>(
      `SELECT ${COLUMNS} FROM history_entries
        WHERE NOT described AND ts >= $1 AND ts < $2
        ORDER BY ts DESC LIMIT $3`,
      [fromTs.toString(), toTs.toString(), limit],
    );
    return rows.map(entryOf);
  }

  /** The entries of these ledger transfers (both sides) still waiting for their description. */
  async undescribedOfTransfers(ledgerTransferIds: readonly string[]): Promise<Entry[]> {
    if (ledgerTransferIds.length === 0) return [];
    const { rows } = await this.pool.query<EntryRow>(
      `SELECT ${COLUMNS} FROM history_entries
        WHERE ledger_transfer_id = ANY($1::uuid[]) AND NOT described`,
      [ledgerTransferIds],
    );
    return rows.map(entryOf);
  }

  /** A holder's entries of ledger transfers that carry this user data (a funding operation's). */
  async ofUserData(userId: string, userData: string): Promise<Entry[]> {
    const { rows } = await this.pool.query<EntryRow>(
      `SELECT ${COLUMNS} FROM history_entries WHERE user_data = $1 AND user_id = $2`,
      [userData, userId],
    );
    return rows.map(entryOf);
  }
}

/** The description's columns, in the order both the upsert and `describe` take them. */
function descriptionColumns(entries: readonly Entry[]): unknown[][] {
  return [
    entries.map((e) => e.type),
    entries.map((e) => e.label['zh-CN']),
    entries.map((e) => e.label.en),
    entries.map((e) => e.counterpartyUserId),
    entries.map((e) => e.counterpartyDisplay),
    entries.map((e) => e.note),
    entries.map((e) => e.paymentRequestId),
    entries.map((e) => e.fundingId),
    entries.map((e) => e.parties?.payer ?? null),
    entries.map((e) => e.parties?.payee ?? null),
  ];
}

function entryOf(row: EntryRow): Entry {
  return {
    accountId: row.account_id,
    ledgerTransferId: row.ledger_transfer_id,
    userId: row.user_id,
    ts: row.ts,
    direction: row.direction,
    amountMinor: row.amount_minor,
    currency: row.currency,
    status: row.status,
    ledgerCode: row.ledger_code,
    pendingId: row.pending_id,
    userData: row.user_data,
    type: row.type,
    label: { 'zh-CN': row.label_zh, en: row.label_en },
    counterpartyUserId: row.counterparty_user_id,
    counterpartyDisplay: row.counterparty_display,
    note: row.note,
    paymentRequestId: row.payment_request_id,
    fundingId: row.funding_id,
    parties:
      row.payer_display !== null && row.payee_display !== null
        ? { payer: row.payer_display, payee: row.payee_display }
        : null,
    described: row.described,
  };
}
