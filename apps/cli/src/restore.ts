/**
 * `qianbao restore --to <time> --into <new dir>`: point-in-time recovery with PostgreSQL's own
 * machinery. The newest base backup that ended before the target is copied into `<dir>/pg`,
 * `restore_command` fetches WAL from the archive, `recovery_target_time` stops replay before the
 * first commit past the target, `recovery_target_action = promote` opens the database; the server
 * is started on a port of its own and left running for the operator. The live data directory is
 * never touched: the target directory must be new (or empty).
 *
 * `<dir>` is laid out like a Qianbao data directory (pg/, journal-checkpoints.jsonl, secret-key
 * in sandbox mode), so `QIANBAO_DATA_DIR=<dir> npm start` runs on it too. The journal checkpoints
 * (ADR 0010) go with it as the ones true at the target: see restore-note.ts.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createClient, withDatabase } from '@qianbao/db';
import type { Config } from '@qianbao/server';
import { BackupError, postgresRunAs, postgresTools, userCanEnter } from './backup-tools.ts';
import type { RunAs } from './backup-tools.ts';
import {
  baseDirectory,
  formatBytes,
  lastArchivedCommit,
  readBackups,
  restorableRange,
  walDirectory,
} from './backup-store.ts';
import type { BaseBackup } from './backup-store.ts';
import { RESTORE_NOTE_FILE, checkpointsUpTo, formatRestoreNote } from './restore-note.ts';
import type { RestoreNote } from './restore-note.ts';

const USAGE = `Usage: qianbao restore --to TIME|latest --into DIR [--dir BACKUPS] [--port N]

Point-in-time recovery (docs/backups.md): restores the database as it was at TIME (ISO 8601 with
a zone, e.g. 2026-12-07T08:10:00Z or 2026-12-07T16:10:00+08:00), or to the newest archived WAL
(latest), into the new directory DIR (DIR/pg), and starts PostgreSQL there on port N (default: a
free port), where it keeps running. BACKUPS defaults to QIANBAO_DATA_DIR/backups. The live data is
never touched. \`qianbao backup --list\` shows the restorable range.`;

/** ISO 8601 with seconds optional, fractions up to microseconds, and a zone (no guessing). */
const TIME = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d{1,6})?)?(Z|[+-]\d\d(:?\d\d)?)$/;
/** The embedded server's superuser and database (packages/db embedded.ts, apps/server database.ts). */
const EMBEDDED_USER = 'postgres';
const EMBEDDED_PASSWORD = 'qianbao';
const EMBEDDED_DATABASE = 'qianbao';
/** Replaying a day of WAL on a slow disk takes a while; beyond this, give up (and stop the server). */
const RECOVERY_TIMEOUT_MS = 6 * 60 * 60 * 1000;
const READY_LINE = 'database system is ready to accept connections';
const LOG_LINES_SHOWN = 25;
const STOP_TIMEOUT_MS = 60_000;

type ExitCode = 0 | 1 | 2;

