import { createRequire } from 'node:module';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { JOBS_SCHEMA, bossDatabase } from './boss-database.ts';

/** pg-boss 10's own statements, exactly as its manager sends them. */
const plans = createRequire(import.meta.url)('pg-boss/src/plans.js') as Record<
  'completeJobs' | 'failJobsById' | 'failJobsByTimeout',
  (schema: string) => string
>;

describe('bossDatabase when the database is gone (ADR 0027)', () => {
  const lost = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
  const pool = { query: () => Promise.reject(lost()) } as unknown as pg.Pool;

  it('the completion and failure pg-boss never awaits answer "no job changed" instead of rejecting', async () => {
    const seen: unknown[] = [];
    const db = bossDatabase(pool, (error) => seen.push(error));
    const values = ['ledger.expire-holds', ['00000000-0000-4000-8000-000000000000'], null];
    await expect(db.executeSql(plans.completeJobs(JOBS_SCHEMA), values)).resolves.toEqual({
      rows: [{ count: 0 }],
    });
    await expect(db.executeSql(plans.failJobsById(JOBS_SCHEMA), values)).resolves.toEqual({
      rows: [{ count: 0 }],
    });
    // Still reported, so the failure is logged and counted.
    expect(seen).toHaveLength(2);
  });

  it('every other statement still rejects for the caller that awaits it', async () => {
    const db = bossDatabase(pool);
    await expect(db.executeSql(plans.failJobsByTimeout(JOBS_SCHEMA), [])).rejects.toThrow('ECONNRESET');
    await expect(db.executeSql('SELECT 1', [])).rejects.toThrow('ECONNRESET');
  });
});
