/** Test helpers: an app on its own migrated database. Imported by tests only. */
import { Ledger } from '@qianbao/ledger';
import type { LedgerOptions } from '@qianbao/ledger';
import { createTestDatabase } from '../../../test/support/database.ts';
import type { TestDatabase } from '../../../test/support/database.ts';
import { buildApp } from './app.ts';
import type { App } from './app.ts';
import type { LogStream } from './logging.ts';
import { Metrics } from './metrics.ts';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef0123456789';
export const ADMIN_HEADERS = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

export interface TestApp {
  app: App;
  ledger: Ledger;
  database: TestDatabase;
  close(): Promise<void>;
}

export async function createTestApp(
  options: { ledger?: LedgerOptions; logStream?: LogStream } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const metrics = new Metrics();
  const ledger = await Ledger.open(database.pool, {
    expiryIntervalMs: 0,
    onBatch: metrics.observeLedgerBatch,
    ...options.ledger,
  });
  const app = await buildApp({
    config: { adminToken: TEST_ADMIN_TOKEN, logLevel: options.logStream ? 'info' : 'silent' },
    pool: database.pool,
    ledger,
    metrics,
    ...(options.logStream ? { logStream: options.logStream } : {}),
  });
  return {
    app,
    ledger,
    database,
    async close() {
      await app.drain();
      await ledger.close();
      await database.drop();
    },
  };
}