export async function restoreCommand(args: readonly string[], config: Config): Promise<ExitCode> {
  let values: { to?: string; into?: string; dir?: string; port?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        to: { type: 'string' },
        into: { type: 'string' },
        dir: { type: 'string' },
        port: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return usage((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.to === undefined || values.into === undefined) return usage('--to and --into are required');
  const target = parseTarget(values.to);
  if (target === null)
    return usage(
      `--to must be "latest" or a time with its zone, e.g. 2026-12-07T08:10:00Z (got "${values.to}")`,
    );
  const port = values.port === undefined ? null : Number(values.port);
  if (port !== null && (!Number.isSafeInteger(port) || port < 1024 || port > 65535))
    return usage('--port must be a port number from 1024 to 65535');
  try {
    const restored = await restore(config, {
      target,
      into: path.resolve(values.into),
      root: path.resolve(values.dir ?? path.join(config.dataDir, 'backups')),
      port,
    });
    console.log(formatRestored(restored));
    return 0;
  } catch (error) {
    if (!(error instanceof BackupError)) throw error;
    console.error(`qianbao restore: ${error.message}`);
    return error.exitCode;
  }
}

function usage(problem: string): ExitCode {
  console.error(`qianbao restore: ${problem}\n\n${USAGE}`);
  return 2;
}

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** `latest`, or a time as PostgreSQL will read it (kept as written: microseconds survive). */
export type RestoreTarget = { kind: 'latest' } | { kind: 'time'; text: string; ms: number };

export function parseTarget(text: string): RestoreTarget | null {
  if (text === 'latest') return { kind: 'latest' };
  if (!TIME.test(text)) return null;
  const ms = Date.parse(text.replace(' ', 'T'));
  return Number.isFinite(ms) ? { kind: 'time', text, ms } : null;
}

/**
 * The base backup to start from: the newest that ended at or before the target. Refuses a target
 * before the oldest backup or after the newest archived commit (recovery must meet a commit past
 * the target, or it stops with "recovery ended before configured recovery target was reached").
 */
export function chooseBackup(
  backups: readonly BaseBackup[],
  lastCommit: string | null,
  target: RestoreTarget,
): BaseBackup {
  const range = restorableRange(backups, lastCommit);
  if (range === null)
    throw new BackupError('NO_BACKUP', 'there is no base backup to restore from: run `qianbao backup`');
  if (target.kind === 'latest') return backups.at(-1)!;
  if (target.ms < Date.parse(range.from)) {
    throw new BackupError(
      'BEFORE_OLDEST_BACKUP',
      `${target.text} is before the oldest backup, which ended at ${range.from}: nothing earlier can be restored`,
    );
  }
  if (range.to === null || target.ms > Date.parse(range.to)) {
    throw new BackupError(
      'AFTER_NEWEST_WAL',
      `${target.text} is after the newest commit in the WAL archive (${range.to ?? 'none yet'}): recovery ` +
        'could not reach it. Is `qianbao backup --wal` running? For the newest archived state use --to latest.',
    );
  }
  return backups.filter((backup) => Date.parse(backup.finishedAt) <= target.ms).at(-1)!;
}

export interface Restored {
  note: RestoreNote;
  url: string;
  port: number;
  pid: number;
  into: string;
  walSegmentsRestored: number;
  walReplayedBytes: number;
  recoveryMs: number;
  stopLine: string | null;
}

export async function restore(
  config: Config,
  options: { target: RestoreTarget; into: string; root: string; port: number | null },
): Promise<Restored> {
  const { target, into, root } = options;
  refuseUnsafeTarget(config, into);
  for (const quoted of [into, root]) {
    if (/['"\\\n]/.test(quoted))
      throw new BackupError('BAD_PATH', `${quoted}: paths with quotes or backslashes are not supported`, 2);
  }
  if (!existsSync(baseDirectory(root))) throw new BackupError('NO_BACKUP', `no backups in ${root}`, 2);
  const tools = postgresTools(progress);
  const runAs = postgresRunAs();
  const backups = readBackups(root);
  const lastCommit = await lastArchivedCommit(root, tools);
  const backup = chooseBackup(backups, lastCommit, target);
  progress(`Restoring base backup ${backup.id} (ended ${backup.finishedAt}) into ${into}/pg …`);

  const dataDir = path.join(into, 'pg');
  mkdirSync(into, { recursive: true, mode: 0o750 });
  if (runAs) chownSync(into, runAs.uid, runAs.gid);
  if (!userCanEnter(runAs, into) || !userCanEnter(runAs, walDirectory(root))) {
    throw new BackupError(
      'UNREACHABLE',
      `the "postgres" user cannot enter ${into} or ${walDirectory(root)}: choose directories others can enter`,
      2,
    );
  }
  cpSync(path.join(baseDirectory(root), backup.id), dataDir, { recursive: true });
  writeRecoverySettings(dataDir, { backup, target, walDir: walDirectory(root) });
  if (runAs) chownTree(dataDir, runAs);
  chmodSync(dataDir, 0o700);

  const port = options.port ?? (await freePort());
  const logFile = path.join(into, 'postgres.log');
  const started = performance.now();
  const pid = startServer(tools.postgres, { dataDir, port, logFile, runAs });
  const source = sourceCredentials(config);
  const url = withDatabase(
    `postgres://${encodeURIComponent(source.user)}${source.password === null ? '' : `:${encodeURIComponent(source.password)}`}@127.0.0.1:${port}/postgres`,
    source.database,
  );
  let stopLine: string | null;
  let recoveryMs: number;
  let facts: Awaited<ReturnType<typeof inspectRestored>>;
  try {
    stopLine = await waitForRecovery(logFile, pid, target);
    recoveryMs = Math.round(performance.now() - started);
    facts = await inspectRestored(url, backup.startLsn);
  } catch (error) {
    // A restore that did not reach its target is not one to leave running: stop what we started.
    await stopServer(pid);
    if (error instanceof BackupError)
      error.message += `\nThe restored server was stopped; its files are in ${into}.`;
    throw error;
  }
  const checkpoints = checkpointsUpTo(
    config.journalCheckpoints.file,
    target.kind === 'time' ? target.ms : null,
  );
  writeFileSync(
    path.join(into, 'journal-checkpoints.jsonl'),
    checkpoints.kept.map((line) => `${line}\n`).join(''),
    {
      mode: 0o640,
    },
  );
  const sandboxKey = path.join(config.dataDir, 'secret-key');
  const copiedKey = config.secretKey === null && existsSync(sandboxKey);
  if (copiedKey) copyFileSync(sandboxKey, path.join(into, 'secret-key'));
  if (copiedKey) chmodSync(path.join(into, 'secret-key'), 0o600);

  const note: RestoreNote = {
    restoredAt: new Date().toISOString(),
    target: target.kind === 'time' ? target.text : 'latest',
    backupId: backup.id,
    backupFinishedAt: backup.finishedAt,
    backupFolder: root,
    journalHeadSeq: facts.journalHeadSeq,
    liveCheckpointFile: config.journalCheckpoints.file,
    liveNewestCheckpoint: checkpoints.newest,
    checkpointsKept: checkpoints.kept.length,
    checkpointsDropped: checkpoints.dropped,
    sandboxKeyCopied: copiedKey,
  };
  writeFileSync(path.join(into, RESTORE_NOTE_FILE), `${JSON.stringify(note, null, 2)}\n`, { mode: 0o644 });
  return {
    note,
    url,
    port,
    pid,
    into,
    walSegmentsRestored: countLines(logFile, /restored log file "/),
    walReplayedBytes: facts.walReplayedBytes,
    recoveryMs,
    stopLine,
  };
}

/** Never into the live data: the target must be new or empty, and not the embedded server's directory. */
function refuseUnsafeTarget(config: Config, into: string): void {
  const live = path.join(config.dataDir, 'pg');
  const liveReal = existsSync(live) ? realpathSync(live) : live;
  const intoReal = existsSync(into) ? realpathSync(into) : into;
  for (const candidate of [path.join(intoReal, 'pg'), intoReal]) {
    if (candidate === liveReal || candidate === path.resolve(config.dataDir)) {
      throw new BackupError('LIVE_DATA_DIR', `${into} is the live data directory: restore into a new one`, 2);
    }
  }
  if (existsSync(into) && (!statSync(into).isDirectory() || readdirSync(into).length > 0)) {
    throw new BackupError(
      'TARGET_NOT_EMPTY',
      `${into} already exists and is not empty: restore into a new directory (the live data is never overwritten)`,
      2,
    );
  }
}

/**
 * Recovery settings, in postgresql.auto.conf (they win over postgresql.conf) plus recovery.signal.
 * restore_command takes a segment from the archive, else pg_receivewal's `.partial` of it (the
 * newest WAL, still being received: its records up to where it was written are valid, the rest
 * reads as the end of WAL). archive_mode off: a restored server must never archive into the live
 * archive (its new timeline would mix with the live one).
 */
function writeRecoverySettings(
  dataDir: string,
  options: { backup: BaseBackup; target: RestoreTarget; walDir: string },
): void {
  const settings = [
    '',
    `# qianbao restore ${new Date().toISOString()}: from base backup ${options.backup.id} to ${options.target.kind === 'time' ? options.target.text : 'the newest archived WAL'}`,
    `restore_command = 'cp "${options.walDir}/%f" "%p" 2>/dev/null || cp "${options.walDir}/%f.partial" "%p" 2>/dev/null'`,
    ...(options.target.kind === 'time'
      ? [
          `recovery_target_time = '${postgresTime(options.target.text)}'`,
          "recovery_target_action = 'promote'",
        ]
      : []),
    "archive_mode = 'off'",
    '',
  ].join('\n');
  writeFileSync(path.join(dataDir, 'postgresql.auto.conf'), settings, { flag: 'a' });
  writeFileSync(path.join(dataDir, 'recovery.signal'), '');
  // A backup of a server configured outside its data directory (Debian's /etc/postgresql) has none.
  if (!existsSync(path.join(dataDir, 'postgresql.conf')))
    writeFileSync(path.join(dataDir, 'postgresql.conf'), '');
  if (!existsSync(path.join(dataDir, 'pg_hba.conf'))) {
    writeFileSync(path.join(dataDir, 'pg_hba.conf'), 'host all all 127.0.0.1/32 scram-sha-256\n');
  }
}

/**
 * The target as recovery_target_time reads it: a numeric offset, not `Z`. The postmaster checks
 * the setting before it has loaded the time zone abbreviations, so `…Z` is refused there.
 */
export function postgresTime(text: string): string {
  return text.replace('T', ' ').replace(/Z$/, '+00');
}

function chownTree(root: string, user: RunAs): void {
  chownSync(root, user.uid, user.gid);
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) chownTree(full, user);
    else chownSync(full, user.uid, user.gid);
  }
}

/**
 * The server, detached so that it outlives this command, logging to `<dir>/postgres.log`.
 * hot_standby off while recovering: nobody reads a half-restored database, and a hot standby
 * would pause recovery when the backed-up server ran with a larger max_connections (the
 * embedded one runs with 200).
 */
function startServer(
  postgres: string,
  options: { dataDir: string; port: number; logFile: string; runAs: RunAs | null },
): number {
  const log = openSync(options.logFile, 'a', 0o644);
  try {
    const child = spawn(
      postgres,
      [
        '-D',
        options.dataDir,
        '-p',
        String(options.port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=200',
        '-c',
        'hot_standby=off',
        '-c',
        'archive_mode=off',
      ],
      {
        cwd: path.dirname(options.dataDir),
        detached: true,
        stdio: ['ignore', log, log],
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_MESSAGES: 'C', TZ: 'UTC' },
        ...(options.runAs ?? {}),
      },
    );
    child.unref();
    return child.pid!;
  } finally {
    closeSync(log);
  }
}

/** Until the server accepts connections after promotion; fails with the log's end when it exits. */
async function waitForRecovery(logFile: string, pid: number, target: RestoreTarget): Promise<string | null> {
  const deadline = Date.now() + RECOVERY_TIMEOUT_MS;
  for (;;) {
    const log = readFileSync(logFile, 'utf8');
    const lines = log.split('\n');
    const stop = lines.find((line) => line.includes('recovery stopping')) ?? null;
    if (log.includes(READY_LINE)) {
      if (target.kind === 'time' && stop === null) {
        throw new BackupError(
          'TARGET_NOT_REACHED',
          `the server opened without reaching ${target.text}:\n${tail(lines)}`,
        );
      }
      return stop?.replace(/^.*LOG:\s+/, '') ?? null;
    }
    if (!isAlive(pid)) {
      throw new BackupError(
        'RECOVERY_FAILED',
        `PostgreSQL stopped during recovery (log: ${logFile}):\n${tail(lines)}`,
      );
    }
    if (Date.now() > deadline) {
      throw new BackupError(
        'RECOVERY_SLOW',
        `recovery still running after ${RECOVERY_TIMEOUT_MS / 60_000} min; see ${logFile}`,
      );
    }
    await sleep(200);
  }
}

function tail(lines: readonly string[]): string {
  return lines.filter(Boolean).slice(-LOG_LINES_SHOWN).join('\n');
}

function countLines(file: string, pattern: RegExp): number {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => pattern.test(line)).length;
}

/** The WAL replayed since the backup's start, the journal head, and the recovery settings removed. */
async function inspectRestored(
  url: string,
  backupStartLsn: string,
): Promise<{ walReplayedBytes: number; journalHeadSeq: string | null }> {
  const client = createClient(url, 'qianbao-restore');
  await client.connect();
  try {
    const { rows } = await client.query<{ recovering: boolean; replayed: string | null }>(
      'SELECT pg_is_in_recovery() AS recovering, pg_wal_lsn_diff(pg_last_wal_replay_lsn(), $1)::text AS replayed',
      [backupStartLsn],
    );
    if (rows[0]!.recovering)
      throw new BackupError('STILL_RECOVERING', 'the restored server is still in recovery');
    const head = await client
      .query<{ seq: string | null }>('SELECT max(seq)::text AS seq FROM ledger_journal')
      .then(
        (result) => result.rows[0]!.seq,
        () => null, // no ledger tables: a database restored from before Qianbao's first start
      );
    // Recovery is over: leave a configuration that starts the server as a plain primary.
    for (const setting of ['restore_command', 'recovery_target_time', 'recovery_target_action'])
      await client.query(`ALTER SYSTEM RESET ${setting}`);
    await client.query('SELECT pg_reload_conf()');
    return { walReplayedBytes: Number(rows[0]!.replayed ?? 0), journalHeadSeq: head };
  } finally {
    await client.end();
  }
}

/** Who and which database Qianbao uses on the live server: the same on the restored one. */
function sourceCredentials(config: Config): { user: string; password: string | null; database: string } {
  if (config.database.url === null)
    return { user: EMBEDDED_USER, password: EMBEDDED_PASSWORD, database: EMBEDDED_DATABASE };
  const url = new URL(config.database.url);
  return {
    user: decodeURIComponent(url.username) || 'postgres',
    password: url.password === '' ? null : decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.slice(1)) || 'postgres',
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A fast shutdown of the server this restore started; SIGKILL when it does not stop in a minute. */
async function stopServer(pid: number): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGINT');
  for (let waitedMs = 0; waitedMs < STOP_TIMEOUT_MS; waitedMs += 100) {
    if (!isAlive(pid)) return;
    await sleep(100);
  }
  process.kill(pid, 'SIGKILL');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** What the operator needs next: where it runs, how to use it, and what was rolled back. */
export function formatRestored(restored: Restored): string {
  const shown = new URL(restored.url);
  if (shown.password) shown.password = '***';
  return [
    `Restored to ${restored.note.target} from base backup ${restored.note.backupId} in ${(restored.recoveryMs / 1000).toFixed(1)} s: ` +
      `${restored.walSegmentsRestored} WAL segment(s) fetched from the archive, ${formatBytes(restored.walReplayedBytes)} of WAL replayed.`,
    ...(restored.stopLine === null ? [] : [`PostgreSQL: ${restored.stopLine}`]),
    `PostgreSQL runs on port ${restored.port} (pid ${restored.pid}), data in ${restored.into}/pg, log in ${restored.into}/postgres.log.`,
    '',
    formatRestoreNote(restored.note),
    '',
    'Point Qianbao at it:',
    `  DATABASE_URL=${shown.toString()} LEDGER_CHECKPOINT_FILE=${restored.into}/journal-checkpoints.jsonl npx qianbao verify`,
    `  (the same variables for npx qianbao start), or stop it (kill -INT ${restored.pid}) and run on the directory:`,
    `  QIANBAO_DATA_DIR=${restored.into} npm start`,
  ].join('\n');
}
