import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from 'otpauth';
import { newId } from '@qianbao/ledger';
import { registerHolder } from '../identity/testing.ts';
import type { TestHolder } from '../identity/testing.ts';
import { totpCodeAt, totpStep } from './totp.ts';
import { createSecurityTestApp, expectNoSecretsInLogs, notificationKinds } from './testing.ts';
import type { SecurityTestApp } from './testing.ts';

let subject: SecurityTestApp;
const secretsUsed: string[] = [];

beforeAll(async () => {
  subject = await createSecurityTestApp();
});
afterAll(async () => {
  await subject.close();
});

interface Setup {
  secret: string;
  otpauthUri: string;
  qrSvg: string;
  qrDataUrl: string;
  expiresAt: string;
}

async function setup(holder: TestHolder): Promise<Setup> {
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/totp/setup',
    headers: holder.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers['cache-control']).toBe('no-store');
  const body = response.json<Setup>();
  secretsUsed.push(body.secret);
  return body;
}

/** The code an authenticator app shows `offsetSteps` from the server's now. */
function codeFor(secret: string, offsetSteps = 0): string {
  const code = totpCodeAt({
    secret: Secret.fromBase32(secret),
    step: totpStep(subject.clock.now().getTime()) + offsetSteps,
  });
  secretsUsed.push(code);
  return code;
}

async function enable(holder: TestHolder, code: string) {
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/totp/enable',
    headers: holder.headers,
    payload: { code },
  });
}

async function holderWithTotp(): Promise<{ holder: TestHolder; secret: string; recoveryCodes: string[] }> {
  const holder = await registerHolder(subject.app);
  const { secret } = await setup(holder);
  const response = await enable(holder, codeFor(secret));
  expect(response.statusCode, response.body).toBe(200);
  const { recoveryCodes } = response.json<{ recoveryCodes: string[] }>();
  secretsUsed.push(...recoveryCodes);
  return { holder, secret, recoveryCodes };
}

function confirmWithTotp(holder: TestHolder, totpCode: string) {
  return subject.app.services.security.verifyConfirmation({
    userId: holder.userId,
    payment: { id: newId(), amountMinor: 100n, currency: 'CNY', payee: 'wallet:shop' },
    accepted: ['totp'],
    factor: { totpCode },
  });
}

