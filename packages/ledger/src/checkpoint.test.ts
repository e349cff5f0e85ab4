import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkpointKeyFrom, checkpointLine, makeCheckpoint, readCheckpoint } from './checkpoint.ts';
import { journalKeyFrom } from './journal.ts';

const journalKey = journalKeyFrom(randomBytes(32));
const key = checkpointKeyFrom(journalKey);
const head = { seq: 1234n, hash: randomBytes(32) };
const at = new Date('2026-12-05T08:30:00.123Z');

describe('journal checkpoints', () => {
  it('derive a key of their own from the journal key', () => {
    expect(key).toHaveLength(32);
    expect(key.equals(journalKey)).toBe(false);
    expect(checkpointKeyFrom(journalKey).equals(key)).toBe(true);
    expect(checkpointKeyFrom(journalKeyFrom(randomBytes(32))).equals(key)).toBe(false);
    expect(() => checkpointKeyFrom(randomBytes(16))).toThrow(RangeError);
  });

  it('are one JSON line that reads back as authentic', () => {
    const record = makeCheckpoint(key, head, at);
    const line = checkpointLine(record);
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      seq: '1234',
      hash: head.hash.toString('hex'),
      at: '2026-12-05T08:30:00.123Z',
      mac: record.mac,
    });
    expect(readCheckpoint(line, key)).toEqual({
      kind: 'authentic',
      checkpoint: { seq: 1234n, hash: head.hash, at: '2026-12-05T08:30:00.123Z' },
    });
  });

  it('read back from a server log line that carries them', () => {
    const record = makeCheckpoint(key, head, at);
    const logLine = JSON.stringify({ level: 30, time: 1, msg: 'journal checkpoint', checkpoint: record });
    expect(readCheckpoint(logLine, key).kind).toBe('authentic');
  });

  it('are forged when any field is changed, or made with another key', () => {
    const record = makeCheckpoint(key, head, at);
    const edits = [
      { seq: '1235' },
      { hash: randomBytes(32).toString('hex') },
      { at: '2026-12-05T08:30:01.123Z' },
      { mac: randomBytes(32).toString('hex') },
    ];
    for (const edit of edits) {
      expect(readCheckpoint(checkpointLine({ ...record, ...edit }), key).kind).toBe('forged');
    }
    const otherKey = checkpointKeyFrom(journalKeyFrom(randomBytes(32)));
    const reading = readCheckpoint(checkpointLine(makeCheckpoint(otherKey, head, at)), key);
    expect(reading).toMatchObject({ kind: 'forged', checkpoint: { seq: 1234n } });
  });

  it('are malformed unless every field has its exact written form', () => {
    const record = makeCheckpoint(key, head, at);
    const lines = [
      '',
      'not json',
      '[]',
      'null',
      JSON.stringify({ ...record, seq: 1234 }),
      JSON.stringify({ ...record, seq: '01234' }),
      JSON.stringify({ ...record, seq: '0' }),
      JSON.stringify({ ...record, seq: '9223372036854775808' }),
      JSON.stringify({ ...record, hash: record.hash.toUpperCase() }),
      JSON.stringify({ ...record, hash: record.hash.slice(2) }),
      JSON.stringify({ ...record, at: '2026-12-05 08:30:00' }),
      JSON.stringify({ ...record, at: 'yesterday' }),
      JSON.stringify({ ...record, mac: undefined }),
      JSON.stringify({ ...record, pad: 'x'.repeat(5000) }),
    ];
    for (const line of lines) expect(readCheckpoint(line, key)).toEqual({ kind: 'malformed' });
  });

  it("leave another chain's lines (a `chain` member) to that chain, in a log line too", () => {
    const record = makeCheckpoint(key, head, at);
    // As the operator audit log writes its own checkpoints into the same file (ADR 0024).
    const audit = { chain: 'operator-audit', ...record };
    expect(readCheckpoint(JSON.stringify(audit), key)).toEqual({ kind: 'other' });
    const logLine = JSON.stringify({ level: 30, msg: 'audit checkpoint', checkpoint: audit });
    expect(readCheckpoint(logLine, key)).toEqual({ kind: 'other' });
    // Whatever the chain's name or the rest: it is not the journal's to judge.
    expect(readCheckpoint(JSON.stringify({ chain: 'something else' }), key)).toEqual({ kind: 'other' });
  });

  it('name a journal record', () => {
    expect(() => makeCheckpoint(key, { seq: 0n, hash: Buffer.alloc(32) }, at)).toThrow(RangeError);
    expect(() => makeCheckpoint(key, { seq: 1n, hash: Buffer.alloc(16) }, at)).toThrow(RangeError);
  });
});
