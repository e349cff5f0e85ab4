import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { AppError } from './errors.ts';

/**
 * Counting the tries of a secret (login password, transaction PIN, authenticator and recovery
 * codes, operator sign-in) so that neither concurrency nor a crash can break the count. One
 * building block, used by every module that locks a secret after too many wrong tries
 * (docs/security.md, "Counting tries").
 *
 * The state lives on the row of whoever owns the secret, in four columns:
 *
 *   failures      wrong answers counted (reset by a right one, or when a lock or the window ends)
 *   failed_at     when the last wrong answer was counted (optional: for a forgetting window)
 *   locked_until  set once, by the wrong answer that reaches the limit
 *   in_flight     timestamptz[]: one entry per try being checked right now — a lease that ends
 *                 at that time
 *
 * A try is taken BEFORE the secret is compared, in one UPDATE on that row, which admits it only
 * while `failures + live leases < limit` and no lock is on: concurrent guesses can never get more
 * real checks than the limit. The check's end gives the lease back and counts the answer in a
 * second UPDATE. A process killed in between never gives its leases back, but a lease counts only
 * until it ends, so a crash costs the holder nothing once `leaseMs` has passed — the count is
 * never left permanently wrong. Leases with equal end times are interchangeable, so the end time
 * itself names a lease (finishing removes one entry equal to it).
 *
 * "Locked until" is decided in exactly one place, `lockedUntil` below (and the same condition in
 * the SQL, `locked_until > now`): the checks that refuse and the screens that show the lock read
 * the same column through the same function. A limit that is full only of tries in flight is not
 * a lock: the caller waits for them (they end within `leaseMs`), and past its wait answers "busy,
 * retry", never "locked".
 */

type Queryable = pg.Pool | pg.PoolClient;

/** Where a secret's try state is kept: one row of `table`, found by `key = $1`. */
export interface TryColumns {
  table: string;
  key: string;
  failures: string;
  /** Null: no forgetting window (failures count until a right answer or the lock's end). */
  failedAt: string | null;
  lockedUntil: string;
  inFlight: string;
}

export interface TryPolicy {
  /** Wrong answers in a row that lock the secret. */
  maxFailures: number;
  lockMs: number;
  /** How long a try in flight counts at most (longer than any check takes). */
  leaseMs: number;
  /** Failures older than this are forgotten (needs `failedAt`); null: never. */
  forgetAfterMs: number | null;
}

export interface TryState {
  /** Wrong answers still counting at `now` (a run-out lock or window counts as zero). */
  failures: number;
  /** The lock in force at `now`, else null. */
  lockedUntil: Date | null;
  /** Ends of the leases still counting at `now`, earliest first. */
  inFlight: Date[];
}

/** A try taken: pass it to `finishTry`. */
export interface TryLease {
  key: string;
  /** The lease's end, which also names it. */
  until: Date;
  /** Wrong answers counted when the try was taken (not counting this one). */
  failuresBefore: number;
}

export interface TryOutcome {
  /** Wrong answers counting now (0 after a right answer). */
  failures: number;
  /** Tries left before the lock; 0 once locked. */
  remaining: number;
  lockedUntil: Date | null;
  /** True only for the one wrong answer that reached the limit and set the lock: tell the holder. */
  lockedNow: boolean;
}

/** The one rule for "locked until": a recorded lock that has not run out yet. */
export function lockedUntil(recorded: Date | null, now: Date): Date | null {
  return recorded !== null && recorded > now ? recorded : null;
}

/** The state at `now` of a row as stored (see `readTryState`): what counts and what has run out. */
export function tryStateAt(
  row: { failures: number; failedAt: Date | null; lockedUntil: Date | null; inFlight: readonly Date[] },
  policy: Pick<TryPolicy, 'forgetAfterMs'>,
  now: Date,
): TryState {
  const lockRanOut = row.lockedUntil !== null && row.lockedUntil <= now;
  const forgotten =
    policy.forgetAfterMs !== null &&
    row.failedAt !== null &&
    row.failedAt.getTime() <= now.getTime() - policy.forgetAfterMs;
  return {
    failures: lockRanOut || forgotten ? 0 : row.failures,
    lockedUntil: lockedUntil(row.lockedUntil, now),
    inFlight: row.inFlight.filter((until) => until > now).sort((a, b) => a.getTime() - b.getTime()),
  };
}

/** What a new try meets: admitted, refused by a lock, or waiting for tries in flight. */
export type TryGate =
  | { kind: 'open' }
  | { kind: 'locked'; until: Date }
  | { kind: 'busy'; /** when the earliest lease in the way ends */ until: Date };

