/**
 * `qianbao backup`: base backups with PostgreSQL's pg_basebackup (verified by pg_verifybackup),
 * the continuous WAL archive with pg_receivewal on a replication slot (`--wal`, a long-lived
 * process), retention (pg_archivecleanup for the WAL), `--list` with the restorable time range,
 * and `drill`, the restore drill (backup-drill.ts). Restoring is `qianbao restore` (restore.ts).
 *
 * Why pg_receivewal and not the server's archive_command: it works against any server, the
 * embedded one included, without changing its configuration or restarting it; the replication
 * slot keeps every WAL segment on the server until it has been received, so nothing is lost while
 * the receiver is down. The price of the slot is docs/backups.md's "disk risk".
 */
import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { runningServerPid } from '@qianbao/db';
import { openDatabase } from '@qianbao/server';
import type { Config, Database } from '@qianbao/server';
import { backupDrill } from './backup-drill.ts';
import {
  BackupError,
  postgresRunAs,
  postgresTools,
  runTool,
  splitPassword,
  toolEnvironment,
  userCanEnter,
} from './backup-tools.ts';
import type { RunAs, Tools } from './backup-tools.ts';
import {
  applyRetention,
  baseDirectory,
  directorySize,
  formatBackupList,
  formatBytes,
  lastArchivedCommit,
  parseBackupLabel,
  parseManifestWal,
  readBackups,
  readWalSegments,
  restorableRange,
  walDirectory,
} from './backup-store.ts';
import type { BaseBackup, Retention } from './backup-store.ts';

const USAGE = `Usage: qianbao backup [--dir DIR] [--keep N] [--keep-days D] [--slot NAME]
       qianbao backup --wal [--dir DIR] [--slot NAME]
       qianbao backup --list [--dir DIR]
       qianbao backup drill [--short] [--keep-files]

Backs up the database with PostgreSQL's own tools (docs/backups.md):
  (no flag)   a base backup with pg_basebackup into DIR/base, verified with pg_verifybackup; then
              the retention: the newest N base backups (--keep, default 7) and every one younger
              than D days (--keep-days) are kept, older ones and the WAL only they need removed
  --wal       stream the WAL into DIR/wal with pg_receivewal, on the replication slot NAME
              (default qianbao_backup), until stopped: run it beside the server, always
  --list      the base backups, the WAL archive and the restorable time range
  drill       the restore drill: a dedicated PostgreSQL, load through a real server, a backup,
              more load, a restore to a time between; checks that no acknowledged transfer was
              lost (--short: the small load the test suite runs)

DIR defaults to QIANBAO_DATA_DIR/backups. PostgreSQL 15's tools come from QIANBAO_PG_BIN_DIR
(default /usr/lib/postgresql/15/bin); as root they are installed from Debian when missing.`;

const DEFAULT_KEEP = 7;
const MAX_KEEP = 1000;
export const DEFAULT_SLOT = 'qianbao_backup';
const SLOT_NAME = /^[a-z0-9_]{1,63}$/;
const BASE_BACKUP_TIMEOUT_MS = 6 * 60 * 60 * 1000;
const VERIFY_TIMEOUT_MS = 6 * 60 * 60 * 1000;
const SHORT_TOOL_TIMEOUT_MS = 60_000;
/** pg_receivewal retries lost connections itself; we restart it when it exits (a failed first connect). */
const RECEIVER_RESTART_DELAY_MS = 5_000;
const RECEIVER_MAX_RESTART_DELAY_MS = 60_000;
/** Restarts in a row, each of a receiver that ran under a minute, before giving up (about an hour). */
const RECEIVER_MAX_QUICK_FAILURES = 60;
const RECEIVER_QUICK_FAILURE_MS = 60_000;

type ExitCode = 0 | 1 | 2;

