/**
 * The payer's payment code (付款码) at a merchant's till, through the HTTP API (issue 12): a
 * device's secret issued after the PIN, codes derived by the test as the app derives them,
 * charged by the merchant — password-free at once, used once however many tills race, refused
 * when old, turned off or frozen, and above the password-free limit confirmed, declined or timed
 * out by the payer — with the books balanced.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentCodeAt, paymentCodeStep } from '@qianbao/qr';
import type { TestHolder } from '../identity/testing.ts';
import { freezeRequest, newIdNumber, verifyRealName as verifyRealNameAs } from '../freeze/testing.ts';
import { sendAndReadSmsCode } from '../identity/testing.ts';
import { createSecurityTestApp, holderWithPin } from '../security/testing.ts';
import type { SecurityTestApp } from '../security/testing.ts';
import {
  PIN,
  balanceOf,
  cny,
  errorCode,
  expectBooksBalanced,
  fund,
  inbox,
  setPasswordFree,
} from '../transfers/testing.ts';
import { shopOf, verifiedHolder } from './testing.ts';

let subject: SecurityTestApp;
beforeAll(async () => {
  subject = await createSecurityTestApp();
});
afterAll(async () => subject.close());

interface Issued {
  secret: Uint8Array;
  deviceIndex: number;
  stepSeconds: number;
}

interface Charge {
  id: string;
  status: string;
  failure: string | null;
  payment: { id: string; amount: string; payee: string };
  order: { channel: string; status: string; fee: { amount: string } };
}

const verified = (name: string) => verifiedHolder(subject, name);

/** A payer with ¥10,000 and payments up to ¥200 password-free. */
async function payer(): Promise<TestHolder> {
  const holder = await verified('张伟');
  await fund(subject, holder, 10_000_00n);
  await setPasswordFree(subject, holder, 200_00n);
  return holder;
}

async function merchant(): Promise<TestHolder> {
  return (await shopOf(subject)).owner;
}

async function merchantBalance(owner: TestHolder): Promise<string> {
  const response = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/merchant',
    headers: owner.headers,
  });
  return response.json<{ balance: { amount: string } }>().balance.amount;
}

async function issue(holder: TestHolder): Promise<Issued> {
  const response = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/payment-code',
    headers: holder.headers,
    payload: { confirmation: { pin: PIN } },
  });
  expect(response.statusCode, response.body).toBe(201);
  const body = response.json<{ secret: string; deviceIndex: number; stepSeconds: number }>();
  expect(body.stepSeconds).toBe(60);
  return {
    secret: new Uint8Array(Buffer.from(body.secret, 'base64url')),
    deviceIndex: body.deviceIndex,
    stepSeconds: body.stepSeconds,
  };
}

/** The code the payer's app shows now (plus `offsetSteps`), by the test clock. */
function codeOf(issued: Issued, offsetSteps = 0): Promise<string> {
  const step = paymentCodeStep(subject.clock.now().getTime(), issued.stepSeconds) + offsetSteps;
  return paymentCodeAt({ secret: issued.secret, deviceIndex: issued.deviceIndex, step });
}

function charge(
  owner: TestHolder,
  paymentCode: string,
  amount: string,
  merchantOrderId = `c${randomUUID().slice(0, 12)}`,
  key = randomUUID(),
) {
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant/charges',
    headers: { ...owner.headers, 'idempotency-key': key },
    payload: { paymentCode, amount: cny(amount), merchantOrderId, description: '牛肉面' },
  });
}

