import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { inject } from 'vitest';
import { createClient, createPool, quoteIdent, withDatabase } from '@qianbao/db';

export interface TestDatabase {
  /** Connection string of this test's own database. */
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file (or one test). */
export async function createTestDatabase(poolMax = 10): Promise<TestDatabase> {
  const serverUrl = inject('databaseServerUrl');
  const template = inject('templateDatabase');
  // Same prefix as the template (the run's pid), so the run's teardown finds and drops it.
  const name = `${template.replace(/template$/, '')}${randomBytes(6).toString('hex')}`;
  const admin = createClient(withDatabase(serverUrl, 'postgres'), 'qianbao-test');
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(serverUrl, name);
  const pool = createPool({ connectionString: url, max: poolMax, applicationName: 'qianbao-test' });
  return {
    url,
    pool,
    async drop() {
      await pool.end();
      const client = createClient(withDatabase(serverUrl, 'postgres'), 'qianbao-test');
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
