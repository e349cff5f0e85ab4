/**
 * The judgement's holder lock (store.ts `readLocked` / `recordJudged`, a session advisory lock
 * taken with the state read and released after the write commits): one holder's judgements one
 * at a time, each on the attempts before it; and a failure between the lock and the unlock leaves
 * no lock behind (the connection is closed, not returned to the pool).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase } from '../../../../../test/support/database.ts';
import type { TestDatabase } from '../../../../../test/support/database.ts';
import type { PlaceLookup } from '../../adapters/places/index.ts';
import type { RiskInput } from '../../payments/index.ts';
import { RiskService } from './service.ts';
import type { RiskServiceDeps } from './service.ts';
import { PgRiskStateStore, RiskStore } from './store.ts';

const NOWHERE = { placeOf: () => null } as unknown as PlaceLookup;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(4);
});
afterAll(async () => db.drop());

function service(state: PgRiskStateStore): RiskService {
  return new RiskService({
    store: new RiskStore(db.pool),
    pool: db.pool,
    state,
    places: NOWHERE,
    freeze: { freeze: () => Promise.resolve(undefined) },
    security: {} as RiskServiceDeps['security'],
    identity: {} as RiskServiceDeps['identity'],
    balanceOf: () => Promise.resolve(null),
    now: () => new Date(),
    log: { warn: () => undefined },
  });
}

function input(payerUserId: string): RiskInput {
  return {
    kind: 'transfer',
    payerUserId,
    amountMinor: 100n,
    currency: 'CNY',
    payee: `user:${randomUUID()}`,
    paymentId: randomUUID(),
    mode: 'pay',
    now: new Date(),
  };
}

async function advisoryLocks(): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_locks
      WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return rows[0]!.n;
}

/**
 * The advisory locks once every connection that ended is gone: a failed judgement destroys its
 * connection, and the server ends that session (and its locks) a moment later, not at once. A
 * lock still held after 3 s is a lock left behind on a live connection.
 */
async function advisoryLocksSettled(): Promise<number> {
  const deadline = Date.now() + 3000;
  let count = await advisoryLocks();
  while (count > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    count = await advisoryLocks();
  }
  return count;
}

it('judges 90 payments of one holder sent 30 at a time each on the attempts before it', async () => {
  const judge = service(new PgRiskStateStore(db.pool, NOWHERE));
  const payer = randomUUID();
  for (let round = 0; round < 3; round++) {
    await Promise.all(Array.from({ length: 30 }, () => judge.judge(input(payer))));
  }
  const { rows } = await db.pool.query<{ n: number }>(
    `SELECT (features->>'holder_payments_1m')::int AS n FROM risk_decisions WHERE holder_id = $1 ORDER BY 1`,
    [payer],
  );
  expect(rows.map((row) => row.n)).toEqual(Array.from({ length: 90 }, (_, i) => i + 1));
});

it('leaves no lock behind when a judgement fails between the lock and the unlock', async () => {
  const state = new PgRiskStateStore(db.pool, NOWHERE);
  const on = state.on.bind(state);
  let fail = true;
  state.on = (client) => {
    const store = on(client);
    const record = store.recordJudged.bind(store);
    store.recordJudged = async (...args) => {
      if (fail) throw new Error('boom');
      return record(...args);
    };
    return store;
  };
  const judge = service(state);
  const payer = randomUUID();
  await expect(judge.judge(input(payer))).rejects.toThrow('boom');
  expect(await advisoryLocksSettled()).toBe(0);
  fail = false;
  const started = Date.now();
  await Promise.all(Array.from({ length: 8 }, () => judge.judge(input(payer))));
  expect(Date.now() - started).toBeLessThan(5000);
  expect(await advisoryLocks()).toBe(0);
});