async function merchantCharge(owner: TestHolder, id: string): Promise<Charge> {
  const response = await subject.app.inject({
    method: 'GET',
    url: `/v1/me/merchant/charges/${id}`,
    headers: owner.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Charge>();
}

async function pendingOf(holder: TestHolder): Promise<Charge[]> {
  const response = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/charges/pending',
    headers: holder.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ charges: Charge[] }>().charges;
}

function confirm(holder: TestHolder, id: string, pin = PIN) {
  return subject.app.inject({
    method: 'POST',
    url: `/v1/me/charges/${id}/confirm`,
    headers: { ...holder.headers, 'idempotency-key': randomUUID() },
    payload: { confirmation: { pin } },
  });
}

describe("a device's secret", () => {
  it('needs the PIN, is answered once, and says whether the device has one', async () => {
    const alice = await payer();
    const none = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/payment-code',
      headers: alice.headers,
      payload: {},
    });
    expect(errorCode(none)).toBe('FACTOR_NOT_ACCEPTED');
    const wrong = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/payment-code',
      headers: alice.headers,
      payload: { confirmation: { pin: '000000' } },
    });
    expect(errorCode(wrong)).toBe('PIN_INCORRECT');
    const issued = await issue(alice);
    expect(issued.secret.length).toBe(32);
    expect(issued.deviceIndex).toBeGreaterThanOrEqual(0);
    expect(issued.deviceIndex).toBeLessThanOrEqual(999_999);
    const status = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/payment-code',
      headers: alice.headers,
    });
    expect(status.json()).toMatchObject({ active: true, deviceIndex: issued.deviceIndex, stepSeconds: 60 });
    expect(status.body).not.toContain(Buffer.from(issued.secret).toString('base64url'));
  });
});

describe('charging a payment code', () => {
  it('takes a small amount at once, password-free, and the same code never again', async () => {
    const owner = await merchant();
    const alice = await payer();
    const issued = await issue(alice);
    const code = await codeOf(issued);
    const key = randomUUID();
    const first = await charge(owner, code, '5000', 'noodles-1', key);
    expect(first.statusCode, first.body).toBe(201);
    const charged = first.json<Charge>();
    expect(charged).toMatchObject({
      status: 'succeeded',
      order: { channel: 'code', status: 'paid', fee: { amount: '19' } },
    });
    // ¥50.00 at 0.38 %: ¥0.19 to fee income.
    expect(await balanceOf(subject, alice)).toBe('995000');
    expect(await merchantBalance(owner)).toBe('4981');
    // The till's own retry is the same answer; another till (another key) is refused.
    const replay = await charge(owner, code, '5000', 'noodles-1', key);
    expect(replay.json()).toMatchObject({ id: charged.id, status: 'succeeded' });
    const again = await charge(owner, code, '5000', 'noodles-2');
    expect(again.statusCode).toBe(409);
    expect(errorCode(again)).toBe('PAYMENT_CODE_USED');
    const query = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/merchant/orders/noodles-1/charge',
      headers: owner.headers,
    });
    expect(query.json()).toMatchObject({ id: charged.id, status: 'succeeded' });
    expect((await inbox(subject, alice)).map((n) => n.kind)).toContain('merchants.paid');
    expect((await inbox(subject, owner)).map((n) => n.kind)).toContain('merchants.payment_received');
    expect(await balanceOf(subject, alice)).toBe('995000');
    await expectBooksBalanced(subject);
  });

  it('of 30 tills charging one code at once, exactly one is paid', async () => {
    const owner = await merchant();
    const alice = await payer();
    const code = await codeOf(await issue(alice));
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => charge(owner, code, '1000', 'same-order')),
    );
    expect(answers.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(answers.filter((r) => r.statusCode !== 201).map(errorCode)).toEqual(
      Array(29).fill('PAYMENT_CODE_USED'),
    );
    expect(await balanceOf(subject, alice)).toBe('999000');
    await expectBooksBalanced(subject);
  });

  it('accepts a code of the step before or after, refuses one two steps old or wrong', async () => {
    const owner = await merchant();
    const alice = await payer();
    const issued = await issue(alice);
    // Made a step ago (the payer's screen is a minute old) and a step ahead (a fast phone clock).
    const previous = await codeOf(issued, -1);
    const next = await codeOf(issued, 1);
    expect((await charge(owner, previous, '100')).statusCode).toBe(201);
    expect((await charge(owner, next, '100')).statusCode).toBe(201);
    // Two steps on, the code shown now is too old.
    const shown = await codeOf(issued);
    subject.clock.advance(2 * issued.stepSeconds);
    const late = await charge(owner, shown, '100');
    expect(late.statusCode).toBe(410);
    expect(errorCode(late)).toBe('PAYMENT_CODE_EXPIRED');
    // A wrong one-time value, another scheme's code, a device index nobody has.
    const current = await codeOf(issued);
    const wrong =
      current.slice(0, 8) + ((BigInt(current.slice(8)) + 1n) % 10_000_000_000n).toString().padStart(10, '0');
    expect(errorCode(await charge(owner, wrong, '100'))).toBe('PAYMENT_CODE_INVALID');
    const foreign = await charge(owner, '13' + current.slice(2), '100');
    expect(foreign.json()).toMatchObject({
      error: { code: 'PAYMENT_CODE_INVALID', details: { reason: 'FOREIGN' } },
    });
    expect(await balanceOf(subject, alice)).toBe('999800');
    await expectBooksBalanced(subject);
  });

  it("refuses the codes of a secret turned off or replaced, and the merchant's own", async () => {
    const owner = await merchant();
    const alice = await payer();
    const first = await issue(alice);
    const oldCode = await codeOf(first);
    const second = await issue(alice);
    expect(errorCode(await charge(owner, oldCode, '100'))).toBe('PAYMENT_CODE_INVALID');
    const off = await subject.app.inject({
      method: 'DELETE',
      url: '/v1/me/payment-code',
      headers: alice.headers,
    });
    expect(off.statusCode).toBe(204);
    expect(errorCode(await charge(owner, await codeOf(second), '100'))).toBe('PAYMENT_CODE_INVALID');
    // The owner's own code at the owner's till.
    await fund(subject, owner, 100_00n);
    const own = await issue(owner);
    expect(errorCode(await charge(owner, await codeOf(own), '100'))).toBe('CANNOT_PAY_YOURSELF');
    expect(await balanceOf(subject, alice)).toBe('1000000');
  });

  it("refuses a frozen payer's code, and the charge says failed", async () => {
    const owner = await merchant();
    const alice = await payer();
    const issued = await issue(alice);
    const frozen = await freezeRequest(subject, alice, 'full');
    expect(frozen.statusCode, frozen.body).toBe(200);
    const refused = await charge(owner, await codeOf(issued), '1000');
    expect(errorCode(refused)).toBe('WALLET_FROZEN');
    const { chargeId } = refused.json<{ error: { details: { chargeId: string } } }>().error.details;
    expect(await merchantCharge(owner, chargeId)).toMatchObject({
      status: 'failed',
      failure: 'WALLET_FROZEN',
      order: { status: 'closed' },
    });
    expect(await balanceOf(subject, alice)).toBe('1000000');
    await expectBooksBalanced(subject);
  });
});

