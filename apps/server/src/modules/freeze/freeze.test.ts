/**
 * Freezing a wallet (issue 11, the holder's side): the holder's own freeze in full or to
 * receive-only, what it stops, lifting it with an SMS code + the ID number + a passkey or TOTP,
 * the freezes only an operator may lift, the operators' routes, concurrency, events → notices.
 */
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, ERRORS } from '../../errors.ts';
import { registerHolder } from '../identity/testing.ts';
import type { TestHolder } from '../identity/testing.ts';
import { createSecurityTestApp, notificationKinds } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import {
  SOMEONE_ELSES_ID_NUMBER,
  addPasskey,
  enableTotp,
  freezeRequest,
  freezeState,
  newIdNumber,
  operatorSession,
  totpCode,
  unfreezeCode,
  unfreezeRequest,
  verifyRealName,
} from './testing.ts';
import { withAuditRefused } from '../operator/testing.ts';

let subject: SecurityTestApp;

beforeAll(async () => {
  subject = await createSecurityTestApp();
});
afterAll(async () => {
  await subject.close();
});

interface VerifiedHolder {
  holder: TestHolder;
  idNumber: string;
}

/** A real-name verified holder (tier T1). */
async function verifiedHolder(): Promise<VerifiedHolder> {
  const holder = await registerHolder(subject.app);
  const idNumber = newIdNumber();
  await verifyRealName(subject, holder, idNumber);
  return { holder, idNumber };
}

async function codeOf(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

function services() {
  return subject.app.services.freeze;
}

describe('the holder freezes the wallet', () => {
  it('receive-only stops money out but not in; full stops both; a repeat changes nothing', async () => {
    const { holder } = await verifiedHolder();
    expect(await freezeState(subject, holder)).toEqual({
      mode: 'none',
      source: null,
      since: null,
      reason: null,
      liftableBy: null,
    });
    expect(await codeOf(services().assertMayPay(holder.userId))).toBeNull();
    expect(await codeOf(services().assertMayReceive(holder.userId))).toBeNull();

    const receiveOnly = await freezeRequest(subject, holder, 'receive_only');
    expect(receiveOnly.statusCode, receiveOnly.body).toBe(200);
    expect(receiveOnly.json()).toMatchObject({
      mode: 'receive_only',
      source: 'holder',
      reason: 'frozen by the holder',
      liftableBy: 'holder',
    });
    const since = receiveOnly.json<{ since: string }>().since;
    expect(await codeOf(services().assertMayPay(holder.userId))).toBe('WALLET_FROZEN');
    expect(await codeOf(services().assertMayReceive(holder.userId))).toBeNull();

    // The same again: nothing changes, the same answer.
    const again = await freezeRequest(subject, holder, 'receive_only');
    expect(again.json()).toEqual(receiveOnly.json());

    const full = await freezeRequest(subject, holder, 'full');
    expect(full.json()).toMatchObject({ mode: 'full', source: 'holder', since });
    expect(await codeOf(services().assertMayPay(holder.userId))).toBe('WALLET_FROZEN');
    expect(await codeOf(services().assertMayReceive(holder.userId))).toBe('PAYEE_WALLET_FROZEN');

    // Back to receive-only: the holder's own freeze may let money in again.
    const loosened = await freezeRequest(subject, holder, 'receive_only');
    expect(loosened.json()).toMatchObject({ mode: 'receive_only', source: 'holder', since });
    expect(await services().stateOf(holder.userId)).toMatchObject({ mode: 'receive_only', source: 'holder' });
  });

  it('tells the payer no more than that the payee cannot receive now', async () => {
    const { holder } = await verifiedHolder();
    await freezeRequest(subject, holder, 'full');
    const refused = await services()
      .assertMayReceive(holder.userId)
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(refused).toBeInstanceOf(AppError);
    const error = refused as AppError;
    expect(error.code).toBe('PAYEE_WALLET_FROZEN');
    expect(ERRORS[error.code].status).toBe(422);
    expect(error.message).toBe('This payee cannot receive money right now.');
    expect(error.details ?? {}).toEqual({});
    const payer = await services()
      .assertMayPay(holder.userId)
      .then(
        () => null,
        (thrown: unknown) => thrown as AppError,
      );
    expect(payer && ERRORS[payer.code].status).toBe(403);
    expect(payer?.details).toEqual({ mode: 'full' });
  });

  it('30 identical requests at once make one freeze, one event and one audit row', async () => {
    const { holder } = await verifiedHolder();
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => freezeRequest(subject, holder, 'full')),
    );
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array.from({ length: 30 }, () => 200));
    expect(new Set(answers.map((answer) => answer.body)).size).toBe(1);
    const pool = subject.database.pool;
    const freezes = await pool.query('SELECT id FROM freeze_freezes WHERE user_id = $1', [holder.userId]);
    expect(freezes.rowCount).toBe(1);
    const audit = await pool.query('SELECT action FROM freeze_audit WHERE user_id = $1', [holder.userId]);
    expect(audit.rows).toEqual([{ action: 'frozen' }]);
    const events = await pool.query(
      `SELECT type FROM outbox_events WHERE aggregate_type = 'freeze_holder' AND aggregate_id = $1`,
      [holder.userId],
    );
    expect(events.rows).toEqual([{ type: 'freeze.frozen' }]);
  });

  it('keeps who froze it, when and why, from which address and device', async () => {
    const { holder } = await verifiedHolder();
    await subject.app.inject({
      method: 'POST',
      url: '/v1/me/freeze',
      headers: { ...holder.headers, 'user-agent': 'FreezeTest/1.0' },
      payload: { mode: 'full' },
      remoteAddress: '10.9.8.7',
    });
    const { rows } = await subject.database.pool.query(
      `SELECT action, mode, source, actor, reason, ip_address, user_agent, device_id
         FROM freeze_audit WHERE user_id = $1`,
      [holder.userId],
    );
    expect(rows).toEqual([
      {
        action: 'frozen',
        mode: 'full',
        source: 'holder',
        actor: 'holder',
        reason: 'frozen by the holder',
        ip_address: '10.9.8.7',
        user_agent: 'FreezeTest/1.0',
        device_id: holder.deviceId,
      },
    ]);
  });
});

