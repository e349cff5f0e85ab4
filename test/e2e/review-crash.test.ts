/**
 * A payment held for review (payments/review.ts) under crashes. A real `qianbao start` process,
 * with the risk engine on and a rule that sends every transfer of ¥1,000 or more to review, is
 * SIGKILLed at each crash point (crash-gate.ts), then started again:
 *
 *   (a) after the case opened, before the hold: the retry (same Idempotency-Key) finds the same
 *       case and makes the hold once; approved, the payee is paid;
 *   (b) after the hold, before the transfer's record: the retry writes the record as under review
 *       (with the payer's notice, once); rejected, the money is back;
 *   (c) after an operator's approval was written on the case, before the hold is posted: the
 *       same approval again settles it (as the `risk.cases` job would a minute later), once;
 *   (d) after the hold, before the record, and the case approved meanwhile: the retry writes the
 *       record as paid (the ledger says so), and the payee is told, once.
 *
 * After each: one case, one hold, the balances as decided, the books balanced.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../apps/server/src/testing.ts';
import { TestClock } from '../../apps/server/src/modules/identity/testing.ts';
import type { TestHolder } from '../../apps/server/src/modules/identity/testing.ts';
import { holderWithPin } from '../../apps/server/src/modules/security/testing.ts';
import { fund, verifyRealName } from '../../apps/server/src/modules/transfers/testing.ts';
import { transferPaymentId } from '../../apps/server/src/modules/transfers/index.ts';
import { activateRules, operatorSession } from '../../apps/server/src/modules/risk/testing.ts';
import { createTestDatabase } from '../support/database.ts';
import type { TestDatabase } from '../support/database.ts';
import { assertBooksBalance } from './ledger-http.ts';
import {
  CRASH_TEST_ENV,
  ageInFlightKeys,
  callServer,
  countLedgerTransfers,
  crashAndRestart,
} from './crash-harness.ts';
import type { CrashPoint } from './crash-gate.ts';
import { freePort, killAllServers, startServerProcess } from './server-process.ts';
import type { ServerProcess } from './server-process.ts';

const PIN = '258036';
const GATE_LOCK = 929_292;
const AMOUNT = '150000';

let db: TestDatabase;
let server: ServerProcess;
let port: number;
let operator: { authorization: string };
const payers: TestHolder[] = [];
let payee: TestHolder;

function call(
  headers: Record<string, string>,
  method: string,
  path: string,
  body?: unknown,
  key?: string,
): Promise<{ status: number; body: string }> {
  return callServer(server, headers, method, path, body, key);
}

function sendTransfer(payer: TestHolder, key: string) {
  return call(
    payer.headers,
    'POST',
    '/v1/me/transfers',
    { toPhone: payee.phone, amount: { amount: AMOUNT, currency: 'CNY' }, confirmation: { pin: PIN } },
    key,
  );
}

async function caseOf(
  movementId: string,
): Promise<{ id: string; status: string; outcome: string | null } | null> {
  const { rows } = await db.pool.query<{ id: string; status: string; outcome: string | null }>(
    'SELECT id, status, outcome FROM risk_cases WHERE movement_id = $1',
    [movementId],
  );
  return rows[0] ?? null;
}

function ledgerTransfers(where: string, params: unknown[]): Promise<number> {
  return countLedgerTransfers(db.pool, where, params);
}

/** Posted and available balance of a holder's wallet, from the API. */
async function wallet(holder: TestHolder): Promise<{ balance: string; available: string }> {
  const answer = await call(holder.headers, 'GET', '/v1/me/balance');
  const body = JSON.parse(answer.body) as { balance: { amount: string }; available: { amount: string } };
  return { balance: body.balance.amount, available: body.available.amount };
}

function ageKeys(): Promise<void> {
  return ageInFlightKeys(db.pool);
}

async function crashAt(point: CrashPoint): Promise<void> {
  server = await crashAndRestart(db, server, port, GATE_LOCK, point);
}

