import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerHolder } from '../identity/testing.ts';
import { holderWithPin } from '../security/testing.ts';
import {
  LEGAL_NAME,
  bankSmsCode,
  bindCard,
  cardNumber,
  createFundingTestApp,
  startVerification,
  verifyRealName,
} from '../funding/testing.ts';
import type { FundingTestApp } from '../funding/testing.ts';

let subject: FundingTestApp;
beforeAll(async () => (subject = await createFundingTestApp()));
afterAll(async () => subject.close());

async function tierOf(headers: { authorization: string }): Promise<string> {
  const response = await subject.app.inject({ method: 'GET', url: '/v1/me/kyc', headers });
  return response.json<{ tier: string }>().tier;
}

describe('binding a debit card', () => {
  it('verifies four ways, confirms the bank SMS code, stores no number, lifts T1 to T2', async () => {
    const holder = await registerHolder(subject.app);
    await verifyRealName(subject.app, holder);
    expect(await tierOf(holder.headers)).toBe('T1');
    const number = cardNumber();
    const started = await startVerification(subject, holder, number);
    expect(started.statusCode, started.body).toBe(200);
    const body = started.json<{ verificationId: string; card: Record<string, unknown> }>();
    expect(body.card).toMatchObject({
      maskedNumber: `6222 **** **** ${number.slice(-4)}`,
      bankCode: 'ICBC',
      bankName: { zh: '中国工商银行' },
      cardType: 'debit',
    });
    expect(started.body).not.toContain(number);

    const wrong = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/cards',
      headers: holder.headers,
      payload: {
        verificationId: body.verificationId,
        smsCode: '000000' === (await bankSmsCode(subject, number.slice(-4))) ? '111111' : '000000',
      },
    });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toMatchObject({
      error: { code: 'CARD_SMS_CODE_INVALID', details: { reason: 'wrong' } },
    });

    const bound = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/cards',
      headers: holder.headers,
      payload: { verificationId: body.verificationId, smsCode: await bankSmsCode(subject, number.slice(-4)) },
    });
    expect(bound.statusCode, bound.body).toBe(201);
    expect(bound.json()).toMatchObject({ isDefault: true, last4: number.slice(-4) });
    expect(await tierOf(holder.headers)).toBe('T2');

    // the verification is used up; the card cannot be bound twice
    const again = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/cards',
      headers: holder.headers,
      payload: { verificationId: body.verificationId, smsCode: await bankSmsCode(subject, number.slice(-4)) },
    });
    expect(again.json()).toMatchObject({ error: { code: 'CARD_VERIFICATION_NOT_FOUND' } });
    expect((await startVerification(subject, holder, number)).json()).toMatchObject({
      error: { code: 'CARD_ALREADY_BOUND' },
    });

    // never the number at rest or in the logs
    const { rows } = await subject.database.pool.query(
      `SELECT row_to_json(c)::text AS row FROM cards_cards c UNION ALL SELECT row_to_json(v)::text FROM cards_verifications v`,
    );
    for (const row of rows as { row: string }[]) expect(row.row).not.toContain(number);
    expect(subject.logs.join('\n')).not.toContain(number);
  });

  it('refuses a holder without a real name, a bad number, a credit card, and the magic failures', async () => {
    const holder = await registerHolder(subject.app);
    expect((await startVerification(subject, holder, cardNumber())).json()).toMatchObject({
      error: { code: 'REAL_NAME_REQUIRED' },
    });
    await verifyRealName(subject.app, holder);
    expect((await startVerification(subject, holder, '6222021234567895')).json()).toMatchObject({
      error: { code: 'CARD_NUMBER_INVALID' },
    });
    const credit = await startVerification(subject, holder, cardNumber(undefined, '622230'));
    expect(credit.statusCode).toBe(422);
    expect(credit.json()).toMatchObject({
      error: { code: 'CARD_TYPE_NOT_SUPPORTED', details: { reason: 'creditCard' } },
    });
    const mismatch = await startVerification(subject, holder, cardNumber('0028', '622848'));
    expect(mismatch.json()).toMatchObject({
      error: { code: 'CARD_VERIFICATION_FAILED', details: { reason: 'MISMATCH' } },
    });
    const frozen = await startVerification(subject, holder, cardNumber('0010', '621700'));
    expect(frozen.json()).toMatchObject({
      error: { code: 'CARD_VERIFICATION_FAILED', details: { reason: 'CARD_FROZEN' } },
    });
    const unavailable = await startVerification(subject, holder, cardNumber('0069', '622262'));
    expect(unavailable.statusCode).toBe(503);
    expect(unavailable.json()).toMatchObject({ error: { code: 'BANK_UNAVAILABLE' } });
    expect(await tierOf(holder.headers)).toBe('T1');
  });

  it('lists, sets the default, unbinds; another holder sees 404', async () => {
    const holder = await holderWithPin({ ...subject }, '258036');
    await verifyRealName(subject.app, holder, LEGAL_NAME);
    const first = await bindCard(subject, holder, cardNumber());
    const second = await bindCard(subject, holder, cardNumber());
    const list = async () =>
      (await subject.app.inject({ method: 'GET', url: '/v1/me/cards', headers: holder.headers })).json<{
        cards: { id: string; isDefault: boolean }[];
      }>().cards;
    expect((await list()).map((c) => [c.id, c.isDefault])).toEqual([
      [first, true],
      [second, false],
    ]);
    const made = await subject.app.inject({
      method: 'POST',
      url: `/v1/me/cards/${second}/default`,
      headers: holder.headers,
    });
    expect(made.statusCode, made.body).toBe(200);
    expect((await list())[0]).toMatchObject({ id: second, isDefault: true });

    const stranger = await registerHolder(subject.app);
    for (const request of [
      { method: 'DELETE' as const, url: `/v1/me/cards/${first}` },
      { method: 'POST' as const, url: `/v1/me/cards/${first}/default` },
    ]) {
      const response = await subject.app.inject({ ...request, headers: stranger.headers });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: { code: 'CARD_NOT_FOUND' } });
    }
    const removed = await subject.app.inject({
      method: 'DELETE',
      url: `/v1/me/cards/${second}`,
      headers: holder.headers,
    });
    expect(removed.statusCode, removed.body).toBe(204);
    expect(await list()).toMatchObject([{ id: first, isDefault: true }]);
  });
});