describe('the holder lifts the freeze', () => {
  it('with an SMS code, the ID number and a TOTP code; the inbox tells of both', async () => {
    const { holder, idNumber } = await verifiedHolder();
    const secret = await enableTotp(subject, holder);
    await freezeRequest(subject, holder, 'full');
    const options = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/unfreeze/options',
      headers: holder.headers,
    });
    expect(options.json()).toEqual({ usable: { passkey: false, totp: true }, passkeyOptions: null });

    subject.clock.advance(31); // the step enabling used is spent
    const smsCode = await unfreezeCode(subject, holder);
    const lifted = await unfreezeRequest(subject, holder, {
      smsCode,
      idNumber: idNumber.toLowerCase(),
      secondFactor: { totpCode: totpCode(subject, secret) },
    });
    expect(lifted.statusCode, lifted.body).toBe(200);
    expect(lifted.json()).toMatchObject({ mode: 'none', source: null, liftableBy: null });
    expect(await codeOf(services().assertMayPay(holder.userId))).toBeNull();
    const kinds = await notificationKinds(subject.app, holder);
    expect(kinds.filter((kind) => kind.startsWith('freeze.'))).toEqual(['freeze.lifted', 'freeze.frozen']);

    const { rows } = await subject.database.pool.query(
      `SELECT lifted_by, lift_reason FROM freeze_freezes WHERE user_id = $1`,
      [holder.userId],
    );
    expect(rows).toEqual([
      { lifted_by: 'holder', lift_reason: 'lifted by the holder: SMS code, ID number and TOTP code' },
    ]);
  });

  it('with an SMS code, the ID number and a passkey', async () => {
    const { holder, idNumber } = await verifiedHolder();
    const authenticator = await addPasskey(subject, holder);
    await freezeRequest(subject, holder, 'receive_only');
    const options = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/unfreeze/options',
      headers: holder.headers,
    });
    expect(options.statusCode, options.body).toBe(200);
    const body = options.json<{
      usable: { passkey: boolean; totp: boolean };
      passkeyOptions: PublicKeyCredentialRequestOptionsJSON;
    }>();
    expect(body.usable).toEqual({ passkey: true, totp: false });
    expect(body.passkeyOptions.userVerification).toBe('required');
    // Presence without user verification (no fingerprint, face or device PIN) is not enough.
    let smsCode = await unfreezeCode(subject, holder);
    const unverified = await unfreezeRequest(subject, holder, {
      smsCode,
      idNumber,
      secondFactor: {
        passkeyResponse: authenticator.authenticate(body.passkeyOptions, { userVerified: false }),
      },
    });
    expect(unverified.statusCode).toBe(422);
    expect(unverified.json()).toMatchObject({
      error: { code: 'PASSKEY_VERIFICATION_FAILED', details: { reason: 'userNotVerified' } },
    });
    // Each challenge works once: that one is used up, and so is the SMS code.
    smsCode = await unfreezeCode(subject, holder);
    const replayed = await unfreezeRequest(subject, holder, {
      smsCode,
      idNumber,
      secondFactor: { passkeyResponse: authenticator.authenticate(body.passkeyOptions) },
    });
    expect(replayed.json()).toMatchObject({ error: { code: 'CHALLENGE_EXPIRED' } });
    const fresh = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/unfreeze/options',
      headers: holder.headers,
    });
    const freshOptions = fresh.json<{ passkeyOptions: PublicKeyCredentialRequestOptionsJSON }>()
      .passkeyOptions;
    smsCode = await unfreezeCode(subject, holder);
    const lifted = await unfreezeRequest(subject, holder, {
      smsCode,
      idNumber,
      secondFactor: { passkeyResponse: authenticator.authenticate(freshOptions) },
    });
    expect(lifted.statusCode, lifted.body).toBe(200);
    expect((await freezeState(subject, holder)).mode).toBe('none');
  });

  it('refuses each wrong input clearly, spending the SMS code only once it was checked', async () => {
    const { holder, idNumber } = await verifiedHolder();
    const secret = await enableTotp(subject, holder);
    const totp = () => ({ totpCode: totpCode(subject, secret) });

    const notFrozen = await unfreezeRequest(subject, holder, {
      smsCode: '123456',
      idNumber,
      secondFactor: totp(),
    });
    expect(notFrozen.statusCode).toBe(409);
    expect(notFrozen.json()).toMatchObject({ error: { code: 'FREEZE_NOT_FROZEN' } });

    await freezeRequest(subject, holder, 'full');
    let smsCode = await unfreezeCode(subject, holder);
    const wrongCode = String((Number(smsCode) + 1) % 1_000_000).padStart(6, '0');
    const badSms = await unfreezeRequest(subject, holder, {
      smsCode: wrongCode,
      idNumber,
      secondFactor: totp(),
    });
    expect(badSms.json()).toMatchObject({
      error: { code: 'SMS_CODE_INVALID', details: { attemptsRemaining: 4 } },
    });

    // A malformed ID number is refused before the code is spent…
    const malformed = await unfreezeRequest(subject, holder, {
      smsCode,
      idNumber: '110105199001010011',
      secondFactor: totp(),
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({
      error: { code: 'INVALID_ID_NUMBER', details: { problem: 'checksum' } },
    });
    // …another person's is refused after it: the code is used up.
    const otherId = await unfreezeRequest(subject, holder, {
      smsCode,
      idNumber: SOMEONE_ELSES_ID_NUMBER,
      secondFactor: totp(),
    });
    expect(otherId.statusCode).toBe(422);
    expect(otherId.json()).toMatchObject({ error: { code: 'ID_NUMBER_MISMATCH' } });
    const reused = await unfreezeRequest(subject, holder, { smsCode, idNumber, secondFactor: totp() });
    expect(reused.json()).toMatchObject({ error: { code: 'SMS_CODE_INVALID' } });

    // A wrong TOTP code counts toward the payment lock, as a wrong PIN does.
    smsCode = await unfreezeCode(subject, holder);
    const wrongTotp = String((Number(totpCode(subject, secret)) + 1) % 1_000_000).padStart(6, '0');
    const badTotp = await unfreezeRequest(subject, holder, {
      smsCode,
      idNumber,
      secondFactor: { totpCode: wrongTotp },
    });
    expect(badTotp.statusCode).toBe(422);
    expect(badTotp.json()).toMatchObject({
      error: { code: 'TOTP_INVALID', details: { attemptsRemaining: 4 } },
    });

    // A passkey the holder does not have before the freeze cannot lift it.
    smsCode = await unfreezeCode(subject, holder);
    const noPasskey = await unfreezeRequest(subject, holder, {
      smsCode,
      idNumber,
      secondFactor: { passkeyResponse: { id: 'x', rawId: 'x', type: 'public-key', response: {} } },
    });
    expect(noPasskey.statusCode, noPasskey.body).toBe(400); // not even a passkey response
    expect((await freezeState(subject, holder)).mode).toBe('full');

    // Right at last, with the code asked for above (not spent by the refusals before it).
    subject.clock.advance(31);
    const lifted = await unfreezeRequest(subject, holder, { smsCode, idNumber, secondFactor: totp() });
    expect(lifted.statusCode, lifted.body).toBe(200);
  });

  it('without a second factor set up before the freeze, sends the holder to customer service', async () => {
    const { holder, idNumber } = await verifiedHolder();
    await freezeRequest(subject, holder, 'full');
    const options = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/unfreeze/options',
      headers: holder.headers,
    });
    expect(options.json()).toEqual({ usable: { passkey: false, totp: false }, passkeyOptions: null });
    const none = await unfreezeRequest(subject, holder, {
      smsCode: '123456',
      idNumber,
      secondFactor: { totpCode: '123456' },
    });
    expect(none.statusCode).toBe(403);
    expect(none.json()).toMatchObject({ error: { code: 'FREEZE_SECOND_FACTOR_REQUIRED' } });

    // Set up while frozen: it may be whoever took the wallet over, so it does not count.
    subject.clock.advance(1);
    const secret = await enableTotp(subject, holder);
    subject.clock.advance(31);
    const smsCode = await unfreezeCode(subject, holder);
    const tooNew = await unfreezeRequest(subject, holder, {
      smsCode,
      idNumber,
      secondFactor: { totpCode: totpCode(subject, secret) },
    });
    expect(tooNew.statusCode).toBe(403);
    expect(tooNew.json()).toMatchObject({ error: { code: 'FREEZE_SECOND_FACTOR_REQUIRED' } });
  });

  it('names the factors that can lift it when another is given', async () => {
    const { holder, idNumber } = await verifiedHolder();
    await addPasskey(subject, holder);
    await freezeRequest(subject, holder, 'full');
    const refused = await unfreezeRequest(subject, holder, {
      smsCode: '123456',
      idNumber,
      secondFactor: { totpCode: '123456' },
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({
      error: { code: 'FREEZE_FACTOR_NOT_USABLE', details: { given: 'totp', usable: ['passkey'] } },
    });
  });

  it('needs a real-name record to compare the ID number with', async () => {
    const holder = await registerHolder(subject.app);
    await enableTotp(subject, holder);
    await freezeRequest(subject, holder, 'full');
    const refused = await unfreezeRequest(subject, holder, {
      smsCode: '123456',
      idNumber: SOMEONE_ELSES_ID_NUMBER,
      secondFactor: { totpCode: '123456' },
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ error: { code: 'FREEZE_REAL_NAME_REQUIRED' } });
  });
});

