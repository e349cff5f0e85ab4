import { describe, expect, it } from 'vitest';
import { Secret } from 'otpauth';
import {
  checkTotp,
  newRecoveryCode,
  newTotpSecret,
  normalizeRecoveryCode,
  recoveryCodeDigest,
  totpCodeAt,
  totpStep,
  totpUri,
} from './totp.ts';

describe('TOTP (RFC 6238)', () => {
  it('matches the RFC 6238 SHA-1 test vectors (8 digits, key "12345678901234567890")', () => {
    const secret = Secret.fromLatin1('12345678901234567890');
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
    ];
    for (const [seconds, code] of vectors) {
      expect(totpCodeAt({ secret, step: totpStep(seconds * 1000), digits: 8 })).toBe(code);
    }
  });

  it('accepts the current step and one either side, not two', () => {
    const secretBase32 = newTotpSecret();
    const secret = Secret.fromBase32(secretBase32);
    const nowMs = 1_700_000_000_000;
    const now = totpStep(nowMs);
    for (const offset of [-1, 0, 1]) {
      const code = totpCodeAt({ secret, step: now + offset });
      expect(checkTotp({ secretBase32, code, nowMs, lastUsedStep: null })).toEqual({
        ok: true,
        step: now + offset,
      });
    }
    for (const offset of [-2, 2]) {
      const code = totpCodeAt({ secret, step: now + offset });
      // A six-digit collision with a neighbouring step is possible in principle; these steps have none.
      const neighbours = [-1, 0, 1].map((near) => totpCodeAt({ secret, step: now + near }));
      if (neighbours.includes(code)) continue;
      expect(checkTotp({ secretBase32, code, nowMs, lastUsedStep: null })).toEqual({
        ok: false,
        reason: 'invalid',
      });
    }
  });

  it('refuses a code of a step at or before the last one used', () => {
    const secretBase32 = newTotpSecret();
    const secret = Secret.fromBase32(secretBase32);
    const nowMs = 1_700_000_000_000;
    const now = totpStep(nowMs);
    const code = totpCodeAt({ secret, step: now });
    expect(checkTotp({ secretBase32, code, nowMs, lastUsedStep: now })).toEqual({
      ok: false,
      reason: 'reused',
    });
    expect(checkTotp({ secretBase32, code, nowMs, lastUsedStep: now + 1 })).toEqual({
      ok: false,
      reason: 'reused',
    });
    expect(checkTotp({ secretBase32, code, nowMs, lastUsedStep: now - 1 })).toEqual({ ok: true, step: now });
    expect(checkTotp({ secretBase32, code: 'abcdef', nowMs, lastUsedStep: null })).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('makes an otpauth URI authenticator apps understand', () => {
    const uri = new URL(
      totpUri({ secretBase32: 'JBSWY3DPEHPK3PXP', issuer: 'Qianbao', label: '138****8000' }),
    );
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Qianbao:138****8000');
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({
      secret: 'JBSWY3DPEHPK3PXP',
      issuer: 'Qianbao',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});

describe('recovery codes', () => {
  it('are 60-bit codes in groups of four, typed back forgivingly', () => {
    const code = newRecoveryCode();
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    const compact = code.replace(/-/g, '');
    expect(normalizeRecoveryCode(code.toLowerCase())).toBe(compact);
    expect(normalizeRecoveryCode(` ${compact.slice(0, 6)} ${compact.slice(6)} `)).toBe(compact);
    expect(normalizeRecoveryCode('OOOO-IIII-LLLL')).toBe('000011111111');
    expect(normalizeRecoveryCode('UUUU-UUUU-UUUU')).toBeNull();
    expect(normalizeRecoveryCode('short')).toBeNull();
  });

  it('are stored as a keyed digest', () => {
    const key = Buffer.alloc(32, 7);
    const digest = recoveryCodeDigest(key, 'ABCDEFGHJKMN');
    expect(digest).toHaveLength(32);
    expect(recoveryCodeDigest(key, 'ABCDEFGHJKMN').equals(digest)).toBe(true);
    expect(recoveryCodeDigest(Buffer.alloc(32, 8), 'ABCDEFGHJKMN').equals(digest)).toBe(false);
  });
});
