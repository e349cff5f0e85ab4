/**
 * A ledger batch at each point where a failover can break its connection (ADR 0027). The writer
 * pool is real; a seam on its clients breaks the connection at the chosen point — for real (the
 * socket is destroyed, or the session made read-only), so what the batcher sees is what
 * node-postgres reports when a leader goes away:
 * - before the commit reaches the database (nothing written): reconnect and commit;
 * - after the commit, before its answer (written, the server never heard): reconnect, apply again,
 *   and answer what the lost commit decided — `ok`, never `exists`, and the money moved once;
 * - on a read-only node (a demoted leader, 25006): drop the connection, commit on a fresh one;
 * - away longer than `unavailableAfterMs`: LedgerUnavailableError, and a retry with the same ids
 *   later answers as if nothing had happened;
 * - the account cache is dropped: a batch after a loss reads balances from the database.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPool } from '@qianbao/db';
import { openTestLedger, type TestLedger } from '../../../test/support/ledger.ts';
import { newId } from './ids.ts';
import { Ledger } from './ledger.ts';
import { LedgerUnavailableError } from './types.ts';
import type { TransferInput } from './types.ts';

type Fault = 'beforeCommit' | 'afterCommit' | 'readOnly';

/** The writer pool with a seam: the next batch script (its commit) meets `fault`. */
class FaultyPool {
  readonly pool: pg.Pool;
  private faults: Fault[] = [];
  private refuseUntil = 0;
  hits = 0;

  constructor(url: string) {
    this.pool = createPool({ connectionString: url, max: 3, applicationName: 'qianbao-ledger-faulty' });
    const connect = this.pool.connect.bind(this.pool) as () => Promise<pg.PoolClient>;
    (this.pool as { connect: () => Promise<pg.PoolClient> }).connect = async () => {
      if (Date.now() < this.refuseUntil) {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      }
      return this.seam(await connect());
    };
  }

