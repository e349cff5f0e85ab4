/**
 * `qianbao restore`'s choices and refusals: which base backup, which times it refuses, never the
 * live data directory, and the journal checkpoints it carries over. A real restore:
 * test/e2e/restore-drill.test.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** Each `qianbao` run starts tsx; a loaded two-core machine takes seconds for each. */
const CLI_TEST_TIMEOUT_MS = 180_000;
import { backupEnded } from './backup-testing.ts';
import { BackupError } from './backup-tools.ts';
import { chooseBackup, parseTarget, postgresTime } from './restore.ts';
import type { RestoreTarget } from './restore.ts';
import { checkpointsUpTo, formatRestoreNote, restoreNoteBeside } from './restore-note.ts';
import type { RestoreNote } from './restore-note.ts';
import { runQianbao as qianbao } from './testing.ts';

const at = (text: string): RestoreTarget => parseTarget(text)!;

describe('restore targets', () => {
  it('takes "latest" or a time with its zone, and nothing ambiguous', () => {
    expect(parseTarget('latest')).toEqual({ kind: 'latest' });
    expect(parseTarget('2026-12-07T08:10:00.123456Z')).toMatchObject({ kind: 'time' });
    expect(parseTarget('2026-12-07T16:10:00+08:00')).toMatchObject({
      kind: 'time',
      ms: Date.parse('2026-12-07T08:10:00Z'),
    });
    for (const bad of ['2026-12-07T08:10:00', 'yesterday', '2026-12-07', '2026-13-45T99:00:00Z'])
      expect(parseTarget(bad), bad).toBeNull();
  });

  it('is handed to PostgreSQL with a numeric offset (the postmaster refuses "Z")', () => {
    expect(postgresTime('2026-12-07T08:10:00.5Z')).toBe('2026-12-07 08:10:00.5+00');
    expect(postgresTime('2026-12-07T16:10:00+08:00')).toBe('2026-12-07 16:10:00+08:00');
  });
});

describe('choosing the base backup', () => {
  const backups = [
    backupEnded('b1', '2026-12-01T00:00:00Z'),
    backupEnded('b2', '2026-12-02T00:00:00Z'),
    backupEnded('b3', '2026-12-03T00:00:00Z'),
  ];
  const lastCommit = '2026-12-03T12:00:00Z';
  const refusal = (target: RestoreTarget, commit: string | null = lastCommit) => {
    try {
      chooseBackup(backups, commit, target);
    } catch (error) {
      return error instanceof BackupError ? error.code : String(error);
    }
    return 'accepted';
  };

  it('takes the newest backup that ended at or before the target', () => {
    expect(chooseBackup(backups, lastCommit, at('2026-12-02T10:00:00Z')).id).toBe('b2');
    expect(chooseBackup(backups, lastCommit, at('2026-12-02T00:00:00Z')).id).toBe('b2');
    expect(chooseBackup(backups, lastCommit, at('2026-12-03T11:59:59Z')).id).toBe('b3');
    expect(chooseBackup(backups, lastCommit, at('latest')).id).toBe('b3');
  });

  it('refuses a time before the oldest backup or after the newest archived commit', () => {
    expect(refusal(at('2026-11-30T23:59:59Z'))).toBe('BEFORE_OLDEST_BACKUP');
    expect(refusal(at('2026-12-03T12:00:00.001Z'))).toBe('AFTER_NEWEST_WAL');
    expect(refusal(at('2026-12-02T00:00:00Z'), null)).toBe('AFTER_NEWEST_WAL');
    expect(() => chooseBackup([], lastCommit, at('latest'))).toThrow('there is no base backup');
  });
});

