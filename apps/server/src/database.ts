import { readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { createClient, createPool, quoteIdent, startEmbeddedPostgres, withDatabase } from '@qianbao/db';
import type { PostgresExit } from '@qianbao/db';
import type { Config } from './config.ts';

/** The application's database on the embedded server. */
const DATABASE_NAME = 'qianbao';
// The embedded server's superuser, as set up by @qianbao/db's startEmbeddedPostgres.
const EMBEDDED_USER = 'postgres';
const EMBEDDED_PASSWORD = 'qianbao';

export interface Database {
  pool: pg.Pool;
  /** DATABASE_REPLICA_URL's pool, for holders' history reads (ADR 0027); null without one. */
  replicaPool: pg.Pool | null;
  /** For a second pool of its own (the ledger's writer); holds the password, never print it. */
  connectionString: string;
  /** Where the data lives, for people (no password). */
  description: string;
  /** End the pool, then stop the embedded server if this process started it. */
  close(): Promise<void>;
  /**
   * The embedded server this process started, when it exits without `close()` having stopped it
   * (killed, crashed). Absent for DATABASE_URL and for a server another process started.
   */
  embeddedServerExit?: Promise<EmbeddedServerExit>;
}

export interface EmbeddedServerExit extends PostgresExit {
  pid: number;
}

export interface OpenDatabaseOptions {
  config: Pick<Config, 'database' | 'dataDir' | 'embeddedPostgresPort'>;
  print: (line: string) => void;
  /**
   * What to do when an embedded server is already running on the data directory:
   * `connect` to it (one-off commands next to a running Qianbao), or `start` our own — refused
   * while another live process owns that server, since starting would shut it down.
   */
  whenEmbeddedRunning: 'connect' | 'start';
  /** Told of each connection of the pool that broke (a failover, a restart): for metrics. */
  onConnectionError?: (error: Error) => void;
}

/** The external database of DATABASE_URL, or the embedded server under `<dataDir>/pg`. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const { config, print } = options;
  if (config.database.url !== null) {
    const pool = createPool({
      connectionString: config.database.url,
      max: config.database.poolMax,
      ...(options.onConnectionError ? { onConnectionError: options.onConnectionError } : {}),
    });
    // Reads only; small, since the primary answers whatever the replica cannot.
    const replicaUrl = config.database.replicaUrl;
    const replicaPool =
      replicaUrl === null
        ? null
        : createPool({
            connectionString: replicaUrl,
            max: Math.max(2, Math.ceil(config.database.poolMax / 2)),
          });
    return {
      pool,
      replicaPool,
      connectionString: config.database.url,
      description:
        describeUrl(config.database.url) + (replicaUrl ? ` (history reads: ${describeUrl(replicaUrl)})` : ''),
      close: async () => {
        await replicaPool?.end();
        await pool.end();
      },
    };
  }
  const dataDir = embeddedDataDir(config.dataDir);
  const running = findRunningEmbeddedPostgres(dataDir);
  if (running && options.whenEmbeddedRunning === 'connect') {
    print(`Using the embedded PostgreSQL already running on port ${running.port} (pid ${running.pid}).`);
    const serverUrl = `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${running.port}/postgres`;
    return connectEmbedded(serverUrl, config.database.poolMax, dataDir, async () => {});
  }
  if (running?.ownedByLiveProcess) {
    throw new Error(
      `Qianbao (pid ${running.ownerPid}) is already running on ${dataDir}; stop it first, or set QIANBAO_DATA_DIR to another directory.`,
    );
  }
  print(`Starting the embedded PostgreSQL in ${dataDir} (port ${config.embeddedPostgresPort})…`);
  const server = await startEmbeddedPostgres({
    dataDir,
    port: config.embeddedPostgresPort,
    // What the user should know about where things go (ADR 0011); the server's own log stays quiet.
    onLog: (message) => {
      if (
        message.startsWith('the "postgres" user') ||
        message.startsWith('creating the system user') ||
        message.includes('held the data of an earlier copy')
      ) {
        print(message);
      }
    },
  });
  try {
    const database = await connectEmbedded(server.connectionString, config.database.poolMax, dataDir, () =>
      server.stop(),
    );
    return {
      ...database,
      embeddedServerExit: server.unexpectedExit.then((exit) => ({ ...exit, pid: server.pid })),
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function connectEmbedded(
  serverUrl: string,
  poolMax: number,
  dataDir: string,
  stopServer: () => Promise<void>,
): Promise<Database> {
  await createDatabaseIfMissing(serverUrl, DATABASE_NAME);
  const connectionString = withDatabase(serverUrl, DATABASE_NAME);
  const pool = createPool({ connectionString, max: poolMax });
  return {
    pool,
    replicaPool: null,
    connectionString,
    description: `embedded PostgreSQL in ${dataDir}`,
    async close() {
      await pool.end();
      await stopServer();
    },
  };
}

function embeddedDataDir(dataDir: string): string {
  return path.join(dataDir, 'pg');
}

async function createDatabaseIfMissing(serverUrl: string, name: string): Promise<void> {
  const client = createClient(withDatabase(serverUrl, 'postgres'), 'qianbao-setup');
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${quoteIdent(name)}`).catch((error: unknown) => {
        // Another process created it between our check and our CREATE: that is what we wanted.
        if ((error as { code?: string }).code !== '42P04') throw error;
      });
    }
  } finally {
    await client.end();
  }
}

interface RunningEmbeddedPostgres {
  pid: number;
  port: number;
  /** The process that started the server, when it is still alive and is a Node process. */
  ownerPid: number | null;
  ownedByLiveProcess: boolean;
}

/**
 * A PostgreSQL server running on `postgresDataDir`, read from its `postmaster.pid` (first line: pid;
 * fourth: port). A server whose starter was killed (`kill -9`) is still running but has no live
 * owner: the init process adopted it.
 */
function findRunningEmbeddedPostgres(postgresDataDir: string): RunningEmbeddedPostgres | null {
  let lines: string[];
  try {
    lines = readFileSync(path.join(postgresDataDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return null;
  }
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  if (!Number.isSafeInteger(pid) || pid <= 0 || !Number.isSafeInteger(port) || !isAlive(pid)) return null;
  const ownerPid = nodeParentOf(pid);
  return { pid, port, ownerPid, ownedByLiveProcess: ownerPid !== null };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The parent of `pid` if it is a Node process; null when adopted by init or unknowable (no /proc). */
function nodeParentOf(pid: number): number | null {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may contain spaces, so parse after ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const parentPid = Number.parseInt(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? '', 10);
    if (!Number.isSafeInteger(parentPid) || parentPid <= 1) return null;
    const parentName = readFileSync(`/proc/${parentPid}/comm`, 'utf8').trim();
    return parentName === 'node' ? parentPid : null;
  } catch {
    return null;
  }
}

function describeUrl(url: string): string {
  const parsed = new URL(url);
  return `PostgreSQL at ${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`;
}
