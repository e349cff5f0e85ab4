/**
 * The account directory on a real ledger: one account per (owner, currency, purpose) however
 * many ask at once, holders' existing random-id wallets found rather than duplicated, and
 * unknown currencies and purposes refused. The app's books are verified when it closes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountFlags, newId } from '@qianbao/ledger';
import type { Account, AccountQuery } from '@qianbao/ledger';
import { createTestApp, type TestApp } from '../testing.ts';
import { registerHolder } from '../modules/identity/testing.ts';
import {
  ACCOUNT_PURPOSES,
  ACCOUNT_PURPOSE_NAMES,
  AccountDirectory,
  AccountDirectoryError,
  derivedAccountId,
  purposeOfCode,
} from './accounts.ts';
import type { AccountKey, AccountPurpose, OwnerRef } from './accounts.ts';
import { AccountCodeChart, AccountCodes } from './codes.ts';

let subject: TestApp;
beforeAll(async () => (subject = await createTestApp()));
afterAll(async () => subject.close());

/** A directory as a server process builds it; several of them stand for several processes. */
function directory(): AccountDirectory {
  return new AccountDirectory(subject.ledger);
}

const userOf = (): OwnerRef => `user:${newId()}`;

async function accountsOf(owner: OwnerRef, query: Omit<AccountQuery, 'ownerRef'> = {}): Promise<Account[]> {
  return subject.ledger.findAccounts({ ownerRef: owner, ...query });
}

describe('the purposes', () => {
  it('map to distinct account codes of the chart, with the balance rule each needs', () => {
    const codes = ACCOUNT_PURPOSE_NAMES.map((purpose) => ACCOUNT_PURPOSES[purpose].code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const purpose of ACCOUNT_PURPOSE_NAMES) {
      expect(AccountCodes[purpose], purpose).toBe(ACCOUNT_PURPOSES[purpose].code);
      expect(AccountCodeChart[purpose].code).toBeGreaterThanOrEqual(100); // holders' own: 100–199
      expect(AccountCodeChart[purpose].code).toBeLessThanOrEqual(199);
      expect(purposeOfCode(ACCOUNT_PURPOSES[purpose].code)).toBe(purpose);
    }
    expect(purposeOfCode(AccountCodes.bankSettlement)).toBeNull();
    const never = AccountFlags.debitsMustNotExceedCredits;
    expect(ACCOUNT_PURPOSES.wallet).toMatchObject({ flags: never, normal: 'credit' });
    expect(ACCOUNT_PURPOSES.fundShares).toMatchObject({ flags: never, normal: 'credit' });
    expect(ACCOUNT_PURPOSES.escrow).toMatchObject({ flags: never, normal: 'credit' });
    expect(ACCOUNT_PURPOSES.loan).toMatchObject({
      flags: AccountFlags.creditsMustNotExceedDebits,
      normal: 'debit',
    });
  });
});

