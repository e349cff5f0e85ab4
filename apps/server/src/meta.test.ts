import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCTION_TEST_ENV, createTestApp } from './testing.ts';
import type { TestApp } from './testing.ts';
import packageJson from '../package.json' with { type: 'json' };

describe('GET /v1/meta', () => {
  let sandbox: TestApp;
  let production: TestApp;
  beforeAll(async () => {
    sandbox = await createTestApp();
    production = await createTestApp({ env: PRODUCTION_TEST_ENV, database: sandbox.database });
  });
  afterAll(async () => {
    await production?.close();
    await sandbox?.close();
  });

  it('tells the web app, without a session, whether the server runs its sandbox adapters', async () => {
    const response = await sandbox.app.inject({ method: 'GET', url: '/v1/meta' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      mode: 'sandbox',
      version: packageJson.version,
      publicUrl: 'http://localhost:8080',
      locales: ['zh-CN', 'en'],
    });
  });

  it('says production in production mode, with the configured public URL', async () => {
    const response = await production.app.inject({ method: 'GET', url: '/v1/meta' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ mode: 'production', publicUrl: 'https://wallet.example.com' });
  });

  it('is described in the OpenAPI document', async () => {
    const document = (await sandbox.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, { get?: { responses: Record<string, unknown> } }>;
    }>();
    expect(Object.keys(document.paths['/v1/meta']?.get?.responses ?? {})).toEqual(['200']);
  });
});
