/**
 * What the crash tests share (review-crash, redpacket-crash, webhook-crash): the servers'
 * settings, one HTTP call with its Idempotency-Key, the ledger's rows counted, the in-flight
 * keys a crash left aged, and `crashAt` with the restart. Each test keeps its own scenarios.
 */
import type pg from 'pg';
import type { TestDatabase } from '../support/database.ts';
import { PUBLIC_ORIGIN } from '../../apps/server/src/modules/security/testing.ts';
import { crashAt } from './crash-gate.ts';
import type { CrashPoint } from './crash-gate.ts';
import { TEST_SECRET_KEY, startServerProcess } from './server-process.ts';
import type { ServerProcess } from './server-process.ts';

/** The crash tests' servers: the test key, cheap hashing, day-long sessions, no bank latency. */
export const CRASH_TEST_ENV: Record<string, string> = {
  QIANBAO_SECRET_KEY: TEST_SECRET_KEY.toString('base64'),
  ARGON2_MEMORY_KIB: '64',
  ARGON2_TIME_COST: '1',
  SESSION_IDLE_SECONDS: '86400',
  SESSION_MAX_AGE_SECONDS: '2592000',
  QIANBAO_PUBLIC_URL: PUBLIC_ORIGIN,
  BANK_SANDBOX_LATENCY_MS: '0',
};

/** One request to the running server: the status and the body as text. */
export async function callServer(
  server: ServerProcess,
  headers: Record<string, string>,
  method: string,
  path: string,
  body?: unknown,
  key?: string,
): Promise<{ status: number; body: string }> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.text() };
}

/** How many ledger transfers match `where` (SQL over ledger_transfers). */
export async function countLedgerTransfers(pool: pg.Pool, where: string, params: unknown[]): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ledger_transfers WHERE ${where}`,
    params,
  );
  return rows[0]!.n;
}

/** The earlier run's key was left in flight by the crash: a minute later a retry takes it over. */
export async function ageInFlightKeys(pool: pg.Pool): Promise<void> {
  await pool.query(
    `UPDATE idempotency_keys SET created_at = created_at - interval '2 minutes' WHERE state = 'in_flight'`,
  );
}

/**
 * SIGKILL the server at `point` (crash-gate.ts), then start the next one on the same port (with
 * `env`, the crash tests' by default).
 */
export async function crashAndRestart(
  db: TestDatabase,
  server: ServerProcess,
  port: number,
  lockKey: number,
  point: CrashPoint,
  env: Record<string, string> = CRASH_TEST_ENV,
): Promise<ServerProcess> {
  await crashAt(db, () => server, lockKey, point);
  return startServerProcess({ databaseUrl: db.url, port, env });
}
