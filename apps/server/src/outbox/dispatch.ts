/**
 * One dispatch run of one subscriber: hand it every event committed since its cursor, in order,
 * and move the cursor. Run by the subscriber's job (outbox.ts), never by a timer.
 *
 * - **One dispatcher per subscriber, across processes**: the run holds a session advisory lock
 *   named after the subscriber; a second run waits for it (so a wake that arrives while a run
 *   finishes is never lost), and a killed process's lock goes with its connection.
 * - **Nothing skipped**: an event is read only once its transaction's id is below the oldest
 *   transaction of this database still running (`outbox_horizon()`, migration 0061: the
 *   statement snapshot's xmin, skipping transactions of other databases on the same server), so
 *   no transaction can still commit an event that sorts before the cursor. Order is `(xid, id)`:
 *   transaction, then append order.
 * - **In order per aggregate**: a batch's events are grouped by aggregate; the groups run side
 *   by side (bounded by the batch size), the events of a group one after another.
 * - **At least once**: the cursor moves after the whole batch is handled; a crash or a failure
 *   before that hands the batch over again. A failure also sets `retry_at` (doubling, at most
 *   `MAX_BACKOFF_SECONDS`): until then, wakes deliver nothing and only the job's own retry does.
 */
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { OutboxEvent } from './events.ts';
import type { Subscriber } from './subscriber.ts';
import { withRequestId } from '../http/request-context.ts';

export const DISPATCH_BATCH_SIZE = 200;
/** Batches per run: a run ends, and the queue records it, at least this often under load. */
const MAX_BATCHES_PER_RUN = 50;
const LOCK_TIMEOUT = '60s';
/**
 * An event committed but not yet readable (a transaction of this database that began before it
 * is still running) is waited for this long, checking
 * every `VISIBILITY_POLL_MS`; after that the run ends with `pending` and is queued again.
 */
const VISIBILITY_WAIT_MS = 3000;
const VISIBILITY_POLL_MS = 10;
const MAX_BACKOFF_SECONDS = 300;
const MAX_ERROR_CHARS = 1000;
const RAN_BY = `${hostname()}:${process.pid}`;

/**
 * One statement per batch: the next events past the cursor `($1, $2)` of the subscriber's types
 * `$3` that are readable (below the horizon), at most `$4`, in `(xid, id)` order, each with
 * `later`: whether any event past the cursor is not readable yet — both under one snapshot and
 * horizon. No event readable: one row of nulls, with `later`.
 *
 * - Ordered by the columns, not by the text of `xid` (text order puts '10' before '9': a batch
 *   across a power of ten moved the cursor past events it had not read), and in index order, so
 *   a batch reads its rows and no further.
 * - The `later` probe starts its index scan at the horizon (`xid >= …` alone is its index
 *   condition; "past the cursor" is a filter, equivalent there to the row comparison since
 *   `xid >= $1`), so it never walks the events between the cursor and the horizon.
 */
const BATCH_SQL = `
WITH horizon AS MATERIALIZED (SELECT outbox_horizon() AS x),
probe AS (
  SELECT (
    SELECT e.xid FROM outbox_events AS e
     WHERE e.xid >= (SELECT x FROM horizon) AND e.xid >= $1::xid8
       AND (e.xid <> $1::xid8 OR e.id > $2::uuid)
       AND e.type = ANY($3::text[])
     ORDER BY e.xid
     LIMIT 1) IS NOT NULL AS later)
SELECT b.id, b.xid::text AS xid_text, b.type, b.aggregate_type, b.aggregate_id, b.payload, b.created_at,
       b.request_id, probe.later
  FROM probe LEFT JOIN LATERAL (
    SELECT e.id, e.xid, e.type, e.aggregate_type, e.aggregate_id, e.payload, e.created_at, e.request_id
      FROM outbox_events AS e
     WHERE (e.xid, e.id) > ($1::xid8, $2::uuid)
       AND e.xid < (SELECT x FROM horizon)
       AND e.type = ANY($3::text[])
     ORDER BY e.xid, e.id
     LIMIT $4) AS b ON true
 ORDER BY b.xid, b.id`;

export interface DispatchLog {
  debug?(object: object, message: string): void;
}

export interface DispatchResult {
  delivered: number;
  /** Events committed after transactions still running: not readable yet, the run ends before them. */
  pending?: boolean;
  /** Set when the subscriber is backing off after a failure and this run was not its retry. */
  waitingUntil?: string;
}

interface EventRecord {
  id: string;
  xid_text: string;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  payload: OutboxEvent['payload'];
  created_at: Date;
  request_id: string | null;
}

interface Cursor {
  last_xid: string;
  last_id: string;
  failures: number;
  retry_at: Date | null;
}

export async function dispatch(input: {
  pool: pg.Pool;
  subscriber: Subscriber;
  /** A retry of a failed run (the queue's backoff elapsed): it ignores `retry_at`. */
  retry: boolean;
  batchSize?: number;
  /** Each event handed over is a debug line, under the id of the request that wrote it. */
  log?: DispatchLog;
}): Promise<DispatchResult> {
  const { pool, subscriber } = input;
  const batchSize = input.batchSize ?? DISPATCH_BATCH_SIZE;
  const client = await pool.connect();
  let broken: Error | undefined;
  const lockName = `outbox:${subscriber.name}`;
  try {
    // Almost always free: one statement. Taken (another process's run, or this one's last run
    // still ending): wait for it, bounded.
    const free = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
      [lockName],
    );
    if (!free.rows[0]!.locked) {
      await client.query(`SET lock_timeout = '${LOCK_TIMEOUT}'`);
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [lockName]);
      await client.query('RESET lock_timeout');
    }
    try {
      return await dispatchLocked(client, subscriber, batchSize, input.retry, input.log);
    } finally {
      await client
        .query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockName])
        .catch((error: unknown) => (broken = error as Error));
    }
  } catch (error) {
    broken ??= error as Error;
    throw error;
  } finally {
    // A connection whose unlock failed may still hold the lock: it must not go back to the pool.
    client.release(broken);
  }
}

