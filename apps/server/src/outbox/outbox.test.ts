/**
 * The outbox core on real PostgreSQL: events commit with their transaction or not at all, reach
 * a subscriber at least once and in order per aggregate, are never skipped when transactions
 * commit out of order, are dispatched by one runner at a time, and a failing handler backs off.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { withTransaction } from '@qianbao/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../../test/support/database.ts';
import type { TestDatabase } from '../../../../test/support/database.ts';
import { dispatch } from './dispatch.ts';
import { appendEvents, moneyPayload } from './events.ts';
import type { NewEvent, OutboxEvent } from './events.ts';
import { defineSubscriber } from './subscriber.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

function event(aggregateId: string, step: number, type = 'test.happened'): NewEvent {
  return {
    type,
    aggregateType: 'thing',
    aggregateId,
    payload: { step: String(step), amount: moneyPayload(12_34n, 'CNY') },
    createdAt: new Date(),
  };
}

/** A subscriber that records what it is given, optionally failing on some events. */
function recorder(name: string, types = ['test.happened'], failOn?: (event: OutboxEvent) => boolean) {
  const seen: OutboxEvent[] = [];
  const subscriber = defineSubscriber({
    name,
    types,
    async handle(event) {
      // A little latency, so that events of different aggregates really interleave.
      await sleep(1);
      if (failOn?.(event)) throw new Error(`refused ${event.aggregateId}`);
      seen.push(event);
    },
  });
  return { subscriber, seen };
}

const steps = (seen: OutboxEvent[], aggregateId: string) =>
  seen.filter((e) => e.aggregateId === aggregateId).map((e) => e.payload.step);

