import { createHash, createPublicKey, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { newId } from '@qianbao/ledger';
import { bearer, registerHolder } from '../identity/testing.ts';
import type { TestHolder } from '../identity/testing.ts';
import { paymentHash } from './payment-binding.ts';
import type { PaymentToConfirm } from './service.ts';
import { SoftAuthenticator } from './soft-authenticator.ts';
import {
  PUBLIC_ORIGIN,
  createSecurityTestApp,
  expectNoSecretsInLogs,
  holderWithPin,
  notificationKinds,
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

async function registrationOptions(holder: TestHolder, origin?: string) {
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/passkeys/registration-options',
    headers: { ...holder.headers, ...(origin ? { origin } : {}) },
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<PublicKeyCredentialCreationOptionsJSON>();
}

function postPasskey(holder: TestHolder, payload: object) {
  return subject.app.inject({ method: 'POST', url: '/v1/me/passkeys', headers: holder.headers, payload });
}

/** Register a passkey of `authenticator` for the holder; answers its id. */
async function addPasskey(
  holder: TestHolder,
  authenticator: SoftAuthenticator,
  name = 'My phone',
): Promise<string> {
  const options = await registrationOptions(holder);
  const response = await postPasskey(holder, { response: authenticator.register(options), name });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string }>().id;
}

async function listPasskeys(holder: TestHolder) {
  const response = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/passkeys',
    headers: holder.headers,
  });
  expect(response.statusCode).toBe(200);
  return response.json<{ passkeys: { id: string; name: string; lastUsedAt: string | null }[] }>().passkeys;
}

async function loginOptions(origin?: string) {
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/auth/passkey/options',
    headers: origin ? { origin } : {},
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<PublicKeyCredentialRequestOptionsJSON>();
}

function login(payload: object) {
  return subject.app.inject({ method: 'POST', url: '/v1/auth/passkey/login', payload });
}