beforeAll(async () => {
  db = await createTestDatabase();
  const clock = new TestClock();
  const setup = await createTestApp({ database: db, now: clock.now, env: CRASH_TEST_ENV });
  const subject = { ...setup, clock, logs: [] as string[] };
  try {
    operator = await operatorSession(subject, 'risk');
    await activateRules(subject, operator, [
      {
        id: 'review_large',
        subject: 'payment',
        description: { zh: '大额待审', en: 'Large, to review' },
        when: { feature: 'amount_minor', op: '>=', value: 100_000 },
        score: 80,
      },
    ]);
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
  server = await startServerProcess({ databaseUrl: db.url, port, env: CRASH_TEST_ENV });
}, 180_000);

afterAll(async () => {
  killAllServers();
  await server?.exited;
  await db?.drop();
});

describe('a payment held for review survives a SIGKILL at each crash point', () => {
  it(
    '(a) after the case opened, before the hold: the retry holds once; approved, paid',
    { timeout: 120_000 },
    async () => {
      const payer = payers[0]!;
      const key = randomUUID();
      const holdId = transferPaymentId(payer.userId, key);
      await crashAt({
        gate: { table: 'ledger_transfers', event: 'INSERT', when: `NEW.id = '${holdId}'` },
        stuck: '%COPY ledger_transfers%',
        act: () => sendTransfer(payer, key),
        reached: async () => (await caseOf(holdId)) !== null,
        whileDown: async () => {
          expect(await caseOf(holdId)).toMatchObject({ status: 'open', outcome: null });
          expect(await ledgerTransfers('id = $1', [holdId])).toBe(0);
        },
      });
      await ageKeys();
      const retried = await sendTransfer(payer, key);
      expect(retried.status, retried.body).toBe(202);
      expect(await ledgerTransfers('id = $1', [holdId])).toBe(1);
      expect(await wallet(payer)).toEqual({ balance: '1000000', available: '850000' });
      const kase = (await caseOf(holdId))!;
      const approved = await call(operator, 'POST', `/v1/operator/risk/cases/${kase.id}/approve`, {});
      expect(approved.status, approved.body).toBe(200);
      expect(JSON.parse(approved.body)).toMatchObject({ status: 'approved' });
      expect(await wallet(payer)).toEqual({ balance: '850000', available: '850000' });
      expect(
        (await db.pool.query('SELECT 1 FROM risk_cases WHERE movement_id = $1', [holdId])).rows,
      ).toHaveLength(1);
      await assertBooksBalance(db.pool);
    },
  );

  it(
    '(b) after the hold, before the record: the retry records it under review; rejected, returned',
    { timeout: 120_000 },
    async () => {
      const payer = payers[1]!;
      const key = randomUUID();
      const holdId = transferPaymentId(payer.userId, key);
      await crashAt({
        gate: { table: 'transfers_transfers', event: 'INSERT', when: 'true' },
        stuck: '%INSERT INTO transfers_transfers%',
        act: () => sendTransfer(payer, key),
        reached: async () => (await ledgerTransfers('id = $1', [holdId])) === 1,
        whileDown: async () => {
          const { rows } = await db.pool.query(
            'SELECT 1 FROM transfers_transfers WHERE ledger_transfer_id = $1',
            [holdId],
          );
          expect(rows).toHaveLength(0);
        },
      });
      await ageKeys();
      const retried = await sendTransfer(payer, key);
      expect(retried.status, retried.body).toBe(202);
      expect(JSON.parse(retried.body)).toMatchObject({ id: holdId, status: 'under_review' });
      const { rows } = await db.pool.query<{ status: string }>(
        'SELECT status FROM transfers_transfers WHERE ledger_transfer_id = $1',
        [holdId],
      );
      expect(rows).toEqual([{ status: 'under_review' }]);
      const kase = (await caseOf(holdId))!;
      const rejected = await call(operator, 'POST', `/v1/operator/risk/cases/${kase.id}/reject`, {
        reason: 'test',
      });
      expect(rejected.status, rejected.body).toBe(200);
      expect(await wallet(payer)).toEqual({ balance: '1000000', available: '1000000' });
      await assertBooksBalance(db.pool);
    },
  );

  it(
    '(d) after the hold, before the record, approved meanwhile: the retry records it paid',
    { timeout: 120_000 },
    async () => {
      const payer = payers[3]!;
      const key = randomUUID();
      const holdId = transferPaymentId(payer.userId, key);
      await crashAt({
        gate: { table: 'transfers_transfers', event: 'INSERT', when: 'true' },
        stuck: '%INSERT INTO transfers_transfers%',
        act: () => sendTransfer(payer, key),
        reached: async () => (await ledgerTransfers('id = $1', [holdId])) === 1,
        whileDown: async () => {
          const { rows } = await db.pool.query(
            'SELECT 1 FROM transfers_transfers WHERE ledger_transfer_id = $1',
            [holdId],
          );
          expect(rows).toHaveLength(0);
        },
      });
      const kase = (await caseOf(holdId))!;
      const approved = await call(operator, 'POST', `/v1/operator/risk/cases/${kase.id}/approve`, {});
      expect(approved.status, approved.body).toBe(200);
      expect(JSON.parse(approved.body)).toMatchObject({ status: 'approved' });
      await ageKeys();
      const retried = await sendTransfer(payer, key);
      expect(retried.status, retried.body).toBe(201);
      expect(JSON.parse(retried.body)).toMatchObject({ id: holdId, status: 'succeeded' });
      const events = await db.pool.query<{ type: string }>(
        'SELECT type FROM outbox_events WHERE aggregate_id = $1 ORDER BY id',
        [holdId],
      );
      expect(events.rows.map((row) => row.type)).toEqual(['transfer.succeeded']);
      expect(await wallet(payer)).toEqual({ balance: '850000', available: '850000' });
      await assertBooksBalance(db.pool);
    },
  );

  it(
    '(c) after the approval was written, before the post: the same approval settles it once',
    { timeout: 120_000 },
    async () => {
      const payer = payers[2]!;
      const key = randomUUID();
      const holdId = transferPaymentId(payer.userId, key);
      const held = await sendTransfer(payer, key);
      expect(held.status, held.body).toBe(202);
      const kase = (await caseOf(holdId))!;
      await crashAt({
        gate: { table: 'ledger_transfers', event: 'INSERT', when: `NEW.pending_id = '${holdId}'` },
        stuck: '%COPY ledger_transfers%',
        act: () => call(operator, 'POST', `/v1/operator/risk/cases/${kase.id}/approve`, {}),
        reached: async () => (await caseOf(holdId))?.outcome === 'approve',
        whileDown: async () => {
          expect(await caseOf(holdId)).toMatchObject({ status: 'open', outcome: 'approve' });
          expect(await ledgerTransfers('pending_id = $1', [holdId])).toBe(0);
        },
      });
      // A reject now is refused: the case was decided.
      const reject = await call(operator, 'POST', `/v1/operator/risk/cases/${kase.id}/reject`, {
        reason: 'late',
      });
      expect(reject.status, reject.body).toBe(409);
      const again = await call(operator, 'POST', `/v1/operator/risk/cases/${kase.id}/approve`, {});
      expect(again.status, again.body).toBe(200);
      expect(JSON.parse(again.body)).toMatchObject({ status: 'approved' });
      expect(await ledgerTransfers('pending_id = $1', [holdId])).toBe(1);
      expect(await wallet(payer)).toEqual({ balance: '850000', available: '850000' });
      await assertBooksBalance(db.pool);
    },
  );
});
