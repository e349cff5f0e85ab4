/**
 * The transactional outbox under crashes (ADR 0015). A real `qianbao start` process is SIGKILLed
 * at each crash point of a wallet transfer's path from the ledger to the holders' inboxes, then
 * started again:
 *
 *   (a) after the ledger commit, before the record and its event: the retry (ADR 0012) writes
 *       the record and the event once, and the notices follow once;
 *   (b) after the record and its event committed, before dispatch: after the restart the
 *       notices arrive, once;
 *   (c) during dispatch, after the notices were written, before the cursor moved: the event is
 *       delivered again and still gives one notice each.
 *
 * And many transfers at once: every notice exactly once, the books balanced. The crash points are
 * made as in idempotent-retry-crash.test.ts: a trigger on the table the next step writes waits
 * for an advisory lock the test holds; once the server's expected statement waits there, it is
 * SIGKILLed and every backend it had is terminated. What the crash left is checked before the
 * next server starts: that server wakes every dispatcher before it answers `/readyz`, so after
 * the restart the redelivery may already have happened.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../apps/server/src/testing.ts';
import type { TestApp } from '../../apps/server/src/testing.ts';
import { TestClock } from '../../apps/server/src/modules/identity/testing.ts';
import type { TestHolder } from '../../apps/server/src/modules/identity/testing.ts';
import { PUBLIC_ORIGIN, holderWithPin } from '../../apps/server/src/modules/security/testing.ts';
import { fund, verifyRealName } from '../../apps/server/src/modules/transfers/testing.ts';
import { transferPaymentId } from '../../apps/server/src/modules/transfers/index.ts';
import { createTestDatabase } from '../support/database.ts';
import type { TestDatabase } from '../support/database.ts';
import { assertBooksBalance } from './ledger-http.ts';
import { crashAt as crashAtPoint } from './crash-gate.ts';
import type { CrashPoint } from './crash-gate.ts';
import { TEST_SECRET_KEY, freePort, killAllServers, startServerProcess } from './server-process.ts';
import type { ServerProcess } from './server-process.ts';

const PIN = '258036';
/** Shared by the setup app and the server processes: they read each other's sealed data. */
const ENV: Record<string, string> = {
  QIANBAO_SECRET_KEY: TEST_SECRET_KEY.toString('base64'),
  ARGON2_MEMORY_KIB: '64',
  ARGON2_TIME_COST: '1',
  SESSION_IDLE_SECONDS: '86400',
  SESSION_MAX_AGE_SECONDS: '2592000',
  QIANBAO_PUBLIC_URL: PUBLIC_ORIGIN,
  BANK_SANDBOX_LATENCY_MS: '0',
  // What is tested here is crash safety under bursts no person makes (30–40 payments of one
  // holder in a second, to one payee): the shipped risk rules rightly stop them. The engine's
  // own behaviour under concurrency is tested in modules/risk (risk.test.ts).
  RISK_ENGINE: 'off',
};
const GATE_LOCK = 919_191;
/** Notices are expected within a fraction of a second; this only bounds a failing test. */
const NOTICE_TIMEOUT_MS = 15_000;
const CONCURRENT_TRANSFERS = 40;

let db: TestDatabase;
let server: ServerProcess;
let port: number;
const payers: TestHolder[] = [];
let payee: TestHolder;

async function call(holder: TestHolder, method: string, path: string, body?: unknown, key?: string) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...holder.headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.text() };
}

function sendTransfer(payer: TestHolder, key: string, amount: string) {
  return call(
    payer,
    'POST',
    '/v1/me/transfers',
    { toPhone: payee.phone, amount: { amount, currency: 'CNY' }, note: '午饭', confirmation: { pin: PIN } },
    key,
  );
}

async function exists(sql: string, params: unknown[]): Promise<boolean> {
  return (await db.pool.query(sql, params)).rows.length > 0;
}

