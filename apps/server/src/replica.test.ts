import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPool } from '@qianbao/db';
import { createTestDatabase } from '../../../test/support/database.ts';
import type { TestDatabase } from '../../../test/support/database.ts';
import { ReplicaReads } from './replica.ts';

/** Which database answered: the primary and the "replica" are told apart by application_name. */
const whoAnswers = async (pool: pg.Pool) =>
  (await pool.query<{ name: string }>("SELECT current_setting('application_name') AS name")).rows[0]!.name;

describe('ReplicaReads: the replica takes reads only when it has caught up and answers', () => {
  let db: TestDatabase;
  let replica: pg.Pool;
  let gone: pg.Pool;
  beforeAll(async () => {
    db = await createTestDatabase();
    replica = createPool({ connectionString: db.url, max: 2, applicationName: 'replica' });
    // Nobody listens on port 1: connections are refused, as by a replica that is down.
    const url = new URL(db.url);
    url.port = '1';
    gone = createPool({ connectionString: url.toString(), max: 1, applicationName: 'replica' });
  });
  afterAll(async () => {
    await replica.end();
    await gone.end();
    await db.drop();
  });

  it('caught up: the replica answers', async () => {
    const reads = new ReplicaReads(db.pool, replica);
    expect(await reads.read(() => Promise.resolve(true), whoAnswers)).toBe('replica');
    expect(reads.stats()).toMatchObject({ replica: 1, primary: 0 });
  });

  it('lagging (it has not replayed what the caller must see): the primary answers', async () => {
    const reads = new ReplicaReads(db.pool, replica);
    expect(await reads.read(() => Promise.resolve(false), whoAnswers)).toBe('qianbao-test');
    expect(reads.stats()).toMatchObject({ replica: 0, primary: 1 });
  });

  it('down: the primary answers, and the replica is not asked again for a while', async () => {
    const reads = new ReplicaReads(db.pool, gone);
    let asked = 0;
    const caughtUp = async (pool: pg.Pool) => {
      asked++;
      await pool.query('SELECT 1');
      return true;
    };
    expect(await reads.read(caughtUp, whoAnswers)).toBe('qianbao-test');
    expect(await reads.read(caughtUp, whoAnswers)).toBe('qianbao-test');
    expect(asked).toBe(1);
    expect(reads.stats()).toEqual({ replica: 0, primary: 2, replicaFailures: 1 });
  });

  it('slow to say whether it has caught up (over 0.5 s): the primary answers', async () => {
    const reads = new ReplicaReads(db.pool, replica);
    const slow = async (pool: pg.Pool) => {
      await pool.query('SELECT pg_sleep(2)');
      return true;
    };
    const startedAt = Date.now();
    expect(await reads.read(slow, whoAnswers)).toBe('qianbao-test');
    expect(Date.now() - startedAt).toBeLessThan(1500);
  });

  it('no replica configured: always the primary', async () => {
    const reads = new ReplicaReads(db.pool, null);
    expect(await reads.read(() => Promise.resolve(true), whoAnswers)).toBe('qianbao-test');
  });

  it('a bug in the read is not hidden by a fallback', async () => {
    const reads = new ReplicaReads(db.pool, replica);
    await expect(
      reads.read(
        () => Promise.resolve(true),
        (pool) => pool.query('SELECT * FROM no_such_table'),
      ),
    ).rejects.toThrow(/no_such_table/);
  });
});