describe('passkeys', () => {
  it('registers several, with user verification required, and tells the holder', async () => {
    const holder = await registerHolder(subject.app);
    const authenticator = new SoftAuthenticator(PUBLIC_ORIGIN);
    const options = await registrationOptions(holder);
    expect(options.rp).toEqual({ id: 'localhost', name: 'Qianbao 钱包' });
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: 'required',
      userVerification: 'required',
    });
    expect(options.user.name).toMatch(/^1\d{2}\*{4}\d{4}$/);
    expect(options.excludeCredentials).toEqual([]);
    const first = await postPasskey(holder, { response: authenticator.register(options), name: ' Pixel 9 ' });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({
      name: 'Pixel 9',
      deviceType: 'singleDevice',
      transports: ['internal'],
    });

    const second = await registrationOptions(holder);
    expect(second.excludeCredentials?.map((descriptor) => descriptor.id)).toEqual([
      authenticator.credentials[0]!.id.toString('base64url'),
    ]);
    expect(
      (await postPasskey(holder, { response: authenticator.register(second), name: 'Laptop' })).statusCode,
    ).toBe(201);
    expect((await listPasskeys(holder)).map((passkey) => passkey.name)).toEqual(['Pixel 9', 'Laptop']);
    const summary = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/security',
      headers: holder.headers,
    });
    expect(summary.json()).toMatchObject({ passkeys: { count: 2 } });
    expect(
      (await notificationKinds(subject.app, holder)).filter((kind) => kind === 'security.passkey_added'),
    ).toHaveLength(2);
  });

  it('uses each registration challenge once and only for five minutes', async () => {
    const holder = await registerHolder(subject.app);
    const authenticator = new SoftAuthenticator(PUBLIC_ORIGIN);
    const options = await registrationOptions(holder);
    const response = authenticator.register(options);
    expect((await postPasskey(holder, { response, name: 'Phone' })).statusCode).toBe(201);
    const replay = await postPasskey(holder, { response, name: 'Phone' });
    expect(replay.statusCode).toBe(422);
    expect(replay.json()).toMatchObject({ error: { code: 'CHALLENGE_EXPIRED' } });

    const late = await registrationOptions(holder);
    subject.clock.advance(301);
    expect(
      (await postPasskey(holder, { response: authenticator.register(late), name: 'Late' })).json(),
    ).toMatchObject({
      error: { code: 'CHALLENGE_EXPIRED' },
    });

    // Another holder's challenge is not this holder's.
    const other = await registerHolder(subject.app);
    const theirs = await registrationOptions(other);
    expect(
      (await postPasskey(holder, { response: authenticator.register(theirs), name: 'X' })).json(),
    ).toMatchObject({
      error: { code: 'CHALLENGE_EXPIRED' },
    });
  });

  it('refuses a registration without user verification', async () => {
    const holder = await registerHolder(subject.app);
    const options = await registrationOptions(holder);
    const response = new SoftAuthenticator(PUBLIC_ORIGIN).register(options, { userVerified: false });
    expect((await postPasskey(holder, { response, name: 'No UV' })).json()).toMatchObject({
      error: { code: 'PASSKEY_VERIFICATION_FAILED' },
    });
  });

  it("renames and removes the holder's own passkeys only (another holder's id is 404)", async () => {
    const holder = await registerHolder(subject.app);
    const stranger = await registerHolder(subject.app);
    const id = await addPasskey(holder, new SoftAuthenticator(PUBLIC_ORIGIN), 'Old name');
    const rename = (who: TestHolder, passkeyId: string, name: string) =>
      subject.app.inject({
        method: 'PATCH',
        url: `/v1/me/passkeys/${passkeyId}`,
        headers: who.headers,
        payload: { name },
      });
    const renamed = await rename(holder, id, 'Work phone');
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ id, name: 'Work phone' });
    for (const [who, passkeyId] of [
      [stranger, id],
      [holder, newId()],
      [holder, 'not-a-uuid'],
    ] as const) {
      const response = await rename(who, passkeyId, 'Mine now');
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: 'PASSKEY_NOT_FOUND' } });
      const removed = await subject.app.inject({
        method: 'DELETE',
        url: `/v1/me/passkeys/${passkeyId}`,
        headers: who.headers,
      });
      expect(removed.statusCode).toBe(404);
    }
    expect(await listPasskeys(stranger)).toEqual([]);
    expect((await listPasskeys(holder))[0]!.name).toBe('Work phone');
    const removed = await subject.app.inject({
      method: 'DELETE',
      url: `/v1/me/passkeys/${id}`,
      headers: holder.headers,
    });
    expect(removed.statusCode).toBe(204);
    expect(await listPasskeys(holder)).toEqual([]);
    expect(await notificationKinds(subject.app, holder)).toContain('security.passkey_removed');
  });

  it('signs in with a passkey on a new device, without phone number or SMS code', async () => {
    const holder = await registerHolder(subject.app);
    const authenticator = new SoftAuthenticator(PUBLIC_ORIGIN);
    await addPasskey(holder, authenticator);
    const options = await loginOptions();
    expect(options).toMatchObject({ rpId: 'localhost', userVerification: 'required' });
    expect(options.allowCredentials ?? []).toEqual([]); // discoverable: the browser offers the passkeys
    const response = authenticator.authenticate(options);
    const signedIn = await login({ response, deviceId: 'brand-new-device-01', deviceName: 'New laptop' });
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    const body = signedIn.json<{ token: string; holder: { id: string } }>();
    expect(body.holder.id).toBe(holder.userId);
    expect(signedIn.headers['set-cookie']).toContain('qb_session=');
    secretsUsed.push(body.token, response.response.signature, response.response.authenticatorData);
    const me = await subject.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(body.token) });
    expect(me.json()).toMatchObject({ id: holder.userId });
    const sessions = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/sessions',
      headers: bearer(body.token),
    });
    expect(sessions.json<{ sessions: { method: string; current: boolean }[] }>().sessions).toContainEqual(
      expect.objectContaining({ method: 'passkey', current: true }),
    );
    expect((await listPasskeys(holder))[0]!.lastUsedAt).not.toBeNull();

    // The same assertion again: its challenge is spent.
    const replay = await login({ response, deviceId: 'brand-new-device-01' });
    expect(replay.statusCode).toBe(422);
    expect(replay.json()).toMatchObject({ error: { code: 'CHALLENGE_EXPIRED' } });
  });

  it('refuses a sign-in without user verification, with an old counter, or from another origin', async () => {
    const holder = await registerHolder(subject.app);
    const authenticator = new SoftAuthenticator(PUBLIC_ORIGIN);
    await addPasskey(holder, authenticator);
    const noUv = await login({
      response: authenticator.authenticate(await loginOptions(), { userVerified: false }),
      deviceId: 'device-without-uv',
    });
    expect(noUv.statusCode).toBe(422);
    expect(noUv.json()).toMatchObject({
      error: { code: 'PASSKEY_VERIFICATION_FAILED', details: { reason: 'userNotVerified' } },
    });
    expect(
      (await login({ response: authenticator.authenticate(await loginOptions()), deviceId: 'device-ok-01' }))
        .statusCode,
    ).toBe(200);
    const cloned = await login({
      response: authenticator.authenticate(await loginOptions(), { signCount: 1 }),
      deviceId: 'device-clone-1',
    });
    expect(cloned.json()).toMatchObject({
      error: { code: 'PASSKEY_VERIFICATION_FAILED', details: { reason: 'counter' } },
    });
    const phishing = await login({
      response: authenticator.authenticate(await loginOptions(), { origin: 'https://qianbao.example.evil' }),
      deviceId: 'device-phish-1',
    });
    expect(phishing.json()).toMatchObject({ error: { code: 'PASSKEY_VERIFICATION_FAILED' } });
    const unknown = new SoftAuthenticator(PUBLIC_ORIGIN);
    unknown.register(await registrationOptions(holder)); // made, never sent to the server
    const stranger = await login({
      response: unknown.authenticate(await loginOptions()),
      deviceId: 'device-unknown1',
    });
    expect(stranger.json()).toMatchObject({
      error: { code: 'PASSKEY_VERIFICATION_FAILED', details: { reason: 'unknownCredential' } },
    });
  });

  it('works from a sandbox page on localhost at any port, and refuses other sites', async () => {
    const holder = await registerHolder(subject.app);
    const origin = 'http://localhost:45678';
    const authenticator = new SoftAuthenticator(origin);
    const options = await registrationOptions(holder, origin);
    expect(options.rp.id).toBe('localhost');
    const created = await postPasskey(holder, {
      response: authenticator.register(options),
      name: 'Dev browser',
    });
    expect(created.statusCode, created.body).toBe(201);
    const signedIn = await login({
      response: authenticator.authenticate(await loginOptions(origin)),
      deviceId: 'dev-browser-01',
    });
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    const evil = await subject.app.inject({
      method: 'POST',
      url: '/v1/auth/passkey/options',
      headers: { origin: 'https://evil.example' },
    });
    expect(evil.statusCode).toBe(403);
    expect(evil.json()).toMatchObject({ error: { code: 'ORIGIN_NOT_ALLOWED' } });
  });
});

