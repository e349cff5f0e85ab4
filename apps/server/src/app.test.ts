import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_HEADERS, createTestApp } from './testing.ts';
import type { TestApp } from './testing.ts';

describe('HTTP skeleton', () => {
  let subject: TestApp;
  beforeAll(async () => {
    subject = await createTestApp();
  });
  afterAll(async () => {
    await subject.close();
  });

  it('answers liveness and readiness', async () => {
    const health = await subject.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const ready = await subject.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
  });

  it('gives every response a request id, keeping a well-formed incoming one', async () => {
    const generated = await subject.app.inject({ method: 'GET', url: '/healthz' });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await subject.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'lb-1234' },
    });
    expect(kept.headers['x-request-id']).toBe('lb-1234');
    const replaced = await subject.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'bad id\twith spaces' },
    });
    expect(replaced.headers['x-request-id']).not.toBe('bad id\twith spaces');
  });

  it('serves an OpenAPI 3.1 document listing the ledger routes', async () => {
    const response = await subject.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json<{
      openapi: string;
      paths: Record<string, Record<string, { security?: unknown; description?: string }>>;
      components: { securitySchemes: Record<string, unknown> };
    }>();
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/healthz',
        '/readyz',
        '/v1/ledger/accounts',
        '/v1/ledger/accounts/{id}',
        '/v1/ledger/accounts/{id}/balance',
        '/v1/ledger/accounts/{id}/transfers',
        '/v1/ledger/transfers',
        '/v1/ledger/transfers/{id}',
      ]),
    );
    expect(document.paths['/openapi.json']).toBeUndefined();
    expect(document.paths['/v1/ledger/transfers']!.post!.security).toEqual([{ adminToken: [] }]);
    expect(document.paths['/v1/ledger/transfers']!.post!.description).toContain('idempotency key');
    expect(document.components.securitySchemes.adminToken).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('serves interactive docs at /docs', async () => {
    const response = await subject.app.inject({ method: 'GET', url: '/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body).toContain('swagger');
  });

  it('exposes Prometheus metrics of HTTP and the ledger', async () => {
    await subject.app.inject({ method: 'GET', url: '/healthz' });
    const response = await subject.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    for (const name of [
      'qianbao_http_requests_total',
      'qianbao_http_request_duration_seconds',
      'qianbao_ledger_batches_total',
      'qianbao_ledger_transfers_total',
      'qianbao_ledger_batch_size',
      'qianbao_ledger_queue_depth',
      'process_cpu_user_seconds_total',
    ]) {
      expect(response.body).toContain(`# TYPE ${name} `);
    }
    expect(response.body).toContain(
      'qianbao_http_requests_total{method="GET",route="/healthz",status="200"}',
    );
  });

  it('answers unknown routes with 404 in the error shape, labelled as unmatched in metrics', async () => {
    const response = await subject.app.inject({ method: 'GET', url: '/no/such/route?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'No route GET /no/such/route.', details: {} },
    });
    const metrics = await subject.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('route="unmatched",status="404"');
    expect(metrics.body).not.toContain('/no/such/route');
  });

  it('names each invalid field in a 400 VALIDATION_FAILED', async () => {
    const response = await subject.app.inject({
      method: 'POST',
      url: '/v1/ledger/transfers',
      headers: ADMIN_HEADERS,
      payload: {
        transfers: [
          { id: 'not-a-uuid', amount: 12.5, code: 1 },
          { id: '0192f0c4-8f3a-7b2c-9d1e-0242ac120002', amount: '-3', code: 0, ammount: '1' },
        ],
      },
    });
    expect(response.statusCode).toBe(400);
    const body = response.json<{
      error: { code: string; details: { fields: { in: string; path: string }[] } };
    }>();
    expect(body.error.code).toBe('VALIDATION_FAILED');
    const paths = body.error.details.fields.map((field) => `${field.in}:${field.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'body:transfers.0.id',
        'body:transfers.0.amount',
        'body:transfers.1.amount',
        'body:transfers.1.code',
        'body:transfers.1',
      ]),
    );
  });

  it('names invalid query and path parameters', async () => {
    const response = await subject.app.inject({
      method: 'GET',
      url: '/v1/ledger/accounts/0192f0c4-8f3a-7b2c-9d1e-0242ac120002/transfers?limit=500',
      headers: ADMIN_HEADERS,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: { fields: [{ in: 'querystring', path: 'limit' }] } },
    });
    const badId = await subject.app.inject({
      method: 'GET',
      url: '/v1/ledger/transfers/0192F0C4-8F3A-7B2C-9D1E-0242AC120002',
      headers: ADMIN_HEADERS,
    });
    expect(badId.json()).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: { fields: [{ in: 'params', path: 'id' }] } },
    });
  });

  it('refuses unreadable, oversized and non-JSON bodies in the error shape', async () => {
    const malformed = await subject.app.inject({
      method: 'POST',
      url: '/v1/ledger/transfers',
      headers: { ...ADMIN_HEADERS, 'content-type': 'application/json' },
      payload: '{"transfers": [',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ error: { code: 'BAD_REQUEST' } });

    const oversized = await subject.app.inject({
      method: 'POST',
      url: '/v1/ledger/transfers',
      headers: { ...ADMIN_HEADERS, 'content-type': 'application/json' },
      payload: JSON.stringify({ transfers: [{ userData: 'x'.repeat(300 * 1024) }] }),
    });
    expect(oversized.statusCode).toBe(413);
    expect(oversized.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });

    const text = await subject.app.inject({
      method: 'POST',
      url: '/v1/ledger/transfers',
      headers: { ...ADMIN_HEADERS, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(text.statusCode).toBe(415);
    expect(text.json()).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
  });

  it('requires the admin bearer token on the ledger API', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token' }, { authorization: 'Basic abc' }]) {
      const response = await subject.app.inject({ method: 'GET', url: '/v1/ledger/transfers/x', headers });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.json()).toEqual({
        error: { code: 'UNAUTHORIZED', message: 'Missing or invalid credentials.', details: {} },
      });
    }
  });
});

describe('unexpected errors', () => {
  it('answer 500 INTERNAL with the request id, never the cause', async () => {
    const lines: string[] = [];
    const subject = await createTestApp({ logStream: { write: (line) => lines.push(line) } });
    subject.app.get('/test/broken', () => {
      throw new Error('connection to 10.0.0.5 refused: password authentication failed');
    });
    try {
      const response = await subject.app.inject({ method: 'GET', url: '/test/broken' });
      expect(response.statusCode).toBe(500);
      expect(response.json()).toEqual({
        error: {
          code: 'INTERNAL',
          message: 'Internal error; it has been logged.',
          details: { requestId: response.headers['x-request-id'] },
        },
      });
      expect(response.body).not.toContain('10.0.0.5');
      expect(lines.join('')).toContain('connection to 10.0.0.5 refused');
    } finally {
      await subject.close();
    }
  });
});

describe('logs', () => {
  it('never contain credentials or secret fields', async () => {
    const lines: string[] = [];
    // debug: in sandbox mode the request lines (with their URLs) are debug lines.
    const subject = await createTestApp({
      logStream: { write: (line) => lines.push(line) },
      env: { LOG_LEVEL: 'debug' },
    });
    try {
      await subject.app.inject({
        method: 'GET',
        url: '/v1/ledger/accounts/0192f0c4-8f3a-7b2c-9d1e-0242ac120002?token=query-secret-1&code=654321',
        headers: { ...ADMIN_HEADERS, cookie: 'session=cookie-secret-2' },
      });
      subject.app.log.info({
        user: { password: 'password-secret-3', cardNumber: '6222020000000000004' },
        body: { code: '123456', pin: '888888' },
        token: 'token-secret-4',
      });
    } finally {
      await subject.close();
    }
    const output = lines.join('');
    expect(output).toContain('/v1/ledger/accounts/');
    for (const secret of [
      'test-admin-token',
      'query-secret-1',
      '654321',
      'cookie-secret-2',
      'password-secret-3',
      '6222020000000000004',
      '123456',
      '888888',
      'token-secret-4',
    ]) {
      expect(output).not.toContain(secret);
    }
  });
});

describe('graceful shutdown', () => {
  it('refuses new requests with 503 while admitted ones finish', async () => {
    const subject = await createTestApp();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    subject.app.get('/test/slow', async () => {
      entered();
      await released;
      return { finished: true };
    });
    try {
      const slow = subject.app.inject({ method: 'GET', url: '/test/slow' });
      await inHandler;
      const drained = subject.app.drain();

      const refused = await subject.app.inject({
        method: 'GET',
        url: '/v1/ledger/transfers/0192f0c4-8f3a-7b2c-9d1e-0242ac120002',
        headers: ADMIN_HEADERS,
      });
      expect(refused.statusCode).toBe(503);
      expect(refused.headers.connection).toBe('close');
      expect(refused.headers['x-request-id']).toBeDefined();
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.json()).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE' } });

      const ready = await subject.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({
        error: { code: 'SERVICE_UNAVAILABLE', details: { reason: 'shuttingDown' } },
      });
      const health = await subject.app.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(200);

      release();
      const finished = await slow;
      expect(finished.statusCode).toBe(200);
      expect(finished.json()).toEqual({ finished: true });
      await drained;
    } finally {
      release();
      await subject.close();
    }
  });
});
