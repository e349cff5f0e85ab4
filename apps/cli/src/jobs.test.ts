/**
 * `qianbao jobs` on a migrated database with no server running: every job is listed with its
 * queue even before any schedule is stored, a run made in a test app shows up, bad arguments are
 * usage errors. With two real servers running jobs: test/e2e/jobs.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../server/src/testing.ts';
import type { TestApp } from '../../server/src/testing.ts';
import { runQianbao as qianbao } from './testing.ts';

describe('qianbao jobs', () => {
  let subject: TestApp;
  beforeAll(async () => {
    subject = await createTestApp();
  });
  afterAll(async () => {
    await subject.close();
  });

  it('lists every job and the runs recorded in the queue', async () => {
    const env = { DATABASE_URL: subject.database.url };
    const empty = await qianbao(['jobs'], env);
    expect(empty.code, empty.stderr).toBe(0);
    for (const job of ['ledger.expire-holds', 'funding.recover', 'identity.sweep', 'idempotency.sweep']) {
      expect(empty.stdout).toMatch(new RegExp(`^${job.replace('.', '\\.')} +when sent +never`, 'm'));
    }
    expect(empty.stdout).toContain('Recent runs (newest first):\n  none yet');
    expect(empty.stdout).toContain('Recent failures (last 7 days):\n  none');

    // A job sent to the queue and no server to run it: it waits, due.
    await subject.app.jobs.send('identity.sweep');
    const waiting = await qianbao(['jobs', '--job', 'identity.sweep', '--json'], env);
    expect(JSON.parse(waiting.stdout)).toMatchObject({
      schemaVersion: 24,
      queues: [{ job: 'identity.sweep', waiting: 1, due: 1, active: 0, lastRun: null }],
    });
  });

  it('refuses bad arguments and names an unknown job', async () => {
    const limit = await qianbao(['jobs', '--limit', '0']);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toContain('--limit must be a whole number from 1 to 500');
    const unknown = await qianbao(['jobs', '--job', 'no.such-job'], { DATABASE_URL: subject.database.url });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No job named no.such-job.');
  });
});
