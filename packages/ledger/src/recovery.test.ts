import { describe, expect, it } from 'vitest';
import { MAX_TRANSIENT_ATTEMPTS, answerAsFirstAttempt, nextStep } from './recovery.ts';
import type { RecoveryContext } from './recovery.ts';
import type { Transfer, TransferOutcome } from './types.ts';

const withCode = (code: string) => Object.assign(new Error(code), { code });
const context = (overrides: Partial<RecoveryContext> = {}): RecoveryContext => ({
  attemptsOnConnection: 1,
  reconnects: 0,
  unavailableSince: null,
  now: 1_000_000,
  unavailableAfterMs: 10_000,
  ...overrides,
});

describe('nextStep: the precedence of retries', () => {
  it('a transient failure runs again on the same connection, a bounded number of times', () => {
    expect(nextStep(withCode('40P01'), context())).toEqual({ kind: 'again' });
    expect(
      nextStep(withCode('40001'), context({ attemptsOnConnection: MAX_TRANSIENT_ATTEMPTS - 1 })),
    ).toEqual({
      kind: 'again',
    });
    expect(nextStep(withCode('40001'), context({ attemptsOnConnection: MAX_TRANSIENT_ATTEMPTS }))).toEqual({
      kind: 'fail',
    });
  });

  it('a lost connection or a read-only node: reconnect after a pause that grows to a second', () => {
    const pauses = [0, 1, 2, 3, 4, 8].map(
      (reconnects) => (nextStep(withCode('57P01'), context({ reconnects })) as { pauseMs: number }).pauseMs,
    );
    expect(pauses).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(nextStep(withCode('25006'), context()).kind).toBe('reconnect');
    expect(nextStep(new Error('Connection terminated unexpectedly'), context()).kind).toBe('reconnect');
  });

  it('unavailable once the database has been away for unavailableAfterMs; the last pause ends at the deadline', () => {
    const since = 1_000_000;
    expect(
      nextStep(
        withCode('ECONNREFUSED'),
        context({ unavailableSince: since, now: since + 9_950, reconnects: 9 }),
      ),
    ).toEqual({ kind: 'reconnect', pauseMs: 50 });
    expect(
      nextStep(
        withCode('ECONNREFUSED'),
        context({ unavailableSince: since, now: since + 10_000, reconnects: 3 }),
      ),
    ).toEqual({ kind: 'unavailable' });
    // A batch that starts after the window still tries one new connection, at once.
    expect(nextStep(withCode('57P01'), context({ unavailableSince: since, now: since + 60_000 }))).toEqual({
      kind: 'reconnect',
      pauseMs: 0,
    });
    // A loss long after the last one started a new window: the database was back in between.
    expect(nextStep(withCode('57P01'), context({ unavailableSince: null, now: since + 60_000 })).kind).toBe(
      'reconnect',
    );
  });

  it('anything else fails the batch at once: no retry can help a bug or a hand-edited chain', () => {
    expect(nextStep(withCode('QL002'), context())).toEqual({ kind: 'fail' });
    expect(nextStep(withCode('23505'), context())).toEqual({ kind: 'fail' });
    expect(nextStep(new RangeError('bad'), context())).toEqual({ kind: 'fail' });
  });
});

function transfer(id: string, timestamp: bigint): Transfer {
  return {
    id,
    debitAccountId: 'a',
    creditAccountId: 'b',
    amount: 1n,
    currency: 'CNY',
    code: 1,
    flags: 0,
    pendingId: null,
    timeoutSeconds: 0,
    timestamp,
    expiresAt: null,
    userData: null,
    limitKeys: [],
  };
}

describe('answerAsFirstAttempt: a retried batch answers as its lost commit did', () => {
  const ok = (id: string, ts: bigint): TransferOutcome => ({ id, result: 'ok', transfer: transfer(id, ts) });
  const exists = (id: string, ts: bigint): TransferOutcome => ({
    id,
    result: 'exists',
    transfer: transfer(id, ts),
  });

  it('the lost commit happened: `exists` of the very row it wrote is its `ok`; its failures are its failures', () => {
    const lost = [[[ok('t1', 10n), ok('t2', 11n)], [{ id: 't3', result: 'insufficientFunds' as const }]]];
    const retried = [
      [exists('t1', 10n), exists('t2', 11n)],
      [{ id: 't3', result: 'idAlreadyFailed' as const, failedWith: 'insufficientFunds' as const }],
    ];
    expect(answerAsFirstAttempt(retried, lost)).toEqual(lost[0]);
  });

  it("the lost commit did not happen: the retry's own answers stand", () => {
    const lost = [[[ok('t1', 10n)], [ok('t2', 11n)]]];
    const retried = [[ok('t1', 20n)], [{ id: 't2', result: 'insufficientFunds' as const }]];
    expect(answerAsFirstAttempt(retried, lost)).toEqual(retried);
  });

  it('`exists` of a row someone else committed (another time) stays `exists`', () => {
    const lost = [[[ok('t1', 10n)]]];
    expect(answerAsFirstAttempt([[exists('t1', 7n)]], lost)).toEqual([[exists('t1', 7n)]]);
  });

  it("an `exists` the lost attempt answered too (a client's second submission) stays `exists`", () => {
    const lost = [[[exists('t1', 7n)]]];
    expect(answerAsFirstAttempt([[exists('t1', 7n)]], lost)).toEqual([[exists('t1', 7n)]]);
  });

  it("a failure remembered for another reason than the lost attempt's stays `idAlreadyFailed`", () => {
    const remembered = {
      id: 't1',
      result: 'idAlreadyFailed' as const,
      failedWith: 'accountNotFound' as const,
    };
    expect(answerAsFirstAttempt([[remembered]], [[[{ id: 't1', result: 'insufficientFunds' }]]])).toEqual([
      [remembered],
    ]);
  });

  it('of two lost attempts, the one that committed answers', () => {
    // The first commit happened; the second attempt (lost too) saw its rows as `exists`.
    const lost = [[[ok('t1', 10n)]], [[exists('t1', 10n)]]];
    expect(answerAsFirstAttempt([[exists('t1', 10n)]], lost)).toEqual([[ok('t1', 10n)]]);
  });

  it('nothing lost: the outcomes as they are', () => {
    expect(answerAsFirstAttempt([[exists('t1', 1n)]], [])).toEqual([[exists('t1', 1n)]]);
  });
});
