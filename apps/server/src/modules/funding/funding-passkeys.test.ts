import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { TestHolder } from '../identity/testing.ts';
import { SoftAuthenticator } from '../security/soft-authenticator.ts';
import { PUBLIC_ORIGIN } from '../security/testing.ts';
import {
  cardNumber,
  cny,
  createFundingTestApp,
  expectBooksBalance,
  fund,
  holderWithCard,
  newKey,
  walletBalance,
} from './testing.ts';
import type { FundingTestApp } from './testing.ts';

/**
 * Passkey confirmation of top-ups, withdrawals and bank transfers: the quote, given the
 * Idempotency-Key the client will use, names the payment in advance; the passkey signs exactly
 * that payment; the request with that key is confirmed by it — and nothing else is.
 */
let subject: FundingTestApp;
beforeAll(async () => (subject = await createFundingTestApp()));
afterAll(async () => subject.close());
afterEach(async () => expectBooksBalance(subject));

const PAYMENT_MISMATCH = {
  error: { code: 'PASSKEY_VERIFICATION_FAILED', details: { reason: 'paymentMismatch' } },
};

interface Payment {
  id: string;
  amount: string;
  currency: string;
  payee: string;
}

async function addPasskey(holder: TestHolder, authenticator: SoftAuthenticator): Promise<void> {
  const options = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/passkeys/registration-options',
    headers: holder.headers,
  });
  expect(options.statusCode, options.body).toBe(200);
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/passkeys',
    headers: holder.headers,
    payload: {
      response: authenticator.register(options.json<PublicKeyCredentialCreationOptionsJSON>()),
      name: 'My phone',
    },
  });
  expect(response.statusCode, response.body).toBe(201);
}

/** The quote route with the key the request will use: answers the payment to sign. */
async function quotedPayment(
  holder: TestHolder,
  url: string,
  payload: Record<string, unknown>,
): Promise<{ payment: Payment; accepted: string[] }> {
  const response = await subject.app.inject({ method: 'POST', url, headers: holder.headers, payload });
  expect(response.statusCode, response.body).toBe(200);
  const body = response.json<{ payment: Payment | null; confirmation: { accepted: string[] } }>();
  expect(body.payment).not.toBeNull();
  return { payment: body.payment!, accepted: body.confirmation.accepted };
}

async function signed(holder: TestHolder, authenticator: SoftAuthenticator, payment: Payment) {
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/confirmations/options',
    headers: holder.headers,
    payload: { payment },
  });
  expect(response.statusCode, response.body).toBe(200);
  const options = response.json<{ passkeyOptions?: PublicKeyCredentialRequestOptionsJSON }>().passkeyOptions;
  expect(options).toBeDefined();
  return authenticator.authenticate(options!);
}

function post(holder: TestHolder, url: string, key: string, payload: Record<string, unknown>) {
  return subject.app.inject({
    method: 'POST',
    url,
    headers: { ...holder.headers, 'idempotency-key': key },
    payload,
  });
}

async function storedFactor(holder: TestHolder, paymentId: string): Promise<string | null> {
  const confirmation = await subject.app.services.security.getConfirmation({
    userId: holder.userId,
    paymentId,
  });
  return confirmation?.factor ?? null;
}