export async function backupCommand(args: readonly string[], config: Config): Promise<ExitCode> {
  let values: {
    dir?: string;
    keep?: string;
    'keep-days'?: string;
    slot?: string;
    wal?: boolean;
    list?: boolean;
    short?: boolean;
    'keep-files'?: boolean;
    help?: boolean;
  };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        dir: { type: 'string' },
        keep: { type: 'string' },
        'keep-days': { type: 'string' },
        slot: { type: 'string' },
        wal: { type: 'boolean' },
        list: { type: 'boolean' },
        short: { type: 'boolean' },
        'keep-files': { type: 'boolean' },
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
  if (positionals.length > 1 || (positionals.length === 1 && positionals[0] !== 'drill'))
    return usage(`unexpected argument "${positionals.at(-1)}"`);
  const root = path.resolve(values.dir ?? path.join(config.dataDir, 'backups'));
  const slot = values.slot ?? DEFAULT_SLOT;
  if (!SLOT_NAME.test(slot)) return usage('--slot must be 1 to 63 lower-case letters, digits or _');
  const keep = values.keep === undefined ? DEFAULT_KEEP : Number(values.keep);
  if (!Number.isSafeInteger(keep) || keep < 1 || keep > MAX_KEEP)
    return usage(`--keep must be a whole number from 1 to ${MAX_KEEP}`);
  const keepDays = values['keep-days'] === undefined ? null : Number(values['keep-days']);
  if (keepDays !== null && (!Number.isFinite(keepDays) || keepDays <= 0 || keepDays > 36_500))
    return usage('--keep-days must be a number of days above 0');
  const modes = [values.wal, values.list, positionals[0] === 'drill'].filter(Boolean).length;
  if (modes > 1) return usage('--wal, --list and drill are separate commands');

  try {
    if (positionals[0] === 'drill')
      return await backupDrill({ short: values.short === true, keepFiles: values['keep-files'] === true });
    if (values.list) return await listBackups(root);
    if (values.wal) return await streamWal(config, { root, slot });
    return await baseBackup(config, { root, slot, retention: { keep, keepDays } });
  } catch (error) {
    if (!(error instanceof BackupError)) throw error;
    console.error(`qianbao backup: ${error.message}`);
    return error.exitCode;
  }
}

function usage(problem: string): ExitCode {
  console.error(`qianbao backup: ${problem}\n\n${USAGE}`);
  return 2;
}

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** The folder with base/ and wal/, owned by the user the tools run as, and reachable by it. */
export function prepareBackupFolder(root: string, runAs: RunAs | null): void {
  for (const directory of [root, baseDirectory(root), walDirectory(root)]) {
    mkdirSync(directory, { recursive: true, mode: 0o750 });
    if (runAs) chownSync(directory, runAs.uid, runAs.gid);
  }
  if (!userCanEnter(runAs, walDirectory(root))) {
    throw new BackupError(
      'BACKUP_DIR_UNREACHABLE',
      `the "postgres" user, which runs the backup tools as root, cannot enter ${root} ` +
        '(a directory above it is closed to others, as /root is): choose another --dir, e.g. under /var/backups',
      2,
    );
  }
}

/** One base backup, verified, recorded, then the retention. */
async function baseBackup(
  config: Config,
  options: { root: string; slot: string; retention: Retention },
): Promise<ExitCode> {
  const tools = postgresTools(progress);
  const runAs = postgresRunAs();
  prepareBackupFolder(options.root, runAs);
  const database = await openDatabase({ config, print: progress, whenEmbeddedRunning: 'connect' });
  try {
    const archive = await archiveStatus(database, options.slot);
    const backup = await takeBaseBackup(database, { tools, runAs, root: options.root });
    console.log(
      `Base backup ${backup.id}: ${formatBytes(backup.sizeBytes)} in ${(backup.durationMs / 1000).toFixed(1)} s, ` +
        `verified by pg_verifybackup; restores to any time from ${backup.finishedAt} on ` +
        'for which the WAL archive holds the WAL.',
    );
    console.log(archive);
    await applyRetentionTo(options.root, options.retention, tools);
    return 0;
  } finally {
    await database.close();
  }
}

/**
 * pg_basebackup in plain format with the WAL it needs streamed into it (so it is consistent on
 * its own), a fast checkpoint (the backup starts at once; the server writes its dirty pages in
 * one go), and a manifest with a checksum per file, which pg_verifybackup checks together with the
 * backup's WAL. A backup that does not verify is removed: it would only look like one.
 */
