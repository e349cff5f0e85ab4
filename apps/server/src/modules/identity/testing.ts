/**
 * Test helpers for any module that needs signed-in holders. Imported by tests only.
 *
 *   const holder = await registerHolder(subject.app);
 *   await subject.app.inject({ method: 'GET', url: '/v1/me', headers: holder.headers });
 */
import { expect } from 'vitest';
import type { App } from '../../app.ts';

/** A clock the test moves: real time plus an offset, so ordering by time still works. */
export class TestClock {
  private offsetMs = 0;

  readonly now = (): Date => new Date(Date.now() + this.offsetMs);

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

let phones = 0;
let addresses = 0;

/** A fresh mainland number for this process (each test file has its own database). */
export function uniquePhone(): string {
  phones += 1;
  return `1390${String(process.pid % 1000).padStart(3, '0')}${String(phones).padStart(4, '0')}`;
}

/** A fresh client IP, so the per-IP SMS limit of one test does not reach into another. */
export function uniqueIp(): string {
  addresses += 1;
  return `10.${(addresses >> 16) & 255}.${(addresses >> 8) & 255}.${addresses & 255}`;
}

export const TEST_PASSWORD = 'Lantern-Harbor-42';

/** The newest code texted to this number, read from the sandbox outbox like a developer would. */
export async function latestSmsCode(app: App, phone: string): Promise<string> {
  const response = await app.inject({ method: 'GET', url: `/dev/sms.json?phone=${phone}&limit=1` });
  expect(response.statusCode).toBe(200);
  const code = response.json<{ messages: { code: string | null }[] }>().messages[0]?.code;
  if (!code) throw new Error(`no SMS code was sent to ${phone}`);
  return code;
}

export async function requestSmsCode(
  app: App,
  input: { phone: string; purpose: string; ip?: string },
): Promise<void> {
  const response = await app.inject({
    method: 'POST',
    url: '/v1/auth/sms-codes',
    payload: { phone: input.phone, purpose: input.purpose },
    remoteAddress: input.ip ?? uniqueIp(),
  });
  expect(response.statusCode, response.body).toBe(200);
}

/** Ask for a code and read it from the outbox. */
export async function sendAndReadSmsCode(
  app: App,
  input: { phone: string; purpose: string; ip?: string },
): Promise<string> {
  await requestSmsCode(app, input);
  return latestSmsCode(app, input.phone);
}

export interface TestHolder {
  userId: string;
  phone: string;
  password: string;
  deviceId: string;
  token: string;
  walletAccountId: string;
  /** `Authorization: Bearer <token>` */
  headers: { authorization: string };
}

/** Register a holder through the API (sandbox mode) and return its session. */
export async function registerHolder(
  app: App,
  options: { phone?: string; password?: string; deviceId?: string; ip?: string } = {},
): Promise<TestHolder> {
  const phone = options.phone ?? uniquePhone();
  const password = options.password ?? TEST_PASSWORD;
  const deviceId = options.deviceId ?? `device-${phone}`;
  const ip = options.ip ?? uniqueIp();
  const code = await sendAndReadSmsCode(app, { phone, purpose: 'register', ip });
  const response = await app.inject({
    method: 'POST',
    url: '/v1/auth/register',
    payload: { phone, code, password, deviceId, deviceName: 'Test phone' },
    remoteAddress: ip,
  });
  expect(response.statusCode, response.body).toBe(201);
  const body = response.json<{ token: string; holder: { id: string; walletAccountId: string } }>();
  return {
    userId: body.holder.id,
    phone,
    password,
    deviceId,
    token: body.token,
    walletAccountId: body.holder.walletAccountId,
    headers: { authorization: `Bearer ${body.token}` },
  };
}

/** Sign in with the password on a device (known devices only; new ones need `smsCode`). */
export function loginWithPassword(
  app: App,
  input: { phone: string; password: string; deviceId: string; smsCode?: string; ip?: string },
) {
  const { phone, password, deviceId, smsCode } = input;
  return app.inject({
    method: 'POST',
    url: '/v1/auth/login/password',
    payload: { phone, password, deviceId, ...(smsCode === undefined ? {} : { smsCode }) },
    remoteAddress: input.ip ?? uniqueIp(),
  });
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}
