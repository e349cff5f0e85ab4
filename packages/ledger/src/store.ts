/**
 * PostgreSQL side of a batch: one transaction that locks the journal head, loads what the batch
 * touches, applies it in memory (apply.ts), writes every row with set-based statements and
 * commits once.
 */
import type pg from 'pg';
import { applyBatch } from './apply.ts';
import type { AccountState, BatchEffects, BatchRequest, BatchState } from './apply.ts';
import { batchHash } from './journal.ts';
import type { Transfer, TransferOutcome, TransferResult } from './types.ts';

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

export interface CommittedBatch {
  outcomes: TransferOutcome[][];
  created: number;
  seq: bigint | null;
  /** Head version before and after this batch: every batch, even one that only fails, bumps it. */
  versionBefore: bigint;
  versionAfter: bigint;
  effects: BatchEffects;
}

/** State read ahead of the head lock, in one snapshot, tagged with the head version it saw. */
export interface PreloadedState {
  version: bigint;
  state: BatchState;
}

/** Microseconds since the epoch from the wall clock. */
export function nowMicros(): bigint {
  return BigInt(Date.now()) * 1000n;
}

/**
 * Read what a batch will need while the previous batch is still committing (on another
 * connection). One REPEATABLE READ snapshot, so everything it holds is as of one head version.
 */
export async function preloadBatch(
  client: pg.PoolClient,
  requests: readonly BatchRequest[],
): Promise<PreloadedState> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const version = (
      await client.query<{ version: bigint }>({
        name: 'ledger_head_version',
        text: 'SELECT version FROM ledger_journal_head',
      })
    ).rows[0]!.version;
    const state = await loadState(client, requests);
    await client.query('COMMIT');
    return { version, state };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

export interface CommitBasis {
  preloaded: PreloadedState | null;
  /** The batch this process committed just before, if any: its effects bridge one version gap. */
  previous: CommittedBatch | null;
}