export async function takeBaseBackup(
  database: Database,
  options: { tools: Tools; runAs: RunAs | null; root: string },
): Promise<BaseBackup> {
  const id = newBackupId(options.root);
  const target = path.join(baseDirectory(options.root), id);
  const { conninfo, password } = splitPassword(database.connectionString);
  progress(`pg_basebackup into ${target} …`);
  const run = await runTool(
    options.tools.pg_basebackup,
    [
      `--pgdata=${target}`,
      '--format=plain',
      '--wal-method=stream',
      '--checkpoint=fast',
      `--label=qianbao ${id}`,
      '--no-password',
      `--dbname=${conninfo}`,
    ],
    { runAs: options.runAs, password, timeoutMs: BASE_BACKUP_TIMEOUT_MS },
  );
  if (run.code !== 0) {
    rmSync(target, { recursive: true, force: true });
    throw new BackupError(
      'BASE_BACKUP_FAILED',
      `pg_basebackup failed (exit ${run.code}):\n${run.stderr.trim()}`,
    );
  }
  // The server's clock, read after the backup ended: every commit before its end is older.
  const { rows } = await database.pool.query<{ now: string }>(
    `SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS now`,
  );
  const verify = await runTool(options.tools.pg_verifybackup, [target], {
    runAs: options.runAs,
    timeoutMs: VERIFY_TIMEOUT_MS,
  });
  if (verify.code !== 0) {
    rmSync(target, { recursive: true, force: true });
    throw new BackupError(
      'BACKUP_NOT_VERIFIED',
      `pg_verifybackup rejected the backup (removed):\n${(verify.stderr || verify.stdout).trim()}`,
    );
  }
  const label = parseBackupLabel(readFileSync(path.join(target, 'backup_label'), 'utf8'));
  const wal = parseManifestWal(readFileSync(path.join(target, 'backup_manifest'), 'utf8'));
  const backup: BaseBackup = {
    id,
    finishedAt: rows[0]!.now,
    startLsn: wal.startLsn,
    endLsn: wal.endLsn,
    timeline: label.timeline,
    startWalFile: label.startWalFile,
    sizeBytes: directorySize(target),
    durationMs: run.durationMs,
    verified: true,
  };
  writeFileSync(
    path.join(baseDirectory(options.root), `${id}.json`),
    `${JSON.stringify(backup, null, 2)}\n`,
    {
      mode: 0o644,
    },
  );
  return backup;
}

/** `20261207T081011Z`, from our clock; a second backup in the same second gets `-2`, `-3` … */
function newBackupId(root: string): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  let id = stamp;
  for (let n = 2; existsSync(path.join(baseDirectory(root), id)); n++) id = `${stamp}-${n}`;
  return id;
}

/**
 * Whether the WAL archive is being fed, from the slot: a backup without it restores only to
 * its own end. The WAL the slot holds back on the server is the disk the archive costs there.
 */
async function archiveStatus(database: Database, slot: string): Promise<string> {
  const { rows } = await database.pool.query<{ active: boolean; retained: string | null }>(
    `SELECT active, pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)) AS retained
       FROM pg_replication_slots WHERE slot_name = $1`,
    [slot],
  );
  const row = rows[0];
  if (row === undefined)
    return `WARNING: no replication slot ${slot}: the WAL is not archived, so this backup restores only to its own end. Run \`qianbao backup --wal\` beside the server.`;
  if (!row.active)
    return `WARNING: the WAL receiver on slot ${slot} is not running; the server keeps ${row.retained ?? 'its'} WAL for it until it is. Start \`qianbao backup --wal\`.`;
  return `WAL archive: receiver active on slot ${slot} (${row.retained ?? '0 bytes'} not yet confirmed).`;
}

/** Remove the base backups the retention drops, then the WAL older than the oldest one kept. */
async function applyRetentionTo(root: string, retention: Retention, tools: Tools): Promise<void> {
  const { kept, removed } = applyRetention(readBackups(root), retention, new Date());
  for (const backup of removed) {
    rmSync(path.join(baseDirectory(root), `${backup.id}.json`), { force: true });
    rmSync(path.join(baseDirectory(root), backup.id), { recursive: true, force: true });
    console.log(`Retention: removed base backup ${backup.id}`);
  }
  const oldest = kept[0];
  if (oldest === undefined) return;
  const run = await runTool(tools.pg_archivecleanup, [walDirectory(root), oldest.startWalFile], {
    runAs: null,
    timeoutMs: SHORT_TOOL_TIMEOUT_MS,
  });
  if (run.code !== 0)
    throw new BackupError('ARCHIVE_CLEANUP_FAILED', `pg_archivecleanup failed:\n${run.stderr}`);
  console.log(
    `Retention: keeping ${kept.length} base backup(s) and the WAL from ${oldest.startWalFile} on ` +
      `(the newest ${retention.keep}${retention.keepDays === null ? '' : ` and those younger than ${retention.keepDays} days`}).`,
  );
}

