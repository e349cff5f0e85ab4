/**
 * The backup folder (default ./data/backups) and what can be restored from it:
 *
 *   base/<id>/        a base backup, as pg_basebackup wrote it (plain format, with its
 *                     backup_manifest, verified by pg_verifybackup)
 *   base/<id>.json    what we know of it: when it ended by the server's clock, its WAL start,
 *                     size, time taken (outside the backup: pg_verifybackup flags unknown files)
 *   wal/              the continuous WAL archive: pg_receivewal's segments (the newest one
 *                     `.partial` while it is being received)
 *
 * A time T is restorable when a base backup ended at or before T and the archive holds a commit
 * after T: recovery stops at the first commit past the target and refuses to end before it.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runTool } from './backup-tools.ts';
import type { Tools } from './backup-tools.ts';

export interface BaseBackup {
  id: string;
  /** The server's clock once pg_basebackup returned: the earliest time this backup restores to. */
  finishedAt: string;
  startLsn: string;
  endLsn: string;
  timeline: number;
  /** The first WAL segment it needs: WAL before it is not needed by this backup. */
  startWalFile: string;
  sizeBytes: number;
  durationMs: number;
  /** pg_verifybackup passed (checksums of every file, and the WAL the backup needs). */
  verified: boolean;
}

export interface WalSegment {
  name: string;
  partial: boolean;
  sizeBytes: number;
}

const WAL_FILE = /^[0-9A-F]{24}$/;
const WAL_PARTIAL = /^[0-9A-F]{24}\.partial$/;
const BACKUP_ID = /^\d{8}T\d{6}Z(-\d+)?$/;
/** How far back from the newest segment `lastArchivedCommit` looks for a commit. */
const MAX_SEGMENTS_SEARCHED = 16;
const WALDUMP_TIMEOUT_MS = 120_000;

export function baseDirectory(root: string): string {
  return path.join(root, 'base');
}

export function walDirectory(root: string): string {
  return path.join(root, 'wal');
}

/** Every recorded base backup, oldest first. A directory without its record is unfinished: ignored. */
export function readBackups(root: string): BaseBackup[] {
  const base = baseDirectory(root);
  if (!existsSync(base)) return [];
  const backups: BaseBackup[] = [];
  for (const name of readdirSync(base)) {
    if (!name.endsWith('.json') || !BACKUP_ID.test(name.slice(0, -'.json'.length))) continue;
    const record = JSON.parse(readFileSync(path.join(base, name), 'utf8')) as BaseBackup;
    if (existsSync(path.join(base, record.id))) backups.push(record);
  }
  return backups.sort((a, b) => Date.parse(a.finishedAt) - Date.parse(b.finishedAt));
}

/** The archived WAL segments, in WAL order (timeline, then position). */
export function readWalSegments(root: string): WalSegment[] {
  const wal = walDirectory(root);
  if (!existsSync(wal)) return [];
  return readdirSync(wal)
    .filter((name) => WAL_FILE.test(name) || WAL_PARTIAL.test(name))
    .sort()
    .map((name) => ({
      name,
      partial: name.endsWith('.partial'),
      sizeBytes: statSync(path.join(wal, name)).size,
    }));
}

/** `000000010000000000000002` from backup_label's `START WAL LOCATION: 0/2000028 (file 0000…)`. */
export function parseBackupLabel(label: string): {
  startLsn: string;
  startWalFile: string;
  timeline: number;
} {
  const start = /^START WAL LOCATION: ([0-9A-F]+\/[0-9A-F]+) \(file ([0-9A-F]{24})\)$/m.exec(label);
  const timeline = /^START TIMELINE: (\d+)$/m.exec(label);
  if (!start || !timeline) throw new Error('backup_label has no START WAL LOCATION or START TIMELINE');
  return { startLsn: start[1]!, startWalFile: start[2]!, timeline: Number(timeline[1]) };
}

/** The WAL range the manifest says the backup needs (`WAL-Ranges`: one entry on one timeline). */
export function parseManifestWal(manifest: string): { startLsn: string; endLsn: string } {
  const parsed = JSON.parse(manifest) as { 'WAL-Ranges'?: { 'Start-LSN': string; 'End-LSN': string }[] };
  const ranges = parsed['WAL-Ranges'] ?? [];
  if (ranges.length === 0) throw new Error('backup_manifest names no WAL range');
  return { startLsn: ranges[0]!['Start-LSN'], endLsn: ranges.at(-1)!['End-LSN'] };
}

/** Total size of the files under `directory`. */
export function directorySize(directory: string): number {
  let total = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) total += directorySize(full);
    else if (entry.isFile()) total += statSync(full).size;
  }
  return total;
}

const COMMIT_TIME = /desc: (?:COMMIT|ABORT) (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) UTC/g;