describe('a phone reported lost', () => {
  it("refuses its codes before anything is charged: the thief's copy of the secret is worthless", async () => {
    const owner = await merchant();
    const alice = await holderWithPin(subject);
    const idNumber = newIdNumber();
    await verifyRealNameAs(subject, alice, idNumber);
    await fund(subject, alice, 10_000_00n);
    await setPasswordFree(subject, alice, 200_00n);
    const issued = await issue(alice);
    subject.clock.advance(61);
    const smsCode = await sendAndReadSmsCode(subject.app, { phone: alice.phone, purpose: 'report_loss' });
    const report = await subject.app.inject({
      method: 'POST',
      url: '/v1/freeze/report-loss',
      payload: { phone: alice.phone, smsCode, idNumber, deviceId: 'borrowed-tablet-0001' },
    });
    expect(report.statusCode, report.body).toBe(200);
    // Not WALLET_FROZEN: the code itself is refused, and no charge is written.
    const refused = await charge(owner, await codeOf(issued), '1000');
    expect(refused.json()).toMatchObject({ error: { code: 'PAYMENT_CODE_INVALID', details: {} } });
    // The lost phone's session ended with the report: the merchant's side shows nothing moved.
    expect(await merchantBalance(owner)).toBe('0');
    await expectBooksBalanced(subject);
  });
});

