import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkpointKeyFrom, journalKeyFrom, readCheckpoint } from '@qianbao/ledger';
import { JournalCheckpoints, checkpointFileLines } from './journal-checkpoints.ts';
import { auditCheckpointKeyFrom, readAuditCheckpoint } from './modules/operator/audit-checkpoint.ts';

const journalKey = journalKeyFrom(randomBytes(32));
const key = checkpointKeyFrom(journalKey);
const head = (seq: bigint) => ({ seq, hash: randomBytes(32) });

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'qianbao-checkpoints-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The journal checkpoints in a file, read back with the key (the audit log's lines left out). */
function checkpointsIn(file: string) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => readCheckpoint(line, key))
    .filter((reading) => reading.kind !== 'other')
    .map((reading) => {
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

  it('checkpoints the committed audit head after observeAudit, an interval later again, and at close', async () => {
    const file = path.join(dir, 'journal-checkpoints.jsonl');
    const auditKey = randomBytes(32);
    const auditCheckpointKey = auditCheckpointKeyFrom(auditKey);
    let committed: { seq: bigint; hash: Buffer } | null = null;
    let failing = false;
    let reads = 0;
    const checkpoints = await JournalCheckpoints.open({
      file,
      intervalMs: 300,
      journalKey,
      audit: {
        key: auditKey,
        head: () => {
          reads += 1;
          return failing ? Promise.reject(new Error('database gone')) : Promise.resolve(committed);
        },
      },
    });
    const auditLines = () =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => readAuditCheckpoint(line, auditCheckpointKey))
        .filter((reading) => reading.kind !== 'other')
        .map((reading) => {
          expect(reading.kind).toBe('authentic');
          return (reading as Extract<typeof reading, { kind: 'authentic' }>).checkpoint;
        });
    const log = recordingLog();
    checkpoints.start(log);

    const first = head(1n);
    committed = first;
    checkpoints.observeAudit();
    await expect.poll(() => auditLines().length).toBe(1);
    expect(auditLines()[0]).toMatchObject({ seq: 1n, hash: first.hash });

    // An entry appended inside its action's transaction: reported before it commits, so the
    // first read still sees entry 1; the read an interval later sees it committed.
    const readsBefore = reads;
    checkpoints.observeAudit();
    await expect.poll(() => reads).toBeGreaterThan(readsBefore);
    const second = head(2n);
    committed = second; // after the timer's first read
    await expect.poll(() => auditLines().length, { timeout: 3000 }).toBe(2);
    expect(auditLines()[1]).toMatchObject({ seq: 2n, hash: second.hash });
    // The journal's reader leaves these lines to the audit log, and the journal's lines still work.
    checkpoints.observe(head(7n));
    await expect.poll(() => checkpointsIn(file).length, { timeout: 3000 }).toBe(1);

    // The head did not move: nothing written. A failing read is logged, never thrown.
    checkpoints.observeAudit();
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(auditLines()).toHaveLength(2);
    failing = true;
    checkpoints.observeAudit();
    await expect
      .poll(() => log.lines.filter((l) => l.level === 'error').map((l) => l.msg), { timeout: 3000 })
      .toContain('audit checkpoint: the audit head could not be read');

    failing = false;
    committed = head(3n);
    await checkpoints.close(); // an entry committed after the last timer read
    expect(auditLines().map((c) => c.seq)).toEqual([1n, 2n, 3n]);
    const logged = log.lines.filter((l) => l.msg === 'audit checkpoint').map((l) => JSON.stringify(l.object));
    expect(logged.map((line) => readAuditCheckpoint(line, auditCheckpointKey).kind)).toEqual([
      'authentic',
      'authentic',
      'authentic',
    ]);
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
