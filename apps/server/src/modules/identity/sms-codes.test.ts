import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCTION_TEST_ENV, createTestApp } from '../../testing.ts';
import type { TestApp } from '../../testing.ts';
import {
  TestClock,
  latestSmsCode,
  registerHolder,
  sendAndReadSmsCode,
  uniqueIp,
  uniquePhone,
} from './testing.ts';

describe('SMS codes', () => {
  const clock = new TestClock();
  let subject: TestApp;
  beforeAll(async () => {
    subject = await createTestApp({ now: clock.now });
  });
  afterAll(async () => {
    await subject.close();
  });

  function askForCode(phone: string, purpose: string, ip = uniqueIp()) {
    return subject.app.inject({
      method: 'POST',
      url: '/v1/auth/sms-codes',
      payload: { phone, purpose },
      remoteAddress: ip,
    });
  }
  function register(phone: string, code: string) {
    return subject.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { phone, code, password: 'Lantern-Harbor-42', deviceId: 'device-0001' },
      remoteAddress: uniqueIp(),
    });
  }

  it('texts a 6-digit code to the sandbox outbox and keeps only its argon2id hash', async () => {
    const phone = uniquePhone();
    const response = await askForCode(`+86${phone}`, 'register');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      phone: `${phone.slice(0, 3)}****${phone.slice(7)}`,
      purpose: 'register',
      expiresInSeconds: 300,
      resendAfterSeconds: 60,
    });
    const code = await latestSmsCode(subject.app, phone);
    expect(code).toMatch(/^\d{6}$/);
    const { rows } = await subject.database.pool.query<Record<string, unknown>>(
      'SELECT * FROM identity_sms_codes WHERE phone = $1',
      [phone],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.code_hash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(rows)).not.toContain(code);
  });

  it('refuses a malformed number with INVALID_PHONE', async () => {
    const response = await askForCode('12345', 'register');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'INVALID_PHONE' } });
  });

  it('refuses a wrong code, counting the tries left, and accepts the right one once', async () => {
    const phone = uniquePhone();
    const code = await sendAndReadSmsCode(subject.app, { phone, purpose: 'register' });
    const wrong = await register(phone, code === '000000' ? '000001' : '000000');
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toMatchObject({
      error: { code: 'SMS_CODE_INVALID', details: { attemptsRemaining: 4 } },
    });
    expect((await register(phone, code)).statusCode).toBe(201);
    // Single use: the same code cannot sign anything else.
    const again = await subject.app.inject({
      method: 'POST',
      url: '/v1/auth/login/sms',
      payload: { phone, code, deviceId: 'device-0001' },
    });
    expect(again.json()).toMatchObject({ error: { code: 'SMS_CODE_INVALID' } });
  });

  it('accepts a code only for its own purpose', async () => {
    const phone = uniquePhone();
    await registerHolder(subject.app, { phone });
    const loginCode = await sendAndReadSmsCode(subject.app, { phone, purpose: 'login' });
    const reset = await subject.app.inject({
      method: 'POST',
      url: '/v1/auth/password-reset',
      payload: { phone, code: loginCode, newPassword: 'Another-Password-7' },
    });
    expect(reset.json()).toMatchObject({ error: { code: 'SMS_CODE_INVALID' } });
  });

  it('lets a code expire after 5 minutes', async () => {
    const phone = uniquePhone();
    const code = await sendAndReadSmsCode(subject.app, { phone, purpose: 'register' });
    clock.advance(301);
    const response = await register(phone, code);
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ error: { code: 'SMS_CODE_EXPIRED' } });
  });

  it('kills a code after 5 wrong tries, even for the right code afterwards', async () => {
    const phone = uniquePhone();
    const code = await sendAndReadSmsCode(subject.app, { phone, purpose: 'register' });
    const wrongCode = code === '999999' ? '999998' : '999999';
    const answers: string[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      answers.push((await register(phone, wrongCode)).json<{ error: { code: string } }>().error.code);
    }
    expect(answers).toEqual([
      'SMS_CODE_INVALID',
      'SMS_CODE_INVALID',
      'SMS_CODE_INVALID',
      'SMS_CODE_INVALID',
      'SMS_CODE_ATTEMPTS_EXCEEDED',
    ]);
    const right = await register(phone, code);
    expect(right.statusCode).toBe(422);
    expect(right.json()).toMatchObject({ error: { code: 'SMS_CODE_ATTEMPTS_EXCEEDED' } });
  });

  it('counts concurrent guesses exactly: never more than 5 tries', async () => {
    const phone = uniquePhone();
    const code = await sendAndReadSmsCode(subject.app, { phone, purpose: 'register' });
    const guesses = Array.from({ length: 12 }, (_, index) =>
      String((Number(code) + 1 + index) % 1_000_000).padStart(6, '0'),
    );
    await Promise.all(guesses.map((guess) => register(phone, guess)));
    const { rows } = await subject.database.pool.query<{ attempts: number }>(
      'SELECT attempts FROM identity_sms_codes WHERE phone = $1',
      [phone],
    );
    expect(rows[0]!.attempts).toBe(5);
    expect((await register(phone, code)).json()).toMatchObject({
      error: { code: 'SMS_CODE_ATTEMPTS_EXCEEDED' },
    });
  });

  it('refuses a re-send within 60 s with Retry-After, then replaces the old code', async () => {
    const phone = uniquePhone();
    const first = await sendAndReadSmsCode(subject.app, { phone, purpose: 'register' });
    clock.advance(20);
    const tooSoon = await askForCode(phone, 'register');
    expect(tooSoon.statusCode).toBe(429);
    expect(tooSoon.headers['retry-after']).toBe('40');
    expect(tooSoon.json()).toMatchObject({
      error: { code: 'SMS_RESEND_TOO_SOON', details: { retryAfterSeconds: 40 } },
    });
    // Another purpose has its own interval.
    expect((await askForCode(phone, 'login')).statusCode).toBe(200);
    clock.advance(41);
    const second = await sendAndReadSmsCode(subject.app, { phone, purpose: 'register' });
    if (second !== first) {
      expect((await register(phone, first)).json()).toMatchObject({ error: { code: 'SMS_CODE_INVALID' } });
    }
    expect((await register(phone, second)).statusCode).toBe(201);
  });

  it('limits codes per number to 10 an hour, then refuses the number for a while', async () => {
    const phone = uniquePhone();
    for (let sent = 0; sent < 10; sent++) {
      const response = await askForCode(phone, 'register');
      expect(response.statusCode, response.body).toBe(200);
      clock.advance(61);
    }
    const refused = await askForCode(phone, 'register');
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({
      error: { code: 'RATE_LIMITED', details: { retryAfterSeconds: 3600 } },
    });
    expect(refused.headers['retry-after']).toBe('3600');
    // The block holds even after the first sends have left the rolling hour …
    clock.advance(600);
    const stillRefused = await askForCode(phone, 'login');
    expect(stillRefused.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(Number(stillRefused.headers['retry-after'])).toBe(3000);
    // … and lifts when it ends.
    clock.advance(3001);
    expect((await askForCode(phone, 'register')).statusCode).toBe(200);
  });

  it('limits codes per IP address to 30 an hour', async () => {
    const ip = uniqueIp();
    for (let sent = 0; sent < 30; sent++) {
      const response = await askForCode(uniquePhone(), 'register', ip);
      expect(response.statusCode, response.body).toBe(200);
    }
    const refused = await askForCode(uniquePhone(), 'register', ip);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(refused.headers['retry-after']).toBe('3600');
    expect((await askForCode(uniquePhone(), 'register', uniqueIp())).statusCode).toBe(200);
  });

  it('answers the same for a number without a wallet, and texts nothing to it', async () => {
    const stranger = uniquePhone();
    const holder = await registerHolder(subject.app);
    const before = await subject.app.inject({ method: 'GET', url: `/dev/sms.json?phone=${stranger}` });
    for (const purpose of ['login', 'reset_password', 'new_device']) {
      const forStranger = await askForCode(stranger, purpose);
      const forHolder = await askForCode(holder.phone, purpose);
      expect(forStranger.statusCode).toBe(200);
      expect(forHolder.statusCode).toBe(200);
      expect(Object.keys(forStranger.json<object>())).toEqual(Object.keys(forHolder.json<object>()));
    }
    const after = await subject.app.inject({ method: 'GET', url: `/dev/sms.json?phone=${stranger}` });
    expect(after.json()).toEqual(before.json());
    expect(after.json()).toEqual({ messages: [] });
  });

  it('lists the outbox newest first as a page and as JSON', async () => {
    const phone = uniquePhone();
    await askForCode(phone, 'register');
    clock.advance(61);
    await askForCode(phone, 'register');
    const json = await subject.app.inject({ method: 'GET', url: `/dev/sms.json?phone=%2B86${phone}` });
    const messages = json.json<{
      messages: { phone: string; text: string; code: string; createdAt: string }[];
    }>().messages;
    expect(messages).toHaveLength(2);
    expect(messages[0]!.createdAt > messages[1]!.createdAt).toBe(true);
    expect(messages[0]!.text).toContain(messages[0]!.code);
    expect(messages[0]!.text).toContain('注册');

    const page = await subject.app.inject({ method: 'GET', url: `/dev/sms?phone=${phone}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    const newest = page.body.indexOf(messages[0]!.code);
    expect(newest).toBeGreaterThan(0);
    expect(newest).toBeLessThan(page.body.lastIndexOf(messages[1]!.code));
  });

  it('sends a verify code to the signed-in holder and lets other modules check it', async () => {
    const holder = await registerHolder(subject.app);
    const sent = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/sms-codes',
      headers: holder.headers,
    });
    expect(sent.statusCode).toBe(200);
    expect(sent.json()).toMatchObject({ purpose: 'verify' });
    const code = await latestSmsCode(subject.app, holder.phone);
    const identity = subject.app.services.identity;
    await expect(
      identity.verifySmsCode({ phone: holder.phone, purpose: 'login', code }),
    ).rejects.toMatchObject({
      code: 'SMS_CODE_INVALID',
    });
    await identity.verifySmsCode({ phone: holder.phone, purpose: 'verify', code });
    await expect(
      identity.verifySmsCode({ phone: holder.phone, purpose: 'verify', code }),
    ).rejects.toMatchObject({
      code: 'SMS_CODE_INVALID',
    });
  });
});

describe('the hourly identity sweep', () => {
  it('deletes codes a day past expiry and idle rate-limit rows, keeps live and blocked ones', async () => {
    const clock = new TestClock();
    const subject = await createTestApp({ now: clock.now });
    const db = subject.database.pool;
    const codes = async (phone: string) =>
      (
        await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM identity_sms_codes WHERE phone LIKE '%' || $1`,
          [phone.slice(-8)],
        )
      ).rows[0]!.n;
    const limits = async (key: string) =>
      (
        await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM identity_rate_limits WHERE key LIKE '%' || $1`,
          [key.slice(-8)],
        )
      ).rows[0]!.n;
    try {
      const phone = uniquePhone();
      const ip = uniqueIp();
      const ask = () =>
        subject.app.inject({
          method: 'POST',
          url: '/v1/auth/sms-codes',
          payload: { phone, purpose: 'register' },
          remoteAddress: ip,
        });
      expect((await ask()).statusCode).toBe(200);
      expect([await codes(phone), await limits(phone), await limits(ip)]).toEqual([1, 1, 1]);
      // A blocked row stays even when its hits are old.
      await db.query(
        `INSERT INTO identity_rate_limits (scope, key, hits, blocked_until)
         VALUES ('sms:phone', 'blocked-key-0001', ARRAY[now() - interval '3 days'], $1)`,
        [new Date(clock.now().getTime() + 30 * 3600 * 1000)],
      );

      await subject.app.services.identity.sweep();
      expect([await codes(phone), await limits(phone), await limits(ip)]).toEqual([1, 1, 1]);

      clock.advance(25 * 3600);
      const swept = await subject.app.services.identity.sweep();
      expect(swept.smsCodes).toBeGreaterThanOrEqual(1);
      expect(swept.rateLimits).toBeGreaterThanOrEqual(2);
      expect([await codes(phone), await limits(phone), await limits(ip)]).toEqual([0, 0, 0]);
      expect(await limits('blocked-key-0001')).toBe(1);

      // Nothing is lost: the number asks again as if new.
      expect((await ask()).statusCode).toBe(200);
      expect([await codes(phone), await limits(phone)]).toEqual([1, 1]);
    } finally {
      await subject.close();
    }
  });
});

describe('SMS limits across server instances', () => {
  it('are kept in the database, so a second instance enforces the first one’s', async () => {
    const first = await createTestApp();
    const second = await createTestApp({ database: first.database });
    try {
      const phone = uniquePhone();
      const sent = await first.app.inject({
        method: 'POST',
        url: '/v1/auth/sms-codes',
        payload: { phone, purpose: 'register' },
      });
      expect(sent.statusCode).toBe(200);
      const tooSoon = await second.app.inject({
        method: 'POST',
        url: '/v1/auth/sms-codes',
        payload: { phone, purpose: 'register' },
      });
      expect(tooSoon.json()).toMatchObject({ error: { code: 'SMS_RESEND_TOO_SOON' } });
    } finally {
      await second.close();
      await first.close();
    }
  });
});

describe('the sandbox outbox in production mode', () => {
  it('does not exist', async () => {
    const subject = await createTestApp({
      env: PRODUCTION_TEST_ENV,
    });
    try {
      for (const url of ['/dev/sms', '/dev/sms.json', '/dev/sms.json?phone=13800138000']) {
        const response = await subject.app.inject({ method: 'GET', url });
        expect(response.statusCode).toBe(404);
        expect(response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
      }
      // Without a gateway adapter nothing is sent, and the client is told so.
      const code = await subject.app.inject({
        method: 'POST',
        url: '/v1/auth/sms-codes',
        payload: { phone: uniquePhone(), purpose: 'register' },
      });
      expect(code.statusCode).toBe(503);
      expect(code.json()).toMatchObject({ error: { code: 'SMS_DELIVERY_FAILED' } });
      const document = await subject.app.inject({ method: 'GET', url: '/openapi.json' });
      expect(Object.keys(document.json<{ paths: object }>().paths)).not.toContain('/dev/sms');
    } finally {
      await subject.close();
    }
  });
});
