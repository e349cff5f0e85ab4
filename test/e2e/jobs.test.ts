/**
 * Background jobs with two real `qianbao start` processes on one database (ADR 0013): a job
 * scheduled every second runs once per tick — in one process or the other, never both, never
 * overlapping — so a hold is voided about a second after its timeout, exactly once; `qianbao
 * jobs` shows what ran and what comes next; both servers stop gracefully with their workers.
 * (The cron path across runners and retries with backoff: apps/server/src/jobs/jobs.test.ts.)
 */
import { newId } from '@qianbao/ledger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQianbao } from '../../apps/cli/src/testing.ts';
import { createTestDatabase } from '../support/database.ts';
import type { TestDatabase } from '../support/database.ts';
import { CURRENCY, assertBooksBalance, openFundedCustomers, submitTransfers } from './ledger-http.ts';
import { killAllServers, startServerProcess } from './server-process.ts';
import type { ServerProcess } from './server-process.ts';

const TICKS = 6;

describe('background jobs across two server processes', () => {
  let db: TestDatabase;
  let servers: ServerProcess[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    killAllServers();
    await Promise.all(servers.map((server) => server.exited));
    await db?.drop();
  });

  it(
    'runs each tick once in one of them, voids an expired hold once, and `qianbao jobs` shows it',
    { timeout: 120_000 },
    async () => {
      servers = await Promise.all([
        startServerProcess({ databaseUrl: db.url }),
        startServerProcess({ databaseUrl: db.url }),
      ]);
      const pids = servers.map((server) => String(server.pid));

      // A hold of one second, through the first server's ledger API.
      const books = await openFundedCustomers(servers[0]!.url, 1, 10_000n);
      const hold = {
        id: newId(),
        debitAccountId: books.customers[0]!,
        creditAccountId: books.system,
        amount: '2500',
        currency: CURRENCY,
        code: 10,
        flags: ['pending' as const],
        timeoutSeconds: 1,
      };
      const held = await submitTransfers(servers[0]!.url, [hold]);
      expect(held.kind === 'answered' && held.results[0]?.result).toBe('ok');
      const heldAt = Date.now();
      const voids = () =>
        db.pool.query<{ flags: number }>('SELECT flags FROM ledger_transfers WHERE pending_id = $1', [
          hold.id,
        ]);
      await expect.poll(async () => (await voids()).rowCount, { timeout: 10_000, interval: 100 }).toBe(1);
      // Due after 1 s; voided by the next tick (every second) and its poll (≤ 0.5 s), with room
      // for a loaded machine.
      expect(Date.now() - heldAt).toBeLessThan(5000);

      // Enough ticks to see who ran them.
      const runs = async () =>
        (
          await db.pool.query<{ started_on: Date; completed_on: Date; ran_by: string }>(
            `SELECT started_on, completed_on, output->>'ranBy' AS ran_by FROM pgboss.job
              WHERE name = 'ledger.expire-holds' AND state = 'completed' ORDER BY started_on`,
          )
        ).rows;
      await expect
        .poll(async () => (await runs()).length, { timeout: 30_000, interval: 250 })
        .toBeGreaterThan(TICKS);
      const ticks = await runs();
      // Every tick ran in one of the two servers …
      for (const tick of ticks) expect(pids).toContain(tick.ran_by.split(':').at(-1));
      // … one at a time, about one per second (a start-up send or the minute's restart may add one
      // right after a tick): two chains, one per server, would double them.
      for (let i = 1; i < ticks.length; i++) {
        expect(ticks[i]!.started_on.getTime()).toBeGreaterThanOrEqual(ticks[i - 1]!.completed_on.getTime());
      }
      const spanMs = ticks.at(-1)!.started_on.getTime() - ticks[0]!.started_on.getTime();
      expect(ticks.length - 1).toBeLessThanOrEqual(Math.ceil(spanMs / 1000) + 2);
      // The hold was voided once, by the ledger's expiry (a derived id: a second void is `exists`).
      expect((await voids()).rowCount).toBe(1);

      const listed = await runQianbao(['jobs', '--limit', '5'], { DATABASE_URL: db.url });
      expect(listed.code, listed.stderr).toBe(0);
      const lines = listed.stdout.split('\n');
      const line = (job: string) => lines.find((text) => text.startsWith(`${job} `)) ?? '';
      expect(line('ledger.expire-holds')).toMatch(/every 1 s\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d completed/);
      expect(line('funding.recover')).toContain('every 5 s');
      expect(line('identity.sweep')).toMatch(
        /cron 0 \* \* \* \* \(Asia\/Shanghai\)\s+never\s+\d{4}-\d\d-\d\d \d\d:00:00/,
      );
      expect(line('idempotency.sweep')).toContain('cron */10 * * * *');
      expect(line('funding.reconcile')).toContain('cron 5 * * * *');
      expect(listed.stdout).toContain('Recent runs (newest first):');
      expect(pids.some((pid) => listed.stdout.includes(`:${pid}`))).toBe(true);
      const json = await runQianbao(['jobs', '--json', '--job', 'ledger.expire-holds'], {
        DATABASE_URL: db.url,
      });
      expect(JSON.parse(json.stdout)).toMatchObject({
        queues: [{ job: 'ledger.expire-holds', schedule: { everyMs: 1000 }, waiting: 1 }],
      });

      // Graceful: each stops its workers (a tick in flight finishes) and exits 0.
      const exits = await Promise.all(servers.map((server) => server.stop()));
      expect(exits).toEqual([
        { code: 0, signal: null },
        { code: 0, signal: null },
      ]);
      const { rows: active } = await db.pool.query(`SELECT 1 FROM pgboss.job WHERE state = 'active'`);
      expect(active).toEqual([]);
      await assertBooksBalance(db.pool);
    },
  );
});
