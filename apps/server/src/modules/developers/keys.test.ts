/** The pure parts of API keys: the key's text, redaction of logged bodies, rate windows. */
import { describe, expect, it } from 'vitest';
import { looksLikeKey, newKey, parseKey, sameHash } from './keys.ts';
import { verdictOf, windowOf } from './rate-limit.ts';
import { redact } from './redact.ts';

describe('the key’s text', () => {
  it('parses what it makes, keeps only a hash of the secret, and tells keys from other bearers', () => {
    const made = newKey('live');
    const parsed = parseKey(made.secret);
    expect(parsed).toMatchObject({ mode: 'live', id: made.id });
    expect(sameHash(parsed!.secretHash, made.hash)).toBe(true);
    expect(made.hash.toString('hex')).not.toContain(made.secret.split('_').at(-1));
    const other = newKey('live');
    expect(sameHash(parseKey(other.secret)!.secretHash, made.hash)).toBe(false);
    for (const text of [
      '',
      'qbk_live_x',
      `qbk_demo_${made.id}_${'0'.repeat(64)}`,
      `${made.secret}0`,
      made.secret.toUpperCase(),
    ]) {
      expect(parseKey(text), text).toBeNull();
    }
    const test = newKey('test');
    expect(test.secret).toMatch(/^qbk_test_[0-9a-f]{16}_[0-9a-f]{64}$/);
    expect(parseKey(test.secret)).toMatchObject({ mode: 'test', id: test.id });
    expect(looksLikeKey(made.secret)).toBe(true);
    expect(looksLikeKey('eyJhbGciOi')).toBe(false);
  });
});

describe('redaction', () => {
  it('hides every field named like a secret, at any depth, and cuts long strings', () => {
    expect(
      redact({
        merchantOrderId: 'o1',
        paymentCode: '281234567890123456',
        confirmation: { pin: '123456' },
        nested: { items: [{ password: 'x', note: 'ok' }], cardNumber: '6222', idNumber: '1101' },
        long: 'a'.repeat(500),
      }),
    ).toEqual({
      merchantOrderId: 'o1',
      paymentCode: '[redacted]',
      confirmation: '[redacted]',
      nested: {
        items: [{ password: '[redacted]', note: 'ok' }],
        cardNumber: '[redacted]',
        idNumber: '[redacted]',
      },
      long: `${'a'.repeat(200)}…`,
    });
    expect(redact(null)).toBeNull();
    expect(redact(42)).toBe(42);
  });
});

describe('rate windows', () => {
  it('counts in fixed windows and says when the next one starts', () => {
    const now = new Date('2026-12-06T12:00:07.250Z');
    const window = windowOf(now, 10);
    expect(window).toEqual({ start: new Date('2026-12-06T12:00:00.000Z'), resetSeconds: 3 });
    expect(verdictOf({ limit: 5, count: 5, window })).toEqual({
      allowed: true,
      headers: { 'ratelimit-limit': '5', 'ratelimit-remaining': '0', 'ratelimit-reset': '3' },
    });
    expect(verdictOf({ limit: 5, count: 6, window })).toMatchObject({
      allowed: false,
      headers: { 'ratelimit-remaining': '0', 'retry-after': '3' },
    });
    expect(windowOf(new Date('2026-12-06T12:00:09.999Z'), 10).resetSeconds).toBe(1);
  });
});