describe('open', () => {
  it('creates one account for 30 concurrent opens of the same owner, currency and purpose', async () => {
    const owner = userOf();
    const key: AccountKey = { owner, currency: 'USD', purpose: 'wallet' };
    // Thirty processes (a directory each) and thirty requests in one process, all at once.
    const one = directory();
    const ids = await Promise.all([
      ...Array.from({ length: 30 }, () => directory().open(key)),
      ...Array.from({ length: 30 }, () => one.open(key)),
    ]);
    expect(new Set(ids)).toEqual(new Set([derivedAccountId(key)]));
    const found = await accountsOf(owner);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      id: ids[0],
      currency: 'USD',
      code: AccountCodes.wallet,
      ownerRef: owner,
      flags: AccountFlags.debitsMustNotExceedCredits,
      creditsPosted: 0n,
    });
    // Asked again later (another process, nothing cached): the same account.
    expect(await directory().open(key)).toBe(ids[0]);
    expect(await accountsOf(owner)).toHaveLength(1);
  });

  it("finds a holder's existing random-id CNY wallet and never creates a second one", async () => {
    const holder = await registerHolder(subject.app);
    const owner: OwnerRef = `user:${holder.userId}`;
    const key: AccountKey = { owner, currency: 'CNY', purpose: 'wallet' };
    expect(holder.walletAccountId).not.toBe(derivedAccountId(key)); // made at registration, random
    const ids = await Promise.all(Array.from({ length: 30 }, () => directory().open(key)));
    expect(new Set(ids)).toEqual(new Set([holder.walletAccountId]));
    expect((await accountsOf(owner)).map((account) => account.id)).toEqual([holder.walletAccountId]);
    expect(await subject.ledger.getAccount(derivedAccountId(key))).toBeNull();
  });

  it('keeps fund shares and the wallet of one currency apart, and each currency apart', async () => {
    const owner = userOf();
    const accounts = directory();
    const wallet = await accounts.open({ owner, currency: 'CNY', purpose: 'wallet' });
    const shares = await accounts.open({ owner, currency: 'CNY', purpose: 'fundShares' });
    const usd = await accounts.open({ owner, currency: 'USD', purpose: 'wallet' });
    const loan = await accounts.open({ owner, currency: 'CNY', purpose: 'loan' });
    const escrow = await accounts.open({ owner, currency: 'CNY', purpose: 'escrow' });
    expect(new Set([wallet, shares, usd, loan, escrow]).size).toBe(5);
    const byId = new Map((await accountsOf(owner)).map((account) => [account.id, account]));
    expect(byId.get(shares)).toMatchObject({ code: AccountCodes.fundShares, currency: 'CNY' });
    expect(byId.get(loan)).toMatchObject({
      code: AccountCodes.loan,
      flags: AccountFlags.creditsMustNotExceedDebits,
    });
    expect(byId.get(escrow)).toMatchObject({ code: AccountCodes.escrow, currency: 'CNY' });
    // Another owner's wallet of the same currency is theirs.
    expect(await accounts.open({ owner: userOf(), currency: 'CNY', purpose: 'wallet' })).not.toBe(wallet);
    // list: the same accounts, by purpose then currency.
    expect(
      (await directory().list(owner)).map(({ purpose, account }) => [purpose, account.currency, account.id]),
    ).toEqual([
      ['wallet', 'CNY', wallet],
      ['wallet', 'USD', usd],
      ['fundShares', 'CNY', shares],
      ['loan', 'CNY', loan],
      ['escrow', 'CNY', escrow],
    ]);
  });

  it('applies the balance rule of the purpose: a wallet opened on demand cannot be overdrawn, a loan not overpaid', async () => {
    const owner = userOf();
    const accounts = directory();
    const wallet = await accounts.open({ owner, currency: 'CNY', purpose: 'wallet' });
    const loan = await accounts.open({ owner, currency: 'CNY', purpose: 'loan' });
    const move = async (debitAccountId: string, creditAccountId: string, amount: bigint) =>
      (
        await subject.ledger.createTransfers([
          { id: newId(), debitAccountId, creditAccountId, amount, currency: 'CNY', code: 999 },
        ])
      )[0]?.result;
    expect(await move(wallet, loan, 1n)).toBe('insufficientFunds'); // nothing in the wallet
    expect(await move(loan, wallet, 100_00n)).toBe('ok'); // draw 100.00
    expect(await move(wallet, loan, 100_01n)).toBe('insufficientFunds');
    expect(await move(wallet, loan, 100_00n)).toBe('ok'); // repay it all
    const otherWallet = await accounts.open({ owner: userOf(), currency: 'CNY', purpose: 'wallet' });
    expect(await move(loan, otherWallet, 5_00n)).toBe('ok'); // the loan pays someone directly
    expect(await move(otherWallet, loan, 5_01n)).toBe('insufficientFunds');
    const found = await accountsOf(owner, { code: AccountCodes.loan });
    expect(found[0]).toMatchObject({ debitsPosted: 105_00n, creditsPosted: 100_00n });
  });

  it('refuses an unknown currency, purpose or owner with a clear error, and creates nothing', async () => {
    const owner = userOf();
    const accounts = directory();
    const refused = async (key: AccountKey) => {
      const error = await accounts.open(key).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error, JSON.stringify(key)).toBeInstanceOf(AccountDirectoryError);
      return error as AccountDirectoryError;
    };
    expect(await refused({ owner, currency: 'XYZ', purpose: 'wallet' })).toMatchObject({
      code: 'UNKNOWN_CURRENCY',
      message: expect.stringContaining('"XYZ"') as unknown,
    });
    expect((await refused({ owner, currency: 'usd', purpose: 'wallet' })).code).toBe('UNKNOWN_CURRENCY');
    expect(await refused({ owner, currency: 'CNY', purpose: 'savings' as AccountPurpose })).toMatchObject({
      code: 'UNKNOWN_PURPOSE',
      message: expect.stringContaining('wallet, fundShares, loan, escrow') as unknown,
    });
    expect((await refused({ owner, currency: 'CNY', purpose: 'toString' as AccountPurpose })).code).toBe(
      'UNKNOWN_PURPOSE',
    );
    for (const bad of [
      'user:alice',
      'system:fees',
      `shop:${newId()}`,
      newId(),
      'user:00000000-0000-0000-0000-000000000000',
    ]) {
      expect((await refused({ owner: bad as OwnerRef, currency: 'CNY', purpose: 'wallet' })).code).toBe(
        'INVALID_OWNER',
      );
    }
    await expect(accounts.list('user:alice')).rejects.toBeInstanceOf(AccountDirectoryError);
    expect(await accountsOf(owner)).toEqual([]);
    // A merchant owns accounts the same way.
    const merchant: OwnerRef = `merchant:${newId()}`;
    expect(await accounts.open({ owner: merchant, currency: 'HKD', purpose: 'wallet' })).toBe(
      derivedAccountId({ owner: merchant, currency: 'HKD', purpose: 'wallet' }),
    );
  });

  it('refuses to hand out an account of the right code whose balance rule is not the purpose’s', async () => {
    const owner = userOf();
    // Made outside the directory (as the admin ledger API could): a "wallet" that may go negative.
    await subject.ledger.createAccounts([
      { id: newId(), currency: 'EUR', code: AccountCodes.wallet, ownerRef: owner },
    ]);
    await expect(directory().open({ owner, currency: 'EUR', purpose: 'wallet' })).rejects.toThrow(
      /flags 0, expected 1/,
    );
    expect(await directory().list(owner)).toEqual([]);
    expect(await accountsOf(owner)).toHaveLength(1);
  });

  it('remembers found ids (never a failure), within its bound', async () => {
    let lookups = 0;
    let creations = 0;
    let failNext = true;
    const counting = new AccountDirectory(
      {
        findAccounts: async (query) => {
          lookups++;
          if (failNext) {
            failNext = false;
            throw new Error('database went away');
          }
          return subject.ledger.findAccounts(query);
        },
        createAccounts: async (inputs) => {
          creations++;
          return subject.ledger.createAccounts(inputs);
        },
      },
      { maxCachedIds: 2 },
    );
    const [a, b, c] = [userOf(), userOf(), userOf()];
    const wallet = (owner: OwnerRef) => counting.open({ owner, currency: 'CNY', purpose: 'wallet' });
    await expect(wallet(a)).rejects.toThrow('database went away');
    const first = await wallet(a); // the failure was not remembered
    expect([lookups, creations]).toEqual([2, 1]);
    expect(await wallet(a)).toBe(first);
    expect([lookups, creations]).toEqual([2, 1]); // from memory
    await wallet(b);
    await wallet(c); // the bound: a's id makes room
    expect([lookups, creations]).toEqual([4, 3]);
    expect(await wallet(a)).toBe(first); // looked up again, found, not created
    expect([lookups, creations]).toEqual([5, 3]);
  });
});
