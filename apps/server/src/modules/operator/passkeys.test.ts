/**
 * Operators' passkeys end to end through the API, with the software authenticator of the
 * security module (the server's real WebAuthn verification runs): adding one needs a fresh
 * authenticator code; a passkey signs in alone; a wrong signature, a missing user verification, a
 * reused challenge and a counter that goes back are refused; failures count and lock like wrong
 * passwords; a disabled operator is refused; 30 finishes of one challenge open one session; the
 * operator's own list and removal, and an admin's removal, are audited.
 */
import { Secret, TOTP } from 'otpauth';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../testing.ts';
import type { TestApp } from '../../testing.ts';
import { TestClock } from '../identity/testing.ts';
import { SoftAuthenticator } from '../security/soft-authenticator.ts';
import type { OperatorRole } from './service.ts';

const ORIGIN = 'http://localhost:8080';
// Not the default (5): the limit is the deployment's, and the passkey path must read it too.
const LIMIT = 3;

let subject: TestApp;
const clock = new TestClock();
let sequence = 0;

beforeAll(async () => {
  subject = await createTestApp({
    now: clock.now,
    env: { QIANBAO_PUBLIC_URL: ORIGIN, OPERATOR_MAX_FAILURES: String(LIMIT) },
  });
});
afterAll(async () => {
  await subject.close();
});

interface TestOperator {
  id: string;
  username: string;
  password: string;
  totp: TOTP;
  headers: { authorization: string };
  authenticator: SoftAuthenticator;
}

/**
 * A code the server has not seen: each code works once (its 30-second step only moves forward),
 * so the clock moves to the next step first.
 */
function freshCode(operator: Pick<TestOperator, 'totp'>): string {
  clock.advance(30);
  return operator.totp.generate({ timestamp: clock.now().getTime() });
}

async function newOperator(role: OperatorRole = 'support'): Promise<TestOperator> {
  sequence += 1;
  const username = `pk.${role.replace('_', '-')}.${sequence}`;
  const created = await subject.app.services.operator.create({ username, role });
  const totp = new TOTP({ secret: Secret.fromBase32(created.totpSecret), digits: 6, period: 30 });
  const login = await subject.app.inject({
    method: 'POST',
    url: '/v1/operator/login',
    payload: { username, password: created.password, totpCode: freshCode({ totp }) },
  });
  expect(login.statusCode, login.body).toBe(200);
  return {
    id: created.operator.id,
    username,
    password: created.password,
    totp,
    headers: { authorization: `Bearer ${login.json<{ token: string }>().token}` },
    authenticator: new SoftAuthenticator(ORIGIN),
  };
}

async function registrationOptions(operator: TestOperator, totpCode = freshCode(operator)) {
  return subject.app.inject({
    method: 'POST',
    url: '/v1/operator/me/passkeys/registration-options',
    headers: operator.headers,
    payload: { totpCode },
  });
}

/** Adds a passkey of the operator's authenticator; answers its id. */
async function addPasskey(operator: TestOperator, name = 'Work laptop'): Promise<string> {
  const options = await registrationOptions(operator);
  expect(options.statusCode, options.body).toBe(200);
  const added = await subject.app.inject({
    method: 'POST',
    url: '/v1/operator/me/passkeys',
    headers: operator.headers,
    payload: {
      response: operator.authenticator.register(options.json<PublicKeyCredentialCreationOptionsJSON>()),
      name,
    },
  });
  expect(added.statusCode, added.body).toBe(201);
  return added.json<{ id: string }>().id;
}

async function signInOptions(username?: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/operator/passkey/options',
    payload: username === undefined ? {} : { username },
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<PublicKeyCredentialRequestOptionsJSON>();
}

function finish(response: AuthenticationResponseJSON) {
  return subject.app.inject({ method: 'POST', url: '/v1/operator/passkey/login', payload: { response } });
}