describe('TOTP two-step verification', () => {
  it('sets up with an otpauth URI and a QR code, and turns on with a first code', async () => {
    const holder = await registerHolder(subject.app);
    const body = await setup(holder);
    expect(body.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(body.otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(body.secret);
    expect(uri.searchParams.get('issuer')).toBe('Qianbao');
    expect(decodeURIComponent(uri.pathname)).toMatch(/^\/Qianbao:1\d{2}\*{4}\d{4}$/); // masked phone only
    expect(body.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(body.qrDataUrl).toMatch(/^data:image\/svg\+xml;base64,/);

    const summaryBefore = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/security',
      headers: holder.headers,
    });
    expect(summaryBefore.json()).toMatchObject({ totp: { enabled: false } });

    const wrong = await enable(holder, codeFor(body.secret, 5));
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toMatchObject({
      error: { code: 'TOTP_INVALID', details: { attemptsRemaining: 4 } },
    });
    const right = await enable(holder, codeFor(body.secret));
    expect(right.statusCode, right.body).toBe(200);
    expect(right.headers['cache-control']).toBe('no-store');
    const { recoveryCodes } = right.json<{ recoveryCodes: string[] }>();
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    secretsUsed.push(...recoveryCodes);

    const summary = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/security',
      headers: holder.headers,
    });
    expect(summary.json()).toMatchObject({ totp: { enabled: true, recoveryCodesRemaining: 10 } });
    expect(await notificationKinds(subject.app, holder)).toContain('security.totp_enabled');
    const again = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/totp/setup',
      headers: holder.headers,
    });
    expect(again.json()).toMatchObject({ error: { code: 'TOTP_ALREADY_ENABLED' } });
  });

  it('keeps the secret encrypted at rest', async () => {
    const { holder, secret } = await holderWithTotp();
    const { rows } = await subject.database.pool.query<{ secret_sealed: string }>(
      'SELECT secret_sealed FROM security_totp WHERE user_id = $1',
      [holder.userId],
    );
    expect(rows[0]!.secret_sealed).not.toContain(secret);
    expect(rows[0]!.secret_sealed).toMatch(/^v2\.[0-9a-f]{16}\./);
  });

  it('drops a setup after five wrong first codes or ten minutes', async () => {
    const holder = await registerHolder(subject.app);
    const first = await setup(holder);
    for (let i = 0; i < 5; i++) await enable(holder, codeFor(first.secret, 7));
    expect((await enable(holder, codeFor(first.secret))).json()).toMatchObject({
      error: { code: 'TOTP_SETUP_EXPIRED' },
    });
    const second = await setup(holder);
    subject.clock.advance(601);
    expect((await enable(holder, codeFor(second.secret))).json()).toMatchObject({
      error: { code: 'TOTP_SETUP_EXPIRED' },
    });
  });

  it('accepts a code one step either side, not two, and never the same step twice', async () => {
    const { holder, secret } = await holderWithTotp();
    subject.clock.advance(150); // five steps after the code that turned TOTP on
    const plusTwo = codeFor(secret, 2);
    const minusTwo = codeFor(secret, -2);
    const near = [-1, 0, 1].map((offset) => codeFor(secret, offset));
    if (!near.includes(plusTwo))
      expect(await confirmWithTotp(holder, plusTwo)).toMatchObject({ code: 'TOTP_INVALID' });
    if (!near.includes(minusTwo))
      expect(await confirmWithTotp(holder, minusTwo)).toMatchObject({ code: 'TOTP_INVALID' });
    expect(await confirmWithTotp(holder, codeFor(secret, -1))).toMatchObject({ ok: true, factor: 'totp' });
    expect(await confirmWithTotp(holder, codeFor(secret, -1))).toMatchObject({
      ok: false,
      code: 'TOTP_REUSED',
    });
    expect(await confirmWithTotp(holder, codeFor(secret, 0))).toMatchObject({ ok: true });
    expect(await confirmWithTotp(holder, codeFor(secret, 1))).toMatchObject({ ok: true });
    // An older step than the last one used is refused too.
    expect(await confirmWithTotp(holder, codeFor(secret, 0))).toMatchObject({
      ok: false,
      code: 'TOTP_REUSED',
    });
  });

  it('lets only one of many concurrent requests spend a code', async () => {
    const { holder, secret } = await holderWithTotp();
    subject.clock.advance(60);
    const code = codeFor(secret);
    const results = await Promise.all(Array.from({ length: 4 }, () => confirmWithTotp(holder, code)));
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok && result.code === 'TOTP_REUSED')).toHaveLength(3);
  });

  it('turns off with a current code, never with the code already used', async () => {
    const holder = await registerHolder(subject.app);
    const { secret } = await setup(holder);
    const firstCode = codeFor(secret);
    expect((await enable(holder, firstCode)).statusCode).toBe(200);
    const disable = (payload: object) =>
      subject.app.inject({ method: 'POST', url: '/v1/me/totp/disable', headers: holder.headers, payload });
    const reused = await disable({ code: firstCode });
    expect(reused.json()).toMatchObject({ error: { code: 'TOTP_REUSED' } });
    const both = await disable({ code: firstCode, recoveryCode: 'AAAA-BBBB-CCCC' });
    expect(both.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    subject.clock.advance(30);
    const off = await disable({ code: codeFor(secret) });
    expect(off.statusCode, off.body).toBe(204);
    expect((await disable({ code: codeFor(secret) })).json()).toMatchObject({
      error: { code: 'TOTP_NOT_ENABLED' },
    });
    expect(await notificationKinds(subject.app, holder)).toContain('security.totp_disabled');
  });

  it('turns off with a recovery code, each usable once', async () => {
    const { holder, secret, recoveryCodes } = await holderWithTotp();
    const disable = (payload: object) =>
      subject.app.inject({ method: 'POST', url: '/v1/me/totp/disable', headers: holder.headers, payload });
    expect((await disable({ recoveryCode: 'ZZZZ-ZZZZ-ZZZZ' })).json()).toMatchObject({
      error: { code: 'RECOVERY_CODE_INVALID', details: { attemptsRemaining: 4 } },
    });
    // Two requests race with the same code: one wins.
    const code = recoveryCodes[3]!;
    const raced = await Promise.all([
      disable({ recoveryCode: code.toLowerCase() }),
      disable({ recoveryCode: code }),
    ]);
    expect(raced.filter((response) => response.statusCode === 204)).toHaveLength(1);
    // Turned on again, the old codes are gone.
    subject.clock.advance(30);
    const { secret: newSecret } = await setup(holder);
    expect(newSecret).not.toBe(secret);
    const enabled = await enable(holder, codeFor(newSecret));
    secretsUsed.push(...enabled.json<{ recoveryCodes: string[] }>().recoveryCodes);
    for (const old of [code, recoveryCodes[4]!]) {
      expect((await disable({ recoveryCode: old })).json()).toMatchObject({
        error: { code: 'RECOVERY_CODE_INVALID' },
      });
    }
  });
});

describe('logs', () => {
  it('never contain a TOTP secret, code or recovery code', () => {
    expectNoSecretsInLogs(subject.logs, secretsUsed);
  });
});
