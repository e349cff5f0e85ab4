/**
 * History at scale: a holder with 100,000 movements pages as fast as one with 10, filtered or
 * not, because a page is one indexed read of the projection (migrations.ts). Prints its figures
 * (bench/RESULTS.md, "History from the projection"); the bound asserted is generous (100 ms for
 * the median of several requests through the whole HTTP stack).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@qianbao/ledger';
import type { TransferInput } from '@qianbao/ledger';
import { TransferCodes } from '../../platform/codes.ts';
import { registerHolder } from '../identity/testing.ts';
import type { TestHolder } from '../identity/testing.ts';
import { createSecurityTestApp } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import { HISTORY_JOBS } from './jobs.ts';

const LARGE = 100_000;
const SMALL = 10;
/** The test app's ledger takes at most 4,096 transfers a request; two requests share a batch. */
const LEDGER_REQUEST = 4000;
const RUNS = 9;
const BOUND_MS = 100;

let subject: SecurityTestApp;
let large: TestHolder;
let small: TestHolder;

/** Every 10th a top-up, the others test funding; amounts spread over 1.00 … 130.61. */
async function fundMany(holder: TestHolder, count: number, bank: string) {
  const requests: TransferInput[][] = [];
  for (let start = 0; start < count; start += LEDGER_REQUEST) {
    const transfers: TransferInput[] = [];
    for (let index = start; index < Math.min(count, start + LEDGER_REQUEST); index++) {
      transfers.push({
        id: newId(),
        debitAccountId: bank,
        creditAccountId: holder.walletAccountId,
        amount: 100n + BigInt((index * 7919) % 997) * 13n,
        currency: 'CNY',
        code: index % 10 === 0 ? TransferCodes.topUp : TransferCodes.testFunding,
      });
    }
    requests.push(transfers);
  }
  for (let at = 0; at < requests.length; at += 2) {
    const outcomes = await Promise.all(
      requests.slice(at, at + 2).map((transfers) => subject.ledger.createTransfers(transfers)),
    );
    expect(outcomes.flat().every((outcome) => outcome.result === 'ok')).toBe(true);
  }
}

async function timed(holder: TestHolder, query: string): Promise<{ medianMs: number; count: number }> {
  const times: number[] = [];
  let count = 0;
  for (let run = 0; run < RUNS; run++) {
    const started = process.hrtime.bigint();
    const response = await subject.app.inject({
      method: 'GET',
      url: `/v1/me/transactions${query}`,
      headers: holder.headers,
    });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    expect(response.statusCode, response.body).toBe(200);
    count = response.json<{ transactions: unknown[] }>().transactions.length;
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(RUNS / 2)]!, count };
}

beforeAll(async () => {
  subject = await createSecurityTestApp();
  large = await registerHolder(subject.app);
  small = await registerHolder(subject.app);
  const bank = newId();
  await subject.ledger.createAccounts([{ id: bank, currency: 'CNY', code: 1, ownerRef: 'system:test-bank' }]);
  await fundMany(small, SMALL, bank);
  await fundMany(large, LARGE, bank);
}, 120_000);
afterAll(async () => subject.close());

describe('history at scale', () => {
  it('pages a holder with 100,000 movements as fast as one with 10', async () => {
    const started = Date.now();
    const projected = await subject.app.jobs.run(HISTORY_JOBS.project);
    const projectMs = Date.now() - started;
    expect(projected).toMatchObject({ result: { entries: LARGE + SMALL } });
    await subject.database.pool.query('ANALYZE history_entries');

    const queries: Record<string, string> = {
      'first page (20)': '',
      'type=top_up, 50.00–60.00': '?type=top_up&minAmount=5000&maxAmount=6000',
      '50.00–50.99 only': '?minAmount=5000&maxAmount=5099',
      'q=top-up (10%)': '?q=top-up',
      'last week, 100': `?from=${new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10)}&limit=100`,
      // Not bounded: the worst cases of a filter on the paging order (text matching nothing reads
      // every entry of the holder), and a page deep in the history (keyset: as cheap as the first).
      'q matching nothing': '?q=nowhere',
      'amount matching nothing': '?minAmount=99999999',
    };
    const { rows: deep } = await subject.database.pool.query<{ ts: bigint }>(
      'SELECT ts FROM history_entries WHERE account_id = $1 ORDER BY ts LIMIT 1 OFFSET 1000',
      [large.walletAccountId],
    );
    Object.assign(queries, { 'page 99,000 of 100,000': `?cursor=${deep[0]!.ts}` });
    const figures: Record<string, { large: number; small: number; items: number }> = {};
    for (const [name, query] of Object.entries(queries)) {
      const big = await timed(large, query);
      const little = await timed(small, query);
      figures[name] = { large: big.medianMs, small: little.medianMs, items: big.count };
    }
    const plan = await subject.database.pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT * FROM history_entries
        WHERE account_id = $1 AND type = 'top_up' AND amount_minor >= 5000 AND amount_minor <= 6000
        ORDER BY ts DESC LIMIT 21`,
      [large.walletAccountId],
    );
    console.log(
      [
        `history scale: projected ${LARGE + SMALL} entries in ${projectMs} ms`,
        ...Object.entries(figures).map(
          ([name, f]) =>
            `  ${name.padEnd(28)} 100k holder ${f.large.toFixed(1)} ms (${f.items} items) · 10 holder ${f.small.toFixed(1)} ms`,
        ),
        '  plan of the filtered page:',
        ...plan.rows.map((row) => `    ${row['QUERY PLAN']}`),
      ].join('\n'),
    );
    expect(figures['first page (20)']!.items).toBe(20);
    expect(figures['type=top_up, 50.00–60.00']!.items).toBe(20);
    expect(figures['first page (20)']!.large).toBeLessThan(BOUND_MS);
    expect(figures['type=top_up, 50.00–60.00']!.large).toBeLessThan(BOUND_MS);
    expect(figures['50.00–50.99 only']!.large).toBeLessThan(BOUND_MS);
  }, 90_000);
});
