/**
 * Settlement to the merchant's card (issue 12, "After the payment"): naming the card, settling on
 * demand and by the daily job, a bank decline, one crash test per crash point (a second service
 * on the same database and bank stops where a crash would; the app's recovery job finishes it),
 * and 30 identical requests at once — each with the books balanced and the card paid at most once.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@qianbao/ledger';
import { TransferCodes } from '../../platform/codes.ts';
import type { TestHolder } from '../identity/testing.ts';
import { cardNumber, createFundingTestApp, holderWithCard, bindCard } from '../funding/testing.ts';
import type { FundingTestApp } from '../funding/testing.ts';
import { PIN, cny, errorCode, expectBooksBalanced, inbox } from '../transfers/testing.ts';
import { SettlementStore } from './settlement-store.ts';
import { operatorSession } from '../risk/testing.ts';
import { shanghaiCalendar } from '../../platform/calendar.ts';
import { SettlementService, settlementLedgerIds } from './settlements.ts';
import type { SettlementHooks } from './settlements.ts';

let subject: FundingTestApp;
beforeAll(async () => (subject = await createFundingTestApp()));
afterAll(async () => subject.close());
afterEach(async () => expectBooksBalanced(subject));

interface Merchant {
  id: string;
  owner: TestHolder;
  cardId: string;
  cardNumber: string;
}

/** A merchant whose owner has a bound card, named as its settlement card. */
async function merchantWithCard(number = cardNumber()): Promise<Merchant> {
  const { holder: owner, cardId } = await holderWithCard(subject, number);
  const opened = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant',
    headers: owner.headers,
    payload: { name: '李记面馆', city: '上海', mcc: '5812' },
  });
  expect(opened.statusCode, opened.body).toBe(201);
  const named = await subject.app.inject({
    method: 'PUT',
    url: '/v1/me/merchant/settlement-card',
    headers: owner.headers,
    payload: { cardId },
  });
  expect(named.statusCode, named.body).toBe(200);
  return { id: opened.json<{ id: string }>().id, owner, cardId, cardNumber: number };
}

let payerHolder: TestHolder | null = null;
/** One payer with plenty in the wallet (test funding straight into the ledger). */
async function payer(): Promise<TestHolder> {
  if (payerHolder) return payerHolder;
  const { holder } = await holderWithCard(subject);
  const bank = newId();
  await subject.ledger.createAccounts([{ id: bank, currency: 'CNY', code: 1, ownerRef: 'system:test-bank' }]);
  const [funded] = await subject.ledger.createTransfers([
    {
      id: newId(),
      debitAccountId: bank,
      creditAccountId: holder.walletAccountId,
      amount: 1_000_000_00n,
      currency: 'CNY',
      code: TransferCodes.testFunding,
    },
  ]);
  expect(funded!.result).toBe('ok');
  payerHolder = holder;
  return holder;
}

/** The payer pays an order of `amount` fen to the merchant (fee 0.38 %: MCC 5812 default). */
async function takePayment(merchant: Merchant, amount: string): Promise<void> {
  const made = await subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant/orders',
    headers: merchant.owner.headers,
    payload: { merchantOrderId: `o${randomUUID().slice(0, 12)}`, amount: cny(amount) },
  });
  expect(made.statusCode, made.body).toBe(201);
  const who = await payer();
  const created = await subject.app.inject({
    method: 'POST',
    url: '/v1/payments',
    headers: who.headers,
    payload: { kind: 'merchant_order', qr: made.json<{ payload: string }>().payload },
  });
  expect(created.statusCode, created.body).toBe(201);
  const confirmed = await subject.app.inject({
    method: 'POST',
    url: `/v1/payments/${created.json<{ id: string }>().id}/confirm`,
    headers: { ...who.headers, 'idempotency-key': randomUUID() },
    payload: { confirmation: { pin: PIN } },
  });
  expect(confirmed.statusCode, confirmed.body).toBe(200);
}

async function merchantBalance(merchant: Merchant): Promise<bigint> {
  const response = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/merchant',
    headers: merchant.owner.headers,
  });
  return BigInt(response.json<{ balance: { amount: string } }>().balance.amount);
}

async function cardBalance(number: string): Promise<bigint> {
  const { cardToken } = await subject.bank.tokeniseCard(number);
  return (await subject.bank.balanceOf(cardToken)) ?? -1n;
}

function settle(merchant: Merchant, body: object = {}, key: string = randomUUID()) {
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/merchant/settlements',
    headers: { ...merchant.owner.headers, 'idempotency-key': key },
    payload: body,
  });
}