describe('the outbox', () => {
  it('delivers committed events once, in order per aggregate; a rolled-back one never', async () => {
    const { subscriber, seen } = recorder('test.in-order');
    await withTransaction(db.pool, (client) =>
      appendEvents(client, [event('a', 1), event('b', 1), event('a', 2), event('c', 1)]),
    );
    await expect(
      withTransaction(db.pool, async (client) => {
        await appendEvents(client, [event('rolled-back', 1)]);
        throw new Error('the record failed');
      }),
    ).rejects.toThrow('the record failed');
    await withTransaction(db.pool, (client) => appendEvents(client, [event('a', 3), event('b', 2)]));
    await withTransaction(db.pool, (client) => appendEvents(client, [event('x', 1, 'test.other')]));

    expect(await dispatch({ pool: db.pool, subscriber, retry: false })).toEqual({ delivered: 6 });
    expect(steps(seen, 'a')).toEqual(['1', '2', '3']);
    expect(steps(seen, 'b')).toEqual(['1', '2']);
    expect(steps(seen, 'c')).toEqual(['1']);
    expect(seen.map((e) => e.aggregateId)).not.toContain('rolled-back');
    expect(seen.map((e) => e.type)).not.toContain('test.other');
    expect(seen[0]!.payload.amount).toEqual({ amount: '1234', currency: 'CNY' });
    // The cursor is in the database: a second run, or another process, delivers nothing again.
    expect(await dispatch({ pool: db.pool, subscriber, retry: false })).toEqual({ delivered: 0 });
    const { rows } = await db.pool.query(
      `SELECT delivered::int AS delivered FROM outbox_subscriptions WHERE subscriber = 'test.in-order'`,
    );
    expect(rows).toEqual([{ delivered: 6 }]);
  });

  it('never skips an event whose transaction commits after a later one', async () => {
    const { subscriber, seen } = recorder('test.out-of-order', ['test.late']);
    const early = await db.pool.connect();
    try {
      // `early` takes its transaction id first, then a later transaction commits first.
      await early.query('BEGIN');
      await appendEvents(early, [event('early', 1, 'test.late')]);
      await withTransaction(db.pool, (client) => appendEvents(client, [event('later', 1, 'test.late')]));
      // The run waits: the later event cannot be handed over while an earlier one may still come.
      const run = dispatch({ pool: db.pool, subscriber, retry: false });
      await sleep(200);
      expect(seen).toEqual([]);
      await early.query('COMMIT');
      expect(await run).toEqual({ delivered: 2 });
    } finally {
      early.release();
    }
    expect(seen.map((e) => e.aggregateId)).toEqual(['early', 'later']);
  });

  it('is not held back by a transaction of another database on the same server', async () => {
    const { subscriber, seen } = recorder('test.other-database', ['test.elsewhere']);
    const other = await createTestDatabase(1);
    const long = await other.pool.connect();
    try {
      // A transaction elsewhere takes an id first and stays open (a report, a stuck client).
      await long.query('BEGIN');
      await long.query('SELECT pg_current_xact_id()');
      await withTransaction(db.pool, (client) => appendEvents(client, [event('here', 1, 'test.elsewhere')]));
      const started = Date.now();
      expect(await dispatch({ pool: db.pool, subscriber, retry: false })).toEqual({ delivered: 1 });
      expect(Date.now() - started).toBeLessThan(1000);
      expect(seen.map((e) => e.aggregateId)).toEqual(['here']);
      // The same transaction in this database would hold it back (the case above).
      const { rows } = await db.pool.query<{ behind: boolean }>(
        'SELECT outbox_horizon() > pg_snapshot_xmin(pg_current_snapshot()) AS behind',
      );
      expect(rows).toEqual([{ behind: true }]);
    } finally {
      await long.query('ROLLBACK');
      long.release();
      await other.drop();
    }
  });

  it('runs one dispatcher per subscriber at a time: concurrent runs hand each event over once', async () => {
    const { subscriber, seen } = recorder('test.one-runner', ['test.many']);
    for (let batch = 0; batch < 5; batch++) {
      await withTransaction(db.pool, (client) =>
        appendEvents(
          client,
          Array.from({ length: 100 }, (_, i) => event(`agg-${i % 7}`, batch * 100 + i, 'test.many')),
        ),
      );
    }
    const runs = await Promise.all(
      Array.from({ length: 4 }, () => dispatch({ pool: db.pool, subscriber, retry: false })),
    );
    expect(runs.reduce((sum, run) => sum + run.delivered, 0)).toBe(500);
    expect(new Set(seen.map((e) => e.id)).size).toBe(500);
    for (let i = 0; i < 7; i++) {
      const order = steps(seen, `agg-${i}`).map(Number);
      expect(order).toEqual([...order].sort((x, y) => x - y));
    }
  });

  it('a failing handler: the batch comes again, the subscriber backs off, a retry delivers', async () => {
    let failing = true;
    const { subscriber, seen } = recorder(
      'test.failing',
      ['test.fragile'],
      (e) => failing && e.aggregateId === 'bad',
    );
    await withTransaction(db.pool, (client) =>
      appendEvents(client, [event('good', 1, 'test.fragile'), event('bad', 1, 'test.fragile')]),
    );
    await expect(dispatch({ pool: db.pool, subscriber, retry: false })).rejects.toThrow('refused bad');
    const { rows } = await db.pool.query<{ failures: number; backing_off: boolean; last_error: string }>(
      `SELECT failures, retry_at > now() AS backing_off, last_error FROM outbox_subscriptions
        WHERE subscriber = 'test.failing'`,
    );
    expect(rows).toEqual([{ failures: 1, backing_off: true, last_error: 'refused bad' }]);
    // A wake during the backoff delivers nothing; the queue's retry does.
    const waiting = await dispatch({ pool: db.pool, subscriber, retry: false });
    expect(waiting.delivered).toBe(0);
    expect(waiting.waitingUntil).toBeDefined();
    failing = false;
    expect(await dispatch({ pool: db.pool, subscriber, retry: true })).toEqual({ delivered: 2 });
    // At least once: `good` came twice (its batch was handed over again); handlers are idempotent.
    expect(steps(seen, 'good')).toEqual(['1', '1']);
    expect(steps(seen, 'bad')).toEqual(['1']);
    const after = await db.pool.query(
      `SELECT failures, retry_at FROM outbox_subscriptions WHERE subscriber = 'test.failing'`,
    );
    expect(after.rows).toEqual([{ failures: 0, retry_at: null }]);
  });

  it('refuses a malformed event type before writing anything', async () => {
    await expect(
      withTransaction(db.pool, (client) => appendEvents(client, [event('a', 1, 'NoModule')])),
    ).rejects.toThrow('is not module.what');
  });
});