describe('confirming a payment with a passkey', () => {
  function toJson(payment: PaymentToConfirm) {
    return {
      id: payment.id,
      amount: payment.amountMinor.toString(),
      currency: payment.currency,
      payee: payment.payee,
    };
  }

  async function confirmationOptions(holder: TestHolder, payment: PaymentToConfirm) {
    const response = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/confirmations/options',
      headers: holder.headers,
      payload: { payment: toJson(payment) },
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{
      factor: string;
      accepted: ('pin' | 'passkey')[];
      passkeyOptions?: PublicKeyCredentialRequestOptionsJSON;
    }>();
  }

  it('binds the challenge to the payment, stores the assertion as evidence, and refuses it for any other payment', async () => {
    const holder = await holderWithPin(subject, '147036');
    const authenticator = new SoftAuthenticator(PUBLIC_ORIGIN);
    await addPasskey(holder, authenticator);
    const { security } = subject.app.services;
    const paymentA: PaymentToConfirm = {
      id: newId(),
      amountMinor: 123_45n,
      currency: 'CNY',
      payee: 'wallet:alice',
    };

    const options = await confirmationOptions(holder, paymentA);
    expect(options.factor).toBe('pin');
    expect(options.accepted).toEqual(['pin', 'passkey']);
    const challenge = Buffer.from(options.passkeyOptions!.challenge, 'base64url');
    expect(challenge.subarray(16).equals(paymentHash(paymentA))).toBe(true);
    expect(options.passkeyOptions).toMatchObject({ userVerification: 'required', rpId: 'localhost' });

    const assertion = authenticator.authenticate(options.passkeyOptions!);
    secretsUsed.push(assertion.response.signature);
    const result = await security.verifyConfirmation({
      userId: holder.userId,
      payment: paymentA,
      accepted: options.accepted,
      factor: { passkeyResponse: assertion },
    });
    expect(result).toMatchObject({ ok: true, factor: 'passkey' });
    if (!result.ok || !result.evidence) throw new Error('expected evidence');
    expect(result.evidence).toMatchObject({
      credentialId: assertion.id,
      signature: assertion.response.signature,
      paymentHash: paymentHash(paymentA).toString('hex'),
      rpId: 'localhost',
      origin: PUBLIC_ORIGIN,
    });

    // The evidence stands on its own: the signature checks with the passkey's public key, over
    // client data whose challenge ends in the payment's hash.
    const stored = await security.getConfirmation({ userId: holder.userId, paymentId: paymentA.id });
    expect(stored).toMatchObject({ factor: 'passkey', amountMinor: 123_45n, payee: 'wallet:alice' });
    const clientData = JSON.parse(stored!.clientDataJson!.toString('utf8')) as { challenge: string };
    expect(Buffer.from(clientData.challenge, 'base64url').subarray(16).equals(stored!.paymentHash)).toBe(
      true,
    );
    const publicKey = createPublicKey(
      authenticator.credentials[0]!.publicKey.export({ format: 'pem', type: 'spki' }),
    );
    const signedData = Buffer.concat([
      stored!.authenticatorData!,
      createHash('sha256').update(stored!.clientDataJson!).digest(),
    ]);
    expect(verify('sha256', signedData, publicKey, stored!.signature!)).toBe(true);

    // Replayed for the same payment: the challenge is spent.
    expect(
      await security.verifyConfirmation({
        userId: holder.userId,
        payment: paymentA,
        accepted: options.accepted,
        factor: { passkeyResponse: assertion },
      }),
    ).toMatchObject({ ok: false, code: 'CHALLENGE_EXPIRED' });

    // A fresh assertion for A presented for B (another amount, payee or id) is refused.
    for (const paymentB of [
      { ...paymentA, amountMinor: 999_99n },
      { ...paymentA, payee: 'wallet:mallory' },
      { ...paymentA, id: newId() },
    ]) {
      const forA = authenticator.authenticate((await confirmationOptions(holder, paymentA)).passkeyOptions!);
      const refused = await security.verifyConfirmation({
        userId: holder.userId,
        payment: paymentB,
        accepted: ['pin', 'passkey'],
        factor: { passkeyResponse: forA },
      });
      expect(refused).toMatchObject({
        ok: false,
        code: 'PASSKEY_VERIFICATION_FAILED',
        details: { reason: 'paymentMismatch' },
      });
    }
  });

  it("refuses another holder's assertion, an unverified user, and a passkey where only TOTP is accepted", async () => {
    const holder = await holderWithPin(subject, '258147');
    const other = await holderWithPin(subject, '369258');
    const mine = new SoftAuthenticator(PUBLIC_ORIGIN);
    const theirs = new SoftAuthenticator(PUBLIC_ORIGIN);
    await addPasskey(holder, mine);
    await addPasskey(other, theirs);
    const { security } = subject.app.services;
    const payment: PaymentToConfirm = {
      id: newId(),
      amountMinor: 500n,
      currency: 'CNY',
      payee: 'wallet:bob',
    };

    const { passkeyOptions: forOther } = await security.createChallenge({ userId: other.userId, payment });
    const theirAssertion = theirs.authenticate(forOther);
    expect(
      await security.verifyConfirmation({
        userId: holder.userId,
        payment,
        accepted: ['passkey'],
        factor: { passkeyResponse: theirAssertion },
      }),
    ).toMatchObject({ ok: false, code: 'CHALLENGE_EXPIRED' });

    const { passkeyOptions } = await security.createChallenge({ userId: holder.userId, payment });
    const noUv = mine.authenticate(passkeyOptions, { userVerified: false });
    expect(
      await security.verifyConfirmation({
        userId: holder.userId,
        payment,
        accepted: ['passkey'],
        factor: { passkeyResponse: noUv },
      }),
    ).toMatchObject({
      ok: false,
      code: 'PASSKEY_VERIFICATION_FAILED',
      details: { reason: 'userNotVerified' },
    });

    const { passkeyOptions: again } = await security.createChallenge({ userId: holder.userId, payment });
    expect(
      await security.verifyConfirmation({
        userId: holder.userId,
        payment,
        accepted: ['totp'],
        factor: { passkeyResponse: mine.authenticate(again) },
      }),
    ).toMatchObject({ ok: false, code: 'FACTOR_NOT_ACCEPTED' });

    const stepUp = await security.requiredFactor({ userId: holder.userId, ...payment, riskStepUp: true });
    expect(stepUp).toMatchObject({ factor: 'passkey', accepted: ['passkey'], reason: 'stepUp' });
    const challenge = await security.createChallenge({ userId: holder.userId, payment });
    expect(
      await security.verifyConfirmation({
        userId: holder.userId,
        payment,
        accepted: stepUp.accepted,
        factor: { passkeyResponse: mine.authenticate(challenge.passkeyOptions) },
      }),
    ).toMatchObject({ ok: true });
  });
});

