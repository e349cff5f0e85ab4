/**
 * Webhooks (ADR 0021) under crashes: at least once across a SIGKILL. A real `qianbao start`
 * process takes a payment to a shop whose endpoint is a receiver in this test process (loopback:
 * sandbox mode), and is SIGKILLed at each crash point of the delivery's path (crash-gate.ts), then
 * started again on the same database:
 *
 *   (a) the payment and its event committed, before the subscriber wrote the delivery: the new
 *       server hands the event over again and delivers it, once;
 *   (b) the delivery written, before its job was queued: the event comes again, the delivery is
 *       not written twice (its id is derived), its job is queued and it is delivered once;
 *   (c) the job queued and taken by the queue, before the attempt leased the delivery: the job
 *       died with the process (pg-boss gives it up only after its 2-minute timeout) and the event
 *       is past the subscriber's cursor — the sweep finds the overdue delivery and sends it, once;
 *   (d) the receiver got the POST, before the attempt's outcome was recorded: after the lease the
 *       sweep sends it again — the same webhook-id, the same body (the at-least-once case);
 *   (e) the success recorded: nothing sends it again — not the sweep, not the dead job's retry.
 *
 * The servers run with a 5-second lease and a 2-second sweep (WEBHOOK_LEASE_SECONDS,
 * WEBHOOK_SWEEP_SECONDS; a minute each in production), so recovery takes seconds, not minutes.
 * After each: the delivery `succeeded`, the receiver's count as stated, the books balanced.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../apps/server/src/testing.ts';
import { TestClock } from '../../apps/server/src/modules/identity/testing.ts';
import type { TestHolder } from '../../apps/server/src/modules/identity/testing.ts';
import type { SecurityTestApp } from '../../apps/server/src/modules/security/testing.ts';
import { PIN, fund } from '../../apps/server/src/modules/transfers/testing.ts';
import { shopOf, verifiedHolder } from '../../apps/server/src/modules/merchants/testing.ts';
import type { TestShop } from '../../apps/server/src/modules/merchants/testing.ts';
import { WebhookReceiver, webhookEndpointOf } from '../../apps/server/src/modules/developers/testing.ts';
import { Jobs, defineJob } from '../../apps/server/src/jobs/index.ts';
import { createTestDatabase } from '../support/database.ts';
import type { TestDatabase } from '../support/database.ts';
import { assertBooksBalance } from './ledger-http.ts';
import { CRASH_TEST_ENV, callServer, crashAndRestart } from './crash-harness.ts';
import type { CrashPoint } from './crash-gate.ts';
import { freePort, killAllServers, startServerProcess } from './server-process.ts';
import type { ServerProcess } from './server-process.ts';

const GATE_LOCK = 949_494;
const ENV: Record<string, string> = {
  ...CRASH_TEST_ENV,
  WEBHOOK_LEASE_SECONDS: '5',
  WEBHOOK_SWEEP_SECONDS: '2',
  WEBHOOK_TIMEOUT_MS: '2000',
};
/** Recovery is a lease and a sweep away (seconds); this only bounds a failing test. */
const DELIVERY_TIMEOUT_MS = 40_000;
const CASES = ['a', 'b', 'c', 'd', 'e'] as const;
type Case = (typeof CASES)[number];

interface Fixture {
  shop: TestShop;
  payer: TestHolder;
  endpointId: string;
  path: string;
}

let db: TestDatabase;
let server: ServerProcess;
let port: number;
const receiver = new WebhookReceiver();
const fixtures = new Map<Case, Fixture>();

function call(headers: Record<string, string>, method: string, path: string, body?: unknown, key?: string) {
  return callServer(server, headers, method, path, body, key);
}

async function crashAt(point: CrashPoint): Promise<void> {
  server = await crashAndRestart(db, server, port, GATE_LOCK, point, ENV);
}

/** The shop makes an order (¥38) on the server; answers its id and code. */
async function makeOrder(fixture: Fixture): Promise<{ id: string; payload: string }> {
  const made = await call(fixture.shop.owner.headers, 'POST', '/v1/me/merchant/orders', {
    merchantOrderId: `wh-${randomUUID().slice(0, 12)}`,
    amount: { amount: '3800', currency: 'CNY' },
    description: '牛肉面',
  });
  expect(made.status, made.body).toBe(201);
  return JSON.parse(made.body) as { id: string; payload: string };
}

