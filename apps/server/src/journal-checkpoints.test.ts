import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkpointKeyFrom, journalKeyFrom, readCheckpoint } from '@qianbao/ledger';
import { JournalCheckpoints, checkpointFileLines } from './journal-checkpoints.ts';

const journalKey = journalKeyFrom(randomBytes(32));
const key = checkpointKeyFrom(journalKey);
const head = (seq: bigint) => ({ seq, hash: randomBytes(32) });

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'qianbao-checkpoints-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The checkpoints in a file, read back with the key. */
function checkpointsIn(file: string) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const reading = readCheckpoint(line, key);
      expect(reading.kind).toBe('authentic');
      return (reading as Extract<typeof reading, { kind: 'authentic' }>).checkpoint;
    });
}

function recordingLog() {
  const lines: { level: 'info' | 'error'; object: unknown; msg: string }[] = [];
  return {
    lines,
    info: (object: unknown, msg: string) => lines.push({ level: 'info', object, msg }),
    error: (object: unknown, msg: string) => lines.push({ level: 'error', object, msg }),
  };
}

describe('JournalCheckpoints', () => {
  it('appends and logs a checkpoint at most once an interval, only when the head moved, and the last head on close', async () => {
    const file = path.join(dir, 'nested', 'journal-checkpoints.jsonl');
    const checkpoints = await JournalCheckpoints.open({ file, intervalMs: 300, journalKey });
    expect(existsSync(file)).toBe(true); // opened at start: a path it cannot write stops the server
    const log = recordingLog();
    const first = head(1n);
    checkpoints.observe(first); // before start (the app's logger comes after the ledger)
    checkpoints.start(log);
    await expect.poll(() => checkpointsIn(file).length).toBe(1);
    expect(checkpointsIn(file)[0]).toMatchObject({ seq: 1n, hash: first.hash });

    const third = head(3n);
    checkpoints.observe(head(2n));
    checkpoints.observe(third);
    checkpoints.observe(head(2n)); // an older head is never written over a newer one
    await expect.poll(() => checkpointsIn(file).length, { timeout: 3000 }).toBe(2);
    const [one, two] = checkpointsIn(file);
    expect(two).toMatchObject({ seq: 3n, hash: third.hash });
    expect(Date.parse(two!.at) - Date.parse(one!.at)).toBeGreaterThanOrEqual(290);

    checkpoints.observe(third); // the head did not move: nothing to write
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(checkpointsIn(file)).toHaveLength(2);

    checkpoints.observe(head(4n));
    await checkpoints.close(); // at once, whatever the interval
    expect(checkpointsIn(file).map((c) => c.seq)).toEqual([1n, 3n, 4n]);

    // Each checkpoint is also one info log line carrying the same record.
    expect(log.lines.map((l) => [l.level, l.msg])).toEqual([
      ['info', 'journal checkpoint'],
      ['info', 'journal checkpoint'],
      ['info', 'journal checkpoint'],
    ]);
    const logged = log.lines.map((l) => JSON.stringify(l.object));
    expect(logged.map((line) => readCheckpoint(line, key).kind)).toEqual([
      'authentic',
      'authentic',
      'authentic',
    ]);
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toEqual(
      log.lines.map((l) => JSON.stringify((l.object as { checkpoint: unknown }).checkpoint)),
    );
  });

  it('lets several processes append to one file, each line whole', async () => {
    const file = path.join(dir, 'journal-checkpoints.jsonl');
    const writers = await Promise.all(
      [0, 1, 2].map(() => JournalCheckpoints.open({ file, intervalMs: 100, journalKey })),
    );
    writers.forEach((writer, i) => {
      writer.start(recordingLog());
      writer.observe(head(BigInt(i + 1)));
    });
    await Promise.all(writers.map((writer) => writer.close()));
    expect(
      checkpointsIn(file)
        .map((c) => c.seq)
        .sort(),
    ).toEqual([1n, 2n, 3n]);
  });

  it('reads back only the complete lines the file had when asked', async () => {
    const file = path.join(dir, 'journal-checkpoints.jsonl');
    writeFileSync(file, 'one\ntwo\nthree without its newline');
    const lines = checkpointFileLines(file);
    writeFileSync(file, 'one\ntwo\nthree without its newline\nfour\n');
    const read: string[] = [];
    for await (const line of lines) read.push(line);
    expect(read).toEqual(['one', 'two']);
  });
});
