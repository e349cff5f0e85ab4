/**
 * What a batch does when its database fails under it (ADR 0027), as pure functions the batcher
 * follows and the tests check on their own:
 *
 * - `nextStep`: the precedence of retries. A transient failure (serialization, deadlock, lock or
 *   statement timeout) runs again on the same connection, a few times. A lost connection, or one
 *   that landed on a read-only (demoted) node, is dropped and the batch reconnects with a growing
 *   pause — until the database has been unavailable for `unavailableAfterMs`, then the callers get
 *   `LedgerUnavailableError` (503, retry with the same ids). Anything else fails the batch.
 * - `answerAsFirstAttempt`: a batch whose commit was on the wire when its connection broke may
 *   have committed. It is applied again under the lock, like any batch, and the ledger's ids make
 *   that idempotent: what the lost commit wrote now answers `exists` (or `idAlreadyFailed` for
 *   the failures it remembered). Those answers are the ledger's to a client that submits twice,
 *   not to this client, who submitted once: each is turned back into the answer the lost attempt
 *   computed — `ok` with the same transfer, or the same failure — when the stored row is the one
 *   that attempt wrote. So a failover never shows a caller a spurious `exists`, and never moves
 *   money twice.
 */
import { classifyDatabaseFailure } from '@qianbao/db';
import type { TransferOutcome } from './types.ts';

/** Attempts of one batch on one connection for transient failures (as before ADR 0027). */
export const MAX_TRANSIENT_ATTEMPTS = 3;
const FIRST_PAUSE_MS = 100;
const MAX_PAUSE_MS = 1000;

export type RecoveryStep =
  { kind: 'again' } | { kind: 'reconnect'; pauseMs: number } | { kind: 'unavailable' } | { kind: 'fail' };

export interface RecoveryContext {
  /** Attempts on the current connection so far (1 after the first failure). */
  attemptsOnConnection: number;
  /** Reconnections of this batch so far. */
  reconnects: number;
  /** Since when the database has been unavailable to this ledger (ms, `Date.now()`), null if it is not. */
  unavailableSince: number | null;
  now: number;
  unavailableAfterMs: number;
}

/** What to do after `error` failed a batch's attempt (see the module comment). */
export function nextStep(error: unknown, context: RecoveryContext): RecoveryStep {
  const failure = classifyDatabaseFailure(error);
  if (failure === 'transient') {
    return context.attemptsOnConnection < MAX_TRANSIENT_ATTEMPTS ? { kind: 'again' } : { kind: 'fail' };
  }
  if (failure === 'connectionLost' || failure === 'readOnly') {
    const since = context.unavailableSince ?? context.now;
    // Every batch gets one new connection, however long ago the database went away: the failure
    // may be a connection broken then and found only now, by a database that is back.
    if (context.now - since >= context.unavailableAfterMs && context.reconnects > 0) {
      return { kind: 'unavailable' };
    }
    const pause = Math.min(MAX_PAUSE_MS, FIRST_PAUSE_MS * 2 ** Math.min(context.reconnects, 10));
    // Never past the deadline: the last try comes just before it.
    const left = since + context.unavailableAfterMs - context.now;
    return { kind: 'reconnect', pauseMs: Math.max(0, Math.min(pause, left)) };
  }
  return { kind: 'fail' };
}

/**
 * The outcomes of a batch applied again after its commit was lost, answered as the lost attempt
 * would have where it did commit (see the module comment). `lost` holds the outcomes of every
 * attempt whose commit was sent and whose answer never came, oldest first.
 */
export function answerAsFirstAttempt(
  retried: readonly (readonly TransferOutcome[])[],
  lost: readonly (readonly (readonly TransferOutcome[])[])[],
): TransferOutcome[][] {
  if (lost.length === 0) return retried.map((outcomes) => [...outcomes]);
  return retried.map((outcomes, request) =>
    outcomes.map((outcome, position) => {
      for (const attempt of lost) {
        const first = attempt[request]?.[position];
        if (first !== undefined && wroteThis(first, outcome)) return first;
      }
      return outcome;
    }),
  );
}

/** Whether `retried` is what the lost attempt's `first` outcome wrote, seen again. */
function wroteThis(first: TransferOutcome, retried: TransferOutcome): boolean {
  if (first.id !== retried.id) return false;
  if (retried.result === 'exists') {
    // Ledger times are unique and given in commit order: the same id at the same time is the
    // very row the lost attempt wrote, not the same id committed by someone else.
    return (
      first.result === 'ok' &&
      first.transfer !== undefined &&
      retried.transfer !== undefined &&
      first.transfer.timestamp === retried.transfer.timestamp
    );
  }
  if (retried.result === 'idAlreadyFailed') {
    // The lost attempt failed it (and remembered that) for the reason now on record.
    return (
      first.result !== 'ok' &&
      first.result !== 'exists' &&
      first.result !== 'idAlreadyFailed' &&
      first.result === retried.failedWith
    );
  }
  return false;
}