/** The payer pays the order's code on the server: the payment resource, then the PIN. */
async function pay(fixture: Fixture, order: { payload: string }): Promise<{ status: number; body: string }> {
  const created = await call(fixture.payer.headers, 'POST', '/v1/payments', {
    kind: 'merchant_order',
    qr: order.payload,
  });
  expect(created.status, created.body).toBe(201);
  const { id } = JSON.parse(created.body) as { id: string };
  return call(
    fixture.payer.headers,
    'POST',
    `/v1/payments/${id}/confirm`,
    { confirmation: { pin: PIN } },
    randomUUID(),
  );
}

/** The order's `merchant.payment_succeeded` event, once committed. */
async function paymentEvent(orderId: string): Promise<{ id: string } | null> {
  const { rows } = await db.pool.query<{ id: string }>(
    `SELECT id FROM outbox_events WHERE type = 'merchant.payment_succeeded' AND aggregate_id = $1`,
    [orderId],
  );
  expect(rows.length).toBeLessThanOrEqual(1);
  return rows[0] ?? null;
}

/** Whether the webhooks subscriber's cursor has passed the event (its dispatcher is done with it). */
async function cursorPast(eventId: string): Promise<boolean> {
  const { rows } = await db.pool.query<{ past: boolean }>(
    `SELECT (s.last_xid, s.last_id) >= (e.xid, e.id) AS past
       FROM outbox_subscriptions s, outbox_events e
      WHERE s.subscriber = 'developers.webhooks' AND e.id = $1`,
    [eventId],
  );
  return rows[0]?.past ?? false;
}

interface DeliveryRow {
  id: string;
  status: string;
  attempts: number;
  leased: boolean;
  body: string;
}

async function deliveriesOf(endpointId: string): Promise<DeliveryRow[]> {
  const { rows } = await db.pool.query<DeliveryRow>(
    `SELECT id, status, attempts, leased_until IS NOT NULL AS leased, body
       FROM developers_webhook_deliveries WHERE endpoint_id = $1`,
    [endpointId],
  );
  return rows;
}

async function attemptsOf(deliveryId: string): Promise<{ n: number; status_code: number | null }[]> {
  const { rows } = await db.pool.query<{ n: number; status_code: number | null }>(
    'SELECT n, status_code FROM developers_webhook_attempts WHERE delivery_id = $1 ORDER BY n',
    [deliveryId],
  );
  return rows;
}

/** The states of the queue's jobs for one delivery. */
async function jobStates(deliveryId: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ state: string }>(
    `SELECT state FROM pgboss.job WHERE name = 'developers.webhook' AND data->>'deliveryId' = $1`,
    [deliveryId],
  );
  return rows.map((row) => row.state);
}

/** Wait until the endpoint's one delivery has succeeded; answers it. */
async function succeeded(endpointId: string): Promise<DeliveryRow> {
  const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
  for (;;) {
    const rows = await deliveriesOf(endpointId);
    expect(rows.length).toBeLessThanOrEqual(1);
    if (rows[0]?.status === 'succeeded') return rows[0];
    if (Date.now() > deadline) {
      throw new Error(`not delivered: ${JSON.stringify(rows)}\n${server.output()}`);
    }
    await sleep(50);
  }
}

/** What the receiver got on the case's path: every POST carries `webhookId` and the stored body. */
function receivedOn(fixture: Fixture, delivery: DeliveryRow): number {
  const arrived = receiver.received.filter((r) => r.path === fixture.path);
  for (const r of arrived) {
    expect(r.headers['webhook-id']).toBe(delivery.id);
    expect(r.body).toBe(delivery.body);
    expect(r.event.type).toBe('payment.succeeded');
  }
  return arrived.length;
}

