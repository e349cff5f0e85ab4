import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LedgerClosedError,
  LedgerOverloadedError,
  TransferFlags,
  newId,
  verifyLedger,
} from '@qianbao/ledger';
import { createTestDatabase } from '../../../../test/support/database.ts';
import type { TestDatabase } from '../../../../test/support/database.ts';
import { ThreadedLedger } from './index.ts';

describe('ThreadedLedger: the batcher on a thread of its own', () => {
  let database: TestDatabase;
  let ledger: ThreadedLedger;
  const batches: number[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    ledger = await ThreadedLedger.open({
      pool: database.pool,
      connectionString: database.url,
      ledger: { maxBatchTransfers: 1000, maxQueuedTransfers: 1000 },
      onBatch: (info) => batches.push(info.transfers),
    });
  });

  afterAll(async () => {
    await ledger.close();
    await database.drop();
  });

  async function account(): Promise<string> {
    const id = newId();
    const [result] = await ledger.createAccounts([{ id, currency: 'CNY', code: 1 }]);
    expect(result?.result).toBe('ok');
    return id;
  }

  it('moves money with bigint amounts intact, answers each caller and reports its batches', async () => {
    const [from, to] = [await account(), await account()];
    const ids = Array.from({ length: 40 }, () => newId());
    const outcomes = await Promise.all(
      ids.map((id, i) =>
        ledger.createTransfers([
          {
            id,
            debitAccountId: from,
            creditAccountId: to,
            amount: 9_007_199_254_740_993n + BigInt(i),
            currency: 'CNY',
            code: 7,
          },
        ]),
      ),
    );
    expect(outcomes.map(([outcome]) => outcome?.result)).toEqual(ids.map(() => 'ok'));
    expect(typeof outcomes[0]![0]!.transfer!.timestamp).toBe('bigint');
    const transfer = await ledger.getTransfer(ids[3]!);
    expect(transfer?.amount).toBe(9_007_199_254_740_996n);
    const balance = await ledger.getBalance(to);
    expect(balance?.creditsPosted).toBe(40n * 9_007_199_254_740_993n + 780n);
    expect(batches.reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(40);
    expect(ledger.stats().transfers).toBeGreaterThanOrEqual(40);
    // The same ids again: the thread's ledger answers idempotently.
    const [again] = await ledger.createTransfers([
      {
        id: ids[0]!,
        debitAccountId: from,
        creditAccountId: to,
        amount: 9_007_199_254_740_993n,
        currency: 'CNY',
        code: 7,
      },
    ]);
    expect(again?.result).toBe('exists');
    expect((await verifyLedger(database.pool)).ok).toBe(true);
  });

  it('expires holds on the thread when asked (the job queue asks every second)', async () => {
    const [from, to] = [await account(), await account()];
    const id = newId();
    const [hold] = await ledger.createTransfers([
      {
        id,
        debitAccountId: from,
        creditAccountId: to,
        amount: 5n,
        currency: 'CNY',
        code: 7,
        flags: TransferFlags.pending,
        timeoutSeconds: 1,
      },
    ]);
    expect(hold?.result).toBe('ok');
    expect(await ledger.expirePending()).toBe(0); // not yet due: never early
    await expect.poll(() => ledger.expirePending(), { timeout: 5000, interval: 100 }).toBe(1);
    expect((await ledger.getBalance(from))?.debitsPending).toBe(0n);
    expect(await ledger.expirePending()).toBe(0);
  });

  it('keeps the errors callers tell apart: overloaded, too many per call', async () => {
    const [from, to] = [await account(), await account()];
    const many = (n: number) =>
      Array.from({ length: n }, () => ({
        id: newId(),
        debitAccountId: from,
        creditAccountId: to,
        amount: 1n,
        currency: 'CNY',
        code: 7,
      }));
    await expect(ledger.createTransfers(many(1001))).rejects.toBeInstanceOf(RangeError);
    const floods = await Promise.allSettled(
      Array.from({ length: 6 }, () => ledger.createTransfers(many(400))),
    );
    const refused = floods.filter((f) => f.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    for (const f of refused) expect(f.reason).toBeInstanceOf(LedgerOverloadedError);
  });

  it('finishes accepted work on close and refuses new work after', async () => {
    const db = await createTestDatabase();
    const own = await ThreadedLedger.open({ pool: db.pool, connectionString: db.url });
    try {
      const [from, to] = [newId(), newId()];
      await own.createAccounts([
        { id: from, currency: 'CNY', code: 1 },
        { id: to, currency: 'CNY', code: 1 },
      ]);
      const accepted = own.createTransfers([
        { id: newId(), debitAccountId: from, creditAccountId: to, amount: 3n, currency: 'CNY', code: 7 },
      ]);
      await own.close();
      expect((await accepted)[0]?.result).toBe('ok');
      await expect(
        own.createTransfers([
          { id: newId(), debitAccountId: from, creditAccountId: to, amount: 3n, currency: 'CNY', code: 7 },
        ]),
      ).rejects.toBeInstanceOf(LedgerClosedError);
    } finally {
      await own.close();
      await db.drop();
    }
  });
});