describe('journal checkpoints after a restore', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'qianbao-restore-test-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const line = (seq: number, time: string) =>
    JSON.stringify({ seq: String(seq), hash: 'ab'.repeat(32), at: time, mac: 'cd'.repeat(32) });

  it('carries over the checkpoints made up to the target, and finds the newest of all', () => {
    const file = path.join(directory, 'live.jsonl');
    writeFileSync(
      file,
      [
        line(3, '2026-12-07T08:00:00.000Z'),
        'not a checkpoint',
        line(7, '2026-12-07T08:00:10.000Z'),
        line(12, '2026-12-07T08:00:20.000Z'),
        '',
      ].join('\n'),
    );
    const { kept, dropped, newest } = checkpointsUpTo(file, Date.parse('2026-12-07T08:00:10Z'));
    expect(kept).toEqual([line(3, '2026-12-07T08:00:00.000Z'), line(7, '2026-12-07T08:00:10.000Z')]);
    expect(dropped).toBe(2);
    expect(newest).toEqual({ seq: '12', at: '2026-12-07T08:00:20.000Z' });
    expect(checkpointsUpTo(file, null).kept).toHaveLength(3);
    expect(checkpointsUpTo(path.join(directory, 'none.jsonl'), null)).toEqual({
      kept: [],
      dropped: 0,
      newest: null,
    });
  });

  it('names the records rolled back, beside the restored checkpoint file', () => {
    const note: RestoreNote = {
      restoredAt: '2026-12-07T09:00:00.000Z',
      target: '2026-12-07T08:00:10Z',
      backupId: '20261207T075000Z',
      backupFinishedAt: '2026-12-07T07:50:03Z',
      backupFolder: '/b',
      journalHeadSeq: '8',
      liveCheckpointFile: '/live/journal-checkpoints.jsonl',
      liveNewestCheckpoint: { seq: '12', at: '2026-12-07T08:00:20.000Z' },
      checkpointsKept: 2,
      checkpointsDropped: 1,
      sandboxKeyCopied: false,
    };
    const text = formatRestoreNote(note);
    expect(text).toContain('the books were rolled back on purpose');
    expect(text).toContain('Journal records 9–12 are not in it (the live checkpoints saw record 12 at');
    expect(formatRestoreNote({ ...note, journalHeadSeq: '11' })).toContain('Journal record 12 is not in it');
    const complete = formatRestoreNote({ ...note, journalHeadSeq: '12' });
    expect(complete).toContain('nothing the live checkpoints saw is missing');
    expect(complete).not.toContain('rolled back');
    expect(formatRestoreNote({ ...note, liveNewestCheckpoint: null })).toContain('held no checkpoints');
    expect(text).toContain('cut off after record 8: that is this restore');
    const restored = path.join(directory, 'restored');
    mkdirSync(restored);
    writeFileSync(path.join(restored, 'restore.json'), JSON.stringify(note));
    expect(restoreNoteBeside(path.join(restored, 'journal-checkpoints.jsonl'))).toBe(text);
    expect(restoreNoteBeside(path.join(directory, 'live.jsonl'))).toBeNull();
    expect(restoreNoteBeside(undefined)).toBeNull();
  });
});

describe('qianbao restore refusals', { timeout: CLI_TEST_TIMEOUT_MS }, () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'qianbao-restore-cli-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const backups = path.join(directory, 'backups');
  mkdirSync(path.join(backups, 'base', '20261201T000000Z'), { recursive: true });
  writeFileSync(
    path.join(backups, 'base', '20261201T000000Z.json'),
    JSON.stringify(backupEnded('20261201T000000Z', '2026-12-01T00:00:00Z')),
  );
  const env = { QIANBAO_DATA_DIR: path.join(directory, 'data') };

  it('needs a target with a zone and a directory', async () => {
    const none = await qianbao(['restore'], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--to and --into are required');
    const naive = await qianbao(
      ['restore', '--to', '2026-12-01T10:00:00', '--into', path.join(directory, 'x')],
      env,
    );
    expect(naive.code).toBe(2);
    expect(naive.stderr).toContain('a time with its zone');
  });

  it('never restores into the live data directory or over existing files', async () => {
    mkdirSync(path.join(directory, 'data', 'pg'), { recursive: true });
    writeFileSync(path.join(directory, 'data', 'pg', 'PG_VERSION'), '15\n');
    const live = await qianbao(
      ['restore', '--to', 'latest', '--into', path.join(directory, 'data'), '--dir', backups],
      env,
    );
    expect(live.code).toBe(2);
    expect(live.stderr).toContain('is the live data directory');
    const full = await qianbao(['restore', '--to', 'latest', '--into', backups, '--dir', backups], env);
    expect(full.code).toBe(2);
    expect(full.stderr).toContain('already exists and is not empty');
    expect(readFileSync(path.join(directory, 'data', 'pg', 'PG_VERSION'), 'utf8')).toBe('15\n');
  });

  it('refuses times outside what the backups and the archive hold', async () => {
    const early = await qianbao(
      ['restore', '--to', '2026-11-30T00:00:00Z', '--into', path.join(directory, 'early'), '--dir', backups],
      env,
    );
    expect(early.code).toBe(1);
    expect(early.stderr).toContain(
      '2026-11-30T00:00:00Z is before the oldest backup, which ended at 2026-12-01T00:00:00Z',
    );
    // No WAL archived: no point in time after the backup can be reached.
    const late = await qianbao(
      ['restore', '--to', '2026-12-01T01:00:00Z', '--into', path.join(directory, 'late'), '--dir', backups],
      env,
    );
    expect(late.code).toBe(1);
    expect(late.stderr).toContain('after the newest commit in the WAL archive (none yet)');
  });
});
