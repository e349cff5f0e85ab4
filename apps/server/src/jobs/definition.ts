import cronParser from 'cron-parser';

/** Cron schedules read the wallet's calendar: Asia/Shanghai (UTC+8, no daylight saving). */
export const JOB_TIME_ZONE = 'Asia/Shanghai';

/** `module.what`, e.g. `identity.sweep`: the queue's name in pg-boss and in `qianbao jobs`. */
const NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}(\.[a-z][a-z0-9-]{0,40}){1,2}$/;
/** Below this an interval only loads the database: pg-boss polls a queue at most every 500 ms. */
export const MIN_INTERVAL_MS = 100;
const MAX_INTERVAL_MS = 3_600_000;
const MAX_RETRIES = 20;
const MAX_RETRY_DELAY_SECONDS = 3600;
/** pg-boss refuses anything from a day up. */
const MAX_TIMEOUT_SECONDS = 23 * 3600;

/**
 * When a job runs:
 * - `{ cron }` — a cron expression (five fields, minute resolution) in Asia/Shanghai; one run
 *   per matching minute across every server process;
 * - `{ everyMs }` — a fixed pause between runs, for work that cannot wait a minute (voiding
 *   expired holds every second): each run queues the next one `everyMs` after it ends;
 * - `null` — only when something sends it (`jobs.send(name, data)`): webhook retries, outbox
 *   dispatch, a reminder at a given time.
 */
export type JobSchedule = { cron: string } | { everyMs: number } | null;

/**
 * How a failed run is tried again: at most `limit` more times, after `delaySeconds` — doubled
 * (with jitter) at each attempt when `backoff` is set. A job run `everyMs` is never retried: its
 * next run is the retry.
 */
export interface JobRetry {
  limit: number;
  delaySeconds: number;
  backoff: boolean;
}

/** What a handler knows about its run. */
export interface JobContext {
  /** The queue's id of this job; null when run directly (`jobs.run`, tests). */
  jobId: string | null;
  /** 0 for the first try, then 1, 2 … for the retries. */
  attempt: number;
  /** When the queued run was due (pg-boss's `startAfter`); absent when run directly. */
  dueAt?: Date;
}

export interface JobDefinition<Data extends object = object> {
  readonly name: string;
  readonly schedule: JobSchedule;
  readonly retry: JobRetry;
  /**
   * A run still going after this long is given up as failed (and retried when attempts remain):
   * above the handler's worst case, or a slow run is started a second time.
   */
  readonly timeoutSeconds: number;
  /**
   * Only for jobs without a schedule: at most one job waits in the queue, and a send while one
   * waits is dropped (the waiting one will do the work). For wake-ups such as outbox dispatch.
   */
  readonly collapse: boolean;
  /**
   * The work. It must be safe to run again after a crash (at least once, not exactly once: a
   * process can die after the work and before the queue records it). Its answer, made
   * JSON-safe, is kept with the run and shown by `qianbao jobs`.
   */
  handler(data: Data, context: JobContext): Promise<unknown>;
}

export interface JobDeclaration<Data extends object> {
  name: string;
  schedule: JobSchedule;
  /** Default: 3 retries from 30 s, doubling. Not allowed with `everyMs`. */
  retry?: JobRetry;
  /** Default: 10 minutes. */
  timeoutSeconds?: number;
  /** Sent jobs only: keep at most one waiting (see `JobDefinition.collapse`). Default false. */
  collapse?: boolean;
  handler(data: Data, context: JobContext): Promise<unknown>;
}

export const DEFAULT_RETRY: JobRetry = { limit: 3, delaySeconds: 30, backoff: true };
const NO_RETRY: JobRetry = { limit: 0, delaySeconds: 0, backoff: false };
const DEFAULT_TIMEOUT_SECONDS = 600;

/**
 * A module's background job: its name, when it runs, how it is retried and what it does. The
 * module returns its definitions from `create<Name>Module` and the composition root registers
 * them (`app.jobs.register`); the queue named here must be listed in `allJobQueues`
 * (../migrations.ts), which `qianbao migrate` creates (modules/README.md, "Jobs").
 * A bad declaration is a programmer error: it throws at start-up.
 */
export function defineJob<Data extends object = object>(
  declaration: JobDeclaration<Data>,
): JobDefinition<Data> {
  const { name, schedule } = declaration;
  if (!NAME_PATTERN.test(name)) throw new Error(`job name ${JSON.stringify(name)} is not module.what`);
  if (schedule !== null && 'cron' in schedule) {
    if (schedule.cron.trim().split(/\s+/).length !== 5) {
      throw new Error(
        `job ${name}: cron ${JSON.stringify(schedule.cron)} must have five fields (minute resolution)`,
      );
    }
    // Throws on an invalid expression.
    cronParser.parseExpression(schedule.cron, { tz: JOB_TIME_ZONE });
  }
  if (schedule !== null && 'everyMs' in schedule) {
    const { everyMs } = schedule;
    if (!Number.isInteger(everyMs) || everyMs < MIN_INTERVAL_MS || everyMs > MAX_INTERVAL_MS) {
      throw new Error(
        `job ${name}: everyMs must be a whole number from ${MIN_INTERVAL_MS} to ${MAX_INTERVAL_MS}`,
      );
    }
    if (declaration.retry !== undefined) {
      throw new Error(
        `job ${name}: a job run every ${everyMs} ms is retried by its next run, not by a retry policy`,
      );
    }
  }
  const retry = isInterval(schedule) ? NO_RETRY : (declaration.retry ?? DEFAULT_RETRY);
  if (
    !Number.isInteger(retry.limit) ||
    retry.limit < 0 ||
    retry.limit > MAX_RETRIES ||
    !Number.isInteger(retry.delaySeconds) ||
    retry.delaySeconds < 0 ||
    retry.delaySeconds > MAX_RETRY_DELAY_SECONDS
  ) {
    throw new Error(
      `job ${name}: retry needs a limit from 0 to ${MAX_RETRIES} and a delay from 0 to ${MAX_RETRY_DELAY_SECONDS} s`,
    );
  }
  const collapse = declaration.collapse ?? false;
  if (collapse && schedule !== null)
    throw new Error(`job ${name}: only a job without a schedule collapses its sends`);
  const timeoutSeconds = declaration.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
    throw new Error(`job ${name}: timeoutSeconds must be a whole number from 1 to ${MAX_TIMEOUT_SECONDS}`);
  }
  return Object.freeze({
    name,
    schedule: schedule === null ? null : Object.freeze({ ...schedule }),
    retry: Object.freeze({ ...retry }),
    timeoutSeconds,
    collapse,
    handler: (data: Data, context: JobContext) => declaration.handler(data, context),
  });
}

export function isInterval(schedule: JobSchedule): schedule is { everyMs: number } {
  return schedule !== null && 'everyMs' in schedule;
}

export function isCron(schedule: JobSchedule): schedule is { cron: string } {
  return schedule !== null && 'cron' in schedule;
}

/** How a schedule reads in `qianbao jobs` and the logs. */
export function describeSchedule(schedule: JobSchedule): string {
  if (schedule === null) return 'when sent';
  if ('cron' in schedule) return `cron ${schedule.cron} (${JOB_TIME_ZONE})`;
  const { everyMs } = schedule;
  return everyMs % 1000 === 0 ? `every ${everyMs / 1000} s` : `every ${everyMs} ms`;
}
