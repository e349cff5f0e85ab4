import path from 'node:path';
import type { TestProject } from 'vitest/node';
import {
  createClient,
  migrate,
  quoteIdent,
  startEmbeddedPostgres,
  withDatabase,
  createPool,
} from '@qianbao/db';
import { allMigrations } from '@qianbao/server/migrations';

export const TEMPLATE_DATABASE = 'qianbao_test_template';

/**
 * Before any test file runs: find a PostgreSQL (DATABASE_URL, or start the embedded one under
 * ./data/test-pg), build one migrated template database, and hand its server URL to the workers.
 * Each test file then clones the template (fast: CREATE DATABASE … TEMPLATE).
 */
export default async function setup(project: TestProject) {
  let stop: (() => Promise<void>) | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const port = Number(process.env.QIANBAO_TEST_PG_PORT ?? 54330);
    const pg = await startEmbeddedPostgres({ dataDir: path.resolve('data/test-pg'), port });
    serverUrl = pg.connectionString;
    stop = pg.stop;
  }
  const admin = createClient(withDatabase(serverUrl, 'postgres'), 'qianbao-test-setup');
  await admin.connect();
  // Drop databases left by an earlier interrupted run, then rebuild the template from scratch.
  const stale = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE 'qianbao_test_%'`,
  );
  for (const { datname } of stale.rows) {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`);
  }
  await admin.query(`CREATE DATABASE ${quoteIdent(TEMPLATE_DATABASE)}`);
  const templatePool = createPool({ connectionString: withDatabase(serverUrl, TEMPLATE_DATABASE), max: 1 });
  await migrate(templatePool, allMigrations);
  await templatePool.end();
  await admin.end();

  project.provide('databaseServerUrl', serverUrl);
  return async () => {
    if (stop) await stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseServerUrl: string;
  }
}
