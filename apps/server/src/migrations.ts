import type pg from 'pg';
import { migrate } from '@qianbao/db';
import type { Migration } from '@qianbao/db';
import { IDEMPOTENCY_JOBS, idempotencyMigrations } from './idempotency.ts';
import { migrateJobs } from './jobs/index.ts';
import { LEDGER_JOBS } from './ledger-expiry.ts';
import { FUNDING_JOBS } from './modules/funding/jobs.ts';
import { IDENTITY_JOBS } from './modules/identity/jobs.ts';
import { INBOX_SUBSCRIBER } from './modules/notifications/subscriber.ts';
import { OUTBOX_JOBS, dispatchJobName, outboxMigrations } from './outbox/index.ts';
import { intentMigrations } from './payments/intent-store.ts';
import { ledgerMigrations } from '@qianbao/ledger';
import { bankSandboxMigrations } from './adapters/bank/index.ts';
import { smsSandboxMigrations } from './adapters/sms/sandbox.ts';
import { identityMigrations } from './modules/identity/migrations.ts';
import { kycMigrations } from './modules/kyc/migrations.ts';
import { operatorMigrations } from './modules/operator/migrations.ts';
import { notificationsMigrations } from './modules/notifications/migrations.ts';
import { securityMigrations } from './modules/security/migrations.ts';
import { transfersMigrations } from './modules/transfers/migrations.ts';
import { cardsMigrations } from './modules/cards/migrations.ts';
import { fundingMigrations } from './modules/funding/migrations.ts';

/**
 * Every module's migrations, in one ordered list; each module owns its own tables. Names are
 * numbered by owner, one hundred each: 00xx ledger and core (0050 idempotency, 0060 outbox, 0070 payments), 01xx identity, 02xx payment security, 03xx
 * KYC, 04xx operator, 05xx notifications, 06xx cards, 07xx funding, 08xx transfers, 09xx adapters; a new module takes the next free
 * hundred (see modules/README.md).
 */
export const allMigrations: Migration[] = [
  ...ledgerMigrations,
  ...idempotencyMigrations,
  ...outboxMigrations,
  ...intentMigrations,
  ...identityMigrations,
  ...notificationsMigrations,
  ...securityMigrations,
  ...kycMigrations,
  ...operatorMigrations,
  ...transfersMigrations,
  ...cardsMigrations,
  ...fundingMigrations,
  ...smsSandboxMigrations,
  ...bankSandboxMigrations,
];

/**
 * Every job's queue. pg-boss gives each queue a table partition of its own, so queues are schema:
 * `qianbao migrate` creates them (jobs/schema.ts), and a server started as the application role
 * refuses to start while one of its jobs has none. A module adds its job names here (modules/README.md).
 */
export const allJobQueues: readonly string[] = [
  ...Object.values(LEDGER_JOBS),
  ...Object.values(IDEMPOTENCY_JOBS),
  ...Object.values(IDENTITY_JOBS),
  ...Object.values(FUNDING_JOBS),
  ...Object.values(OUTBOX_JOBS),
  // Each outbox subscriber's dispatcher.
  dispatchJobName(INBOX_SUBSCRIBER),
];

/**
 * Bring the whole schema up to date: our migrations, then the job queue's schema and queues.
 * Answers what it applied; on an up-to-date database it changes nothing (no DDL at all).
 */
export async function migrateSchema(pool: pg.Pool): Promise<string[]> {
  const applied = await migrate(pool, allMigrations);
  return [...applied, ...(await migrateJobs(pool, allJobQueues))];
}
