/**
 * The job queue in one process: several `Jobs` runners on one database behave like several
 * server processes (each has its own pg-boss, polling and cron checks). The same properties with
 * real `qianbao start` processes: test/e2e/jobs.test.ts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../../test/support/database.ts';
import type { TestDatabase } from '../../../../test/support/database.ts';
import { allJobQueues } from '../migrations.ts';
import { createTestApp } from '../testing.ts';
import { defineJob } from './definition.ts';
import type { JobDefinition } from './definition.ts';
import { Jobs } from './jobs.ts';
import type { JobTimings } from './jobs.ts';
import { readJobsReport } from './report.ts';
import { migrateJobs } from './schema.ts';

const quiet = { info() {}, warn() {}, error() {} };
/** Cron checked every second, stuck runs expired every second: schedules fire within seconds. */
const FAST: JobTimings = { cronCheckSeconds: 1, cronSendSeconds: 1, maintenanceSeconds: 1 };
const TEST_QUEUES = ['test.flaky', 'test.broken', 'test.minutely', 'test.ticker', 'test.slow', 'test.wake'];

describe('jobs in the app', () => {
  it('registers a job for every queue of allJobQueues, and runs each on demand', async () => {
    const subject = await createTestApp();
    try {
      const names = subject.app.jobs.list().map((job) => job.name);
      expect([...names].sort()).toEqual([...allJobQueues].sort());
      for (const name of names) {
        const output = await subject.app.jobs.run(name);
        expect(output.ranBy).toMatch(/:\d+$/);
      }
      expect((await subject.app.jobs.run('ledger.expire-holds')).result).toEqual({ expired: 0 });
      const metrics = await subject.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toContain('qianbao_jobs_completed_total{job="identity.sweep"} 1');
      expect(metrics.body).toContain('qianbao_jobs_queue_depth{job="identity.sweep"} 0');
      expect(metrics.body).toMatch(/qianbao_job_duration_seconds_count\{job="funding.recover"\} 1/);
    } finally {
      await subject.close();
    }
  });

  it('refuses a declaration that cannot work, at start-up', () => {
    const handler = () => Promise.resolve();
    expect(() => defineJob({ name: 'Sweep', schedule: null, handler })).toThrow('module.what');
    expect(() => defineJob({ name: 'a.b', schedule: { cron: '*/5 * * * * *' }, handler })).toThrow(
      'five fields',
    );
    expect(() => defineJob({ name: 'a.b', schedule: { cron: '61 * * * *' }, handler })).toThrow();
    expect(() => defineJob({ name: 'a.b', schedule: { everyMs: 10 }, handler })).toThrow('everyMs');
    expect(() =>
      defineJob({
        name: 'a.b',
        schedule: { everyMs: 1000 },
        retry: { limit: 3, delaySeconds: 1, backoff: true },
        handler,
      }),
    ).toThrow('next run');
    expect(defineJob({ name: 'a.b', schedule: { everyMs: 1000 }, handler }).retry.limit).toBe(0);
    expect(() =>
      defineJob({ name: 'a.b', schedule: { cron: '* * * * *' }, collapse: true, handler }),
    ).toThrow('only a job without a schedule');
  });
});

