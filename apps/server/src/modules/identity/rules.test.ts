import { parseOptions } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';
import { COMMON_PASSWORDS } from './common-passwords.ts';
import { passwordWeakness } from './password-policy.ts';
import { maskPhone, normalizePhone } from './phone.ts';
import { placeOf } from './place.ts';
import { SecretHasher, newSessionToken, newSmsCode, tokenDigest } from './secrets.ts';

describe('mainland mobile numbers (domain-rules §2)', () => {
  it('strips +86, 0086 and 86, then requires 1[3-9] and 11 digits', () => {
    for (const input of [
      '13800138000',
      '+8613800138000',
      '008613800138000',
      '8613800138000',
      ' 138 0013 8000 ',
    ]) {
      expect(normalizePhone(input)).toBe('13800138000');
    }
    expect(normalizePhone('+86 199-1234-5678')).toBe('19912345678');
    for (const input of [
      '12800138000',
      '1380013800',
      '138001380000',
      '23800138000',
      '+8512800138000',
      'abc',
      '',
    ]) {
      expect(normalizePhone(input)).toBeNull();
    }
    expect(normalizePhone('1'.repeat(40))).toBeNull();
  });

  it('masks all but the first 3 and last 4 digits', () => {
    expect(maskPhone('13800138000')).toBe('138****8000');
  });
});

describe('login password rules', () => {
  const phone = '13800138000';
  it('refuses each weakness with its reason', () => {
    expect(passwordWeakness('Ab1-xyz', { phone })).toBe('tooShort');
    expect(passwordWeakness('x'.repeat(129), { phone })).toBe('tooLong');
    expect(passwordWeakness('20240517', { phone })).toBe('allDigits');
    expect(passwordWeakness('my13800138000', { phone })).toBe('containsPhone');
    for (const common of [
      'woaini1314',
      'password',
      'a123456789',
      'qq123456',
      '1q2w3e4r',
      'iloveyou',
      'Password1',
    ]) {
      expect(passwordWeakness(common, { phone })).toBe('common');
    }
  });

  it('accepts a good password and counts characters, not bytes', () => {
    expect(passwordWeakness('Lantern-Harbor-42', { phone })).toBeNull();
    expect(passwordWeakness('钱包很安全的密码', { phone })).toBeNull(); // 8 characters
    expect(passwordWeakness('钱包很安全的码', { phone })).toBe('tooShort');
  });

  it('ships a common-password list of about 200 with the Chinese favourites', () => {
    expect(COMMON_PASSWORDS.length).toBeGreaterThanOrEqual(200);
    for (const favourite of [
      '123456789',
      'password',
      'a123456',
      'woaini1314',
      'qq123456',
      '11111111',
      '88888888',
    ]) {
      expect(COMMON_PASSWORDS).toContain(favourite);
    }
  });
});

describe('secrets', () => {
  it('hashes with argon2id at the production cost by default', async () => {
    const { hashing } = loadConfig({}).identity.password;
    expect(hashing.memoryCostKib).toBeGreaterThanOrEqual(19 * 1024);
    expect(hashing.timeCost).toBeGreaterThanOrEqual(2);
    const hasher = new SecretHasher(hashing);
    const stored = await hasher.hash('Lantern-Harbor-42');
    expect(stored).toMatch(/^\$argon2id\$/);
    expect(parseOptions(stored)).toMatchObject({
      memoryCost: hashing.memoryCostKib,
      timeCost: hashing.timeCost,
    });
    expect(await hasher.verify(stored, 'Lantern-Harbor-42')).toBe(true);
    expect(await hasher.verify(stored, 'lantern-harbor-42')).toBe(false);
    expect(await hasher.verify('not a hash', 'x')).toBe(false);
    expect(await hasher.verifyDecoy('x')).toBe(false);
  });

  it('makes 6-digit codes and 32-byte base64url tokens stored as SHA-256', () => {
    const codes = new Set(Array.from({ length: 200 }, () => newSmsCode()));
    for (const code of codes) expect(code).toMatch(/^\d{6}$/);
    expect(codes.size).toBeGreaterThan(190);
    const token = newSessionToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(tokenDigest(token)).toHaveLength(32);
    expect(newSessionToken()).not.toBe(token);
  });
});

describe('places', () => {
  it('describes an IP address coarsely', () => {
    expect(placeOf('127.0.0.1')).toBe('This computer');
    expect(placeOf('::1')).toBe('This computer');
    expect(placeOf('::ffff:192.168.1.20')).toBe('Local network');
    expect(placeOf('10.1.2.3')).toBe('Local network');
    expect(placeOf('172.20.0.1')).toBe('Local network');
    expect(placeOf('fd00::1')).toBe('Local network');
    expect(placeOf('203.0.113.9')).toBe('203.0.113.9');
    expect(placeOf(null)).toBe('Unknown');
  });
});