async function settlementsOf(merchant: Merchant) {
  const response = await subject.app.inject({
    method: 'GET',
    url: '/v1/me/merchant/settlements',
    headers: merchant.owner.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{
    settlements: {
      id: string;
      status: string;
      amount: { amount: string };
      trigger: string;
      timeline: { state: string }[];
    }[];
  }>().settlements;
}

/** Past the recovery grace period, one pass of the app's recovery job (another "process"). */
async function recoverNow() {
  subject.clock.advance(3600);
  return subject.app.jobs.run('merchants.settle-recover');
}

/** A settlement service of a process that dies at a crash point: same database, bank and clock. */
function crashingService(hooks: SettlementHooks): SettlementService {
  return new SettlementService({
    store: new SettlementStore(subject.database.pool, { wake: () => undefined }),
    ledger: subject.ledger,
    bank: subject.bank,
    cards: subject.app.services.cards,
    // What PaymentAuthorizer.move does for a movement without a payer's authorization.
    payments: { move: (transfers) => subject.ledger.createTransfers(transfers) },
    now: subject.clock.now,
    log: subject.app.log,
    hooks,
  });
}

function crash(): never {
  throw new Error('simulated crash');
}

describe('the settlement card', () => {
  it("takes only the owner's own bound card", async () => {
    const merchant = await merchantWithCard();
    const other = await holderWithCard(subject);
    const foreign = await subject.app.inject({
      method: 'PUT',
      url: '/v1/me/merchant/settlement-card',
      headers: merchant.owner.headers,
      payload: { cardId: other.cardId },
    });
    expect(foreign.statusCode).toBe(404);
    expect(errorCode(foreign)).toBe('CARD_NOT_FOUND');
    const second = await bindCard(subject, merchant.owner, cardNumber());
    const named = await subject.app.inject({
      method: 'PUT',
      url: '/v1/me/merchant/settlement-card',
      headers: merchant.owner.headers,
      payload: { cardId: second },
    });
    expect(named.statusCode, named.body).toBe(200);
    const shown = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/merchant/settlement-card',
      headers: merchant.owner.headers,
    });
    expect(shown.json()).toMatchObject({ id: second });
    // Not a merchant: nothing to name a card for.
    const stranger = await subject.app.inject({
      method: 'PUT',
      url: '/v1/me/merchant/settlement-card',
      headers: other.holder.headers,
      payload: { cardId: other.cardId },
    });
    expect(errorCode(stranger)).toBe('MERCHANT_NOT_FOUND');
  });
});

