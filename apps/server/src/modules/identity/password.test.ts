import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../testing.ts';
import type { TestApp } from '../../testing.ts';
import { TestClock, bearer, loginWithPassword, registerHolder, sendAndReadSmsCode } from './testing.ts';
import type { TestHolder } from './testing.ts';

const NEW_PASSWORD = 'Quiet-River-2048';

describe('login passwords', () => {
  const clock = new TestClock();
  let subject: TestApp;
  beforeAll(async () => {
    subject = await createTestApp({ now: clock.now });
  });
  afterAll(async () => {
    await subject.close();
  });

  function me(token: string) {
    return subject.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) });
  }
  async function reset(holder: TestHolder, extra: Record<string, unknown> = {}) {
    clock.advance(61); // past the re-send interval of the previous code
    const code = await sendAndReadSmsCode(subject.app, { phone: holder.phone, purpose: 'reset_password' });
    return subject.app.inject({
      method: 'POST',
      url: '/v1/auth/password-reset',
      payload: { phone: holder.phone, code, newPassword: NEW_PASSWORD, ...extra },
    });
  }
  async function inboxKinds(token: string): Promise<string[]> {
    const response = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/notifications',
      headers: bearer(token),
    });
    return response.json<{ notifications: { kind: string }[] }>().notifications.map((n) => n.kind);
  }

  it('reset with an SMS code: every session ends, the new password works, the old one not', async () => {
    const holder = await registerHolder(subject.app);
    const second = (await loginWithPassword(subject.app, holder)).json<{ token: string }>().token;
    const response = await reset(holder);
    expect(response.statusCode).toBe(204);
    expect((await me(holder.token)).statusCode).toBe(401);
    expect((await me(second)).statusCode).toBe(401);
    expect((await loginWithPassword(subject.app, holder)).statusCode).toBe(401);
    const signedIn = await loginWithPassword(subject.app, { ...holder, password: NEW_PASSWORD });
    expect(signedIn.statusCode).toBe(200);
    expect(await inboxKinds(signedIn.json<{ token: string }>().token)).toContain('security.password_reset');
  });

  it('reset refuses a weak new password before using up the code', async () => {
    const holder = await registerHolder(subject.app);
    const code = await sendAndReadSmsCode(subject.app, { phone: holder.phone, purpose: 'reset_password' });
    const weak = await subject.app.inject({
      method: 'POST',
      url: '/v1/auth/password-reset',
      payload: { phone: holder.phone, code, newPassword: '88888888' },
    });
    expect(weak.json()).toMatchObject({ error: { code: 'WEAK_PASSWORD', details: { reason: 'allDigits' } } });
    const good = await subject.app.inject({
      method: 'POST',
      url: '/v1/auth/password-reset',
      payload: { phone: holder.phone, code, newPassword: NEW_PASSWORD },
    });
    expect(good.statusCode).toBe(204);
  });

  it('reset lifts a password lockout', async () => {
    const holder = await registerHolder(subject.app);
    for (let attempt = 0; attempt < 5; attempt++) {
      await loginWithPassword(subject.app, { ...holder, password: `Wrong-Password-${attempt}` });
    }
    expect((await loginWithPassword(subject.app, holder)).json()).toMatchObject({
      error: { code: 'PASSWORD_LOGIN_LOCKED' },
    });
    expect((await reset(holder)).statusCode).toBe(204);
    expect((await loginWithPassword(subject.app, { ...holder, password: NEW_PASSWORD })).statusCode).toBe(
      200,
    );
  });

  it('reset needs the matching ID number once the holder is real-name verified', async () => {
    const holder = await registerHolder(subject.app);
    await subject.app.services.identity.setRealNameVerified({
      userId: holder.userId,
      idNumber: '11010519491231002x',
    });
    const { rows } = await subject.database.pool.query<Record<string, unknown>>(
      'SELECT * FROM identity_users WHERE id = $1',
      [holder.userId],
    );
    expect(JSON.stringify(rows)).not.toMatch(/11010519491231002/i);
    expect((await me(holder.token)).json()).toMatchObject({ realNameVerified: true });

    expect((await reset(holder)).json()).toMatchObject({ error: { code: 'ID_NUMBER_REQUIRED' } });
    expect((await reset(holder, { idNumber: '440524188001010014' })).json()).toMatchObject({
      error: { code: 'ID_NUMBER_MISMATCH' },
    });
    expect((await me(holder.token)).statusCode).toBe(200); // nothing changed so far
    expect((await reset(holder, { idNumber: ' 11010519491231002x ' })).statusCode).toBe(204);
    expect((await me(holder.token)).statusCode).toBe(401);
  });

  it('change while signed in: needs the current password, ends the other sessions, keeps this one', async () => {
    const holder = await registerHolder(subject.app);
    const other = (await loginWithPassword(subject.app, holder)).json<{ token: string }>().token;
    const change = (oldPassword: string, newPassword: string) =>
      subject.app.inject({
        method: 'POST',
        url: '/v1/me/password',
        headers: holder.headers,
        payload: { oldPassword, newPassword },
      });

    const wrong = await change('Not-My-Password-1', NEW_PASSWORD);
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toMatchObject({ error: { code: 'WRONG_PASSWORD' } });
    expect((await change(holder.password, holder.password)).json()).toMatchObject({
      error: { code: 'WEAK_PASSWORD', details: { reason: 'sameAsCurrent' } },
    });
    expect((await change(holder.password, `pw${holder.phone}`)).json()).toMatchObject({
      error: { code: 'WEAK_PASSWORD', details: { reason: 'containsPhone' } },
    });

    expect((await change(holder.password, NEW_PASSWORD)).statusCode).toBe(204);
    expect((await me(holder.token)).statusCode).toBe(200);
    expect((await me(other)).statusCode).toBe(401);
    expect((await loginWithPassword(subject.app, { ...holder, password: NEW_PASSWORD })).statusCode).toBe(
      200,
    );
    expect(await inboxKinds(holder.token)).toContain('security.password_changed');
  });

  it('verifyPassword lets other modules confirm the password, counting failures', async () => {
    const holder = await registerHolder(subject.app);
    const identity = subject.app.services.identity;
    await identity.verifyPassword({ userId: holder.userId, password: holder.password });
    await expect(
      identity.verifyPassword({ userId: holder.userId, password: 'nope-nope-nope' }),
    ).rejects.toMatchObject({
      code: 'WRONG_PASSWORD',
    });
    const { rows } = await subject.database.pool.query<{ password_failures: number }>(
      'SELECT password_failures FROM identity_users WHERE id = $1',
      [holder.userId],
    );
    expect(rows[0]!.password_failures).toBe(1);
  });
});
