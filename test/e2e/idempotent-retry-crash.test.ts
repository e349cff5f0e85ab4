/**
 * A retry after a crash answers what the ledger says (issue 9). A real `qianbao start` process is
 * SIGKILLed at a crash point of each money path — a wallet transfer, a payment-request payment,
 * a top-up, a withdrawal and a transfer to a bank account — and started again; the client then
 * retries with the same Idempotency-Key and body but a WRONG PIN, as a client would whose user
 * typed it again badly. Where the money moved, the answer must be the success (no confirmation
 * is checked again, so no PIN try is spent), the histories must show the movement once, the
 * stored answer must replay it, and the books must balance.
 *
 * The crash points are made deterministic without any hook in the server: the test installs a
 * trigger on the table the next step writes, which waits for an advisory lock the test holds.
 * Once the server is stuck there (everything before that step committed), it is SIGKILLed and
 * its stuck statement terminated — exactly a crash between the two steps.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journalKeyFrom, verifyLedger } from '@qianbao/ledger';
import { idempotentIdOfHolder } from '../../apps/server/src/idempotency.ts';
import { createTestApp } from '../../apps/server/src/testing.ts';
import type { TestApp } from '../../apps/server/src/testing.ts';
import { TestClock } from '../../apps/server/src/modules/identity/testing.ts';
import type { TestHolder } from '../../apps/server/src/modules/identity/testing.ts';
import { PUBLIC_ORIGIN, holderWithPin } from '../../apps/server/src/modules/security/testing.ts';
import { fund, verifyRealName } from '../../apps/server/src/modules/transfers/testing.ts';
import { transferPaymentId } from '../../apps/server/src/modules/transfers/routes.ts';
import { fundingPaymentId } from '../../apps/server/src/modules/funding/routes.ts';
import { ledgerIds } from '../../apps/server/src/modules/funding/service.ts';
import { bindCard, cardNumber, cny } from '../../apps/server/src/modules/funding/testing.ts';
import { createTestDatabase } from '../support/database.ts';
import type { TestDatabase } from '../support/database.ts';
import { freePort, killAllServers, startServerProcess } from './server-process.ts';
import type { ServerProcess } from './server-process.ts';

const PIN = '258036';
const WRONG_PIN = '147025';
/** Shared by the setup app and the server processes: they read each other's sealed data. */
const ENV: Record<string, string> = {
  QIANBAO_SECRET_KEY: Buffer.alloc(32, 5).toString('base64'),
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
  // The recovery worker must not finish the interrupted operations first: the retry must.
  FUNDING_RECOVERY_GRACE_SECONDS: '86400',
};
/** The advisory lock the crash-point triggers wait for. */
const GATE_LOCK = 909_090;
const STUCK_TIMEOUT_MS = 30_000;

interface Answer {
  status: number;
  body: string;
  replayed: boolean;
  json<T = Record<string, unknown>>(): T;
}

let db: TestDatabase;
let server: ServerProcess;
let port: number;
let payer: TestHolder;
let payee: TestHolder;
let requester: TestHolder;
let funder: TestHolder;
let cardId: string;
/** Tries left after one wrong PIN, for a holder whose last confirmation was right. */
let oneTryTaken: number;

async function call(
  holder: TestHolder,
  method: string,
  path: string,
  body?: unknown,
  key?: string,
): Promise<Answer> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...holder.headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text,
    replayed: response.headers.get('idempotency-replayed') === 'true',
    json: <T>() => JSON.parse(text) as T,
  };
}

/** A request the server will not live to answer: its failure to answer is expected. */
function doomed(request: Promise<Answer>): Promise<Answer | Error> {
  return request.catch((error: unknown) => error as Error);
}

async function exists(sql: string, params: unknown[]): Promise<boolean> {
  const { rows } = await db.pool.query(sql, params);
  return rows.length > 0;
}

/**
 * Hold the gate, install the triggers, send the requests; once every `reached` says so and the
 * server waits at a gate, SIGKILL it, end its stuck statements and start a new server. The keys
 * are then aged past the one-minute in-flight takeover (as if the client waited that long).
 */
