import { createHash, createHmac, hkdfSync } from 'node:crypto';
import type { Transfer } from './types.ts';

export const GENESIS_HASH: Buffer = Buffer.alloc(32);

/** Length of the journal key (HMAC-SHA256 key) in bytes. */
export const JOURNAL_KEY_BYTES = 32;

/**
 * The key of the journal's chain, derived from the server's master key (QIANBAO_SECRET_KEY) with
 * HKDF-SHA256 under a purpose of its own, so that it is never the key that seals personal data
 * (ADR 0005) and knowing one derived key tells nothing about the other.
 */
export function journalKeyFrom(masterKey: Uint8Array): Buffer {
  if (masterKey.length < JOURNAL_KEY_BYTES) throw new RangeError('the master key must be at least 32 bytes');
  return Buffer.from(
    hkdfSync('sha256', masterKey, Buffer.alloc(0), 'qianbao:ledger-journal', JOURNAL_KEY_BYTES),
  );
}

/**
 * The canonical encoding of a transfer for the hash chain: a JSON array of every stored field in a
 * fixed order, bigints as decimal strings. JSON string escaping makes the encoding unambiguous
 * whatever the user data holds.
 */
export function canonicalTransfer(transfer: Transfer): string {
  return JSON.stringify([
    transfer.id,
    transfer.debitAccountId,
    transfer.creditAccountId,
    transfer.amount.toString(),
    transfer.currency,
    transfer.code,
    transfer.flags,
    transfer.pendingId,
    transfer.timeoutSeconds,
    transfer.expiresAt === null ? null : transfer.expiresAt.toString(),
    transfer.userData,
    transfer.timestamp.toString(),
    transfer.limitKeys,
  ]);
}

/**
 * hash(batch) = H(previous hash ‖ seq ‖ each canonical transfer, newline-terminated, in
 * ledger-time order), where H is HMAC-SHA256 under the journal key (ADR 0010) or, with `key`
 * null, plain SHA-256: the records of a journal written before keyed hashing, and a ledger used
 * without a key (tests, tools).
 */
export function batchHash(
  previousHash: Buffer,
  seq: bigint,
  transfers: readonly Transfer[],
  key: Uint8Array | null = null,
): Buffer {
  const hash = key === null ? createHash('sha256') : createHmac('sha256', key);
  hash.update(previousHash);
  hash.update(`${seq}\n`);
  for (const transfer of transfers) hash.update(`${canonicalTransfer(transfer)}\n`);
  return hash.digest();
}

/**
 * The seal of a keyed journal: names the first record hashed with the key and the hash of the
 * record before it (the head of the unkeyed records written before the upgrade; zeros for a
 * journal keyed from its first record). Nobody without the key can move that boundary, so nobody
 * can declare keyed records "legacy" and rewrite them with plain SHA-256.
 */
export function journalSeal(key: Uint8Array, keyedFromSeq: bigint, boundaryHash: Buffer): Buffer {
  return createHmac('sha256', key)
    .update(`qianbao ledger journal seal v1\n${keyedFromSeq}\n`)
    .update(boundaryHash)
    .digest();
}
