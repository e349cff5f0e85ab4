/**
 * A lost phone reported from another device, signed out (issue 11): a full freeze, every session
 * ended, the devices that had one marked lost (their passkeys suspended, password sign-in on
 * them asks for an SMS code again), then the holder back on a new device lifting the freeze.
 */
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_PASSWORD,
  bearer,
  latestSmsCode,
  loginWithPassword,
  registerHolder,
  sendAndReadSmsCode,
  uniqueIp,
  uniquePhone,
} from '../identity/testing.ts';
import type { TestHolder } from '../identity/testing.ts';
import { createSecurityTestApp, notificationKinds } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import {
  SOMEONE_ELSES_ID_NUMBER,
  addPasskey,
  enableTotp,
  freezeState,
  newIdNumber,
  totpCode,
  unfreezeCode,
  unfreezeRequest,
  verifyRealName,
} from './testing.ts';

let subject: SecurityTestApp;

beforeAll(async () => {
  subject = await createSecurityTestApp();
});
afterAll(async () => {
  await subject.close();
});

const REPORTING_DEVICE = 'borrowed-tablet-0001';

async function reportLossCode(phone: string, ip = uniqueIp()): Promise<string> {
  subject.clock.advance(61);
  return sendAndReadSmsCode(subject.app, { phone, purpose: 'report_loss', ip });
}

function reportLoss(body: { phone: string; smsCode: string; idNumber: string; deviceId?: string }) {
  return subject.app.inject({
    method: 'POST',
    url: '/v1/freeze/report-loss',
    payload: body,
    remoteAddress: '10.77.0.1',
  });
}

