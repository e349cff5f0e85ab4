import { parseArgs } from 'node:util';
import { JOB_TIME_ZONE, describeSchedule, openDatabase, readJobsReport } from '@qianbao/server';
import type { Config, JobQueueStatus, JobRun, JobsReport } from '@qianbao/server';

const USAGE = `Usage: qianbao jobs [--job NAME] [--limit N] [--json]

Lists the background jobs (ADR 0013): each job's schedule, last run, next run and waiting jobs,
then the most recent runs and the failures of the last 7 days, read from the job queue's tables
(pg-boss, schema pgboss). Times are Asia/Shanghai. --limit sets how many runs and failures are
shown (default 20, at most 500); --json prints the same as JSON.`;

const MAX_LIMIT = 500;
const DEFAULT_LIMIT = 20;

export async function jobsCommand(args: readonly string[], config: Config): Promise<0 | 1 | 2> {
  let values: { job?: string; limit?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        job: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return usage((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const limit = values.limit === undefined ? DEFAULT_LIMIT : Number(values.limit);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    return usage(`--limit must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  const database = await openDatabase({
    config,
    print: (line) => process.stderr.write(`${line}\n`),
    whenEmbeddedRunning: 'connect',
  });
  try {
    const report = await readJobsReport(database.pool, {
      limit,
      ...(values.job === undefined ? {} : { job: values.job }),
    });
    if (report.schemaVersion === null) {
      console.error('This database has no job queue yet: run `qianbao migrate` (or `qianbao start`) first.');
      return 1;
    }
    if (values.job !== undefined && report.queues.length === 0) {
      console.error(`No job named ${values.job}.`);
      return 1;
    }
    console.log(values.json ? JSON.stringify(report, null, 2) : formatJobsReport(report));
    return 0;
  } finally {
    await database.close();
  }
}

/** The report for people: a table of jobs, then recent runs, then recent failures. */
export function formatJobsReport(report: JobsReport): string {
  const lines: string[] = [`Jobs (pg-boss schema v${report.schemaVersion}; times ${JOB_TIME_ZONE})`, ''];
  lines.push(
    ...table(
      ['JOB', 'SCHEDULE', 'LAST RUN', 'NEXT RUN', 'WAITING', 'ACTIVE'],
      report.queues.map((queue) => [
        queue.job,
        describeSchedule(queue.schedule),
        lastRun(queue),
        queue.nextRunAt ? time(queue.nextRunAt) : '-',
        queue.due > 0 ? `${queue.waiting} (${queue.due} due)` : String(queue.waiting),
        String(queue.active),
      ]),
    ),
  );
  lines.push('', 'Recent runs (newest first):');
  if (report.recentRuns.length === 0) lines.push('  none yet');
  else
    lines.push(
      ...table(
        ['ENDED', 'JOB', 'STATE', 'TOOK', 'RAN BY'],
        report.recentRuns.map((run) => [
          run.endedAt ? time(run.endedAt) : run.startedAt ? `(started ${time(run.startedAt)})` : '-',
          run.job,
          stateOf(run),
          run.durationMs === null ? '-' : `${run.durationMs} ms`,
          run.ranBy ?? '-',
        ]),
      ).map((line) => `  ${line}`),
    );
  lines.push('', 'Recent failures (last 7 days):');
  if (report.recentFailures.length === 0) lines.push('  none');
  else
    for (const run of report.recentFailures) {
      const when = run.endedAt ? time(run.endedAt) : '-';
      lines.push(`  ${when}  ${run.job}  ${stateOf(run)}: ${oneLine(run.error ?? 'no message')}`);
    }
  return lines.join('\n');
}

function lastRun(queue: JobQueueStatus): string {
  const run = queue.lastRun;
  if (!run) return 'never';
  const took = run.durationMs === null ? '' : `, ${run.durationMs} ms`;
  return `${run.endedAt ? time(run.endedAt) : '-'} ${stateOf(run)}${took}`;
}

function stateOf(run: JobRun): string {
  const retries = run.retries > 0 ? ` after ${run.retries} ${run.retries === 1 ? 'retry' : 'retries'}` : '';
  if (run.state === 'retry') return `failed, retry ${run.retries + 1} pending`;
  return `${run.state}${retries}`;
}

const formatter = new Intl.DateTimeFormat('sv-SE', {
  timeZone: JOB_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** `2026-05-01 13:00:00` in Asia/Shanghai. */
function time(date: Date): string {
  return formatter.format(date);
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  return [header, ...rows].map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}

function usage(problem: string | null): 2 {
  console.error(problem ? `qianbao jobs: ${problem}\n\n${USAGE}` : USAGE);
  return 2;
}
