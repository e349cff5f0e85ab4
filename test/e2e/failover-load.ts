/**
 * Load for the failover tests: transfers between funded customers through the internal ledger
 * API of several server processes, each request's fate recorded — acknowledged (200 with its
 * per-transfer results), refused with a status, or no answer — so that the test can check the
 * books against exactly what clients were told. Readiness is sampled alongside. Tests only.
 */
import { newId } from '@qianbao/ledger';
import type pg from 'pg';
import { CURRENCY, randomInt, randomPair, submitTransfers } from './ledger-http.ts';
import type { TransferRequest } from './ledger-http.ts';

/** What the clients were told, over the whole run. */
export interface LoadRecord {
  /** Transfers answered `ok` (a 2xx): each must be in the books, exactly as submitted. */
  acknowledged: Map<string, TransferRequest>;
  /** Transfers whose request got no 200 (503, no answer): their outcome is unknown until retried. */
  unknown: TransferRequest[];
  /** HTTP statuses of answered requests (200, 503 …) and `noAnswer`, counted. */
  statuses: Map<string, number>;
  /** Per-transfer results of first submissions, counted (`ok`, `insufficientFunds` …). */
  results: Map<string, number>;
  /** Anything a client must never see: a 500, or `exists` for a transfer submitted once. */
  problems: string[];
}

export function emptyRecord(): LoadRecord {
  return { acknowledged: new Map(), unknown: [], statuses: new Map(), results: new Map(), problems: [] };
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Random transfers of 1–3 between the customers, up to half a funding each (some overdraw). */
function randomRequest(customers: readonly string[], maxAmount: number): TransferRequest[] {
  return Array.from({ length: randomInt(1, 3) }, () => {
    const [debit, credit] = randomPair(customers);
    return {
      id: newId(),
      debitAccountId: debit,
      creditAccountId: credit,
      amount: String(randomInt(1, maxAmount)),
      currency: CURRENCY,
      code: 10,
    };
  });
}

/**
 * `clients` loops, each sending one request at a time to the servers in turn, until `signal`
 * aborts. Resolves with what they were told.
 */
export async function runLoad(options: {
  urls: readonly string[];
  customers: readonly string[];
  clients: number;
  maxAmount: number;
  signal: AbortSignal;
  record: LoadRecord;
}): Promise<void> {
  const { urls, customers, record } = options;
  let sent = 0;
  const client = async () => {
    while (!options.signal.aborted) {
      const url = urls[sent++ % urls.length]!;
      const transfers = randomRequest(customers, options.maxAmount);
      const submission = await submitTransfers(url, transfers);
      if (submission.kind === 'noAnswer') {
        count(record.statuses, 'noAnswer');
        record.unknown.push(...transfers);
        continue;
      }
      count(record.statuses, String(submission.status));
      if (submission.status !== 200) {
        record.unknown.push(...transfers);
        if (submission.status !== 503) record.problems.push(`HTTP ${submission.status}: ${submission.body}`);
        else if (!/"SERVICE_UNAVAILABLE"|"OVERLOADED"/.test(submission.body)) {
          record.problems.push(`503 without a retryable code: ${submission.body}`);
        }
        continue;
      }
      submission.results.forEach((outcome, i) => {
        const transfer = transfers[i]!;
        count(record.results, outcome.result);
        if (outcome.id !== transfer.id) record.problems.push(`result for ${outcome.id}, sent ${transfer.id}`);
        if (outcome.result === 'ok') {
          record.acknowledged.set(transfer.id, transfer);
        } else if (outcome.result !== 'insufficientFunds') {
          // Each transfer is submitted once here: `exists` would be a lost commit answered wrongly.
          record.problems.push(`first submission of ${transfer.id} answered ${JSON.stringify(outcome)}`);
        }
      });
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
}

/**
 * Submit every transfer of unknown outcome again (same ids) until each request is answered 200:
 * afterwards every transfer the test made has a known fate. The ledger answers a transfer the lost
 * commit had applied with `exists`, one it had refused with `idAlreadyFailed`.
 */
export async function settleUnknown(url: string, record: LoadRecord, deadlineMs = 60_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (let i = 0; i < record.unknown.length; i += 50) {
    const chunk = record.unknown.slice(i, i + 50);
    for (;;) {
      const submission = await submitTransfers(url, chunk);
      if (submission.kind === 'answered' && submission.status === 200) {
        submission.results.forEach((outcome, j) => {
          if (outcome.result === 'ok' || outcome.result === 'exists') {
            record.acknowledged.set(chunk[j]!.id, chunk[j]!);
          }
        });
        break;
      }
      if (Date.now() > deadline) throw new Error('transfers of unknown outcome could not be settled');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** Every acknowledged transfer as stored: missing or different ones are returned as problems. */
export async function missingAcknowledged(pool: pg.Pool, record: LoadRecord): Promise<string[]> {
  const ids = [...record.acknowledged.keys()];
  const { rows } = await pool.query<{ id: string; debit: string; credit: string; amount: string }>(
    `SELECT id, debit_account_id AS debit, credit_account_id AS credit, amount::text AS amount
       FROM ledger_transfers WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  const stored = new Map(rows.map((row) => [row.id, row]));
  const problems: string[] = [];
  for (const [id, sent] of record.acknowledged) {
    const row = stored.get(id);
    if (!row) problems.push(`acknowledged transfer ${id} is not in the books`);
    else if (
      row.debit !== sent.debitAccountId ||
      row.credit !== sent.creditAccountId ||
      row.amount !== sent.amount
    ) {
      problems.push(`transfer ${id} is stored otherwise than acknowledged`);
    }
  }
  return problems;
}

export interface ReadinessSample {
  at: number;
  server: number;
  status: number;
}

/** Polls `/readyz` of every server every `everyMs` until the signal aborts. */
export async function sampleReadiness(
  urls: readonly string[],
  signal: AbortSignal,
  samples: ReadinessSample[],
  everyMs = 200,
): Promise<void> {
  while (!signal.aborted) {
    await Promise.all(
      urls.map(async (url, server) => {
        const status = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5000) }).then(
          async (response) => {
            await response.arrayBuffer();
            return response.status;
          },
          () => 0,
        );
        samples.push({ at: Date.now(), server, status });
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The sum of a metric's samples in a server's `/metrics` whose line contains `filter`. */
export async function metricSum(url: string, name: string, filter = ''): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!line.includes(filter)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