describe('the API document', () => {
  it('lists the security routes', async () => {
    const response = await subject.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(Object.keys(response.json<{ paths: object }>().paths)).toEqual(
      expect.arrayContaining([
        '/v1/me/security',
        '/v1/me/pin',
        '/v1/me/password-free',
        '/v1/me/passkeys/registration-options',
        '/v1/me/passkeys',
        '/v1/me/passkeys/{id}',
        '/v1/auth/passkey/options',
        '/v1/auth/passkey/login',
        '/v1/me/totp/setup',
        '/v1/me/totp/enable',
        '/v1/me/totp/disable',
        '/v1/me/confirmations/options',
      ]),
    );
  });
});

describe('logs', () => {
  it('redact PINs, codes and WebAuthn blobs even from a careless log line', () => {
    subject.app.log.warn(
      {
        body: {
          pin: '583920',
          totpCode: '123987',
          recoveryCode: 'ABCD-EFGH-JKMN',
          response: { id: 'cred', response: { signature: 'c2lnbmF0dXJlLXNlY3JldA' } },
        },
        factor: {
          totpCode: '654987',
          passkeyResponse: { response: { clientDataJSON: 'Y2xpZW50LWRhdGEtc2VjcmV0' } },
        },
        evidence: { signature: 'ZXZpZGVuY2Utc2lnbmF0dXJl', authenticatorData: 'YXV0aC1kYXRhLXNlY3JldA' },
      },
      'a careless log line',
    );
    const line = subject.logs.find((entry) => entry.includes('a careless log line'));
    expect(line).toBeDefined();
    for (const secret of [
      '583920',
      '123987',
      'ABCD-EFGH-JKMN',
      'c2lnbmF0dXJlLXNlY3JldA',
      '654987',
      'ZXZpZGVuY2Utc2lnbmF0dXJl',
    ]) {
      expect(line).not.toContain(secret);
    }
  });

  it('never contain assertion blobs or session tokens', () => {
    expectNoSecretsInLogs(subject.logs, secretsUsed);
  });
});
