import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestLedger, type TestLedger } from '../../../test/support/ledger.ts';
import { newId } from './ids.ts';
import { TransferFlags } from './types.ts';
import { verifyLedger } from './verify.ts';

let t: TestLedger;
let ids: { wallet: string; shop: string; transfers: string[] };

beforeEach(async () => {
  t = await openTestLedger();
  const wallet = await t.customer();
  const shop = await t.customer();
  await t.fund(wallet, 500n);
  const transfers: string[] = [];
  for (let i = 0; i < 5; i++) {
    const id = newId();
    transfers.push(id);
    const [o] = await t.ledger.createTransfers([
      { id, debitAccountId: wallet, creditAccountId: shop, amount: BigInt(10 + i), currency: 'CNY', code: 2 },
    ]);
    expect(o!.result).toBe('ok');
  }
  const hold = newId();
  await t.ledger.createTransfers([
    {
      id: hold,
      debitAccountId: wallet,
      creditAccountId: shop,
      amount: 7n,
      currency: 'CNY',
      code: 2,
      flags: TransferFlags.pending,
    },
  ]);
  await t.ledger.createTransfers([
    { id: newId(), pendingId: hold, code: 2, flags: TransferFlags.postPending, amount: 3n },
  ]);
  ids = { wallet, shop, transfers };
});
afterEach(async () => t.close());

/** Tampering goes around the immutability triggers, as someone with superuser access could. */
async function tamper(sql: string, values: unknown[] = []) {
  const client = await t.db.pool.connect();
  try {
    await client.query("SET session_replication_role = 'replica'");
    await client.query(sql, values);
  } finally {
    await client.query("SET session_replication_role = 'origin'");
    client.release();
  }
}

async function problems() {
  const report = await verifyLedger(t.db.pool);
  expect(report.ok).toBe(false);
  return report.problems.join('\n');
}

describe('verify', () => {
  it('passes on honest books and reports the trial balance per currency', async () => {
    const report = await verifyLedger(t.db.pool);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, transfers: 8, accounts: 3 });
    expect(report.trialBalance).toEqual([
      { currency: 'CNY', debitsPosted: 563n, creditsPosted: 563n, debitsPending: 0n, creditsPending: 0n },
    ]);
  });

  it('refuses UPDATE and DELETE of history through the triggers', async () => {
    await expect(t.db.pool.query('UPDATE ledger_transfers SET amount = amount + 1')).rejects.toThrow(
      /immutable/,
    );
    await expect(t.db.pool.query('DELETE FROM ledger_journal')).rejects.toThrow(/immutable/);
  });

  it('fails when one amount is changed by hand, naming the journal record', async () => {
    await tamper('UPDATE ledger_transfers SET amount = amount + 1 WHERE id = $1', [ids.transfers[2]]);
    expect(await problems()).toMatch(/journal record \d+: hash does not match/);
  });

  it('fails when the amount and both account counters are changed consistently', async () => {
    await tamper('UPDATE ledger_transfers SET amount = 1 WHERE id = $1', [ids.transfers[0]]);
    await tamper('UPDATE ledger_accounts SET debits_posted = debits_posted - 9 WHERE id = $1', [ids.wallet]);
    await tamper('UPDATE ledger_accounts SET credits_posted = credits_posted - 9 WHERE id = $1', [ids.shop]);
    expect(await problems()).toMatch(/hash does not match/);
  });

  it('fails when a counter is changed by hand', async () => {
    await tamper('UPDATE ledger_accounts SET credits_posted = credits_posted + 100 WHERE id = $1', [
      ids.wallet,
    ]);
    const text = await problems();
    expect(text).toMatch(new RegExp(`account ${ids.wallet}: counters`));
    expect(text).toMatch(/trial balance for CNY does not balance/);
  });

  it('fails when a transfer is deleted, or one is inserted behind the ledger’s back', async () => {
    await tamper('DELETE FROM ledger_transfers WHERE id = $1', [ids.transfers[1]]);
    expect(await problems()).toMatch(/covers \d+ transfers but recorded/);
  });

  it('fails when a journal record is removed', async () => {
    await tamper('DELETE FROM ledger_journal WHERE seq = 2');
    expect(await problems()).toMatch(/sequence jumps|previous-hash/);
  });

  it('fails when a transfer is inserted outside every journal record', async () => {
    await tamper(
      `INSERT INTO ledger_transfers (id, debit_account_id, credit_account_id, amount, currency, code, flags, ts)
       VALUES ($1, $2, $3, 1, 'CNY', 2, 0, 1)`,
      [newId(), ids.shop, ids.wallet],
    );
    expect(await problems()).toMatch(/outside every journal record/);
  });

  it('fails when the expiry index misses an open hold, or keeps one that resolved', async () => {
    const hold = newId();
    const [o] = await t.ledger.createTransfers([
      {
        id: hold,
        debitAccountId: ids.wallet,
        creditAccountId: ids.shop,
        amount: 5n,
        currency: 'CNY',
        code: 2,
        flags: TransferFlags.pending,
        timeoutSeconds: 600,
      },
    ]);
    expect(o!.result).toBe('ok');
    expect((await verifyLedger(t.db.pool)).ok).toBe(true);
    await tamper('DELETE FROM ledger_pending_expiries WHERE transfer_id = $1', [hold]);
    expect(await problems()).toContain(`transfer ${hold} is an open hold missing from the expiry index`);
    const stray = ids.transfers[0]!;
    await tamper('INSERT INTO ledger_pending_expiries (transfer_id, expires_at) VALUES ($1, 1)', [stray]);
    expect(await problems()).toContain(`transfer ${stray} is in the expiry index but is not an open hold`);
  });
});
