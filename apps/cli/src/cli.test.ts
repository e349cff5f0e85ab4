import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger, AccountFlags, verifyLedger } from '@qianbao/ledger';
import { createTestDatabase } from '../../../test/support/database.ts';
import type { TestDatabase } from '../../../test/support/database.ts';
import { runQianbao as qianbao } from './testing.ts';

describe('qianbao command line', () => {
  it('prints usage for help and exits 0', async () => {
    const run = await qianbao(['help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: qianbao <command>');
    expect(run.stdout).toContain('verify');
  });

  it('exits 2 with usage for an unknown command or option', async () => {
    const unknown = await qianbao(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    expect(unknown.stderr).toContain('Usage: qianbao <command>');
    const option = await qianbao(['verify', '--force']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("'--force'");
  });

  it('exits 2 naming each bad configuration variable', async () => {
    const run = await qianbao(['verify'], { PORT: 'eighty', DB_POOL_MAX: '0' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('PORT: must be a whole number from 0 to 65535 (got "eighty")');
    expect(run.stderr).toContain('DB_POOL_MAX: must be a whole number from 2 to 200 (got "0")');
  });

  it('explains a missing benchmark', async () => {
    const run = await qianbao(['bench', 'no-such-bench']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('No benchmark named "no-such-bench"');
    expect(run.stderr).toContain('bench/no-such-bench.ts');
  });
});

describe('qianbao migrate and verify on DATABASE_URL', () => {
  let database: TestDatabase;
  let transferId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    const ledger = await Ledger.open(database.pool, { expiryIntervalMs: 0 });
    const [bank, alice] = [randomUUID(), randomUUID()];
    await ledger.createAccounts([
      { id: bank, currency: 'CNY', code: 1 },
      { id: alice, currency: 'CNY', code: 2, flags: AccountFlags.debitsMustNotExceedCredits },
    ]);
    transferId = randomUUID();
    const [outcome] = await ledger.createTransfers([
      {
        id: transferId,
        debitAccountId: bank,
        creditAccountId: alice,
        amount: 12_345n,
        currency: 'CNY',
        code: 1,
      },
    ]);
    expect(outcome?.result).toBe('ok');
    await ledger.close();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('migrate reports an up-to-date database', async () => {
    const run = await qianbao(['migrate'], { DATABASE_URL: database.url });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Database is up to date/);
  });

  it('verify exits 0 and prints the report when the books are sound', async () => {
    const run = await qianbao(['verify'], { DATABASE_URL: database.url });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Ledger verification: OK');
    expect(run.stdout).toMatch(/journal batches\s+1\n/);
    expect(run.stdout).toMatch(/transfers\s+1\n/);
    expect(run.stdout).toMatch(/accounts\s+2\n/);
    expect(run.stdout).toMatch(/CNY\s+12345\s+12345\s+0\s+0/);
    expect(run.stdout).not.toContain('First problem');
  });

  it('verify exits 1 and names the first problem after one amount is changed by hand', async () => {
    const client = await database.pool.connect();
    try {
      // Get past the immutability trigger the way an attacker with superuser rights could.
      await client.query('SET session_replication_role = replica');
      await client.query('UPDATE ledger_transfers SET amount = amount + 1 WHERE id = $1', [transferId]);
    } finally {
      client.release(true);
    }
    const expected = await verifyLedger(database.pool);
    expect(expected.ok).toBe(false);

    const run = await qianbao(['verify'], { DATABASE_URL: database.url });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Ledger verification: BROKEN');
    expect(run.stdout).toContain(`First problem: ${expected.problems[0]}`);
    expect(run.stdout).toContain(transferId);
  });
});
