import cronParser from 'cron-parser';
import type pg from 'pg';
import { JOBS_SCHEMA } from './boss-database.ts';
import { JOB_TIME_ZONE } from './definition.ts';
import type { JobSchedule } from './definition.ts';

/**
 * What the queue's tables say about every job: read by `qianbao jobs` and `/metrics`. Read-only,
 * straight from pg-boss's tables (`pgboss.queue`, `schedule`, `job`, `archive`), so it works from
 * any process, with or without a server running.
 */

export type RunState = 'completed' | 'failed' | 'retry' | 'active' | 'cancelled';

export interface JobRun {
  id: string;
  job: string;
  state: RunState;
  startedAt: Date | null;
  /** When it ended; null while active. For `retry`: the failed attempt's start (pg-boss keeps no end). */
  endedAt: Date | null;
  durationMs: number | null;
  /** Retries so far: 0 for a run that succeeded (or failed) at its first try. */
  retries: number;
  /** `host:pid` of the process that ran it, when it got as far as an answer. */
  ranBy: string | null;
  /** The failure's message, for failed runs and runs waiting for a retry. */
  error: string | null;
}

export interface JobQueueStatus {
  job: string;
  /** As stored by the running servers; null: runs only when sent. */
  schedule: JobSchedule;
  /** Jobs waiting: `due` now, the rest later (the next tick, a retry after its backoff). */
  waiting: number;
  due: number;
  active: number;
  lastRun: JobRun | null;
  /** The next cron time, or the earliest waiting job; null when nothing is planned. */
  nextRunAt: Date | null;
}

export interface JobsReport {
  /** pg-boss's schema version, null when not installed (`qianbao migrate` installs it). */
  schemaVersion: number | null;
  queues: JobQueueStatus[];
  /** Newest first. */
  recentRuns: JobRun[];
  /** Failed runs and failed attempts waiting for a retry, newest first, from the last `failureDays`. */
  recentFailures: JobRun[];
}

const LIBRARY_QUEUE_PREFIX = '__pgboss__';
const MAX_LIMIT = 500;

export async function readJobsReport(
  pool: pg.Pool,
  options: { limit?: number; job?: string; failureDays?: number; now?: Date } = {},
): Promise<JobsReport> {
  const limit = Math.min(Math.max(1, Math.trunc(options.limit ?? 20)), MAX_LIMIT);
  const now = options.now ?? new Date();
  const version = await schemaVersion(pool);
  if (version === null) return { schemaVersion: null, queues: [], recentRuns: [], recentFailures: [] };
  const s = JOBS_SCHEMA;
  const { rows: queueRows } = await pool.query<{ name: string }>(
    `SELECT name FROM ${s}.queue
      WHERE NOT starts_with(name, $1) AND ($2::text IS NULL OR name = $2) ORDER BY name`,
    [LIBRARY_QUEUE_PREFIX, options.job ?? null],
  );
  const names = queueRows.map((row) => row.name);
  const { rows: schedules } = await pool.query<{
    name: string;
    cron: string;
    data: { everyMs?: number } | null;
  }>(`SELECT name, cron, data FROM ${s}.schedule WHERE name = ANY($1)`, [names]);
  const { rows: counts } = await pool.query<{
    name: string;
    waiting: bigint;
    due: bigint;
    active: bigint;
    next_start: Date | null;
  }>(
    `SELECT name,
            count(*) FILTER (WHERE state < 'active') AS waiting,
            count(*) FILTER (WHERE state < 'active' AND start_after <= now()) AS due,
            count(*) FILTER (WHERE state = 'active') AS active,
            min(start_after) FILTER (WHERE state < 'active') AS next_start
       FROM ${s}.job WHERE name = ANY($1) GROUP BY name`,
    [names],
  );
  const { rows: lastRows } = await pool.query<RunRow>(
    `SELECT DISTINCT ON (name) * FROM (${runsSql(s, "state IN ('completed', 'failed', 'retry')")}) runs
      WHERE name = ANY($1) ORDER BY name, ended_at DESC NULLS LAST`,
    [names],
  );
  const { rows: recentRows } = await pool.query<RunRow>(
    `SELECT * FROM (${runsSql(s, "state IN ('completed', 'failed', 'retry', 'active')")}) runs
      WHERE name = ANY($1) ORDER BY coalesce(ended_at, started_at) DESC NULLS LAST LIMIT $2`,
    [names, limit],
  );
  const { rows: failureRows } = await pool.query<RunRow>(
    `SELECT * FROM (${runsSql(s, "(state = 'failed' OR (state = 'retry' AND output IS NOT NULL))")}) runs
      WHERE name = ANY($1) AND ended_at > now() - make_interval(days => $3)
      ORDER BY ended_at DESC LIMIT $2`,
    [names, limit, options.failureDays ?? 7],
  );

  const scheduleOf = new Map(schedules.map((row) => [row.name, toSchedule(row)]));
  const countsOf = new Map(counts.map((row) => [row.name, row]));
  const lastOf = new Map(lastRows.map((row) => [row.name, toRun(row)]));
  const queues = names.map((job): JobQueueStatus => {
    const schedule = scheduleOf.get(job) ?? null;
    const count = countsOf.get(job);
    const nextCron = schedule !== null && 'cron' in schedule ? nextCronTime(schedule.cron, now) : null;
    return {
      job,
      schedule,
      waiting: Number(count?.waiting ?? 0),
      due: Number(count?.due ?? 0),
      active: Number(count?.active ?? 0),
      lastRun: lastOf.get(job) ?? null,
      nextRunAt: earliest(nextCron, count?.next_start ?? null),
    };
  });
  return {
    schemaVersion: version,
    queues,
    recentRuns: recentRows.map(toRun),
    recentFailures: failureRows.map(toRun),
  };
}

