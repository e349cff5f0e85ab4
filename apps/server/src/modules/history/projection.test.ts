/**
 * The history projection (projector.ts): full pages under sparse filters, read-your-writes, a
 * record that follows its ledger batch, idempotent re-projection and concurrent projectors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@qianbao/ledger';
import type { TransferInput } from '@qianbao/ledger';
import { TransferCodes } from '../../platform/codes.ts';
import { registerHolder } from '../identity/testing.ts';
import type { TestHolder } from '../identity/testing.ts';
import { createSecurityTestApp, holderWithPin } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import { PIN, cny, expectBooksBalanced, fund, send, verifyRealName } from '../transfers/testing.ts';
import { HISTORY_JOBS } from './jobs.ts';
import { HistoryProjector } from './projector.ts';
import { HistoryStore } from './store.ts';

let subject: SecurityTestApp;
let alice: TestHolder;
let bob: TestHolder;
let dave: TestHolder;
let bank: string;

interface Item {
  id: string;
  type: string;
  direction: 'in' | 'out';
  amount: { amount: string };
  note: string | null;
  counterparty: { displayName: string } | null;
}
interface Page {
  transactions: Item[];
  nextCursor: string | null;
}

async function list(holder: TestHolder, query = ''): Promise<Page> {
  const response = await subject.app.inject({
    method: 'GET',
    url: `/v1/me/transactions${query}`,
    headers: holder.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

async function transfer(payer: TestHolder, payee: TestHolder, amount: string, note: string) {
  const response = await send(subject, payer, {
    toPhone: payee.phone,
    amount: cny(amount),
    note,
    confirmation: { pin: PIN },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string }>().id;
}

/** A projector of its own (as another server process would have), on the app's database. */
function projector(options: { blind?: boolean } = {}) {
  const pool = subject.database.pool;
  return new HistoryProjector({
    pool,
    store: new HistoryStore(pool),
    // Blind: as if the transfers module had not written its record yet.
    transfers: options.blind
      ? { describeMany: () => Promise.resolve(new Map()) }
      : subject.app.services.transfers,
    funding: subject.app.services.funding,
  });
}

async function entryRow(transferId: string, accountId: string) {
  const { rows } = await subject.database.pool.query<{
    described: boolean;
    type: string;
    note: string | null;
  }>('SELECT described, type, note FROM history_entries WHERE ledger_transfer_id = $1 AND account_id = $2', [
    transferId,
    accountId,
  ]);
  return rows[0];
}

/** Every entry, in a stable order, as text: to compare two projections. */
async function allEntries(): Promise<string[]> {
  const { rows } = await subject.database.pool.query<Record<string, unknown>>(
    'SELECT * FROM history_entries ORDER BY account_id, ts',
  );
  return rows.map((row) =>
    JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)),
  );
}

/** What the ledger says history must hold: one entry per holder's wallet each transfer touches. */
async function expectedEntryCount(): Promise<number> {
  const { rows } = await subject.database.pool.query<{ count: bigint }>(
    `SELECT count(*) AS count FROM ledger_transfers t
       JOIN ledger_accounts a ON a.id IN (t.debit_account_id, t.credit_account_id)
      WHERE a.code = 100 AND a.owner_ref LIKE 'user:%'`,
  );
  return Number(rows[0]!.count);
}

async function entryCount(): Promise<number> {
  const { rows } = await subject.database.pool.query<{ count: bigint }>(
    'SELECT count(*) AS count FROM history_entries',
  );
  return Number(rows[0]!.count);
}

async function fundMany(holder: TestHolder, count: number, amountOf: (index: number) => bigint) {
  const transfers: TransferInput[] = [];
  for (let index = 0; index < count; index++) {
    transfers.push({
      id: newId(),
      debitAccountId: bank,
      creditAccountId: holder.walletAccountId,
      amount: amountOf(index),
      currency: 'CNY',
      code: TransferCodes.testFunding,
    });
  }
  const outcomes = await subject.ledger.createTransfers(transfers);
  expect(outcomes.every((outcome) => outcome.result === 'ok')).toBe(true);
  return transfers.map((t) => t.id);
}

