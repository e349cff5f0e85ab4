import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '@qianbao/ledger';
import { createTestApp, type TestApp } from '../../testing.ts';
import { registerHolder } from '../identity/testing.ts';
import { AccountDirectory } from '../../platform/accounts.ts';

let subject: TestApp;
beforeAll(async () => (subject = await createTestApp()));
afterAll(async () => subject.close());

it('shows the ledger balance of my own wallet, never anyone else’s', async () => {
  const holder = await registerHolder(subject.app);
  const other = await registerHolder(subject.app);
  const empty = await subject.app.inject({ method: 'GET', url: '/v1/me/balance', headers: holder.headers });
  expect(empty.json()).toEqual({
    balance: { amount: '0', currency: 'CNY' },
    available: { amount: '0', currency: 'CNY' },
    incoming: { amount: '0', currency: 'CNY' },
  });
  // money arrives through the ledger (as a top-up will): 123.45, of which 20.00 then goes on hold
  const bank = newId();
  await subject.ledger.createAccounts([{ id: bank, currency: 'CNY', code: 1 }]);
  const [funded] = await subject.ledger.createTransfers([
    {
      id: newId(),
      debitAccountId: bank,
      creditAccountId: holder.walletAccountId,
      amount: 123_45n,
      currency: 'CNY',
      code: 1,
    },
  ]);
  expect(funded!.result).toBe('ok');
  await subject.ledger.createTransfers([
    {
      id: newId(),
      debitAccountId: holder.walletAccountId,
      creditAccountId: other.walletAccountId,
      amount: 20_00n,
      currency: 'CNY',
      code: 2,
      flags: 2,
    },
  ]);
  const mine = await subject.app.inject({ method: 'GET', url: '/v1/me/balance', headers: holder.headers });
  expect(mine.json()).toMatchObject({ balance: { amount: '12345' }, available: { amount: '10345' } });
  const theirs = await subject.app.inject({ method: 'GET', url: '/v1/me/balance', headers: other.headers });
  expect(theirs.json()).toMatchObject({ balance: { amount: '0' }, incoming: { amount: '2000' } });
  expect((await subject.app.inject({ method: 'GET', url: '/v1/me/balance' })).statusCode).toBe(401);
});

it('lists my accounts per purpose and currency beside my CNY wallet, a second currency opened on demand included', async () => {
  const holder = await registerHolder(subject.app);
  const other = await registerHolder(subject.app);
  const wallet = async (headers: Record<string, string>) => {
    const response = await subject.app.inject({ method: 'GET', url: '/v1/me/wallet', headers });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{
      balance: unknown;
      accounts: { id: string; purpose: string; currency: string }[];
    }>();
  };
  const zero = (currency: string) => ({ amount: '0', currency });
  const cnyWallet = {
    id: holder.walletAccountId,
    purpose: 'wallet',
    currency: 'CNY',
    balance: zero('CNY'),
    available: zero('CNY'),
    incoming: zero('CNY'),
  };
  // A new holder has the CNY wallet made at registration, and nothing else.
  expect(await wallet(holder.headers)).toEqual({
    balance: zero('CNY'),
    available: zero('CNY'),
    incoming: zero('CNY'),
    accounts: [cnyWallet],
  });

  // A USD wallet and CNY fund shares, opened when first needed (as paying abroad and the fund will).
  const directory = new AccountDirectory(subject.ledger);
  const owner = `user:${holder.userId}` as const;
  const usd = await directory.open({ owner, currency: 'USD', purpose: 'wallet' });
  const shares = await directory.open({ owner, currency: 'CNY', purpose: 'fundShares' });
  expect(await directory.open({ owner, currency: 'CNY', purpose: 'wallet' })).toBe(holder.walletAccountId);
  // 50.00 into the CNY wallet, 12.00 of it into fund shares, 3.00 of the rest on hold.
  const bank = newId();
  await subject.ledger.createAccounts([{ id: bank, currency: 'CNY', code: 1, ownerRef: 'system:test-bank' }]);
  const move = async (debitAccountId: string, creditAccountId: string, amount: bigint, flags = 0) => {
    const [outcome] = await subject.ledger.createTransfers([
      { id: newId(), debitAccountId, creditAccountId, amount, currency: 'CNY', code: 999, flags },
    ]);
    expect(outcome?.result).toBe('ok');
  };
  await move(bank, holder.walletAccountId, 50_00n);
  await move(holder.walletAccountId, shares, 12_00n);
  await move(holder.walletAccountId, other.walletAccountId, 3_00n, 2);

  const money = (amount: string, currency = 'CNY') => ({ amount, currency });
  expect(await wallet(holder.headers)).toEqual({
    balance: money('3800'),
    available: money('3500'),
    incoming: money('0'),
    accounts: [
      { ...cnyWallet, balance: money('3800'), available: money('3500') },
      {
        id: usd,
        purpose: 'wallet',
        currency: 'USD',
        balance: zero('USD'),
        available: zero('USD'),
        incoming: zero('USD'),
      },
      {
        id: shares,
        purpose: 'fundShares',
        currency: 'CNY',
        balance: money('1200'),
        available: money('1200'),
        incoming: zero('CNY'),
      },
    ],
  });
  // Never anyone else's accounts: the other holder sees only their own wallet, 3.00 incoming.
  expect(await wallet(other.headers)).toMatchObject({
    incoming: money('300'),
    accounts: [{ id: other.walletAccountId, purpose: 'wallet', currency: 'CNY', incoming: money('300') }],
  });
  // /v1/me/balance is unchanged: the same three fields of the CNY wallet.
  const balance = await subject.app.inject({ method: 'GET', url: '/v1/me/balance', headers: holder.headers });
  expect(balance.json()).toEqual({ balance: money('3800'), available: money('3500'), incoming: money('0') });
  expect((await subject.app.inject({ method: 'GET', url: '/v1/me/wallet' })).statusCode).toBe(401);
});

it('shows a loan as what I owe', async () => {
  const holder = await registerHolder(subject.app);
  const owner = `user:${holder.userId}` as const;
  const loan = await new AccountDirectory(subject.ledger).open({ owner, currency: 'CNY', purpose: 'loan' });
  const [drawn] = await subject.ledger.createTransfers([
    {
      id: newId(),
      debitAccountId: loan,
      creditAccountId: holder.walletAccountId,
      amount: 80_00n,
      currency: 'CNY',
      code: 999,
    },
  ]);
  expect(drawn?.result).toBe('ok');
  const [repaying] = await subject.ledger.createTransfers([
    {
      id: newId(),
      debitAccountId: holder.walletAccountId,
      creditAccountId: loan,
      amount: 30_00n,
      currency: 'CNY',
      code: 999,
      flags: 2,
    },
  ]);
  expect(repaying?.result).toBe('ok');
  const response = await subject.app.inject({ method: 'GET', url: '/v1/me/wallet', headers: holder.headers });
  expect(response.json<{ accounts: unknown[] }>().accounts).toContainEqual({
    id: loan,
    purpose: 'loan',
    currency: 'CNY',
    balance: { amount: '8000', currency: 'CNY' },
    available: { amount: '5000', currency: 'CNY' },
    incoming: { amount: '0', currency: 'CNY' },
  });
});
