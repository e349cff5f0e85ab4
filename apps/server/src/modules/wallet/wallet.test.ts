import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '@qianbao/ledger';
import { createTestApp, type TestApp } from '../../testing.ts';
import { registerHolder } from '../identity/testing.ts';

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
