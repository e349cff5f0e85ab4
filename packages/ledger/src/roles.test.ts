import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPool, quoteIdent } from '@qianbao/db';
import type pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database.ts';
import { newId } from './ids.ts';
import { Ledger } from './ledger.ts';
import { AccountFlags, TransferFlags } from './types.ts';
import { verifyLedger } from './verify.ts';

/**
 * The ledger runs under the application role of docs/ledger.md ("Database roles"): no superuser,
 * no UPDATE or DELETE on history, so neither the triggers nor the grants can be bypassed by it.
 */
let db: TestDatabase;
let role: string;
let appPool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  role = `qianbao_app_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const name = (await db.pool.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
  // The grants of docs/ledger.md, for the ledger's tables.
  await db.pool.query(`
    CREATE ROLE ${quoteIdent(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '${password}';
    GRANT CONNECT, TEMPORARY ON DATABASE ${quoteIdent(name)} TO ${quoteIdent(role)};
    GRANT USAGE ON SCHEMA public TO ${quoteIdent(role)};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${quoteIdent(role)};
    REVOKE UPDATE, DELETE, TRUNCATE ON ledger_transfers, ledger_journal, ledger_journal_seal FROM ${quoteIdent(role)};
    REVOKE DELETE, TRUNCATE ON ledger_accounts, ledger_journal_head, ledger_transfer_failures,
      ledger_limit_counters FROM ${quoteIdent(role)};
  `);
  const url = new URL(db.url);
  url.username = role;
  url.password = password;
  appPool = createPool({ connectionString: url.toString(), max: 4 });
});

afterAll(async () => {
  await appPool.end();
  await db.pool.query(`DROP OWNED BY ${quoteIdent(role)}`);
  await db.drop();
  const admin = createPool({ connectionString: db.url.replace(/\/[^/?]+(\?|$)/, '/postgres$1'), max: 1 });
  await admin.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`).finally(() => admin.end());
});

it('writes, expires and verifies as a role that is not a superuser and cannot rewrite history', async () => {
  const who = await appPool.query<{ super: boolean }>(
    'SELECT rolsuper AS super FROM pg_roles WHERE rolname = current_user',
  );
  expect(who.rows[0]!.super).toBe(false);

  const journalKey = randomBytes(32);
  const now = { micros: BigInt(Date.now()) * 1000n };
  const ledger = await Ledger.open(appPool, { journalKey, clock: () => now.micros });
  try {
    const [bank, wallet, shop] = [newId(), newId(), newId()];
    await ledger.createAccounts([
      { id: bank, currency: 'CNY', code: 1 },
      { id: wallet, currency: 'CNY', code: 100, flags: AccountFlags.debitsMustNotExceedCredits },
      { id: shop, currency: 'CNY', code: 100, flags: AccountFlags.debitsMustNotExceedCredits },
    ]);
    const hold = newId();
    const outcomes = await ledger.createTransfers([
      { id: newId(), debitAccountId: bank, creditAccountId: wallet, amount: 500n, currency: 'CNY', code: 1 },
      {
        id: newId(),
        debitAccountId: wallet,
        creditAccountId: shop,
        amount: 100n,
        currency: 'CNY',
        code: 2,
        limits: [{ key: 'pay:day:wallet', max: 1000n }],
      },
      {
        id: hold,
        debitAccountId: wallet,
        creditAccountId: shop,
        amount: 50n,
        currency: 'CNY',
        code: 2,
        flags: TransferFlags.pending,
        timeoutSeconds: 1,
      },
    ]);
    expect(outcomes.map((o) => o.result)).toEqual(['ok', 'ok', 'ok']);
    const [failed] = await ledger.createTransfers([
      {
        id: newId(),
        debitAccountId: wallet,
        creditAccountId: shop,
        amount: 10_000n,
        currency: 'CNY',
        code: 2,
      },
    ]);
    expect(failed!.result).toBe('insufficientFunds');
    now.micros += 2_000_000n;
    expect(await ledger.expirePending()).toBe(1); // deletes from the expiry index
  } finally {
    await ledger.close();
  }
  const report = await verifyLedger(appPool, { journalKey });
  expect(report.problems).toEqual([]);

  // It cannot go around the triggers, nor rewrite history past them.
  await expect(appPool.query("SET session_replication_role = 'replica'")).rejects.toThrow(
    /permission denied/,
  );
  await expect(appPool.query('UPDATE ledger_transfers SET amount = amount + 1')).rejects.toThrow(
    /permission denied/,
  );
  await expect(appPool.query('DELETE FROM ledger_journal')).rejects.toThrow(/permission denied/);
  await expect(appPool.query('DELETE FROM ledger_journal_seal')).rejects.toThrow(/permission denied/);
});
