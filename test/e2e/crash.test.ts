/**
 * Crash safety: a load generator keeps submitting transfers while the server process is killed
 * with SIGKILL (twice) and started again on the same database and port. Whatever a client was
 * told is `ok` must be in the database afterwards; whatever it never heard back about is retried
 * with the same ids and must come back as `ok`, `exists` or a remembered failure — never as a
 * second movement. The books must balance throughout.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { newId } from '@qianbao/ledger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/database.ts';
import type { TestDatabase } from '../support/database.ts';
import {
  CURRENCY,
  assertBooksBalance,
  forEachConcurrently,
  openFundedCustomers,
  randomInt,
  randomPair,
  submitTransfers,
} from './ledger-http.ts';
import type { CommittedTransfer, Submission, TransferRequest, TransferResult } from './ledger-http.ts';
import { describeExit, freePort, killAllServers, startServerProcess } from './server-process.ts';
import type { ServerProcess } from './server-process.ts';

const CUSTOMERS = 8;
const FUNDING = 1_000_000n;
const IN_FLIGHT = 32;
/** Large enough that some overdraft attempts (and so failed linked chains) happen. */
const MAX_AMOUNT = 60_000;
/** While the server is down every request fails at once: pause rather than spin. */
const PAUSE_AFTER_NO_ANSWER_MS = 50;
const LOAD_BEFORE_FIRST_KILL_MS = 1500;
const LOAD_AFTER_RESTART_MS = 1000;
const KILLS = 2;

/** A first attempt can only succeed or fail on the state it meets. */
const FIRST_ATTEMPT_RESULTS = new Set(['ok', 'insufficientFunds', 'linkedEventFailed']);
/** A retry may also find its first attempt: committed (`exists`) or remembered as failed. */
const RETRY_RESULTS = new Set([...FIRST_ATTEMPT_RESULTS, 'exists', 'idAlreadyFailed']);

/** Everything the clients were told, transfer by transfer. */
class Outcomes {
  /** Answered `ok` or `exists`: durable, must be in the database. */
  readonly acknowledged = new Map<string, CommittedTransfer>();
  readonly failed = new Map<string, string>();
  /** Requests without an answer (or a 503, which applies nothing): their outcome is unknown. */
  readonly unknown: TransferRequest[][] = [];
  noAnswers = 0;
  /** No answer although the request had reached a server: it was in flight when the server died. */
  cutOff = 0;
  readonly results = new Map<string, number>();
  readonly problems: string[] = [];

  /** Record the answer to `transfers`; returns the per-transfer results, or null if there were none. */
  record(
    transfers: TransferRequest[],
    submission: Submission,
    allowed: ReadonlySet<string>,
  ): TransferResult[] | null {
    if (submission.kind === 'noAnswer' || submission.status === 503) {
      if (submission.kind === 'noAnswer') {
        this.noAnswers++;
        if (!submission.error.includes('ECONNREFUSED')) this.cutOff++;
      }
      this.unknown.push(transfers);
      return null;
    }
    if (submission.status !== 200 || submission.results.length !== transfers.length) {
      this.problems.push(`HTTP ${submission.status}: ${submission.body}`);
      return null;
    }
    submission.results.forEach((outcome, i) => {
      this.results.set(outcome.result, (this.results.get(outcome.result) ?? 0) + 1);
      if (outcome.id !== transfers[i]!.id || !allowed.has(outcome.result)) {
        this.problems.push(`${JSON.stringify(transfers[i])} → ${JSON.stringify(outcome)}`);
      } else if (outcome.result === 'ok' || outcome.result === 'exists') {
        this.acknowledged.set(outcome.id, outcome.transfer!);
      } else {
        this.failed.set(outcome.id, outcome.result);
      }
    });
    return submission.results;
  }
}

/**
 * Workers that each loop: a single transfer, a linked pair, or a hold followed by its post or
 * void — between the same few customers, until stopped.
 */
class LoadGenerator {
  private stopping = false;
  private readonly workers: Promise<void>[];

  constructor(
    private readonly url: string,
    private readonly customers: readonly string[],
    private readonly outcomes: Outcomes,
  ) {
    this.workers = Array.from({ length: IN_FLIGHT }, async () => {
      while (!this.stopping) await this.operation();
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.workers);
  }

  private async submit(transfers: TransferRequest[]): Promise<TransferResult[] | null> {
    const results = this.outcomes.record(
      transfers,
      await submitTransfers(this.url, transfers),
      FIRST_ATTEMPT_RESULTS,
    );
    if (!results) await sleep(PAUSE_AFTER_NO_ANSWER_MS);
    return results;
  }

  private transfer(debitAccountId: string, creditAccountId: string): TransferRequest {
    return {
      id: newId(),
      debitAccountId,
      creditAccountId,
      amount: String(randomInt(1, MAX_AMOUNT)),
      currency: CURRENCY,
      code: 10,
    };
  }

  private async operation(): Promise<void> {
    const [a, b] = randomPair(this.customers);
    const dice = Math.random();
    if (dice < 0.5) {
      await this.submit([this.transfer(a, b)]);
    } else if (dice < 0.75) {
      // A linked chain a → b → c: both or neither.
      const [, c] = randomPair(this.customers.filter((id) => id !== b));
      await this.submit([{ ...this.transfer(a, b), flags: ['linked'] }, this.transfer(b, c)]);
    } else {
      const hold: TransferRequest = { ...this.transfer(a, b), flags: ['pending'] };
      const [held] = (await this.submit([hold])) ?? [];
      if (held?.result !== 'ok') return;
      const resolve: TransferRequest =
        Math.random() < 0.8
          ? {
              id: newId(),
              pendingId: hold.id,
              code: 11,
              flags: ['postPending'],
              // Half the posts take only part of the hold.
              ...(Math.random() < 0.5 ? { amount: String(randomInt(1, Number(hold.amount))) } : {}),
            }
          : { id: newId(), pendingId: hold.id, code: 12, flags: ['voidPending'] };
      await this.submit([resolve]);
    }
  }
}

interface StoredTransfer {
  id: string;
  debitAccountId: string;
  creditAccountId: string;
  amount: string;
  pendingId: string | null;
}

describe('SIGKILL under load', () => {
  let db: TestDatabase;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    killAllServers();
    await server?.exited;
    await db?.drop();
  });

