/**
 * Tries of the PIN and of authenticator codes under real concurrency: many requests sent at once
 * over HTTP to a listening server. Each try is counted before the secret is compared
 * (secret-tries.ts), so no more than the limit of them are ever checked, and the lock the holder
 * is shown is exactly the one payments enforce. Crashes: test/e2e/secret-tries-crash.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerHolder } from '../identity/testing.ts';
import type { TestHolder } from '../identity/testing.ts';
import { PIN, balanceOf, expectBooksBalanced, fund } from '../transfers/testing.ts';
import { createSecurityTestApp, holderWithPin, notificationKinds } from './testing.ts';
import type { SecurityTestApp } from './testing.ts';
import { SecurityStore } from './store.ts';

const LIMIT = 5; // PIN_MAX_FAILURES (default)
const CONCURRENT = 30;

let subject: SecurityTestApp;
let url: string;
beforeAll(async () => {
  subject = await createSecurityTestApp();
  url = await subject.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await subject.close();
});

interface Answer {
  status: number;
  code: string | null;
  until: string | null;
}

async function post(
  holder: TestHolder,
  path: string,
  payload: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...holder.headers, ...headers },
    body: JSON.stringify(payload),
  });
  const body = (await response.json()) as { error?: { code: string; details?: { until?: string } } };
  return {
    status: response.status,
    code: body.error?.code ?? null,
    until: body.error?.details?.until ?? null,
  };
}

function pay(payer: TestHolder, payee: TestHolder, pin: string): Promise<Answer> {
  return post(
    payer,
    '/v1/me/transfers',
    { toPhone: payee.phone, amount: { amount: '100', currency: 'CNY' }, confirmation: { pin } },
    { 'idempotency-key': randomUUID() },
  );
}

async function shownLock(holder: TestHolder): Promise<string | null> {
  const response = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/security',
    headers: holder.headers,
  });
  return response.json<{ paymentsLockedUntil: string | null }>().paymentsLockedUntil;
}

describe('PIN tries under concurrency', () => {
  it(`${CONCURRENT} transfers with a wrong PIN at once: ${LIMIT} PINs checked, one lock, shown as enforced`, async () => {
    const payer = await holderWithPin(subject, PIN);
    const payee = await registerHolder(subject.app);
    await fund(subject, payer, 10_000n);
    const answers = await Promise.all(Array.from({ length: CONCURRENT }, () => pay(payer, payee, '147025')));
    const incorrect = answers.filter((a) => a.status === 422 && a.code === 'PIN_INCORRECT');
    const locked = answers.filter((a) => a.status === 403 && a.code === 'PAYMENTS_LOCKED');
    expect(incorrect).toHaveLength(LIMIT - 1);
    expect(locked).toHaveLength(CONCURRENT - (LIMIT - 1));
    // One lock, recorded once, told once; every refusal names it, and so does the security page.
    const shown = await shownLock(payer);
    expect(shown).not.toBeNull();
    expect(new Set(locked.map((a) => a.until))).toEqual(new Set([shown]));
    expect(
      (await notificationKinds(subject.app, payer)).filter((k) => k === 'security.payments_locked'),
    ).toHaveLength(1);
    const { rows } = await subject.database.pool.query<{ failures: number }>(
      'SELECT factor_failures AS failures FROM security_holders WHERE user_id = $1',
      [payer.userId],
    );
    expect(rows[0]!.failures).toBe(LIMIT); // exactly LIMIT PINs were compared
    expect(await pay(payer, payee, PIN)).toEqual({ status: 403, code: 'PAYMENTS_LOCKED', until: shown });
    expect(await balanceOf(subject, payer)).toBe('10000');
    await expectBooksBalanced(subject);
  });

  it(`${CONCURRENT} transfers with the right PIN at once all pass: tries in flight are not failures`, async () => {
    const payer = await holderWithPin(subject, PIN);
    const payee = await registerHolder(subject.app);
    await fund(subject, payer, 10_000n);
    const answers = await Promise.all(Array.from({ length: CONCURRENT }, () => pay(payer, payee, PIN)));
    expect(answers.map((a) => a.status)).toEqual(Array(CONCURRENT).fill(201));
    expect(await shownLock(payer)).toBeNull();
    expect(await balanceOf(subject, payee)).toBe(String(CONCURRENT * 100));
    await expectBooksBalanced(subject);
  });
});

describe('tries that never finish', () => {
  it('hold places only until their lease ends: "busy, retry" meanwhile, never a lock', async () => {
    const payer = await holderWithPin(subject, PIN);
    const payee = await registerHolder(subject.app);
    await fund(subject, payer, 10_000n);
    // Five tries taken by a process that then died (the e2e crash test does it with SIGKILL).
    const store = new SecurityStore(subject.database.pool);
    const policy = { maxFailures: LIMIT, lockMs: 10_800_000, leaseMs: 30_000, forgetAfterMs: null };
    for (let i = 0; i < LIMIT; i++) {
      const taken = await store.acquireFactorTry({ userId: payer.userId, now: subject.clock.now, policy });
      expect(taken.kind).toBe('taken');
    }
    const busy = await pay(payer, payee, PIN);
    expect(busy).toMatchObject({ status: 503, code: 'SECRET_CHECK_BUSY' });
    expect(await shownLock(payer)).toBeNull();
    subject.clock.advance(31); // SECRET_TRY_LEASE_SECONDS (30) later
    expect(await pay(payer, payee, PIN)).toEqual({ status: 201, code: null, until: null });
    expect(await shownLock(payer)).toBeNull();
    expect(await notificationKinds(subject.app, payer)).not.toContain('security.payments_locked');
    expect(await balanceOf(subject, payee)).toBe('100');
    await expectBooksBalanced(subject);
  });
});

describe('two-step setup tries under concurrency', () => {
  it(`${CONCURRENT} wrong first codes at once: only 5 are checked, then the setup is gone`, async () => {
    const holder = await registerHolder(subject.app);
    const setup = await post(holder, '/v1/me/totp/setup', {});
    expect(setup.status).toBe(200);
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        post(holder, '/v1/me/totp/enable', { code: String(100000 + i) }),
      ),
    );
    const codes = answers.map((a) => a.code);
    expect(codes.filter((code) => code === 'TOTP_INVALID')).toHaveLength(5);
    expect(codes.filter((code) => code === 'TOTP_SETUP_EXPIRED')).toHaveLength(CONCURRENT - 5);
  });
});
