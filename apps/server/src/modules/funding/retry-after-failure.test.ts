/**
 * A top-up, withdrawal or bank transfer whose run failed (5xx) after its hold, before the bank
 * was called: the retry with the same Idempotency-Key carries it on from the hold — it does not
 * confirm again (a wrong PIN typed for the retry costs no try) and the holder gets the outcome,
 * not a `processing` that the recovery worker would later turn into a refund. The same after a
 * SIGKILL: test/e2e/idempotent-retry-crash.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestHolder } from '../identity/testing.ts';
import {
  TEST_PIN,
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

const WRONG_PIN = '147025';

let subject: FundingTestApp;
beforeAll(async () => (subject = await createFundingTestApp()));
afterAll(async () => subject.close());
afterEach(async () => {
  for (const key of Object.keys(subject.hooks)) delete subject.hooks[key as keyof typeof subject.hooks];
  await expectBooksBalance(subject);
});

function failOnce(): void {
  subject.hooks.afterHold = () => {
    delete subject.hooks.afterHold;
    throw new Error('simulated failure after the hold');
  };
}

async function cardBalance(number: string): Promise<bigint> {
  const { cardToken } = await subject.bank.tokeniseCard(number);
  return (await subject.bank.balanceOf(cardToken)) ?? -1n;
}

/** A wrong PIN on a fresh key (a withdrawal too large to matter): how many tries it leaves. */
async function triesLeftAfterOneWrong(holder: TestHolder, cardId: string): Promise<number> {
  const probe = await fund(subject, holder, { kind: 'withdrawals', cardId, amount: '1', pin: WRONG_PIN });
  expect(probe.statusCode, probe.body).toBe(422);
  return probe.json<{ error: { details: { attemptsRemaining: number } } }>().error.details.attemptsRemaining;
}

describe('a funding retry after a 5xx between the hold and the bank', () => {
  it('top-up and withdrawal: the retry with a wrong PIN finishes them once, no try spent', async () => {
    const control = await holderWithCard(subject);
    const oneWrong = await triesLeftAfterOneWrong(control.holder, control.cardId);
    const { holder, cardId, cardNumber: number } = await holderWithCard(subject);
    const before = await cardBalance(number);

    for (const [kind, amount] of [
      ['top-ups', '50000'],
      ['withdrawals', '20000'],
    ] as const) {
      const key = newKey();
      failOnce();
      const first = await fund(subject, holder, { kind, cardId, amount, key });
      expect(first.statusCode).toBe(500);
      const retried = await fund(subject, holder, { kind, cardId, amount, key, pin: WRONG_PIN });
      expect(retried.statusCode, retried.body).toBe(201);
      expect(retried.json()).toMatchObject({ status: 'succeeded', amount: { amount } });
      const replayed = await fund(subject, holder, { kind, cardId, amount, key, pin: WRONG_PIN });
      expect(replayed.headers['idempotency-replayed']).toBe('true');
      expect(replayed.body).toBe(retried.body);
    }
    expect(await walletBalance(subject, holder)).toEqual({ balance: '30000', available: '30000' });
    expect(await cardBalance(number)).toBe(before - 30000n);
    // The first runs' right PINs cleared the count: one wrong PIN now leaves what it leaves anyone.
    expect(await triesLeftAfterOneWrong(holder, cardId)).toBe(oneWrong);
  });

  it('bank transfer: the retry finishes it once; the account gets the money once', async () => {
    const { holder, cardId } = await holderWithCard(subject);
    const topUp = await fund(subject, holder, { kind: 'top-ups', cardId, amount: '100000' });
    expect(topUp.statusCode, topUp.body).toBe(201);
    const account = cardNumber();
    const accountBefore = await cardBalance(account);
    const key = newKey();
    const send = (pin: string) =>
      subject.app.inject({
        method: 'POST',
        url: '/v1/me/bank-transfers',
        headers: { ...holder.headers, 'idempotency-key': key },
        payload: {
          bankCode: 'ICBC',
          accountNumber: account,
          accountName: '王小明',
          amount: cny('30000'),
          confirmation: { pin },
        },
      });
    failOnce();
    expect((await send(TEST_PIN)).statusCode).toBe(500);
    const retried = await send(WRONG_PIN);
    expect(retried.statusCode, retried.body).toBe(201);
    const { fee } = retried.json<{ fee: { amount: string } }>();
    expect(retried.json()).toMatchObject({ status: 'succeeded', kind: 'bank_transfer' });
    expect(await cardBalance(account)).toBe(accountBefore + 30000n);
    const left = (100000n - 30000n - BigInt(fee.amount)).toString();
    expect(await walletBalance(subject, holder)).toEqual({ balance: left, available: left });
  });
});
