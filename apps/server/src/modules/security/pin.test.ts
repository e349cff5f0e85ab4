import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountFlags, newId } from '@qianbao/ledger';
import { SecretBox } from '../../crypto/secret-box.ts';
import { AppError } from '../../errors.ts';
import { testConfig } from '../../testing.ts';
import { registerHolder } from '../identity/testing.ts';
import { SecurityService } from './service.ts';
import type { PaymentToConfirm } from './service.ts';
import {
  createSecurityTestApp,
  expectNoSecretsInLogs,
  holderWithPin,
  notificationKinds,
  setPin,
  verifyCode,
} from './testing.ts';
import type { SecurityTestApp } from './testing.ts';

let subject: SecurityTestApp;
const secretsUsed: string[] = [];

beforeAll(async () => {
  subject = await createSecurityTestApp();
});
afterAll(async () => {
  await subject.close();
});

function payment(amountMinor = 5_000n): PaymentToConfirm {
  return { id: newId(), amountMinor, currency: 'CNY', payee: `wallet:${newId()}` };
}

describe('the transaction PIN', () => {
  it('refuses trivial PINs before the password or the SMS code is spent', async () => {
    const holder = await registerHolder(subject.app);
    const cases: [string, string][] = [
      ['111111', 'sameDigit'],
      ['123456', 'sequence'],
      ['654321', 'sequence'],
      ['012345', 'sequence'],
      ['121212', 'repeatedPattern'],
      ['123123', 'repeatedPattern'],
    ];
    for (const [pin, reason] of cases) {
      const response = await subject.app.inject({
        method: 'POST',
        url: '/v1/me/pin',
        headers: holder.headers,
        payload: { password: 'not even checked', smsCode: '000000', pin },
      });
      expect(response.statusCode, pin).toBe(422);
      expect(response.json()).toMatchObject({ error: { code: 'PIN_TOO_SIMPLE', details: { reason } } });
    }
    const malformed = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/pin',
      headers: holder.headers,
      payload: { password: holder.password, smsCode: '000000', pin: '12345' },
    });
    expect(malformed.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });

  it('refuses the birth date of the real-name record (from the KYC module)', async () => {
    const holder = await registerHolder(subject.app);
    const config = testConfig();
    const service = new SecurityService({
      pool: subject.database.pool,
      identity: subject.app.services.identity,
      secrets: new SecretBox(randomBytes(32)),
      config: config.security,
      hashing: config.identity.password.hashing,
      publicUrl: config.publicUrl,
      sandbox: true,
      now: subject.clock.now,
      birthDateOf: (userId) => Promise.resolve(userId === holder.userId ? '1990-01-01' : null),
    });
    const smsCode = await verifyCode(subject, holder);
    await expect(
      service.setPin({ userId: holder.userId, password: holder.password, smsCode, pin: '900101' }),
    ).rejects.toMatchObject({ code: 'PIN_TOO_SIMPLE', details: { reason: 'birthDate' } });
    // The code was not spent on the refused PIN.
    await expect(
      service.setPin({ userId: holder.userId, password: holder.password, smsCode, pin: '900102' }),
    ).resolves.toEqual({ changed: false });
  });

  it('needs the login password and a verify SMS code, and tells the holder', async () => {
    const holder = await registerHolder(subject.app);
    const smsCode = await verifyCode(subject, holder);
    const wrongPassword = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/pin',
      headers: holder.headers,
      payload: { password: 'Wrong-password-1', smsCode, pin: '258036' },
    });
    expect(wrongPassword.statusCode).toBe(403);
    expect(wrongPassword.json()).toMatchObject({ error: { code: 'WRONG_PASSWORD' } });
    const wrongCode = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/pin',
      headers: holder.headers,
      payload: {
        password: holder.password,
        smsCode: smsCode === '999999' ? '999998' : '999999',
        pin: '258036',
      },
    });
    expect(wrongCode.json()).toMatchObject({ error: { code: 'SMS_CODE_INVALID' } });
    const set = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/pin',
      headers: holder.headers,
      payload: { password: holder.password, smsCode, pin: '258036' },
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toEqual({ changed: false });
    secretsUsed.push('258036', '369147', smsCode, holder.password);
    const changed = await setPin(subject, holder, '369147');
    expect(changed.json()).toEqual({ changed: true });
    const summary = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/security',
      headers: holder.headers,
    });
    expect(summary.json()).toMatchObject({ pin: { set: true }, paymentsLockedUntil: null });
    expect(await notificationKinds(subject.app, holder)).toEqual(
      expect.arrayContaining(['security.pin_set', 'security.pin_changed']),
    );
    const { security } = subject.app.services;
    const first = payment();
    const decision = await security.requiredFactor({ userId: holder.userId, ...first });
    expect(decision.factor).toBe('pin');
    expect(
      await security.verifyConfirmation({
        userId: holder.userId,
        payment: first,
        accepted: decision.accepted,
        factor: { pin: '258036' },
      }),
    ).toMatchObject({ ok: false, code: 'PIN_INCORRECT' });
    const confirmed = await security.verifyConfirmation({
      userId: holder.userId,
      payment: first,
      accepted: decision.accepted,
      factor: { pin: '369147' },
    });
    expect(confirmed).toMatchObject({ ok: true, factor: 'pin', evidence: null });
    expect(await security.getConfirmation({ userId: holder.userId, paymentId: first.id })).toMatchObject({
      factor: 'pin',
      amountMinor: first.amountMinor,
      payee: first.payee,
    });
  });

  it('locks payments after five wrong PINs, tells the owner, and the lock runs out after 3 hours', async () => {
    const pin = '470258';
    secretsUsed.push(pin);
    const holder = await holderWithPin(subject, pin);
    const { security } = subject.app.services;
    const attempt = (given: string) =>
      security.verifyConfirmation({
        userId: holder.userId,
        payment: payment(),
        accepted: ['pin'],
        factor: { pin: given },
      });
    for (const remaining of [4, 3, 2, 1]) {
      const result = await attempt('111111');
      expect(result).toMatchObject({
        ok: false,
        code: 'PIN_INCORRECT',
        details: { attemptsRemaining: remaining },
      });
    }
    const fifth = await attempt('111111');
    expect(fifth).toMatchObject({ ok: false, code: 'PAYMENTS_LOCKED' });
    if (fifth.ok) throw new Error('expected a failure');
    const until = new Date(fifth.details.until as string);
    expect(until.getTime() - subject.clock.now().getTime()).toBeGreaterThan(3 * 3600_000 - 5000);
    expect(until.getTime() - subject.clock.now().getTime()).toBeLessThanOrEqual(3 * 3600_000);

    // Locked: even the right PIN is refused, and nothing else can be paid.
    expect(await attempt(pin)).toMatchObject({ ok: false, code: 'PAYMENTS_LOCKED' });
    await expect(security.requiredFactor({ userId: holder.userId, ...payment() })).rejects.toMatchObject({
      code: 'PAYMENTS_LOCKED',
    });
    const options = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/confirmations/options',
      headers: holder.headers,
      payload: { payment: { id: newId(), amount: '100', currency: 'CNY', payee: 'wallet:x' } },
    });
    expect(options.statusCode).toBe(403);
    expect(options.headers['retry-after']).toBeDefined();
    const summary = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/security',
      headers: holder.headers,
    });
    expect(summary.json<{ paymentsLockedUntil: string }>().paymentsLockedUntil).toBe(until.toISOString());
    const kinds = await notificationKinds(subject.app, holder);
    expect(kinds.filter((kind) => kind === 'security.payments_locked')).toHaveLength(1);

    subject.clock.advance(3 * 3600 + 1);
    expect(await attempt(pin)).toMatchObject({ ok: true, factor: 'pin' });
    // The count started again: four wrong ones do not lock.
    for (let i = 0; i < 4; i++) expect(await attempt('111111')).toMatchObject({ code: 'PIN_INCORRECT' });
    expect(await attempt(pin)).toMatchObject({ ok: true });
  });

  it('counts concurrent wrong PINs exactly: never more than five tries', async () => {
    const holder = await holderWithPin(subject, '581470');
    const { security } = subject.app.services;
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        security.verifyConfirmation({
          userId: holder.userId,
          payment: payment(),
          accepted: ['pin'],
          factor: { pin: '000001' },
        }),
      ),
    );
    expect(results.every((result) => !result.ok)).toBe(true);
    const codes = results.map((result) => (result.ok ? 'ok' : result.code));
    expect(codes.filter((code) => code === 'PIN_INCORRECT')).toHaveLength(4);
    expect(codes.filter((code) => code === 'PAYMENTS_LOCKED')).toHaveLength(8);
    const kinds = await notificationKinds(subject.app, holder);
    expect(kinds.filter((kind) => kind === 'security.payments_locked')).toHaveLength(1);
  });

  it('many right PINs at once (several payments confirmed together) all pass: tries in flight are not failures', async () => {
    const holder = await holderWithPin(subject, '583914');
    const { security } = subject.app.services;
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        security.verifyConfirmation({
          userId: holder.userId,
          payment: payment(),
          accepted: ['pin'],
          factor: { pin: '583914' },
        }),
      ),
    );
    expect(results.map((result) => (result.ok ? 'ok' : result.code))).toEqual(Array(12).fill('ok'));
    expect(await notificationKinds(subject.app, holder)).not.toContain('security.payments_locked');
  });

  it('lifts a lock when the holder sets a new PIN with password and SMS', async () => {
    const holder = await holderWithPin(subject, '692581');
    const { security } = subject.app.services;
    for (let i = 0; i < 5; i++) {
      await security.verifyConfirmation({
        userId: holder.userId,
        payment: payment(),
        accepted: ['pin'],
        factor: { pin: '000002' },
      });
    }
    await expect(security.requiredFactor({ userId: holder.userId, ...payment() })).rejects.toBeInstanceOf(
      AppError,
    );
    expect((await setPin(subject, holder, '703692')).statusCode).toBe(200);
    expect((await security.requiredFactor({ userId: holder.userId, ...payment() })).factor).toBe('pin');
  });

  it('refuses a factor the payment does not accept, and a PIN that was never set', async () => {
    const holder = await registerHolder(subject.app);
    const { security } = subject.app.services;
    expect(
      await security.verifyConfirmation({
        userId: holder.userId,
        payment: payment(),
        accepted: ['passkey'],
        factor: { pin: '258036' },
      }),
    ).toMatchObject({ ok: false, code: 'FACTOR_NOT_ACCEPTED', details: { accepted: ['passkey'] } });
    const result = await security.verifyConfirmation({
      userId: holder.userId,
      payment: payment(),
      accepted: ['pin'],
      factor: { pin: '258036' },
    });
    expect(result).toMatchObject({ ok: false, code: 'PIN_NOT_SET' });
    expect(!result.ok && result.error.code).toBe('PIN_NOT_SET');
  });
});

