/**
 * PostgreSQL side of a batch: one transaction that locks the journal head, writes every row with
 * set-based statements and commits once. What it writes is applied in memory (apply.ts) either
 * ahead of the lock, from a read-ahead snapshot (valid only while the head is unchanged, which
 * the lock checks), or under the lock from a fresh read.
 */
import type pg from 'pg';
import { applyBatch } from './apply.ts';
import type { AccountState, BatchEffects, BatchRequest, BatchState } from './apply.ts';
import { textArray, uuidArray } from './binary.ts';
import { hasUuidShape } from './ids.ts';
import { BatchRowKind, COPY_TRANSFERS, encodeBatchRows, encodeTransfers } from './copy.ts';
import type { BatchRow } from './copy.ts';
import { runScript } from './script.ts';
import { batchHash } from './journal.ts';
import type { Transfer, TransferResult } from './types.ts';

export const TRANSFER_COLUMNS = `id, debit_account_id, credit_account_id, amount, currency, code, flags,
  pending_id, timeout_seconds, expires_at, user_data, ts, limit_keys`;

export interface TransferRow {
  id: string;
  debit_account_id: string;
  credit_account_id: string;
  amount: bigint;
  currency: string;
  code: number;
  flags: number;
  pending_id: string | null;
  timeout_seconds: number;
  expires_at: bigint | null;
  user_data: string | null;
  ts: bigint;
  limit_keys: string[] | null;
}

export function toTransfer(row: TransferRow): Transfer {
  return {
    id: row.id,
    debitAccountId: row.debit_account_id,
    creditAccountId: row.credit_account_id,
    amount: row.amount,
    currency: row.currency,
    code: row.code,
    flags: row.flags,
    pendingId: row.pending_id,
    timeoutSeconds: row.timeout_seconds,
    timestamp: row.ts,
    expiresAt: row.expires_at,
    userData: row.user_data,
    limitKeys: row.limit_keys ?? [],
  };
}

interface AccountRow {
  id: string;
  currency: string;
  flags: number;
  debits_pending: bigint;
  debits_posted: bigint;
  credits_pending: bigint;
  credits_posted: bigint;
}

/** The journal head row: where the chain stands, and the version every batch bumps. */
export interface JournalHead {
  seq: bigint;
  hash: Buffer;
  lastTs: bigint;
  /** Bumped by every batch (also one that only records failures): names one committed state. */
  version: bigint;
}

/**
 * A batch applied in memory on top of one head: its outcomes, the rows to write and the head it
 * leaves behind. It may be written only while the head is still `base` (checked under the lock).
 */
export interface PreparedBatch {
  base: JournalHead;
  after: JournalHead;
  effects: BatchEffects;
  /** Every account the batch read, in its final state: valid at `after.version`. */
  accounts: ReadonlyMap<string, AccountState>;
  /** What writing it sends, encoded when it was prepared (ahead of the lock, if it was). */
  writes: BatchWrites;
}

/** A batch's writes as sent (see encodeWrites). */
export interface BatchWrites {
  /** The transfers, binary COPY data for ledger_transfers. */
  transfers: Buffer | null;
  /** Every other row, binary COPY data for ledger_batch_rows. */
  rows: Buffer | null;
  /** Statements that apply the rows and append the journal record. */
  statements: string[];
}

export interface CommittedBatch {
  prepared: PreparedBatch;
  /** Whether the batch was applied before the head lock (read-ahead) rather than under it. */
  appliedAhead: boolean;
}

/** State read ahead of the head lock, in one snapshot, with the head that snapshot saw. */
export interface PreloadedState {
  head: JournalHead;
  state: BatchState;
}

/**
 * Account rows as this process last committed them, valid only at `version` (the head version
 * its own last batch left behind). Every write of the counters is a batch that bumps the version,
 * so a snapshot that sees that same version sees exactly these rows, and a batch can skip
 * reading them again. Anything else (another process committed in between) bypasses the cache.
 */
export class AccountCache {
  private version = -1n;
  private accounts = new Map<string, AccountState>();

  constructor(private readonly maxAccounts: number) {}

  /** The cached rows when they are valid at `version`, else null. */
  at(version: bigint): ReadonlyMap<string, AccountState> | null {
    return version === this.version ? this.accounts : null;
  }

