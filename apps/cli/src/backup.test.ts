/**
 * The backup folder's arithmetic (retention, restorable range, WAL and label parsing) and the
 * `qianbao backup` arguments. A real backup, WAL archive and restore: test/e2e/restore-drill.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** Each `qianbao` run starts tsx; a loaded two-core machine takes seconds for each. */
const CLI_TEST_TIMEOUT_MS = 180_000;
import {
  applyRetention,
  formatBackupList,
  newestCommitIn,
  parseBackupLabel,
  parseManifestWal,
  restorableRange,
} from './backup-store.ts';
import type { BaseBackup } from './backup-store.ts';
import { backupEnded } from './backup-testing.ts';
import { runQianbao as qianbao } from './testing.ts';

describe('backup retention', () => {
  const now = new Date('2026-12-10T00:00:00Z');
  const backups = [
    backupEnded('b1', '2026-12-01T00:00:00Z'),
    backupEnded('b2', '2026-12-05T00:00:00Z'),
    backupEnded('b3', '2026-12-08T00:00:00Z'),
    backupEnded('b4', '2026-12-09T12:00:00Z'),
  ];
  const ids = (list: BaseBackup[]) => list.map((backup) => backup.id);

  it('keeps the newest N', () => {
    const { kept, removed } = applyRetention(backups, { keep: 2, keepDays: null }, now);
    expect(ids(kept)).toEqual(['b3', 'b4']);
    expect(ids(removed)).toEqual(['b1', 'b2']);
  });

  it('also keeps every backup younger than the days given, and always the newest', () => {
    expect(ids(applyRetention(backups, { keep: 1, keepDays: 6 }, now).kept)).toEqual(['b2', 'b3', 'b4']);
    expect(ids(applyRetention(backups, { keep: 0, keepDays: 0.1 }, now).kept)).toEqual(['b4']);
  });
});

describe('the restorable range', () => {
  it('runs from the oldest backup to the newest archived commit', () => {
    const backups = [backupEnded('b1', '2026-12-01T00:00:00Z'), backupEnded('b2', '2026-12-02T00:00:00Z')];
    expect(restorableRange(backups, '2026-12-03T10:00:00.123456Z')).toEqual({
      from: '2026-12-01T00:00:00Z',
      to: '2026-12-03T10:00:00.123456Z',
    });
    // An archive whose last commit is older than every backup restores no point in time.
    expect(restorableRange(backups, '2026-11-30T00:00:00Z')).toEqual({
      from: '2026-12-01T00:00:00Z',
      to: null,
    });
    expect(restorableRange([], '2026-12-03T00:00:00Z')).toBeNull();
  });

  it('is printed with the backups and the archive', () => {
    const text = formatBackupList({
      root: '/b',
      backups: [backupEnded('20261201T000000Z', '2026-12-01T00:00:00Z')],
      segments: [{ name: '000000010000000000000002', partial: false, sizeBytes: 16 * 1024 * 1024 }],
      range: { from: '2026-12-01T00:00:00Z', to: '2026-12-03T00:00:00Z' },
    });
    expect(text).toContain('20261201T000000Z  2026-12-01T00:00:00Z');
    expect(text).toContain('WAL archive: 1 segment(s), 16.0 MiB');
    expect(text).toContain('Restorable: any time from 2026-12-01T00:00:00Z to 2026-12-03T00:00:00Z');
  });
});

describe('reading what PostgreSQL wrote', () => {
  it("finds the newest commit or abort in pg_waldump's output", () => {
    const output = [
      'rmgr: Transaction len (rec/tot):     34/    34, tx:        753, lsn: 0/0301B0B8, prev 0/0301B080, desc: COMMIT 2026-12-07 08:10:11.123456 UTC',
      'rmgr: Transaction len (rec/tot):     34/    34, tx:        754, lsn: 0/0301B0E0, prev 0/0301B0B8, desc: ABORT 2026-12-07 08:10:12.000001 UTC',
      'rmgr: Transaction len (rec/tot):     34/    34, tx:        755, lsn: 0/0301B108, prev 0/0301B0E0, desc: COMMIT 2026-12-07 08:10:11.999999 UTC; inval msgs: catcache 1',
      'pg_waldump: error: error in WAL record at 0/301B130: invalid record length at 0/301B130: wanted 24, got 0',
    ].join('\n');
    expect(newestCommitIn(output)).toBe('2026-12-07T08:10:12.000001Z');
    expect(newestCommitIn('rmgr: Heap len (rec/tot): 54/54, desc: INSERT off 3')).toBeNull();
  });

  it('reads the start of a backup from its label and manifest', () => {
    const label = [
      'START WAL LOCATION: 0/6000028 (file 000000010000000000000006)',
      'CHECKPOINT LOCATION: 0/6000060',
      'BACKUP METHOD: streamed',
      'START TIMELINE: 1',
    ].join('\n');
    expect(parseBackupLabel(label)).toEqual({
      startLsn: '0/6000028',
      startWalFile: '000000010000000000000006',
      timeline: 1,
    });
    const manifest = JSON.stringify({
      'WAL-Ranges': [{ Timeline: 1, 'Start-LSN': '0/6000028', 'End-LSN': '0/6000138' }],
    });
    expect(parseManifestWal(manifest)).toEqual({ startLsn: '0/6000028', endLsn: '0/6000138' });
  });
});

describe('qianbao backup arguments', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  const empty = mkdtempSync(path.join(tmpdir(), 'qianbao-backup-test-'));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));

  it('refuses bad arguments with usage errors', async () => {
    // Started together: each run starts tsx, which takes seconds on a loaded machine.
    const [keep, both, slot] = await Promise.all([
      qianbao(['backup', '--keep', '0']),
      qianbao(['backup', '--wal', '--list']),
      qianbao(['backup', '--wal', '--slot', 'Bad-Slot']),
    ]);
    expect(keep.code).toBe(2);
    expect(keep.stderr).toContain('--keep must be a whole number from 1 to 1000');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('separate commands');
    expect(slot.code).toBe(2);
    expect(slot.stderr).toContain('--slot must be 1 to 63 lower-case letters');
  });

  it('lists an empty folder as nothing restorable, and a missing one as an error', async () => {
    const listed = await qianbao(['backup', '--list', '--dir', empty]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('No base backups yet');
    expect(listed.stdout).toContain('Restorable: nothing yet (no base backup).');
    const missing = await qianbao(['backup', '--list', '--dir', path.join(empty, 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no backup folder at');
  });
});