  it(
    'keeps every acknowledged transfer; unknown outcomes retry safely; books balance',
    { timeout: 120_000 },
    async () => {
      // A fixed port: the restarted server must be where the clients already are.
      const port = await freePort();
      server = await startServerProcess({ databaseUrl: db.url, port });
      const url = server.url;
      const books = await openFundedCustomers(url, CUSTOMERS, FUNDING);
      const outcomes = new Outcomes();
      for (const transfer of books.funding) outcomes.acknowledged.set(transfer.id, transfer);

      const load = new LoadGenerator(url, books.customers, outcomes);
      try {
        await sleep(LOAD_BEFORE_FIRST_KILL_MS);
        for (let kill = 1; kill <= KILLS; kill++) {
          const acknowledgedBefore = outcomes.acknowledged.size;
          const { noAnswers, cutOff } = outcomes;
          const killed = server;
          expect(await killed.kill(), killed.output()).toEqual({ code: null, signal: 'SIGKILL' });
          // The process we killed was the one serving: nothing answers on its port any more.
          await expect(fetch(`${url}/healthz`)).rejects.toThrow();

          server = await startServerProcess({ databaseUrl: db.url, port });
          expect(server.url).toBe(url);
          expect(server.pid).not.toBe(killed.pid);
          // The kill caught requests in flight, and the generator kept going while the server was down.
          expect(outcomes.cutOff).toBeGreaterThan(cutOff);
          expect(outcomes.noAnswers - outcomes.cutOff).toBeGreaterThan(noAnswers - cutOff);
          await sleep(LOAD_AFTER_RESTART_MS);
          // …and the restarted server acknowledges new work.
          expect(outcomes.acknowledged.size).toBeGreaterThan(acknowledgedBefore);
        }
      } finally {
        await load.stop();
      }

      // Every request that got no answer, again, with the same ids: now all must be answered.
      const unknown = outcomes.unknown.splice(0);
      expect(unknown.length).toBeGreaterThan(0);
      await forEachConcurrently(unknown, 16, async (transfers) => {
        outcomes.record(transfers, await submitTransfers(url, transfers), RETRY_RESULTS);
      });
      expect(outcomes.problems.slice(0, 10)).toEqual([]);
      expect(outcomes.unknown).toEqual([]);
      expect(outcomes.results.get('ok')).toBeGreaterThan(100);
      expect([...outcomes.failed.keys()].filter((id) => outcomes.acknowledged.has(id))).toEqual([]);

      // The database holds exactly the acknowledged transfers, as acknowledged: none lost, none
      // that a client was told failed, no unknown one applied without a retry finding it.
      const { rows } = await db.pool.query<StoredTransfer>(
        `SELECT id, debit_account_id AS "debitAccountId", credit_account_id AS "creditAccountId",
              amount::text AS amount, pending_id AS "pendingId"
         FROM ledger_transfers`,
      );
      const stored = new Map(rows.map((row) => [row.id, row]));
      const missing = [...outcomes.acknowledged.keys()].filter((id) => !stored.has(id));
      expect(missing.slice(0, 10), `${missing.length} acknowledged transfers missing`).toEqual([]);
      const unacknowledged = rows.filter((row) => !outcomes.acknowledged.has(row.id));
      expect(unacknowledged.slice(0, 10)).toEqual([]);
      for (const transfer of outcomes.acknowledged.values()) {
        const { id, debitAccountId, creditAccountId, amount, pendingId } = transfer;
        expect(stored.get(id)).toEqual({ id, debitAccountId, creditAccountId, amount, pendingId });
      }

      // Money stayed inside the closed system of customers; none was overdrawn.
      const { rows: accounts } = await db.pool.query<{ id: string; posted: string; available: string }>(
        `SELECT id, (credits_posted - debits_posted)::text AS posted,
              (credits_posted - debits_posted - debits_pending)::text AS available
         FROM ledger_accounts`,
      );
      const customers = accounts.filter((account) => books.customers.includes(account.id));
      expect(customers).toHaveLength(CUSTOMERS);
      expect(customers.reduce((sum, account) => sum + BigInt(account.posted), 0n)).toBe(
        FUNDING * BigInt(CUSTOMERS),
      );
      for (const account of customers) expect(BigInt(account.available)).toBeGreaterThanOrEqual(0n);
      await assertBooksBalance(db.pool);

      const exit = await server.stop();
      expect(describeExit(exit), server.output()).toBe('code 0');
    },
  );
});
