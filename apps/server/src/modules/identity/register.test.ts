import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountFlags, verifyLedger } from '@qianbao/ledger';
import type { Ledger } from '@qianbao/ledger';
import { SandboxSmsSender } from '../../adapters/sms/index.ts';
import type { SmsMessage, SmsSendResult, SmsSender } from '../../adapters/sms/index.ts';
import { PRODUCTION_TEST_ENV, createTestApp, testConfig } from '../../testing.ts';
import type { TestApp } from '../../testing.ts';
import { NotificationsService } from '../notifications/service.ts';
import { NotificationsStore } from '../notifications/store.ts';
import { IdentityService } from './service.ts';
import {
  TEST_PASSWORD,
  TestClock,
  latestSmsCode,
  loginWithPassword,
  registerHolder,
  sendAndReadSmsCode,
  uniqueIp,
  uniquePhone,
} from './testing.ts';

describe('registration', () => {
  const clock = new TestClock();
  let subject: TestApp;
  beforeAll(async () => {
    subject = await createTestApp({ now: clock.now });
  });
  afterAll(async () => {
    const report = await verifyLedger(subject.database.pool);
    expect(report.problems).toEqual([]);
    await subject.close();
  });

  function register(payload: Record<string, unknown>) {
    return subject.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload,
      remoteAddress: uniqueIp(),
    });
  }

  it('creates an active holder with a session in the body and an HttpOnly, SameSite=Lax cookie', async () => {
    const phone = uniquePhone();
    const code = await sendAndReadSmsCode(subject.app, { phone, purpose: 'register' });
    const response = await register({ phone, code, password: TEST_PASSWORD, deviceId: 'web-abcdef12' });
    expect(response.statusCode).toBe(201);
    const body = response.json<{
      token: string;
      tokenType: string;
      sessionId: string;
      deviceId: string;
      expiresAt: string;
      idleTimeoutSeconds: number;
      holder: { id: string; phone: string; walletAccountId: string; realNameVerified: boolean };
    }>();
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body).toMatchObject({
      tokenType: 'Bearer',
      deviceId: 'web-abcdef12',
      idleTimeoutSeconds: 1800,
      holder: { phone: `${phone.slice(0, 3)}****${phone.slice(7)}`, realNameVerified: false },
    });
    const days = (Date.parse(body.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThanOrEqual(7);

    const cookie = String(response.headers['set-cookie']);
    expect(cookie).toContain(`qb_session=${body.token}`);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/');
    expect(cookie).toContain('Max-Age=604800');
    expect(cookie).not.toContain('Secure'); // sandbox runs on http://localhost

    const me = await subject.app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: { authorization: `Bearer ${body.token}` },
    });
    expect(me.json()).toMatchObject({ id: body.holder.id, phone: body.holder.phone });

    const { rows } = await subject.database.pool.query<{ status: string; password_hash: string }>(
      'SELECT status, password_hash FROM identity_users WHERE id = $1',
      [body.holder.id],
    );
    expect(rows[0]!.status).toBe('active');
    expect(rows[0]!.password_hash).toMatch(/^\$argon2id\$/);
    const sessions = await subject.database.pool.query<{ token_hash: Buffer }>(
      'SELECT token_hash FROM identity_sessions WHERE user_id = $1',
      [body.holder.id],
    );
    expect(sessions.rows[0]!.token_hash.toString('base64url')).not.toBe(body.token);
  });

  it('gives every holder a CNY wallet account that can never go negative, with zero balance', async () => {
    const holder = await registerHolder(subject.app);
    const account = await subject.ledger.getAccount(holder.walletAccountId);
    expect(account).toMatchObject({
      currency: 'CNY',
      code: 100,
      ownerRef: `user:${holder.userId}`,
      flags: AccountFlags.debitsMustNotExceedCredits,
    });
    const balance = await subject.ledger.getBalance(holder.walletAccountId);
    expect(balance).toMatchObject({ postedBalance: 0n, availableBalance: 0n });
    const { rows } = await subject.database.pool.query<{ wallet_account_id: string }>(
      'SELECT wallet_account_id FROM identity_users WHERE id = $1',
      [holder.userId],
    );
    expect(rows[0]!.wallet_account_id).toBe(holder.walletAccountId);
  });

  it('makes a device id when the client sends none', async () => {
    const phone = uniquePhone();
    const code = await sendAndReadSmsCode(subject.app, { phone, purpose: 'register' });
    const response = await register({ phone, code, password: TEST_PASSWORD });
    expect(response.statusCode).toBe(201);
    const { deviceId } = response.json<{ deviceId: string }>();
    expect(deviceId).toMatch(/^[0-9a-f-]{36}$/);
    // That device is trusted: the password alone signs in on it.
    expect(
      (await loginWithPassword(subject.app, { phone, password: TEST_PASSWORD, deviceId })).statusCode,
    ).toBe(200);
  });

  it('refuses each kind of weak password without using up the code', async () => {
    const phone = uniquePhone();
    const code = await sendAndReadSmsCode(subject.app, { phone, purpose: 'register' });
    const cases: [string, string][] = [
      ['Ab1-xyz', 'tooShort'],
      ['Ab1-'.repeat(33), 'tooLong'],
      ['3141592653', 'allDigits'],
      [`x${phone}y`, 'containsPhone'],
      ['woaini1314', 'common'],
      ['a123456789', 'common'],
    ];
    for (const [password, reason] of cases) {
      const response = await register({ phone, code, password, deviceId: 'device-weak-1' });
      expect(response.statusCode).toBe(422);
      expect(response.json()).toMatchObject({ error: { code: 'WEAK_PASSWORD', details: { reason } } });
    }
    expect(
      (await register({ phone, code, password: TEST_PASSWORD, deviceId: 'device-weak-1' })).statusCode,
    ).toBe(201);
  });

  it('refuses a number that already has a wallet, only after its code proved the number', async () => {
    const holder = await registerHolder(subject.app);
    const wrong = await register({ phone: holder.phone, code: '000000', password: TEST_PASSWORD });
    expect(wrong.json<{ error: { code: string } }>().error.code).not.toBe('PHONE_ALREADY_REGISTERED');
    clock.advance(61);
    const code = await sendAndReadSmsCode(subject.app, { phone: holder.phone, purpose: 'register' });
    const response = await register({ phone: holder.phone, code, password: 'Other-Password-99' });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ error: { code: 'PHONE_ALREADY_REGISTERED' } });
    // The existing holder is untouched.
    expect((await loginWithPassword(subject.app, { ...holder })).statusCode).toBe(200);
  });

  it('validates the body', async () => {
    const response = await register({
      phone: uniquePhone(),
      code: '12345',
      password: TEST_PASSWORD,
      extra: 1,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });
});

