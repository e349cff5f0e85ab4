import type pg from 'pg';
import { migrate } from '@qianbao/db';
import type { Migration } from '@qianbao/db';
import { IDEMPOTENCY_JOBS, idempotencyMigrations } from './idempotency.ts';
import { migrateJobs } from './jobs/index.ts';
import { LEDGER_JOBS } from './ledger-expiry.ts';
import { MODULES } from './modules/catalog.ts';
import { OUTBOX_JOBS, outboxMigrations } from './outbox/index.ts';
import { intentMigrations } from './payments/intent-store.ts';
import { PAYMENTS_JOBS } from './payments/intents.ts';
import { ledgerMigrations } from '@qianbao/ledger';
import { bankSandboxMigrations } from './adapters/bank/index.ts';
import { smsSandboxMigrations } from './adapters/sms/sandbox.ts';

/**
 * Every migration, in one ordered list; each module owns its own tables. Names are numbered by
 * owner, one hundred each: 00xx ledger and core (0050 idempotency, 0060 outbox, 0070 payments),
 * then each module's hundred as its declaration says (modules/catalog.ts: 01 identity,
 * 02 payment security, 03 KYC, 04 operator, 05 notifications, 06 cards, 07 funding,
 * 08 transfers, 10 history), 09xx the sandbox adapters. A module's come with its declaration.
 */
export const allMigrations: Migration[] = [
  ...ledgerMigrations,
  ...idempotencyMigrations,
  ...outboxMigrations,
  ...intentMigrations,
  ...MODULES.flatMap((module) => module.migrations),
  ...smsSandboxMigrations,
  ...bankSandboxMigrations,
];

/**
 * Every job's queue. pg-boss gives each queue a table partition of its own, so queues are schema:
 * `qianbao migrate` creates them (jobs/schema.ts), and a server started as the application role
 * refuses to start while one of its jobs has none. A module's (its jobs', its subscribers'
 * dispatchers') come with its declaration (`jobQueues`).
 */
export const allJobQueues: readonly string[] = [
  ...Object.values(LEDGER_JOBS),
  ...Object.values(IDEMPOTENCY_JOBS),
  ...Object.values(OUTBOX_JOBS),
  ...Object.values(PAYMENTS_JOBS),
  ...MODULES.flatMap((module) => module.jobQueues ?? []),
];

/**
 * Bring the whole schema up to date: our migrations, then the job queue's schema and queues.
 * Answers what it applied; on an up-to-date database it changes nothing (no DDL at all).
 */
export async function migrateSchema(pool: pg.Pool): Promise<string[]> {
  const applied = await migrate(pool, allMigrations);
  return [...applied, ...(await migrateJobs(pool, allJobQueues))];
}
