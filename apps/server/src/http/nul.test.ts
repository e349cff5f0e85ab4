/**
 * No U+0000 in any text of a request (nul.ts): PostgreSQL cannot store it, so every route refuses
 * it as an invalid field before its own validation and handler run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../testing.ts';
import type { TestApp } from '../testing.ts';
import { nulAt } from './nul.ts';

describe('nulAt', () => {
  it('finds the first text holding U+0000, in values, keys and arrays', () => {
    expect(nulAt('a\u0000b')).toBe('');
    expect(nulAt({ name: 'ok', shop: { description: 'x\u0000' } })).toBe('shop.description');
    expect(nulAt({ items: ['ok', { note: '\u0000' }] })).toBe('items.1.note');
    expect(nulAt({ 'a\u0000': 1 })).toBe('a\u0000');
    expect(
      nulAt({ name: '牛肉面 🍜', amount: { amount: '100', currency: 'CNY' }, n: 1, ok: true }),
    ).toBeNull();
    expect(nulAt(undefined)).toBeNull();
    expect(nulAt(Buffer.from('a\u0000b'))).toBeNull(); // not parsed text: another parser's business
  });

  it('walks a body nested far deeper than the stack would allow', () => {
    let deep: unknown = 'end\u0000';
    for (let depth = 0; depth < 200_000; depth++) deep = [deep];
    expect(nulAt(deep)).toMatch(/^(0\.)+0$/);
  });
});

describe('a request with U+0000', () => {
  let subject: TestApp;
  beforeAll(async () => {
    subject = await createTestApp();
  });
  afterAll(async () => subject?.close());

  it('is refused with VALIDATION_FAILED naming where, on any route', async () => {
    const response = await subject.app.inject({
      method: 'POST',
      url: '/v1/auth/sms-codes',
      payload: { phone: '13800138000\u0000', purpose: 'register' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: {
        code: 'VALIDATION_FAILED',
        details: {
          fields: [{ in: 'body', path: 'phone', issue: expect.stringContaining('U+0000') as unknown }],
        },
      },
    });
    const query = await subject.app.inject({ method: 'GET', url: '/v1/meta?x=%00' });
    expect(query.json()).toMatchObject({
      error: { details: { fields: [{ in: 'querystring', path: 'x' }] } },
    });
  });
});
