import { hostname } from 'node:os';
import type pg from 'pg';
import PgBoss from 'pg-boss';
import { JOBS_SCHEMA, bossDatabase } from './boss-database.ts';
import type { JobContext, JobDefinition } from './definition.ts';
import { readQueueDepths } from './report.ts';
import { scheduleJob, workJob } from './runner.ts';
import { currentRequestId, withRequestId } from '../http/request-context.ts';

export interface JobLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

/** Where each run is counted and timed (metrics.ts). */
export interface JobObserver {
  observeJob(name: string, outcome: 'completed' | 'failed', durationSeconds: number): void;
  /** A queued run started this long after it was due (its `startAfter`). */
  observeJobLag?(name: string, lagSeconds: number): void;
}

/**
 * pg-boss's timings. The defaults suit production; tests shorten the cron and maintenance
 * checks to see a schedule fire or a stuck job expire within seconds.
 */
export interface JobTimings {
  /** How often one process (whichever claims it) checks the cron schedules (pg-boss: 1–45). */
  cronCheckSeconds?: number;
  /** How often due schedules become jobs (pg-boss's own queue is polled this often). */
  cronSendSeconds?: number;
  /** How often one process expires timed-out runs and archives old ones. */
  maintenanceSeconds?: number;
}

export interface JobsOptions {
  pool: pg.Pool;
  log: JobLog;
  observer?: JobObserver;
  /** How long `stop` waits for running jobs before giving them up to be retried elsewhere. */
  stopTimeoutMs?: number;
}

/** What a run leaves in the queue's table and `qianbao jobs` shows. */
export interface JobOutput {
  /** `host:pid` of the process that ran it. */
  ranBy: string;
  result: unknown;
}

const RAN_BY = `${hostname()}:${process.pid}`;
/** Where a queued job's data carries the id of the request that queued it (removed before its handler). */
const REQUEST_ID_KEY = '_requestId';
const UNIQUE_VIOLATION = '23505';
const MAX_RESULT_JSON_CHARS = 2000;

/**
 * The server's background jobs, one PostgreSQL-backed queue (pg-boss, ADR 0013). Modules
 * declare jobs (`defineJob`) and the composition root registers them; `start` begins polling
 * and scheduling in this process, `stop` drains it. `run` runs a job's handler here and now,
 * outside the queue: tests and operators use it to run a job deterministically.
 */
export class Jobs {
  private readonly definitions = new Map<string, JobDefinition>();
  /** Queues jobs; never started, so it polls and schedules nothing (tests send without a runner). */
  private readonly sender: PgBoss;
  /** Polls, schedules and maintains, from `start` to `stop`. */
  private runner: PgBoss | null = null;
  /** This process's worker of each job, once started (`send` with `promptly` pokes it). */
  private readonly workers = new Map<string, string>();
  private running: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;

  constructor(private readonly options: JobsOptions) {
    this.sender = this.makeBoss({});
    this.sender.on('error', (error) => options.log.warn({ err: error }, 'job queue: sending a job failed'));
  }

  /** Add jobs (before `start`). A name registered twice is a programmer error. */
  register(...definitions: JobDefinition[]): void {
    if (this.running) throw new Error('register jobs before Jobs.start');
    for (const definition of definitions) {
      if (this.definitions.has(definition.name))
        throw new Error(`job ${definition.name} is registered twice`);
      this.definitions.set(definition.name, definition);
    }
  }

  list(): JobDefinition[] {
    return [...this.definitions.values()];
  }

  /** Jobs due and waiting for a worker, per registered job (`/metrics`). */
  queueDepths(): Promise<Map<string, number>> {
    return readQueueDepths(this.options.pool, [...this.definitions.keys()]);
  }

  /** Run a job's handler in this process now (not through the queue), counted like any run. */
  async run(name: string, data: object = {}): Promise<JobOutput> {
    return this.execute(this.definition(name), data, { jobId: null, attempt: 0 });
  }

  /**
   * Queue a job: for jobs without a schedule, or to run a scheduled one early. `startAfterSeconds`
   * delays it; `singletonKey` keeps one waiting job per key (e.g. per webhook endpoint).
   * `promptly` makes this process's worker of the job (if running) poll now rather than at its
   * next interval. Answers the job's id, or null when an equal job is already waiting.
   */
  async send(
    name: string,
    data: object = {},
    options: { startAfterSeconds?: number; singletonKey?: string; promptly?: boolean } = {},
  ): Promise<string | null> {
    const { retry, timeoutSeconds } = this.definition(name);
    // Queued while serving a request: the run logs under its id (docs/observability.md#logs).
    const requestId = currentRequestId();
    const queued = requestId === null ? data : { ...data, [REQUEST_ID_KEY]: requestId };
    const id = await this.sender.send(name, queued, {
      retryLimit: retry.limit,
      retryDelay: retry.delaySeconds,
      retryBackoff: retry.backoff,
      expireInSeconds: timeoutSeconds,
      ...(options.startAfterSeconds ? { startAfter: options.startAfterSeconds } : {}),
      ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
    });
    const worker = options.promptly ? this.workers.get(name) : undefined;
    // Also when the send was dropped (one waits already): the waiting job should run now.
    if (worker !== undefined) this.runner?.notifyWorker(worker);
    return id;
  }