export function tryGate(state: TryState, policy: Pick<TryPolicy, 'maxFailures'>): TryGate {
  if (state.lockedUntil) return { kind: 'locked', until: state.lockedUntil };
  if (state.failures + state.inFlight.length < policy.maxFailures) return { kind: 'open' };
  // Full of tries in flight (failures alone at the limit would have locked): the first to end frees a place.
  return { kind: 'busy', until: state.inFlight[0]! };
}

/** SQL: failures still counting (zero once the lock or the forgetting window ran out). `$now` is $2. */
function countingFailures(c: TryColumns, forgetParam: string): string {
  const forgotten = c.failedAt ? ` OR (${c.failedAt} IS NOT NULL AND ${c.failedAt} <= ${forgetParam})` : '';
  return `(CASE WHEN (${c.lockedUntil} IS NOT NULL AND ${c.lockedUntil} <= $2)${forgotten} THEN 0 ELSE ${c.failures} END)`;
}

function liveLeases(c: TryColumns): string {
  return `ARRAY(SELECT lease FROM unnest(${c.inFlight}) AS lease WHERE lease > $2)`;
}

/** The last parameter when the row has a forgetting window: failures at or before this are forgotten. */
function forgetParam(c: TryColumns, policy: TryPolicy, now: Date): [Date | null] | [] {
  if (!c.failedAt) return [];
  return [policy.forgetAfterMs === null ? null : new Date(now.getTime() - policy.forgetAfterMs)];
}

/**
 * Take one try, atomically: admitted only while nothing is locked and failures plus live leases
 * are below the limit. Run-out leases are dropped and a run-out lock or window resets the count
 * on the way. Null when not admitted (read `readTryState` to learn why).
 */
export async function takeTry(
  db: Queryable,
  c: TryColumns,
  input: { key: string; now: Date; policy: TryPolicy },
): Promise<TryLease | null> {
  const until = new Date(input.now.getTime() + input.policy.leaseMs);
  const failures = countingFailures(c, '$5');
  const { rows } = await db.query<{ failures: number }>(
    `UPDATE ${c.table}
        SET ${c.failures} = ${failures},
            ${c.failedAt ? `${c.failedAt} = CASE WHEN ${failures} = 0 THEN NULL ELSE ${c.failedAt} END,` : ''}
            ${c.lockedUntil} = CASE WHEN ${c.lockedUntil} <= $2 THEN NULL ELSE ${c.lockedUntil} END,
            ${c.inFlight} = ${liveLeases(c)} || $3::timestamptz
      WHERE ${c.key} = $1
        AND (${c.lockedUntil} IS NULL OR ${c.lockedUntil} <= $2)
        AND ${failures} + cardinality(${liveLeases(c)}) < $4
      RETURNING ${c.failures} AS failures`,
    [input.key, input.now, until, input.policy.maxFailures, ...forgetParam(c, input.policy, input.now)],
  );
  const row = rows[0];
  return row ? { key: input.key, until, failuresBefore: row.failures } : null;
}

/**
 * End a try: give its lease back and count the answer. A right answer clears the count; a wrong
 * one adds to it, and the one that reaches the limit records the lock (`lockedNow`, once). A
 * lease that ran out meanwhile (the check took longer than `leaseMs`) is simply not there any
 * more; the answer still counts.
 */
export async function finishTry(
  db: Queryable,
  c: TryColumns,
  input: { lease: TryLease; right: boolean; now: Date; policy: TryPolicy },
): Promise<TryOutcome> {
  const { policy, now } = input;
  const lockUntil = new Date(now.getTime() + policy.lockMs);
  const failures = countingFailures(c, '$7');
  const position = `array_position(${c.inFlight}, $3::timestamptz)`;
  const { rows } = await db.query<{ failures: number; locked_until: Date | null; locked_now: boolean }>(
    `UPDATE ${c.table}
        SET ${c.inFlight} = CASE WHEN ${position} IS NULL THEN ${c.inFlight}
                 ELSE ${c.inFlight}[:${position} - 1] || ${c.inFlight}[${position} + 1:] END,
            ${c.failures} = CASE WHEN $4 THEN 0 ELSE ${failures} + 1 END,
            ${c.failedAt ? `${c.failedAt} = CASE WHEN $4 THEN NULL ELSE $2 END,` : ''}
            ${c.lockedUntil} = CASE
                 WHEN NOT $4 AND ${failures} + 1 >= $5 AND (${c.lockedUntil} IS NULL OR ${c.lockedUntil} <= $2)
                 THEN $6 ELSE ${c.lockedUntil} END
      WHERE ${c.key} = $1
      RETURNING ${c.failures} AS failures, ${c.lockedUntil} AS locked_until,
                -- only the answer that brought the count to exactly the limit set the lock
                (NOT $4 AND ${c.failures} = $5 AND ${c.lockedUntil} IS NOT DISTINCT FROM $6::timestamptz) AS locked_now`,
    [
      input.lease.key,
      now,
      input.lease.until,
      input.right,
      policy.maxFailures,
      lockUntil,
      ...forgetParam(c, policy, now),
    ],
  );
  const row = rows[0];
  if (!row) return { failures: 0, remaining: policy.maxFailures, lockedUntil: null, lockedNow: false };
  const locked = lockedUntil(row.locked_until, now);
  return {
    failures: row.failures,
    remaining: locked ? 0 : Math.max(0, policy.maxFailures - row.failures),
    lockedUntil: locked,
    lockedNow: row.locked_now && locked !== null,
  };
}