async function dispatchLocked(
  client: pg.PoolClient,
  subscriber: Subscriber,
  batchSize: number,
  retry: boolean,
  log: DispatchLog | undefined,
): Promise<DispatchResult> {
  // The claim: who dispatches now (for `qianbao jobs` readers and operators); never moves the
  // cursor. A subscriber's first run makes its row.
  const claimed = await client.query<Cursor>(
    `INSERT INTO outbox_subscriptions AS s (subscriber, claimed_by, claimed_at) VALUES ($1, $2, now())
     ON CONFLICT (subscriber) DO UPDATE SET claimed_by = excluded.claimed_by, claimed_at = excluded.claimed_at
     RETURNING s.last_xid::text AS last_xid, s.last_id, s.failures, s.retry_at`,
    [subscriber.name, RAN_BY],
  );
  const cursor = claimed.rows[0]!;
  if (!retry && cursor.retry_at !== null && cursor.retry_at.getTime() > Date.now()) {
    return { delivered: 0, waitingUntil: cursor.retry_at.toISOString() };
  }
  let delivered = 0;
  let last = { xid: cursor.last_xid, id: cursor.last_id };
  const waitUntil = Date.now() + VISIBILITY_WAIT_MS;
  for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
    const { rows: read } = await client.query<EventRecord & { later: boolean }>(BATCH_SQL, [
      last.xid,
      last.id,
      subscriber.types,
      batchSize,
    ]);
    const later = read[0]!.later;
    const rows = read[0]!.id === null ? [] : read;
    if (rows.length === 0) {
      if (!later) break;
      if (Date.now() > waitUntil) return { delivered, pending: true };
      await sleep(VISIBILITY_POLL_MS);
      batch -= 1; // waiting is not a batch
      continue;
    }
    try {
      const events = rows.map(eventOf);
      await (subscriber.handleBatch
        ? subscriber.handleBatch(events)
        : handleInOrderPerAggregate(subscriber, events, log));
    } catch (error) {
      await client.query(
        `UPDATE outbox_subscriptions
            SET failures = failures + 1, last_error = $2, updated_at = now(),
                retry_at = now() + make_interval(secs => least($3::int, 2 ^ least(failures, 16)))
          WHERE subscriber = $1`,
        [
          subscriber.name,
          String((error as Error).message ?? error).slice(0, MAX_ERROR_CHARS),
          MAX_BACKOFF_SECONDS,
        ],
      );
      throw error;
    }
    const end = rows.at(-1)!;
    last = { xid: end.xid_text, id: end.id };
    await client.query(
      `UPDATE outbox_subscriptions
          SET last_xid = $2::xid8, last_id = $3, delivered = delivered + $4, failures = 0, retry_at = NULL,
              last_error = NULL, updated_at = now()
        WHERE subscriber = $1`,
      [subscriber.name, last.xid, last.id, rows.length],
    );
    delivered += rows.length;
    // A short batch read everything readable: events committed since have woken another run, so
    // this one ends — unless some are committed behind a transaction still running, which no
    // wake will follow when that transaction writes no event (the wait above handles them).
    if (rows.length < batchSize && !later) break;
  }
  if (delivered === 0 && cursor.failures > 0) {
    // Nothing (left) to deliver: whatever failed is behind us.
    await client.query(
      'UPDATE outbox_subscriptions SET failures = 0, retry_at = NULL, updated_at = now() WHERE subscriber = $1',
      [subscriber.name],
    );
  }
  return { delivered };
}

async function handleInOrderPerAggregate(
  subscriber: Subscriber,
  events: OutboxEvent[],
  log: DispatchLog | undefined,
): Promise<void> {
  const groups = new Map<string, OutboxEvent[]>();
  for (const event of events) {
    const key = `${event.aggregateType}:${event.aggregateId}`;
    const group = groups.get(key);
    if (group) group.push(event);
    else groups.set(key, [event]);
  }
  // At most `batchSize` groups, so bounded; every group runs to its end or its first failure.
  const outcomes = await Promise.allSettled(
    [...groups.values()].map(async (group) => {
      for (const event of group) {
        // Whatever the handler logs (and the jobs it queues) names the request that wrote the event.
        await withRequestId(event.requestId ?? null, () => {
          log?.debug?.(
            { subscriber: subscriber.name, eventId: event.id, type: event.type },
            'outbox: event relayed',
          );
          return subscriber.handle(event);
        });
      }
    }),
  );
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
}

function eventOf(record: EventRecord): OutboxEvent {
  return {
    id: record.id,
    type: record.type,
    aggregateType: record.aggregate_type,
    aggregateId: record.aggregate_id,
    payload: record.payload,
    createdAt: record.created_at,
    requestId: record.request_id,
  };
}
