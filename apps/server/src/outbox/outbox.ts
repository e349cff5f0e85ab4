/**
 * The outbox's dispatchers on the job queue (ADR 0013, ADR 0015). Each subscriber gets a job
 * `outbox.<subscriber>` (sent, at most one waiting): a module that committed events calls
 * `wake()`, which queues that job for every subscriber and pokes this process's worker, so a
 * notice arrives within milliseconds of the commit. `outbox.sweep`, once a minute, queues them
 * all too — the safety net for a wake lost with a crashed process or held back by a long
 * transaction — and each server wakes them when its jobs start (events committed just before a
 * crash). A failing handler's job is retried with the queue's backoff and shows in `qianbao jobs`.
 * `outbox.prune`, daily, deletes the events every subscriber has passed once they are older than
 * `OUTBOX_RETENTION_DAYS`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { defineJob } from '../jobs/index.ts';
import type { JobDefinition } from '../jobs/index.ts';
import { dispatch } from './dispatch.ts';
import { outsideRequest } from '../http/request-context.ts';
import type { OutboxWake } from './events.ts';
import { dispatchJobName } from './subscriber.ts';
import type { Subscriber } from './subscriber.ts';

export const OUTBOX_JOBS = { sweep: 'outbox.sweep', prune: 'outbox.prune' } as const;

/** How the outbox queues work: `Jobs` (jobs/jobs.ts), or anything that sends like it. */
export interface OutboxQueue {
  send(
    name: string,
    data?: object,
    options?: { promptly?: boolean; startAfterSeconds?: number },
  ): Promise<string | null>;
}

/** A run that ended before events not yet readable is queued again this much later. */
const PENDING_RETRY_SECONDS = 1;
/**
 * Wakes of one subscriber closer together than this become one: under load every coalesced
 * insert wakes, and each wake is a job sent, fetched and completed; one send per gap lets each
 * run hand over a batch instead. A notice waits at most this much longer.
 */
export const WAKE_GAP_MS = 200;
/** `deliverPending` gives up on events a transaction keeps unreadable after this many runs. */
const MAX_PENDING_RUNS = 10;
/** At most how many events one statement of `prune` deletes, so none becomes a long statement. */
const PRUNE_CHUNK = 10_000;
const DAY_MS = 24 * 3600 * 1000;

/**
 * Each subscriber's oldest unhandled event: the first of its types past its cursor (a subscriber
 * without a cursor row has handled nothing), in `(xid, id)` order — the index's — so the read
 * stops at the first match. Its age; null when none waits.
 */
const OLDEST_UNHANDLED_SQL = `
SELECT s.name AS subscriber,
       extract(epoch FROM now() - (
         SELECT e.created_at FROM outbox_events AS e
          WHERE (e.xid, e.id) > (coalesce(c.last_xid, '0'::xid8),
                                 coalesce(c.last_id, '00000000-0000-0000-0000-000000000000'::uuid))
            AND e.type = ANY(ARRAY(SELECT json_array_elements_text(s.types::json)))
          ORDER BY e.xid, e.id
          LIMIT 1))::float8 AS lag
  FROM unnest($1::text[], $2::text[]) AS s(name, types)
  LEFT JOIN outbox_subscriptions AS c ON c.subscriber = s.name`;

export interface OutboxOptions {
  pool: pg.Pool;
  queue: OutboxQueue;
  log: { warn(object: object, message: string): void; debug?(object: object, message: string): void };
  /** `OUTBOX_RETENTION_DAYS`: events every subscriber has passed are kept this long, then pruned. */
  retentionDays: number;
  /** The clock `prune` measures the retention with. */
  now?: () => Date;
  /** Told each dispatch run's result (metrics.ts `observeRelay`). */
  observer?: { observeRelay(subscriber: string, outcome: { delivered: number } | 'failed'): void };
}

export class Outbox implements OutboxWake {
  private readonly subscribers = new Map<string, Subscriber>();
  /** Per subscriber: a send on its way, and whether another wake came meanwhile. */
  private readonly sending = new Map<string, { again: boolean }>();

  constructor(private readonly options: OutboxOptions) {}

  /** Add subscribers (before the jobs are registered). A name used twice is a programmer error. */
  subscribe(...subscribers: Subscriber[]): void {
    for (const subscriber of subscribers) {
      if (this.subscribers.has(subscriber.name))
        throw new Error(`subscriber ${subscriber.name} is there twice`);
      this.subscribers.set(subscriber.name, subscriber);
    }
  }

  /** The dispatch job of every subscriber, the sweep and the pruning. */
  jobs(): JobDefinition[] {
    const dispatchers = [...this.subscribers.values()].map((subscriber) =>
      defineJob({
        name: dispatchJobName(subscriber.name),
        schedule: null,
        collapse: true,
        retry: { limit: 10, delaySeconds: 5, backoff: true },
        timeoutSeconds: 300,
        handler: async (_data: object, context) => {
          let result: Awaited<ReturnType<typeof dispatch>>;
          try {
            result = await dispatch({
              pool: this.options.pool,
              subscriber,
              retry: context.attempt > 0,
              log: this.options.log,
            });
          } catch (error) {
            this.options.observer?.observeRelay(subscriber.name, 'failed');
            throw error;
          }
          this.options.observer?.observeRelay(subscriber.name, result);
          if (result.pending) {
            await this.options.queue.send(
              dispatchJobName(subscriber.name),
              {},
              {
                startAfterSeconds: PENDING_RETRY_SECONDS,
              },
            );
          }
          return result;
        },
      }),
    );
    return [
      ...dispatchers,
      defineJob({
        name: OUTBOX_JOBS.sweep,
        schedule: { cron: '* * * * *' },
        retry: { limit: 0, delaySeconds: 0, backoff: false },
        timeoutSeconds: 60,
        handler: async () => {
          await this.wakeAll();
          return { woken: this.subscribers.size };
        },
      }),
      defineJob({
        name: OUTBOX_JOBS.prune,
        // Daily, at a quiet hour of the wallet's calendar (Asia/Shanghai).
        schedule: { cron: '40 3 * * *' },
        retry: { limit: 2, delaySeconds: 300, backoff: true },
        timeoutSeconds: 3600,
        handler: () => this.prune(),
      }),
    ];
  }

