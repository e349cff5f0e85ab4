import { createHash } from 'node:crypto';
import type { Transfer } from './types.ts';

export const GENESIS_HASH: Buffer = Buffer.alloc(32);

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

/** hash(batch) = sha256(previous hash ‖ seq ‖ each canonical transfer, newline-terminated, in ledger-time order). */
export function batchHash(previousHash: Buffer, seq: bigint, transfers: readonly Transfer[]): Buffer {
  const hash = createHash('sha256');
  hash.update(previousHash);
  hash.update(`${seq}\n`);
  for (const transfer of transfers) hash.update(`${canonicalTransfer(transfer)}\n`);
  return hash.digest();
}
