/**
 * A payment whose money moved but whose run then failed (a 5xx: here its record cannot be
 * written) is finished by the retry with the same Idempotency-Key: the answer is the success,
 * with no check or confirmation run again — a wrong PIN typed for the retry changes nothing and
 * costs no try. A paid request is never given back to other payers. Crashes (SIGKILL) at the same
 * points: test/e2e/idempotent-retry-crash.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { TestHolder } from '../identity/testing.ts';
import { SoftAuthenticator } from '../security/soft-authenticator.ts';
import { PUBLIC_ORIGIN, createSecurityTestApp, holderWithPin } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import { PIN, cny, errorCode, expectBooksBalanced, fund, inbox, send, verifyRealName } from './testing.ts';

const WRONG_PIN = '147025';

let subject: SecurityTestApp;
beforeAll(async () => (subject = await createSecurityTestApp()));
afterAll(async () => subject.close());

/** Every insert of a transfer record fails until `release` (the ledger transfer is made by then). */
async function recordsFail(): Promise<{ release(): Promise<void> }> {
  const { pool } = subject.database;
  await pool.query(`CREATE OR REPLACE FUNCTION test_record_fails() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'simulated failure after the ledger'; END $$`);
  await pool.query(`CREATE TRIGGER test_record_fails BEFORE INSERT ON transfers_transfers
    FOR EACH ROW EXECUTE FUNCTION test_record_fails()`);
  return {
    release: async () => void (await pool.query('DROP TRIGGER test_record_fails ON transfers_transfers')),
  };
}

async function ledgerTransfersOf(holder: TestHolder): Promise<string[]> {
  const page = await subject.ledger.listTransfers(holder.walletAccountId, { limit: 100 });
  return page.transfers.map((transfer) => transfer.id);
}

/** A wrong PIN on a fresh key: how many tries it leaves. */
async function triesLeftAfterOneWrong(holder: TestHolder, to: TestHolder): Promise<number> {
  const probe = await send(subject, holder, {
    toPhone: to.phone,
    amount: cny('1'),
    confirmation: { pin: WRONG_PIN },
  });
  expect(errorCode(probe)).toBe('PIN_INCORRECT');
  return probe.json<{ error: { details: { attemptsRemaining: number } } }>().error.details.attemptsRemaining;
}

