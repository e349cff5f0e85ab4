/**
 * Sign-in lockout under real concurrency: many wrong passwords sent at once over HTTP to a
 * listening server. The try is counted before the password is compared (secret-tries.ts), so no
 * more than the limit of them are ever checked; the rest are refused as locked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../testing.ts';
import type { TestApp } from '../../testing.ts';
import { registerHolder } from './testing.ts';
import type { TestHolder } from './testing.ts';

const LIMIT = 5; // PASSWORD_MAX_FAILURES (default)
const CONCURRENT = 30;

let subject: TestApp;
let url: string;
beforeAll(async () => {
  subject = await createTestApp();
  url = await subject.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await subject.close();
});

async function signIn(
  holder: TestHolder,
  password: string,
): Promise<{ status: number; code: string | null }> {
  const response = await fetch(`${url}/v1/auth/login/password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone: holder.phone, password, deviceId: holder.deviceId }),
  });
  const body = (await response.json()) as { error?: { code: string } };
  return { status: response.status, code: body.error?.code ?? null };
}

async function lockNotices(holder: TestHolder): Promise<number> {
  const response = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/notifications?limit=100',
    headers: holder.headers,
  });
  const body = response.json<{ notifications: { kind: string }[] }>();
  return body.notifications.filter((n) => n.kind === 'security.password_locked').length;
}

describe('password tries under concurrency', () => {
  it(`${CONCURRENT} wrong passwords at once: only ${LIMIT} are checked, the one reaching the limit locks, the rest are refused`, async () => {
    const holder = await registerHolder(subject.app);
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => signIn(holder, `Wrong-Password-${i}`)),
    );
    const wrong = answers.filter((a) => a.status === 401 && a.code === 'INVALID_CREDENTIALS');
    const locked = answers.filter((a) => a.status === 403 && a.code === 'PASSWORD_LOGIN_LOCKED');
    // LIMIT − 1 answered "wrong", the LIMIT-th wrong one locked (and says so), the rest never got checked.
    expect(wrong).toHaveLength(LIMIT - 1);
    expect(locked).toHaveLength(CONCURRENT - (LIMIT - 1));
    expect(await lockNotices(holder)).toBe(1);

    const { rows } = await subject.database.pool.query<{ failures: number }>(
      'SELECT password_failures AS failures FROM identity_users WHERE id = $1',
      [holder.userId],
    );
    expect(rows[0]!.failures).toBe(LIMIT); // exactly LIMIT passwords were compared

    // Locked for the right password too.
    expect(await signIn(holder, holder.password)).toEqual({ status: 403, code: 'PASSWORD_LOGIN_LOCKED' });
  });

  it('many right passwords at once all pass: tries in flight are not failures', async () => {
    const holder = await registerHolder(subject.app);
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT }, () => signIn(holder, holder.password)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(CONCURRENT).fill(200));
    expect(await lockNotices(holder)).toBe(0);
  });
});