async function crashWhile(input: {
  gates: { table: string; event: 'INSERT' | 'UPDATE'; when: string }[];
  requests: (() => Promise<Answer>)[];
  reached: (() => Promise<boolean>)[];
}): Promise<void> {
  const gate: pg.PoolClient = await db.pool.connect();
  try {
    await gate.query('SELECT pg_advisory_lock($1)', [GATE_LOCK]);
    await gate.query(`CREATE OR REPLACE FUNCTION test_crash_gate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_advisory_xact_lock_shared(${GATE_LOCK}); RETURN NEW; END $$`);
    for (const [index, g] of input.gates.entries()) {
      await gate.query(
        `CREATE TRIGGER test_crash_gate_${index} BEFORE ${g.event} ON ${g.table} FOR EACH ROW
         WHEN (${g.when}) EXECUTE FUNCTION test_crash_gate()`,
      );
    }
    const answers = input.requests.map((request) => doomed(request()));
    const deadline = Date.now() + STUCK_TIMEOUT_MS;
    for (;;) {
      const done = await Promise.all(input.reached.map((reached) => reached()));
      const stuck = await db.pool.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'advisory'`,
      );
      if (done.every(Boolean) && stuck.rows.length > 0) break;
      if (Date.now() > deadline) {
        throw new Error(`not at the crash point: ${JSON.stringify(done)}\n${server.output()}`);
      }
      await sleep(20);
    }
    await server.kill();
    // The server's statement still waits in PostgreSQL: end it as the crash ended its process.
    await db.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event = 'advisory'`,
    );
    for (const answer of await Promise.all(answers)) expect(answer).toBeInstanceOf(Error);
    for (const index of input.gates.keys()) {
      await gate.query(`DROP TRIGGER test_crash_gate_${index} ON ${input.gates[index]!.table}`);
    }
  } finally {
    await gate.query('SELECT pg_advisory_unlock_all()');
    gate.release();
  }
  const inFlight = await db.pool.query(
    `UPDATE idempotency_keys SET created_at = created_at - interval '2 minutes' WHERE state = 'in_flight'`,
  );
  expect(inFlight.rowCount).toBe(input.requests.length);
  server = await startServerProcess({ databaseUrl: db.url, port, env: ENV });
}

async function historyIds(holder: TestHolder): Promise<string[]> {
  const page = await call(holder, 'GET', '/v1/me/transactions?limit=100');
  expect(page.status, page.body).toBe(200);
  return page.json<{ transactions: { id: string }[] }>().transactions.map((t) => t.id);
}

/** A wrong PIN on a fresh key: how many tries are left tells whether the retry spent one. */
async function triesLeft(holder: TestHolder, to: TestHolder): Promise<number> {
  const probe = await call(
    holder,
    'POST',
    '/v1/me/transfers',
    { toPhone: to.phone, amount: { amount: '1', currency: 'CNY' }, confirmation: { pin: WRONG_PIN } },
    randomUUID(),
  );
  expect(probe.status, probe.body).toBe(422);
  const { error } = probe.json<{ error: { code: string; details: { attemptsRemaining: number } } }>();
  expect(error.code).toBe('PIN_INCORRECT');
  return error.details.attemptsRemaining;
}

async function expectBooksBalance(): Promise<void> {
  // The servers write the journal keyed with the secret key (the setup app before them did not).
  const secretKey = Buffer.from(ENV.QIANBAO_SECRET_KEY!, 'base64');
  const report = await verifyLedger(db.pool, { journalKey: journalKeyFrom(secretKey) });
  expect(report.problems).toEqual([]);
}

beforeAll(async () => {
  db = await createTestDatabase();
  // Holders, PINs, real names, money and a bound card, made through an in-process app on the
  // same database (its clock moves past SMS resend waits); then the real server takes over.
  const clock = new TestClock();
  const setup: TestApp = await createTestApp({ database: db, now: clock.now, env: ENV });
  const subject = { ...setup, clock, logs: [] as string[] };
  try {
    payer = await holderWithPin(subject, PIN);
    payee = await holderWithPin(subject, PIN);
    requester = await holderWithPin(subject, PIN);
    funder = await holderWithPin(subject, PIN);
    for (const [holder, name] of [
      [payer, '张伟'],
      [payee, '李娜'],
      [requester, '王芳'],
      [funder, '刘洋'],
    ] as const) {
      await verifyRealName(subject, holder, name);
    }
    await fund(subject, payer, 5000_00n);
    await fund(subject, funder, 5000_00n);
    cardId = await bindCard(setup, funder, cardNumber());
  } finally {
    await setup.close();
  }
  port = await freePort();
  server = await startServerProcess({ databaseUrl: db.url, port, env: ENV });
  oneTryTaken = await triesLeft(requester, payee);
}, 180_000);

afterAll(async () => {
  killAllServers();
  await server?.exited;
  await db?.drop();
});

function transferBody(amount: string, pin: string) {
  return { toPhone: payee.phone, amount: { amount, currency: 'CNY' }, note: '房租', confirmation: { pin } };
}

