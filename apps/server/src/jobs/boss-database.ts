import type pg from 'pg';
import type PgBoss from 'pg-boss';

/** pg-boss's tables live in a schema of their own, next to ours in `public`. */
export const JOBS_SCHEMA = 'pgboss';

/**
 * pg-boss's statements on our pool (int8 as bigint: pg-boss parses every count it reads, so
 * that is safe), with two guards the library's own pool lacks:
 * - its maintenance, installation and upgrades are scripts with their own BEGIN … COMMIT; one
 *   that fails would hand the pooled connection back inside an aborted transaction, breaking
 *   the next request that gets it. Scripts run on a checked-out connection that is rolled back
 *   (or discarded) when they fail;
 * - it records a job's completion or failure without awaiting it, so a failed statement there
 *   would be an unhandled rejection, which ends a Node process. Every statement's promise gets
 *   a handler (`onError`); callers that await it still see the error. Such a job stays active
 *   until its timeout fails it, and it is retried.
 * - pg-boss's own `complete` and `fail` of a fetched job rethrow that failure from a promise its
 *   worker never awaits (pg-boss 10, manager.js `onFetch`): a handler on the statement is not
 *   enough, the rejection of `complete()` itself is unhandled and ends the process — which is what
 *   a database failover did (ADR 0027). Those two statements therefore answer "no job changed"
 *   when they fail; the job stays active until its timeout fails it, and it is retried, as above.
 */
export function bossDatabase(pool: pg.Pool, onError: (error: unknown) => void = () => {}): PgBoss.Db {
  return {
    executeSql(text: string, values?: unknown[]) {
      const result: Promise<{ rows: unknown[] }> =
        values === undefined && /^\s*BEGIN\b/i.test(text) ? runScript(pool, text) : pool.query(text, values);
      result.catch(onError);
      if (isUnawaitedCompletion(text)) return result.catch(() => ({ rows: [{ count: 0 }] }));
      return result;
    },
  };
}

/** pg-boss 10's `completeJobs` and `failJobsById` statements (plans.js), by their shape. */
function isUnawaitedCompletion(text: string): boolean {
  const byIds = text.includes('id IN (SELECT UNNEST($2::uuid[]))');
  return (
    byIds && (/^\s*WITH results AS \(\s*UPDATE\b/.test(text) || /^\s*WITH deleted_jobs AS \(/.test(text))
  );
}

async function runScript(pool: pg.Pool, text: string): Promise<{ rows: unknown[] }> {
  const client = await pool.connect();
  let broken = false;
  try {
    // A script answers one result per statement; pg-boss reads none of them.
    await client.query(text);
    return { rows: [] };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
