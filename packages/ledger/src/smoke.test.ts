import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from './ids.ts';
import { openTestLedger, type TestLedger } from '../../../test/support/ledger.ts';

let t: TestLedger;
beforeAll(async () => (t = await openTestLedger()));
afterAll(async () => t.close());

describe('smoke', () => {
  it('moves money', async () => {
    const a = await t.customer();
    const b = await t.customer();
    await t.fund(a, 10000n);
    const [r] = await t.ledger.createTransfers([
      { id: newId(), debitAccountId: a, creditAccountId: b, amount: 2500n, currency: 'CNY', code: 2 },
    ]);
    expect(r?.result).toBe('ok');
    expect((await t.ledger.getBalance(a))?.postedBalance).toBe(7500n);
    await t.assertBooks();
  });
});
