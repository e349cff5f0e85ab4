import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { AccountFlags, Ledger, newId, verifyLedger } from '@qianbao/ledger';
import type { LedgerOptions } from '@qianbao/ledger';
import { createTestDatabase } from './database.ts';
import type { TestDatabase } from './database.ts';

export interface TestLedger {
  ledger: Ledger;
  db: TestDatabase;
  /** The key of the journal's HMAC chain (random per test ledger; ADR 0010). */
  journalKey: Buffer;
  /** A customer account (never negative) and, optionally, funded from the bank's settlement account. */
  customer(currency?: string): Promise<string>;
  /** A system account with no balance rule (bank settlement, fee income …). */
  system(currency?: string): Promise<string>;
  fund(accountId: string, amount: bigint, currency?: string): Promise<void>;
  /** The books: hash chain intact, trial balance zero per currency, no account breaks its flags. */
  assertBooks(): Promise<void>;
  close(): Promise<void>;
}

export async function openTestLedger(options: LedgerOptions = {}): Promise<TestLedger> {
  const db = await createTestDatabase();
  const journalKey = Buffer.from(options.journalKey ?? randomBytes(32));
  const ledger = await Ledger.open(db.pool, { ...options, journalKey });
  const settlement = new Map<string, string>();

  async function account(currency: string, flags: number): Promise<string> {
    const id = newId();
    const [result] = await ledger.createAccounts([{ id, currency, code: flags ? 100 : 1, flags }]);
    expect(result?.result).toBe('ok');
    return id;
  }
  const api: TestLedger = {
    ledger,
    db,
    journalKey,
    customer: (currency = 'CNY') => account(currency, AccountFlags.debitsMustNotExceedCredits),
    system: (currency = 'CNY') => account(currency, AccountFlags.none),
    async fund(accountId, amount, currency = 'CNY') {
      let source = settlement.get(currency);
      if (!source) {
        source = await api.system(currency);
        settlement.set(currency, source);
      }
      const [outcome] = await ledger.createTransfers([
        { id: newId(), debitAccountId: source, creditAccountId: accountId, amount, currency, code: 1 },
      ]);
      expect(outcome?.result).toBe('ok');
    },
    async assertBooks() {
      const report = await verifyLedger(db.pool, { journalKey });
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
    },
    async close() {
      await ledger.close();
      await db.drop();
    },
  };
  return api;
}
