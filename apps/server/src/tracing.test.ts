/**
 * Tracing end to end (docs/observability.md#tracing): a local HTTP server stands in for an OTLP
 * collector; one payment through a server whose ledger runs on its thread, as in production,
 * must arrive as request → pipeline steps → ledger call → database, and the ledger batch as a
 * trace of its own linked to that ledger call, with its statements as children.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { verifyLedger } from '@qianbao/ledger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/database.ts';
import type { TestDatabase } from '../../../test/support/database.ts';
import { buildApp } from './app.ts';
import type { App } from './app.ts';
import { ThreadedLedger } from './ledger-thread/index.ts';
import { Metrics } from './metrics.ts';
import { TestClock, registerHolder } from './modules/identity/testing.ts';
import { holderWithPin } from './modules/security/testing.ts';
import type { SecurityTestApp } from './modules/security/testing.ts';
import { PIN, cny, fund } from './modules/transfers/testing.ts';
import { testConfig } from './testing.ts';
import { flushTracing, startTracing, stopTracing, tracingEnabled } from './tracing.ts';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  links?: { traceId: string; spanId: string }[];
  attributes?: { key: string; value: Record<string, unknown> }[];
}

interface OtlpRequest {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: OtlpSpan[] }[];
  }[];
}

const SERVER = 2;
const CLIENT = 3;

let collector: Server;
const received: OtlpRequest[] = [];
const paths: string[] = [];
let database: TestDatabase;
let ledger: ThreadedLedger;
let app: App;
const clock = new TestClock();

beforeAll(async () => {
  collector = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      paths.push(`${request.method} ${request.url} ${request.headers['content-type']}`);
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpRequest);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  expect(startTracing({ endpoint, serviceName: 'qianbao-test', sampleRatio: 1 })).toBe(true);

  database = await createTestDatabase();
  const metrics = new Metrics();
  ledger = await ThreadedLedger.open({
    pool: database.pool,
    connectionString: database.url,
    onBatch: metrics.observeLedgerBatch,
  });
  app = await buildApp({
    config: testConfig({ LOG_LEVEL: 'silent', SESSION_IDLE_SECONDS: '86400' }),
    pool: database.pool,
    ledger,
    metrics,
    now: clock.now,
  });
});

afterAll(async () => {
  await app?.drain();
  await ledger?.close();
  await stopTracing();
  // The payment moved money: the books must balance after it.
  const report = await verifyLedger(database.pool);
  expect(report.problems).toEqual([]);
  await database?.drop();
  collector.closeAllConnections();
  await new Promise<void>((resolve) => collector.close(() => resolve()));
});

function spans(): OtlpSpan[] {
  return received.flatMap((request) =>
    request.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans)),
  );
}

function attribute(span: OtlpSpan, key: string): unknown {
  const value = span.attributes?.find((a) => a.key === key)?.value;
  return value ? Object.values(value)[0] : undefined;
}

describe('a payment traced', () => {
  it('request → pipeline steps → ledger call → database; the batch linked to the ledger call', async () => {
    expect(tracingEnabled()).toBe(true);
    // The helpers want a SecurityTestApp; only its app and ledger are used.
    const subject = { app, ledger, clock } as unknown as SecurityTestApp;
    const payer = await holderWithPin(subject, PIN);
    const payee = await registerHolder(app);
    await fund(subject, payer, 100_00n);
    // The caller's trace context is continued (W3C traceparent).
    const callerTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const paid = await app.inject({
      method: 'POST',
      url: '/v1/me/transfers',
      headers: {
        ...payer.headers,
        'idempotency-key': randomUUID(),
        traceparent: `00-${callerTraceId}-00f067aa0ba902b7-01`,
      },
      payload: { toPhone: payee.phone, amount: cny('100'), confirmation: { pin: PIN } },
    });
    expect(paid.statusCode, paid.body).toBe(201);

    // The batch's report follows its results within a turn; the processor exports on flush.
    const find = () => {
      const all = spans();
      const request = all.find((s) => s.name === 'POST /v1/me/transfers' && s.traceId === callerTraceId);
      const call =
        request && all.find((s) => s.name === 'ledger.createTransfers' && s.traceId === request.traceId);
      const batch =
        call && all.find((s) => s.name === 'ledger.batch' && s.links?.some((l) => l.spanId === call.spanId));
      return { all, request, call, batch };
    };
    await expect
      .poll(async () => {
        await flushTracing();
        return find().batch !== undefined;
      })
      .toBe(true);
    const { all, request, call, batch } = find();
    const byId = new Map(all.map((s) => [s.spanId, s]));
    const parentOf = (span: OtlpSpan) => (span.parentSpanId ? byId.get(span.parentSpanId) : undefined);
    const inTrace = all.filter((s) => s.traceId === callerTraceId);

    // The request: a server span under the caller's span, with its route and status.
    expect(request!.kind).toBe(SERVER);
    expect(request!.parentSpanId).toBe('00f067aa0ba902b7');
    expect(attribute(request!, 'http.route')).toBe('/v1/me/transfers');
    expect(Number(attribute(request!, 'http.response.status_code'))).toBe(201);

    // The pipeline: authorize (with its steps) and the ledger step, children of the request.
    const authorize = inTrace.find((s) => s.name === 'payment.authorize')!;
    expect(parentOf(authorize)).toBe(request);
    expect(attribute(authorize, 'qianbao.payment.kind')).toBe('transfer');
    expect(attribute(authorize, 'qianbao.payment.outcome')).toBe('authorized');
    for (const step of ['payment.limits', 'payment.risk', 'payment.factor']) {
      const found = inTrace.find((s) => s.name === step);
      expect(found, step).toBeDefined();
      expect(parentOf(found!), step).toBe(authorize);
    }
    const ledgerStep = inTrace.find((s) => s.name === 'payment.ledger')!;
    expect(parentOf(ledgerStep)).toBe(request);
    expect(attribute(ledgerStep, 'qianbao.ledger.result')).toBe('ok');
    // The ledger call is the ledger step's child, a client span (the ledger thread serves it).
    expect(parentOf(call!)).toBe(ledgerStep);
    expect(call!.kind).toBe(CLIENT);
    // The database: statements made for the request are its descendants, named by operation only.
    const statements = inTrace.filter((s) => s.name.startsWith('pg '));
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(statement.kind).toBe(CLIENT);
      expect(attribute(statement, 'db.system.name')).toBe('postgresql');
      expect(JSON.stringify(statement.attributes)).not.toContain(payer.phone);
    }

    // The batch: a trace of its own, linked to the call, its statements as children.
    expect(batch!.traceId).not.toBe(callerTraceId);
    expect(batch!.parentSpanId ?? '').toBe('');
    expect(batch!.links!.find((l) => l.spanId === call!.spanId)!.traceId).toBe(callerTraceId);
    expect(Number(attribute(batch!, 'qianbao.ledger.transfers'))).toBeGreaterThanOrEqual(1);
    const batchStatements = all.filter((s) => s.parentSpanId === batch!.spanId);
    expect(batchStatements.map((s) => s.name)).toContain('pg BEGIN');

    // Exported as OTLP/HTTP JSON to <endpoint>/v1/traces, named as configured.
    expect(paths[0]).toMatch(/^POST \/v1\/traces application\/json/);
    const service = received[0]!.resourceSpans[0]!.resource.attributes.find((a) => a.key === 'service.name');
    expect(service?.value.stringValue).toBe('qianbao-test');
  });
});