/** Retry with a wrong PIN: the original success; then once more: the same answer, replayed. */
async function retryAnswersSuccess(
  send: () => Promise<Answer>,
  status: number,
): Promise<Record<string, unknown>> {
  const retried = await send();
  expect(retried.status, retried.body).toBe(status);
  expect(retried.replayed).toBe(false);
  const replayed = await send();
  expect(replayed.status).toBe(status);
  expect(replayed.replayed).toBe(true);
  expect(replayed.body).toBe(retried.body);
  return retried.json();
}

describe('a retry after a SIGKILL answers what the ledger says, without checking the PIN again', () => {
  it(
    'crash after the ledger, before the record: transfer, payment request, top-up, withdrawal, bank transfer',
    { timeout: 180_000 },
    async () => {
      const request = await call(requester, 'POST', '/v1/me/payment-requests', {
        amount: { amount: '3300', currency: 'CNY' },
        note: '聚餐',
      });
      expect(request.status, request.body).toBe(201);
      const requestId = request.json<{ id: string }>().id;

      const keys = { transfer: randomUUID(), request: randomUUID(), topUp: randomUUID() };
      const moreKeys = { withdrawal: randomUUID(), bankTransfer: randomUUID() };
      const transferId = transferPaymentId(payer.userId, keys.transfer);
      const operation = (route: string, key: string) =>
        fundingPaymentId({ userId: funder.userId, route, idempotencyKey: key });
      const topUpId = operation('/v1/me/top-ups', keys.topUp);
      const withdrawalId = operation('/v1/me/withdrawals', moreKeys.withdrawal);
      const bankTransferId = operation('/v1/me/bank-transfers', moreKeys.bankTransfer);
      const sendTransfer = (pin: string) =>
        call(payer, 'POST', '/v1/me/transfers', transferBody('12345', pin), keys.transfer);
      const payRequest = (pin: string) =>
        call(payer, 'POST', `/v1/payment-requests/${requestId}/pay`, { confirmation: { pin } }, keys.request);
      const topUp = (pin: string) =>
        call(
          funder,
          'POST',
          '/v1/me/top-ups',
          { cardId, amount: cny('20000'), confirmation: { pin } },
          keys.topUp,
        );
      const withdraw = (pin: string) =>
        call(
          funder,
          'POST',
          '/v1/me/withdrawals',
          { cardId, amount: cny('30000'), confirmation: { pin } },
          moreKeys.withdrawal,
        );
      const account = cardNumber();
      const sendToBank = (pin: string) =>
        call(
          funder,
          'POST',
          '/v1/me/bank-transfers',
          {
            bankCode: 'ICBC',
            accountNumber: account,
            accountName: '赵敏',
            amount: cny('40000'),
            confirmation: { pin },
          },
          moreKeys.bankTransfer,
        );
      const held = (operationId: string) => () =>
        exists('SELECT 1 FROM ledger_transfers WHERE id = $1', [ledgerIds(operationId).hold]);

      // Wallet payments: stopped before their record is written. Funding: stopped after the hold,
      // before the row says `held` (the bank has not been called).
      await crashWhile({
        gates: [
          { table: 'transfers_transfers', event: 'INSERT', when: 'true' },
          { table: 'funding_operations', event: 'UPDATE', when: `NEW.state = 'held'` },
        ],
        requests: [
          () => sendTransfer(PIN),
          () => payRequest(PIN),
          () => topUp(PIN),
          () => withdraw(PIN),
          () => sendToBank(PIN),
        ],
        reached: [
          () => exists('SELECT 1 FROM ledger_transfers WHERE id = $1', [transferId]),
          () =>
            exists('SELECT 1 FROM ledger_transfers WHERE user_data = $1', [
              `payment:${paymentRequestPaymentId(payer, keys.request)}`,
            ]),
          held(topUpId),
          held(withdrawalId),
          held(bankTransferId),
        ],
      });
      expect(await exists('SELECT 1 FROM transfers_transfers', [])).toBe(false);

      const sent = await retryAnswersSuccess(() => sendTransfer(WRONG_PIN), 201);
      expect(sent).toMatchObject({
        id: transferId,
        kind: 'phone',
        status: 'succeeded',
        direction: 'out',
        amount: { amount: '12345', currency: 'CNY' },
        note: '房租',
        counterparty: { displayName: '*娜' },
      });
      const paid = await retryAnswersSuccess(() => payRequest(WRONG_PIN), 201);
      expect(paid).toMatchObject({
        kind: 'payment_request',
        paymentRequestId: requestId,
        amount: { amount: '3300', currency: 'CNY' },
        counterparty: { displayName: '*芳' },
      });
      const settled = await call(requester, 'GET', `/v1/payment-requests/${requestId}`);
      expect(settled.json()).toMatchObject({ status: 'paid' });

      for (const [send, id, amount] of [
        [topUp, topUpId, '20000'],
        [withdraw, withdrawalId, '30000'],
        [sendToBank, bankTransferId, '40000'],
      ] as const) {
        const done = await retryAnswersSuccess(() => send(WRONG_PIN), 201);
        expect(done).toMatchObject({ id, status: 'succeeded', amount: { amount } });
      }

      // Each movement once in each history. No PIN try spent by any retry: the first runs'
      // right PINs cleared the count, so one wrong probe now leaves what it leaves anyone.
      const payerHistory = await historyIds(payer);
      expect(payerHistory.filter((id) => id === transferId)).toHaveLength(1);
      expect(payerHistory.filter((id) => id === paid.id)).toHaveLength(1);
      expect((await historyIds(payee)).filter((id) => id === transferId)).toHaveLength(1);
      expect((await historyIds(requester)).filter((id) => id === paid.id)).toHaveLength(1);
      const { rows } = await db.pool.query<{ kind: string; state: string }>(
        `SELECT kind, state FROM funding_operations WHERE user_id = $1 ORDER BY kind`,
        [funder.userId],
      );
      expect(rows).toEqual([
        { kind: 'bank_transfer', state: 'succeeded' },
        { kind: 'top_up', state: 'succeeded' },
        { kind: 'withdrawal', state: 'succeeded' },
      ]);
      expect(await triesLeft(payer, payee)).toBe(oneTryTaken);
      expect(await triesLeft(funder, payee)).toBe(oneTryTaken);
      await expectBooksBalance();
    },
  );

  it(
    'crash after the record, before the key is completed: the transfer and the payment request',
    { timeout: 120_000 },
    async () => {
      const request = await call(requester, 'POST', '/v1/me/payment-requests', {
        amount: { amount: '4400', currency: 'CNY' },
      });
      const requestId = request.json<{ id: string }>().id;
      const keys = { transfer: randomUUID(), request: randomUUID() };
      const transferId = transferPaymentId(payer.userId, keys.transfer);
      const sendTransfer = (pin: string) =>
        call(payer, 'POST', '/v1/me/transfers', transferBody('2222', pin), keys.transfer);
      const payRequest = (pin: string) =>
        call(payer, 'POST', `/v1/payment-requests/${requestId}/pay`, { confirmation: { pin } }, keys.request);

      await crashWhile({
        gates: [{ table: 'idempotency_keys', event: 'UPDATE', when: `NEW.state = 'completed'` }],
        requests: [() => sendTransfer(PIN), () => payRequest(PIN)],
        reached: [
          () => exists('SELECT 1 FROM transfers_transfers WHERE ledger_transfer_id = $1', [transferId]),
          () =>
            exists(`SELECT 1 FROM transfers_payment_requests WHERE id = $1 AND status = 'paid'`, [requestId]),
        ],
      });

      const sent = await retryAnswersSuccess(() => sendTransfer(WRONG_PIN), 201);
      expect(sent).toMatchObject({ id: transferId, amount: { amount: '2222' } });
      const paid = await retryAnswersSuccess(() => payRequest(WRONG_PIN), 201);
      expect(paid).toMatchObject({ paymentRequestId: requestId, amount: { amount: '4400' } });
      expect((await historyIds(payee)).filter((id) => id === transferId)).toHaveLength(1);
      expect((await historyIds(requester)).filter((id) => id === paid.id)).toHaveLength(1);
      expect(await triesLeft(payer, payee)).toBe(oneTryTaken);
      await expectBooksBalance();
    },
  );

  it('30 identical transfers at once with one key: one movement, every answer the same 201', async () => {
    const key = randomUUID();
    const before = (await historyIds(payee)).length;
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        call(payer, 'POST', '/v1/me/transfers', transferBody('101', PIN), key),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(30).fill(201));
    expect(new Set(answers.map((answer) => answer.body)).size).toBe(1);
    expect(answers.filter((answer) => !answer.replayed)).toHaveLength(1);
    expect(answers[0]!.json()).toMatchObject({ id: transferPaymentId(payer.userId, key) });
    expect((await historyIds(payee)).length).toBe(before + 1);
    await expectBooksBalance();
  });
});

/** The id `idempotentId(request, 'payment-request')` gives the payer's pay request with this key. */
function paymentRequestPaymentId(holder: TestHolder, key: string): string {
  return idempotentIdOfHolder({
    userId: holder.userId,
    method: 'POST',
    route: '/v1/payment-requests/:id/pay',
    key,
    purpose: 'payment-request',
  });
}
