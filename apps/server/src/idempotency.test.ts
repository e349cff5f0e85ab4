import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { newId, verifyLedger } from '@qianbao/ledger';
import { AppError } from './errors.ts';
import { idempotentId, pruneIdempotencyKeys } from './idempotency.ts';
import { requireHolder } from './modules/identity/index.ts';
import { registerHolder, type TestHolder } from './modules/identity/testing.ts';
import { createTestApp, type TestApp } from './testing.ts';

let subject: TestApp;
let bank: string;

/** A money-moving route as issue-4 routes will be: pays `amount` fen from the bank into my wallet. */
beforeAll(async () => {
  subject = await createTestApp();
  bank = newId();
  await subject.ledger.createAccounts([{ id: bank, currency: 'CNY', code: 1 }]);
  subject.app.post(
    '/test/credit-me',
    {
      onRequest: subject.app.authenticate,
      config: { idempotent: true },
      schema: { body: z.object({ amount: z.string().regex(/^\d+$/), slowMs: z.number().optional() }) },
    },
    async (request) => {
      const body = request.body;
      if (body.slowMs) await new Promise((resolve) => setTimeout(resolve, body.slowMs));
      if (body.amount === '0') throw new AppError('VALIDATION_FAILED', { message: 'zero' });
      const [outcome] = await subject.ledger.createTransfers([
        {
          id: idempotentId(request, 'credit'),
          debitAccountId: bank,
          creditAccountId: requireHolder(request).walletAccountId,
          amount: BigInt(body.amount),
          currency: 'CNY',
          code: 1,
        },
      ]);
      return { transferId: outcome!.id, result: outcome!.result, at: Date.now() };
    },
  );
});
afterAll(async () => subject.close());

function credit(holder: TestHolder, key: string | null, body: object) {
  return subject.app.inject({
    method: 'POST',
    url: '/test/credit-me',
    headers: { ...holder.headers, ...(key === null ? {} : { 'idempotency-key': key }) },
    payload: body,
  });
}

async function balance(holder: TestHolder): Promise<string> {
  const response = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/balance',
    headers: holder.headers,
  });
  return response.json<{ balance: { amount: string } }>().balance.amount;
}

describe('Idempotency-Key', () => {
  it('is required on money-moving routes', async () => {
    const holder = await registerHolder(subject.app);
    const missing = await credit(holder, null, { amount: '100' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REQUIRED' } });
    expect((await credit(holder, 'k'.repeat(256), { amount: '100' })).statusCode).toBe(400);
    expect(await balance(holder)).toBe('0');
  });

  it('replays the first response for the same key and body; refuses another body', async () => {
    const holder = await registerHolder(subject.app);
    const first = await credit(holder, 'order-1', { amount: '100' });
    expect(first.statusCode).toBe(200);
    expect(first.headers['idempotency-replayed']).toBeUndefined();
    const again = await credit(holder, 'order-1', { amount: '100' });
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotency-replayed']).toBe('true');
    expect(again.body).toBe(first.body);
    const other = await credit(holder, 'order-1', { amount: '999' });
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    expect(await balance(holder)).toBe('100');
  });

  it('keys are per holder: the same key from two holders is two requests', async () => {
    const a = await registerHolder(subject.app);
    const b = await registerHolder(subject.app);
    expect((await credit(a, 'shared', { amount: '7' })).statusCode).toBe(200);
    const fromB = await credit(b, 'shared', { amount: '7' });
    expect(fromB.headers['idempotency-replayed']).toBeUndefined();
    expect([await balance(a), await balance(b)]).toEqual(['7', '7']);
  });

  it('stores failures too, so a retry cannot turn a rejection into a success', async () => {
    const holder = await registerHolder(subject.app);
    const rejected = await credit(holder, 'bad', { amount: '0' });
    expect(rejected.statusCode).toBe(400);
    const retried = await credit(holder, 'bad', { amount: '0' });
    expect(retried.statusCode).toBe(400);
    expect(retried.headers['idempotency-replayed']).toBe('true');
  });

  it('20 identical requests at once make one transfer; the others wait (409) or replay', async () => {
    const holder = await registerHolder(subject.app);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => credit(holder, 'burst', { amount: '1000', slowMs: 50 })),
    );
    const codes = responses.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 200).length).toBeGreaterThanOrEqual(1);
    expect(codes.every((c) => c === 200 || c === 409)).toBe(true);
    const fresh = responses.filter(
      (r) => r.statusCode === 200 && r.headers['idempotency-replayed'] === undefined,
    );
    expect(fresh).toHaveLength(1);
    const retried = await credit(holder, 'burst', { amount: '1000', slowMs: 50 });
    expect(retried.headers['idempotency-replayed']).toBe('true');
    expect(await balance(holder)).toBe('1000');
    const report = await verifyLedger(subject.database.pool);
    expect(report.problems).toEqual([]);
  });

  it('keys past their retention are swept; a retry then runs again and the ledger answers it once', async () => {
    const holder = await registerHolder(subject.app);
    const first = await credit(holder, 'old', { amount: '700' });
    expect(first.statusCode).toBe(200);
    const recent = await credit(holder, 'recent', { amount: '1' });
    expect(recent.statusCode).toBe(200);
    await subject.database.pool.query(
      `UPDATE idempotency_keys SET created_at = now() - interval '4 days' WHERE key = 'old'`,
    );
    const deleted = await pruneIdempotencyKeys(
      subject.database.pool,
      new Date(Date.now() - 72 * 3600 * 1000),
    );
    expect(deleted).toBe(1);
    const keys = await subject.database.pool.query<{ key: string }>(
      `SELECT key FROM idempotency_keys WHERE key IN ('old', 'recent')`,
    );
    expect(keys.rows.map((row) => row.key)).toEqual(['recent']);
    // Not a replay any more, but the same derived ledger id: the money moved once.
    const retried = await credit(holder, 'old', { amount: '700' });
    expect(retried.headers['idempotency-replayed']).toBeUndefined();
    expect(retried.json<{ result: string }>().result).toBe('exists');
    expect(await balance(holder)).toBe('701');
  });
});