describe('above the password-free limit', () => {
  it('waits for the payer, who is told, and is paid once the payer confirms with the PIN', async () => {
    const owner = await merchant();
    const alice = await payer();
    const issued = await issue(alice);
    const asked = await charge(owner, await codeOf(issued), '30000', 'feast-1');
    expect(asked.statusCode, asked.body).toBe(202);
    const waiting = asked.json<Charge>();
    expect(waiting).toMatchObject({ status: 'awaiting_confirmation', order: { status: 'open' } });
    expect(await balanceOf(subject, alice)).toBe('1000000');
    expect((await inbox(subject, alice)).map((n) => n.kind)).toContain('merchants.charge_to_confirm');
    const pending = await pendingOf(alice);
    expect(pending.map((c) => c.id)).toEqual([waiting.id]);
    expect(pending[0]!.payment).toMatchObject({ id: waiting.id, amount: '30000' });
    // A wrong PIN leaves it waiting; the right one pays it.
    expect(errorCode(await confirm(alice, waiting.id, '000000'))).toBe('PIN_INCORRECT');
    expect((await merchantCharge(owner, waiting.id)).status).toBe('awaiting_confirmation');
    const confirmed = await confirm(alice, waiting.id);
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json()).toMatchObject({ status: 'succeeded', order: { status: 'paid' } });
    expect(await merchantCharge(owner, waiting.id)).toMatchObject({ status: 'succeeded' });
    expect(await pendingOf(alice)).toEqual([]);
    expect(await balanceOf(subject, alice)).toBe('970000');
    // ¥300.00 at 0.38 %: ¥1.14.
    expect(await merchantBalance(owner)).toBe('29886');
    await expectBooksBalanced(subject);
  });

  it('declined by the payer: nothing moves and it cannot be confirmed after', async () => {
    const owner = await merchant();
    const alice = await payer();
    const issued = await issue(alice);
    const asked = await charge(owner, await codeOf(issued), '30000');
    expect(asked.statusCode, asked.body).toBe(202);
    const { id } = asked.json<Charge>();
    const declined = await subject.app.inject({
      method: 'POST',
      url: `/v1/me/charges/${id}/decline`,
      headers: alice.headers,
    });
    expect(declined.json()).toMatchObject({ status: 'declined', order: { status: 'closed' } });
    expect(await merchantCharge(owner, id)).toMatchObject({ status: 'declined' });
    const late = await confirm(alice, id);
    expect(late.json()).toMatchObject({
      error: { code: 'CHARGE_NOT_AWAITING', details: { status: 'declined' } },
    });
    // Another holder cannot see or decline it.
    const bob = await payer();
    const foreign = await subject.app.inject({
      method: 'POST',
      url: `/v1/me/charges/${id}/decline`,
      headers: bob.headers,
    });
    expect(errorCode(foreign)).toBe('CHARGE_NOT_FOUND');
    expect(await balanceOf(subject, alice)).toBe('1000000');
    expect(await merchantBalance(owner)).toBe('0');
    await expectBooksBalanced(subject);
  });

  it('left unconfirmed for a minute: timed out, nothing moves', async () => {
    const owner = await merchant();
    const alice = await payer();
    const issued = await issue(alice);
    const asked = await charge(owner, await codeOf(issued), '30000');
    expect(asked.statusCode, asked.body).toBe(202);
    const { id } = asked.json<Charge>();
    subject.clock.advance(61);
    expect(await merchantCharge(owner, id)).toMatchObject({
      status: 'timed_out',
      order: { status: 'closed' },
    });
    expect(await pendingOf(alice)).toEqual([]);
    const late = await confirm(alice, id);
    expect(late.json()).toMatchObject({
      error: { code: 'CHARGE_NOT_AWAITING', details: { status: 'timed_out' } },
    });
    expect(await balanceOf(subject, alice)).toBe('1000000');
    expect(await merchantBalance(owner)).toBe('0');
    await expectBooksBalanced(subject);
  });
});