describe('registration when the ledger fails', () => {
  let subject: TestApp;
  beforeAll(async () => {
    subject = await createTestApp();
  });
  afterAll(async () => {
    await subject.close();
  });

  it('fails cleanly, and a retry reuses the half-made holder and its account id', async () => {
    const config = testConfig().identity;
    const pool = subject.database.pool;
    const sms = new SandboxSmsSender(pool);
    let ledgerUp = false;
    const attempts: string[] = [];
    const flakyLedger: Pick<Ledger, 'createAccounts'> = {
      createAccounts: (inputs) => {
        attempts.push(inputs[0]!.id);
        if (!ledgerUp) return Promise.reject(new Error('ledger unavailable'));
        return subject.ledger.createAccounts(inputs);
      },
    };
    const identity = new IdentityService({
      pool,
      ledger: flakyLedger,
      sms,
      notifications: new NotificationsService(new NotificationsStore(pool), () => new Date()),
      config,
      now: () => new Date(),
      log: { warn: () => {} },
    });
    const phone = uniquePhone();
    const client = { ip: '10.0.0.1', userAgent: null };
    const device = { id: 'device-flaky-1' };

    await identity.requestSmsCode({ phone, purpose: 'register', client });
    const firstCode = await latestSmsCode(subject.app, phone);
    await expect(
      identity.register({ phone, code: firstCode, password: TEST_PASSWORD, device, client }),
    ).rejects.toThrow('ledger unavailable');
    // Nobody can sign in as the half-made holder, and the number is still free.
    expect(await identity.findUserByPhone(phone)).toBeNull();
    await expect(
      identity.loginWithPassword({ phone, password: TEST_PASSWORD, device, client }),
    ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });

    ledgerUp = true;
    await pool.query(
      "UPDATE identity_sms_codes SET created_at = created_at - interval '1 minute' WHERE phone = $1",
      [phone],
    );
    await identity.requestSmsCode({ phone, purpose: 'register', client });
    const secondCode = await latestSmsCode(subject.app, phone);
    const session = await identity.register({
      phone,
      code: secondCode,
      password: TEST_PASSWORD,
      device,
      client,
    });
    expect(attempts).toEqual([session.user.walletAccountId, session.user.walletAccountId]);
    expect(await subject.ledger.getAccount(session.user.walletAccountId)).toMatchObject({ currency: 'CNY' });
    const { rows } = await pool.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM identity_users WHERE phone = $1',
      [phone],
    );
    expect(rows[0]!.count).toBe(1);
  });
});

describe('registration in production mode', () => {
  class CapturingSms implements SmsSender {
    readonly name = 'capture';
    readonly sent: SmsMessage[] = [];
    send(message: SmsMessage): Promise<SmsSendResult> {
      this.sent.push(message);
      return Promise.resolve({ ok: true, messageId: String(this.sent.length) });
    }
  }

  it('sets a Secure session cookie', async () => {
    const sms = new CapturingSms();
    const subject = await createTestApp({
      env: PRODUCTION_TEST_ENV,
      sms,
    });
    try {
      const phone = uniquePhone();
      await subject.app.inject({
        method: 'POST',
        url: '/v1/auth/sms-codes',
        payload: { phone, purpose: 'register' },
      });
      const code = /\d{6}/.exec(sms.sent[0]!.text)![0];
      const response = await subject.app.inject({
        method: 'POST',
        url: '/v1/auth/register',
        payload: { phone, code, password: TEST_PASSWORD, deviceId: 'device-prod-1' },
      });
      expect(response.statusCode).toBe(201);
      expect(String(response.headers['set-cookie'])).toContain('Secure');
    } finally {
      await subject.close();
    }
  });
});
