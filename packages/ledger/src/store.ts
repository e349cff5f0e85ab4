/**
 * PostgreSQL side of a batch: one transaction that locks the journal head, writes every row with
 * set-based statements and commits once. What it writes is applied in memory (apply.ts) either
 * ahead of the lock, from a read-ahead snapshot (valid only while the head is unchanged, which
 * the lock checks), or under the lock from a fresh read.
 */
import type pg from 'pg';
import { applyBatch } from './apply.ts';
import type { AccountState, BatchEffects, BatchRequest, BatchState } from './apply.ts';
import { copyTransfers } from './copy.ts';
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

  /** Called once a batch has committed: its accounts are now the rows at `after.version`. */
  committed(prepared: PreparedBatch): void {
    if (this.version !== prepared.base.version || this.accounts.size > this.maxAccounts) {
      this.accounts = new Map();
    }
    for (const [id, account] of prepared.accounts) this.accounts.set(id, account);
    this.version = prepared.after.version;
  }
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
  clock: () => bigint,
): PreparedBatch {
  const wallClock = clock();
  const firstTimestamp = wallClock > base.lastTs ? wallClock : base.lastTs + 1n;
  const effects = applyBatch(requests, state, firstTimestamp);
  const created = effects.created;
  const version = base.version + 1n;
  let after: JournalHead = { ...base, version };
  if (created.length > 0) {
    const seq = base.seq + 1n;
    after = {
      seq,
      hash: batchHash(base.hash, seq, created),
      lastTs: created[created.length - 1]!.timestamp,
      version,
    };
  }
  return { base, after, effects, accounts: state.accounts };
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
  options: { clock: () => bigint; ahead: PreparedBatch | null; cache: AccountCache | null },
): Promise<CommittedBatch> {
  await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
  try {
    const head = toHead(
      (
        await client.query<HeadRow>({
          name: 'ledger_lock_head',
          text: 'SELECT seq, hash, last_ts, version FROM ledger_journal_head FOR UPDATE',
        })
      ).rows[0]!,
    );
    let prepared =
      options.ahead !== null && options.ahead.base.version === head.version ? options.ahead : null;
    if (prepared !== null && !sameHead(prepared.base, head)) {
      // One version names one committed state: a different chain position under the same
      // version means the head was edited by hand.
      throw new Error(`ledger journal head changed without a version bump (version ${head.version})`);
    }
    const appliedAhead = prepared !== null;
    if (prepared === null) {
      const state = await loadState(client, requests, options.cache, head.version);
      prepared = prepareBatch(requests, state, head, options.clock);
    }
    await writeBatch(client, prepared);
    await client.query('COMMIT');
    return { prepared, appliedAhead };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

function sameHead(a: JournalHead, b: JournalHead): boolean {
  return a.version === b.version && a.seq === b.seq && a.lastTs === b.lastTs && a.hash.equals(b.hash);
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
  const ids = new Set<string>();
  const pendingIds = new Set<string>();
  for (const request of requests) {
    for (const input of request.inputs) {
      ids.add(input.id);
      if (input.pendingId !== undefined) pendingIds.add(input.pendingId);
    }
  }
  const lookupIds = [...new Set([...ids, ...pendingIds])];
  // One client runs one query at a time; these are sequential round trips.
  const transferRows = await client.query<TransferRow>({
    text: `SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE id IN (SELECT unnest($1::uuid[]))`,
    values: [plainArray(lookupIds.filter(isUuidLike))],
  });
  const failureRows = await client.query<{ id: string; result: TransferResult }>({
    text: 'SELECT id, result FROM ledger_transfer_failures WHERE id IN (SELECT unnest($1::uuid[]))',
    values: [plainArray([...ids].filter(isUuidLike))],
  });
  const resolvedRows = await client.query<{ pending_id: string }>({
    text: 'SELECT pending_id FROM ledger_transfers WHERE pending_id IN (SELECT unnest($1::uuid[]))',
    values: [plainArray([...pendingIds].filter(isUuidLike))],
  });
  const transfers = new Map(transferRows.rows.map((row) => [row.id, toTransfer(row)]));

  const limitKeys = new Set<string>();
  for (const request of requests) {
    for (const input of request.inputs) for (const limit of input.limits ?? []) limitKeys.add(limit.key);
  }
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
    else if (isUuidLike(id)) toLoad.push(id);
  }
  if (toLoad.length > 0) {
    // No FOR UPDATE: only ledger batches write the counters, and they all hold the journal-head
    // lock, so these rows cannot change under a batch. (Row locks here cost a write per account.)
    const accountRows = await client.query<AccountRow>({
      text: `SELECT id, currency, flags, debits_pending, debits_posted, credits_pending, credits_posted
               FROM ledger_accounts WHERE id IN (SELECT unnest($1::uuid[]))`,
      values: [plainArray(toLoad)],
    });
    for (const row of accountRows.rows) accounts.set(row.id, toAccountState(row));
  }

  return {
    accounts,
    transfers,
    resolvedPendingIds: new Set(resolvedRows.rows.map((row) => row.pending_id)),
    failures: new Map(failureRows.rows.map((row) => [row.id, row.result])),
    limitUsage: new Map(limitRows.map((row) => [row.key, row.used])),
  };
}

async function writeBatch(client: pg.PoolClient, prepared: PreparedBatch): Promise<void> {
  const { effects, base, after } = prepared;
  const created = effects.created;

  if (created.length > 0) {
    await copyTransfers(client, created);
    const accounts = effects.changedAccounts;
    await client.query({
      text: `UPDATE ledger_accounts AS a
                SET debits_pending = v.dp, debits_posted = v.dpo, credits_pending = v.cp, credits_posted = v.cpo
               FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[]) AS v(id, dp, dpo, cp, cpo)
              WHERE a.id = v.id`,
      values: [
        plainArray(accounts.map((a) => a.id)),
        plainArray(accounts.map((a) => a.debitsPending)),
        plainArray(accounts.map((a) => a.debitsPosted)),
        plainArray(accounts.map((a) => a.creditsPending)),
        plainArray(accounts.map((a) => a.creditsPosted)),
      ],
    });
  }
  if (effects.failures.length > 0) {
    await client.query({
      name: 'ledger_insert_failures',
      text: `INSERT INTO ledger_transfer_failures (id, result)
             SELECT * FROM unnest($1::uuid[], $2::text[]) ON CONFLICT (id) DO NOTHING`,
      values: [
        plainArray(effects.failures.map((f) => f.id)),
        plainArray(effects.failures.map((f) => f.result)),
      ],
    });
  }
  if (effects.changedLimits.length > 0) {
    await client.query({
      name: 'ledger_upsert_limits',
      text: `INSERT INTO ledger_limit_counters (key, used)
             SELECT * FROM unnest($1::text[], $2::bigint[])
             ON CONFLICT (key) DO UPDATE SET used = EXCLUDED.used`,
      values: [
        textArray(effects.changedLimits.map((l) => l.key)),
        plainArray(effects.changedLimits.map((l) => l.used)),
      ],
    });
  }
  if (effects.expiring.length > 0) {
    await client.query({
      name: 'ledger_insert_expiries',
      text: `INSERT INTO ledger_pending_expiries (transfer_id, expires_at)
             SELECT * FROM unnest($1::uuid[], $2::bigint[])`,
      values: [
        plainArray(effects.expiring.map((e) => e.id)),
        plainArray(effects.expiring.map((e) => e.expiresAt)),
      ],
    });
  }
  if (effects.resolved.length > 0) {
    await client.query({
      text: 'DELETE FROM ledger_pending_expiries WHERE transfer_id IN (SELECT unnest($1::uuid[]))',
      values: [plainArray(effects.resolved)],
    });
  }

  if (created.length > 0) {
    await client.query({
      name: 'ledger_append_journal',
      text: `WITH record AS (
               INSERT INTO ledger_journal (seq, prev_hash, hash, first_ts, last_ts, transfer_count)
               VALUES ($1, $2, $3, $4, $5, $6))
             UPDATE ledger_journal_head SET seq = $1, hash = $3, last_ts = $5, version = $7`,
      values: [
        after.seq.toString(),
        base.hash,
        after.hash,
        created[0]!.timestamp.toString(),
        after.lastTs.toString(),
        created.length,
        after.version.toString(),
      ],
    });
  } else {
    // Failures alone change what later batches must know (remembered ids): bump the version too.
    await client.query({
      name: 'ledger_bump_version',
      text: 'UPDATE ledger_journal_head SET version = $1',
      values: [after.version.toString()],
    });
  }
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

const UUID_LIKE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Malformed ids fail static validation; keep them out of `::uuid[]` casts. */
function isUuidLike(value: string): boolean {
  return UUID_LIKE.test(value);
}

/**
 * PostgreSQL array literals built directly. node-pg's generic encoder quotes and regex-escapes
 * every element; for the tens of thousands of elements in a batch that cost sits on the
 * critical path. Only for values that need no quoting: UUIDs, numbers, currency codes, result
 * names — all validated before they get here.
 */
function plainArray(values: readonly (string | number | bigint | null)[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) literal += ',';
    literal += value === null || value === undefined ? 'NULL' : String(value);
  }
  return `${literal}}`;
}

/** Array literal for free text: every element quoted, backslashes and quotes escaped. */
function textArray(values: readonly (string | null)[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) literal += ',';
    literal +=
      value === null || value === undefined
        ? 'NULL'
        : `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  }
  return `${literal}}`;
}
