import type pg from 'pg';
import { isUnavailable } from './failures.ts';

export type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

/**
 * Run `work` in one transaction on one connection of the pool: COMMIT when it resolves,
 * ROLLBACK when it throws (the error is rethrown), the connection released either way.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  isolation: IsolationLevel = 'READ COMMITTED',
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(`BEGIN ISOLATION LEVEL ${isolation}`);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    // A connection lost, or on a node that no longer takes writes (a demoted leader), is not
    // pooled again: the next checkout opens a fresh one, to the new leader (ADR 0027).
    if (isUnavailable(error)) broken = error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}
