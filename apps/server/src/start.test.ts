import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/database.ts';
import type { TestDatabase } from '../../../test/support/database.ts';
import { loadConfig } from './config.ts';
import { startServer } from './start.ts';

describe('startServer', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('listens, serves real HTTP, prints where, and shuts down gracefully', async () => {
    const lines: string[] = [];
    const config = loadConfig({ DATABASE_URL: database.url, PORT: '0', LOG_LEVEL: 'silent' });
    const server = await startServer(config, { print: (line) => lines.push(line) });
    try {
      // Shown as localhost: browsers refuse passkeys on an IP address.
      expect(server.url).toMatch(/^http:\/\/localhost:\d+$/);
      expect(lines[0]).toBe(
        `Qianbao is running at ${server.url}  (API docs: ${server.url}/docs; data: PostgreSQL at 127.0.0.1:${new URL(database.url).port}${new URL(database.url).pathname})`,
      );
      // The generated token is printed once, on its own line, to be copied.
      expect(lines).toContain(`  ${config.adminToken}`);

      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      const account = randomUUID();
      const created = await fetch(`${server.url}/v1/ledger/accounts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${config.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify([{ id: account, currency: 'CNY', code: 1 }]),
      });
      expect(await created.json()).toEqual({ results: [{ id: account, result: 'ok' }] });
    } finally {
      await server.shutdown();
    }
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