/** An assertion whose signature is not the key's: one byte of it changed. */
function badSignature(response: AuthenticationResponseJSON): AuthenticationResponseJSON {
  const signature = Buffer.from(response.response.signature, 'base64url');
  signature[signature.length - 1] = signature[signature.length - 1]! ^ 0x01;
  return { ...response, response: { ...response.response, signature: signature.toString('base64url') } };
}

async function auditOf(operatorId: string, action: string) {
  const { rows } = await subject.database.pool.query<{
    operator_id: string;
    details: Record<string, unknown>;
  }>('SELECT operator_id, details FROM operator_audit_log WHERE target = $1 AND action = $2 ORDER BY seq', [
    operatorId,
    action,
  ]);
  return rows;
}

async function failures(operatorId: string): Promise<number> {
  const { rows } = await subject.database.pool.query<{ failures: number }>(
    'SELECT failures FROM operator_accounts WHERE id = $1',
    [operatorId],
  );
  return rows[0]?.failures ?? -1;
}

async function sessionCount(operatorId: string): Promise<number> {
  const { rows } = await subject.database.pool.query<{ count: string }>(
    'SELECT count(*)::text AS count FROM operator_sessions WHERE operator_id = $1',
    [operatorId],
  );
  return Number(rows[0]?.count);
}

describe('adding a passkey', () => {
  it('needs the authenticator code of now, before the authenticator is asked; the passkey is listed and audited', async () => {
    const operator = await newOperator();
    const used = freshCode(operator);
    const first = await registrationOptions(operator, used);
    expect(first.statusCode, first.body).toBe(200);
    const options = first.json<PublicKeyCredentialCreationOptionsJSON>();
    expect(options.rp.id).toBe('localhost');
    expect(options.user.name).toBe(operator.username);
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: 'required',
      userVerification: 'required',
    });

    // The same code again (a replay) and a wrong one: refused, counted, audited; no challenge.
    for (const code of [used, used === '000000' ? '111111' : '000000']) {
      const refused = await registrationOptions(operator, code);
      expect(refused.statusCode).toBe(422);
      expect(refused.json()).toMatchObject({ error: { code: 'OPERATOR_TOTP_INVALID' } });
    }
    expect(await auditOf(operator.id, 'operator.reauth_failed')).toHaveLength(2);

    const added = await subject.app.inject({
      method: 'POST',
      url: '/v1/operator/me/passkeys',
      headers: operator.headers,
      payload: { response: operator.authenticator.register(options), name: '  ThinkPad · 指纹 ' },
    });
    expect(added.statusCode, added.body).toBe(201);
    const passkey = added.json<{ id: string; name: string }>();
    expect(passkey.name).toBe('ThinkPad · 指纹');
    const list = await subject.app.inject({
      method: 'GET',
      url: '/v1/operator/me/passkeys',
      headers: operator.headers,
    });
    expect(list.json<{ passkeys: unknown[] }>().passkeys).toEqual([
      {
        id: passkey.id,
        name: 'ThinkPad · 指纹',
        createdAt: expect.any(String) as string,
        lastUsedAt: null,
        deviceType: 'singleDevice',
        backedUp: false,
      },
    ]);
    expect(await auditOf(operator.id, 'operator.passkey_added')).toEqual([
      {
        operator_id: operator.id,
        details: { passkeyId: passkey.id, name: 'ThinkPad · 指纹', deviceType: 'singleDevice' },
      },
    ]);
    // The wrong codes count with the sign-in tries; a right one resets them.
    expect(await failures(operator.id)).toBe(2);
    expect((await registrationOptions(operator)).statusCode).toBe(200);
    expect(await failures(operator.id)).toBe(0);
  });

  it("the challenge is this session's, good once; user verification is required", async () => {
    const operator = await newOperator();
    const options = (await registrationOptions(operator)).json<PublicKeyCredentialCreationOptionsJSON>();
    const other = await subject.app.inject({
      method: 'POST',
      url: '/v1/operator/login',
      payload: { username: operator.username, password: operator.password, totpCode: freshCode(operator) },
    });
    const otherSession = { authorization: `Bearer ${other.json<{ token: string }>().token}` };
    const response = operator.authenticator.register(options);
    const elsewhere = await subject.app.inject({
      method: 'POST',
      url: '/v1/operator/me/passkeys',
      headers: otherSession,
      payload: { response, name: 'x' },
    });
    expect(elsewhere.json()).toMatchObject({ error: { code: 'CHALLENGE_EXPIRED' } });

    const noUv = await subject.app.inject({
      method: 'POST',
      url: '/v1/operator/me/passkeys',
      headers: operator.headers,
      payload: {
        response: operator.authenticator.register(
          (await registrationOptions(operator)).json<PublicKeyCredentialCreationOptionsJSON>(),
          { userVerified: false },
        ),
        name: 'no uv',
      },
    });
    expect(noUv.statusCode).toBe(422);
    expect(noUv.json()).toMatchObject({ error: { code: 'PASSKEY_VERIFICATION_FAILED' } });
  });
});