  /**
   * Forget every row: after a lost connection the database may be another server (a promoted
   * replica) on which a version this process saw names other rows (ADR 0027).
   */
  clear(): void {
    this.version = -1n;
    this.accounts = new Map();
  }

  /** Called once a batch has committed: its accounts are now the rows at `after.version`. */
  committed(prepared: PreparedBatch): void {
    if (this.version !== prepared.base.version || this.accounts.size > this.maxAccounts) {
      this.accounts = new Map();
    }
    for (const [id, account] of prepared.accounts) this.accounts.set(id, account);
    this.version = prepared.after.version;
  }
}

/** How every batch of one ledger is prepared. */
export interface BatchOptions {
  /** Ledger time source, µs since the epoch. */
  clock: () => bigint;
  /** HMAC key of the journal chain (ADR 0010); null: plain SHA-256 (a ledger without a key). */
  journalKey: Uint8Array | null;
}

/** Microseconds since the epoch from the wall clock. */
export function nowMicros(): bigint {
  return BigInt(Date.now()) * 1000n;
}

interface HeadRow {
  seq: bigint;
  hash: Buffer;
  last_ts: bigint;
  version: bigint;
}

function toHead(row: HeadRow): JournalHead {
  return { seq: row.seq, hash: row.hash, lastTs: row.last_ts, version: row.version };
}

/**
 * Read what a batch will need while the previous batch is still committing (on another
 * connection). One REPEATABLE READ snapshot, so everything it holds is as of one head version.
 */
export async function preloadBatch(
  client: pg.PoolClient,
  requests: readonly BatchRequest[],
  cache: AccountCache | null = null,
): Promise<PreloadedState> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const head = toHead(
      (
        await client.query<HeadRow>({
          name: 'ledger_head_snapshot',
          text: 'SELECT seq, hash, last_ts, version FROM ledger_journal_head',
        })
      ).rows[0]!,
    );
    const state = await loadState(client, requests, cache, head.version);
    await client.query('COMMIT');
    return { head, state };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/**
 * Apply a batch in memory on top of `base`: outcomes, rows, and the journal record's hash. Pure
 * apart from the clock, so it can run before the head lock while the previous batch writes.
 */
export function prepareBatch(
  requests: readonly BatchRequest[],
  state: BatchState,
  base: JournalHead,
  options: BatchOptions,
): PreparedBatch {
  const wallClock = options.clock();
  const firstTimestamp = wallClock > base.lastTs ? wallClock : base.lastTs + 1n;
  const effects = applyBatch(requests, state, firstTimestamp);
  const created = effects.created;
  const version = base.version + 1n;
  let after: JournalHead = { ...base, version };
  if (created.length > 0) {
    const seq = base.seq + 1n;
    after = {
      seq,
      hash: batchHash(base.hash, seq, created, options.journalKey),
      lastTs: created[created.length - 1]!.timestamp,
      version,
    };
  }
  return { base, after, effects, accounts: state.accounts, writes: encodeWrites(effects, base, after) };
}

/**
 * The state a batch read ahead, carried over the previous batch of this process (not yet
 * committed): its snapshot saw the head before `previous`, so add what `previous` will write.
 * The result is valid at `previous.after` — if, and only if, `previous` commits as prepared.
 */
export function stateAfter(preloaded: PreloadedState, previous: PreparedBatch): BatchState {
  const { state } = preloaded;
  const { effects } = previous;
  for (const account of effects.changedAccounts) state.accounts.set(account.id, account);
  for (const transfer of effects.created) {
    state.transfers.set(transfer.id, transfer);
    if (transfer.pendingId !== null) state.resolvedPendingIds.add(transfer.pendingId);
  }
  for (const failure of effects.failures) state.failures.set(failure.id, failure.result);
  for (const limit of effects.changedLimits) state.limitUsage.set(limit.key, limit.used);
  return state;
}

/**
 * One database transaction: lock the journal head; if it is still the head `ahead` was applied
 * on, write `ahead` as it is; otherwise (another process committed meanwhile, or nothing was
 * prepared) load and apply under the lock. Then write, append the journal record, commit.
 */