export async function commitBatch(
  client: pg.PoolClient,
  requests: readonly BatchRequest[],
  clock: () => bigint = nowMicros,
  basis: CommitBasis = { preloaded: null, previous: null },
): Promise<CommittedBatch> {
  await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
  try {
    const committed = await applyAndWrite(client, requests, clock, basis);
    await client.query('COMMIT');
    return committed;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/**
 * The preloaded state is usable under the lock when nothing was committed since its snapshot,
 * or when exactly one batch was, and it was our own previous batch, whose final states we hold.
 * Anything else (another process wrote in between) means loading again under the lock.
 */
function stateUnderLock(headVersion: bigint, basis: CommitBasis): BatchState | null {
  const { preloaded, previous } = basis;
  if (!preloaded) return null;
  if (preloaded.version === headVersion) return preloaded.state;
  if (previous && previous.versionBefore === preloaded.version && previous.versionAfter === headVersion) {
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
  return null;
}

async function loadState(client: pg.PoolClient, requests: readonly BatchRequest[]): Promise<BatchState> {
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
    name: 'ledger_load_transfers',
    text: `SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE id = ANY($1::uuid[])`,
    values: [plainArray(lookupIds.filter(isUuidLike))],
  });
  const failureRows = await client.query<{ id: string; result: TransferResult }>({
    name: 'ledger_load_failures',
    text: 'SELECT id, result FROM ledger_transfer_failures WHERE id = ANY($1::uuid[])',
    values: [plainArray([...ids].filter(isUuidLike))],
  });
  const resolvedRows = await client.query<{ pending_id: string }>({
    name: 'ledger_load_resolved',
    text: 'SELECT pending_id FROM ledger_transfers WHERE pending_id = ANY($1::uuid[])',
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
            name: 'ledger_load_limits',
            text: 'SELECT key, used FROM ledger_limit_counters WHERE key = ANY($1::text[])',
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
  // No FOR UPDATE: only ledger batches write the counters, and they all hold the journal-head
  // lock, so these rows cannot change under a batch. (Row locks here cost a write per account.)
  const accountRows = await client.query<AccountRow>({
    name: 'ledger_load_accounts',
    text: `SELECT id, currency, flags, debits_pending, debits_posted, credits_pending, credits_posted
             FROM ledger_accounts WHERE id = ANY($1::uuid[])`,
    values: [plainArray([...accountIds].filter(isUuidLike))],
  });

  return {
    accounts: new Map(accountRows.rows.map((row) => [row.id, toAccountState(row)])),
    transfers,
    resolvedPendingIds: new Set(resolvedRows.rows.map((row) => row.pending_id)),
    failures: new Map(failureRows.rows.map((row) => [row.id, row.result])),
    limitUsage: new Map(limitRows.map((row) => [row.key, row.used])),
  };
}

async function applyAndWrite(
  client: pg.PoolClient,
  requests: readonly BatchRequest[],
  clock: () => bigint,
  basis: CommitBasis,
): Promise<CommittedBatch> {
  const head = (
    await client.query<{ seq: bigint; hash: Buffer; last_ts: bigint; version: bigint }>({
      name: 'ledger_lock_head',
      text: 'SELECT seq, hash, last_ts, version FROM ledger_journal_head FOR UPDATE',
    })
  ).rows[0]!;
  const state = stateUnderLock(head.version, basis) ?? (await loadState(client, requests));
  const wallClock = clock();
  const firstTimestamp = wallClock > head.last_ts ? wallClock : head.last_ts + 1n;
  const effects = applyBatch(requests, state, firstTimestamp);
  const created = effects.created;

  if (created.length > 0) {
    await client.query({
      name: 'ledger_insert_transfers',
      text: `INSERT INTO ledger_transfers (${TRANSFER_COLUMNS})
             SELECT id, debit, credit, amount, currency, code, flags, pending_id, timeout_seconds, expires_at,
                    user_data, ts, CASE WHEN limit_keys = '' THEN NULL ELSE string_to_array(limit_keys, ' ') END
               FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::bigint[], $5::text[], $6::int[], $7::int[],
                            $8::uuid[], $9::int[], $10::bigint[], $11::text[], $12::bigint[], $13::text[])
                 AS t(id, debit, credit, amount, currency, code, flags, pending_id, timeout_seconds, expires_at,
                      user_data, ts, limit_keys)`,
      values: [
        plainArray(created.map((t) => t.id)),
        plainArray(created.map((t) => t.debitAccountId)),
        plainArray(created.map((t) => t.creditAccountId)),
        plainArray(created.map((t) => t.amount)),
        plainArray(created.map((t) => t.currency)),
        plainArray(created.map((t) => t.code)),
        plainArray(created.map((t) => t.flags)),
        plainArray(created.map((t) => t.pendingId)),
        plainArray(created.map((t) => t.timeoutSeconds)),
        plainArray(created.map((t) => t.expiresAt)),
        textArray(created.map((t) => t.userData)),
        plainArray(created.map((t) => t.timestamp)),
        // Limit keys never contain spaces (validated): one space-separated text per transfer.
        textArray(created.map((t) => t.limitKeys.join(' '))),
      ],
    });
    const accounts = effects.changedAccounts;
    await client.query({
      name: 'ledger_update_accounts',
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
      name: 'ledger_delete_expiries',
      text: 'DELETE FROM ledger_pending_expiries WHERE transfer_id = ANY($1::uuid[])',
      values: [plainArray(effects.resolved)],
    });
  }

  let seq: bigint | null = null;
  const versionAfter = head.version + 1n;
  if (created.length > 0) {
    seq = head.seq + 1n;
    const hash = batchHash(head.hash, seq, created);
    const lastTs = created[created.length - 1]!.timestamp;
    await client.query({
      name: 'ledger_append_journal',
      text: `WITH record AS (
               INSERT INTO ledger_journal (seq, prev_hash, hash, first_ts, last_ts, transfer_count)
               VALUES ($1, $2, $3, $4, $5, $6))
             UPDATE ledger_journal_head SET seq = $1, hash = $3, last_ts = $5, version = $7`,
      values: [
        seq.toString(),
        head.hash,
        hash,
        created[0]!.timestamp.toString(),
        lastTs.toString(),
        created.length,
        versionAfter.toString(),
      ],
    });
  } else {
    // Failures alone change what later batches must know (remembered ids): bump the version too.
    await client.query({
      name: 'ledger_bump_version',
      text: 'UPDATE ledger_journal_head SET version = $1',
      values: [versionAfter.toString()],
    });
  }
  return {
    outcomes: effects.outcomes,
    created: created.length,
    seq,
    versionBefore: head.version,
    versionAfter,
    effects,
  };
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