describe('signing in with a passkey', () => {
  it('replaces password and code: discoverable or by username; audited; the session works', async () => {
    const operator = await newOperator('risk');
    const passkeyId = await addPasskey(operator);

    const options = await signInOptions();
    expect(options.userVerification).toBe('required');
    expect(options.allowCredentials ?? []).toEqual([]);
    const signedIn = await finish(operator.authenticator.authenticate(options));
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    expect(signedIn.headers['set-cookie']).toMatch(/^qb_operator=/);
    const { token } = signedIn.json<{ token: string }>();
    const me = await subject.app.inject({
      method: 'GET',
      url: '/v1/operator/me',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.json()).toMatchObject({ id: operator.id, role: 'risk' });
    const logins = await auditOf(operator.id, 'operator.login');
    expect(logins.at(-1)?.details).toEqual({ method: 'passkey', passkeyId });

    // By username: that operator's passkeys only.
    const named = await signInOptions(operator.username.toUpperCase());
    expect(named.allowCredentials?.map((credential) => credential.id)).toEqual([
      operator.authenticator.credentials[0]?.id.toString('base64url'),
    ]);
    expect((await finish(operator.authenticator.authenticate(named))).statusCode).toBe(200);
    const list = await subject.app.inject({
      method: 'GET',
      url: '/v1/operator/me/passkeys',
      headers: operator.headers,
    });
    expect(list.json<{ passkeys: { lastUsedAt: string | null }[] }>().passkeys[0]?.lastUsedAt).not.toBeNull();
  });

  it("a username's challenge signs in no one else; unknown usernames get a stable decoy", async () => {
    const first = await newOperator();
    const second = await newOperator();
    await addPasskey(first);
    await addPasskey(second);
    const forFirst = await signInOptions(first.username);
    const refused = await finish(second.authenticator.authenticate({ ...forFirst, allowCredentials: [] }));
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({
      error: { code: 'OPERATOR_PASSKEY_NOT_RECOGNISED', details: { reason: 'unknownCredential' } },
    });

    const decoy = await signInOptions('nobody.here');
    expect(decoy.allowCredentials).toHaveLength(1);
    expect((await signInOptions('nobody.here')).allowCredentials).toEqual(decoy.allowCredentials);
    expect((await signInOptions('nobody.else')).allowCredentials).not.toEqual(decoy.allowCredentials);
  });

  it('refuses a wrong signature, no user verification, an unknown key and a counter that goes back', async () => {
    const operator = await newOperator();
    await addPasskey(operator);
    // A stranger's authenticator, with a key of its own the server never saw.
    const stranger = new SoftAuthenticator(ORIGIN);
    stranger.register({
      rp: { id: 'localhost', name: 'elsewhere' },
      user: { id: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'x', displayName: 'x' },
      challenge: 'AAAAAAAAAAAAAAAAAAAAAA',
      pubKeyCredParams: [],
    });
    const cases: [string, () => Promise<AuthenticationResponseJSON>][] = [
      ['signature', async () => badSignature(operator.authenticator.authenticate(await signInOptions()))],
      [
        'userNotVerified',
        async () => operator.authenticator.authenticate(await signInOptions(), { userVerified: false }),
      ],
      ['unknownCredential', async () => stranger.authenticate(await signInOptions())],
    ];
    for (const [reason, make] of cases) {
      const refused = await finish(await make());
      expect(refused.statusCode, reason).toBe(401);
      expect(refused.json(), reason).toMatchObject({
        error: { code: 'OPERATOR_PASSKEY_NOT_RECOGNISED', details: { reason } },
      });
      // a right sign-in between, so the count never reaches the lock here
      expect((await finish(operator.authenticator.authenticate(await signInOptions()))).statusCode).toBe(200);
    }

    // A cloned authenticator: its counter is behind the one the server saw last.
    const ahead = await finish(operator.authenticator.authenticate(await signInOptions(), { signCount: 50 }));
    expect(ahead.statusCode).toBe(200);
    const clone = await finish(operator.authenticator.authenticate(await signInOptions(), { signCount: 49 }));
    expect(clone.statusCode).toBe(401);
    expect(clone.json()).toMatchObject({ error: { details: { reason: 'counter' } } });
    const failed = await auditOf(operator.id, 'operator.login_failed');
    expect(failed.map((row) => row.details.reason)).toEqual(['signature', 'userNotVerified', 'counter']);
    expect(failed.every((row) => row.details.method === 'passkey')).toBe(true);
  });

  it('a challenge works once: a replay, and 30 finishes of one challenge at once, open exactly one session', async () => {
    const operator = await newOperator();
    await addPasskey(operator);
    const response = operator.authenticator.authenticate(await signInOptions());
    const before = await sessionCount(operator.id);
    const answers = await Promise.all(Array.from({ length: 30 }, () => finish(response)));
    expect(answers.filter((answer) => answer.statusCode === 200)).toHaveLength(1);
    const others = answers.filter((answer) => answer.statusCode !== 200);
    expect(others).toHaveLength(29);
    for (const answer of others)
      expect(answer.json()).toMatchObject({ error: { code: 'CHALLENGE_EXPIRED' } });
    expect(await sessionCount(operator.id)).toBe(before + 1);
    expect((await finish(response)).json()).toMatchObject({ error: { code: 'CHALLENGE_EXPIRED' } });
    // Reused challenges cost the operator nothing: nobody can guess one.
    expect(await auditOf(operator.id, 'operator.login_failed')).toEqual([]);
  });

  it(`${LIMIT} failures lock it like wrong passwords, counted under concurrency; the right passkey is refused while locked`, async () => {
    const operator = await newOperator();
    await addPasskey(operator);
    const forged = await Promise.all(
      Array.from({ length: 12 }, async () =>
        badSignature(operator.authenticator.authenticate(await signInOptions())),
      ),
    );
    const answers = await Promise.all(forged.map(finish));
    const codes = answers.map((answer) => answer.json<{ error: { code: string } }>().error.code);
    expect(codes.filter((code) => code === 'OPERATOR_PASSKEY_NOT_RECOGNISED')).toHaveLength(LIMIT);
    expect(codes.filter((code) => code === 'OPERATOR_LOCKED')).toHaveLength(12 - LIMIT);
    const failures = await auditOf(operator.id, 'operator.login_failed');
    expect(failures).toHaveLength(LIMIT);
    expect(failures.filter((row) => row.details.locked === true)).toHaveLength(1);

    const right = await finish(operator.authenticator.authenticate(await signInOptions()));
    expect(right.statusCode).toBe(423);
    expect(right.headers['retry-after']).toBeDefined();
    // the same lock as the password's
    const password = await subject.app.inject({
      method: 'POST',
      url: '/v1/operator/login',
      payload: { username: operator.username, password: operator.password, totpCode: freshCode(operator) },
    });
    expect(password.statusCode).toBe(423);
  });

  it('a disabled operator cannot sign in; told so only with a right passkey', async () => {
    const admin = await newOperator('admin');
    const operator = await newOperator();
    await addPasskey(operator);
    const disabled = await subject.app.inject({
      method: 'POST',
      url: `/v1/operator/operators/${operator.id}/disable`,
      headers: admin.headers,
      payload: { reason: 'left the bank' },
    });
    expect(disabled.statusCode).toBe(200);
    const forged = await finish(badSignature(operator.authenticator.authenticate(await signInOptions())));
    expect(forged.statusCode).toBe(401);
    const right = await finish(operator.authenticator.authenticate(await signInOptions()));
    expect(right.statusCode).toBe(409);
    expect(right.json()).toMatchObject({
      error: { code: 'OPERATOR_DISABLED', details: { reason: 'signIn' } },
    });
    expect(await sessionCount(operator.id)).toBe(1); // the one from before, revoked
    const failed = await auditOf(operator.id, 'operator.login_failed');
    expect(failed.at(-1)?.details).toMatchObject({ method: 'passkey', reason: 'disabled' });
    // By username, a disabled operator's passkeys are not offered.
    const named = await signInOptions(operator.username);
    expect(named.allowCredentials?.[0]?.id).not.toBe(
      operator.authenticator.credentials[0]?.id.toString('base64url'),
    );
  });
});

describe('removing passkeys', () => {
  it("an operator removes their own (audited); another's id is not found", async () => {
    const operator = await newOperator();
    const other = await newOperator();
    const passkeyId = await addPasskey(operator, 'Old phone');
    const notTheirs = await subject.app.inject({
      method: 'DELETE',
      url: `/v1/operator/me/passkeys/${passkeyId}`,
      headers: other.headers,
    });
    expect(notTheirs.statusCode).toBe(404);
    expect(notTheirs.json()).toMatchObject({ error: { code: 'OPERATOR_PASSKEY_NOT_FOUND' } });
    const removed = await subject.app.inject({
      method: 'DELETE',
      url: `/v1/operator/me/passkeys/${passkeyId}`,
      headers: operator.headers,
    });
    expect(removed.statusCode).toBe(204);
    expect(await auditOf(operator.id, 'operator.passkey_removed')).toEqual([
      { operator_id: operator.id, details: { passkeyId, name: 'Old phone' } },
    ]);
    const gone = await finish(operator.authenticator.authenticate(await signInOptions()));
    expect(gone.json()).toMatchObject({ error: { details: { reason: 'unknownCredential' } } });
  });

  it("an admin removes another operator's passkeys with a reason (audited); never their own", async () => {
    const admin = await newOperator('admin');
    const operator = await newOperator();
    await addPasskey(operator, 'Phone');
    await addPasskey(operator, 'Laptop');
    const support = await newOperator('support');
    const forbidden = await subject.app.inject({
      method: 'POST',
      url: `/v1/operator/operators/${operator.id}/passkeys/remove`,
      headers: support.headers,
      payload: { reason: 'x' },
    });
    expect(forbidden.statusCode).toBe(403);
    const removed = await subject.app.inject({
      method: 'POST',
      url: `/v1/operator/operators/${operator.id}/passkeys/remove`,
      headers: admin.headers,
      payload: { reason: 'lost phone' },
    });
    expect(removed.json()).toEqual({ removed: 2 });
    expect(await auditOf(operator.id, 'operator.passkeys_removed')).toEqual([
      { operator_id: admin.id, details: { reason: 'lost phone', removed: 2, names: ['Phone', 'Laptop'] } },
    ]);
    const self = await subject.app.inject({
      method: 'POST',
      url: `/v1/operator/operators/${admin.id}/passkeys/remove`,
      headers: admin.headers,
      payload: { reason: 'x' },
    });
    expect(self.json()).toMatchObject({ error: { code: 'OPERATOR_SELF_CHANGE' } });
    expect((await finish(operator.authenticator.authenticate(await signInOptions()))).statusCode).toBe(401);
  });
});