describe('a retry after a 5xx that came after the ledger', () => {
  it('wallet transfer: answers the transfer, with a wrong PIN, once in each history, notices once', async () => {
    const payer = await holderWithPin(subject, PIN);
    const payee = await holderWithPin(subject, PIN);
    await verifyRealName(subject, payee, '陈静');
    await fund(subject, payer, 1000_00n);
    const oneWrong = await triesLeftAfterOneWrong(payee, payer);
    const key = randomUUID();
    const body = (pin: string) => ({ toPhone: payee.phone, amount: cny('8800'), confirmation: { pin } });

    const failing = await recordsFail();
    const first = await send(subject, payer, body(PIN), key);
    expect(first.statusCode).toBe(500);
    await failing.release();
    const moved = await ledgerTransfersOf(payer); // newest first: the transfer, then the funding
    expect(moved).toHaveLength(2);

    const retried = await send(subject, payer, body(WRONG_PIN), key);
    expect(retried.statusCode, retried.body).toBe(201);
    expect(retried.json()).toMatchObject({
      id: moved[0],
      kind: 'phone',
      direction: 'out',
      amount: cny('8800'),
      counterparty: { displayName: '*静' },
    });
    const replayed = await send(subject, payer, body(WRONG_PIN), key);
    expect(replayed.headers['idempotency-replayed']).toBe('true');
    expect(replayed.body).toBe(retried.body);

    const history = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/transactions?limit=100',
      headers: payee.headers,
    });
    const ids = history
      .json<{ transactions: { id: string; type: string }[] }>()
      .transactions.map((t) => t.id);
    expect(ids.filter((id) => id === moved[0])).toHaveLength(1);
    expect((await inbox(subject, payee)).filter((n) => n.kind === 'transfers.received')).toHaveLength(1);
    expect(await triesLeftAfterOneWrong(payer, payee)).toBe(oneWrong);
    await expectBooksBalanced(subject);
  });

  it('wallet transfer confirmed by a passkey: the retry with the spent assertion answers the transfer', async () => {
    const payer = await holderWithPin(subject, PIN);
    const payee = await holderWithPin(subject, PIN);
    await fund(subject, payer, 1000_00n);
    const authenticator = new SoftAuthenticator(PUBLIC_ORIGIN);
    const registration = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/passkeys/registration-options',
      headers: payer.headers,
    });
    const added = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/passkeys',
      headers: payer.headers,
      payload: {
        response: authenticator.register(registration.json<PublicKeyCredentialCreationOptionsJSON>()),
        name: 'My phone',
      },
    });
    expect(added.statusCode, added.body).toBe(201);
    const key = randomUUID();
    const preview = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/transfers/preview',
      headers: payer.headers,
      payload: { toPhone: payee.phone, amount: cny('4200'), idempotencyKey: key },
    });
    expect(preview.statusCode, preview.body).toBe(200);
    const options = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/confirmations/options',
      headers: payer.headers,
      payload: { payment: preview.json<{ payment: object }>().payment },
    });
    expect(options.statusCode, options.body).toBe(200);
    const assertion = authenticator.authenticate(
      options.json<{ passkeyOptions: PublicKeyCredentialRequestOptionsJSON }>().passkeyOptions,
    );
    const body = { toPhone: payee.phone, amount: cny('4200'), confirmation: { passkeyResponse: assertion } };

    const failing = await recordsFail();
    expect((await send(subject, payer, body, key)).statusCode).toBe(500);
    await failing.release();
    // The assertion's challenge was spent by the first run: only the ledger can answer now.
    const retried = await send(subject, payer, body, key);
    expect(retried.statusCode, retried.body).toBe(201);
    const [transferId] = await ledgerTransfersOf(payer);
    expect(retried.json()).toMatchObject({ id: transferId, amount: cny('4200') });
    await expectBooksBalanced(subject);
  });

  it('payment request: stays taken while its run failed after the ledger; the retry finishes it', async () => {
    const requester = await holderWithPin(subject, PIN);
    const payer = await holderWithPin(subject, PIN);
    const other = await holderWithPin(subject, PIN);
    await fund(subject, payer, 1000_00n);
    await fund(subject, other, 1000_00n);
    const created = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/payment-requests',
      headers: requester.headers,
      payload: { amount: cny('6600') },
    });
    const requestId = created.json<{ id: string }>().id;
    const key = randomUUID();
    const pay = (holder: TestHolder, pin: string, idempotencyKey: string) =>
      subject.app.inject({
        method: 'POST',
        url: `/v1/payment-requests/${requestId}/pay`,
        headers: { ...holder.headers, 'idempotency-key': idempotencyKey },
        payload: { confirmation: { pin } },
      });

    const failing = await recordsFail();
    expect((await pay(payer, PIN, key)).statusCode).toBe(500);
    await failing.release();
    // The money moved: nobody else may pay it now (it used to be opened again here).
    const meanwhile = await pay(other, PIN, randomUUID());
    expect(meanwhile.statusCode).not.toBe(201);

    const retried = await pay(payer, WRONG_PIN, key);
    expect(retried.statusCode, retried.body).toBe(201);
    expect(retried.json()).toMatchObject({ kind: 'payment_request', paymentRequestId: requestId });
    const settled = await subject.app.inject({
      method: 'GET',
      url: `/v1/payment-requests/${requestId}`,
      headers: requester.headers,
    });
    expect(settled.json()).toMatchObject({ status: 'paid' });
    expect(errorCode(await pay(other, PIN, randomUUID()))).toBe('PAYMENT_REQUEST_ALREADY_PAID');
    // Another key of the same payer did not pay it: it is told so, not handed this success.
    expect(errorCode(await pay(payer, PIN, randomUUID()))).toBe('PAYMENT_REQUEST_ALREADY_PAID');
    expect((await ledgerTransfersOf(requester)).length).toBe(1);
    expect((await ledgerTransfersOf(other)).length).toBe(1); // its funding only
    await expectBooksBalanced(subject);
  });
});
