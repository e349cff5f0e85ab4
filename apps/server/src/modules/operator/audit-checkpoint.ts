/**
 * Operator audit checkpoints (ADR 0024, "Checkpoints"): the head of the audit chain, `seq` and
 * `hash`, with the time it was seen, authenticated with a key the database does not hold and kept
 * outside the database, as the ledger's journal checkpoints are (ADR 0010,
 * packages/ledger/src/checkpoint.ts). A log whose newest entries were deleted around the triggers
 * still forms a valid chain; it no longer holds the entry a checkpoint saw, and `verify` says so.
 *
 * A checkpoint is one self-contained JSON line naming its chain,
 * `{"chain":"operator-audit","seq","hash","at","mac"}`, so that it shares the journal's
 * checkpoint file: the journal's reader leaves lines with a `chain` member alone.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { checkpointFields, checkpointObject } from '@qianbao/ledger';

export const AUDIT_CHECKPOINT_CHAIN = 'operator-audit';
const KEY_BYTES = 32;

/** An audit checkpoint as written: the line itself, and the `checkpoint` field of its log line. */
export interface AuditCheckpointRecord {
  chain: typeof AUDIT_CHECKPOINT_CHAIN;
  /** Sequence number of the audit entry, in decimal. */
  seq: string;
  /** That entry's hash, hex. */
  hash: string;
  /** When the checkpoint was made (ISO 8601, UTC): after the entry had committed. */
  at: string;
  /** HMAC-SHA256 under the audit checkpoint key of `seq`, `hash` and `at`, hex. */
  mac: string;
}

/** An audit checkpoint read back, its fields parsed. */
export interface AuditCheckpoint {
  seq: bigint;
  hash: Buffer;
  at: string;
}

export type AuditCheckpointReading =
  | { kind: 'authentic'; checkpoint: AuditCheckpoint }
  /** Well formed, but its mac is not the one the key gives: made or edited without the key. */
  | { kind: 'forged'; checkpoint: AuditCheckpoint }
  /** Names the audit chain, but is not a checkpoint as written. */
  | { kind: 'malformed' }
  /**
   * Not a line of the audit chain: a journal checkpoint, another log line, or no JSON object at
   * all. The journal's check (packages/ledger verify.ts) reads every line without a `chain` and
   * reports the unreadable ones: each line is judged once.
   */
  | { kind: 'other' };

/**
 * The key of the audit checkpoints' MACs: HKDF-SHA256 of the audit chain key (`auditKeyFrom`)
 * under a purpose of its own, so that a checkpoint's MAC can never stand for an entry's hash, nor
 * the other way round.
 */
export function auditCheckpointKeyFrom(auditKey: Uint8Array): Buffer {
  if (auditKey.length < KEY_BYTES) throw new RangeError('the audit key must be at least 32 bytes');
  return Buffer.from(
    hkdfSync('sha256', auditKey, Buffer.alloc(0), 'qianbao:operator-audit-checkpoint', KEY_BYTES),
  );
}

/** The checkpoint of the audit entry `head`, seen at `at`. */
export function makeAuditCheckpoint(
  key: Uint8Array,
  head: { seq: bigint; hash: Uint8Array },
  at: Date,
): AuditCheckpointRecord {
  if (head.seq < 1n || head.hash.length !== 32) throw new RangeError('a checkpoint names an audit entry');
  const seq = head.seq.toString();
  const hash = Buffer.from(head.hash).toString('hex');
  const time = at.toISOString();
  return {
    chain: AUDIT_CHECKPOINT_CHAIN,
    seq,
    hash,
    at: time,
    mac: auditCheckpointMac(key, seq, hash, time).toString('hex'),
  };
}

/** One line of a checkpoint file, without its newline. */
export function auditCheckpointLine(record: AuditCheckpointRecord): string {
  return JSON.stringify({
    chain: record.chain,
    seq: record.seq,
    hash: record.hash,
    at: record.at,
    mac: record.mac,
  });
}

/**
 * Read one line: an audit checkpoint as `auditCheckpointLine` wrote it, or a server's log line
 * carrying it in its `checkpoint` field. A line naming the audit chain counts only with every
 * field in its exact written form; a line that does not name it is `other`.
 */
export function readAuditCheckpoint(line: string, key: Uint8Array): AuditCheckpointReading {
  const inner = checkpointObject(line);
  if (inner === null || inner.chain !== AUDIT_CHECKPOINT_CHAIN) return { kind: 'other' };
  const fields = checkpointFields(inner);
  if (fields === null) return { kind: 'malformed' };
  const { seq, hash, at, mac } = fields;
  const checkpoint = { seq: BigInt(seq), hash: Buffer.from(hash, 'hex'), at };
  const authentic = timingSafeEqual(auditCheckpointMac(key, seq, hash, at), Buffer.from(mac, 'hex'));
  return { kind: authentic ? 'authentic' : 'forged', checkpoint };
}

/** HMAC(key, seq ‖ hash ‖ at), each field newline-terminated and tagged with the format's version. */
function auditCheckpointMac(key: Uint8Array, seq: string, hashHex: string, at: string): Buffer {
  return createHmac('sha256', key)
    .update(`qianbao operator audit checkpoint v1\n${seq}\n${hashHex}\n${at}\n`)
    .digest();
}
