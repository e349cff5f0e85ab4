import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { newId, verifyLedger } from '@qianbao/ledger';
import { principalOf, signedIn } from './auth/index.ts';
import { AppError } from './errors.ts';
import { idempotentId, isResumption, pruneIdempotencyKeys } from './idempotency.ts';
import { registerHolder, type TestHolder } from './modules/identity/testing.ts';
import { createTestApp, type TestApp } from './testing.ts';

let subject: TestApp;
let bank: string;
/** Keys whose next run of `/test/flaky` fails with a 5xx. */
const failNext = new Set<string>();

/** A money-moving route as issue-4 routes will be: pays `amount` fen from the bank into my wallet. */
beforeAll(async () => {
  subject = await createTestApp();
  bank = newId();
  await subject.ledger.createAccounts([{ id: bank, currency: 'CNY', code: 1 }]);
  subject.app.post(
    '/test/credit-me',
    signedIn(
      subject.app,
      { principal: 'holder' },
      {
        config: { idempotent: true },
        schema: { body: z.object({ amount: z.string().regex(/^\d+$/), slowMs: z.number().optional() }) },
      },
    ),
    async (request) => {
      const body = request.body;
      if (body.slowMs) await new Promise((resolve) => setTimeout(resolve, body.slowMs));
      if (body.amount === '0') throw new AppError('VALIDATION_FAILED', { message: 'zero' });
      const [outcome] = await subject.ledger.createTransfers([
        {
          id: idempotentId(request, 'credit'),
          debitAccountId: bank,
          creditAccountId: principalOf(request, 'holder').walletAccountId,
          amount: BigInt(body.amount),
          currency: 'CNY',
          code: 1,
        },
      ]);
      return { transferId: outcome!.id, result: outcome!.result, at: Date.now() };
    },
  );
  // Answers whether this run resumes an earlier one with its key; fails once when told to.
  subject.app.post(
    '/test/flaky',
    signedIn(
      subject.app,
      { principal: 'holder' },
      {
        config: { idempotent: true },
        schema: {
          body: z.object({ amount: z.string(), confirmation: z.object({ pin: z.string() }).optional() }),
        },
      },
    ),
    async (request) => {
      const key = String(request.headers['idempotency-key']);
      // A run's own work takes a moment; then it fails or answers.
      await new Promise((resolve) => setImmediate(resolve));
      if (failNext.delete(key)) throw new Error('the run failed after it may have moved money');
      return { resumed: isResumption(request), at: Date.now() };
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

  it('20 identical requests at once make one transfer; the others wait for its answer and replay it', async () => {
    const holder = await registerHolder(subject.app);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => credit(holder, 'burst', { amount: '1000', slowMs: 50 })),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    expect(new Set(responses.map((r) => r.body)).size).toBe(1);
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

  it('a 5xx leaves the key retryable: the retry resumes, and another body is still refused', async () => {
    const holder = await registerHolder(subject.app);
    const flaky = (body: object) =>
      subject.app.inject({
        method: 'POST',
        url: '/test/flaky',
        headers: { ...holder.headers, 'idempotency-key': 'flaky-1' },
        payload: body,
      });
    failNext.add('flaky-1');
    expect((await flaky({ amount: '5' })).statusCode).toBe(500);
    const other = await flaky({ amount: '6' });
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    const retried = await flaky({ amount: '5' });
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ resumed: true });
    const replayed = await flaky({ amount: '5' });
    expect(replayed.headers['idempotency-replayed']).toBe('true');
    expect(replayed.body).toBe(retried.body);
  });

  it('a key in flight for over a minute (its process died) is taken over as a resumption', async () => {
    const holder = await registerHolder(subject.app);
    const send = () =>
      subject.app.inject({
        method: 'POST',
        url: '/test/flaky',
        headers: { ...holder.headers, 'idempotency-key': 'died' },
        payload: { amount: '5' },
      });
    failNext.add('died');
    expect((await send()).statusCode).toBe(500);
    // As a SIGKILL leaves it: in flight, with nobody left to finish it.
    await subject.database.pool.query(
      `UPDATE idempotency_keys SET state = 'in_flight', created_at = now() - interval '61 seconds'
        WHERE key = 'died'`,
    );
    const retried = await send();
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ resumed: true });
    const fresh = await subject.app.inject({
      method: 'POST',
      url: '/test/flaky',
      headers: { ...holder.headers, 'idempotency-key': 'fresh' },
      payload: { amount: '5' },
    });
    expect(fresh.json()).toMatchObject({ resumed: false });
  });

  it('the confirmation is not part of the request: a retry with another PIN finds its key', async () => {
    const holder = await registerHolder(subject.app);
    const send = (pin: string, amount = '5') =>
      subject.app.inject({
        method: 'POST',
        url: '/test/flaky',
        headers: { ...holder.headers, 'idempotency-key': 'confirmed' },
        payload: { amount, confirmation: { pin } },
      });
    const first = await send('258036');
    expect(first.statusCode).toBe(200);
    const typedAgain = await send('147025');
    expect(typedAgain.headers['idempotency-replayed']).toBe('true');
    expect(typedAgain.body).toBe(first.body);
    expect((await send('258036', '6')).statusCode).toBe(422);
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
