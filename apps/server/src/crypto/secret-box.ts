import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { type DataKeyEntry, dataKeyId, dataKeyRing, rootDataKey } from './data-keys.ts';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed value whose data key is not in the ring (QIANBAO_DATA_KEYS). */
export class UnknownDataKeyError extends Error {
  constructor(readonly keyId: string) {
    super(
      `a value is sealed with data key ${keyId}, which is not in QIANBAO_DATA_KEYS: add it back ` +
        '(`qianbao secrets status` lists the keys the stored values need; ADR 0029)',
    );
    this.name = 'UnknownDataKeyError';
  }
}

/**
 * Encryption of personal data and secrets at rest (AES-256-GCM) and blind indexes (HMAC-SHA256)
 * to find or deduplicate a value without storing it in clear. Each use names a `purpose`: the
 * associated data (and the index's input) depend on it, so a value sealed for one purpose (an ID
 * number) cannot be opened as another (a TOTP secret).
 *
 * Two kinds of key (ADR 0005, ADR 0029):
 * - **data keys**, a ring that rotates: the first seals, every one opens, and a sealed value names
 *   its key: `v2.<key id>.<iv>.<tag>.<ciphertext>`. Values from before the ring, `v1.<iv>.…`,
 *   were sealed with the root's data key (`root` in the ring).
 * - **the index key**, derived from the root key (QIANBAO_SECRET_KEY) and long-lived: an index is
 *   a digest of a value the database does not hold in clear (a recovery code), so it cannot be
 *   computed again under another key.
 */
export class SecretBox {
  private readonly ring: Map<string, Buffer>;
  private readonly sealingKeyId: string;
  private readonly legacyKeyId: string;
  private readonly indexKey: Buffer;

  /** `dataKeys`: QIANBAO_DATA_KEYS, the sealing key first (default: the root's data key alone). */
  constructor(rootKey: Buffer, dataKeys: readonly DataKeyEntry[] = ['root']) {
    if (rootKey.length !== 32) throw new Error('the secret key must be 32 bytes');
    if (dataKeys.length === 0) throw new Error('the data key ring is empty');
    this.ring = dataKeyRing(rootKey, dataKeys);
    this.sealingKeyId = this.ring.keys().next().value!;
    this.legacyKeyId = dataKeyId(rootDataKey(rootKey));
    this.indexKey = Buffer.from(hkdfSync('sha256', rootKey, Buffer.alloc(0), 'qianbao:index', 32));
  }

  /** The id of the key new values are sealed with. */
  get currentKeyId(): string {
    return this.sealingKeyId;
  }

  /** The id of the root's data key (`root` in the ring), which sealed every `v1` value. */
  get rootKeyId(): string {
    return this.legacyKeyId;
  }

  /** The ids of every key that opens, the sealing key first. */
  get keyIds(): string[] {
    return [...this.ring.keys()];
  }

  /** `v2.<key id>.<iv>.<tag>.<ciphertext>`, base64url parts, under the sealing key. */
  seal(plaintext: string, purpose: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.ring.get(this.sealingKeyId)!, iv, {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(Buffer.from(purpose, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return ['v2', this.sealingKeyId, ...[iv, tag, ciphertext].map((part) => part.toString('base64url'))].join(
      '.',
    );
  }

  open(sealed: string, purpose: string): string {
    const { keyId, iv, tag, ciphertext } = parseSealed(sealed, this.legacyKeyId);
    const key = this.ring.get(keyId);
    if (key === undefined) throw new UnknownDataKeyError(keyId);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(purpose, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }

  /** The id of the key a sealed value needs (`v1` values: the root's data key). */
  keyIdOf(sealed: string): string {
    return parseSealed(sealed, this.legacyKeyId).keyId;
  }

  /**
   * The value sealed again with the sealing key, or null when it already is (a `v2` value naming
   * it; a `v1` value is always written again, so that none is left after a reseal). Opening checks
   * it (a tampered value, or one under another purpose, throws rather than being sealed anew).
   */
  reseal(sealed: string, purpose: string): string | null {
    if (sealed.startsWith(`v2.${this.sealingKeyId}.`)) return null;
    return this.seal(this.open(sealed, purpose), purpose);
  }

  /** Deterministic keyed digest: equal inputs give equal indexes, and nothing else is learnt. */
  blindIndex(value: string, purpose: string): Buffer {
    return createHmac('sha256', this.indexKey).update(`${purpose}\u0000${value}`, 'utf8').digest();
  }
}

function parseSealed(sealed: string, rootKeyId: string) {
  const parts = sealed.split('.');
  if (parts[0] === 'v1' && parts.length === 4) {
    const [, iv, tag, ciphertext] = parts as [string, string, string, string];
    return { keyId: rootKeyId, iv, tag, ciphertext };
  }
  if (parts[0] === 'v2' && parts.length === 5 && /^[0-9a-f]{16}$/.test(parts[1]!)) {
    const [, keyId, iv, tag, ciphertext] = parts as [string, string, string, string, string];
    return { keyId, iv, tag, ciphertext };
  }
  throw new Error('not a sealed value');
}
