import type pg from 'pg';
import { isCurrencyCode } from '@qianbao/money';
import { Batcher } from './batcher.ts';
import type { BatchInfo } from './batcher.ts';
import { derivedId, isUuid } from './ids.ts';
import { JournalKeyRequiredError, ensureSealed, readSeal } from './seal.ts';
import { TRANSFER_COLUMNS, nowMicros, toTransfer } from './store.ts';
import type { TransferRow } from './store.ts';
import { AccountFlags, TransferFlags } from './types.ts';
import type {
  Account,
  AccountBalance,
  AccountQuery,
  CreateAccountInput,
  CreateAccountResult,
  Transfer,
  TransferInput,
  TransferOutcome,
  TransferPage,
} from './types.ts';

export interface LedgerOptions {
  maxBatchTransfers?: number;
  maxQueuedTransfers?: number;
  onBatch?: (info: BatchInfo) => void;
  /** Ledger time source in µs since the epoch; tests drive expiry with a fake one. */
  clock?: () => bigint;
  /**
   * Connections for the batches alone (two suffice: one writing, one reading ahead). Without
   * it batches share `pool` with everything else and queue behind ordinary queries under load.
   */
  writerPool?: pg.Pool;
  /**
   * Key of the journal's HMAC chain: `journalKeyFrom(QIANBAO_SECRET_KEY)`, held outside the
   * database (ADR 0010). The ledger seals the journal with it on first open and refuses to open
   * a journal sealed with another key. Without it the chain is plain SHA-256, which proves
   * nothing against someone who can write the database: for tests and tools only, and refused
   * on a keyed journal.
   */
  journalKey?: Uint8Array;
  /**
   * Seal a journal that already holds records hashed without a key (written before keyed
   * hashing) as a legacy prefix. An operator's decision (`qianbao migrate`; sandbox servers do
   * it on start): a journal whose seal was removed looks exactly like one never sealed.
   */
  sealLegacyJournal?: boolean;
  /**
   * How long the database may stay unavailable while a batch reconnects before its callers get
   * LedgerUnavailableError (ADR 0027); 10 s by default.
   */
  unavailableAfterMs?: number;
}

const MAX_ACCOUNTS_PER_CALL = 8190;
const MAX_PAGE_SIZE = 1000;
const DEFAULT_ACCOUNTS_FOUND = 100;
const MAX_ACCOUNTS_FOUND = 1000;
const EXPIRY_SWEEP_LIMIT = 1000;
/** Transfer code the ledger gives the voids it creates for expired holds. */
export const EXPIRY_TRANSFER_CODE = 65535;

interface AccountRow {
  id: string;
  currency: string;
  code: number;
  owner_ref: string | null;
  flags: number;
  debits_pending: bigint;
  debits_posted: bigint;
  credits_pending: bigint;
  credits_posted: bigint;
  created_at: Date;
}

/**
 * The double-entry ledger. Money moves only through `createTransfers`, which batches concurrent
 * calls into shared database transactions (see batcher.ts). Reads go straight to PostgreSQL.
 */
export class Ledger {
  private readonly batcher: Batcher;
  private readonly clock: () => bigint;

  private constructor(
    private readonly pool: pg.Pool,
    options: LedgerOptions,
  ) {
    this.clock = options.clock ?? nowMicros;
    this.batcher = new Batcher(options.writerPool ?? pool, {
      clock: this.clock,
      journalKey: options.journalKey ?? null,
      maxBatchTransfers: options.maxBatchTransfers ?? 4096,
      maxQueuedTransfers: options.maxQueuedTransfers ?? 50_000,
      ...(options.onBatch ? { onBatch: options.onBatch } : {}),
      ...(options.unavailableAfterMs === undefined ? {} : { unavailableAfterMs: options.unavailableAfterMs }),
    });
  }

  /** The pool must come from `createPool` of @qianbao/db (int8 parsed as bigint). */
  static async open(pool: pg.Pool, options: LedgerOptions = {}): Promise<Ledger> {
    const head = await pool.query('SELECT 1 FROM ledger_journal_head');
    if (head.rowCount !== 1) throw new Error('ledger tables are missing: run the migrations first');
    if (options.journalKey !== undefined) {
      await ensureSealed(pool, options.journalKey, { allowLegacy: options.sealLegacyJournal ?? false });
    } else if ((await readSeal(pool)) !== null) {
      throw new JournalKeyRequiredError();
    }
    return new Ledger(pool, options);
  }