async function listBackups(root: string): Promise<ExitCode> {
  if (!existsSync(root)) {
    console.error(`qianbao backup: no backup folder at ${root}`);
    return 1;
  }
  const tools = postgresTools(progress);
  const backups = readBackups(root);
  const lastCommit = await lastArchivedCommit(root, tools);
  console.log(
    formatBackupList({
      root,
      backups,
      segments: readWalSegments(root),
      range: restorableRange(backups, lastCommit),
    }),
  );
  return 0;
}

/**
 * The server to stream from: DATABASE_URL, or the embedded server when it runs (this process
 * must not start one: `qianbao start` could then not).
 */
async function walSourceUrl(config: Config): Promise<string> {
  if (config.database.url === null && runningServerPid(path.join(config.dataDir, 'pg')) === null) {
    throw new BackupError(
      'NO_SERVER',
      `the embedded PostgreSQL in ${path.join(config.dataDir, 'pg')} is not running: start Qianbao first ` +
        '(npm start); the WAL is streamed from the running server',
      1,
    );
  }
  const database = await openDatabase({ config, print: progress, whenEmbeddedRunning: 'connect' });
  try {
    return database.connectionString;
  } finally {
    await database.close();
  }
}

/**
 * `--wal`: create the slot if missing, then run pg_receivewal until SIGINT or SIGTERM. It
 * reconnects by itself after a lost connection; when it exits (its first connection failed) it
 * is started again, with growing pauses, and given up after about an hour of failures in a row,
 * so that a supervisor (systemd) sees the failure.
 */
async function streamWal(config: Config, options: { root: string; slot: string }): Promise<ExitCode> {
  const tools = postgresTools(progress);
  const runAs = postgresRunAs();
  prepareBackupFolder(options.root, runAs);
  const { conninfo, password } = splitPassword(await walSourceUrl(config));
  const create = await runTool(
    tools.pg_receivewal,
    ['--create-slot', '--if-not-exists', `--slot=${options.slot}`, '--no-password', `--dbname=${conninfo}`],
    { runAs, password, timeoutMs: SHORT_TOOL_TIMEOUT_MS },
  );
  if (create.code !== 0)
    throw new BackupError(
      'SLOT_FAILED',
      `could not create the replication slot ${options.slot}:\n${create.stderr}`,
    );

  let stopping = false;
  let child: ReturnType<typeof spawn> | null = null;
  const pause = new AbortController();
  const stop = () => {
    stopping = true;
    pause.abort();
    child?.kill('SIGINT'); // pg_receivewal flushes what it has and exits 0
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(
    `Streaming WAL into ${walDirectory(options.root)} on slot ${options.slot} (pg_receivewal, flushed per write). ` +
      'Stop with Ctrl-C.',
  );
  let quickFailures = 0;
  let delayMs = RECEIVER_RESTART_DELAY_MS;
  while (!stopping) {
    const started = Date.now();
    child = spawn(
      tools.pg_receivewal,
      [
        `--directory=${walDirectory(options.root)}`,
        `--slot=${options.slot}`,
        '--synchronous',
        '--no-password',
        '--verbose',
        `--dbname=${conninfo}`,
      ],
      { cwd: '/', stdio: ['ignore', 'inherit', 'inherit'], env: toolEnvironment(password), ...(runAs ?? {}) },
    );
    const exit = await new Promise<number | null>((resolve) => {
      child!.once('error', () => resolve(null));
      child!.once('close', (code) => resolve(code));
    });
    child = null;
    if (stopping) break;
    if (Date.now() - started >= RECEIVER_QUICK_FAILURE_MS) {
      quickFailures = 0;
      delayMs = RECEIVER_RESTART_DELAY_MS;
    } else if (++quickFailures >= RECEIVER_MAX_QUICK_FAILURES) {
      console.error(`qianbao backup --wal: pg_receivewal failed ${quickFailures} times in a row; giving up`);
      return 1;
    }
    progress(`pg_receivewal exited (code ${exit}); starting it again in ${delayMs / 1000} s`);
    await sleep(delayMs, undefined, { signal: pause.signal }).catch(() => {});
    delayMs = Math.min(delayMs * 2, RECEIVER_MAX_RESTART_DELAY_MS);
  }
  return 0;
}
