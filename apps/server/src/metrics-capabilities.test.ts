/**
 * Every capability's metrics move when a request of its kind is served (issue 16): payments at
 * the pipeline, sign-ins and error codes, the backlogs and freezes read at each scrape, the
 * database ping, job lag, outbox lag and relays, webhook attempts, risk decisions, the books'
 * check. Read through GET /metrics, as Prometheus reads them.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD, loginWithPassword, registerHolder } from './modules/identity/testing.ts';
import { paidOrderOf, shopOf } from './modules/merchants/testing.ts';
import { signedInOperator } from './modules/operator/testing.ts';
import { createSecurityTestApp, holderWithPin } from './modules/security/testing.ts';
import type { SecurityTestApp } from './modules/security/testing.ts';
import { PIN, cny, fund, send } from './modules/transfers/testing.ts';

let subject: SecurityTestApp;
beforeAll(async () => {
  subject = await createSecurityTestApp({ WEBHOOK_TIMEOUT_MS: '1000' });
});
afterAll(async () => subject.close());

/** The samples of one metric whose labels include `labels`, summed; 0 when there is none. */
async function sample(name: string, labels: Record<string, string> = {}): Promise<number> {
  const response = await subject.app.inject({ method: 'GET', url: '/metrics' });
  expect(response.statusCode).toBe(200);
  return samplesOf(response.body, name, labels).reduce((sum, value) => sum + value, 0);
}

/** Whether a metric has a sample with these labels at all (a gauge may be 0). */
async function present(name: string, labels: Record<string, string>): Promise<boolean> {
  const response = await subject.app.inject({ method: 'GET', url: '/metrics' });
  return samplesOf(response.body, name, labels).length > 0;
}

