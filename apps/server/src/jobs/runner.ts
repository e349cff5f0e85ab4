import type PgBoss from 'pg-boss';
import { JOB_TIME_ZONE, isCron, isInterval } from './definition.ts';
import type { JobContext, JobDefinition } from './definition.ts';

/**
 * How one job definition becomes pg-boss queues, schedules and workers (ADR 0013). Every
 * server process calls this for every job at start: whichever process fetches a job first runs
 * it (`FOR UPDATE SKIP LOCKED`). A scheduled job's queue has pg-boss's `stately` policy: at most
 * one job waiting and one running, across all processes — a run never overlaps the previous one,
 * and runs missed while nothing polled do not pile up.
 */

/**
 * The singleton key of every job of a job run `everyMs`: one waiting tick however many
 * processes queue the next run or restart the chain.
 */
export const TICK_KEY = 'tick';
/** A job run `everyMs` whose chain broke (a process died mid-run) restarts within a minute. */
const RESTART_CRON = '* * * * *';
const MIN_POLL_MS = 500; // pg-boss's floor
const MAX_POLL_MS = 5000;
const CRON_POLL_MS = 5000;
const SENT_POLL_MS = 2000;

export type Execute = (definition: JobDefinition, data: object, context: JobContext) => Promise<unknown>;

/** The queue's options and the job's schedule in the database (idempotent: every process does it). */
export async function scheduleJob(boss: PgBoss, definition: JobDefinition): Promise<void> {
  const { name, schedule } = definition;
  await boss.updateQueue(name, {
    name,
    // Sent jobs run side by side (one per webhook, per reminder …), a collapsing one keeps one
    // waiting ('short'); scheduled ones run one at a time.
    policy: schedule === null ? (definition.collapse ? 'short' : 'standard') : 'stately',
    ...sendOptions(definition),
  });
  if (isCron(schedule)) {
    await boss.schedule(name, schedule.cron, {}, { tz: JOB_TIME_ZONE, ...sendOptions(definition) });
  } else if (isInterval(schedule)) {
    // The chain: each run queues the next (below); this once-a-minute schedule restarts a chain
    // broken by a crash (once pg-boss has expired the dead run), and the send starts it now. Both
    // are no-ops while a tick is waiting.
    const tick = { ...sendOptions(definition), singletonKey: TICK_KEY };
    await boss.schedule(name, RESTART_CRON, { everyMs: schedule.everyMs }, { tz: JOB_TIME_ZONE, ...tick });
    await boss.send(name, { everyMs: schedule.everyMs }, tick);
  } else {
    // No schedule (any more): a schedule left by an earlier configuration stops.
    await boss.unschedule(name);
  }
}

/**
 * Poll this job's queue and run what it finds; a job run `everyMs` queues its next run. Answers
 * the worker's id (`boss.notifyWorker` makes it poll now).
 */
export async function workJob(
  boss: PgBoss,
  definition: JobDefinition,
  execute: Execute,
  onTickError: (error: unknown) => void,
): Promise<string> {
  const { name, schedule } = definition;
  return boss.work<object>(
    name,
    { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: pollMs(definition) / 1000 },
    async ([job]) => {
      if (!job) return null;
      try {
        return await execute(definition, job.data ?? {}, {
          jobId: job.id,
          attempt: job.retryCount,
          dueAt: job.startAfter,
        });
      } finally {
        if (isInterval(schedule)) {
          // After the run, success or not: runs never overlap, and a failure is retried by the next.
          await boss
            .send(
              name,
              { everyMs: schedule.everyMs },
              {
                ...sendOptions(definition),
                singletonKey: TICK_KEY,
                startAfter: schedule.everyMs / 1000,
              },
            )
            .catch(onTickError);
        }
      }
    },
  );
}

function sendOptions(definition: JobDefinition) {
  return {
    retryLimit: definition.retry.limit,
    retryDelay: definition.retry.delaySeconds,
    retryBackoff: definition.retry.backoff,
    expireInSeconds: definition.timeoutSeconds,
  };
}

/** Half the interval (a tick starts at most that late), cron jobs every 5 s, sent jobs every 2 s. */
function pollMs(definition: JobDefinition): number {
  const { schedule } = definition;
  if (isInterval(schedule)) return Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, schedule.everyMs / 2));
  return isCron(schedule) ? CRON_POLL_MS : SENT_POLL_MS;
}