beforeAll(async () => {
  await receiver.start();
  db = await createTestDatabase();
  const clock = new TestClock();
  const setup = await createTestApp({ database: db, now: clock.now, env: ENV });
  const subject: SecurityTestApp = { ...setup, clock, logs: [] };
  try {
    for (const name of CASES) {
      const payer = await verifiedHolder(subject, '张伟');
      await fund(subject, payer, 1000_00n);
      const shop = await shopOf(subject);
      const path = `/hooks/${name}`;
      const endpointId = await webhookEndpointOf(subject, shop, receiver.url(path), ['payment.succeeded']);
      fixtures.set(name, { shop, payer, endpointId, path });
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
  await receiver.stop();
});

describe('a webhook reaches its endpoint at least once across a SIGKILL at each crash point', () => {
  it(
    '(a) after the event committed, before the delivery was written: delivered once after the restart',
    { timeout: 120_000 },
    async () => {
      const fixture = fixtures.get('a')!;
      const order = await makeOrder(fixture);
      let answer: { status: number; body: string } | undefined;
      await crashAt({
        gate: {
          table: 'developers_webhook_deliveries',
          event: 'INSERT',
          when: `NEW.endpoint_id = '${fixture.endpointId}'`,
        },
        stuck: '%INSERT INTO developers_webhook_deliveries%',
        act: async () => (answer = await pay(fixture, order)),
        reached: async () => answer !== undefined && (await paymentEvent(order.id)) !== null,
        whileDown: async () => {
          expect(await deliveriesOf(fixture.endpointId)).toEqual([]);
          expect(await cursorPast((await paymentEvent(order.id))!.id)).toBe(false);
        },
      });
      expect(answer?.status, answer?.body).toBe(200);
      const delivery = await succeeded(fixture.endpointId);
      expect(delivery.attempts).toBe(1);
      expect(receivedOn(fixture, delivery)).toBe(1);
      await assertBooksBalance(db.pool);
    },
  );

  it(
    '(b) after the delivery was written, before its job was queued: one delivery, delivered once',
    { timeout: 120_000 },
    async () => {
      const fixture = fixtures.get('b')!;
      const order = await makeOrder(fixture);
      let answer: { status: number; body: string } | undefined;
      await crashAt({
        gate: { table: 'pgboss.job', event: 'INSERT', when: `NEW.name = 'developers.webhook'` },
        stuck: '%INSERT INTO pgboss.job%',
        act: async () => (answer = await pay(fixture, order)),
        reached: async () => answer !== undefined && (await deliveriesOf(fixture.endpointId)).length === 1,
        whileDown: async () => {
          const [delivery] = await deliveriesOf(fixture.endpointId);
          expect(delivery).toMatchObject({ status: 'pending', attempts: 0, leased: false });
          expect(await jobStates(delivery!.id)).toEqual([]);
          expect(await cursorPast((await paymentEvent(order.id))!.id)).toBe(false);
        },
      });
      expect(answer?.status, answer?.body).toBe(200);
      const delivery = await succeeded(fixture.endpointId);
      expect(delivery.attempts).toBe(1);
      expect(receivedOn(fixture, delivery)).toBe(1);
      await assertBooksBalance(db.pool);
    },
  );

  it(
    '(c) after the queue handed the job over, before the attempt leased it: the sweep sends it, once',
    { timeout: 120_000 },
    async () => {
      const fixture = fixtures.get('c')!;
      const order = await makeOrder(fixture);
      let answer: { status: number; body: string } | undefined;
      await crashAt({
        gate: {
          table: 'developers_webhook_deliveries',
          event: 'UPDATE',
          when: `NEW.endpoint_id = '${fixture.endpointId}' AND OLD.leased_until IS NULL AND NEW.leased_until IS NOT NULL`,
        },
        stuck: '%SET leased_until%',
        act: async () => (answer = await pay(fixture, order)),
        reached: async () => {
          const event = answer === undefined ? null : await paymentEvent(order.id);
          const [delivery] = await deliveriesOf(fixture.endpointId);
          return (
            event !== null &&
            delivery !== undefined &&
            (await cursorPast(event.id)) &&
            (await jobStates(delivery.id)).includes('active')
          );
        },
        whileDown: async () => {
          const [delivery] = await deliveriesOf(fixture.endpointId);
          expect(delivery).toMatchObject({ status: 'pending', attempts: 0, leased: false });
          // Its job died running (and any the sweep queued meanwhile, stuck at the same lease): the
          // queue would retry them only after their timeout (2 min).
          const states = await jobStates(delivery!.id);
          expect(states.length).toBeGreaterThan(0);
          expect(states.every((state) => state === 'active')).toBe(true);
          expect(receivedOn(fixture, delivery!)).toBe(0);
        },
      });
      expect(answer?.status, answer?.body).toBe(200);
      const delivery = await succeeded(fixture.endpointId);
      expect(delivery.attempts).toBe(1);
      expect(receivedOn(fixture, delivery)).toBe(1);
      await assertBooksBalance(db.pool);
    },
  );

  it(
    '(d) after the receiver got it, before the outcome was recorded: sent again — the same webhook-id and body',
    { timeout: 120_000 },
    async () => {
      const fixture = fixtures.get('d')!;
      const order = await makeOrder(fixture);
      let answer: { status: number; body: string } | undefined;
      await crashAt({
        // recordAttempt's transaction: the attempt row is written, the delivery's update waits.
        gate: {
          table: 'developers_webhook_deliveries',
          event: 'UPDATE',
          when: `NEW.endpoint_id = '${fixture.endpointId}' AND NEW.attempts > OLD.attempts`,
        },
        stuck: '%SET attempts%',
        act: async () => (answer = await pay(fixture, order)),
        reached: async () => {
          const [delivery] = await deliveriesOf(fixture.endpointId);
          const event = await paymentEvent(order.id);
          return (
            delivery !== undefined &&
            event !== null &&
            (await cursorPast(event.id)) &&
            receiver.received.some((r) => r.path === fixture.path)
          );
        },
        whileDown: async () => {
          const [delivery] = await deliveriesOf(fixture.endpointId);
          expect(delivery).toMatchObject({ status: 'pending', attempts: 0, leased: true });
          expect(await attemptsOf(delivery!.id)).toEqual([]);
          expect(receivedOn(fixture, delivery!)).toBe(1);
        },
      });
      expect(answer?.status, answer?.body).toBe(200);
      const delivery = await succeeded(fixture.endpointId);
      // Twice in all, identical but for the timestamp and signature; one attempt on record (the
      // first one's outcome was lost with the process).
      expect(receivedOn(fixture, delivery)).toBe(2);
      expect(await attemptsOf(delivery.id)).toEqual([{ n: 1, status_code: 200 }]);
      await assertBooksBalance(db.pool);
    },
  );

  it(
    '(e) after the success was recorded: not sent again, by the sweep or by the dead job’s retry',
    { timeout: 120_000 },
    async () => {
      const fixture = fixtures.get('e')!;
      const order = await makeOrder(fixture);
      let answer: { status: number; body: string } | undefined;
      await crashAt({
        // After recordAttempt committed: the endpoint's failing streak is kept next.
        gate: {
          table: 'developers_webhook_endpoints',
          event: 'UPDATE',
          when: `NEW.id = '${fixture.endpointId}'`,
        },
        stuck: '%UPDATE developers_webhook_endpoints%',
        act: async () => (answer = await pay(fixture, order)),
        reached: async () => (await deliveriesOf(fixture.endpointId))[0]?.status === 'succeeded',
        whileDown: async () => {
          const [delivery] = await deliveriesOf(fixture.endpointId);
          expect(delivery).toMatchObject({ status: 'succeeded', attempts: 1, leased: false });
          expect(receivedOn(fixture, delivery!)).toBe(1);
          expect(await jobStates(delivery!.id)).toContain('active');
        },
      });
      expect(answer?.status, answer?.body).toBe(200);
      const { rows: since } = await db.pool.query<{ now: Date }>('SELECT now()');
      // The new server's sweep runs every 2 s: let it run a few times past the lease.
      const deadline = Date.now() + DELIVERY_TIMEOUT_MS;
      for (;;) {
        const { rows } = await db.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pgboss.job
            WHERE name = 'developers.webhook-sweep' AND state = 'completed' AND completed_on > $1`,
          [since[0]!.now],
        );
        if (rows[0]!.n >= 4) break;
        if (Date.now() > deadline) throw new Error(`the sweep did not run\n${server.output()}`);
        await sleep(200);
      }
      // The dead process's job is retried by the queue after its timeout (2 min): the same job,
      // sent now, finds the delivery done and sends nothing.
      const delivery = (await deliveriesOf(fixture.endpointId))[0]!;
      const jobs = new Jobs({ pool: db.pool, log: { info() {}, warn() {}, error() {} } });
      jobs.register(
        defineJob({ name: 'developers.webhook', schedule: null, handler: () => Promise.resolve(null) }),
      );
      const jobId = await jobs.send('developers.webhook', { deliveryId: delivery.id });
      for (;;) {
        const { rows } = await db.pool.query<{ state: string; output: { result: unknown } | null }>(
          'SELECT state, output FROM pgboss.job WHERE id = $1',
          [jobId],
        );
        if (rows[0]?.state === 'completed') {
          expect(rows[0].output?.result).toEqual({ status: 'succeeded', attempts: 1 });
          break;
        }
        if (Date.now() > deadline) throw new Error(`the job did not run: ${JSON.stringify(rows)}`);
        await sleep(100);
      }
      expect(await deliveriesOf(fixture.endpointId)).toMatchObject([{ status: 'succeeded', attempts: 1 }]);
      expect(receivedOn(fixture, delivery)).toBe(1);
      await assertBooksBalance(db.pool);
    },
  );
});