beforeAll(async () => {
  subject = await createSecurityTestApp();
  alice = await holderWithPin(subject, PIN);
  bob = await holderWithPin(subject, PIN);
  dave = await registerHolder(subject.app);
  await verifyRealName(subject, bob, '李明');
  await fund(subject, alice, 500_00n);
  bank = newId();
  await subject.ledger.createAccounts([{ id: bank, currency: 'CNY', code: 1, ownerRef: 'system:test-bank' }]);
});
afterAll(async () => subject.close());

describe('history from the projection', () => {
  it('answers full pages when the matches are sparse (1 in 500 of 3,000 movements)', async () => {
    // 3,000 movements; every 500th is 777.77, the others 1.00.
    await fundMany(dave, 3000, (index) => (index % 500 === 499 ? 777_77n : 1_00n));
    const filter = '?minAmount=77777&maxAmount=77777';
    const first = await list(dave, `${filter}&limit=4`);
    expect(first.transactions.map((t) => t.amount.amount)).toEqual(['77777', '77777', '77777', '77777']);
    expect(first.nextCursor).not.toBeNull();
    const second = await list(dave, `${filter}&limit=4&cursor=${first.nextCursor}`);
    expect(second.transactions).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
    // Unfiltered: pages of 100 without gaps or repeats.
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await list(dave, `?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.transactions.length).toBe(100);
      for (const item of page.transactions) seen.add(item.id);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(30);
    expect(seen.size).toBe(3000);
    // Text search escapes LIKE's own characters.
    expect((await list(dave, `?q=${encodeURIComponent('%')}`)).transactions).toEqual([]);
    expect((await list(dave, '?q=MOVEMENT&limit=1')).transactions).toHaveLength(1);
  });

  it('shows a transfer as soon as the API answered it, without any job', async () => {
    await list(alice); // the projection is up to date
    const id = await transfer(alice, bob, '321', '咖啡');
    const [latest] = (await list(alice, '?limit=1')).transactions;
    expect(latest).toMatchObject({
      id,
      type: 'transfer',
      direction: 'out',
      note: '咖啡',
      counterparty: { displayName: '*明' },
    });
    const [received] = (await list(bob, '?limit=1')).transactions;
    expect(received).toMatchObject({ id, direction: 'in', note: '咖啡' });
  });

  it('describes an entry whose record came after the projector saw it: from the event, or on read', async () => {
    // The projector runs between the ledger batch and the record: it finds no record.
    const id = await transfer(alice, bob, '100', '晚饭');
    await projector({ blind: true }).catchUp();
    expect(await entryRow(id, alice.walletAccountId)).toMatchObject({ described: false, note: null });
    expect(await entryRow(id, bob.walletAccountId)).toMatchObject({ described: false, note: null });
    // The record's event describes both sides.
    await subject.app.outbox.deliverPending();
    expect(await entryRow(id, alice.walletAccountId)).toMatchObject({
      described: true,
      type: 'transfer',
      note: '晚饭',
    });
    expect(await entryRow(id, bob.walletAccountId)).toMatchObject({ described: true, note: '晚饭' });

    // Without the event: the read that shows it describes it (and stores that).
    const other = await transfer(bob, alice, '200', '还你');
    await projector({ blind: true }).catchUp();
    expect(await entryRow(other, alice.walletAccountId)).toMatchObject({ described: false });
    const [latest] = (await list(alice, '?limit=1')).transactions;
    expect(latest).toMatchObject({
      id: other,
      direction: 'in',
      note: '还你',
      counterparty: { displayName: '*明' },
    });
    expect(await entryRow(other, alice.walletAccountId)).toMatchObject({ described: true, note: '还你' });
    // The detail too.
    const third = await transfer(alice, bob, '300', '车费');
    await projector({ blind: true }).catchUp();
    const detail = await subject.app.inject({
      method: 'GET',
      url: `/v1/me/transactions/${third}`,
      headers: bob.headers,
    });
    expect(detail.json()).toMatchObject({
      id: third,
      note: '车费',
      parties: { payer: expect.any(String) as string },
    });
    // A described entry stays described when a blind projector projects it again.
    await subject.database.pool.query('UPDATE history_cursor SET last_ts = 0');
    await projector({ blind: true }).catchUp();
    expect(await entryRow(id, alice.walletAccountId)).toMatchObject({ described: true, note: '晚饭' });
    await subject.app.outbox.deliverPending();
  });

  it("the job looks again at the last seconds' entries still waiting: the event came before the projection", async () => {
    const id = await transfer(alice, bob, '400', '咖啡');
    // The event is handled first (nothing projected yet: nothing to describe) …
    await subject.app.outbox.deliverPending();
    // … then a projector that read the ledger before the record existed commits its entries.
    await projector({ blind: true }).catchUp();
    const { rows } = await subject.database.pool.query<{ ts: string }>(
      'SELECT ts::text AS ts FROM history_entries WHERE ledger_transfer_id = $1 LIMIT 1',
      [id],
    );
    const ts = BigInt(rows[0]!.ts);
    // Too young (its record may still be landing) and too old are left alone.
    expect(await projector().redescribeRecent(ts + 1_000_000n)).toBe(0);
    expect(await projector().redescribeRecent(ts + 11_000_000n)).toBe(0);
    expect(await entryRow(id, alice.walletAccountId)).toMatchObject({ described: false });
    expect(await projector().redescribeRecent(ts + 3_000_000n)).toBe(2);
    expect(await entryRow(id, alice.walletAccountId)).toMatchObject({ described: true, note: '咖啡' });
    expect(await entryRow(id, bob.walletAccountId)).toMatchObject({ described: true, note: '咖啡' });
  });

  it('projects again to the same rows (idempotent), and the job catches up', async () => {
    await projector().catchUp();
    const before = await allEntries();
    expect(before.length).toBe(await expectedEntryCount());
    expect((await projector().catchUp()).transfers).toBe(0);
    await subject.database.pool.query('UPDATE history_cursor SET last_ts = 0');
    const again = await projector().catchUp();
    expect(again.transfers).toBeGreaterThan(3000);
    expect(await allEntries()).toEqual(before);
    // The background job is the same catch-up.
    await transfer(alice, bob, '1', '一分');
    expect(await subject.app.jobs.run(HISTORY_JOBS.project)).toMatchObject({
      result: { transfers: 1, entries: 2 },
    });
  });

  it('two projectors at once leave no duplicate and no gap, while money moves', async () => {
    await subject.database.pool.query('DELETE FROM history_entries');
    await subject.database.pool.query('UPDATE history_cursor SET last_ts = 0');
    const one = projector();
    const two = projector();
    const [a, b] = await Promise.all([
      one.catchUp(),
      two.catchUp(),
      fundMany(dave, 200, () => 5n),
      transfer(alice, bob, '2', '同时'),
      one.catchUp(),
    ]);
    await Promise.all([one.catchUp(), two.catchUp()]);
    expect(a.transfers + b.transfers).toBeGreaterThan(0);
    expect(await entryCount()).toBe(await expectedEntryCount());
    const { rows } = await subject.database.pool.query<{ count: bigint }>(
      `SELECT count(*) AS count FROM (SELECT ledger_transfer_id, account_id FROM history_entries
         GROUP BY 1, 2 HAVING count(*) > 1) AS duplicates`,
    );
    expect(rows[0]!.count).toBe(0n);
    // Every wallet transfer is in its holder's history, in ledger order.
    const page = await list(dave, '?limit=100');
    expect(page.transactions.slice(0, 100).every((t) => t.amount.amount === '5')).toBe(true);
    await expectBooksBalanced(subject);
  });
});
