/**
 * The restore drill, short version (docs/backups.md): `qianbao backup drill --short` runs a
 * dedicated PostgreSQL, load through a real server, `qianbao backup` with the WAL streamed by
 * `qianbao backup --wal`, more load, a snapshot at T, more load, `qianbao restore --to T`, and
 * checks `qianbao verify` and the restored books against the snapshot. The full drill (more load)
 * is the same command without --short.
 */
import { describe, expect, it } from 'vitest';
import { runQianbao } from '../../apps/cli/src/testing.ts';

const DRILL_TIMEOUT_MS = 600_000;

describe('restore drill', () => {
  it(
    'restores to a time between two loads: verify passes and no acknowledged transfer is lost',
    async () => {
      const drill = await runQianbao(['backup', 'drill', '--short']);
      const output = `${drill.stdout}\n${drill.stderr}`;
      expect(output).toContain('No acknowledged transfer lost: PASS');
      expect(drill.code, output).toBe(0);
      for (const figure of ['base backup', 'restore', 'WAL replayed', 'transfers acknowledged over HTTP'])
        expect(drill.stdout).toContain(figure);
      expect(drill.stdout).not.toMatch(/^ {2}FAIL/m);
      // Every check the drill makes is printed as passed.
      expect(drill.stdout.match(/^ {2}ok {4}/gm)?.length).toBe(11);
    },
    DRILL_TIMEOUT_MS,
  );
});
