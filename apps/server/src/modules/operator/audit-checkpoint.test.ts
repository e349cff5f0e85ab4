/**
 * Operator audit checkpoints (ADR 0024): one keyed JSON line naming its chain, read back as
 * authentic, forged, malformed or another chain's; and the journal's reader, which shares the
 * file, leaves them alone.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  checkpointKeyFrom,
  checkpointLine,
  journalKeyFrom,
  makeCheckpoint,
  readCheckpoint,
} from '@qianbao/ledger';
import {
  auditCheckpointKeyFrom,
  auditCheckpointLine,
  makeAuditCheckpoint,
  readAuditCheckpoint,
} from './audit-checkpoint.ts';

const auditKey = randomBytes(32);
const key = auditCheckpointKeyFrom(auditKey);
const head = { seq: 42n, hash: randomBytes(32) };
const at = new Date('2026-12-07T09:15:00.250Z');

describe('audit checkpoints', () => {
  it('derive a key of their own from the audit chain key', () => {
    expect(key).toHaveLength(32);
    expect(key.equals(auditKey)).toBe(false);
    expect(auditCheckpointKeyFrom(auditKey).equals(key)).toBe(true);
    // Not the journal checkpoints' key, even from the same bytes: another purpose.
    expect(checkpointKeyFrom(auditKey).equals(key)).toBe(false);
    expect(() => auditCheckpointKeyFrom(randomBytes(16))).toThrow(RangeError);
  });

  it('are one JSON line naming their chain, which reads back as authentic', () => {
    const record = makeAuditCheckpoint(key, head, at);
    const line = auditCheckpointLine(record);
    expect(line).not.toContain('\n');
    expect(Object.keys(JSON.parse(line) as object)).toEqual(['chain', 'seq', 'hash', 'at', 'mac']);
    expect(JSON.parse(line)).toEqual({
      chain: 'operator-audit',
      seq: '42',
      hash: head.hash.toString('hex'),
      at: '2026-12-07T09:15:00.250Z',
      mac: record.mac,
    });
    expect(readAuditCheckpoint(line, key)).toEqual({
      kind: 'authentic',
      checkpoint: { seq: 42n, hash: head.hash, at: '2026-12-07T09:15:00.250Z' },
    });
    // As a server logs it, for a log store.
    const logLine = JSON.stringify({ level: 30, msg: 'audit checkpoint', checkpoint: record });
    expect(readAuditCheckpoint(logLine, key).kind).toBe('authentic');
  });

  it('are forged when any field is changed, or made with another key', () => {
    const record = makeAuditCheckpoint(key, head, at);
    const edits = [
      { seq: '43' },
      { hash: randomBytes(32).toString('hex') },
      { at: '2026-12-07T09:15:01.250Z' },
      { mac: randomBytes(32).toString('hex') },
    ];
    for (const edit of edits)
      expect(readAuditCheckpoint(auditCheckpointLine({ ...record, ...edit }), key).kind).toBe('forged');
    const other = makeAuditCheckpoint(auditCheckpointKeyFrom(randomBytes(32)), head, at);
    expect(readAuditCheckpoint(auditCheckpointLine(other), key)).toMatchObject({
      kind: 'forged',
      checkpoint: { seq: 42n },
    });
    // A journal checkpoint's mac over the same fields does not pass for an audit one.
    const journal = makeCheckpoint(key, head, at);
    const dressedUp = JSON.stringify({ chain: 'operator-audit', ...journal });
    expect(readAuditCheckpoint(dressedUp, key).kind).toBe('forged');
  });

  it('are malformed when they name the chain but a field is not in its written form', () => {
    const record = makeAuditCheckpoint(key, head, at);
    const lines = [
      { ...record, seq: 42 },
      { ...record, seq: '042' },
      { ...record, seq: '0' },
      { ...record, seq: '9223372036854775808' },
      { ...record, hash: record.hash.toUpperCase() },
      { ...record, at: '2026-12-07 09:15:00' },
      { ...record, mac: undefined },
    ].map((fields) => JSON.stringify(fields));
    for (const line of lines) expect(readAuditCheckpoint(line, key)).toEqual({ kind: 'malformed' });
  });

  it("leave every line not naming the chain to the journal's check", () => {
    const journal = checkpointLine(
      makeCheckpoint(checkpointKeyFrom(journalKeyFrom(randomBytes(32))), head, at),
    );
    for (const line of [journal, '', 'not json', '[]', 'null', JSON.stringify({ chain: 'ledger' })])
      expect(readAuditCheckpoint(line, key)).toEqual({ kind: 'other' });
  });

  it("are skipped by the journal's reader, as a line and as a log line", () => {
    const record = makeAuditCheckpoint(key, head, at);
    const journalKey = checkpointKeyFrom(journalKeyFrom(randomBytes(32)));
    expect(readCheckpoint(auditCheckpointLine(record), journalKey)).toEqual({ kind: 'other' });
    const logLine = JSON.stringify({ level: 30, msg: 'audit checkpoint', checkpoint: record });
    expect(readCheckpoint(logLine, journalKey)).toEqual({ kind: 'other' });
  });

  it('name an audit entry', () => {
    expect(() => makeAuditCheckpoint(key, { seq: 0n, hash: Buffer.alloc(32) }, at)).toThrow(RangeError);
    expect(() => makeAuditCheckpoint(key, { seq: 1n, hash: Buffer.alloc(16) }, at)).toThrow(RangeError);
  });
});