describe('settling on demand', () => {
  it('pays the whole balance to the card, two-phase, and tells the owner', async () => {
    const merchant = await merchantWithCard();
    await takePayment(merchant, '10000');
    await takePayment(merchant, '2550');
    const balance = await merchantBalance(merchant);
    expect(balance).toBe(10000n - 38n + 2550n - 10n);
    const before = await cardBalance(merchant.cardNumber);

    const response = await settle(merchant);
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json<{
      id: string;
      status: string;
      amount: { amount: string };
      timeline: { state: string }[];
    }>();
    expect(body).toMatchObject({
      status: 'succeeded',
      trigger: 'on_demand',
      amount: { amount: String(balance) },
    });
    expect(body.timeline.map((t) => t.state)).toEqual(['created', 'held', 'bank_pending', 'succeeded']);
    expect(await merchantBalance(merchant)).toBe(0n);
    expect(await cardBalance(merchant.cardNumber)).toBe(before + balance);

    const fetched = await subject.app.inject({
      method: 'GET',
      url: `/v1/me/merchant/settlements/${body.id}`,
      headers: merchant.owner.headers,
    });
    expect(fetched.json()).toMatchObject({ id: body.id, status: 'succeeded' });
    expect((await inbox(subject, merchant.owner)).map((n) => n.kind)).toContain('merchants.settled');

    // Nothing left: refused before anything is written.
    const empty = await settle(merchant);
    expect(errorCode(empty)).toBe('SETTLEMENT_NOTHING_TO_SETTLE');
  });

  it("is matched in the day's reconciliation with the bank's file: a payout to the card that is ours", async () => {
    const merchant = await merchantWithCard();
    await takePayment(merchant, '3000');
    const response = await settle(merchant);
    expect(response.statusCode, response.body).toBe(201);
    const { id } = response.json<{ id: string }>();
    const finance = await operatorSession(subject, 'finance');
    const date = shanghaiCalendar(subject.clock.now()).day;
    const report = await subject.app.inject({
      method: 'GET',
      url: `/v1/operator/reconciliation?date=${date}`,
      headers: finance,
    });
    expect(report.statusCode, report.body).toBe(200);
    const body = report.json<{
      missing: { operationId: string }[];
      extra: { operationId: string }[];
      amountMismatch: unknown[];
      statusMismatch: unknown[];
    }>();
    const ids = [...body.missing, ...body.extra].map((item) => item.operationId);
    expect(ids).not.toContain(id);
    expect(body.amountMismatch).toEqual([]);
    expect(body.statusMismatch).toEqual([]);
  });

  it('settles a part; more than the balance is refused with what is available', async () => {
    const merchant = await merchantWithCard();
    await takePayment(merchant, '10000');
    const tooMuch = await settle(merchant, { amount: cny('10000') });
    expect(tooMuch.statusCode).toBe(409);
    expect(tooMuch.json()).toMatchObject({
      error: { code: 'SETTLEMENT_EXCEEDS_BALANCE', details: { available: { amount: '9962' } } },
    });
    const part = await settle(merchant, { amount: cny('5000') });
    expect(part.statusCode, part.body).toBe(201);
    expect(await merchantBalance(merchant)).toBe(4962n);
  });

  it('a bank decline voids the hold: the money is back in the balance, the owner is told', async () => {
    // Magic card 0093: binds, but the bank refuses to pay it (CARD_FROZEN).
    const merchant = await merchantWithCard(cardNumber('0093'));
    await takePayment(merchant, '10000');
    const response = await settle(merchant);
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      error: { code: 'SETTLEMENT_DECLINED', details: { reason: 'CARD_FROZEN' } },
    });
    expect(await merchantBalance(merchant)).toBe(9962n);
    const [failed] = await settlementsOf(merchant);
    expect(failed!.status).toBe('failed');
    expect(failed!.timeline.map((t) => t.state)).toEqual([
      'created',
      'held',
      'bank_pending',
      'voiding',
      'failed',
    ]);
    expect((await inbox(subject, merchant.owner)).map((n) => n.kind)).toContain(
      'merchants.settlement_failed',
    );
  });

  it('needs a settlement card', async () => {
    const { holder: owner } = await holderWithCard(subject);
    const opened = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/merchant',
      headers: owner.headers,
      payload: { name: '王记包子', city: '北京', mcc: '5812' },
    });
    const merchant = { id: opened.json<{ id: string }>().id, owner, cardId: '', cardNumber: '' };
    await takePayment(merchant, '1000');
    expect(errorCode(await settle(merchant))).toBe('SETTLEMENT_CARD_REQUIRED');
  });

  it('30 identical requests at once make one settlement', async () => {
    const merchant = await merchantWithCard();
    await takePayment(merchant, '30000');
    const balance = await merchantBalance(merchant);
    const before = await cardBalance(merchant.cardNumber);
    const key = randomUUID();
    const responses = await Promise.all(Array.from({ length: 30 }, () => settle(merchant, {}, key)));
    const codes = responses.map((r) => r.statusCode);
    expect(codes.filter((code) => code === 201).length).toBeGreaterThanOrEqual(1);
    expect(
      codes.every((code) => code === 201 || code === 409),
      codes.join(','),
    ).toBe(true);
    const again = await settle(merchant, {}, key);
    expect(again.statusCode, again.body).toBe(201);
    expect(await settlementsOf(merchant)).toHaveLength(1);
    expect(await cardBalance(merchant.cardNumber)).toBe(before + balance);
    expect(await merchantBalance(merchant)).toBe(0n);
  });

  it('30 different requests at once still pay the balance out once', async () => {
    const merchant = await merchantWithCard();
    await takePayment(merchant, '30000');
    const balance = await merchantBalance(merchant);
    const before = await cardBalance(merchant.cardNumber);
    const responses = await Promise.all(Array.from({ length: 30 }, () => settle(merchant)));
    const ok = responses.filter((r) => r.statusCode === 201);
    expect(ok).toHaveLength(1);
    for (const refused of responses.filter((r) => r.statusCode !== 201)) {
      expect(['SETTLEMENT_IN_PROGRESS', 'SETTLEMENT_NOTHING_TO_SETTLE']).toContain(errorCode(refused));
    }
    expect(await cardBalance(merchant.cardNumber)).toBe(before + balance);
    expect(await merchantBalance(merchant)).toBe(0n);
  });
});

