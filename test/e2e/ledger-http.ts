/**
 * End-to-end helpers: the internal ledger API over real HTTP, bounded concurrency, and the
 * checks of the books straight from the database. Imported by tests only.
 */
import type pg from 'pg';
import { expect } from 'vitest';
import { journalKeyFrom, newId, verifyLedger } from '@qianbao/ledger';
import { ADMIN_HEADERS } from '../../apps/server/src/testing.ts';
import { TEST_SECRET_KEY } from './server-process.ts';

export const CURRENCY = 'CNY';
/** A stalled server must fail the test, not hang it. */
const REQUEST_TIMEOUT_MS = 30_000;

export type TransferFlag = 'linked' | 'pending' | 'postPending' | 'voidPending';

/** A transfer as the API takes it (amounts as strings of digits). */
export interface TransferRequest {
  id: string;
  debitAccountId?: string;
  creditAccountId?: string;
  amount?: string;
  currency?: string;
  code: number;
  flags?: TransferFlag[];
  pendingId?: string;
}

/** A transfer as the API reports it once committed (the fields the tests look at). */
export interface CommittedTransfer {
  id: string;
  debitAccountId: string;
  creditAccountId: string;
  amount: string;
  flags: string[];
  pendingId: string | null;
}

export interface TransferResult {
  id: string;
  result: string;
  transfer?: CommittedTransfer;
}

/**
 * What became of one request. `noAnswer` (connection refused or reset, timeout) leaves the
 * outcome unknown: the transfers may or may not have been committed.
 */
export type Submission =
  | { kind: 'answered'; status: number; results: TransferResult[]; body: string }
  | { kind: 'noAnswer'; error: string };

export async function submitTransfers(
  baseUrl: string,
  transfers: readonly TransferRequest[],
): Promise<Submission> {
  let response: Response;
  let body: string;
  try {
    response = await fetch(`${baseUrl}/v1/ledger/transfers`, {
      method: 'POST',
      headers: { ...ADMIN_HEADERS, 'content-type': 'application/json' },
      body: JSON.stringify({ transfers }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    body = await response.text();
  } catch (error) {
    return { kind: 'noAnswer', error: describeFetchError(error) };
  }
  const results = response.status === 200 ? (JSON.parse(body) as { results: TransferResult[] }).results : [];
  return { kind: 'answered', status: response.status, results, body };
}

/** fetch's own message is only "fetch failed": the useful part (ECONNREFUSED …) is the cause. */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return `${(error as Error).message}${cause ? `: ${cause.code ?? cause.message}` : ''}`;
}

export interface Books {
  /** The settlement account customers are funded from (no balance rule: it goes negative). */
  system: string;
  /** Customer accounts: never overdrawn (debitsMustNotExceedCredits). */
  customers: string[];
  funding: CommittedTransfer[];
}

/** A system account and `count` customer accounts, each funded with `amount` from the system. */
export async function openFundedCustomers(baseUrl: string, count: number, amount: bigint): Promise<Books> {
  const system = newId();
  const customers = Array.from({ length: count }, () => newId());
  const response = await fetch(`${baseUrl}/v1/ledger/accounts`, {
    method: 'POST',
    headers: { ...ADMIN_HEADERS, 'content-type': 'application/json' },
    body: JSON.stringify([
      { id: system, currency: CURRENCY, code: 1, ownerRef: 'system:settlement' },
      ...customers.map((id) => ({
        id,
        currency: CURRENCY,
        code: 100,
        ownerRef: `user:${id}`,
        flags: ['debitsMustNotExceedCredits'],
      })),
    ]),
  });
  const created = (await response.json()) as { results: { result: string }[] };
  expect(response.status).toBe(200);
  expect(created.results.map((r) => r.result)).toEqual(Array(count + 1).fill('ok'));

  const funded = await submitTransfers(
    baseUrl,
    customers.map((id) => ({
      id: newId(),
      debitAccountId: system,
      creditAccountId: id,
      amount: amount.toString(),
      currency: CURRENCY,
      code: 1,
    })),
  );
  expect(funded.kind === 'answered' && funded.status).toBe(200);
  const results = funded.kind === 'answered' ? funded.results : [];
  expect(results.map((r) => r.result)).toEqual(Array(count).fill('ok'));
  return { system, customers, funding: results.map((r) => r.transfer!) };
}

/** Run `task` over `items` with at most `limit` in flight (never thousands of sockets at once). */
export async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Posted balance (credits − debits) of every account, read from the database. */
export async function postedBalances(pool: pg.Pool): Promise<Map<string, bigint>> {
  const { rows } = await pool.query<{ id: string; balance: string }>(
    'SELECT id, (credits_posted - debits_posted)::text AS balance FROM ledger_accounts',
  );
  return new Map(rows.map((row) => [row.id, BigInt(row.balance)]));
}

/**
 * The books as `qianbao verify` sees them: hash chain intact, every account's counters equal to
 * the sum of its transfers, no account breaking its flags, trial balance zero per currency.
 */
export async function assertBooksBalance(pool: pg.Pool): Promise<void> {
  // The journal key of the servers startServerProcess runs.
  const report = await verifyLedger(pool, { journalKey: journalKeyFrom(TEST_SECRET_KEY) });
  expect(report.problems).toEqual([]);
  expect(report.ok).toBe(true);
  for (const line of report.trialBalance) {
    expect(line.debitsPosted).toBe(line.creditsPosted);
    expect(line.debitsPending).toBe(line.creditsPending);
  }
}

export function randomInt(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

/** Two different accounts of `accounts`, in random order. */
export function randomPair(accounts: readonly string[]): [string, string] {
  const a = randomInt(0, accounts.length - 1);
  const b = (a + randomInt(1, accounts.length - 1)) % accounts.length;
  return [accounts[a]!, accounts[b]!];
}