describe('passkey confirmation of money to and from the bank', () => {
  it('tops up and withdraws with a passkey bound to each operation', async () => {
    const { holder, cardId } = await holderWithCard(subject);
    const authenticator = new SoftAuthenticator(PUBLIC_ORIGIN);
    await addPasskey(holder, authenticator);

    // Top-up: quote with the key → the payment → the passkey signs it → the top-up with that key.
    const topUpKey = newKey();
    const topUp = await quotedPayment(holder, '/v1/me/top-ups/quote', {
      cardId,
      amount: cny('80000'),
      idempotencyKey: topUpKey,
    });
    expect(topUp.accepted).toContain('passkey');
    expect(topUp.payment).toMatchObject({ amount: '80000', currency: 'CNY', payee: `card:${cardId}` });
    const toppedUp = await post(holder, '/v1/me/top-ups', topUpKey, {
      cardId,
      amount: cny('80000'),
      confirmation: { passkeyResponse: await signed(holder, authenticator, topUp.payment) },
    });
    expect(toppedUp.statusCode, toppedUp.body).toBe(201);
    expect(toppedUp.json<{ id: string }>().id).toBe(topUp.payment.id);
    expect(await storedFactor(holder, topUp.payment.id)).toBe('passkey');

    // Withdrawal: the same, its quote also carries the fee.
    const withdrawalKey = newKey();
    const withdrawal = await quotedPayment(holder, '/v1/me/withdrawals/quote', {
      cardId,
      amount: cny('30000'),
      idempotencyKey: withdrawalKey,
    });
    const assertion = await signed(holder, authenticator, withdrawal.payment);
    // Signed for this withdrawal, presented with another key (another operation): refused.
    const elsewhere = await post(holder, '/v1/me/withdrawals', newKey(), {
      cardId,
      amount: cny('30000'),
      confirmation: { passkeyResponse: assertion },
    });
    expect(elsewhere.json()).toMatchObject(PAYMENT_MISMATCH);
    const withdrawn = await post(holder, '/v1/me/withdrawals', withdrawalKey, {
      cardId,
      amount: cny('30000'),
      confirmation: { passkeyResponse: await signed(holder, authenticator, withdrawal.payment) },
    });
    expect(withdrawn.statusCode, withdrawn.body).toBe(201);
    expect(withdrawn.json<{ id: string }>().id).toBe(withdrawal.payment.id);
    expect(await walletBalance(subject, holder)).toEqual({ balance: '50000', available: '50000' });
  });

  it('a passkey signed for a smaller top-up does not confirm a larger one with the same key', async () => {
    const { holder, cardId } = await holderWithCard(subject);
    const authenticator = new SoftAuthenticator(PUBLIC_ORIGIN);
    await addPasskey(holder, authenticator);
    const key = newKey();
    const small = await quotedPayment(holder, '/v1/me/top-ups/quote', {
      cardId,
      amount: cny('100'),
      idempotencyKey: key,
    });
    const response = await post(holder, '/v1/me/top-ups', key, {
      cardId,
      amount: cny('99900'),
      confirmation: { passkeyResponse: await signed(holder, authenticator, small.payment) },
    });
    expect(response.json()).toMatchObject(PAYMENT_MISMATCH);
    expect(await walletBalance(subject, holder)).toEqual({ balance: '0', available: '0' });
  });

  it('sends to a bank account with a passkey bound to the account', async () => {
    const { holder, cardId } = await holderWithCard(subject);
    expect((await fund(subject, holder, { kind: 'top-ups', cardId, amount: '100000' })).statusCode).toBe(201);
    const authenticator = new SoftAuthenticator(PUBLIC_ORIGIN);
    await addPasskey(holder, authenticator);
    const account = { bankCode: 'CCB', accountNumber: cardNumber(undefined, '621700'), accountName: '李明' };
    const key = newKey();
    const quoted = await quotedPayment(holder, '/v1/me/bank-transfers/quote', {
      ...account,
      amount: cny('20000'),
      idempotencyKey: key,
    });
    const assertion = await signed(holder, authenticator, quoted.payment);
    // The same assertion for another account is refused: the payee binds the account.
    const other = await post(holder, '/v1/me/bank-transfers', key, {
      ...account,
      accountNumber: cardNumber(undefined, '621700'),
      amount: cny('20000'),
      confirmation: { passkeyResponse: assertion },
    });
    expect(other.json()).toMatchObject(PAYMENT_MISMATCH);
    const sent = await post(holder, '/v1/me/bank-transfers', newKey(), {
      ...account,
      amount: cny('20000'),
      confirmation: { passkeyResponse: await signed(holder, authenticator, quoted.payment) },
    });
    // …and a fresh assertion for this account under another key (another payment id) too.
    expect(sent.json()).toMatchObject(PAYMENT_MISMATCH);
    const keyTwo = newKey();
    const again = await quotedPayment(holder, '/v1/me/bank-transfers/quote', {
      ...account,
      amount: cny('20000'),
      idempotencyKey: keyTwo,
    });
    const done = await post(holder, '/v1/me/bank-transfers', keyTwo, {
      ...account,
      amount: cny('20000'),
      confirmation: { passkeyResponse: await signed(holder, authenticator, again.payment) },
    });
    expect(done.statusCode, done.body).toBe(201);
    expect(done.json()).toMatchObject({ id: again.payment.id, status: 'succeeded', fee: { amount: '20' } });
    expect(await storedFactor(holder, again.payment.id)).toBe('passkey');
    expect(await walletBalance(subject, holder)).toEqual({ balance: '79980', available: '79980' });
  });
});
