import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '@qianbao/db';
import { openTestLedger, type TestLedger } from '../../../test/support/ledger.ts';
import { newId } from './ids.ts';
import { Ledger } from './ledger.ts';
import { LedgerOverloadedError, TransferFlags } from './types.ts';

let t: TestLedger;
beforeAll(async () => (t = await openTestLedger()));
afterEach(async () => t.assertBooks());
afterAll(async () => t.close());

describe('concurrency', () => {
  it('200 simultaneous withdrawals of 1.00 from 100.00: exactly 100 succeed, balance exactly 0', async () => {
    const wallet = await t.customer();
    const bank = await t.system();
    await t.fund(wallet, 100_00n);
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, () =>
        t.ledger.createTransfers([
          {
            id: newId(),
            debitAccountId: wallet,
            creditAccountId: bank,
            amount: 1_00n,
            currency: 'CNY',
            code: 3,
          },
        ]),
      ),
    );
    const results = outcomes.map(([o]) => o!.result);
    expect(results.filter((r) => r === 'ok')).toHaveLength(100);
    expect(results.filter((r) => r === 'insufficientFunds')).toHaveLength(100);
    const balance = (await t.ledger.getBalance(wallet))!;
    expect(balance.postedBalance).toBe(0n);
    expect(balance.debitsPosted).toBe(100_00n);
  });

  it('the same id submitted 50 times at once makes one transfer', async () => {
    const wallet = await t.customer();
    const shop = await t.customer();
    await t.fund(wallet, 10_00n);
    const input = {
      id: newId(),
      debitAccountId: wallet,
      creditAccountId: shop,
      amount: 3_00n,
      currency: 'CNY',
      code: 4,
    };
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => t.ledger.createTransfers([input])));
    const results = outcomes.map(([o]) => o!.result);
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === 'exists')).toHaveLength(49);
    expect((await t.ledger.getBalance(shop))!.postedBalance).toBe(3_00n);
    const history = await t.ledger.listTransfers(shop, { limit: 10 });
    expect(history.transfers).toHaveLength(1);
  });

  it('50 concurrent posts and voids of one hold: it resolves exactly once', async () => {
    const wallet = await t.customer();
    const shop = await t.customer();
    await t.fund(wallet, 10_00n);
    const hold = {
      id: newId(),
      debitAccountId: wallet,
      creditAccountId: shop,
      amount: 5_00n,
      currency: 'CNY',
      code: 5,
      flags: TransferFlags.pending,
    };
    expect((await t.ledger.createTransfers([hold]))[0]!.result).toBe('ok');
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.ledger.createTransfers([
          {
            id: newId(),
            pendingId: hold.id,
            code: 5,
            flags: i % 2 ? TransferFlags.postPending : TransferFlags.voidPending,
          },
        ]),
      ),
    );
    const results = outcomes.map(([o]) => o!.result);
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === 'pendingAlreadyResolved')).toHaveLength(49);
    expect((await t.ledger.getBalance(wallet))!.debitsPending).toBe(0n);
  });

  it('several ledger instances (as in several server processes) on one database: no deadlock, no lost update', async () => {
    const pools = [
      createPool({ connectionString: t.db.url, max: 4 }),
      createPool({ connectionString: t.db.url, max: 4 }),
    ];
    const ledgers = await Promise.all(
      pools.map((pool) => Ledger.open(pool, { journalKey: t.journalKey, maxBatchTransfers: 64 })),
    );
    try {
      const accounts = await Promise.all(Array.from({ length: 6 }, () => t.customer()));
      for (const account of accounts) await t.fund(account, 1_000_00n);
      // Overlapping pairs in both directions from both instances: the classic deadlock recipe.
      const work = Array.from({ length: 600 }, (_, i) => {
        const from = accounts[i % 6]!;
        const to = accounts[(i * 7 + 1) % 6]!;
        const ledger = ledgers[i % 2]!;
        return from === to
          ? Promise.resolve('skip')
          : ledger
              .createTransfers([
                {
                  id: newId(),
                  debitAccountId: from,
                  creditAccountId: to,
                  amount: BigInt(1 + (i % 50)),
                  currency: 'CNY',
                  code: 6,
                },
              ])
              .then(([o]) => o!.result);
      });
      const results = await Promise.all(work);
      expect(results.filter((r) => r !== 'ok' && r !== 'skip')).toEqual([]);
      let total = 0n;
      for (const account of accounts) total += (await t.ledger.getBalance(account))!.postedBalance;
      expect(total).toBe(6n * 1_000_00n);
    } finally {
      await Promise.all(ledgers.map((l) => l.close()));
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('two instances racing for one wallet: work applied ahead of the lock is redone when the other one wrote', async () => {
    // Each instance applies its next batch in memory before taking the head lock, on top of what
    // it is writing, with account rows it remembers. Both go stale whenever the other instance
    // commits in between; if either were used anyway, the wallet would be overdrawn.
    const pools = [
      createPool({ connectionString: t.db.url, max: 4 }),
      createPool({ connectionString: t.db.url, max: 4 }),
    ];
    const ledgers = await Promise.all(
      pools.map((pool) => Ledger.open(pool, { journalKey: t.journalKey, maxBatchTransfers: 8 })),
    );
    try {
      const wallet = await t.customer();
      const shop = await t.customer();
      await t.fund(wallet, 100_00n);
      const results = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          ledgers[i % 2]!.createTransfers([
            {
              id: newId(),
              debitAccountId: wallet,
              creditAccountId: shop,
              amount: 1_00n,
              currency: 'CNY',
              code: 3,
            },
          ]).then(([o]) => o!.result),
        ),
      );
      expect(results.filter((r) => r === 'ok')).toHaveLength(100);
      expect(results.filter((r) => r === 'insufficientFunds')).toHaveLength(200);
      expect((await t.ledger.getBalance(wallet))!.postedBalance).toBe(0n);
      expect((await t.ledger.getBalance(shop))!.postedBalance).toBe(100_00n);
      const stats = ledgers.map((l) => l.stats());
      expect(stats.reduce((n, s) => n + s.batches, 0)).toBeGreaterThan(2);
      // Some batches found the head moved (QL001) and were applied again under the lock.
      expect(stats.reduce((n, s) => n + s.batches - s.batchesAppliedAhead, 0)).toBeGreaterThan(0);
    } finally {
      await Promise.all(ledgers.map((l) => l.close()));
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('a full queue answers overloaded at once instead of waiting', async () => {
    const ledger = await Ledger.open(t.db.pool, {
      journalKey: t.journalKey,
      maxQueuedTransfers: 10,
      maxBatchTransfers: 5,
    });
    const wallet = await t.customer();
    const shop = await t.customer();
    await t.fund(wallet, 1_00n);
    const attempts = Array.from({ length: 40 }, () =>
      ledger
        .createTransfers([
          {
            id: newId(),
            debitAccountId: wallet,
            creditAccountId: shop,
            amount: 1n,
            currency: 'CNY',
            code: 7,
          },
        ])
        .then(([o]) => o!.result as string)
        .catch((error: unknown) => (error instanceof LedgerOverloadedError ? 'overloaded' : 'unexpected')),
    );
    const results = await Promise.all(attempts);
    await ledger.close();
    expect(results).toContain('overloaded');
    expect(results).not.toContain('unexpected');
    const ok = results.filter((r) => r === 'ok').length;
    expect((await t.ledger.getBalance(shop))!.postedBalance).toBe(BigInt(ok));
  });
});