export async function commitBatch(
  client: pg.PoolClient,
  requests: readonly BatchRequest[],
  options: BatchOptions & {
    ahead: PreparedBatch | null;
    cache: AccountCache | null;
    /** Told of each prepared batch as its commit is sent: if the connection breaks, it may have committed. */
    onWrite?: (prepared: PreparedBatch) => void;
  },
): Promise<CommittedBatch> {
  const { ahead } = options;
  if (ahead !== null) {
    try {
      // Lock, check the head, write and commit: one round trip.
      options.onWrite?.(ahead);
      await writeBatch(client, ahead, true);
      return { prepared: ahead, appliedAhead: true };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      // Another batch committed since the state was read: load and apply under the lock.
      if ((error as { code?: unknown }).code !== HEAD_MOVED) throw error;
    }
  }
  try {
    const results = (await client.query(
      'BEGIN ISOLATION LEVEL READ COMMITTED; SELECT seq, hash, last_ts, version FROM ledger_journal_head FOR UPDATE',
    )) as unknown as pg.QueryResult<HeadRow>[];
    const head = toHead(results[1]!.rows[0]!);
    const state = await loadState(client, requests, options.cache, head.version);
    const prepared = prepareBatch(requests, state, head, options);
    options.onWrite?.(prepared);
    await writeBatch(client, prepared, false);
    return { prepared, appliedAhead: false };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** SQLSTATE of `ledger_lock_head` when the head is no longer the one a batch was applied on. */
const HEAD_MOVED = 'QL001';

/** Connections whose session has the `ledger_batch_rows` temporary table. */
const sessionsWithRowsTable = new WeakSet<pg.PoolClient>();
const CREATE_ROWS_TABLE = `CREATE TEMP TABLE IF NOT EXISTS ledger_batch_rows (
  kind smallint NOT NULL, id uuid, key text, n1 bigint, n2 bigint, n3 bigint, n4 bigint) ON COMMIT DELETE ROWS`;

/**
 * Write a prepared batch and commit, in one round trip (script.ts). With `lock`, the script
 * begins the transaction and takes the head lock itself, refusing with QL001 when the head is not
 * `prepared.base`; without, the caller has begun and holds the lock.
 */
async function writeBatch(client: pg.PoolClient, prepared: PreparedBatch, lock: boolean): Promise<void> {
  const { base } = prepared;
  const { transfers, rows, statements } = prepared.writes;
  const script: string[] = [];
  if (lock) {
    script.push(
      'BEGIN ISOLATION LEVEL READ COMMITTED',
      `SELECT ledger_lock_head(${base.version}, ${base.seq}, ${base.lastTs}, ${bytea(base.hash)})`,
    );
  }
  const copies: Buffer[] = [];
  if (transfers !== null) {
    script.push(COPY_TRANSFERS);
    copies.push(transfers);
  }
  const newSession = rows !== null && !sessionsWithRowsTable.has(client);
  if (rows !== null) {
    if (newSession) script.push(CREATE_ROWS_TABLE);
    script.push('COPY pg_temp.ledger_batch_rows FROM STDIN (FORMAT binary)');
    copies.push(rows);
  }
  script.push(...statements, 'COMMIT');
  const { commands } = await runScript(client, script.join(';\n'), copies);
  if (commands.at(-1) !== 'COMMIT') throw new Error(`ledger batch: the commit answered ${commands.at(-1)}`);
  if (newSession) sessionsWithRowsTable.add(client);
}

/*
 * The lookups and the account update below are unnamed statements on purpose: PostgreSQL plans
 * them against the tables as they are now. A named (prepared) statement switches to one generic
 * plan after five runs, and a plan made while a table was small (a sequential scan of a new
 * ledger's `ledger_transfers`) stays when it has grown: measured at 3 ms per lookup of 20 ids in
 * a 24k-row table during the HTTP benchmark, against 0.07 ms with the index. The ids come as
 * `IN (SELECT unnest($1))`, not `= ANY($1)`: planning `= ANY` of a known 4,000-element array
 * estimates every element and cost the batch benchmark a tenth of its throughput.
 */
async function loadState(
  client: pg.PoolClient,
  requests: readonly BatchRequest[],
  cache: AccountCache | null,
  version: bigint,
): Promise<BatchState> {
  // Malformed ids fail static validation when the batch is applied; they stay out of `uuid[]`.
  const ids = new Set<string>();
  const pendingIds = new Set<string>();
  const limitKeys = new Set<string>();
  for (const request of requests) {
    for (const input of request.inputs) {
      if (hasUuidShape(input.id)) ids.add(input.id);
      if (hasUuidShape(input.pendingId)) pendingIds.add(input.pendingId);
      if (input.limits !== undefined) for (const limit of input.limits) limitKeys.add(limit.key);
    }
  }
  const idList = [...ids];
  // One client runs one query at a time; these are sequential round trips.
  const transferRows = await client.query<TransferRow>({
    text: `SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE id IN (SELECT unnest($1::uuid[]))`,
    values: [uuidArray(pendingIds.size === 0 ? idList : [...new Set([...idList, ...pendingIds])])],
  });
  const failureRows = await client.query<{ id: string; result: TransferResult }>({
    text: 'SELECT id, result FROM ledger_transfer_failures WHERE id IN (SELECT unnest($1::uuid[]))',
    values: [uuidArray(idList)],
  });
  const resolvedRows =
    pendingIds.size === 0
      ? []
      : (
          await client.query<{ pending_id: string }>({
            text: 'SELECT pending_id FROM ledger_transfers WHERE pending_id IN (SELECT unnest($1::uuid[]))',
            values: [uuidArray([...pendingIds])],
          })
        ).rows;
  const transfers = new Map(transferRows.rows.map((row) => [row.id, toTransfer(row)]));

  const limitRows =
    limitKeys.size === 0
      ? []
      : (
          await client.query<{ key: string; used: bigint }>({
            text: 'SELECT key, used FROM ledger_limit_counters WHERE key IN (SELECT unnest($1::text[]))',
            values: [textArray([...limitKeys])],
          })
        ).rows;

  const accountIds = new Set<string>();
  for (const request of requests) {
    for (const input of request.inputs) {
      if (input.debitAccountId !== undefined) accountIds.add(input.debitAccountId);
      if (input.creditAccountId !== undefined) accountIds.add(input.creditAccountId);
      const pending = input.pendingId === undefined ? undefined : transfers.get(input.pendingId);
      if (pending) {
        accountIds.add(pending.debitAccountId);
        accountIds.add(pending.creditAccountId);
      }
    }
  }
  // Rows this process committed at this very version need no second read.
  const accounts = new Map<string, AccountState>();
  const cached = cache?.at(version) ?? null;
  const toLoad: string[] = [];
  for (const id of accountIds) {
    const account = cached?.get(id);
    if (account !== undefined) accounts.set(id, account);
    else if (hasUuidShape(id)) toLoad.push(id);
  }
  if (toLoad.length > 0) {
    // No FOR UPDATE: only ledger batches write the counters, and they all hold the journal-head
    // lock, so these rows cannot change under a batch. (Row locks here cost a write per account.)
    const accountRows = await client.query<AccountRow>({
      text: `SELECT id, currency, flags, debits_pending, debits_posted, credits_pending, credits_posted
               FROM ledger_accounts WHERE id IN (SELECT unnest($1::uuid[]))`,
      values: [uuidArray(toLoad)],
    });
    for (const row of accountRows.rows) accounts.set(row.id, toAccountState(row));
  }

  return {
    accounts,
    transfers,
    resolvedPendingIds: new Set(resolvedRows.map((row) => row.pending_id)),
    failures: new Map(failureRows.rows.map((row) => [row.id, row.result])),
    limitUsage: new Map(limitRows.map((row) => [row.key, row.used])),
  };
}

/**
 * Everything a batch writes, ready to send, built when the batch is prepared (ahead of the lock,
 * when it was): the transfers as one binary COPY, every other row (account counters, failures,
 * limit counters, expiry index changes) as a second binary COPY into the session's temporary
 * `ledger_batch_rows`, and the statements that apply those rows and append the journal record.
 * Only numbers and hex digits are spliced into the statements; every other value travels in the
 * COPY data, so nothing needs quoting.
 */
function encodeWrites(effects: BatchEffects, base: JournalHead, after: JournalHead): BatchWrites {
  const created = effects.created;
  const rows: BatchRow[] = [];
  const statements: string[] = [];
  const kinds = new Set<number>();
  const add = (row: BatchRow) => {
    rows.push(row);
    kinds.add(row.kind);
  };
  for (const a of effects.changedAccounts) {
    add({
      kind: BatchRowKind.account,
      id: a.id,
      key: null,
      numbers: [a.debitsPending, a.debitsPosted, a.creditsPending, a.creditsPosted],
    });
  }
  for (const f of effects.failures) add({ kind: BatchRowKind.failure, id: f.id, key: f.result, numbers: [] });
  for (const l of effects.changedLimits)
    add({ kind: BatchRowKind.limit, id: null, key: l.key, numbers: [l.used] });
  // A hold created and resolved in the same batch never enters the expiry index.
  const resolved = new Set(effects.resolved);
  const createdHolds = new Set(effects.expiring.map((e) => e.id));
  for (const e of effects.expiring) {
    if (!resolved.has(e.id))
      add({ kind: BatchRowKind.expiring, id: e.id, key: null, numbers: [e.expiresAt] });
  }
  for (const id of effects.resolved) {
    if (!createdHolds.has(id)) add({ kind: BatchRowKind.leaving, id, key: null, numbers: [] });
  }
  const of = (kind: number) => `FROM pg_temp.ledger_batch_rows r WHERE r.kind = ${kind}`;
  if (kinds.has(BatchRowKind.account)) {
    statements.push(`UPDATE ledger_accounts AS a
        SET debits_pending = r.n1, debits_posted = r.n2, credits_pending = r.n3, credits_posted = r.n4
       ${of(BatchRowKind.account)} AND a.id = r.id`);
  }
  if (kinds.has(BatchRowKind.failure)) {
    statements.push(`INSERT INTO ledger_transfer_failures (id, result) SELECT r.id, r.key ${of(BatchRowKind.failure)}
       ON CONFLICT (id) DO NOTHING`);
  }
  if (kinds.has(BatchRowKind.limit)) {
    statements.push(`INSERT INTO ledger_limit_counters (key, used) SELECT r.key, r.n1 ${of(BatchRowKind.limit)}
       ON CONFLICT (key) DO UPDATE SET used = EXCLUDED.used`);
  }
  if (kinds.has(BatchRowKind.expiring)) {
    statements.push(
      `INSERT INTO ledger_pending_expiries (transfer_id, expires_at) SELECT r.id, r.n1 ${of(BatchRowKind.expiring)}`,
    );
  }
  if (kinds.has(BatchRowKind.leaving)) {
    statements.push(`DELETE FROM ledger_pending_expiries AS e USING pg_temp.ledger_batch_rows r
       WHERE r.kind = ${BatchRowKind.leaving} AND e.transfer_id = r.id`);
  }
  if (created.length > 0) {
    statements.push(
      `INSERT INTO ledger_journal (seq, prev_hash, hash, first_ts, last_ts, transfer_count)
       VALUES (${after.seq}, ${bytea(base.hash)}, ${bytea(after.hash)},
               ${created[0]!.timestamp}, ${after.lastTs}, ${created.length})`,
      `UPDATE ledger_journal_head SET seq = ${after.seq}, hash = ${bytea(after.hash)},
         last_ts = ${after.lastTs}, version = ${after.version}`,
    );
  } else {
    // Failures alone change what later batches must know (remembered ids): bump the version too.
    statements.push(`UPDATE ledger_journal_head SET version = ${after.version}`);
  }
  return {
    transfers: created.length === 0 ? null : encodeTransfers(created),
    rows: rows.length === 0 ? null : encodeBatchRows(rows),
    statements,
  };
}

/** A bytea literal without backslashes, whatever standard_conforming_strings says. */
function bytea(value: Buffer): string {
  return `decode('${value.toString('hex')}', 'hex')`;
}

function toAccountState(row: AccountRow): AccountState {
  return {
    id: row.id,
    currency: row.currency,
    flags: row.flags,
    debitsPending: row.debits_pending,
    debitsPosted: row.debits_posted,
    creditsPending: row.credits_pending,
    creditsPosted: row.credits_posted,
  };
}
