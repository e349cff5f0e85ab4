/**
 * One request id follows a request everywhere (docs/observability.md#logs): accepted from the
 * caller when it is safe to log (else made), answered in `x-request-id`, on the request's own log
 * lines, on every line a module writes while serving it, on the jobs it queues and on the
 * events it writes — logged again when the job runs and when the event is handed over.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerHolder } from './modules/identity/testing.ts';
import { createSecurityTestApp, holderWithPin } from './modules/security/testing.ts';
import type { SecurityTestApp } from './modules/security/testing.ts';
import { PIN, cny, fund } from './modules/transfers/testing.ts';

interface LogLine {
  msg: string;
  requestId?: string;
  job?: string;
  subscriber?: string;
  type?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let subject: SecurityTestApp;
beforeAll(async () => {
  subject = await createSecurityTestApp(); // LOG_LEVEL=debug: request lines and relays included
  // A module's line through the app's logger (not the request's), as modules write them.
  subject.app.get('/test/module-log', () => {
    subject.app.log.info({ module: 'test' }, 'a module line');
    return { ok: true };
  });
  subject.app.get('/test/queue-a-job', async () => {
    await subject.app.jobs.send('outbox.sweep', {}, { promptly: true });
    return { ok: true };
  });
});
afterAll(async () => subject.close());

function lines(): LogLine[] {
  return subject.logs.map((line) => JSON.parse(line) as LogLine);
}

describe('the request id', () => {
  it('is the caller’s when it is safe to log, else a new one; answered in x-request-id', async () => {
    const kept = await subject.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'lb-7f3a.2:9' },
    });
    expect(kept.headers['x-request-id']).toBe('lb-7f3a.2:9');
    for (const bad of ['has space', 'a'.repeat(129), 'new\nline', '']) {
      const replaced = await subject.app.inject({
        method: 'GET',
        url: '/healthz',
        headers: { 'x-request-id': bad },
      });
      expect(replaced.headers['x-request-id']).toMatch(UUID);
    }
    const made = await subject.app.inject({ method: 'GET', url: '/healthz' });
    expect(made.headers['x-request-id']).toMatch(UUID);
  });

  it('is on the one completed line of the request and on every line a module writes while serving it', async () => {
    const response = await subject.app.inject({
      method: 'GET',
      url: '/test/module-log',
      headers: { 'x-request-id': 'req-module-1' },
    });
    expect(response.statusCode).toBe(200);
    const ours = lines().filter((line) => line.requestId === 'req-module-1');
    expect(ours.map((line) => line.msg)).toEqual(['incoming request', 'a module line', 'request completed']);
    const completed = ours.find((line) => line.msg === 'request completed') as unknown as {
      req?: unknown;
      res: { statusCode: number };
      responseTime: number;
    };
    expect(completed).toMatchObject({ method: 'GET', route: '/test/module-log' });
    expect(completed.res.statusCode).toBe(200);
    expect(completed.responseTime).toBeGreaterThanOrEqual(0);
    // Each key once: the request's own logger has it bound, and the mixin leaves that line alone.
    const raw = subject.logs.find(
      (line) => line.includes('"msg":"request completed"') && line.includes('req-module-1'),
    )!;
    expect(raw.match(/"requestId"/g)).toHaveLength(1);
  });

  it('goes with the events a payment writes and the jobs it queues, and is logged when they are handled', async () => {
    const payer = await holderWithPin(subject, PIN);
    const payee = await registerHolder(subject.app);
    await fund(subject, payer, 10_00n);
    const requestId = 'req-payment-42';
    const paid = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/transfers',
      headers: { ...payer.headers, 'idempotency-key': randomUUID(), 'x-request-id': requestId },
      payload: { toPhone: payee.phone, amount: cny('100'), confirmation: { pin: PIN } },
    });
    expect(paid.statusCode, paid.body).toBe(201);
    expect(paid.headers['x-request-id']).toBe(requestId);
    // The record and its event may be written just after the answer (they follow the ledger batch).
    const typesStored = async () =>
      (
        await subject.database.pool.query<{ type: string }>(
          'SELECT type FROM outbox_events WHERE request_id = $1',
          [requestId],
        )
      ).rows.map((row) => row.type);
    await expect.poll(typesStored).toContain('transfer.succeeded');

    // Relayed: each handing-over is a line under the request's id.
    await subject.app.outbox.deliverPending();
    const relayed = lines().filter(
      (line) => line.msg === 'outbox: event relayed' && line.requestId === requestId,
    );
    expect(relayed.map((line) => line.type)).toContain('transfer.succeeded');

    // A job queued while serving it carries the id; its run logs it (the job queue running here).
    await subject.app.jobs.start({ cronCheckSeconds: 1, cronSendSeconds: 1, maintenanceSeconds: 60 });
    const queued = await subject.app.inject({
      method: 'GET',
      url: '/test/queue-a-job',
      headers: { 'x-request-id': 'req-job-7' },
    });
    expect(queued.statusCode).toBe(200);
    await expect
      .poll(() =>
        lines().filter(
          (line) =>
            line.msg === 'job run for a request' &&
            line.requestId === 'req-job-7' &&
            line.job === 'outbox.sweep',
        ),
      )
      .toHaveLength(1);
  });

  it('stays each request’s own when concurrent transfers share one coalesced statement', async () => {
    const payers = await Promise.all(Array.from({ length: 16 }, () => holderWithPin(subject, PIN)));
    const payee = await registerHolder(subject.app);
    for (const payer of payers) await fund(subject, payer, 10_00n);
    const answers = await Promise.all(
      payers.map((payer, i) =>
        subject.app.inject({
          method: 'POST',
          url: '/v1/me/transfers',
          headers: {
            ...payer.headers,
            'idempotency-key': randomUUID(),
            'x-request-id': `req-concurrent-${i}`,
          },
          payload: { toPhone: payee.phone, amount: cny('100'), confirmation: { pin: PIN } },
        }),
      ),
    );
    expect(answers.map((answer) => answer.statusCode)).toEqual(payers.map(() => 201));
    const eventsOf = async () =>
      (
        await subject.database.pool.query<{ request_id: string; payer: string }>(
          `SELECT request_id, payload->>'payerUserId' AS payer FROM outbox_events
            WHERE type = 'transfer.succeeded' AND request_id LIKE 'req-concurrent-%' ORDER BY request_id`,
        )
      ).rows;
    await expect.poll(async () => (await eventsOf()).length).toBe(payers.length);
    const expected = payers.map((payer, i) => ({ request_id: `req-concurrent-${i}`, payer: payer.userId }));
    const byRequest = (rows: { request_id: string; payer: string }[]) =>
      [...rows].sort((a, b) => a.request_id.localeCompare(b.request_id));
    expect(byRequest(await eventsOf())).toEqual(byRequest(expected));
  });
});
