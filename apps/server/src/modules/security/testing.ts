/** Test helpers of the payment-security module. Imported by tests only. */
import { expect } from 'vitest';
import type { App } from '../../app.ts';
import { createTestApp } from '../../testing.ts';
import type { TestApp } from '../../testing.ts';
import { TestClock, latestSmsCode, registerHolder, uniqueIp } from '../identity/testing.ts';
import type { TestHolder } from '../identity/testing.ts';

export const PUBLIC_ORIGIN = 'http://localhost:8080';

export interface SecurityTestApp extends TestApp {
  clock: TestClock;
  /** Every JSON log line the app wrote. */
  logs: string[];
}

/**
 * An app on its own database with a clock the test moves and captured logs. Sessions stay
 * alive for a day of idleness, so a test can move the clock past a 3-hour lock.
 */
export async function createSecurityTestApp(env: Record<string, string> = {}): Promise<SecurityTestApp> {
  const clock = new TestClock();
  const logs: string[] = [];
  const subject = await createTestApp({
    now: clock.now,
    logStream: { write: (line) => void logs.push(line) },
    env: {
      SESSION_IDLE_SECONDS: '86400',
      SESSION_MAX_AGE_SECONDS: '2592000',
      QIANBAO_PUBLIC_URL: PUBLIC_ORIGIN,
      // Request lines (with their URLs) are debug in sandbox mode: capture them too.
      LOG_LEVEL: 'debug',
      ...env,
    },
  });
  return { ...subject, clock, logs };
}

/** A `verify` SMS code for the holder, read from the sandbox outbox (moves past the resend wait). */
export async function verifyCode(subject: SecurityTestApp, holder: TestHolder): Promise<string> {
  subject.clock.advance(61);
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/sms-codes',
    headers: holder.headers,
    remoteAddress: uniqueIp(),
  });
  expect(response.statusCode, response.body).toBe(200);
  return latestSmsCode(subject.app, holder.phone);
}

export async function setPin(subject: SecurityTestApp, holder: TestHolder, pin: string) {
  const smsCode = await verifyCode(subject, holder);
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/pin',
    headers: holder.headers,
    payload: { password: holder.password, smsCode, pin },
  });
}

/** A registered holder with a transaction PIN. */
export async function holderWithPin(subject: SecurityTestApp, pin = '258036'): Promise<TestHolder> {
  const holder = await registerHolder(subject.app);
  const response = await setPin(subject, holder, pin);
  expect(response.statusCode, response.body).toBe(200);
  return holder;
}

export async function notificationKinds(app: App, holder: TestHolder): Promise<string[]> {
  // Notices of money movements follow from events; a test app runs no job workers: deliver them.
  await app.outbox.deliverPending();
  const response = await app.inject({
    method: 'GET',
    url: '/v1/me/notifications?limit=100',
    headers: holder.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ notifications: { kind: string }[] }>().notifications.map((item) => item.kind);
}

/** Fail when any of `secrets` appears in the logs as a token of its own. */
export function expectNoSecretsInLogs(logs: readonly string[], secrets: Iterable<string>): void {
  const text = logs.join('\n');
  expect(text.length).toBeGreaterThan(0);
  for (const secret of new Set(secrets)) {
    if (secret.length < 6) continue;
    const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(
      new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`).test(text),
      `"${secret}" is in the logs`,
    ).toBe(false);
  }
}
