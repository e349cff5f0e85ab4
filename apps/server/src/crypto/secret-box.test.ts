import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box.ts';

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
    const flipped = Buffer.from(parts[3]!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    parts[3] = flipped.toString('base64url');
    expect(() => box.open(parts.join('.'), 'security:totp')).toThrow();
  });

  it('blind indexes are stable per purpose and differ across purposes', () => {
    expect(box.blindIndex('x', 'p').equals(box.blindIndex('x', 'p'))).toBe(true);
    expect(box.blindIndex('x', 'p').equals(box.blindIndex('x', 'q'))).toBe(false);
  });
});
