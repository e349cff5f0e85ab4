import type pg from 'pg';
import PgBoss from 'pg-boss';
import { JOBS_SCHEMA, bossDatabase } from './boss-database.ts';

/** pg-boss's own queue: the cron monitor sends each due schedule through it (ADR 0013). */
const LIBRARY_QUEUES = ['__pgboss__send-it'];
const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * Bring the job queue's schema up to date, like `migrate` does for ours: install or upgrade
 * pg-boss's tables (its own versioning, in `pgboss.version`), then create each queue that is
 * missing. pg-boss gives every queue a table partition of its own, so a queue is schema too:
 * the application role cannot create one (docs/ledger.md, "Database roles"), and
 * `qianbao migrate` does. On an up-to-date database this reads and changes nothing, so a
 * server started as the application role runs no DDL. Answers what it did, for people.
 */
export async function migrateJobs(pool: pg.Pool, queueNames: readonly string[]): Promise<string[]> {
  const boss = new PgBoss({
    db: bossDatabase(pool),
    schema: JOBS_SCHEMA,
    migrate: true,
    supervise: false,
    schedule: false,
  });
  boss.on('error', () => {}); // only the statements below run, and they throw to us
  const applied: string[] = [];
  try {
    const before = (await boss.isInstalled()) ? Number(await boss.schemaVersion()) : null;
    await boss.start(); // installs, or upgrades, only when needed
    const after = Number(await boss.schemaVersion());
    if (after !== before) applied.push(`job queue schema ${JOBS_SCHEMA} v${after}`);
    const existing = new Set((await boss.getQueues()).map((queue) => queue.name));
    for (const name of [...LIBRARY_QUEUES, ...queueNames]) {
      if (existing.has(name)) continue;
      await boss.createQueue(name, { name });
      applied.push(`job queue ${name}`);
    }
    return applied;
  } catch (error) {
    if ((error as { code?: string }).code === INSUFFICIENT_PRIVILEGE) {
      throw new Error(
        `the job queue (schema ${JOBS_SCHEMA}) is missing, outdated or lacks a queue, or this role lacks its ` +
          'grants, and this role may not change the schema: run `qianbao migrate` as the owner role first, ' +
          'then grant the application role the job schema (docs/ledger.md, "Database roles")',
        { cause: error },
      );
    }
    throw error;
  } finally {
    await boss.stop({ graceful: false, close: false }).catch(() => {});
  }
}
