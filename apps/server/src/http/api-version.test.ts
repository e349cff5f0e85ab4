/**
 * The dated API version (docs/api/versioning.md): what a `Qianbao-Version` header asks for, and
 * every answer — success, refusal, unknown route — naming the version it is in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../testing.ts';
import type { TestApp } from '../testing.ts';
import { API_VERSIONS, LATEST_API_VERSION, decideApiVersion } from './api-version.ts';
import type { ApiVersion } from './api-version.ts';

describe('decideApiVersion', () => {
  it('answers the newest without a header, and a known date as asked', () => {
    expect(decideApiVersion(undefined)).toEqual({ ok: true, version: LATEST_API_VERSION });
    expect(decideApiVersion('')).toEqual({ ok: true, version: LATEST_API_VERSION });
    expect(decideApiVersion(' 2026-12-07 ')).toEqual({ ok: true, version: '2026-12-07' });
    // With an older version still kept, asking for it gets it, not the newest.
    const known = ['2026-12-07', '2027-03-01'] as unknown as readonly ApiVersion[];
    expect(decideApiVersion('2026-12-07', known)).toEqual({ ok: true, version: '2026-12-07' });
    expect(decideApiVersion(undefined, known)).toEqual({ ok: true, version: '2027-03-01' });
  });

  it('refuses another date, anything but a date, and the header twice, naming the known versions', () => {
    for (const given of [
      '2026-12-08',
      '2026-13-45',
      '20261207',
      'latest',
      '2026-12-07T00:00:00Z',
      '2026-12-07\u0000',
    ]) {
      expect(decideApiVersion(given), given).toEqual({ ok: false, given: given.trim(), known: API_VERSIONS });
    }
    expect(decideApiVersion(['2026-12-07', '2026-12-07'])).toMatchObject({ ok: false });
    const long = decideApiVersion('9'.repeat(10_000));
    expect(long.ok).toBe(false);
    expect(!long.ok && long.given.length).toBe(32);
  });
});

describe('the Qianbao-Version header over HTTP', () => {
  let subject: TestApp;
  beforeAll(async () => {
    subject = await createTestApp();
  });
  afterAll(async () => subject?.close());

  it('is on every answer: the version asked for, or the newest', async () => {
    const plain = await subject.app.inject({ method: 'GET', url: '/v1/meta' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['qianbao-version']).toBe(LATEST_API_VERSION);
    const asked = await subject.app.inject({
      method: 'GET',
      url: '/v1/meta',
      headers: { 'qianbao-version': '2026-12-07' },
    });
    expect(asked.headers['qianbao-version']).toBe('2026-12-07');
    // Refusals and unknown routes too.
    const refused = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/merchant/orders',
      headers: { 'qianbao-version': '2026-12-07' },
    });
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['qianbao-version']).toBe('2026-12-07');
    const nowhere = await subject.app.inject({ method: 'GET', url: '/v1/no-such-route' });
    expect(nowhere.statusCode).toBe(404);
    expect(nowhere.headers['qianbao-version']).toBe(LATEST_API_VERSION);
  });

  it('refuses an unknown version with 400 API_VERSION_UNKNOWN before anything else is read', async () => {
    for (const url of ['/v1/meta', '/v1/me/merchant/orders', '/v1/no-such-route']) {
      const response = await subject.app.inject({
        method: 'POST',
        url,
        headers: { 'qianbao-version': '2025-01-01', 'content-type': 'application/json' },
        payload: '{not json',
      });
      expect(response.statusCode, url).toBe(400);
      expect(response.headers['qianbao-version'], url).toBe(LATEST_API_VERSION);
      expect(response.json(), url).toEqual({
        error: {
          code: 'API_VERSION_UNKNOWN',
          message: expect.stringContaining('Qianbao-Version') as unknown,
          details: { given: '2025-01-01', known: [...API_VERSIONS] },
        },
      });
    }
  });
});
