import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createClient, quoteIdent, startEmbeddedPostgres, withDatabase, createPool } from '@qianbao/db';
import { migrateSchema } from '@qianbao/server/migrations';

const USERS_DIR = path.resolve('data/test-pg-users');

/** Databases of this run carry its pid, so runs side by side never drop each other's. */
const RUN_PREFIX = `qianbao_test_${process.pid}_`;
const TEMPLATE_DATABASE = `${RUN_PREFIX}template`;

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
    // Runs side by side share one embedded server; each registers itself, and the last one out
    // stops it.
    mkdirSync(USERS_DIR, { recursive: true });
    const pg = await withUsersLock(async () => {
      writeFileSync(path.join(USERS_DIR, String(process.pid)), '');
      return startEmbeddedPostgres({ dataDir: path.resolve('data/test-pg'), port, reuseRunning: true });
    });
    serverUrl = pg.connectionString;
    stop = () =>
      withUsersLock(async () => {
        rmSync(path.join(USERS_DIR, String(process.pid)), { force: true });
        const others = readdirSync(USERS_DIR).filter(
          (name) => /^\d+$/.test(name) && isAlive(Number.parseInt(name, 10)),
        );
        if (others.length === 0) await pg.stop();
      });
  }
  const admin = createClient(withDatabase(serverUrl, 'postgres'), 'qianbao-test-setup');
  await admin.connect();
  // Drop databases left by earlier runs whose process is gone (killed before its teardown).
  const stale = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE 'qianbao\\_test\\_%'`,
  );
  for (const { datname } of stale.rows) {
    const pid = Number.parseInt(datname.split('_')[2] ?? '', 10);
    if (Number.isSafeInteger(pid) && !isAlive(pid)) {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`);
    }
  }
  await admin.query(`CREATE DATABASE ${quoteIdent(TEMPLATE_DATABASE)}`);
  const templatePool = createPool({ connectionString: withDatabase(serverUrl, TEMPLATE_DATABASE), max: 1 });
  await migrateSchema(templatePool); // our migrations, the job queue's schema and its queues
  await templatePool.end();
  await admin.end();

  project.provide('databaseServerUrl', serverUrl);
  project.provide('templateDatabase', TEMPLATE_DATABASE);
  return async () => {
    const cleanup = createClient(withDatabase(serverUrl, 'postgres'), 'qianbao-test-teardown');
    await cleanup.connect();
    const mine = await cleanup.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [RUN_PREFIX],
    );
    for (const { datname } of mine.rows) {
      await cleanup.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`);
    }
    await cleanup.end();
    if (stop) await stop();
  };
}

/**
 * Registering and starting, or unregistering and stopping, happen under one lock (an atomic
 * mkdir), so a run never reuses a server that the last run out is just stopping.
 */
async function withUsersLock<T>(work: () => Promise<T>): Promise<T> {
  const lock = path.join(USERS_DIR, '.lock');
  for (let waitedMs = 0; ; waitedMs += 50) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waitedMs > 120_000) rmSync(lock, { recursive: true, force: true }); // left by a killed run
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseServerUrl: string;
    templateDatabase: string;
  }
}