  /**
   * Start running jobs in this process: check that the schema and every queue exist (a server
   * runs no DDL: `migrateJobs` made them), store the schedules, poll each queue.
   */
  start(timings: JobTimings = {}): Promise<void> {
    if (this.stopping) return Promise.reject(new Error('Jobs.start after Jobs.stop'));
    this.running ??= this.startRunning(timings);
    return this.running;
  }

  /**
   * Stop fetching, wait for running jobs (up to `stopTimeoutMs`: pg-boss then fails them, to be
   * retried elsewhere), then stop the schedules. Never rejects: a shutdown goes on regardless.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (!this.running) return;
      await this.running.catch(() => {});
      await this.runner
        ?.stop({ graceful: true, wait: true, close: false, timeout: this.options.stopTimeoutMs ?? 10_000 })
        .catch((error: unknown) => this.options.log.error({ err: error }, 'jobs: stopping failed'));
    })();
    return this.stopping;
  }

  private async startRunning(timings: JobTimings): Promise<void> {
    const { log } = this.options;
    const runner = this.makeBoss(timings);
    runner.on('error', (error) => log.warn({ err: error }, 'job queue: a background statement failed'));
    await runner.start(); // checks that pg-boss's schema is there and current; creates nothing
    this.runner = runner;
    const queues = new Set((await runner.getQueues()).map((queue) => queue.name));
    const missing = this.list().filter((definition) => !queues.has(definition.name));
    if (missing.length > 0) {
      throw new Error(
        `job queue(s) ${missing.map((definition) => definition.name).join(', ')} missing: ` +
          'list them in allJobQueues (migrations.ts) and run `qianbao migrate`',
      );
    }
    log.info({ jobs: this.list().map((definition) => definition.name) }, 'jobs: polling their queues');
    for (const definition of this.list()) {
      await scheduleJob(runner, definition);
      const worker = await workJob(
        runner,
        definition,
        (d, data, context) => this.executeQueued(d, data, context),
        (error) =>
          log.warn(
            { err: error, job: definition.name },
            'could not queue the next run; the schedule restarts it',
          ),
      );
      this.workers.set(definition.name, worker);
    }
  }

  /** A queued run: its lag observed, its request id (if a request queued it) on its log lines. */
  private executeQueued(definition: JobDefinition, queued: object, context: JobContext): Promise<JobOutput> {
    if (context.dueAt) {
      this.options.observer?.observeJobLag?.(definition.name, (Date.now() - context.dueAt.getTime()) / 1000);
    }
    const { [REQUEST_ID_KEY]: requestId, ...data } = queued as Record<string, unknown>;
    if (typeof requestId !== 'string') return this.execute(definition, queued, context);
    return withRequestId(requestId, () => {
      this.options.log.info(
        { job: definition.name, jobId: context.jobId, attempt: context.attempt },
        'job run for a request',
      );
      return this.execute(definition, data, context);
    });
  }

  private async execute(definition: JobDefinition, data: object, context: JobContext): Promise<JobOutput> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const result = await definition.handler(data, context);
      this.options.observer?.observeJob(definition.name, 'completed', seconds());
      return { ranBy: RAN_BY, result: jsonSafe(result) };
    } catch (error) {
      this.options.observer?.observeJob(definition.name, 'failed', seconds());
      this.options.log.warn(
        { err: error, job: definition.name, jobId: context.jobId, attempt: context.attempt },
        definition.retry.limit > context.attempt
          ? 'job failed; it is retried after its backoff'
          : 'job failed; no attempt left (its next scheduled run starts afresh)',
      );
      throw error;
    }
  }

  private definition(name: string): JobDefinition {
    const definition = this.definitions.get(name);
    if (!definition) throw new Error(`no job named ${name}`);
    return definition;
  }

  private makeBoss(timings: JobTimings): PgBoss {
    const { log } = this.options;
    return new PgBoss({
      db: bossDatabase(this.options.pool, (error) => {
        // How pg-boss keeps one run at a time: a fetch while another process runs the job fails on
        // the queue's unique index and finds nothing, which is the point.
        if ((error as { code?: string }).code === UNIQUE_VIOLATION) return;
        log.warn(
          { err: error },
          'job queue: a statement failed (a job left active is retried after its timeout)',
        );
      }),
      schema: JOBS_SCHEMA,
      migrate: false, // `migrateJobs` (qianbao migrate, or start-up as the owner) did
      cronMonitorIntervalSeconds: timings.cronCheckSeconds ?? 30,
      cronWorkerIntervalSeconds: timings.cronSendSeconds ?? 5,
      maintenanceIntervalSeconds: timings.maintenanceSeconds ?? 60,
      // Runs of a job every second come and go: completed runs leave the hot table after an
      // hour; failures stay a week for `qianbao jobs`; the archive keeps both two more days.
      archiveCompletedAfterSeconds: 3600,
      archiveFailedAfterSeconds: 7 * 24 * 3600,
      deleteAfterDays: 2,
    });
  }
}

/** A handler's answer as JSON can keep it: bigint as a string, bounded in size. */
function jsonSafe(value: unknown): unknown {
  if (value === undefined) return null;
  const text = JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'bigint' ? item.toString() : item,
  );
  if (text === undefined) return null;
  return text.length <= MAX_RESULT_JSON_CHARS
    ? (JSON.parse(text) as unknown)
    : { truncated: text.slice(0, 200) };
}
