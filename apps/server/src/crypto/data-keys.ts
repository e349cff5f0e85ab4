import { createHmac, hkdfSync } from 'node:crypto';
import { SECRET_KEY_BYTES, parseSecretKey } from './secret-key.ts';

/**
 * The data keys that seal personal data and secrets at rest (ADR 0029). `QIANBAO_DATA_KEYS` lists
 * them, comma-separated: the first seals every new value, every one opens. An entry is base64 of
 * 32 random bytes, or the word `root` for the key derived from QIANBAO_SECRET_KEY — the only data
 * key before the list existed, and the one values written as `v1.…` were sealed with. Unset, the
 * list is `root`.
 *
 * Each key is named in what it sealed by its id: 16 hex digits of an HMAC of the key, which
 * tell nothing about it and say which key a stored value needs.
 */

/** The key the root derives for sealing (as ADR 0005 has always derived it). */
export function rootDataKey(rootKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', rootKey, Buffer.alloc(0), 'qianbao:seal', SECRET_KEY_BYTES));
}

/** A data key's id: 8 bytes of HMAC-SHA256(key, label), in hex. */
export function dataKeyId(key: Buffer): string {
  return createHmac('sha256', key).update('qianbao:data-key-id').digest().subarray(0, 8).toString('hex');
}

/** One entry of QIANBAO_DATA_KEYS: the root's key, or a key of its own. */
export type DataKeyEntry = 'root' | Buffer;

/**
 * `QIANBAO_DATA_KEYS` as a list; a message naming the bad entry otherwise. Refused: an empty list
 * or entry, a key that is not 32 bytes of base64, and the same key twice.
 */
export function parseDataKeys(value: string): DataKeyEntry[] | string {
  const entries = value.split(',').map((entry) => entry.trim());
  const keys: DataKeyEntry[] = [];
  for (const [index, entry] of entries.entries()) {
    if (entry === '') return `entry ${index + 1} is empty`;
    if (entry === 'root') keys.push('root');
    else {
      const key = parseSecretKey(entry);
      if (key === null) return `entry ${index + 1} is neither "root" nor base64 of ${SECRET_KEY_BYTES} bytes`;
      keys.push(key);
    }
  }
  const named = keys.map((key) => (key === 'root' ? 'root' : key.toString('hex')));
  if (new Set(named).size !== named.length) return 'a key is listed twice';
  return keys;
}

/** The ring of a root key and its data-key entries: id → key, the sealing key first. */
export function dataKeyRing(rootKey: Buffer, entries: readonly DataKeyEntry[]): Map<string, Buffer> {
  const ring = new Map<string, Buffer>();
  for (const entry of entries) {
    const key = entry === 'root' ? rootDataKey(rootKey) : entry;
    ring.set(dataKeyId(key), key);
  }
  return ring;
}