  async createAccounts(
    inputs: readonly CreateAccountInput[],
  ): Promise<{ id: string; result: CreateAccountResult }[]> {
    if (inputs.length > MAX_ACCOUNTS_PER_CALL) {
      throw new RangeError(`at most ${MAX_ACCOUNTS_PER_CALL} accounts per call`);
    }
    const valid = inputs.filter(isValidAccountInput);
    const inserted = new Set<string>();
    if (valid.length > 0) {
      const { rows } = await this.pool.query<{ id: string }>(
        `INSERT INTO ledger_accounts (id, currency, code, owner_ref, flags)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::int[])
         ON CONFLICT (id) DO NOTHING
         RETURNING id`,
        [
          valid.map((a) => a.id),
          valid.map((a) => a.currency),
          valid.map((a) => a.code),
          valid.map((a) => a.ownerRef ?? null),
          valid.map((a) => a.flags ?? 0),
        ],
      );
      for (const row of rows) inserted.add(row.id);
    }
    // Read back what is stored: a row that was already there with other fields is reported.
    const stored = await this.loadAccounts(valid.map((a) => a.id));
    const seen = new Set<string>();
    return inputs.map((input) => {
      if (!isValidAccountInput(input)) return { id: input.id, result: 'invalid' };
      const account = stored.get(input.id)!;
      const same =
        account.currency === input.currency &&
        account.code === input.code &&
        account.ownerRef === (input.ownerRef ?? null) &&
        account.flags === (input.flags ?? 0);
      const firstMention = !seen.has(input.id);
      seen.add(input.id);
      if (!same) return { id: input.id, result: 'existsWithDifferentFields' };
      return { id: input.id, result: firstMention && inserted.has(input.id) ? 'ok' : 'exists' };
    });
  }

  createTransfers(inputs: readonly TransferInput[]): Promise<TransferOutcome[]> {
    return this.batcher.submit(inputs);
  }

  async getAccount(id: string): Promise<Account | null> {
    if (!isUuid(id)) return null;
    return (await this.loadAccounts([id])).get(id) ?? null;
  }

  /**
   * An owner's accounts (one currency, one code, when the query names them), in the order of
   * code, currency, then creation (oldest first, id breaking ties), as committed: see
   * `findAccounts`.
   */
  findAccounts(query: AccountQuery): Promise<Account[]> {
    return findAccounts(this.pool, query);
  }

  /** Balances now, or as they stood at `atMicros` (ledger time, µs since the epoch). */
  async getBalance(accountId: string, atMicros?: bigint): Promise<AccountBalance | null> {
    const account = await this.getAccount(accountId);
    if (!account) return null;
    if (atMicros === undefined) return toBalance(account);
    const { rows } = await this.pool.query<{ dp: bigint; dpo: bigint; cp: bigint; cpo: bigint }>(
      `${ACCOUNT_EFFECTS_SQL}
       SELECT coalesce(sum(dp), 0)::bigint AS dp, coalesce(sum(dpo), 0)::bigint AS dpo,
              coalesce(sum(cp), 0)::bigint AS cp, coalesce(sum(cpo), 0)::bigint AS cpo
         FROM effects`,
      [accountId, atMicros.toString()],
    );
    const row = rows[0]!;
    return toBalance({
      ...account,
      debitsPending: row.dp,
      debitsPosted: row.dpo,
      creditsPending: row.cp,
      creditsPosted: row.cpo,
    });
  }

  async getTransfer(id: string): Promise<Transfer | null> {
    if (!isUuid(id)) return null;
    const { rows } = await this.pool.query<TransferRow>(
      `SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE id = $1`,
      [id],
    );
    return rows[0] ? toTransfer(rows[0]) : null;
  }

  /** Transfers that debit or credit the account, newest first. */
  async listTransfers(
    accountId: string,
    options: { limit: number; cursor?: string | null },
  ): Promise<TransferPage> {
    const limit = Math.min(Math.max(1, Math.trunc(options.limit)), MAX_PAGE_SIZE);
    if (!isUuid(accountId)) return { transfers: [], nextCursor: null };
    const before = options.cursor ? parseCursor(options.cursor) : 1n << 62n;
    // Two index range scans (debit side, credit side) merged, rather than one OR that can't use
    // the (account, ts) order.
    const { rows } = await this.pool.query<TransferRow>(
      `SELECT * FROM (
         (SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers
           WHERE debit_account_id = $1 AND ts < $2 ORDER BY ts DESC LIMIT $3)
         UNION ALL
         (SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers
           WHERE credit_account_id = $1 AND ts < $2 ORDER BY ts DESC LIMIT $3)
       ) AS t ORDER BY ts DESC LIMIT $3`,
      [accountId, before.toString(), limit + 1],
    );
    const page = rows.slice(0, limit).map(toTransfer);
    const more = rows.length > limit;
    return { transfers: page, nextCursor: more ? page[page.length - 1]!.timestamp.toString() : null };
  }

