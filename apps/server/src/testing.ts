/** Test helpers: an app on its own migrated database. Imported by tests only. */
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { Ledger, verifyLedger } from '@qianbao/ledger';
import type { LedgerOptions } from '@qianbao/ledger';
import { createTestDatabase } from '../../../test/support/database.ts';
import type { TestDatabase } from '../../../test/support/database.ts';
import type { SmsSender } from './adapters/sms/index.ts';
import { buildApp } from './app.ts';
import type { App } from './app.ts';
import { loadConfig } from './config.ts';
import type { Config } from './config.ts';
import type { LogStream } from './logging.ts';
import { Metrics } from './metrics.ts';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef0123456789';
export const ADMIN_HEADERS = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

/**
 * A configuration read the way the server reads it, from environment variables, with the admin
 * token above and cheap argon2 (the production minimum costs ~50 ms a hash). `env` overrides.
 */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    QIANBAO_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    // Never the developer's ./data/journal-checkpoints.jsonl: `npm start` writes there, and the
    // books of a test database read against another journal's checkpoints look cut back.
    LEDGER_CHECKPOINT_FILE: path.join(tmpdir(), `qianbao-test-checkpoints-${process.pid}-absent.jsonl`),
    ARGON2_MEMORY_KIB: '64',
    ARGON2_TIME_COST: '1',
    ...env,
  });
}

/**
 * What production mode requires beyond `testConfig` (production-checks.ts): for tests of production
 * behaviour. `createTestApp` runs on its own test database whatever `DATABASE_URL` says; the key
 * is a fixed random one (production refuses a patterned key such as 32 equal bytes).
 */
export const PRODUCTION_TEST_ENV: Record<string, string> = {
  QIANBAO_MODE: 'production',
  DATABASE_URL: 'postgres://qianbao@db.invalid:5432/qianbao',
  QIANBAO_PUBLIC_URL: 'https://wallet.example.com',
  QIANBAO_SECRET_KEY: 'q1P8xW0r3mZk6TnV2bYs9cHf4LdJ7gEa5uRo+KiNwQM=',
  QIANBAO_TRUST_PROXY: 'loopback',
  ARGON2_MEMORY_KIB: '19456',
  ARGON2_TIME_COST: '2',
};

export interface TestApp {
  app: App;
  ledger: Ledger;
  database: TestDatabase;
  close(): Promise<void>;
}

export interface TestAppOptions {
  ledger?: LedgerOptions;
  logStream?: LogStream;
  /** Environment variables for `testConfig`, e.g. `{ QIANBAO_MODE: 'production' }`. */
  env?: Record<string, string>;
  /** The modules' clock; a test moves it instead of sleeping. */
  now?: () => Date;
  sms?: SmsSender;
  /** Another app's database, to run two instances on one database; `close` leaves it in place. */
  database?: TestDatabase;
  /** Notification streams re-check their session this often (default 25 s). */
  streamHeartbeatMs?: number;
  /** A "replica" for history reads (DATABASE_REPLICA_URL, ADR 0027). */
  replicaPool?: pg.Pool;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const ownDatabase = options.database === undefined;
  const database = options.database ?? (await createTestDatabase());
  const metrics = new Metrics();
  const ledger = await Ledger.open(database.pool, {
    onBatch: metrics.observeLedgerBatch,
    ...options.ledger,
  });
  const app = await buildApp({
    config: testConfig({ LOG_LEVEL: options.logStream ? 'info' : 'silent', ...options.env }),
    pool: database.pool,
    ledger,
    metrics,
    ...(options.logStream ? { logStream: options.logStream } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.sms ? { sms: options.sms } : {}),
    ...(options.streamHeartbeatMs ? { streamHeartbeatMs: options.streamHeartbeatMs } : {}),
    ...(options.replicaPool ? { replicaPool: options.replicaPool } : {}),
  });
  return {
    app,
    ledger,
    database,
    /** Stops the app; the books must balance after whatever the test did (else this throws). */
    async close() {
      await app.drain();
      await ledger.close();
      try {
        if (ownDatabase) await assertBooksBalance(database);
      } finally {
        if (ownDatabase) await database.drop();
      }
    },
  };
}

/**
 * `qianbao verify` on a test app's own database, at its close: every test that moves money ends
 * with the books checked (chain, counters, trial balance). A database shared with the test is
 * the test's to check.
 */
async function assertBooksBalance(database: TestDatabase): Promise<void> {
  const report = await verifyLedger(database.pool);
  if (!report.ok) {
    throw new Error(`the books do not balance after this test:\n  ${report.problems.join('\n  ')}`);
  }
}
