import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerErrorHandlers } from './errors.ts';
import { webApp } from './web.ts';

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const INDEX = '<!doctype html><title>app</title>';

async function appServing(distDir: string) {
  const app = Fastify();
  registerErrorHandlers(app);
  app.get('/v1/ping', () => ({ pong: true }));
  await app.register(webApp, { distDir });
  await app.ready();
  return app;
}

describe('the web app served by the API', () => {
  let dist: string;
  let app: Awaited<ReturnType<typeof appServing>>;

  beforeAll(async () => {
    dist = mkdtempSync(path.join(tmpdir(), 'qianbao-web-'));
    mkdirSync(path.join(dist, 'assets'));
    writeFileSync(path.join(dist, 'index.html'), INDEX);
    writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(path.join(dist, 'sw.js'), 'self.x = 1');
    writeFileSync(path.join(dist, '.build-stamp'), 'secret-ish');
    app = await appServing(dist);
  });
  afterAll(async () => {
    await app.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves index.html at / with no-cache and security headers', async () => {
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(INDEX);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['x-frame-options']).toBe('DENY');
  });

  it('caches hashed assets for a year and revalidates the service worker', async () => {
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const worker = await app.inject({ method: 'GET', url: '/sw.js' });
    expect(worker.statusCode).toBe(200);
    expect(worker.headers['cache-control']).toBe('no-cache');
  });

  it("answers the app's own paths with index.html when a browser navigates there", async () => {
    const response = await app.inject({ method: 'GET', url: '/me/security?tab=1', headers: HTML });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(INDEX);
    expect(response.headers['cache-control']).toBe('no-cache');
  });

  it('keeps JSON 404s for API paths, missing files and non-browser clients', async () => {
    for (const url of ['/v1/nope', '/dev/nope', '/docs-x', '/metricsx', '/assets/gone.js']) {
      const response = await app.inject({ method: 'GET', url, headers: HTML });
      expect(response.statusCode, url).toBe(404);
      expect(response.json<{ error: { code: string } }>().error.code, url).toBe('NOT_FOUND');
    }
    const curl = await app.inject({ method: 'GET', url: '/no/such/route' });
    expect(curl.statusCode).toBe(404);
    expect(curl.json<{ error: { code: string } }>().error.code).toBe('NOT_FOUND');
    expect((await app.inject({ method: 'GET', url: '/v1/ping' })).json()).toEqual({ pong: true });
  });

  it('never serves dotfiles or a file outside the build', async () => {
    const dotfile = await app.inject({ method: 'GET', url: '/.build-stamp', headers: HTML });
    expect(dotfile.body).not.toContain('secret-ish');
    for (const url of ['/../package.json', '/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json']) {
      const response = await app.inject({ method: 'GET', url, headers: HTML });
      expect(response.body, url).not.toContain('"name"');
      expect([200, 404], url).toContain(response.statusCode);
    }
  });

  it('says how to build the app when it has not been built, and the API still works', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'qianbao-web-empty-'));
    const bare = await appServing(path.join(empty, 'dist'));
    try {
      const page = await bare.inject({ method: 'GET', url: '/' });
      expect(page.statusCode).toBe(503);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain('node scripts/build-web.mjs');
      expect((await bare.inject({ method: 'GET', url: '/v1/ping' })).json()).toEqual({ pong: true });
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