async function signInOnAnotherDevice(holder: TestHolder, deviceId: string): Promise<string> {
  subject.clock.advance(61);
  const smsCode = await sendAndReadSmsCode(subject.app, { phone: holder.phone, purpose: 'new_device' });
  const response = await loginWithPassword(subject.app, {
    phone: holder.phone,
    password: holder.password,
    deviceId,
    smsCode,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ token: string }>().token;
}

describe('reporting a lost phone', () => {
  it('from another device: freezes in full, ends every session, suspends the passkeys; then the holder unfreezes', async () => {
    // The holder's phone: registered there, with a passkey and two-step verification.
    const phone = await registerHolder(subject.app, { deviceId: 'holders-phone-0001' });
    const idNumber = newIdNumber();
    await verifyRealName(subject, phone, idNumber);
    const authenticator = await addPasskey(subject, phone);
    const secret = await enableTotp(subject, phone);
    // …and the laptop, signed in too.
    const laptopToken = await signInOnAnotherDevice(phone, 'holders-laptop-0001');
    expect(
      (await subject.app.inject({ method: 'GET', url: '/v1/me', headers: phone.headers })).statusCode,
    ).toBe(200);

    // A borrowed tablet, signed out: the number, a report_loss code, the ID number.
    subject.clock.advance(5);
    const smsCode = await reportLossCode(phone.phone);
    const report = await reportLoss({ phone: phone.phone, smsCode, idNumber, deviceId: REPORTING_DEVICE });
    expect(report.statusCode, report.body).toBe(200);
    expect(report.json()).toEqual({ mode: 'full', sessionsEnded: 2, devicesLost: 2, passkeysSuspended: 1 });

    // Every session has ended: the phone's and the laptop's tokens get 401.
    for (const headers of [phone.headers, bearer(laptopToken)]) {
      const me = await subject.app.inject({ method: 'GET', url: '/v1/me', headers });
      expect(me.statusCode).toBe(401);
    }
    const freeze = subject.app.services.freeze;
    expect(await freeze.stateOf(phone.userId)).toMatchObject({ mode: 'full', source: 'report_loss' });
    expect(await freeze.isDeviceLost(phone.userId, 'holders-phone-0001')).toBe(true);
    expect(await freeze.isDeviceLost(phone.userId, 'holders-laptop-0001')).toBe(true);
    expect(await freeze.isDeviceLost(phone.userId, REPORTING_DEVICE)).toBe(false);

    // The passkey on the lost phone no longer signs in.
    const loginOptions = await subject.app.inject({ method: 'POST', url: '/v1/auth/passkey/options' });
    const passkeyLogin = await subject.app.inject({
      method: 'POST',
      url: '/v1/auth/passkey/login',
      payload: {
        response: authenticator.authenticate(loginOptions.json<PublicKeyCredentialRequestOptionsJSON>()),
        deviceId: 'holders-phone-0001',
      },
    });
    expect(passkeyLogin.statusCode).toBe(422);
    expect(passkeyLogin.json()).toMatchObject({
      error: { code: 'PASSKEY_VERIFICATION_FAILED', details: { reason: 'suspended' } },
    });
    // Whoever has the phone needs an SMS code again to sign in with the password on it.
    const onLostPhone = await loginWithPassword(subject.app, {
      phone: phone.phone,
      password: TEST_PASSWORD,
      deviceId: 'holders-phone-0001',
    });
    expect(onLostPhone.json()).toMatchObject({ error: { code: 'NEW_DEVICE_VERIFICATION_REQUIRED' } });

    // The holder on a new phone: signed in, the freeze and the suspended passkey in view.
    const token = await signInOnAnotherDevice(phone, 'holders-new-phone-0001');
    const holder: TestHolder = {
      ...phone,
      token,
      deviceId: 'holders-new-phone-0001',
      headers: bearer(token),
    };
    expect(await freezeState(subject, holder)).toMatchObject({
      mode: 'full',
      source: 'report_loss',
      reason: 'phone reported lost',
      liftableBy: 'holder',
    });
    const passkeys = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/passkeys',
      headers: holder.headers,
    });
    expect(
      passkeys.json<{ passkeys: { suspendedAt: string | null }[] }>().passkeys[0]!.suspendedAt,
    ).not.toBeNull();
    const summary = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/security',
      headers: holder.headers,
    });
    expect(summary.json()).toMatchObject({ passkeys: { count: 0 } });
    const kinds = await notificationKinds(subject.app, holder);
    expect(kinds).toContain('freeze.loss_reported');
    expect(kinds).not.toContain('freeze.frozen'); // the report's own notice says it all

    // The suspended passkey cannot lift it; the authenticator app can.
    const options = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/unfreeze/options',
      headers: holder.headers,
    });
    expect(options.json()).toEqual({ usable: { passkey: false, totp: true }, passkeyOptions: null });
    subject.clock.advance(31);
    const unfreezeSms = await unfreezeCode(subject, holder);
    const lifted = await unfreezeRequest(subject, holder, {
      smsCode: unfreezeSms,
      idNumber,
      secondFactor: { totpCode: totpCode(subject, secret) },
    });
    expect(lifted.statusCode, lifted.body).toBe(200);
    expect(await freeze.stateOf(phone.userId)).toMatchObject({ mode: 'none' });
    // The phone stays lost: payment codes (issue 12) keep refusing it.
    expect(await freeze.isDeviceLost(phone.userId, 'holders-phone-0001')).toBe(true);

    const { rows } = await subject.database.pool.query(
      `SELECT action, actor, ip_address, device_id, details FROM freeze_audit WHERE user_id = $1 ORDER BY at, action`,
      [phone.userId],
    );
    expect(rows.slice(0, 2)).toEqual([
      {
        action: 'frozen',
        actor: 'report_loss',
        ip_address: '10.77.0.1',
        device_id: REPORTING_DEVICE,
        details: {},
      },
      {
        action: 'loss_reported',
        actor: 'report_loss',
        ip_address: '10.77.0.1',
        device_id: REPORTING_DEVICE,
        details: { sessionsEnded: 2, devicesLost: 2, passkeysSuspended: 1 },
      },
    ]);
    expect(rows[2]).toMatchObject({ action: 'lifted', actor: 'holder', device_id: 'holders-new-phone-0001' });
  });

  it('a repeated report changes nothing more and still answers', async () => {
    const holder = await registerHolder(subject.app);
    const idNumber = newIdNumber();
    await verifyRealName(subject, holder, idNumber);
    const first = await reportLoss({
      phone: holder.phone,
      smsCode: await reportLossCode(holder.phone),
      idNumber,
    });
    expect(first.json()).toEqual({ mode: 'full', sessionsEnded: 1, devicesLost: 1, passkeysSuspended: 0 });
    const second = await reportLoss({
      phone: holder.phone,
      smsCode: await reportLossCode(holder.phone),
      idNumber,
    });
    expect(second.json()).toEqual({ mode: 'full', sessionsEnded: 0, devicesLost: 0, passkeysSuspended: 0 });
    const freezes = await subject.database.pool.query('SELECT 1 FROM freeze_freezes WHERE user_id = $1', [
      holder.userId,
    ]);
    expect(freezes.rowCount).toBe(1);
  });

  it('a number with or without a wallet gets the same answer to the code request', async () => {
    const holder = await registerHolder(subject.app);
    const stranger = uniquePhone();
    const answers = [];
    for (const phone of [holder.phone, stranger]) {
      const response = await subject.app.inject({
        method: 'POST',
        url: '/v1/auth/sms-codes',
        payload: { phone, purpose: 'report_loss' },
        remoteAddress: uniqueIp(),
      });
      expect(response.statusCode, response.body).toBe(200);
      const { phone: masked, ...rest } = response.json<{ phone: string }>();
      expect(masked).toMatch(/^1\d{2}\*{4}\d{4}$/);
      answers.push(rest);
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(await latestSmsCode(subject.app, holder.phone)).toMatch(/^\d{6}$/);
    // No code reached the stranger's number, so any code is wrong.
    const report = await reportLoss({ phone: stranger, smsCode: '123456', idNumber: newIdNumber() });
    expect(report.statusCode).toBe(422);
    expect(report.json()).toMatchObject({ error: { code: 'SMS_CODE_INVALID' } });
  });

  it('refuses a wrong ID number after spending the code, and a malformed one before', async () => {
    const holder = await registerHolder(subject.app);
    const idNumber = newIdNumber();
    await verifyRealName(subject, holder, idNumber);
    const smsCode = await reportLossCode(holder.phone);
    const malformed = await reportLoss({ phone: holder.phone, smsCode, idNumber: '11010519900101001' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({
      error: { code: 'INVALID_ID_NUMBER', details: { problem: 'format' } },
    });
    const wrong = await reportLoss({ phone: holder.phone, smsCode, idNumber: SOMEONE_ELSES_ID_NUMBER });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toMatchObject({ error: { code: 'ID_NUMBER_MISMATCH' } });
    // Each guess costs a code: this one is used up.
    const again = await reportLoss({ phone: holder.phone, smsCode, idNumber });
    expect(again.json()).toMatchObject({ error: { code: 'SMS_CODE_INVALID' } });
    expect(
      (await subject.app.inject({ method: 'GET', url: '/v1/me', headers: holder.headers })).statusCode,
    ).toBe(200);
    expect((await freezeState(subject, holder)).mode).toBe('none');
  });

  it('is rate-limited like the other signed-out flows: tries per code, codes per number', async () => {
    const holder = await registerHolder(subject.app);
    const idNumber = newIdNumber();
    await verifyRealName(subject, holder, idNumber);
    const smsCode = await reportLossCode(holder.phone);
    const wrongCode = String((Number(smsCode) + 1) % 1_000_000).padStart(6, '0');
    const codes = [];
    for (let attempt = 0; attempt < 6; attempt += 1) {
      const response = await reportLoss({ phone: holder.phone, smsCode: wrongCode, idNumber });
      codes.push(response.json<{ error: { code: string } }>().error.code);
    }
    expect(codes).toEqual([
      'SMS_CODE_INVALID',
      'SMS_CODE_INVALID',
      'SMS_CODE_INVALID',
      'SMS_CODE_INVALID',
      'SMS_CODE_ATTEMPTS_EXCEEDED',
      'SMS_CODE_ATTEMPTS_EXCEEDED',
    ]);
    // The right code no longer works either.
    const right = await reportLoss({ phone: holder.phone, smsCode, idNumber });
    expect(right.json()).toMatchObject({ error: { code: 'SMS_CODE_ATTEMPTS_EXCEEDED' } });
    // Codes themselves: one a minute, and only so many an hour per number.
    const soon = await subject.app.inject({
      method: 'POST',
      url: '/v1/auth/sms-codes',
      payload: { phone: holder.phone, purpose: 'report_loss' },
      remoteAddress: uniqueIp(),
    });
    expect(soon.statusCode).toBe(429);
    expect(soon.json()).toMatchObject({ error: { code: 'SMS_RESEND_TOO_SOON' } });
    let limited = null;
    for (let ask = 0; ask < 12 && !limited; ask += 1) {
      subject.clock.advance(61);
      const response = await subject.app.inject({
        method: 'POST',
        url: '/v1/auth/sms-codes',
        payload: { phone: holder.phone, purpose: 'report_loss' },
        remoteAddress: uniqueIp(),
      });
      if (response.statusCode === 429) limited = response.json<{ error: { code: string } }>().error.code;
    }
    expect(limited).toBe('RATE_LIMITED');
  });

  it('a wallet without a real-name record cannot be reported lost here: customer service can', async () => {
    const holder = await registerHolder(subject.app);
    const smsCode = await reportLossCode(holder.phone);
    const report = await reportLoss({ phone: holder.phone, smsCode, idNumber: newIdNumber() });
    expect(report.statusCode).toBe(422);
    expect(report.json()).toMatchObject({ error: { code: 'FREEZE_REAL_NAME_REQUIRED' } });
  });
});
