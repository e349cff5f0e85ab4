/** Test helpers of the freeze module. Imported by tests only. */
import { Secret, TOTP } from 'otpauth';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { expect } from 'vitest';
import type { TestHolder } from '../identity/testing.ts';
import { latestSmsCode, uniqueIp } from '../identity/testing.ts';
import { SoftAuthenticator } from '../security/soft-authenticator.ts';
import { PUBLIC_ORIGIN } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import { totpCodeAt, totpStep } from '../security/totp.ts';

let idNumbers = 0;

/**
 * A valid resident ID number no other holder of this test file has (the sandbox verifier
 * matches it): born on a day of 1990 and a sequence that both move with each call.
 */
export function newIdNumber(): string {
  idNumbers += 1;
  const day = String((idNumbers % 28) + 1).padStart(2, '0');
  const sequence = String(((process.pid % 50) * 19 + idNumbers) % 990).padStart(3, '0');
  const body = `1101051990${String((Math.floor(idNumbers / 28) % 12) + 1).padStart(2, '0')}${day}${sequence}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((total, digit, index) => total + Number(digit) * weights[index]!, 0);
  return body + '10X98765432'[sum % 11]!;
}

/** Well formed, but nobody's in these tests. */
export const SOMEONE_ELSES_ID_NUMBER = '11010519491231002X';

export async function verifyRealName(subject: SecurityTestApp, holder: TestHolder, idNumber: string) {
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/kyc/real-name',
    headers: holder.headers,
    payload: { legalName: '李明', idNumber },
  });
  expect(response.statusCode, response.body).toBe(200);
}

/** Two-step verification on; answers the secret, to make codes with `totpCode`. */
export async function enableTotp(subject: SecurityTestApp, holder: TestHolder): Promise<string> {
  const setup = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/totp/setup',
    headers: holder.headers,
  });
  expect(setup.statusCode, setup.body).toBe(200);
  const { secret } = setup.json<{ secret: string }>();
  const enable = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/totp/enable',
    headers: holder.headers,
    payload: { code: totpCode(subject, secret) },
  });
  expect(enable.statusCode, enable.body).toBe(200);
  return secret;
}

/** The authenticator app's code at the app's now (`offsetSteps` later). */
export function totpCode(subject: SecurityTestApp, secret: string, offsetSteps = 0): string {
  return totpCodeAt({
    secret: Secret.fromBase32(secret),
    step: totpStep(subject.clock.now().getTime()) + offsetSteps,
  });
}

/** A passkey of a new software authenticator (the phone's), registered for the holder. */
export async function addPasskey(subject: SecurityTestApp, holder: TestHolder): Promise<SoftAuthenticator> {
  const authenticator = new SoftAuthenticator(PUBLIC_ORIGIN);
  const options = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/passkeys/registration-options',
    headers: holder.headers,
  });
  expect(options.statusCode, options.body).toBe(200);
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/passkeys',
    headers: holder.headers,
    payload: {
      response: authenticator.register(options.json<PublicKeyCredentialCreationOptionsJSON>()),
      name: 'My phone',
    },
  });
  expect(response.statusCode, response.body).toBe(201);
  return authenticator;
}

/** An `unfreeze` SMS code to the holder's own number, read from the sandbox outbox. */
export async function unfreezeCode(subject: SecurityTestApp, holder: TestHolder): Promise<string> {
  subject.clock.advance(61); // past the wait between two codes of one purpose
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/sms-codes',
    headers: holder.headers,
    payload: { purpose: 'unfreeze' },
    remoteAddress: uniqueIp(),
  });
  expect(response.statusCode, response.body).toBe(200);
  expect(response.json()).toMatchObject({ purpose: 'unfreeze' });
  return latestSmsCode(subject.app, holder.phone);
}

export function freezeRequest(subject: SecurityTestApp, holder: TestHolder, mode: 'full' | 'receive_only') {
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/freeze',
    headers: holder.headers,
    payload: { mode },
  });
}

export async function freezeState(subject: SecurityTestApp, holder: TestHolder) {
  const response = await subject.app.inject({ method: 'GET', url: '/v1/me/freeze', headers: holder.headers });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{
    mode: string;
    source: string | null;
    since: string | null;
    reason: string | null;
    liftableBy: string | null;
  }>();
}

export function unfreezeRequest(
  subject: SecurityTestApp,
  holder: TestHolder,
  body: { smsCode: string; idNumber: string; secondFactor: object },
) {
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/unfreeze',
    headers: holder.headers,
    payload: body,
  });
}

/** An operator of `role`, signed in with password and TOTP at the app's clock. */
export async function operatorSession(
  subject: SecurityTestApp,
  role: 'admin' | 'support' | 'risk',
  username: string,
): Promise<{ id: string; headers: { authorization: string } }> {
  const created = await subject.app.services.operator.create({ username, role });
  const totp = new TOTP({ secret: Secret.fromBase32(created.totpSecret), digits: 6, period: 30 });
  const login = await subject.app.inject({
    method: 'POST',
    url: '/v1/operator/login',
    payload: {
      username,
      password: created.password,
      totpCode: totp.generate({ timestamp: subject.clock.now().getTime() }),
    },
  });
  expect(login.statusCode, login.body).toBe(200);
  return {
    id: created.operator.id,
    headers: { authorization: `Bearer ${login.json<{ token: string }>().token}` },
  };
}