  /**
   * Void every hold whose timeout has passed (up to a bounded number per call); answers how many
   * it voided. The void's id is derived from the hold's id, so two callers (two server processes)
   * expiring the same hold produce one void and an `exists`. The ledger never calls it by itself:
   * whoever uses the ledger schedules it (the server through its job queue, ADR 0013; a script
   * or a benchmark on its own loop). A hold is never voided early, only as late as the schedule.
   */
  async expirePending(limit = EXPIRY_SWEEP_LIMIT): Promise<number> {
    const { rows } = await this.pool.query<{ transfer_id: string }>(
      `SELECT transfer_id FROM ledger_pending_expiries WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2`,
      [this.clock().toString(), limit],
    );
    if (rows.length === 0) return 0;
    const voids: TransferInput[] = rows.map((row) => ({
      id: derivedId(`expire:${row.transfer_id}`),
      pendingId: row.transfer_id,
      code: EXPIRY_TRANSFER_CODE,
      flags: TransferFlags.voidPending | TransferFlags.expired,
    }));
    let expired = 0;
    // One request per hold: one hold resolved meanwhile must not fail the others.
    const outcomes = await Promise.all(voids.map((v) => this.batcher.submit([v], true)));
    for (const [outcome] of outcomes) if (outcome?.result === 'ok') expired++;
    return expired;
  }

  stats() {
    return this.batcher.stats();
  }

  /** Stop accepting work, finish every accepted batch. */
  async close(): Promise<void> {
    await this.batcher.close();
  }

  private loadAccounts(ids: readonly string[]): Promise<Map<string, Account>> {
    return loadAccounts(this.pool, ids);
  }
}

