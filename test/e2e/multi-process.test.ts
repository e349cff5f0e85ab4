/**
 * Two `qianbao start` processes on one database, both moving money between the same few
 * accounts in both directions. Each server batches on its own, so their transactions lock
 * overlapping accounts at the same time: no deadlock or serialization error may reach a caller,
 * no update may be lost, and the books must balance.
 */
import { newId } from '@qianbao/ledger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/database.ts';
import type { TestDatabase } from '../support/database.ts';
import {
  CURRENCY,
  assertBooksBalance,
  forEachConcurrently,
  openFundedCustomers,
  postedBalances,
  randomInt,
  randomPair,
  submitTransfers,
} from './ledger-http.ts';
import type { TransferRequest } from './ledger-http.ts';
import { describeExit, killAllServers, startServerProcess } from './server-process.ts';
import type { ServerProcess } from './server-process.ts';

const CUSTOMERS = 8;
const FUNDING = 10_000n;
const TRANSFERS = 2000;
const IN_FLIGHT = 64;
/** Up to half a customer's funding per transfer: overdraft attempts do happen, and must fail cleanly. */
const MAX_AMOUNT = 5000;

describe('two server processes on one database', () => {
  let db: TestDatabase;
  let servers: ServerProcess[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    killAllServers();
    await Promise.all(servers.map((server) => server.exited));
    await db?.drop();
  });

  it(
    'hammering overlapping accounts: no deadlock reaches a caller, nothing is lost, books balance',
    { timeout: 120_000 },
    async () => {
      servers = await Promise.all([
        startServerProcess({ databaseUrl: db.url }),
        startServerProcess({ databaseUrl: db.url }),
      ]);
      expect(servers[0]!.pid).not.toBe(servers[1]!.pid);
      const books = await openFundedCustomers(servers[0]!.url, CUSTOMERS, FUNDING);

      // Requests of 1–4 independent transfers (not linked: each must succeed or fail on its own),
      // random pairs of the same 8 accounts, so both directions of every pair occur.
      const requests: TransferRequest[][] = [];
      for (let planned = 0; planned < TRANSFERS;) {
        const size = Math.min(randomInt(1, 4), TRANSFERS - planned);
        requests.push(
          Array.from({ length: size }, () => {
            const [debit, credit] = randomPair(books.customers);
            return {
              id: newId(),
              debitAccountId: debit,
              creditAccountId: credit,
              amount: String(randomInt(1, MAX_AMOUNT)),
              currency: CURRENCY,
              code: 10,
            };
          }),
        );
        planned += size;
      }

      // What each customer must hold afterwards, from the answers alone: a lost update would show.
      const expected = new Map(books.customers.map((id) => [id, FUNDING]));
      const problems: string[] = [];
      const counts = new Map<string, number>();
      const perServer = [0, 0];
      await forEachConcurrently(requests, IN_FLIGHT, async (transfers, index) => {
        const server = index % 2; // alternate, so both servers batch the same accounts at once
        const submission = await submitTransfers(servers[server]!.url, transfers);
        if (submission.kind === 'noAnswer' || submission.status !== 200) {
          problems.push(
            submission.kind === 'noAnswer'
              ? `server ${server}: no answer: ${submission.error}`
              : `server ${server}: HTTP ${submission.status}: ${submission.body}`,
          );
          return;
        }
        perServer[server]! += transfers.length;
        submission.results.forEach((outcome, i) => {
          const transfer = transfers[i]!;
          expect(outcome.id).toBe(transfer.id);
          counts.set(outcome.result, (counts.get(outcome.result) ?? 0) + 1);
          if (outcome.result === 'ok') {
            const amount = BigInt(transfer.amount!);
            expected.set(transfer.debitAccountId!, expected.get(transfer.debitAccountId!)! - amount);
            expected.set(transfer.creditAccountId!, expected.get(transfer.creditAccountId!)! + amount);
          } else if (outcome.result !== 'insufficientFunds') {
            problems.push(`server ${server}: transfer ${transfer.id}: ${JSON.stringify(outcome)}`);
          }
        });
      });

      expect(problems.slice(0, 10)).toEqual([]);
      // Every transfer was answered, by both servers, and the load really moved money (or the
      // test would prove nothing).
      expect(perServer[0]! + perServer[1]!).toBe(TRANSFERS);
      expect(Math.min(...perServer)).toBeGreaterThan(TRANSFERS / 3);
      expect(counts.get('ok') ?? 0).toBeGreaterThan(TRANSFERS / 2);
      expect([...counts.keys()].sort()).toEqual(
        counts.has('insufficientFunds') ? ['insufficientFunds', 'ok'] : ['ok'],
      );

      const balances = await postedBalances(db.pool);
      expect(new Map(books.customers.map((id) => [id, balances.get(id)]))).toEqual(expected);
      const customersTotal = books.customers.reduce((sum, id) => sum + balances.get(id)!, 0n);
      expect(customersTotal).toBe(FUNDING * BigInt(CUSTOMERS));
      expect(customersTotal + balances.get(books.system)!).toBe(0n); // money conserved
      for (const id of books.customers) expect(balances.get(id)!).toBeGreaterThanOrEqual(0n);
      await assertBooksBalance(db.pool);

      const exits = await Promise.all(servers.map((server) => server.stop()));
      expect(exits.map(describeExit), servers.map((server) => server.output()).join('\n---\n')).toEqual([
        'code 0',
        'code 0',
      ]);
    },
  );
});