describe('freezes only an operator may lift', () => {
  it("the risk engine's freeze: the holder can neither lift nor loosen it, and does not see its reason", async () => {
    const { holder, idNumber } = await verifiedHolder();
    const secret = await enableTotp(subject, holder);
    await services().freeze({
      userId: holder.userId,
      mode: 'receive_only',
      source: 'engine',
      reason: 'risk decision 42: night hours + new payee',
    });
    expect(await freezeState(subject, holder)).toMatchObject({
      mode: 'receive_only',
      source: 'engine',
      reason: null,
      liftableBy: 'operator',
    });
    // The holder may make it stricter (money in stops too), but it stays the engine's.
    const stricter = await freezeRequest(subject, holder, 'full');
    expect(stricter.json()).toMatchObject({ mode: 'full', source: 'engine', liftableBy: 'operator' });
    const looser = await freezeRequest(subject, holder, 'receive_only');
    expect(looser.statusCode).toBe(403);
    expect(looser.json()).toMatchObject({ error: { code: 'FREEZE_NEEDS_OPERATOR' } });
    const options = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/unfreeze/options',
      headers: holder.headers,
    });
    expect(options.json()).toMatchObject({ error: { code: 'FREEZE_NEEDS_OPERATOR' } });
    const lift = await unfreezeRequest(subject, holder, {
      smsCode: '123456',
      idNumber,
      secondFactor: { totpCode: totpCode(subject, secret) },
    });
    expect(lift.statusCode).toBe(403);
    expect(lift.json()).toMatchObject({ error: { code: 'FREEZE_NEEDS_OPERATOR' } });
    expect(await codeOf(services().lift({ userId: holder.userId, by: 'holder', reason: 'x' }))).toBe(
      'FREEZE_NEEDS_OPERATOR',
    );
  });

  it('an operator freeze takes over a holder freeze; customer service may freeze but not unfreeze', async () => {
    const { holder } = await verifiedHolder();
    const support = await operatorSession(subject, 'support', 'support.freeze');
    const riskOfficer = await operatorSession(subject, 'risk', 'risk.freeze');
    await freezeRequest(subject, holder, 'receive_only');

    const frozen = await subject.app.inject({
      method: 'POST',
      url: `/v1/operator/holders/${holder.userId}/freeze`,
      headers: support.headers,
      payload: { mode: 'full', reason: 'caller reported card fraud, ticket 77' },
    });
    expect(frozen.statusCode, frozen.body).toBe(200);
    expect(frozen.json()).toMatchObject({
      mode: 'full',
      source: 'operator',
      reason: 'caller reported card fraud, ticket 77',
    });
    expect(await freezeState(subject, holder)).toMatchObject({ source: 'operator', liftableBy: 'operator' });

    const supportLift = await subject.app.inject({
      method: 'POST',
      url: `/v1/operator/holders/${holder.userId}/unfreeze`,
      headers: support.headers,
      payload: { reason: 'checked' },
    });
    expect(supportLift.statusCode).toBe(403);
    expect(supportLift.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    // A holder's token is no operator's.
    const holderTry = await subject.app.inject({
      method: 'POST',
      url: `/v1/operator/holders/${holder.userId}/unfreeze`,
      headers: holder.headers,
      payload: { reason: 'mine' },
    });
    expect(holderTry.statusCode).toBe(401);

    const lifted = await subject.app.inject({
      method: 'POST',
      url: `/v1/operator/holders/${holder.userId}/unfreeze`,
      headers: riskOfficer.headers,
      payload: { reason: 'identity confirmed by video call' },
    });
    expect(lifted.statusCode, lifted.body).toBe(200);
    expect(lifted.json()).toMatchObject({ mode: 'none' });
    const again = await subject.app.inject({
      method: 'POST',
      url: `/v1/operator/holders/${holder.userId}/unfreeze`,
      headers: riskOfficer.headers,
      payload: { reason: 'twice' },
    });
    expect(again.json()).toMatchObject({ error: { code: 'FREEZE_NOT_FROZEN' } });

    const history = await subject.app.inject({
      method: 'GET',
      url: `/v1/operator/holders/${holder.userId}/freezes`,
      headers: support.headers,
    });
    expect(history.statusCode, history.body).toBe(200);
    expect(history.json()).toMatchObject({
      state: { mode: 'none' },
      history: [
        {
          mode: 'full',
          source: 'operator',
          operatorId: support.id,
          liftedBy: 'operator',
          liftedByOperatorId: riskOfficer.id,
          liftReason: 'identity confirmed by video call',
        },
      ],
    });
    const { rows } = await subject.database.pool.query(
      `SELECT action, actor, operator_id FROM freeze_audit WHERE user_id = $1 ORDER BY at`,
      [holder.userId],
    );
    expect(rows).toEqual([
      { action: 'frozen', actor: 'holder', operator_id: null },
      { action: 'changed', actor: 'operator', operator_id: support.id },
      { action: 'lifted', actor: 'operator', operator_id: riskOfficer.id },
    ]);
    const operatorLog = await subject.database.pool.query(
      `SELECT action, operator_id FROM operator_audit_log WHERE target = $1 ORDER BY at`,
      [holder.userId],
    );
    expect(operatorLog.rows).toEqual([
      { action: 'freeze.frozen', operator_id: support.id },
      { action: 'freeze.lifted', operator_id: riskOfficer.id },
    ]);
    const kinds = await notificationKinds(subject.app, holder);
    expect(kinds.filter((kind) => kind.startsWith('freeze.'))).toEqual([
      'freeze.lifted',
      'freeze.frozen',
      'freeze.frozen',
    ]);
  });

  it("an operator's freeze and its audit entry commit together; the same freeze again writes none", async () => {
    const holder = await registerHolder(subject.app);
    const support = await operatorSession(subject, 'support', 'support.atomic');
    const freeze = () =>
      subject.app.inject({
        method: 'POST',
        url: `/v1/operator/holders/${holder.userId}/freeze`,
        headers: support.headers,
        payload: { mode: 'full', reason: 'card fraud reported' },
      });
    const entries = async () =>
      (
        await subject.database.pool.query<{ action: string }>(
          'SELECT action FROM operator_audit_log WHERE target = $1',
          [holder.userId],
        )
      ).rows.map((row) => row.action);
    await withAuditRefused(subject.database.pool, { target: holder.userId }, async () => {
      expect((await freeze()).statusCode).toBe(500);
    });
    expect(await freezeState(subject, holder)).toMatchObject({ mode: 'none' });
    expect(await entries()).toEqual([]);

    expect((await freeze()).json()).toMatchObject({ mode: 'full', source: 'operator' });
    // A retried request: the freeze stands as it was, and no second entry says it was set again.
    expect((await freeze()).json()).toMatchObject({ mode: 'full', source: 'operator' });
    expect(await entries()).toEqual(['freeze.frozen']);
  });

  it('an operator route answers 404 for no such holder', async () => {
    const admin = await operatorSession(subject, 'admin', 'admin.freeze');
    const response = await subject.app.inject({
      method: 'POST',
      url: '/v1/operator/holders/0190f5a2-0000-7000-8000-000000000000/freeze',
      headers: admin.headers,
      payload: { mode: 'full', reason: 'test' },
    });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ error: { code: 'FREEZE_HOLDER_NOT_FOUND' } });
  });
});

describe('notices', () => {
  it('each change gives the holder a notice in Chinese and English', async () => {
    const { holder } = await verifiedHolder();
    await freezeRequest(subject, holder, 'receive_only');
    await subject.app.outbox.deliverPending();
    for (const lang of ['zh-CN', 'en']) {
      const response = await subject.app.inject({
        method: 'GET',
        url: `/v1/me/notifications?lang=${lang}&limit=5`,
        headers: holder.headers,
      });
      const [notice] = response.json<{ notifications: { kind: string; title: string; body: string }[] }>()
        .notifications;
      expect(notice).toMatchObject({ kind: 'freeze.frozen' });
      expect(notice!.title).toBe(lang === 'en' ? 'Wallet set to receive-only' : '钱包已设为只收不付');
      expect(notice!.body).toContain(lang === 'en' ? 'money can still come in' : '仍可收款');
    }
  });
});
