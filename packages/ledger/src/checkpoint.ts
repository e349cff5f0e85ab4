/**
 * Journal checkpoints (ADR 0010): the head of the chain, `seq` and `hash`, with the time it was
 * seen, authenticated with a key the database does not hold, and kept outside the database (a
 * file, a log store). A journal cut back to an earlier record still forms a valid chain; it no
 * longer holds the record a checkpoint saw, and `verify` says so.
 *
 * A checkpoint is one self-contained JSON line, `{"seq","hash","at","mac"}`, so that several
 * servers can append to one file and a log store can keep the lines in any order.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { JOURNAL_KEY_BYTES } from './journal.ts';

/** A checkpoint as written: the line itself, and the `checkpoint` field of its log line. */
export interface CheckpointRecord {
  /** Sequence number of the journal record, in decimal. */
  seq: string;
  /** That record's hash, hex. */
  hash: string;
  /** When the checkpoint was made (ISO 8601, UTC): after the record had committed. */
  at: string;
  /** HMAC-SHA256 under the checkpoint key of `seq`, `hash` and `at`, hex. */
  mac: string;
}

/** A checkpoint read back, its fields parsed. */
export interface JournalCheckpoint {
  seq: bigint;
  hash: Buffer;
  at: string;
}

export type CheckpointReading =
  | { kind: 'authentic'; checkpoint: JournalCheckpoint }
  /** Well formed, but its mac is not the one the key gives: made or edited without the key. */
  | { kind: 'forged'; checkpoint: JournalCheckpoint }
  | { kind: 'malformed' }
  /**
   * The checkpoint of another chain sharing the file (it names its `chain`, as the operator audit
   * log's do, ADR 0024): not the journal's to judge.
   */
  | { kind: 'other' };

/**
 * The key of the checkpoints' MACs, derived from the journal key with HKDF-SHA256 under a purpose
 * of its own: a checkpoint's MAC can never stand for a journal hash or the seal, nor the other
 * way round.
 */
export function checkpointKeyFrom(journalKey: Uint8Array): Buffer {
  if (journalKey.length < JOURNAL_KEY_BYTES)
    throw new RangeError('the journal key must be at least 32 bytes');
  return Buffer.from(
    hkdfSync('sha256', journalKey, Buffer.alloc(0), 'qianbao:ledger-journal-checkpoint', JOURNAL_KEY_BYTES),
  );
}

/** The checkpoint of the journal record `head`, seen at `at`. */
export function makeCheckpoint(
  key: Uint8Array,
  head: { seq: bigint; hash: Uint8Array },
  at: Date,
): CheckpointRecord {
  if (head.seq < 1n || head.hash.length !== 32) throw new RangeError('a checkpoint names a journal record');
  const seq = head.seq.toString();
  const hash = Buffer.from(head.hash).toString('hex');
  const time = at.toISOString();
  return { seq, hash, at: time, mac: checkpointMac(key, seq, hash, time).toString('hex') };
}

/** One line of a checkpoint file, without its newline. */
export function checkpointLine(record: CheckpointRecord): string {
  return JSON.stringify({ seq: record.seq, hash: record.hash, at: record.at, mac: record.mac });
}

const SEQ = /^[1-9]\d{0,18}$/;
const HEX_32 = /^[0-9a-f]{64}$/;
const MAX_LINE_LENGTH = 4096;

/**
 * Read one line: a checkpoint as `checkpointLine` wrote it, or a server's log line carrying it in
 * its `checkpoint` field (as shipped to a log store). Only fields in their exact written form
 * count: anything else is malformed, not a checkpoint to trust. A line of another chain (one
 * with a `chain` member) is `other`.
 */
export function readCheckpoint(line: string, key: Uint8Array): CheckpointReading {
  const inner = checkpointObject(line);
  if (inner === null) return { kind: 'malformed' };
  // Journal checkpoints have no `chain` member; any line that has one belongs to another chain.
  if ('chain' in inner) return { kind: 'other' };
  const fields = checkpointFields(inner);
  if (fields === null) return { kind: 'malformed' };
  const { seq, hash, at, mac } = fields;
  const checkpoint = { seq: BigInt(seq), hash: Buffer.from(hash, 'hex'), at };
  const authentic = timingSafeEqual(checkpointMac(key, seq, hash, at), Buffer.from(mac, 'hex'));
  return { kind: authentic ? 'authentic' : 'forged', checkpoint };
}

/**
 * The checkpoint object of a line of a checkpoint file — the line itself, or a server's log line
 * carrying it in its `checkpoint` field — or null when the line is too long or not a JSON object.
 * Shared by every chain whose checkpoints go to the file (the operator audit log's too).
 */
export function checkpointObject(line: string): Record<string, unknown> | null {
  if (line.length > MAX_LINE_LENGTH) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return null;
  }
  const inner = isObject(parsed) && isObject(parsed.checkpoint) ? parsed.checkpoint : parsed;
  return isObject(inner) ? inner : null;
}

/** A checkpoint's `seq`, `hash`, `at` and `mac`, each in its exact written form; null otherwise. */
export function checkpointFields(
  inner: Record<string, unknown>,
): { seq: string; hash: string; at: string; mac: string } | null {
  const { seq, hash, at, mac } = inner;
  if (
    typeof seq !== 'string' ||
    !SEQ.test(seq) ||
    BigInt(seq) >= 1n << 63n ||
    typeof hash !== 'string' ||
    !HEX_32.test(hash) ||
    typeof at !== 'string' ||
    !isCanonicalTime(at) ||
    typeof mac !== 'string' ||
    !HEX_32.test(mac)
  ) {
    return null;
  }
  return { seq, hash, at, mac };
}

/** HMAC(key, seq ‖ hash ‖ at), each field newline-terminated and tagged with the format's version. */
function checkpointMac(key: Uint8Array, seq: string, hashHex: string, at: string): Buffer {
  return createHmac('sha256', key)
    .update(`qianbao ledger journal checkpoint v1\n${seq}\n${hashHex}\n${at}\n`)
    .digest();
}

function isCanonicalTime(value: string): boolean {
  const time = new Date(value);
  return !Number.isNaN(time.getTime()) && time.toISOString() === value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