  /** The next batch scripts meet these faults, in order. */
  inject(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  /** Refuse new connections for `ms` and break the open ones (no leader for a while). */
  async goAway(ms: number, admin: pg.Pool): Promise<void> {
    this.refuseUntil = Date.now() + ms;
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'qianbao-ledger-faulty' AND pid <> pg_backend_pid()`,
    );
  }

  private seam(client: pg.PoolClient): pg.PoolClient {
    if ((client as { seamed?: boolean }).seamed) return client;
    Object.assign(client, { seamed: true });
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    const destroy = () =>
      (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    (client as { query: unknown }).query = (...args: unknown[]) => {
      const isScript = typeof args[0] === 'object' && args[0] !== null && 'done' in args[0];
      const fault = isScript ? this.faults.shift() : undefined;
      if (fault === undefined) return query(...args);
      this.hits++;
      if (fault === 'beforeCommit') {
        destroy();
        return query(...args);
      }
      if (fault === 'readOnly') {
        const submitted = args[0] as { done: Promise<unknown> };
        const done = (query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY') as Promise<unknown>).then(
          () => (query(submitted) as { done: Promise<unknown> }).done,
        );
        return { done };
      }
      // afterCommit: the script runs to its COMMIT; the answer is lost with the connection.
      const submitted = query(...args) as { done: Promise<unknown> };
      return {
        done: submitted.done.then(() => {
          destroy();
          throw new Error('Connection terminated unexpectedly');
        }),
      };
    };
    return client;
  }
}

let t: TestLedger;
let faulty: FaultyPool;
beforeAll(async () => {
  // Accounts are opened and funded through the test ledger; the ledger under test writes through
  // the faulty pool on the same database.
  t = await openTestLedger();
  faulty = new FaultyPool(t.db.url);
});
afterEach(async () => t.assertBooks());
afterAll(async () => {
  await faulty.pool.end();
  await t.close();
});

function faultyLedger(unavailableAfterMs = 1500): Promise<Ledger> {
  return Ledger.open(t.db.pool, { writerPool: faulty.pool, journalKey: t.journalKey, unavailableAfterMs });
}

function move(from: string, to: string, amount: bigint, extra: Partial<TransferInput> = {}): TransferInput {
  return {
    id: newId(),
    debitAccountId: from,
    creditAccountId: to,
    amount,
    currency: 'CNY',
    code: 1,
    ...extra,
  };
}

async function count(ids: readonly string[]): Promise<number> {
  const { rows } = await t.db.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM ledger_transfers WHERE id = ANY($1::uuid[])',
    [ids],
  );
  return rows[0]!.n;
}

describe('a ledger batch whose connection breaks (failover points)', () => {
  it('after the commit, before its answer: ok (not exists), once; a refusal stays the same refusal', async () => {
    const ledger = await faultyLedger();
    const [a, b] = [await t.customer(), await t.customer()];
    await t.fund(a, 100n);
    const transfers = [move(a, b, 30n), move(a, b, 20n)];
    const overdraft = move(a, b, 1000n);
    faulty.inject('afterCommit');
    const hits = faulty.hits;
    // One batch: two movements and a refusal, all committed by the commit whose answer is lost.
    const outcomes = await ledger.createTransfers([...transfers, overdraft]);
    expect(faulty.hits).toBe(hits + 1);
    expect(outcomes.map((o) => o.result)).toEqual(['ok', 'ok', 'insufficientFunds']);
    expect(await count(transfers.map((x) => x.id))).toBe(2);
    expect((await ledger.getBalance(a))!.postedBalance).toBe(50n);
    expect(ledger.stats().batchesRecovered).toBeGreaterThan(0);
    // A client's own second submission is still told `exists`.
    expect((await ledger.createTransfers([transfers[0]!])).map((o) => o.result)).toEqual(['exists']);
    await ledger.close();
  });

  it('before the commit reaches the database: reconnect and commit, once', async () => {
    const ledger = await faultyLedger();
    const [a, b] = [await t.customer(), await t.customer()];
    await t.fund(a, 100n);
    const transfer = move(a, b, 40n);
    faulty.inject('beforeCommit');
    const losses = ledger.stats().connectionLosses;
    expect((await ledger.createTransfers([transfer])).map((o) => o.result)).toEqual(['ok']);
    expect(ledger.stats().connectionLosses).toBeGreaterThan(losses);
    expect(await count([transfer.id])).toBe(1);
    expect((await ledger.getBalance(b))!.postedBalance).toBe(40n);
    await ledger.close();
  });

  it('on a read-only node (25006, a demoted leader): the connection is dropped, the batch commits on a new one', async () => {
    const ledger = await faultyLedger();
    const [a, b] = [await t.customer(), await t.customer()];
    await t.fund(a, 100n);
    faulty.inject('readOnly');
    const transfer = move(a, b, 10n);
    expect((await ledger.createTransfers([transfer])).map((o) => o.result)).toEqual(['ok']);
    expect(await count([transfer.id])).toBe(1);
    // No read-only connection went back to the pool: the next batches write.
    for (let i = 0; i < 4; i++) {
      expect((await ledger.createTransfers([move(a, b, 1n)])).map((o) => o.result)).toEqual(['ok']);
    }
    await ledger.close();
  });

  it('away longer than unavailableAfterMs: LedgerUnavailableError; the same ids later answer as new', async () => {
    const ledger = await faultyLedger(1000);
    const [a, b] = [await t.customer(), await t.customer()];
    await t.fund(a, 100n);
    const transfer = move(a, b, 25n);
    await faulty.goAway(2500, t.db.pool);
    const startedAt = Date.now();
    await expect(ledger.createTransfers([transfer])).rejects.toBeInstanceOf(LedgerUnavailableError);
    // Bounded: about unavailableAfterMs, not the whole outage.
    expect(Date.now() - startedAt).toBeLessThan(2400);
    expect(ledger.stats().batchesUnavailable).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 2600 - (Date.now() - startedAt)));
    expect((await ledger.createTransfers([transfer])).map((o) => o.result)).toEqual(['ok']);
    expect(await count([transfer.id])).toBe(1);
    await ledger.close();
  });

  it('the account cache is dropped at a loss: the batch after it reads the balance from the database', async () => {
    const ledger = await faultyLedger();
    const [a, b] = [await t.customer(), await t.customer()];
    await t.fund(a, 100n);
    // The batch caches a's row at the head version it leaves.
    expect((await ledger.createTransfers([move(a, b, 1n)])).map((o) => o.result)).toEqual(['ok']);
    // A database that is not the one the cache was filled from (a promoted replica that missed the
    // last commit would look like this): same head version, other balances.
    await t.db.pool.query('UPDATE ledger_accounts SET credits_posted = credits_posted - 60 WHERE id = $1', [
      a,
    ]);
    try {
      faulty.inject('beforeCommit');
      // 99 in the cache, 39 in the database: trusting the cache would overdraw a.
      expect((await ledger.createTransfers([move(a, b, 50n)])).map((o) => o.result)).toEqual([
        'insufficientFunds',
      ]);
    } finally {
      await t.db.pool.query('UPDATE ledger_accounts SET credits_posted = credits_posted + 60 WHERE id = $1', [
        a,
      ]);
    }
    await ledger.close();
  });
});