async function loadAccounts(pool: pg.Pool, ids: readonly string[]): Promise<Map<string, Account>> {
  if (ids.length === 0) return new Map();
  const { rows } = await pool.query<AccountRow>(
    `SELECT id, currency, code, owner_ref, flags, debits_pending, debits_posted, credits_pending,
            credits_posted, created_at
       FROM ledger_accounts WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(rows.map((row) => [row.id, toAccount(row)]));
}

/** What `listTransfersAfter` answers. */
export interface TransfersAfter {
  /** Every committed transfer with `afterTimestamp < timestamp <= throughTimestamp`, in ledger time order. */
  transfers: Transfer[];
  /** The accounts they debit or credit, as committed. */
  accounts: Map<string, Account>;
  /**
   * The read is complete up to this ledger time: the caller's next `afterTimestamp`. Equal to
   * the given one when nothing newer is committed (the caller has caught up).
   */
  throughTimestamp: bigint;
  /** The ledger head's time when read: every transfer up to it is committed. */
  headTimestamp: bigint;
}

const MAX_TRANSFERS_AFTER = 10_000;
const DEFAULT_SPAN_MICROS = 1_000_000n;

/**
 * The ledger as a feed, for projections that keep a cursor (the server's history): committed
 * transfers after a ledger time, oldest first, at most `limit`, with the accounts they touch.
 * Complete by construction: ledger times are unique and given under the head lock in commit
 * order, so once the head says `last_ts` every transfer up to it is committed, and a cursor
 * moved to `throughTimestamp` never skips one that commits later.
 *
 * `spanMicros` bounds the ledger time one call looks at (1 s unless given): the BRIN index on
 * `ts` reads only the pages of that span, so the cost follows the transfers in the span, not the
 * size of the ledger. A caller catching up adapts it to the density it sees (a full answer: the
 * span it covered; an empty one: wider).
 */
export async function listTransfersAfter(
  pool: pg.Pool,
  query: { afterTimestamp: bigint; limit: number; spanMicros?: bigint },
): Promise<TransfersAfter> {
  const after = query.afterTimestamp;
  const limit = Math.min(Math.max(1, Math.trunc(query.limit)), MAX_TRANSFERS_AFTER);
  const span =
    query.spanMicros !== undefined && query.spanMicros > 0n ? query.spanMicros : DEFAULT_SPAN_MICROS;
  const head = await pool.query<{ last_ts: bigint }>('SELECT last_ts FROM ledger_journal_head');
  const last = head.rows[0]!.last_ts;
  if (last <= after)
    return { transfers: [], accounts: new Map(), throughTimestamp: after, headTimestamp: last };
  const through = after + span < last ? after + span : last;
  const { rows } = await pool.query<TransferRow>(
    `SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE ts > $1 AND ts <= $2 ORDER BY ts LIMIT $3`,
    [after.toString(), through.toString(), limit],
  );
  const transfers = rows.map(toTransfer);
  const ids = new Set<string>();
  for (const transfer of transfers) ids.add(transfer.debitAccountId).add(transfer.creditAccountId);
  return {
    transfers,
    accounts: await loadAccounts(pool, [...ids]),
    throughTimestamp: transfers.length === limit ? transfers[limit - 1]!.timestamp : through,
    headTimestamp: last,
  };
}

/**
 * An owner's accounts, served by the `(owner_ref, code, currency)` index (migration 0005). A
 * plain read of committed rows on `pool`, like `getAccount`: the batches' account cache (store.ts)
 * is theirs alone and never answers a read, so an account created a moment ago is found and its
 * counters are those of the last committed batch. Oldest first within one code and currency:
 * should an owner hold two accounts of one kind, every caller picks the same one. A function of
 * the pool as well as a `Ledger` method, for a caller that holds only the pool (as `verifyLedger`).
 */
export async function findAccounts(pool: pg.Pool, query: AccountQuery): Promise<Account[]> {
  const { ownerRef, currency, code } = query;
  if (typeof ownerRef !== 'string' || ownerRef.length === 0 || ownerRef.length > 128) return [];
  if (currency !== undefined && !/^[A-Z]{3}$/.test(currency)) return [];
  if (code !== undefined && !(Number.isInteger(code) && code >= 1 && code <= 65535)) return [];
  const limit = Math.min(
    Math.max(1, Math.trunc(query.limit ?? DEFAULT_ACCOUNTS_FOUND) || 1),
    MAX_ACCOUNTS_FOUND,
  );
  const values: unknown[] = [ownerRef, limit];
  let where = 'owner_ref = $1';
  if (code !== undefined) where += ` AND code = $${values.push(code)}`;
  if (currency !== undefined) where += ` AND currency = $${values.push(currency)}`;
  const { rows } = await pool.query<AccountRow>(
    `SELECT id, currency, code, owner_ref, flags, debits_pending, debits_posted, credits_pending,
            credits_posted, created_at
       FROM ledger_accounts WHERE ${where}
      ORDER BY code, currency, created_at, id LIMIT $2`,
    values,
  );
  return rows.map(toAccount);
}

/**
 * Per-transfer effect on one account's four counters, up to a ledger time:
 * single-phase posts; pending adds to pending; post moves the hold's full amount out of pending
 * and posts what it names; void/expiry only releases the hold. Shared with verify.
 */
const ACCOUNT_EFFECTS_SQL = `
WITH effects AS (
  SELECT
    CASE WHEN t.flags & 2 <> 0 THEN t.amount WHEN t.flags & 12 <> 0 THEN -p.amount ELSE 0 END AS dp,
    CASE WHEN t.flags & 14 = 0 OR t.flags & 4 <> 0 THEN t.amount ELSE 0 END AS dpo,
    0::bigint AS cp, 0::bigint AS cpo
  FROM ledger_transfers t LEFT JOIN ledger_transfers p ON p.id = t.pending_id
  WHERE t.debit_account_id = $1 AND t.ts <= $2
  UNION ALL
  SELECT 0, 0,
    CASE WHEN t.flags & 2 <> 0 THEN t.amount WHEN t.flags & 12 <> 0 THEN -p.amount ELSE 0 END,
    CASE WHEN t.flags & 14 = 0 OR t.flags & 4 <> 0 THEN t.amount ELSE 0 END
  FROM ledger_transfers t LEFT JOIN ledger_transfers p ON p.id = t.pending_id
  WHERE t.credit_account_id = $1 AND t.ts <= $2
)`;

function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    currency: row.currency,
    code: row.code,
    ownerRef: row.owner_ref,
    flags: row.flags,
    debitsPending: row.debits_pending,
    debitsPosted: row.debits_posted,
    creditsPending: row.credits_pending,
    creditsPosted: row.credits_posted,
    createdAt: row.created_at,
  };
}

function toBalance(account: Account): AccountBalance {
  const postedBalance = account.creditsPosted - account.debitsPosted;
  return {
    accountId: account.id,
    currency: account.currency,
    debitsPending: account.debitsPending,
    debitsPosted: account.debitsPosted,
    creditsPending: account.creditsPending,
    creditsPosted: account.creditsPosted,
    postedBalance,
    availableBalance: postedBalance - account.debitsPending,
  };
}

function isValidAccountInput(input: CreateAccountInput): boolean {
  const flags = input.flags ?? 0;
  return (
    isUuid(input.id) &&
    isCurrencyCode(input.currency) &&
    Number.isInteger(input.code) &&
    input.code >= 1 &&
    input.code <= 65535 &&
    (input.ownerRef === undefined || input.ownerRef === null || input.ownerRef.length <= 128) &&
    Number.isInteger(flags) &&
    (flags &
      ~(
        AccountFlags.debitsMustNotExceedCredits |
        AccountFlags.creditsMustNotExceedDebits |
        AccountFlags.test
      )) ===
      0 &&
    (flags & 3) !== (AccountFlags.debitsMustNotExceedCredits | AccountFlags.creditsMustNotExceedDebits)
  );
}

function parseCursor(cursor: string): bigint {
  if (!/^\d{1,19}$/.test(cursor)) throw new RangeError('invalid cursor');
  return BigInt(cursor);
}