function samplesOf(text: string, name: string, labels: Record<string, string>): number[] {
  const values: number[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = new Map(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    if (Object.entries(labels).every(([key, value]) => found.get(key) === value))
      values.push(Number(match[3]));
  }
  return values;
}

describe('the books', () => {
  it("the books' check from the console sets its verdict and time", async () => {
    const operator = await signedInOperator(subject, 'admin');
    const verified = await subject.app.inject({
      method: 'POST',
      url: '/v1/operator/ledger/verify',
      headers: operator.headers,
      payload: {},
    });
    expect(verified.statusCode, verified.body).toBe(200);
    expect(await sample('qianbao_books_verify_ok')).toBe(1);
    expect(await sample('qianbao_books_verify_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 60);
  });
});

describe('payments, counted once at the pipeline', () => {
  it('a transfer is authorized and moved; a wrong PIN is counted by its code; risk judged both', async () => {
    const payer = await holderWithPin(subject, PIN);
    const payee = await registerHolder(subject.app);
    await fund(subject, payer, 100_00n);
    const authorized = { kind: 'transfer', outcome: 'authorized' };
    const moved = { kind: 'transfer', outcome: 'ok' };
    const before = {
      authorized: await sample('qianbao_payment_authorizations_total', authorized),
      moved: await sample('qianbao_payment_movements_total', moved),
      judged: await sample('qianbao_risk_decision_seconds_count', { subject: 'payment' }),
    };

    const paid = await send(subject, payer, {
      toPhone: payee.phone,
      amount: cny('100'),
      confirmation: { pin: PIN },
    });
    expect(paid.statusCode, paid.body).toBe(201);
    expect(await sample('qianbao_payment_authorizations_total', authorized)).toBe(before.authorized + 1);
    expect(await sample('qianbao_payment_movements_total', moved)).toBe(before.moved + 1);

    const wrong = await send(subject, payer, {
      toPhone: payee.phone,
      amount: cny('100'),
      confirmation: { pin: '000000' },
    });
    const code = wrong.json<{ error: { code: string } }>().error.code;
    expect(wrong.statusCode).toBeGreaterThanOrEqual(400);
    expect(await sample('qianbao_payment_authorizations_total', { kind: 'transfer', outcome: code })).toBe(1);
    // The refused one never reached the ledger.
    expect(await sample('qianbao_payment_movements_total', moved)).toBe(before.moved + 1);
    expect(
      await sample('qianbao_risk_decision_seconds_count', { subject: 'payment' }),
    ).toBeGreaterThanOrEqual(before.judged + 2);
    expect(await sample('qianbao_http_errors_total', { code })).toBeGreaterThanOrEqual(1);
  });
});

describe('what an operator watches', () => {
  it('sign-ins by outcome: ok, a wrong password, and its code among the error answers', async () => {
    const holder = await registerHolder(subject.app);
    const ok = { method: 'password', outcome: 'ok' };
    const refused = { method: 'password', outcome: 'INVALID_CREDENTIALS' };
    const before = {
      ok: await sample('qianbao_sign_ins_total', ok),
      refused: await sample('qianbao_sign_ins_total', refused),
    };
    const signedIn = await loginWithPassword(subject.app, {
      phone: holder.phone,
      password: TEST_PASSWORD,
      deviceId: holder.deviceId,
    });
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    const wrong = await loginWithPassword(subject.app, {
      phone: holder.phone,
      password: 'Not-The-Password-1',
      deviceId: holder.deviceId,
    });
    expect(wrong.statusCode).toBe(401);
    expect(await sample('qianbao_sign_ins_total', ok)).toBe(before.ok + 1);
    expect(await sample('qianbao_sign_ins_total', refused)).toBe(before.refused + 1);
    expect(await sample('qianbao_http_errors_total', { code: 'INVALID_CREDENTIALS' })).toBeGreaterThanOrEqual(
      1,
    );
  });

  it('passkey sign-ins, of holders and of operators, are counted by outcome too', async () => {
    for (const [url, method] of [
      ['/v1/auth/passkey/login', 'passkey'],
      ['/v1/operator/passkey/login', 'operator_passkey'],
    ] as const) {
      const refused = { method, outcome: 'VALIDATION_FAILED' };
      const before = await sample('qianbao_sign_ins_total', refused);
      const answer = await subject.app.inject({ method: 'POST', url, payload: {} });
      expect(answer.statusCode, answer.body).toBe(400);
      expect(await sample('qianbao_sign_ins_total', refused)).toBe(before + 1);
    }
  });

  it('freezes, backlogs and the database, read at each scrape', async () => {
    const holder = await registerHolder(subject.app);
    const before = await sample('qianbao_frozen_wallets', { mode: 'full' });
    const frozen = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/freeze',
      headers: holder.headers,
      payload: { mode: 'full' },
    });
    expect(frozen.statusCode, frozen.body).toBe(200);
    expect(await sample('qianbao_frozen_wallets', { mode: 'full' })).toBe(before + 1);
    for (const queue of ['kyc_reviews', 'risk_cases', 'tickets', 'disputes', 'merchant_reviews']) {
      expect(await present('qianbao_backlog_items', { queue }), queue).toBe(true);
    }
    expect(await sample('qianbao_database_up')).toBe(1);
  });

  it('a ticket opened is one more in the tickets backlog', async () => {
    const holder = await registerHolder(subject.app);
    const before = await sample('qianbao_backlog_items', { queue: 'tickets' });
    const opened = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/support/tickets',
      headers: { ...holder.headers, 'idempotency-key': randomUUID() },
      payload: { topic: 'other', text: 'Where is my top-up?' },
    });
    expect(opened.statusCode, opened.body).toBe(201);
    expect(await sample('qianbao_backlog_items', { queue: 'tickets' })).toBe(before + 1);
  });
});

