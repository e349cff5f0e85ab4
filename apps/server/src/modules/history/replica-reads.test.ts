/**
 * History reads from a replica (DATABASE_REPLICA_URL, ADR 0027): a replica is trusted only when it
 * has replayed the projection as far as this request's catch-up reached on the primary, so a
 * holder always sees the payment they were just answered for (read-your-writes). Two stand-ins
 * for a replica, each a migrated database of its own: one far behind (its projection cursor at
 * the start, no entries) and one that claims to be ahead (its cursor at the end of time, but no
 * entries — so a page it served is recognisably its own).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHolder } from '../identity/testing.ts';
import { holderWithPin } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import { PIN, cny, fund, send } from '../transfers/testing.ts';
import { createTestDatabase } from '../../../../../test/support/database.ts';
import type { TestDatabase } from '../../../../../test/support/database.ts';
import { createTestApp } from '../../testing.ts';
import { TestClock } from '../identity/testing.ts';

const ENV = { SESSION_IDLE_SECONDS: '86400', SESSION_MAX_AGE_SECONDS: '2592000' };

let primary: SecurityTestApp;
let behindReplica: TestDatabase;
let aheadReplica: TestDatabase;
let alice: TestHolder;
let bob: TestHolder;

async function appWith(replica: TestDatabase): Promise<SecurityTestApp> {
  const clock = primary.clock;
  const app = await createTestApp({
    database: primary.database,
    replicaPool: replica.pool,
    now: clock.now,
    env: ENV,
  });
  return { ...app, clock, logs: [] };
}

async function transactionsOf(subject: SecurityTestApp, holder: TestHolder): Promise<string[]> {
  const response = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/transactions',
    headers: holder.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ transactions: { id: string }[] }>().transactions.map((t) => t.id);
}

beforeAll(async () => {
  const clock = new TestClock();
  const app = await createTestApp({ now: clock.now, env: ENV });
  primary = { ...app, clock, logs: [] };
  [behindReplica, aheadReplica] = await Promise.all([createTestDatabase(2), createTestDatabase(2)]);
  await aheadReplica.pool.query('UPDATE history_cursor SET last_ts = 9000000000000000000');
  alice = await holderWithPin(primary);
  bob = await holderWithPin(primary);
  await fund(primary, alice, 10_000n);
});
afterAll(async () => {
  await primary?.close();
  await behindReplica?.drop();
  await aheadReplica?.drop();
});

describe('history reads with a replica', () => {
  it("a replica behind the primary is not used: the payment just made is in the payee's history", async () => {
    const reader = await appWith(behindReplica);
    try {
      const paid = await send(primary, alice, {
        toPhone: bob.phone,
        amount: cny('1200'),
        confirmation: { pin: PIN },
      });
      expect(paid.statusCode, paid.body).toBe(201);
      const ledgerTransferId = paid.json<{ ledgerTransferId?: string }>().ledgerTransferId;
      const seen = await transactionsOf(reader, bob);
      expect(seen.length).toBeGreaterThan(0);
      if (ledgerTransferId) expect(seen).toContain(ledgerTransferId);
    } finally {
      await reader.app.drain();
      await reader.ledger.close();
    }
  });

  it('a replica that has caught up serves the page', async () => {
    const reader = await appWith(aheadReplica);
    try {
      // The stand-in has no entries: an empty page is the replica's answer, not the primary's.
      expect(await transactionsOf(reader, bob)).toEqual([]);
      expect((await transactionsOf(primary, bob)).length).toBeGreaterThan(0);
    } finally {
      await reader.app.drain();
      await reader.ledger.close();
    }
  });
});
