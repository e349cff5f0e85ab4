import type pg from 'pg';

/**
 * A migration belongs to the module that owns its tables. Names are globally ordered
 * (`0001_ledger_init`, `0101_identity_init` …) and never change once released.
 */
export interface Migration {
  name: string;
  sql: string;
}

const LOCK_KEY = 0x71616e62; // 'qanb': one migrator at a time across processes

/**
 * Apply pending migrations in name order, each in its own transaction, under an advisory lock
 * so that several server processes starting together migrate once.
 */
export async function migrate(pool: pg.Pool, migrations: readonly Migration[]): Promise<string[]> {
  const sorted = [...migrations].sort((a, b) => a.name.localeCompare(b.name));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.name === sorted[i - 1]!.name) throw new Error(`duplicate migration ${sorted[i]!.name}`);
  }
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    // Created only when missing: even `CREATE TABLE IF NOT EXISTS` needs CREATE on the schema,
    // which the application role does not have (docs/ledger.md, "Database roles"). An up-to-date
    // database is then started by that role without any DDL.
    const { rows: found } = await client.query<{ present: boolean }>(
      `SELECT to_regclass('schema_migrations') IS NOT NULL AS present`,
    );
    if (!found[0]!.present) {
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           name text PRIMARY KEY,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
    }
    const done = new Set(
      (await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name),
    );
    for (const migration of sorted) {
      if (done.has(migration.name)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [migration.name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        const denied = (error as { code?: string }).code === '42501'; // insufficient_privilege
        throw new Error(
          `migration ${migration.name} failed` +
            (denied
              ? ': this role may not change the schema; run `qianbao migrate` as the owner role first'
              : ''),
          { cause: error },
        );
      }
      applied.push(migration.name);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {});
    client.release();
  }
  return applied;
}
