/**
 * Crash safety of the PIN try count (docs/security.md, "Counting tries"). A holder confirms many
 * transfers with the RIGHT PIN at once; the server process is killed with SIGKILL while the
 * tries the limit allows are all being checked, and started again. Those tries never finish —
 * yet once SECRET_TRY_LEASE_SECONDS have passed they must not count: the holder pays with the
 * right PIN, `GET /v1/me/security` shows the lock state that payments enforce (never "not
 * locked" while payments answer PAYMENTS_LOCKED), and no lock notice was sent. Then five wrong
 * PINs lock payments for real, and the lock the holder sees is exactly the one enforced.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/database.ts';
import type { TestDatabase } from '../support/database.ts';
import {
  balanceMinor,
  fundHolder,
  json,
  post,
  registerHolder,
  setHolderPin,
  type HttpHolder as Holder,
} from './holders-http.ts';
import { assertBooksBalance } from './ledger-http.ts';
import { describeExit, freePort, killAllServers, startServerProcess } from './server-process.ts';
import type { ServerProcess } from './server-process.ts';

const PIN = '258036';
const WRONG_PIN = '147025';
const PIN_MAX_FAILURES = 5;
const LEASE_SECONDS = 2;
const CONCURRENT_PAYMENTS = 60;
const FUNDING_MINOR = 100_000n; // 1,000.00: within the T0 balance cap
const PAYMENT_MINOR = 100n; // 1.00
const ENV = {
  SECRET_TRY_LEASE_SECONDS: String(LEASE_SECONDS),
  PIN_MAX_FAILURES: String(PIN_MAX_FAILURES),
  // The production argon2 cost (the default): each PIN check takes long enough to be cut off.
  LOG_LEVEL: 'error',
};

type Answer = { status: number; code: string | null; until: string | null } | { status: 'noAnswer' };

async function pay(url: string, payer: Holder, payee: Holder, pin: string): Promise<Answer> {
  try {
    const response = await post(
      url,
      '/v1/me/transfers',
      {
        toPhone: payee.phone,
        amount: { amount: PAYMENT_MINOR.toString(), currency: 'CNY' },
        confirmation: { pin },
      },
      { ...payer.headers, 'idempotency-key': randomUUID() },
    );
    const body = await json<{ error?: { code: string; details?: { until?: string } } }>(response);
    return {
      status: response.status,
      code: body.error?.code ?? null,
      until: body.error?.details?.until ?? null,
    };
  } catch {
    return { status: 'noAnswer' };
  }
}

async function securitySummary(url: string, holder: Holder): Promise<{ paymentsLockedUntil: string | null }> {
  const response = await fetch(`${url}/v1/me/security`, { headers: holder.headers });
  expect(response.status).toBe(200);
  return json(response);
}

async function notificationKinds(url: string, holder: Holder): Promise<string[]> {
  const response = await fetch(`${url}/v1/me/notifications?limit=100`, { headers: holder.headers });
  expect(response.status).toBe(200);
  return (await json<{ notifications: { kind: string }[] }>(response)).notifications.map((n) => n.kind);
}

describe('PIN tries across a SIGKILL', () => {
  let db: TestDatabase;
  let server: ServerProcess | null = null;
  beforeAll(async () => {
    db = await createTestDatabase(4);
  });
  afterAll(async () => {
    killAllServers();
    await server?.exited;
    await db?.drop();
  });

  /**
   * How many PIN tries of the holder the database holds as being checked right now: the row as
   * it is, whatever its columns (before this fix a try in flight was a `factor_failures` taken
   * ahead; now it is a lease in `factor_tries_in_flight`).
   */
  async function triesHeld(userId: string): Promise<number> {
    const { rows } = await db.pool.query<{ row: Record<string, unknown> }>(
      'SELECT to_jsonb(h) AS row FROM security_holders h WHERE user_id = $1',
      [userId],
    );
    const row = rows[0]?.row ?? {};
    const leases = row['factor_tries_in_flight'];
    return Array.isArray(leases) ? leases.length : Number(row['factor_failures'] ?? 0);
  }

  it(
    'tries cut off by a crash stop counting after the lease; the lock shown is the lock enforced',
    { timeout: 180_000 },
    async () => {
      const port = await freePort();
      server = await startServerProcess({ databaseUrl: db.url, port, env: ENV });
      const payer = await registerHolder(server.url);
      const payee = await registerHolder(server.url);
      await setHolderPin(server.url, payer, PIN);
      await fundHolder(server.url, payer, FUNDING_MINOR);

      // Many payments confirmed with the right PIN at once; SIGKILL once every try the limit
      // allows is being checked (none of them can finish any more).
      const first = server;
      const answers = Promise.all(
        Array.from({ length: CONCURRENT_PAYMENTS }, () => pay(first.url, payer, payee, PIN)),
      );
      const deadline = Date.now() + 60_000;
      let held = 0;
      while ((held = await triesHeld(payer.id)) < PIN_MAX_FAILURES && Date.now() < deadline) await sleep(2);
      expect(held, 'every try the limit allows was in flight').toBe(PIN_MAX_FAILURES);
      const exit = await first.kill();
      expect(describeExit(exit)).toBe('signal SIGKILL');
      const killedAt = Date.now();
      const before = await answers;
      const cutOff = before.filter((answer) => answer.status === 'noAnswer').length;
      expect(cutOff, 'some payments were in flight when the process died').toBeGreaterThan(0);
      for (const answer of before) {
        if (answer.status !== 'noAnswer') expect([answer.status, answer.code]).toEqual([201, null]);
      }
      expect(await triesHeld(payer.id), 'the killed tries are still recorded').toBeGreaterThan(0);

      server = await startServerProcess({ databaseUrl: db.url, port, env: ENV });
      const { url } = server;

      // Straight after the restart the tries cut off may still hold every place: a payment may
      // have to wait (or answer "busy, retry"), but it is never refused as locked while the
      // holder's security page says nothing is locked.
      expect((await securitySummary(url, payer)).paymentsLockedUntil).toBeNull();
      const early = await pay(url, payer, payee, PIN);
      expect(
        early.status === 201 || (early.status === 503 && early.code === 'SECRET_CHECK_BUSY'),
        JSON.stringify(early),
      ).toBe(true);

      // Once the lease has run out the tries cut off count for nothing.
      await sleep(Math.max(0, killedAt + LEASE_SECONDS * 1000 + 200 - Date.now()));
      const after = await Promise.all(Array.from({ length: 3 }, () => pay(url, payer, payee, PIN)));
      expect(after).toEqual(Array(3).fill({ status: 201, code: null, until: null }));
      expect((await securitySummary(url, payer)).paymentsLockedUntil).toBeNull();
      expect(await notificationKinds(url, payer)).not.toContain('security.payments_locked');

      // A real lock: five wrong PINs. The fifth records it; what payments enforce from then on
      // is exactly what the holder is shown (the same `until`, not one that moves on each try),
      // and the holder is told once.
      const wrong: Answer[] = [];
      for (let i = 0; i < PIN_MAX_FAILURES; i++) wrong.push(await pay(url, payer, payee, WRONG_PIN));
      expect(wrong.map((answer) => ('code' in answer ? answer.code : answer.status))).toEqual([
        ...Array<string>(PIN_MAX_FAILURES - 1).fill('PIN_INCORRECT'),
        'PAYMENTS_LOCKED',
      ]);
      const shown = (await securitySummary(url, payer)).paymentsLockedUntil;
      expect(shown).not.toBeNull();
      expect(wrong.at(-1)).toMatchObject({ until: shown });
      await sleep(1100);
      const refused = await pay(url, payer, payee, PIN);
      expect(refused).toEqual({ status: 403, code: 'PAYMENTS_LOCKED', until: shown });
      expect(
        (await notificationKinds(url, payer)).filter((kind) => kind === 'security.payments_locked'),
      ).toHaveLength(1);

      // The books: nothing invented or lost across the crash.
      const paid = await balanceMinor(url, payee);
      expect(paid % PAYMENT_MINOR).toBe(0n);
      const acknowledged = [...before, early, ...after].filter((answer) => answer.status === 201).length;
      expect(paid).toBeGreaterThanOrEqual(BigInt(acknowledged) * PAYMENT_MINOR);
      expect((await balanceMinor(url, payer)) + paid).toBe(FUNDING_MINOR);
      await assertBooksBalance(db.pool);
    },
  );
});
