import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dataKeyId, parseDataKeys, rootDataKey } from './data-keys.ts';
import { SecretBox, UnknownDataKeyError } from './secret-box.ts';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('seals and opens, never the same ciphertext twice', () => {
    const a = box.seal('11010519491231002X', 'kyc:id-number');
    const b = box.seal('11010519491231002X', 'kyc:id-number');
    expect(a).not.toBe(b);
    expect(a).not.toContain('1101');
    expect(box.open(a, 'kyc:id-number')).toBe('11010519491231002X');
  });

  it('refuses to open under another purpose, another key, or after tampering', () => {
    const sealed = box.seal('secret', 'security:totp');
    expect(() => box.open(sealed, 'kyc:id-number')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'security:totp')).toThrow();
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[4]!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    parts[4] = flipped.toString('base64url');
    expect(() => box.open(parts.join('.'), 'security:totp')).toThrow();
    expect(() => box.open('v3.x.y.z', 'security:totp')).toThrow('not a sealed value');
  });

  it('blind indexes are stable per purpose and differ across purposes', () => {
    expect(box.blindIndex('x', 'p').equals(box.blindIndex('x', 'p'))).toBe(true);
    expect(box.blindIndex('x', 'p').equals(box.blindIndex('x', 'q'))).toBe(false);
  });
});

describe('SecretBox: the data key ring (ADR 0029)', () => {
  const root = Buffer.alloc(32, 7);
  const k1 = Buffer.alloc(32, 1);
  const k2 = Buffer.alloc(32, 2);

  it('still opens what the box sealed before the ring (v1), and indexes as it did', () => {
    // Sealed and indexed by the SecretBox of 44d8238 (before the ring) under the root key 0x07 × 32.
    const legacy = 'v1.AdBMk_UybKM7SFiq.7vPQtGaSNCEfAkn2Lfti1g.ZBelqbn-uCkGn-OLTb9v4jel';
    const index = '86acae834aad370c20614d0dfc037e0c721e02f8991ba0c0b61094b0682bf154';
    for (const ring of [undefined, ['root' as const], [k1, 'root' as const]]) {
      const opened = new SecretBox(root, ring);
      expect(opened.open(legacy, 'kyc:id-number')).toBe('11010519491231002X');
      expect(opened.keyIdOf(legacy)).toBe(opened.rootKeyId);
      // The index key stays the root's whatever the ring: indexes stored before still match.
      expect(opened.blindIndex('11010519491231002X', 'kyc:id-number').toString('hex')).toBe(index);
    }
    expect(() => new SecretBox(root, [k1]).open(legacy, 'kyc:id-number')).toThrow(UnknownDataKeyError);
    // A reseal under the root's key still rewrites it as v2 (nothing v1 is left to count apart).
    const rewritten = new SecretBox(root).reseal(legacy, 'kyc:id-number')!;
    expect(rewritten.startsWith(`v2.${new SecretBox(root).rootKeyId}.`)).toBe(true);
    expect(new SecretBox(root).reseal(rewritten, 'kyc:id-number')).toBeNull();
  });

  it('seals with the first key, names it, and opens with any key of the ring', () => {
    const before = new SecretBox(root);
    expect(before.currentKeyId).toBe(dataKeyId(rootDataKey(root)));
    const old = before.seal('JBSWY3DPEHPK3PXP', 'operator:totp');
    expect(old.split('.').slice(0, 2)).toEqual(['v2', before.rootKeyId]);

    // Step 1 of a rotation: the new key is known to every server but does not seal yet.
    const staged = new SecretBox(root, ['root', k1]);
    expect(staged.currentKeyId).toBe(before.rootKeyId);
    expect(staged.keyIds).toEqual([before.rootKeyId, dataKeyId(k1)]);
    // Step 2: it seals; the old key still opens.
    const rotated = new SecretBox(root, [k1, 'root']);
    const fresh = rotated.seal('JBSWY3DPEHPK3PXP', 'operator:totp');
    expect(rotated.keyIdOf(fresh)).toBe(dataKeyId(k1));
    expect(staged.open(fresh, 'operator:totp')).toBe('JBSWY3DPEHPK3PXP');
    expect(rotated.open(old, 'operator:totp')).toBe('JBSWY3DPEHPK3PXP');
    // Step 3: reseal moves the old value to the new key and leaves a current one alone.
    const moved = rotated.reseal(old, 'operator:totp')!;
    expect(rotated.keyIdOf(moved)).toBe(dataKeyId(k1));
    expect(rotated.reseal(moved, 'operator:totp')).toBeNull();
    expect(() => rotated.reseal(old, 'kyc:id-number')).toThrow();
    // Step 4: the old key leaves the ring; what was resealed opens, what was not names its key.
    const after = new SecretBox(root, [k1]);
    expect(after.open(moved, 'operator:totp')).toBe('JBSWY3DPEHPK3PXP');
    const refused = (() => {
      try {
        after.open(old, 'operator:totp');
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(UnknownDataKeyError);
    expect((refused as UnknownDataKeyError).keyId).toBe(before.rootKeyId);
    // A key never in the ring does not open, even with a forged key id.
    const forged = fresh.replace(dataKeyId(k1), dataKeyId(k2));
    expect(() => new SecretBox(root, [k2]).open(forged, 'operator:totp')).toThrow();
  });
});

describe('QIANBAO_DATA_KEYS', () => {
  const k1 = Buffer.alloc(32, 1);

  it('is a list of base64 keys and root, the first seals', () => {
    expect(parseDataKeys(`${k1.toString('base64')}, root`)).toEqual([k1, 'root']);
    expect(parseDataKeys('root')).toEqual(['root']);
    expect(parseDataKeys(k1.toString('base64url'))).toEqual([k1]);
  });

  it('names the bad entry, never the key', () => {
    expect(parseDataKeys('root,')).toBe('entry 2 is empty');
    expect(parseDataKeys('root,abc')).toBe('entry 2 is neither "root" nor base64 of 32 bytes');
    expect(parseDataKeys(`${k1.toString('base64')},root,${k1.toString('base64url')}`)).toBe(
      'a key is listed twice',
    );
    expect(parseDataKeys('root,root')).toBe('a key is listed twice');
  });

  it('key ids are 16 hex digits of an HMAC, stable across releases', () => {
    expect(dataKeyId(k1)).toMatch(/^[0-9a-f]{16}$/);
    expect(dataKeyId(k1)).toBe(dataKeyId(Buffer.from(k1)));
    expect(dataKeyId(k1)).not.toBe(dataKeyId(Buffer.alloc(32, 2)));
  });
});