describe('webhooks', () => {
  let receiver: Server;
  let status = 200;
  let url = '';
  beforeAll(async () => {
    receiver = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(status).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  });
  afterAll(async () => {
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it('attempts by what answered and what became of the delivery', async () => {
    const shop = await shopOf(subject);
    const made = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/merchant/webhook-endpoints',
      headers: shop.owner.headers,
      payload: { url, events: ['payment.succeeded'] },
    });
    expect(made.statusCode, made.body).toBe(201);
    const endpointId = made.json<{ id: string }>().id;
    /** One paid order's delivery, attempted once while the receiver answers `answer`. */
    const attemptOne = async (answer: number) => {
      await paidOrderOf(subject, shop.owner, '1000');
      await subject.app.outbox.deliverPending();
      const list = await subject.app.inject({
        method: 'GET',
        url: `/v1/me/merchant/webhook-endpoints/${endpointId}/deliveries`,
        headers: shop.owner.headers,
      });
      const deliveries = list.json<{ deliveries: { id: string; attempts: number }[] }>().deliveries;
      const fresh = deliveries.find((delivery) => delivery.attempts === 0);
      expect(fresh).toBeDefined();
      status = answer;
      await subject.app.services.webhooks.attempt(fresh!.id, 'auto');
    };
    const failed = { outcome: 'http_5xx', delivery: 'retrying' };
    const succeeded = { outcome: 'succeeded', delivery: 'succeeded' };
    const before = {
      failed: await sample('qianbao_webhook_attempts_total', failed),
      succeeded: await sample('qianbao_webhook_attempts_total', succeeded),
      timed: await sample('qianbao_webhook_attempt_duration_seconds_count'),
    };
    await attemptOne(503);
    expect(await sample('qianbao_webhook_attempts_total', failed)).toBe(before.failed + 1);
    await attemptOne(200);
    expect(await sample('qianbao_webhook_attempts_total', succeeded)).toBe(before.succeeded + 1);
    expect(await sample('qianbao_webhook_attempt_duration_seconds_count')).toBe(before.timed + 2);
  });
});

describe('jobs and the outbox', () => {
  it("the outbox's lag is the age of the oldest event a subscriber has not handled, then 0", async () => {
    const payer = await holderWithPin(subject, PIN);
    const payee = await registerHolder(subject.app);
    await fund(subject, payer, 10_00n);
    await subject.app.outbox.deliverPending();
    expect(await sample('qianbao_outbox_lag_seconds', { subscriber: 'notifications.inbox' })).toBe(0);
    const paid = await send(subject, payer, {
      toPhone: payee.phone,
      amount: cny('100'),
      confirmation: { pin: PIN },
    });
    expect(paid.statusCode, paid.body).toBe(201);
    // The test clock stands still while the database's does not: the event is seconds "old" at most.
    await expect
      .poll(() => sample('qianbao_outbox_lag_seconds', { subscriber: 'notifications.inbox' }))
      .not.toBe(0);
    await subject.app.outbox.deliverPending();
    expect(await sample('qianbao_outbox_lag_seconds', { subscriber: 'notifications.inbox' })).toBe(0);
  });

  it('a queued run: its lag observed; dispatch runs through the queue count the events they relay', async () => {
    await subject.app.jobs.start({ cronCheckSeconds: 1, cronSendSeconds: 1, maintenanceSeconds: 60 });
    const lagBefore = await sample('qianbao_job_lag_seconds_count', { job: 'outbox.sweep' });
    await subject.app.jobs.send('outbox.sweep', {}, { promptly: true });
    await expect
      .poll(() => sample('qianbao_job_lag_seconds_count', { job: 'outbox.sweep' }), { timeout: 20_000 })
      .toBeGreaterThan(lagBefore);

    const payer = await holderWithPin(subject, PIN);
    const payee = await registerHolder(subject.app);
    await fund(subject, payer, 10_00n);
    const relayed = await sample('qianbao_outbox_relayed_total', { subscriber: 'notifications.inbox' });
    const paid = await send(
      subject,
      payer,
      { toPhone: payee.phone, amount: cny('100'), confirmation: { pin: PIN } },
      randomUUID(),
    );
    expect(paid.statusCode, paid.body).toBe(201);
    await expect
      .poll(() => sample('qianbao_outbox_relayed_total', { subscriber: 'notifications.inbox' }), {
        timeout: 20_000,
      })
      .toBeGreaterThan(relayed);
  });
});