describe('the job queue across runners', () => {
  let db: TestDatabase;
  const runners: Jobs[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    expect(await migrateJobs(db.pool, TEST_QUEUES)).toEqual(TEST_QUEUES.map((name) => `job queue ${name}`));
    // Up to date: nothing to do, the second time.
    expect(await migrateJobs(db.pool, TEST_QUEUES)).toEqual([]);
  });

  afterAll(async () => {
    await Promise.all(runners.map((runner) => runner.stop()));
    await db.drop();
  });

  function runner(definitions: JobDefinition[], observed?: string[]): Jobs {
    const jobs = new Jobs({
      pool: db.pool,
      log: quiet,
      stopTimeoutMs: 5000,
      ...(observed
        ? { observer: { observeJob: (name, outcome) => observed.push(`${name} ${outcome}`) } }
        : {}),
    });
    jobs.register(...definitions);
    runners.push(jobs);
    return jobs;
  }

  it(
    'retries a failing job with growing delays, and shows its runs and failures',
    { timeout: 30_000 },
    async () => {
      const attempts: number[] = [];
      const observed: string[] = [];
      const flaky = defineJob({
        name: 'test.flaky',
        schedule: null,
        retry: { limit: 3, delaySeconds: 1, backoff: true },
        handler: (_data, context) => {
          attempts.push(Date.now());
          expect(context.attempt).toBe(attempts.length - 1);
          if (attempts.length <= 2)
            return Promise.reject(new Error(`bank unavailable (attempt ${context.attempt})`));
          return Promise.resolve({ settled: 3n });
        },
      });
      const broken = defineJob({
        name: 'test.broken',
        schedule: null,
        retry: { limit: 1, delaySeconds: 1, backoff: false },
        handler: () => Promise.reject(new Error('settlement file is malformed')),
      });
      const jobs = runner([flaky, broken], observed);
      await jobs.start(FAST);
      const id = await jobs.send('test.flaky');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      await jobs.send('test.broken');

      await expect.poll(() => attempts.length, { timeout: 20_000, interval: 100 }).toBe(3);
      // pg-boss's backoff: delay × 2^attempt / 2, plus up to as much again at random.
      const gaps = [attempts[1]! - attempts[0]!, attempts[2]! - attempts[1]!];
      expect(gaps[0]).toBeGreaterThanOrEqual(1000);
      expect(gaps[1]).toBeGreaterThanOrEqual(2000);

      await expect
        .poll(async () => (await readJobsReport(db.pool, { job: 'test.flaky' })).queues[0]?.lastRun?.state, {
          timeout: 5000,
        })
        .toBe('completed');
      const flakyReport = await readJobsReport(db.pool, { job: 'test.flaky' });
      expect(flakyReport.queues[0]?.lastRun).toMatchObject({ retries: 2, error: null });
      expect(flakyReport.recentRuns[0]?.ranBy).toMatch(/:\d+$/);
      expect(observed.filter((line) => line.startsWith('test.flaky'))).toEqual([
        'test.flaky failed',
        'test.flaky failed',
        'test.flaky completed',
      ]);

      await expect
        .poll(async () => (await readJobsReport(db.pool, { job: 'test.broken' })).recentFailures[0]?.state, {
          timeout: 10_000,
        })
        .toBe('failed');
      const brokenReport = await readJobsReport(db.pool, { job: 'test.broken' });
      expect(brokenReport.recentFailures[0]).toMatchObject({
        retries: 1,
        error: 'settlement file is malformed',
      });
    },
  );

  it('runs a cron schedule once per minute however many runners check it', { timeout: 30_000 }, async () => {
    const runs: { at: number; runner: number }[] = [];
    const minutely = (index: number) =>
      defineJob({
        name: 'test.minutely',
        schedule: { cron: '* * * * *' },
        handler: () => {
          runs.push({ at: Date.now(), runner: index });
          return Promise.resolve();
        },
      });
    const from = Date.now();
    // Three runners, each checking the schedules every second (one of them claims each check).
    const jobs = [runner([minutely(0)]), runner([minutely(1)]), runner([minutely(2)])];
    await Promise.all(jobs.map((job) => job.start(FAST)));
    await expect.poll(() => runs.length, { timeout: 15_000, interval: 100 }).toBeGreaterThan(0);
    await sleep(3000); // three more checks: each finds this minute's run already sent
    const minutes = Math.floor(Date.now() / 60_000) - Math.floor(from / 60_000) + 1;
    expect(runs.length).toBeLessThanOrEqual(minutes);
    await Promise.all(jobs.map((job) => job.stop()));
  });

  it(
    'runs a job every interval in one runner at a time, never overlapping',
    { timeout: 30_000 },
    async () => {
      const runs: { start: number; end: number; runner: number }[] = [];
      const ticker = (index: number) =>
        defineJob({
          name: 'test.ticker',
          schedule: { everyMs: 300 },
          handler: async () => {
            const start = Date.now();
            await sleep(100);
            runs.push({ start, end: Date.now(), runner: index });
          },
        });
      const jobs = [runner([ticker(0)]), runner([ticker(1)])];
      const from = Date.now();
      await Promise.all(jobs.map((job) => job.start(FAST)));
      await sleep(4000);
      // Between two runs the next tick waits in the queue (during a run it is not sent yet: read
      // it while the runners still run, so a stop in the middle of a run cannot hide it).
      await expect
        .poll(async () => (await readJobsReport(db.pool, { job: 'test.ticker' })).queues[0], {
          timeout: 5000,
          interval: 50,
        })
        .toMatchObject({ schedule: { everyMs: 300 }, waiting: 1 });
      await Promise.all(jobs.map((job) => job.stop()));
      const elapsed = Date.now() - from;
      runs.sort((a, b) => a.start - b.start);
      // A tick every 300 ms after the previous run ends (+100 ms of work, + up to 500 ms of polling):
      // two runners with a chain each would make twice as many.
      expect(runs.length).toBeGreaterThanOrEqual(3);
      expect(runs.length).toBeLessThanOrEqual(Math.ceil(elapsed / 400) + 1);
      for (let i = 1; i < runs.length; i++) expect(runs[i]!.start).toBeGreaterThanOrEqual(runs[i - 1]!.end);
    },
  );

  it('stops gracefully: a running job finishes before stop resolves', { timeout: 30_000 }, async () => {
    let finished = false;
    let started = false;
    const slow = defineJob({
      name: 'test.slow',
      schedule: null,
      handler: async () => {
        started = true;
        await sleep(700);
        finished = true;
        return 'done';
      },
    });
    const jobs = runner([slow]);
    await jobs.start(FAST);
    await jobs.send('test.slow');
    await expect.poll(() => started, { timeout: 10_000, interval: 50 }).toBe(true);
    await jobs.stop();
    expect(finished).toBe(true);
    const report = await readJobsReport(db.pool, { job: 'test.slow' });
    expect(report.queues[0]?.lastRun).toMatchObject({ state: 'completed' });
  });

  it(
    'a collapsing job keeps one waiting, and a prompt send runs it at once (outbox wake-ups)',
    { timeout: 30_000 },
    async () => {
      const starts: number[] = [];
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const wake = defineJob({
        name: 'test.wake',
        schedule: null,
        collapse: true,
        handler: async () => {
          starts.push(Date.now());
          await gate;
        },
      });
      const jobs = runner([wake]);
      await jobs.start(FAST);
      await sleep(300); // the worker's first poll is over: it now waits its 2 s interval
      const sent = Date.now();
      expect(await jobs.send('test.wake', {}, { promptly: true })).not.toBeNull();
      await expect.poll(() => starts.length, { timeout: 10_000, interval: 10 }).toBe(1);
      expect(starts[0]! - sent).toBeLessThan(1000);
      // While it runs, one more may wait; every other send collapses into that one.
      const more = await Promise.all(Array.from({ length: 5 }, () => jobs.send('test.wake')));
      expect(more.filter((id) => id !== null)).toHaveLength(1);
      release();
      await expect.poll(() => starts.length, { timeout: 10_000, interval: 50 }).toBe(2);
      await sleep(500);
      expect(starts).toHaveLength(2);
    },
  );
});