  /**
   * Delete the events that every subscriber of this process has passed — `(xid, id)` at or
   * before its cursor — and that are older than the retention, in statements of at most
   * `chunk` rows (10,000). A subscriber without a cursor row yet has passed nothing, so then nothing
   * is deleted; neither is anything while no subscriber is registered. Idempotent: a cursor only
   * moves forward, and a second run finds nothing more.
   */
  async prune(options: { chunk?: number } = {}): Promise<{ deleted: number }> {
    const chunk = options.chunk ?? PRUNE_CHUNK;
    const subscribers = [...this.subscribers.keys()];
    if (subscribers.length === 0) return { deleted: 0 };
    const now = this.options.now ?? (() => new Date());
    const before = new Date(now().getTime() - this.options.retentionDays * DAY_MS);
    let deleted = 0;
    for (;;) {
      const { rowCount } = await this.options.pool.query(
        `WITH cursors AS (
           SELECT c.last_xid, c.last_id
             FROM unnest($1::text[]) AS s(subscriber)
             LEFT JOIN outbox_subscriptions AS c ON c.subscriber = s.subscriber
         ), lowest AS (
           SELECT last_xid, last_id FROM cursors
            WHERE NOT EXISTS (SELECT 1 FROM cursors WHERE last_xid IS NULL)
            ORDER BY last_xid, last_id
            LIMIT 1
         )
         DELETE FROM outbox_events WHERE id = ANY(ARRAY(
           SELECT e.id FROM outbox_events AS e, lowest AS l
            WHERE (e.xid, e.id) <= (l.last_xid, l.last_id)
              AND e.created_at < $2
            LIMIT $3))`,
        [subscribers, before, chunk],
      );
      deleted += rowCount ?? 0;
      if ((rowCount ?? 0) < chunk) return { deleted };
    }
  }

  /**
   * After a commit with events: queue each dispatcher (a no-op while one waits) and poke this
   * process's worker. Never blocks or fails the caller: a lost wake is caught by the sweep.
   */
  wake(): void {
    for (const name of this.subscribers.keys()) this.send(name);
  }

  /**
   * Per subscriber, the age in seconds of the oldest event it has not handled yet (0 when none
   * waits), for `/metrics`. One indexed read per subscriber: its first event past its cursor.
   */
  async lagSeconds(): Promise<Map<string, number>> {
    const subscribers = [...this.subscribers.values()];
    const { rows } = await this.options.pool.query<{ subscriber: string; lag: number | null }>(
      OLDEST_UNHANDLED_SQL,
      [subscribers.map((s) => s.name), subscribers.map((s) => JSON.stringify(s.types))],
    );
    return new Map(rows.map((row) => [row.subscriber, Math.max(0, row.lag ?? 0)]));
  }

  /** Queue every dispatcher and wait for the sends (start-up, the sweep). */
  async wakeAll(): Promise<void> {
    await Promise.all(
      [...this.subscribers.keys()].map((name) =>
        this.options.queue.send(dispatchJobName(name), {}, { promptly: true }),
      ),
    );
  }

  /**
   * Deliver every event committed so far to every subscriber, in this process, now (tests and
   * tools; a test app runs no job workers). Waits for what is committed but not yet readable.
   */
  async deliverPending(): Promise<number> {
    let delivered = 0;
    for (const subscriber of this.subscribers.values()) {
      for (let run = 0; run < MAX_PENDING_RUNS; run++) {
        const result = await dispatch({
          pool: this.options.pool,
          subscriber,
          retry: true,
          log: this.options.log,
        });
        delivered += result.delivered;
        if (!result.pending) break;
      }
    }
    return delivered;
  }

  /** One send per subscriber at a time; wakes meanwhile become one more send after it. */
  private send(name: string): void {
    const pending = this.sending.get(name);
    if (pending) {
      pending.again = true;
      return;
    }
    const state = { again: false };
    this.sending.set(name, state);
    // A run hands over the events of many requests, each handled under its own id (dispatch.ts):
    // the job itself belongs to none of them.
    void outsideRequest(async () => {
      try {
        do {
          state.again = false;
          await this.options.queue.send(dispatchJobName(name), {}, { promptly: true });
          await sleep(WAKE_GAP_MS); // wakes meanwhile set `again`: one more send for all of them
        } while (state.again);
      } catch (error) {
        this.options.log.warn(
          { err: error, subscriber: name },
          'outbox: could not wake a dispatcher (the sweep will)',
        );
      } finally {
        this.sending.delete(name);
      }
    });
  }
}
