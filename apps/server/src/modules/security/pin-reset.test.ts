/**
 * A forgotten PIN (issue 9): the login password is checked on its own before the PIN is typed,
 * with sign-in's lockout; replacing the PIN of a real-name verified holder needs the ID number,
 * as a login-password reset does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerHolder } from '../identity/testing.ts';
import type { TestHolder } from '../identity/testing.ts';
import { createSecurityTestApp, holderWithPin, notificationKinds, verifyCode } from './testing.ts';
import type { SecurityTestApp } from './testing.ts';

/** A valid resident ID number (born 1990-01-01) no other test uses; the sandbox verifier matches it. */
function newIdNumber(): string {
  const sequence = String(Math.floor(Math.random() * 998)).padStart(3, '0');
  const body = `11010519900101${sequence}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((total, digit, index) => total + Number(digit) * weights[index]!, 0);
  return body + '10X98765432'[sum % 11]!;
}
/** Well formed, but another person's. */
const OTHER_ID_NUMBER = '11010519491231002X';

let subject: SecurityTestApp;

beforeAll(async () => {
  subject = await createSecurityTestApp();
});
afterAll(async () => {
  await subject.close();
});

function checkPassword(holder: TestHolder, password: string) {
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/password/check',
    headers: holder.headers,
    payload: { password },
  });
}

async function verifyRealName(holder: TestHolder, idNumber: string): Promise<void> {
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/kyc/real-name',
    headers: holder.headers,
    payload: { legalName: '李明', idNumber },
  });
  expect(response.statusCode, response.body).toBe(200);
}

async function replacePin(holder: TestHolder, body: { pin: string; idNumber?: string }) {
  const smsCode = await verifyCode(subject, holder);
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/pin',
    headers: holder.headers,
    payload: { password: holder.password, smsCode, ...body },
  });
}

describe('checking the login password first', () => {
  it('answers 204 for the right password and counts wrong ones toward the sign-in lockout', async () => {
    const holder = await holderWithPin(subject);
    expect((await checkPassword(holder, holder.password)).statusCode).toBe(204);
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      const wrong = await checkPassword(holder, 'Not-the-password-1');
      expect(wrong.statusCode).toBe(403);
      expect(wrong.json()).toMatchObject({ error: { code: 'WRONG_PASSWORD' } });
    }
    // The fifth wrong one reaches the limit: password sign-in is locked, as after five at sign-in.
    const fifth = await checkPassword(holder, 'Not-the-password-1');
    expect(fifth.json()).toMatchObject({ error: { code: 'PASSWORD_LOGIN_LOCKED' } });
    const right = await checkPassword(holder, holder.password);
    expect(right.json()).toMatchObject({ error: { code: 'PASSWORD_LOGIN_LOCKED' } });
    const signIn = await subject.app.inject({
      method: 'POST',
      url: '/v1/auth/login/password',
      payload: { phone: holder.phone, password: holder.password, deviceId: 'pin-reset-test-device' },
    });
    expect(signIn.json()).toMatchObject({ error: { code: 'PASSWORD_LOGIN_LOCKED' } });
    expect(await notificationKinds(subject.app, holder)).toContain('security.password_locked');
  });
});

describe('replacing a forgotten PIN', () => {
  it('needs the ID number once the holder is real-name verified, and each guess costs the code', async () => {
    const holder = await holderWithPin(subject);
    const ID_NUMBER = newIdNumber();
    await verifyRealName(holder, ID_NUMBER);

    const withoutId = await replacePin(holder, { pin: '370258' });
    expect(withoutId.statusCode).toBe(422);
    expect(withoutId.json()).toMatchObject({ error: { code: 'ID_NUMBER_REQUIRED' } });

    const wrongId = await replacePin(holder, { pin: '370258', idNumber: OTHER_ID_NUMBER });
    expect(wrongId.statusCode).toBe(422);
    expect(wrongId.json()).toMatchObject({ error: { code: 'ID_NUMBER_MISMATCH' } });

    // The code of the refused guess is used up.
    const smsCode = await verifyCode(subject, holder);
    const first = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/pin',
      headers: holder.headers,
      payload: { password: holder.password, smsCode, pin: '370258', idNumber: OTHER_ID_NUMBER },
    });
    expect(first.json()).toMatchObject({ error: { code: 'ID_NUMBER_MISMATCH' } });
    const again = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/pin',
      headers: holder.headers,
      payload: { password: holder.password, smsCode, pin: '370258', idNumber: ID_NUMBER },
    });
    expect(again.statusCode).toBe(422);
    expect(again.json<{ error: { code: string } }>().error.code).toMatch(/^SMS_CODE_/);

    const right = await replacePin(holder, { pin: '370258', idNumber: ID_NUMBER.toLowerCase() });
    expect(right.statusCode, right.body).toBe(200);
    expect(right.json()).toEqual({ changed: true });
    expect(await notificationKinds(subject.app, holder)).toContain('security.pin_changed');
  });

  it('sets the first PIN of a verified holder without the ID number', async () => {
    const holder = await registerHolder(subject.app);
    await verifyRealName(holder, newIdNumber());
    const response = await replacePin(holder, { pin: '370258' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ changed: false });
  });
});