/** The newest commit (or abort) time in pg_waldump's output (TZ=UTC), or null. */
export function newestCommitIn(waldumpOutput: string): string | null {
  let newest: string | null = null;
  for (const match of waldumpOutput.matchAll(COMMIT_TIME)) {
    const time = `${match[1]!.replace(' ', 'T')}Z`;
    if (newest === null || Date.parse(time) >= Date.parse(newest)) newest = time;
  }
  return newest;
}

/**
 * The time of the newest commit the WAL archive holds: the end of the restorable range.
 * pg_waldump reads segments back from the newest until one holds a commit. It names a segment by
 * its file name, so the `.partial` one is read through a copy under its full name; it stops with
 * an error at the end of the written WAL, which is expected: its records so far are on stdout.
 */
export async function lastArchivedCommit(
  root: string,
  tools: Pick<Tools, 'pg_waldump'>,
): Promise<string | null> {
  const segments = readWalSegments(root);
  const scratch = mkdtempSync(path.join(tmpdir(), 'qianbao-waldump-'));
  try {
    for (const segment of segments.slice(-MAX_SEGMENTS_SEARCHED).reverse()) {
      let file = path.join(walDirectory(root), segment.name);
      if (segment.partial) {
        const copy = path.join(scratch, segment.name.slice(0, -'.partial'.length));
        copyFileSync(file, copy);
        file = copy;
      }
      const run = await runTool(tools.pg_waldump, ['--rmgr=Transaction', file], {
        runAs: null,
        timeoutMs: WALDUMP_TIMEOUT_MS,
      });
      const newest = newestCommitIn(run.stdout);
      if (newest !== null) return newest;
    }
    return null;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export interface RestorableRange {
  /** The oldest base backup's end. */
  from: string;
  /** The newest archived commit; null when the archive holds none after the oldest backup. */
  to: string | null;
}

export function restorableRange(
  backups: readonly BaseBackup[],
  lastCommit: string | null,
): RestorableRange | null {
  const oldest = backups[0];
  if (oldest === undefined) return null;
  const to =
    lastCommit !== null && Date.parse(lastCommit) >= Date.parse(oldest.finishedAt) ? lastCommit : null;
  return { from: oldest.finishedAt, to };
}

export interface Retention {
  /** Keep at least this many newest base backups. */
  keep: number;
  /** Also keep every backup younger than this many days; null: count only. */
  keepDays: number | null;
}

/**
 * Which backups a retention keeps: the newest `keep`, and every one younger than `keepDays`. The
 * newest is always kept. WAL older than the oldest kept backup's start is then removed.
 */
export function applyRetention(
  backups: readonly BaseBackup[],
  retention: Retention,
  now: Date,
): { kept: BaseBackup[]; removed: BaseBackup[] } {
  const newestFirst = [...backups].reverse();
  const kept: BaseBackup[] = [];
  const removed: BaseBackup[] = [];
  newestFirst.forEach((backup, index) => {
    const ageDays = (now.getTime() - Date.parse(backup.finishedAt)) / 86_400_000;
    const young = retention.keepDays !== null && ageDays < retention.keepDays;
    (index < Math.max(1, retention.keep) || young ? kept : removed).push(backup);
  });
  return { kept: kept.reverse(), removed: removed.reverse() };
}

/** The report of `qianbao backup --list`. */
export function formatBackupList(options: {
  root: string;
  backups: readonly BaseBackup[];
  segments: readonly WalSegment[];
  range: RestorableRange | null;
}): string {
  const { backups, segments, range } = options;
  const lines = [`Backups in ${path.resolve(options.root)}`, ''];
  if (backups.length === 0) lines.push('No base backups yet: run `qianbao backup`.');
  else {
    lines.push(
      ...table(
        ['BACKUP', 'ENDED (SERVER CLOCK)', 'SIZE', 'TOOK', 'VERIFIED', 'WAL FROM'],
        backups.map((backup) => [
          backup.id,
          backup.finishedAt,
          formatBytes(backup.sizeBytes),
          `${(backup.durationMs / 1000).toFixed(1)} s`,
          backup.verified ? 'yes' : 'NO',
          backup.startWalFile,
        ]),
      ),
    );
  }
  const walBytes = segments.reduce((sum, segment) => sum + segment.sizeBytes, 0);
  lines.push(
    '',
    segments.length === 0
      ? 'WAL archive: empty (is `qianbao backup --wal` running?)'
      : `WAL archive: ${segments.length} segment(s), ${formatBytes(walBytes)}, ` +
          `${segments[0]!.name} … ${segments.at(-1)!.name}`,
  );
  if (range === null) lines.push('Restorable: nothing yet (no base backup).');
  else if (range.to === null)
    lines.push(
      `Restorable: nothing to a point in time yet (no archived commit after ${range.from}); ` +
        '`qianbao restore --to latest` restores a backup as it ended.',
    );
  else lines.push(`Restorable: any time from ${range.from} to ${range.to} (qianbao restore --to TIME)`);
  return lines.join('\n');
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const format = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return [format(header), ...rows.map(format)];
}
