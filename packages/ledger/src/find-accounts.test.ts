/**
 * `findAccounts`: an owner's accounts by currency and code, served by the index of migration
 * 0005, and reading committed rows (never the batches' account cache).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestLedger, type TestLedger } from '../../../test/support/ledger.ts';
import { findAccounts } from './ledger.ts';
import { newId } from './ids.ts';
import { AccountFlags } from './types.ts';
import type { CreateAccountInput } from './types.ts';

let subject: TestLedger;
beforeAll(async () => (subject = await openTestLedger()));
afterAll(async () => {
  await subject.assertBooks();
  await subject.close();
});

/** Accounts created one call at a time, so each has its own `created_at` order. */
async function create(...inputs: Omit<CreateAccountInput, 'id'>[]): Promise<string[]> {
  const ids: string[] = [];
  for (const input of inputs) {
    const id = newId();
    const [created] = await subject.ledger.createAccounts([{ id, ...input }]);
    expect(created?.result).toBe('ok');
    ids.push(id);
  }
  return ids;
}

describe('findAccounts', () => {
  it("answers an owner's accounts, filtered by currency and code, ordered by code, currency, creation", async () => {
    const owner = `user:${newId()}`;
    const flags = AccountFlags.debitsMustNotExceedCredits;
    const [usdWallet, cnyWallet, cnyShares, cnyWalletAgain] = await create(
      { currency: 'USD', code: 100, ownerRef: owner, flags },
      { currency: 'CNY', code: 100, ownerRef: owner, flags },
      { currency: 'CNY', code: 110, ownerRef: owner, flags },
      { currency: 'CNY', code: 100, ownerRef: owner, flags },
    );
    await create(
      { currency: 'CNY', code: 100, ownerRef: `user:${newId()}`, flags },
      { currency: 'CNY', code: 100 },
    );

    const ids = async (query: Parameters<TestLedger['ledger']['findAccounts']>[0]) =>
      (await subject.ledger.findAccounts(query)).map((account) => account.id);
    expect(await ids({ ownerRef: owner })).toEqual([cnyWallet, cnyWalletAgain, usdWallet, cnyShares]);
    expect(await ids({ ownerRef: owner, currency: 'CNY' })).toEqual([cnyWallet, cnyWalletAgain, cnyShares]);
    expect(await ids({ ownerRef: owner, code: 100 })).toEqual([cnyWallet, cnyWalletAgain, usdWallet]);
    expect(await ids({ ownerRef: owner, code: 110, currency: 'CNY' })).toEqual([cnyShares]);
    expect(await ids({ ownerRef: owner, code: 120 })).toEqual([]);
    expect(await ids({ ownerRef: owner, limit: 2 })).toEqual([cnyWallet, cnyWalletAgain]);
    expect(await ids({ ownerRef: `user:${newId()}` })).toEqual([]);

    const [found] = await subject.ledger.findAccounts({ ownerRef: owner, code: 110 });
    expect(found).toMatchObject({ id: cnyShares, currency: 'CNY', code: 110, ownerRef: owner, flags });
    // The same as the pool's function, for a caller without a Ledger.
    expect(await findAccounts(subject.db.pool, { ownerRef: owner })).toEqual(
      await subject.ledger.findAccounts({ ownerRef: owner }),
    );
  });

  it('matches nothing for a malformed filter, rather than throwing', async () => {
    const owner = `user:${newId()}`;
    await create({ currency: 'CNY', code: 100, ownerRef: owner });
    for (const query of [
      { ownerRef: '' },
      { ownerRef: 'x'.repeat(129) },
      { ownerRef: owner, currency: 'cny' },
      { ownerRef: owner, currency: "CNY' OR '1'='1" },
      { ownerRef: owner, code: 0 },
      { ownerRef: owner, code: 1.5 },
    ]) {
      expect(await subject.ledger.findAccounts(query), JSON.stringify(query)).toEqual([]);
    }
    expect(await subject.ledger.findAccounts({ ownerRef: owner, limit: 0 })).toHaveLength(1);
  });

  it('reads the counters as committed: an account created after the last batch, and its balance after the next', async () => {
    const owner = `user:${newId()}`;
    // A batch first, so the process's account cache holds a state at the current head version.
    await subject.fund(await subject.customer(), 5_00n);
    const [wallet] = await create({
      currency: 'CNY',
      code: 100,
      ownerRef: owner,
      flags: AccountFlags.debitsMustNotExceedCredits,
    });
    const [fresh] = await subject.ledger.findAccounts({ ownerRef: owner });
    expect(fresh).toMatchObject({ id: wallet, creditsPosted: 0n, debitsPosted: 0n });
    await subject.fund(wallet!, 12_34n);
    const [funded] = await subject.ledger.findAccounts({ ownerRef: owner, currency: 'CNY', code: 100 });
    expect(funded).toMatchObject({ id: wallet, creditsPosted: 12_34n, debitsPosted: 0n });
  });

  it('is served by the (owner_ref, code, currency) index', async () => {
    const client = await subject.db.pool.connect();
    try {
      await client.query('BEGIN');
      // The test table is small enough for a sequential scan: ask for the index's plan.
      await client.query('SET LOCAL enable_seqscan = off');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT id FROM ledger_accounts WHERE owner_ref = 'user:x' AND code = 100 AND currency = 'CNY'`,
      );
      expect(rows.map((row) => row['QUERY PLAN']).join('\n')).toContain(
        'ledger_accounts_owner_code_currency',
      );
      const indexes = await client.query<{ indexname: string }>(
        `SELECT indexname FROM pg_indexes WHERE tablename = 'ledger_accounts' ORDER BY indexname`,
      );
      // The owner-only index it replaces is gone.
      expect(indexes.rows.map((row) => row.indexname)).toEqual([
        'ledger_accounts_owner_code_currency',
        'ledger_accounts_pkey',
      ]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
