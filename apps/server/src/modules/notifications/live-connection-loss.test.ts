/**
 * The listening connection of live notifications dies under it (PostgreSQL shutting down, an
 * administrator terminating it): a lost connection reports more than one error, and each used to
 * release it again — `Release called on client which has already been released to the pool`,
 * an uncaught exception that crashed the server on Ctrl-C. It is released exactly once, the
 * listener reconnects, and closing afterwards is clean.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient } from '@qianbao/db';
import { createTestDatabase } from '../../../../../test/support/database.ts';
import type { TestDatabase } from '../../../../../test/support/database.ts';
import { LiveNotifications } from './live.ts';
import type { Notification } from './service.ts';

let database: TestDatabase;
beforeAll(async () => (database = await createTestDatabase(4)));
afterAll(async () => database.drop());

const notification = (id: string): Notification => ({
  id,
  kind: 'test',
  params: {},
  title: { 'zh-CN': '标题', en: 'Title' },
  body: { 'zh-CN': '正文', en: 'Body' },
  createdAt: new Date('2026-12-05T00:00:00Z'),
  readAt: null,
});

it('survives its listening connection being terminated, reconnects, and closes cleanly', async () => {
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', onUncaught);
  const warnings: string[] = [];
  const live = new LiveNotifications(database.pool, { warn: (_object, message) => warnings.push(message) });
  const received: string[] = [];
  try {
    const unsubscribe = await live.subscribe('holder-1', {
      onNotification: (n) => received.push(n.id),
      onClose: () => {},
    });
    expect(unsubscribe).not.toBeNull();
    const terminated = await database.pool.query<{ terminated: boolean }>(
      `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
        WHERE datname = current_database() AND query LIKE 'LISTEN %'`,
    );
    expect(terminated.rows).toEqual([{ terminated: true }]);

    // It reconnects within its delay; a push then arrives again.
    const deadline = Date.now() + 10_000;
    while (!received.includes('after') && Date.now() < deadline) {
      await live.publish('holder-1', notification('after'));
      await live.flushed();
      await sleep(200);
    }
    expect(received).toContain('after');
    expect(warnings).toEqual(['live notifications: listening connection lost; reconnecting']);
  } finally {
    await live.close();
    await sleep(100);
    process.off('uncaughtException', onUncaught);
  }
  expect(uncaught).toEqual([]);
});

it('a connection lost after close() gave it back to the pool is not released a second time', async () => {
  // Ctrl-C in a terminal: close() has given the connection back while PostgreSQL, shutting down
  // too, terminates it.
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', onUncaught);
  try {
    const live = new LiveNotifications(database.pool, { warn: () => {} });
    await live.subscribe('holder-2', { onNotification: () => {}, onClose: () => {} });
    // A connection of its own: the pool's idle one may be the listener's, back from close().
    const admin = createClient(database.url, 'qianbao-test');
    await admin.connect();
    try {
      const listening = await admin.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'`,
      );
      expect(listening.rows).toHaveLength(1);
      await live.close();
      await admin.query('SELECT pg_terminate_backend($1)', [listening.rows[0]!.pid]);
    } finally {
      await admin.end();
    }
    await sleep(500);
  } finally {
    process.off('uncaughtException', onUncaught);
  }
  expect(uncaught).toEqual([]);
});
