import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransferFlags, newId } from '@qianbao/ledger';
import { readPdf } from '../../pdf/testing.ts';
import { registerHolder } from '../identity/testing.ts';
import type { TestHolder } from '../identity/testing.ts';
import { createSecurityTestApp, holderWithPin } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import {
  PIN,
  cny,
  errorCode,
  expectBooksBalanced,
  fund,
  send,
  verifyRealName,
} from '../transfers/testing.ts';

let subject: SecurityTestApp;
let alice: TestHolder;
let bob: TestHolder;
let carol: TestHolder;
let fundingId: string;

interface Item {
  id: string;
  type: string;
  direction: 'in' | 'out';
  amount: { amount: string };
  status: string;
  note: string | null;
  counterparty: { displayName: string } | null;
}

async function list(
  holder: TestHolder,
  query = '',
): Promise<{ transactions: Item[]; nextCursor: string | null }> {
  const response = await subject.app.inject({
    method: 'GET',
    url: `/v1/me/transactions${query}`,
    headers: holder.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

async function transfer(payer: TestHolder, payee: TestHolder, amount: string, note?: string) {
  const response = await send(subject, payer, {
    toPhone: payee.phone,
    amount: cny(amount),
    ...(note ? { note } : {}),
    confirmation: { pin: PIN },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string }>().id;
}

beforeAll(async () => {
  subject = await createSecurityTestApp();
  alice = await holderWithPin(subject, PIN);
  bob = await holderWithPin(subject, PIN);
  carol = await registerHolder(subject.app);
  await verifyRealName(subject, bob, '李明');
  fundingId = await fund(subject, alice, 500_00n);
  await transfer(alice, bob, '1000', '房租');
  await transfer(alice, bob, '2000', '电影票');
  await transfer(alice, carol, '3000');
  await transfer(bob, alice, '500', '还钱');
});
afterAll(async () => subject.close());

describe('transaction history', () => {
  it('lists every movement of my wallet, newest first, with counterparty and note', async () => {
    const page = await list(alice);
    expect(page.nextCursor).toBeNull();
    expect(page.transactions.map((t) => [t.type, t.direction, t.amount.amount, t.note])).toEqual([
      ['transfer', 'in', '500', '还钱'],
      ['transfer', 'out', '3000', null],
      ['transfer', 'out', '2000', '电影票'],
      ['transfer', 'out', '1000', '房租'],
      ['other', 'in', '50000', null], // the test's funding: no module record, labelled by ledger code
    ]);
    expect(page.transactions[0]!.counterparty).toEqual({ displayName: '*明' });
    expect(page.transactions[4]!.id).toBe(fundingId);
    // Bob sees only his own side
    expect((await list(bob)).transactions.map((t) => t.direction)).toEqual(['out', 'in', 'in']);
  });

  it('filters by type, direction, amount, counterparty, text and date', async () => {
    const amounts = (page: { transactions: Item[] }) => page.transactions.map((t) => t.amount.amount);
    expect(amounts(await list(alice, '?direction=in'))).toEqual(['500', '50000']);
    expect(amounts(await list(alice, '?type=other'))).toEqual(['50000']);
    expect(amounts(await list(alice, '?minAmount=1000&maxAmount=2000'))).toEqual(['2000', '1000']);
    expect(amounts(await list(alice, `?counterparty=${bob.phone}`))).toEqual(['500', '2000', '1000']);
    expect(amounts(await list(alice, `?counterparty=${carol.phone}`))).toEqual(['3000']);
    expect(amounts(await list(alice, '?counterparty=13000000000'))).toEqual([]);
    expect(amounts(await list(alice, `?q=${encodeURIComponent('电影')}`))).toEqual(['2000']);
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    expect(amounts(await list(alice, `?from=${today}&to=${today}`))).toHaveLength(5);
    expect(amounts(await list(alice, '?to=2000-01-01'))).toEqual([]);
    expect(
      amounts(
        await list(alice, `?from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`),
      ),
    ).toEqual([]);
    const bad = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/transactions?limit=101',
      headers: alice.headers,
    });
    expect(bad.statusCode).toBe(400);
    const badCursor = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/transactions?cursor=abc',
      headers: alice.headers,
    });
    expect(errorCode(badCursor)).toBe('INVALID_CURSOR');
  });

  it('pages with a cursor, without gaps or repeats, also when filtered', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { transactions: Item[]; nextCursor: string | null } = await list(
        alice,
        `?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.transactions.length).toBeLessThanOrEqual(2);
      seen.push(...page.transactions.map((t) => t.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual((await list(alice)).transactions.map((t) => t.id));

    const first = await list(alice, '?direction=out&limit=2');
    expect(first.transactions.map((t) => t.amount.amount)).toEqual(['3000', '2000']);
    const second = await list(alice, `?direction=out&limit=2&cursor=${first.nextCursor}`);
    expect(second.transactions.map((t) => t.amount.amount)).toEqual(['1000']);
    expect(second.nextCursor).toBeNull();
  });

  it('shows a detail with its timeline and an e-receipt; another holder gets 404', async () => {
    const [latest] = (await list(alice)).transactions;
    const detail = await subject.app.inject({
      method: 'GET',
      url: `/v1/me/transactions/${latest!.id}`,
      headers: alice.headers,
    });
    expect(detail.statusCode, detail.body).toBe(200);
    const body = detail.json<{ timeline: unknown[]; createdAt: string; receiptUrl: string }>();
    expect(body).toMatchObject({
      id: latest!.id,
      status: 'succeeded',
      parties: { payer: '*明', payee: `${alice.phone.slice(0, 3)}****${alice.phone.slice(7)}` },
      receiptUrl: `/v1/me/transactions/${latest!.id}/receipt.pdf`,
    });
    expect(body.timeline).toEqual([
      { status: 'succeeded', at: body.createdAt, ledgerTransferId: latest!.id },
    ]);

    const receipt = await subject.app.inject({ method: 'GET', url: body.receiptUrl, headers: alice.headers });
    expect(receipt.statusCode).toBe(200);
    expect(receipt.headers['content-type']).toBe('application/pdf');
    const raw = receipt.rawPayload;
    expect(raw.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(raw.toString('latin1').trimEnd().endsWith('%%EOF')).toBe(true);
    expect(raw.length).toBeLessThan(300_000); // the font is subset, not the whole 10 MB
    // Read back as a reader shows it (text through the embedded font's Unicode map).
    const { pages, info } = await readPdf(raw);
    expect(pages).toHaveLength(1);
    const text = pages[0]!;
    expect(text).toContain('Qianbao e-receipt');
    expect(text).toContain('+CNY 5.00');
    expect(text).toContain('*明');
    expect(text).toContain('Payer / 付款方');
    expect(text).toContain(latest!.id);
    expect(text).toContain('第 1/1 页 · Page 1 of 1');
    expect(text).not.toContain(bob.phone);
    expect(info).toMatchObject({ Title: 'Qianbao e-receipt', Author: 'Qianbao' });

    for (const url of [`/v1/me/transactions/${fundingId}`, `/v1/me/transactions/${fundingId}/receipt.pdf`]) {
      const other = await subject.app.inject({ method: 'GET', url, headers: bob.headers });
      expect(other.statusCode).toBe(404);
      expect(errorCode(other)).toBe('TRANSACTION_NOT_FOUND');
    }
    for (const id of [randomUUID(), 'nope']) {
      const missing = await subject.app.inject({
        method: 'GET',
        url: `/v1/me/transactions/${id}`,
        headers: alice.headers,
      });
      expect(missing.statusCode).toBe(404);
    }
  });

  it("shows a hold's posting with a timeline, and the hold no more once posted", async () => {
    const bank = newId();
    await subject.ledger.createAccounts([{ id: bank, currency: 'CNY', code: 1 }]);
    const hold = newId();
    const post = newId();
    const base = {
      debitAccountId: bank,
      creditAccountId: carol.walletAccountId,
      currency: 'CNY',
      code: 4242,
    };
    expect(
      (
        await subject.ledger.createTransfers([
          { ...base, id: hold, amount: 77_00n, flags: TransferFlags.pending },
        ])
      )[0]!.result,
    ).toBe('ok');
    expect(
      (
        await subject.ledger.createTransfers([
          { id: post, pendingId: hold, code: 4242, flags: TransferFlags.postPending },
        ])
      )[0]!.result,
    ).toBe('ok');
    // The post stands for the hold it settled (the hold is the first step of its timeline).
    const page = await list(carol);
    expect(page.transactions[0]).toMatchObject({ id: post, status: 'succeeded', type: 'other' });
    expect(page.transactions.map((t) => t.id)).not.toContain(hold);
    const detail = (
      await subject.app.inject({ method: 'GET', url: `/v1/me/transactions/${post}`, headers: carol.headers })
    ).json<{ timeline: { status: string; ledgerTransferId: string }[] }>();
    expect(detail.timeline.map((entry) => [entry.status, entry.ledgerTransferId])).toEqual([
      ['pending', hold],
      ['succeeded', post],
    ]);
    await expectBooksBalanced(subject);
  });
});
