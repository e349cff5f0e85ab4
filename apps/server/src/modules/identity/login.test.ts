import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../testing.ts';
import type { TestApp } from '../../testing.ts';
import {
  TestClock,
  bearer,
  loginWithPassword,
  registerHolder,
  sendAndReadSmsCode,
  uniqueIp,
  uniquePhone,
} from './testing.ts';
import type { TestHolder } from './testing.ts';

interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}
interface NotificationsBody {
  notifications: { kind: string; title: string; body: string; read: boolean }[];
  unreadCount: number;
}

describe('sign-in', () => {
  const clock = new TestClock();
  let subject: TestApp;
  beforeAll(async () => {
    subject = await createTestApp({ now: clock.now });
  });
  afterAll(async () => {
    await subject.close();
  });

  async function notificationsOf(holder: TestHolder, token = holder.token): Promise<NotificationsBody> {
    const response = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/notifications?lang=en',
      headers: bearer(token),
    });
    expect(response.statusCode).toBe(200);
    return response.json<NotificationsBody>();
  }
  function smsLogin(phone: string, code: string, deviceId: string) {
    return subject.app.inject({
      method: 'POST',
      url: '/v1/auth/login/sms',
      payload: { phone, code, deviceId, deviceName: 'Tablet' },
      remoteAddress: uniqueIp(),
    });
  }

  it('signs in with the password on a known device', async () => {
    const holder = await registerHolder(subject.app);
    const response = await loginWithPassword(subject.app, { ...holder, phone: `0086${holder.phone}` });
    expect(response.statusCode).toBe(200);
    const { token, holder: me } = response.json<{ token: string; holder: { id: string } }>();
    expect(me.id).toBe(holder.userId);
    expect(token).not.toBe(holder.token);
    expect(String(response.headers['set-cookie'])).toContain(`qb_session=${token}`);
    expect(
      (await subject.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) })).statusCode,
    ).toBe(200);
  });

  it('answers a wrong number and a wrong password alike', async () => {
    const holder = await registerHolder(subject.app);
    const wrongPassword = await loginWithPassword(subject.app, { ...holder, password: 'Not-The-Password-1' });
    const wrongPhone = await loginWithPassword(subject.app, { ...holder, phone: uniquePhone() });
    expect(wrongPassword.statusCode).toBe(401);
    expect(wrongPhone.statusCode).toBe(401);
    expect(wrongPhone.json()).toEqual(wrongPassword.json());
    expect(wrongPassword.json<ErrorBody>().error.code).toBe('INVALID_CREDENTIALS');
  });

  it('asks for an SMS code on a device the holder never used, then trusts it and tells the holder', async () => {
    const holder = await registerHolder(subject.app);
    const newDevice = { phone: holder.phone, password: holder.password, deviceId: 'laptop-0000001' };
    const challenged = await loginWithPassword(subject.app, newDevice);
    expect(challenged.statusCode).toBe(403);
    expect(challenged.json()).toMatchObject({
      error: {
        code: 'NEW_DEVICE_VERIFICATION_REQUIRED',
        details: {
          smsPurpose: 'new_device',
          phone: `${holder.phone.slice(0, 3)}****${holder.phone.slice(7)}`,
        },
      },
    });
    expect(challenged.headers['set-cookie']).toBeUndefined();

    const wrong = await loginWithPassword(subject.app, { ...newDevice, smsCode: '000000' });
    expect(wrong.json<ErrorBody>().error.code).toBe('SMS_CODE_INVALID');
    const code = await sendAndReadSmsCode(subject.app, { phone: holder.phone, purpose: 'new_device' });
    expect(code).toMatch(/^\d{6}$/);
    const admitted = await loginWithPassword(subject.app, { ...newDevice, smsCode: code });
    expect(admitted.statusCode).toBe(200);
    // Known from now on.
    expect((await loginWithPassword(subject.app, newDevice)).statusCode).toBe(200);

    const inbox = await notificationsOf(holder);
    expect(inbox.notifications.filter((n) => n.kind === 'security.new_device')).toHaveLength(1);
    expect(inbox.notifications[0]!.title).toBe('Signed in on a new device');
  });

  it('locks password sign-in after 5 wrong passwords, tells the holder, and keeps SMS sign-in open', async () => {
    const holder = await registerHolder(subject.app);
    const codes: string[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const response = await loginWithPassword(subject.app, {
        ...holder,
        password: `Wrong-Password-${attempt}`,
      });
      codes.push(response.json<ErrorBody>().error.code);
      if (attempt === 4) {
        expect(response.statusCode).toBe(403);
        expect(response.headers['retry-after']).toBe('900');
        expect(response.json()).toMatchObject({ error: { details: { retryAfterSeconds: 900 } } });
      }
    }
    expect(codes).toEqual([
      'INVALID_CREDENTIALS',
      'INVALID_CREDENTIALS',
      'INVALID_CREDENTIALS',
      'INVALID_CREDENTIALS',
      'PASSWORD_LOGIN_LOCKED',
    ]);
    clock.advance(60);
    const rightButLocked = await loginWithPassword(subject.app, holder);
    expect(rightButLocked.json()).toMatchObject({
      error: { code: 'PASSWORD_LOGIN_LOCKED', details: { retryAfterSeconds: 840 } },
    });

    const inbox = await notificationsOf(holder);
    expect(inbox.notifications.map((n) => n.kind)).toContain('security.password_locked');
    expect(inbox.unreadCount).toBeGreaterThanOrEqual(1);

    const code = await sendAndReadSmsCode(subject.app, { phone: holder.phone, purpose: 'login' });
    const viaSms = await smsLogin(holder.phone, code, holder.deviceId);
    expect(viaSms.statusCode).toBe(200);

    clock.advance(841);
    expect((await loginWithPassword(subject.app, holder)).statusCode).toBe(200);
  });

  it('forgets old failures: 4 wrong, 15 minutes, then 4 more do not lock', async () => {
    const holder = await registerHolder(subject.app);
    for (let attempt = 0; attempt < 4; attempt++) {
      await loginWithPassword(subject.app, { ...holder, password: `Wrong-Password-${attempt}` });
    }
    clock.advance(901);
    for (let attempt = 0; attempt < 4; attempt++) {
      const response = await loginWithPassword(subject.app, {
        ...holder,
        password: `Wrong-Password-${attempt}`,
      });
      expect(response.json<ErrorBody>().error.code).toBe('INVALID_CREDENTIALS');
    }
    expect((await loginWithPassword(subject.app, holder)).statusCode).toBe(200);
  });

  it('signs in with an SMS code on a new device, trusting it and telling the holder', async () => {
    const holder = await registerHolder(subject.app);
    const code = await sendAndReadSmsCode(subject.app, { phone: holder.phone, purpose: 'login' });
    const wrong = await smsLogin(holder.phone, code === '123123' ? '321321' : '123123', 'tablet-000001');
    expect(wrong.json<ErrorBody>().error.code).toBe('SMS_CODE_INVALID');
    const response = await smsLogin(holder.phone, code, 'tablet-000001');
    expect(response.statusCode).toBe(200);
    expect((await loginWithPassword(subject.app, { ...holder, deviceId: 'tablet-000001' })).statusCode).toBe(
      200,
    );
    const inbox = await notificationsOf(holder);
    expect(inbox.notifications[0]).toMatchObject({ kind: 'security.new_device' });
    expect(inbox.notifications[0]!.body).toContain('"Tablet"');
  });

  it('offers createSession for other sign-in methods (passkeys)', async () => {
    const holder = await registerHolder(subject.app);
    const session = await subject.app.services.identity.createSession({
      userId: holder.userId,
      device: { id: 'passkey-device-1', name: 'MacBook' },
      method: 'passkey',
      client: { ip: '127.0.0.1', userAgent: 'test' },
    });
    const me = await subject.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(session.token) });
    expect(me.json()).toMatchObject({ id: holder.userId });
    const sessions = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/sessions',
      headers: holder.headers,
    });
    expect(sessions.json<{ sessions: { method: string }[] }>().sessions.map((s) => s.method)).toContain(
      'passkey',
    );
  });
});