describe('password-free payments and the factor a payment needs', () => {
  it('lets the holder enable password-free payments with the PIN, up to the configured maximum', async () => {
    const holder = await holderWithPin(subject, '814703');
    const put = (amount: string, pin: string) =>
      subject.app.inject({
        method: 'PUT',
        url: '/v1/me/password-free',
        headers: holder.headers,
        payload: { limit: { amount, currency: 'CNY' }, pin },
      });
    const tooHigh = await put('20001', '814703');
    expect(tooHigh.statusCode).toBe(422);
    expect(tooHigh.json()).toMatchObject({
      error: {
        code: 'PASSWORD_FREE_LIMIT_TOO_HIGH',
        details: { maxAmount: { amount: '20000', currency: 'CNY' } },
      },
    });
    const wrongPin = await put('20000', '000003');
    expect(wrongPin.json()).toMatchObject({
      error: { code: 'PIN_INCORRECT', details: { attemptsRemaining: 4 } },
    });
    const done = await put('20000', '814703');
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({
      passwordFree: {
        enabled: true,
        limit: { amount: '20000', currency: 'CNY' },
        maxLimit: { amount: '20000', currency: 'CNY' },
        dailyMax: { amount: '100000', currency: 'CNY' },
      },
    });
    expect(await notificationKinds(subject.app, holder)).toContain('security.password_free_changed');

    const { security } = subject.app.services;
    const small = await security.requiredFactor({ userId: holder.userId, ...payment(20_000n) });
    expect(small).toMatchObject({ factor: 'none', reason: 'passwordFree', accepted: ['none', 'pin'] });
    expect(small.ledgerLimits).toHaveLength(1);
    expect(small.ledgerLimits[0]!.max).toBe(100_000n);
    expect(small.ledgerLimits[0]!.key).toMatch(
      new RegExp(`^pwfree:day:${holder.userId}:\\d{4}-\\d{2}-\\d{2}$`),
    );
    expect((await security.requiredFactor({ userId: holder.userId, ...payment(20_001n) })).factor).toBe(
      'pin',
    );
    expect(
      (await security.requiredFactor({ userId: holder.userId, ...payment(100n), currency: 'USD' })).factor,
    ).toBe('pin');
    expect(
      (await security.requiredFactor({ userId: holder.userId, ...payment(100n), riskStepUp: true })).reason,
    ).toBe('stepUpUnavailable');
    expect(
      (await security.requiredFactor({ userId: holder.userId, ...payment(100n), allowPasswordFree: false }))
        .factor,
    ).toBe('pin');

    const options = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/confirmations/options',
      headers: holder.headers,
      payload: { payment: { id: newId(), amount: '1500', currency: 'CNY', payee: 'wallet:shop' } },
    });
    expect(options.statusCode, options.body).toBe(200);
    expect(options.json()).toEqual({ factor: 'none', accepted: ['none', 'pin'], reason: 'passwordFree' });
  });

  it('caps password-free payments at 1,000.00 a day inside the ledger, atomically with the transfers', async () => {
    const holder = await holderWithPin(subject, '925814');
    await subject.app.inject({
      method: 'PUT',
      url: '/v1/me/password-free',
      headers: holder.headers,
      payload: { limit: { amount: '20000', currency: 'CNY' }, pin: '925814' },
    });
    const { ledger } = subject;
    const settlement = newId();
    const shop = newId();
    await ledger.createAccounts([
      { id: settlement, currency: 'CNY', code: 1, flags: AccountFlags.none },
      { id: shop, currency: 'CNY', code: 100, flags: AccountFlags.debitsMustNotExceedCredits },
    ]);
    const [funded] = await ledger.createTransfers([
      {
        id: newId(),
        debitAccountId: settlement,
        creditAccountId: holder.walletAccountId,
        amount: 500_000n,
        currency: 'CNY',
        code: 1,
      },
    ]);
    expect(funded?.result).toBe('ok');
    const pay = async () => {
      const decision = await subject.app.services.security.requiredFactor({
        userId: holder.userId,
        amountMinor: 20_000n,
        currency: 'CNY',
        payee: `wallet:${shop}`,
      });
      expect(decision.factor).toBe('none');
      return ledger.createTransfers([
        {
          id: newId(),
          debitAccountId: holder.walletAccountId,
          creditAccountId: shop,
          amount: 20_000n,
          currency: 'CNY',
          code: 2,
          limits: decision.ledgerLimits,
        },
      ]);
    };
    const outcomes = (await Promise.all(Array.from({ length: 7 }, pay))).flat();
    expect(outcomes.filter((outcome) => outcome.result === 'ok')).toHaveLength(5);
    const refused = outcomes.filter((outcome) => outcome.result !== 'ok');
    expect(refused).toHaveLength(2);
    expect(refused[0]).toMatchObject({ result: 'limitExceeded', limit: { max: 100_000n, remaining: 0n } });
  });
});

describe('logs', () => {
  it('never contain a PIN, a password or an SMS code', () => {
    expectNoSecretsInLogs(subject.logs, secretsUsed);
  });
});