/**
 * Give a try back without counting it: the check could not give an answer (the database or the
 * code failed), which says nothing about the secret.
 */
export async function releaseTry(db: Queryable, c: TryColumns, lease: TryLease): Promise<void> {
  const position = `array_position(${c.inFlight}, $2::timestamptz)`;
  await db.query(
    `UPDATE ${c.table}
        SET ${c.inFlight} = ${c.inFlight}[:${position} - 1] || ${c.inFlight}[${position} + 1:]
      WHERE ${c.key} = $1 AND ${position} IS NOT NULL`,
    [lease.key, lease.until],
  );
}

/**
 * SECRET_CHECK_BUSY (503, not stored under an Idempotency-Key): every try the limit allows is
 * being checked right now; nothing is locked, and a retry after `retryAfterMs` gets a place.
 */
export function secretCheckBusy(retryAfterMs: number): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError('SECRET_CHECK_BUSY', { details: { retryAfterSeconds }, retryAfterSeconds });
}

/** The try state of one row at `now`; null when there is no such row. */
export async function readTryState(
  db: Queryable,
  c: TryColumns,
  input: { key: string; now: Date; policy: TryPolicy },
): Promise<TryState | null> {
  const { rows } = await db.query<{
    failures: number;
    failed_at: Date | null;
    locked_until: Date | null;
    in_flight: Date[];
  }>(
    `SELECT ${c.failures} AS failures, ${c.failedAt ?? 'NULL::timestamptz'} AS failed_at,
            ${c.lockedUntil} AS locked_until, ${c.inFlight} AS in_flight
       FROM ${c.table} WHERE ${c.key} = $1`,
    [input.key],
  );
  const row = rows[0];
  if (!row) return null;
  return tryStateAt(
    {
      failures: row.failures,
      failedAt: row.failed_at,
      lockedUntil: row.locked_until,
      inFlight: row.in_flight,
    },
    input.policy,
    input.now,
  );
}

/** How often a try waiting for the tries in flight looks again. */
const BUSY_POLL_MS = 25;
/** The longest a try waits for tries in flight before answering "busy" (a lease may run longer). */
export const MAX_BUSY_WAIT_MS = 5000;

export type AcquireResult =
  | { kind: 'taken'; lease: TryLease }
  | { kind: 'locked'; until: Date }
  | { kind: 'busy'; retryAfterMs: number }
  | { kind: 'missing' };

/**
 * Take a try, waiting (bounded) while the limit is full only of tries in flight — e.g. several
 * payments confirmed with the right PIN at once: their leases end when their checks do. Never
 * answers `locked` unless a lock is recorded.
 */
export async function acquireTry(
  db: Queryable,
  c: TryColumns,
  input: { key: string; now: () => Date; policy: TryPolicy },
): Promise<AcquireResult> {
  const startedMs = Date.now();
  const maxWaitMs = Math.min(MAX_BUSY_WAIT_MS, input.policy.leaseMs);
  for (;;) {
    const now = input.now();
    const lease = await takeTry(db, c, { key: input.key, now, policy: input.policy });
    if (lease) return { kind: 'taken', lease };
    const state = await readTryState(db, c, { key: input.key, now, policy: input.policy });
    if (!state) return { kind: 'missing' };
    const gate = tryGate(state, input.policy);
    if (gate.kind === 'locked') return gate;
    if (gate.kind === 'busy' && Date.now() - startedMs >= maxWaitMs) {
      return { kind: 'busy', retryAfterMs: Math.max(1, gate.until.getTime() - now.getTime()) };
    }
    await sleep(BUSY_POLL_MS);
  }
}