describe('the daily job (T+1)', () => {
  it('settles every merchant with a card and a balance, once a day', async () => {
    const first = await merchantWithCard();
    const second = await merchantWithCard();
    await takePayment(first, '8000');
    await takePayment(second, '12000');
    const firstBalance = await merchantBalance(first);
    const firstCard = await cardBalance(first.cardNumber);
    await subject.app.jobs.run('merchants.settle-daily');
    expect(await merchantBalance(first)).toBe(0n);
    expect(await merchantBalance(second)).toBe(0n);
    expect(await cardBalance(first.cardNumber)).toBe(firstCard + firstBalance);
    const [daily] = await settlementsOf(first);
    expect(daily).toMatchObject({ trigger: 'daily', status: 'succeeded' });

    // A later run the same day (the hourly catch-up, a retry) settles nobody twice.
    await takePayment(first, '1000');
    await subject.app.jobs.run('merchants.settle-daily');
    expect(await settlementsOf(first)).toHaveLength(1);
    expect(await merchantBalance(first)).toBe(1000n - 4n);
  });
});

describe('crash points: each finishes exactly once, the books balanced', () => {
  async function crashed(point: keyof SettlementHooks) {
    const merchant = await merchantWithCard();
    await takePayment(merchant, '20000');
    const balance = await merchantBalance(merchant);
    const cardBefore = await cardBalance(merchant.cardNumber);
    const id = randomUUID();
    const service = crashingService({ [point]: crash });
    await expect(
      service.settle({ merchantId: merchant.id, settlementId: id, amountMinor: null }),
    ).rejects.toThrow('simulated crash');
    return { merchant, balance, cardBefore, id };
  }

  async function finished(id: string) {
    const first = await recoverNow();
    const second = await recoverNow();
    expect(second.result).toMatchObject({ claimed: 0 });
    return {
      first,
      row: await new SettlementStore(subject.database.pool, { wake: () => undefined }).get(id),
    };
  }

  it('after the settlement row (nothing held): cancelled, nothing moved', async () => {
    const { merchant, balance, cardBefore, id } = await crashed('afterRow');
    const { row } = await finished(id);
    expect(row).toMatchObject({ state: 'failed', failure_code: 'SETTLEMENT_INTERRUPTED' });
    expect(await subject.ledger.getTransfer(settlementLedgerIds(id).hold)).toBeNull();
    expect(await subject.bank.getOperation(id)).toBeNull();
    expect(await merchantBalance(merchant)).toBe(balance);
    expect(await cardBalance(merchant.cardNumber)).toBe(cardBefore);
  });

  it('after the hold (bank never called): the hold is voided, the money back in the balance', async () => {
    const { merchant, balance, cardBefore, id } = await crashed('afterHold');
    const { row } = await finished(id);
    expect(row).toMatchObject({ state: 'failed', failure_code: 'SETTLEMENT_INTERRUPTED' });
    expect(await subject.ledger.getTransfer(settlementLedgerIds(id).void)).not.toBeNull();
    expect(await subject.ledger.getTransfer(settlementLedgerIds(id).post)).toBeNull();
    expect(await subject.bank.getOperation(id)).toBeNull();
    expect(await merchantBalance(merchant)).toBe(balance);
    expect(await cardBalance(merchant.cardNumber)).toBe(cardBefore);
  });

  it('after bank_pending, before the bank call: the job asks the bank, sends it once, posts', async () => {
    const { merchant, balance, cardBefore, id } = await crashed('beforeBankCall');
    expect(await subject.bank.getOperation(id)).toBeNull();
    const { row } = await finished(id);
    expect(row).toMatchObject({ state: 'succeeded' });
    expect(await subject.bank.getOperation(id)).toMatchObject({ status: 'succeeded', amountMinor: balance });
    expect(await merchantBalance(merchant)).toBe(0n);
    expect(await cardBalance(merchant.cardNumber)).toBe(cardBefore + balance);
  });

  it('after the bank call, before the post (the answer lost): the job learns it from the bank, posts once', async () => {
    const { merchant, balance, cardBefore, id } = await crashed('afterBankCall');
    expect(await subject.bank.getOperation(id)).toMatchObject({ status: 'succeeded' });
    const { row } = await finished(id);
    expect(row).toMatchObject({ state: 'succeeded' });
    expect(await subject.ledger.getTransfer(settlementLedgerIds(id).post)).not.toBeNull();
    expect(await merchantBalance(merchant)).toBe(0n);
    expect(await cardBalance(merchant.cardNumber)).toBe(cardBefore + balance);
  });
});
