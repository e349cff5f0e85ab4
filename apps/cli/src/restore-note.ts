/**
 * What a restore does about the journal checkpoints (ADR 0010), and how `verify` says so.
 *
 * After a restore to T the live checkpoint file is AHEAD of the restored database: it names
 * journal records committed after T. Read against it, the restored journal is "cut off" — which
 * is true, and exactly what the checkpoints exist to show. A restore must not hide that, and must
 * not make the restored books unverifiable either. So `qianbao restore`:
 *
 * - leaves the live checkpoint file alone (it is evidence of what the live books held);
 * - gives the restored database its own file, `<dir>/journal-checkpoints.jsonl`: the live lines
 *   made at or before T (the checkpoints true at T, still keyed, so `verify` checks the restored
 *   journal against them: its records up to T must be the very records the live server wrote);
 * - writes `<dir>/restore.json`, this note: when, to what time, from which backup, the restored
 *   journal head and the newest record the live checkpoints saw — the records rolled back on
 *   purpose. `qianbao verify` prints it when it sits beside the checkpoint file it reads, so the
 *   operator reads "restored to T, records N+1…M rolled back" next to a passing check.
 *
 * The note is information, not proof: anyone who can write the directory can write one. What
 * `verify` proves comes from the keyed checkpoints; run it with `--checkpoints <live file>` to see
 * the roll-back named as a cut.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const RESTORE_NOTE_FILE = 'restore.json';

export interface RestoreNote {
  restoredAt: string;
  /** The recovery target as given, or `latest`. */
  target: string;
  backupId: string;
  backupFinishedAt: string;
  backupFolder: string;
  /** The restored journal's newest record; null when the database has no ledger yet. */
  journalHeadSeq: string | null;
  liveCheckpointFile: string;
  /** The newest record the live checkpoint file saw at restore time. */
  liveNewestCheckpoint: { seq: string; at: string } | null;
  checkpointsKept: number;
  checkpointsDropped: number;
  sandboxKeyCopied: boolean;
}

/**
 * The checkpoint lines of `file` made at or before `untilMs` (all when null), as written, and
 * the newest one in the whole file. Lines that are not checkpoints are dropped (`verify` would
 * call them malformed).
 */
export function checkpointsUpTo(
  file: string,
  untilMs: number | null,
): { kept: string[]; dropped: number; newest: { seq: string; at: string } | null } {
  if (!existsSync(file)) return { kept: [], dropped: 0, newest: null };
  const kept: string[] = [];
  let dropped = 0;
  let newest: { seq: string; at: string } | null = null;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const checkpoint = parseCheckpoint(line);
    if (checkpoint === null) {
      dropped++;
      continue;
    }
    if (newest === null || BigInt(checkpoint.seq) > BigInt(newest.seq)) newest = checkpoint;
    if (untilMs === null || Date.parse(checkpoint.at) <= untilMs) kept.push(line);
    else dropped++;
  }
  return { kept, dropped, newest };
}

function parseCheckpoint(line: string): { seq: string; at: string } | null {
  try {
    const parsed = JSON.parse(line) as {
      seq?: unknown;
      at?: unknown;
      checkpoint?: { seq?: unknown; at?: unknown };
    };
    const inner = parsed.checkpoint ?? parsed;
    if (typeof inner.seq !== 'string' || !/^\d{1,19}$/.test(inner.seq) || typeof inner.at !== 'string')
      return null;
    return Number.isFinite(Date.parse(inner.at)) ? { seq: inner.seq, at: inner.at } : null;
  } catch {
    return null;
  }
}

/** The note for people: what was restored and what was rolled back. */
export function formatRestoreNote(note: RestoreNote): string {
  const head = note.journalHeadSeq ?? '0';
  const live = note.liveNewestCheckpoint;
  const rolledBack = live !== null && BigInt(live.seq) > BigInt(head);
  const lines = [
    `This database was restored on ${note.restoredAt} to ${note.target} from base backup ${note.backupId}: ` +
      (rolledBack
        ? 'the books were rolled back on purpose.'
        : live === null
          ? 'no live checkpoints were found, so what was rolled back cannot be told from them.'
          : 'nothing the live checkpoints saw is missing.'),
  ];
  if (rolledBack) {
    const first = BigInt(head) + 1n;
    const records =
      first === BigInt(live.seq)
        ? `Journal record ${live.seq} is`
        : `Journal records ${first}–${live.seq} are`;
    lines.push(
      `  ${records} not in it (the live checkpoints saw record ${live.seq} at ${live.at}); ` +
        'checked against the live file',
      `  (${note.liveCheckpointFile}) this journal reads as cut off after record ${head}: that is this restore.`,
    );
  } else if (live === null) {
    lines.push(
      `  The restored journal ends at record ${head}; ${note.liveCheckpointFile} held no checkpoints: ` +
        'check it against the `journal checkpoint` lines of your log store (qianbao verify --checkpoints).',
    );
  } else {
    lines.push(`  The restored journal ends at record ${head}; the live checkpoints saw nothing newer.`);
  }
  lines.push(
    `  Its own checkpoint file holds the ${note.checkpointsKept} live checkpoint(s) made up to the target` +
      ` (${note.checkpointsDropped} later or unreadable line(s) left out).`,
  );
  if (note.sandboxKeyCopied)
    lines.push('  The sandbox secret key was copied beside it (secret-key), mode 0600.');
  return lines.join('\n');
}

/** The restore note beside a checkpoint file, if there is one (for `qianbao verify`). */
export function restoreNoteBeside(checkpointFile: string | undefined): string | null {
  if (checkpointFile === undefined) return null;
  const file = path.join(path.dirname(path.resolve(checkpointFile)), RESTORE_NOTE_FILE);
  if (!existsSync(file)) return null;
  try {
    return formatRestoreNote(JSON.parse(readFileSync(file, 'utf8')) as RestoreNote);
  } catch {
    return `${file} is not a restore note qianbao wrote; ignored.`;
  }
}