/** Notices about this transfer, per kind (`transfers.sent`, `transfers.received`) and holder. */
async function noticesOf(transferId: string): Promise<{ kind: string; user_id: string }[]> {
  const { rows } = await db.pool.query<{ kind: string; user_id: string }>(
    `SELECT kind, user_id FROM notifications_inbox WHERE params->>'transferId' = $1 ORDER BY kind`,
    [transferId],
  );
  return rows;
}

async function eventsOf(transferId: string): Promise<number> {
  const { rows } = await db.pool.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM outbox_events WHERE type = 'transfer.succeeded' AND aggregate_id = $1`,
    [transferId],
  );
  return rows[0]!.count;
}

/** Whether the inbox's cursor is still before the transfer's event. */
async function cursorBefore(transferId: string): Promise<boolean> {
  const { rows } = await db.pool.query<{ before: boolean }>(
    `SELECT (s.last_xid, s.last_id) < (e.xid, e.id) AS before
       FROM outbox_subscriptions s, outbox_events e
      WHERE s.subscriber = 'notifications.inbox' AND e.aggregate_id = $1`,
    [transferId],
  );
  expect(rows).toHaveLength(1);
  return rows[0]!.before;
}

/**
 * Wait until the inbox's cursor is past the transfer's event: its dispatcher is done with it, so
 * the next case's gate cannot catch that run's cursor update instead of its own.
 */
async function expectCursorPast(transferId: string): Promise<void> {
  const deadline = Date.now() + NOTICE_TIMEOUT_MS;
  while (await cursorBefore(transferId)) {
    if (Date.now() > deadline) throw new Error(`the cursor did not pass the event\n${server.output()}`);
    await sleep(20);
  }
}

/** Wait for both notices of a transfer, then check that each is there exactly once. */
async function expectNoticesOnce(transferId: string, payer: TestHolder): Promise<void> {
  const deadline = Date.now() + NOTICE_TIMEOUT_MS;
  while ((await noticesOf(transferId)).length < 2 && Date.now() < deadline) await sleep(20);
  expect(await noticesOf(transferId)).toEqual([
    { kind: 'transfers.received', user_id: payee.userId },
    { kind: 'transfers.sent', user_id: payer.userId },
  ]);
}

/** The crash at a point (crash-gate.ts), then a new server. */
async function crashAt(point: CrashPoint): Promise<void> {
  await crashAtPoint(db, () => server, GATE_LOCK, point);
  server = await startServerProcess({ databaseUrl: db.url, port, env: ENV });
}

beforeAll(async () => {
  db = await createTestDatabase();
  const clock = new TestClock();
  const setup: TestApp = await createTestApp({ database: db, now: clock.now, env: ENV });
  const subject = { ...setup, clock, logs: [] as string[] };
  try {
    payee = await holderWithPin(subject, PIN);
    await verifyRealName(subject, payee, '李娜');
    for (let i = 0; i < 4; i++) {
      const payer = await holderWithPin(subject, PIN);
      await verifyRealName(subject, payer, '张伟');
      await fund(subject, payer, 10_000_00n);
      payers.push(payer);
    }
  } finally {
    await setup.close();
  }
  port = await freePort();
  server = await startServerProcess({ databaseUrl: db.url, port, env: ENV });
}, 180_000);

afterAll(async () => {
  killAllServers();
  await server?.exited;
  await db?.drop();
});

describe('the outbox survives a SIGKILL at each crash point', () => {
  it(
    '(a) after the ledger commit, before the record and its event: the retry writes both once',
    { timeout: 120_000 },
    async () => {
      const payer = payers[0]!;
      const key = randomUUID();
      const transferId = transferPaymentId(payer.userId, key);
      await crashAt({
        gate: { table: 'transfers_transfers', event: 'INSERT', when: 'true' },
        act: () => sendTransfer(payer, key, '1111'),
        stuck: '%INSERT INTO transfers_transfers%',
        reached: () => exists('SELECT 1 FROM ledger_transfers WHERE id = $1', [transferId]),
        whileDown: async () => expect(await eventsOf(transferId)).toBe(0),
      });
      await db.pool.query(
        `UPDATE idempotency_keys SET created_at = created_at - interval '2 minutes' WHERE state = 'in_flight'`,
      );
      const retried = await sendTransfer(payer, key, '1111');
      expect(retried.status, retried.body).toBe(201);
      expect(await eventsOf(transferId)).toBe(1);
      await expectNoticesOnce(transferId, payer);
      // Retried again (replayed): still one record, one event, one notice each.
      expect((await sendTransfer(payer, key, '1111')).status).toBe(201);
      expect(await eventsOf(transferId)).toBe(1);
      await sleep(300);
      await expectNoticesOnce(transferId, payer);
      await expectCursorPast(transferId);
    },
  );

  it(
    '(b) after the record and its event committed, before dispatch: the notices arrive once after the restart',
    { timeout: 120_000 },
    async () => {
      const payer = payers[1]!;
      const key = randomUUID();
      const transferId = transferPaymentId(payer.userId, key);
      let answer: { status: number; body: string } | undefined;
      await crashAt({
        // The dispatcher's claim, before it reads any event.
        gate: {
          table: 'outbox_subscriptions',
          event: 'UPDATE',
          when: `OLD.subscriber = 'notifications.inbox' AND NEW.last_id IS NOT DISTINCT FROM OLD.last_id`,
        },
        stuck: '%SET claimed_by%',
        act: async () => (answer = await sendTransfer(payer, key, '2222')),
        reached: async () => answer !== undefined && (await eventsOf(transferId)) === 1,
        whileDown: async () => {
          expect(await noticesOf(transferId)).toEqual([]);
          expect(await cursorBefore(transferId)).toBe(true);
        },
      });
      expect(answer?.status, answer?.body).toBe(201);
      await expectNoticesOnce(transferId, payer);
      await expectCursorPast(transferId);
    },
  );

  it(
    '(c) during dispatch, after the notices, before the cursor moved: redelivered, still one notice each',
    { timeout: 120_000 },
    async () => {
      const payer = payers[2]!;
      const key = randomUUID();
      const transferId = transferPaymentId(payer.userId, key);
      let answer: { status: number; body: string } | undefined;
      await crashAt({
        gate: {
          table: 'outbox_subscriptions',
          event: 'UPDATE',
          when: `OLD.subscriber = 'notifications.inbox' AND NEW.last_id IS DISTINCT FROM OLD.last_id`,
        },
        stuck: '%SET last_xid%',
        act: async () => (answer = await sendTransfer(payer, key, '3333')),
        reached: async () => (await noticesOf(transferId)).length === 2,
        // The cursor is still before the event: the new server hands it over again.
        whileDown: async () => expect(await cursorBefore(transferId)).toBe(true),
      });
      expect(answer?.status, answer?.body).toBe(201);
      await expectCursorPast(transferId);
      await expectNoticesOnce(transferId, payer);
      await assertBooksBalance(db.pool);
    },
  );

  it(
    `${CONCURRENT_TRANSFERS} transfers at once: every notice exactly once, promptly; the books balance`,
    { timeout: 120_000 },
    async () => {
      const sends = Array.from({ length: CONCURRENT_TRANSFERS }, (_, i) => {
        const payer = payers[i % payers.length]!;
        const key = randomUUID();
        return { payer, transferId: transferPaymentId(payer.userId, key), key };
      });
      const started = Date.now();
      const answers = await Promise.all(sends.map((s) => sendTransfer(s.payer, s.key, '101')));
      expect(answers.map((a) => a.status)).toEqual(Array(CONCURRENT_TRANSFERS).fill(201));
      for (const s of sends) await expectNoticesOnce(s.transferId, s.payer);
      // All delivered within seconds of the answers, not at the once-a-minute sweep.
      expect(Date.now() - started).toBeLessThan(20_000);
      const { rows } = await db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM (
         SELECT 1 FROM notifications_inbox GROUP BY user_id, kind, params->>'transferId' HAVING count(*) > 1) d`,
      );
      expect(rows).toEqual([{ n: 0 }]);
      await assertBooksBalance(db.pool);
    },
  );
});