/** Jobs waiting for a worker now (due, not started), per job: the queue depth of `/metrics`. */
export async function readQueueDepths(pool: pg.Pool, names: readonly string[]): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ name: string; due: bigint }>(
    `SELECT name, count(*) AS due FROM ${JOBS_SCHEMA}.job
      WHERE name = ANY($1) AND state < 'active' AND start_after <= now() GROUP BY name`,
    [names],
  );
  const depths = new Map(names.map((name) => [name, 0]));
  for (const row of rows) depths.set(row.name, Number(row.due));
  return depths;
}

interface RunRow {
  id: string;
  name: string;
  state: RunState;
  started_at: Date | null;
  ended_at: Date | null;
  retries: number;
  ran_by: string | null;
  error: string | null;
}

/** Runs from the hot table and the archive, with what we read of pg-boss's `output`. */
function runsSql(schema: string, where: string): string {
  const columns = `id, name, state::text AS state, started_on AS started_at,
    CASE WHEN state = 'retry' THEN started_on ELSE completed_on END AS ended_at,
    retry_count AS retries, output->>'ranBy' AS ran_by,
    CASE WHEN state IN ('failed', 'retry')
      THEN coalesce(output->>'message', output->'value'->>'message', output->>'value') END AS error`;
  return `SELECT ${columns} FROM ${schema}.job WHERE ${where}
          UNION ALL SELECT ${columns} FROM ${schema}.archive WHERE ${where}`;
}

function toRun(row: RunRow): JobRun {
  const durationMs =
    row.started_at && row.ended_at && row.state !== 'retry'
      ? row.ended_at.getTime() - row.started_at.getTime()
      : null;
  return {
    id: row.id,
    job: row.name,
    state: row.state,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    durationMs,
    retries: row.retries,
    ranBy: row.ran_by,
    error: row.error,
  };
}

/** The chain of a job run `everyMs` is stored as a once-a-minute restart schedule carrying `everyMs`. */
function toSchedule(row: { cron: string; data: { everyMs?: number } | null }): JobSchedule {
  const everyMs = row.data?.everyMs;
  return typeof everyMs === 'number' ? { everyMs } : { cron: row.cron };
}

function nextCronTime(cron: string, now: Date): Date | null {
  try {
    return cronParser.parseExpression(cron, { tz: JOB_TIME_ZONE, currentDate: now }).next().toDate();
  } catch {
    return null;
  }
}

function earliest(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

async function schemaVersion(pool: pg.Pool): Promise<number | null> {
  const { rows } = await pool.query<{ present: boolean }>(
    `SELECT to_regclass('${JOBS_SCHEMA}.version') IS NOT NULL AS present`,
  );
  if (!rows[0]?.present) return null;
  const version = await pool.query<{ version: number }>(`SELECT version FROM ${JOBS_SCHEMA}.version`);
  return version.rows[0]?.version ?? null;
}
