import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '@qianbao/ledger';
import { ADMIN_HEADERS, createTestApp } from '../testing.ts';
import type { TestApp } from '../testing.ts';

interface TransferJson {
  id: string;
  amount: string;
  flags: string[];
  timestamp: string;
}
interface ResultJson {
  id: string;
  result: string;
  error?: { code: string; message: string };
  transfer?: TransferJson;
}

describe('internal ledger API', () => {
  let subject: TestApp;
  const bank = randomUUID();
  const alice = randomUUID();
  const bob = randomUUID();

  beforeAll(async () => {
    subject = await createTestApp();
  });
  afterAll(async () => {
    const report = await verifyLedger(subject.database.pool);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    await subject.close();
  });

  function post(url: string, payload: unknown) {
    return subject.app.inject({ method: 'POST', url, headers: ADMIN_HEADERS, payload: payload as object });
  }
  function get(url: string) {
    return subject.app.inject({ method: 'GET', url, headers: ADMIN_HEADERS });
  }
  async function transfer(...transfers: object[]): Promise<ResultJson[]> {
    const response = await post('/v1/ledger/transfers', { transfers });
    expect(response.statusCode).toBe(200);
    return response.json<{ results: ResultJson[] }>().results;
  }

  it('creates accounts with a result per item', async () => {
    const response = await post('/v1/ledger/accounts', [
      { id: bank, currency: 'CNY', code: 100, ownerRef: 'system:bank' },
      {
        id: alice,
        currency: 'CNY',
        code: 200,
        ownerRef: 'user:alice',
        flags: ['debitsMustNotExceedCredits'],
      },
      { id: bob, currency: 'CNY', code: 200, ownerRef: 'user:bob', flags: ['debitsMustNotExceedCredits'] },
    ]);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      results: [
        { id: bank, result: 'ok' },
        { id: alice, result: 'ok' },
        { id: bob, result: 'ok' },
      ],
    });
    const again = await post('/v1/ledger/accounts', [
      {
        id: alice,
        currency: 'CNY',
        code: 200,
        ownerRef: 'user:alice',
        flags: ['debitsMustNotExceedCredits'],
      },
      { id: bob, currency: 'USD', code: 200 },
      { id: randomUUID(), currency: 'XXY', code: 1 },
    ]);
    expect(again.json<{ results: { result: string }[] }>().results.map((r) => r.result)).toEqual([
      'exists',
      'existsWithDifferentFields',
      'invalid',
    ]);
  });

  it('moves money with amounts as strings and reads it back', async () => {
    const topUp = randomUUID();
    const [result] = await transfer({
      id: topUp,
      debitAccountId: bank,
      creditAccountId: alice,
      amount: '10000',
      currency: 'CNY',
      code: 1,
      userData: 'top-up',
    });
    expect(result).toMatchObject({ id: topUp, result: 'ok', transfer: { amount: '10000', flags: [] } });
    expect(result!.error).toBeUndefined();

    const account = await get(`/v1/ledger/accounts/${alice}`);
    expect(account.statusCode).toBe(200);
    expect(account.json()).toMatchObject({
      id: alice,
      currency: 'CNY',
      code: 200,
      ownerRef: 'user:alice',
      flags: ['debitsMustNotExceedCredits'],
      creditsPosted: '10000',
      debitsPosted: '0',
    });

    const stored = await get(`/v1/ledger/transfers/${topUp}`);
    expect(stored.json()).toMatchObject({
      id: topUp,
      debitAccountId: bank,
      creditAccountId: alice,
      amount: '10000',
      currency: 'CNY',
      userData: 'top-up',
      pendingId: null,
    });
  });

  it('treats the transfer id as the idempotency key', async () => {
    const id = randomUUID();
    const fields = {
      id,
      debitAccountId: bank,
      creditAccountId: bob,
      amount: '500',
      currency: 'CNY',
      code: 1,
    };
    expect((await transfer(fields))[0]!.result).toBe('ok');
    const [replay] = await transfer(fields);
    expect(replay).toMatchObject({ result: 'exists', transfer: { amount: '500' } });
    const [changed] = await transfer({ ...fields, amount: '501' });
    expect(changed).toMatchObject({
      result: 'existsWithDifferentFields',
      error: { code: 'TRANSFER_ID_REUSED' },
    });
  });

  it('refuses an overdraft per item, leaving the others applied', async () => {
    const results = await transfer(
      {
        id: randomUUID(),
        debitAccountId: alice,
        creditAccountId: bob,
        amount: '999999',
        currency: 'CNY',
        code: 2,
      },
      {
        id: randomUUID(),
        debitAccountId: alice,
        creditAccountId: bob,
        amount: '100',
        currency: 'CNY',
        code: 2,
      },
    );
    expect(results.map((r) => r.result)).toEqual(['insufficientFunds', 'ok']);
    expect(results[0]).toMatchObject({
      error: { code: 'INSUFFICIENT_FUNDS', message: 'The balance is insufficient.' },
    });
    expect(results[0]!.transfer).toBeUndefined();
  });

  it('holds, then posts part of a hold', async () => {
    const hold = randomUUID();
    const [held] = await transfer({
      id: hold,
      debitAccountId: alice,
      creditAccountId: bob,
      amount: '300',
      currency: 'CNY',
      code: 3,
      flags: ['pending'],
      timeoutSeconds: 3600,
    });
    expect(held).toMatchObject({ result: 'ok', transfer: { flags: ['pending'] } });
    expect(held!.transfer).toHaveProperty('expiresAt', expect.stringMatching(/^\d+$/));

    const balance = await get(`/v1/ledger/accounts/${alice}/balance`);
    expect(balance.json()).toMatchObject({
      asOf: null,
      debitsPending: '300',
      postedBalance: '9900',
      availableBalance: '9600',
    });

    const [posted] = await transfer({
      id: randomUUID(),
      pendingId: hold,
      amount: '200',
      code: 3,
      flags: ['postPending'],
    });
    expect(posted).toMatchObject({ result: 'ok', transfer: { amount: '200', flags: ['postPending'] } });
    const [again] = await transfer({ id: randomUUID(), pendingId: hold, code: 3, flags: ['voidPending'] });
    expect(again).toMatchObject({
      result: 'pendingAlreadyResolved',
      error: { code: 'PENDING_ALREADY_RESOLVED' },
    });
  });

  it('answers a balance as of a past time', async () => {
    const before = await get(`/v1/ledger/accounts/${alice}/balance?at=2000-01-01T00:00:00Z`);
    expect(before.statusCode).toBe(200);
    expect(before.json()).toMatchObject({ asOf: '946684800000000', creditsPosted: '0', postedBalance: '0' });

    const page = await get(`/v1/ledger/accounts/${alice}/transfers?limit=200`);
    const [oldest] = page.json<{ transfers: TransferJson[] }>().transfers.slice(-1);
    const atFirst = await get(`/v1/ledger/accounts/${alice}/balance?at=${oldest!.timestamp}`);
    expect(atFirst.json()).toMatchObject({
      asOf: oldest!.timestamp,
      creditsPosted: '10000',
      debitsPosted: '0',
    });
  });

  it('pages through transfers newest first', async () => {
    const first = await get(`/v1/ledger/accounts/${alice}/transfers?limit=2`);
    expect(first.statusCode).toBe(200);
    const firstPage = first.json<{ transfers: TransferJson[]; nextCursor: string | null }>();
    expect(firstPage.transfers).toHaveLength(2);
    expect(firstPage.nextCursor).not.toBeNull();
    const second = await get(`/v1/ledger/accounts/${alice}/transfers?limit=2&cursor=${firstPage.nextCursor}`);
    const secondPage = second.json<{ transfers: TransferJson[]; nextCursor: string | null }>();
    const timestamps = [...firstPage.transfers, ...secondPage.transfers].map((t) => BigInt(t.timestamp));
    expect(timestamps).toEqual([...timestamps].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
    expect(new Set([...firstPage.transfers, ...secondPage.transfers].map((t) => t.id)).size).toBe(
      timestamps.length,
    );
  });

  it('answers 404 NOT_FOUND for unknown accounts and transfers', async () => {
    for (const url of [
      `/v1/ledger/accounts/${randomUUID()}`,
      `/v1/ledger/accounts/${randomUUID()}/balance`,
      `/v1/ledger/accounts/${randomUUID()}/transfers`,
      `/v1/ledger/transfers/${randomUUID()}`,
    ]) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(404);
      expect(response.json<{ error: { code: string } }>().error.code).toBe('NOT_FOUND');
    }
  });
});

describe('internal ledger API under load', () => {
  it('refuses a request the ledger queue cannot take with 503 OVERLOADED and Retry-After', async () => {
    const subject = await createTestApp({ ledger: { maxQueuedTransfers: 1 } });
    try {
      const transfer = () => ({
        id: randomUUID(),
        debitAccountId: randomUUID(),
        creditAccountId: randomUUID(),
        amount: '1',
        currency: 'CNY',
        code: 1,
      });
      const response = await subject.app.inject({
        method: 'POST',
        url: '/v1/ledger/transfers',
        headers: ADMIN_HEADERS,
        payload: { transfers: [transfer(), transfer()] },
      });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
      expect(response.json()).toMatchObject({ error: { code: 'OVERLOADED' } });
    } finally {
      await subject.close();
    }
  });
});
