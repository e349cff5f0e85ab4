/**
 * A crash at an exact point of a real server's work: a trigger on the table the next step writes
 * waits for an advisory lock the test holds; once the server's expected statement waits there,
 * the server is SIGKILLed and every backend it had is terminated, so nothing it sent runs after
 * the crash. Used by the crash tests of the outbox and of payments held for review.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { TestDatabase } from '../support/database.ts';
import type { ServerProcess } from './server-process.ts';

/** The test's own connections (test/support/database.ts); every other one belongs to the server. */
const TEST_APPLICATION_NAME = 'qianbao-test';
const STUCK_TIMEOUT_MS = 30_000;

export interface CrashPoint {
  /** The trigger: before this event on this table, for rows matching `when` (SQL over NEW). */
  gate: { table: string; event: 'INSERT' | 'UPDATE'; when: string };
  /** SQL LIKE of the server's statement that must be waiting at the gate. */
  stuck: string;
  /** What makes the server reach the point (a request; its failure is expected). */
  act: () => Promise<unknown>;
  /** Whatever else must be true at the point (the steps before it done). */
  reached: () => Promise<boolean>;
  /** The state the crash left, before any server can change it. */
  whileDown: () => Promise<void>;
}

/**
 * Hold the gate, install the trigger, run `act`; at the point SIGKILL `server()` and end its
 * backends, drop the trigger, run `whileDown`. The caller starts the next server.
 */
export async function crashAt(
  db: TestDatabase,
  server: () => ServerProcess,
  lockKey: number,
  point: CrashPoint,
): Promise<void> {
  const gate: pg.PoolClient = await db.pool.connect();
  const trigger = `test_crash_gate_${lockKey}`;
  try {
    await gate.query('SELECT pg_advisory_lock($1)', [lockKey]);
    await gate.query(`CREATE OR REPLACE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_advisory_xact_lock_shared(${lockKey}); RETURN NEW; END $$`);
    await gate.query(
      `CREATE TRIGGER ${trigger} BEFORE ${point.gate.event} ON ${point.gate.table} FOR EACH ROW
       WHEN (${point.gate.when}) EXECUTE FUNCTION ${trigger}()`,
    );
    const acting = point.act().catch((error: unknown) => error);
    const deadline = Date.now() + STUCK_TIMEOUT_MS;
    for (;;) {
      // Exactly the gate's lock (a bigint key: classid is its high half, objid its low half,
      // objsubid 1), not whatever else waits on an advisory lock.
      const stuck = await db.pool.query(
        `SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND NOT l.granted
            AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND l.classid = 0 AND l.objid = $1 AND l.objsubid = 1
            AND a.application_name <> $2 AND a.query LIKE $3`,
        [lockKey, TEST_APPLICATION_NAME, point.stuck],
      );
      if ((await point.reached()) && stuck.rows.length > 0) break;
      if (Date.now() > deadline) throw new Error(`not at the crash point\n${server().output()}`);
      await sleep(20);
    }
    await server().kill();
    // A backend of the dead server may still run a statement the server sent just before the
    // kill; ending them all (and waiting until they are gone) makes the crash point exact.
    const serverBackends = `SELECT pid FROM pg_stat_activity
      WHERE datname = current_database() AND backend_type = 'client backend'
        AND pid <> pg_backend_pid() AND application_name <> $1`;
    await db.pool.query(`SELECT pg_terminate_backend(pid) FROM (${serverBackends}) s`, [
      TEST_APPLICATION_NAME,
    ]);
    for (;;) {
      if ((await db.pool.query(serverBackends, [TEST_APPLICATION_NAME])).rows.length === 0) break;
      if (Date.now() > deadline) throw new Error('the dead server still has backends');
      await sleep(20);
    }
    await acting;
    await gate.query(`DROP TRIGGER ${trigger} ON ${point.gate.table}`);
  } finally {
    await gate.query('SELECT pg_advisory_unlock_all()');
    gate.release();
  }
  await point.whileDown();
}
