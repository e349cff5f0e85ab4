import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_DEFAULT_OPENING_BALANCE_MINOR } from '../../adapters/bank/index.ts';
import type { TestHolder } from '../identity/testing.ts';
import { holderWithPin, notificationKinds } from '../security/testing.ts';
import { feeIncomeAccountId } from './accounts.ts';
import { reconcileFunding } from './reconcile.ts';
import { FundingStore } from './store.ts';
import {
  TEST_PIN,
  cardNumber,
  cny,
  createFundingTestApp,
  expectBooksBalance,
  fund,
  holderWithCard,
  newKey,
  recoverNow,
  walletBalance,
} from './testing.ts';
import type { FundingTestApp } from './testing.ts';

let subject: FundingTestApp;
beforeAll(async () => (subject = await createFundingTestApp()));
afterAll(async () => subject.close());
afterEach(async () => {
  for (const key of Object.keys(subject.hooks)) delete subject.hooks[key as keyof typeof subject.hooks];
  await expectBooksBalance(subject);
});

const OPENING_CARD_BALANCE = SANDBOX_DEFAULT_OPENING_BALANCE_MINOR;
const PAYEE_NAME = '李明';

interface FundingJson {
  id: string;
  kind: string;
  status: string;
  amount: { amount: string };
  fee: { amount: string };
  total: { amount: string };
  card: unknown;
  account: { maskedNumber: string; last4: string; bankCode: string; name: string; bankName: { zh: string } };
  note: string | null;
  timeline: { state: string; status: string }[];
}

function crash(): never {
  throw new Error('simulated crash');
}

/** A holder with ¥`yuan` in the wallet (topped up from a bound card). */
async function fundedHolder(yuan = 2000n): Promise<TestHolder> {
  const { holder, cardId } = await holderWithCard(subject);
  const topUp = await fund(subject, holder, { kind: 'top-ups', cardId, amount: (yuan * 100n).toString() });
  expect(topUp.statusCode, topUp.body).toBe(201);
  return holder;
}

function bankTransfer(
  holder: TestHolder,
  input: {
    accountNumber: string;
    amount: string;
    bankCode?: string;
    accountName?: string;
    note?: string;
    key?: string;
    confirmation?: object | null;
  },
) {
  const confirmation = input.confirmation === undefined ? { pin: TEST_PIN } : input.confirmation;
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/bank-transfers',
    headers: { ...holder.headers, 'idempotency-key': input.key ?? newKey() },
    payload: {
      bankCode: input.bankCode ?? 'ICBC',
      accountNumber: input.accountNumber,
      accountName: input.accountName ?? PAYEE_NAME,
      amount: cny(input.amount),
      ...(input.note === undefined ? {} : { note: input.note }),
      ...(confirmation === null ? {} : { confirmation }),
    },
  });
}

/** `amount` is fen of CNY. */
function quote(holder: TestHolder, payload: Record<string, unknown> & { amount: string }) {
  return subject.app.inject({
    method: 'POST',
    url: '/v1/me/bank-transfers/quote',
    headers: holder.headers,
    payload: { bankCode: 'ICBC', accountName: PAYEE_NAME, ...payload, amount: cny(payload.amount) },
  });
}

async function fundingOf(holder: TestHolder, id: string): Promise<FundingJson> {
  const response = await subject.app.inject({
    method: 'GET',
    url: `/v1/me/funding/${id}`,
    headers: holder.headers,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<FundingJson>();
}

/** What the sandbox bank holds in the account with this (card) number. */
async function accountBalance(number: string): Promise<bigint> {
  const { cardToken } = await subject.bank.tokeniseCard(number);
  return (await subject.bank.balanceOf(cardToken)) ?? -1n;
}

async function lastOperationId(holder: TestHolder): Promise<string> {
  const { rows } = await subject.database.pool.query<{ id: string }>(
    `SELECT id FROM funding_operations WHERE user_id = $1 AND kind = 'bank_transfer'
      ORDER BY created_at DESC, id DESC LIMIT 1`,
    [holder.userId],
  );
  return rows[0]!.id;
}

describe('transfer to a bank account', () => {
  it('lists the banks, quotes the fee first, then sends with the PIN; history, notice and receipt follow', async () => {
    const banks = await subject.app.inject({ method: 'GET', url: '/v1/banks' });
    expect(banks.statusCode).toBe(200);
    const list = banks.json<{ banks: { code: string; name: { zh: string; en: string } }[] }>().banks;
    expect(list.length).toBeGreaterThanOrEqual(15);
    expect(list).toContainEqual({
      code: 'ICBC',
      name: { zh: '中国工商银行', en: 'Industrial and Commercial Bank of China' },
    });

    const holder = await fundedHolder();
    const number = cardNumber();
    const feesBefore = (await subject.ledger.getBalance(feeIncomeAccountId('CNY')))!.creditsPosted;
    const key = newKey();
    const quoted = await quote(holder, {
      accountNumber: `${number.slice(0, 4)} ${number.slice(4, 8)} ${number.slice(8)}`,
      amount: '50000',
      idempotencyKey: key,
    });
    expect(quoted.statusCode, quoted.body).toBe(200);
    const shown = quoted.json<{ payment: { id: string; payee: string } }>();
    expect(shown).toMatchObject({
      amount: { amount: '50000', currency: 'CNY' },
      fee: { amount: '50' }, // 0.1%
      total: { amount: '50050' },
      account: { maskedNumber: `**** ${number.slice(-4)}`, bankCode: 'ICBC', name: '*明' },
      confirmation: { factor: 'pin', accepted: ['pin'] },
      payment: { amount: '50000', currency: 'CNY' },
    });
    // The payee binds the whole account without revealing it.
    expect(shown.payment.payee).toMatch(new RegExp(`^bank:ICBC:${number.slice(-4)}:[0-9a-f]{32}$`));
    expect(shown.payment.payee).not.toContain(number);

    const sent = await bankTransfer(holder, { accountNumber: number, amount: '50000', note: '房租', key });
    expect(sent.statusCode, sent.body).toBe(201);
    const body = sent.json<FundingJson>();
    expect(body).toMatchObject({
      id: shown.payment.id,
      kind: 'bank_transfer',
      status: 'succeeded',
      fee: { amount: '50' },
      total: { amount: '50050' },
      card: null,
      note: '房租',
      account: { last4: number.slice(-4), name: '*明', bankName: { zh: '中国工商银行' } },
    });
    expect(body.timeline.map((t) => t.state)).toEqual(['created', 'held', 'bank_pending', 'succeeded']);
    expect(await walletBalance(subject, holder)).toEqual({ balance: '149950', available: '149950' });
    expect(await accountBalance(number)).toBe(OPENING_CARD_BALANCE + 50_000n);
    expect((await subject.ledger.getBalance(feeIncomeAccountId('CNY')))!.creditsPosted - feesBefore).toBe(
      50n,
    );
    expect(await notificationKinds(subject.app, holder)).toContain('funding.bank_transfer_succeeded');

    // The account number and name are sealed at rest.
    const { rows } = await subject.database.pool.query<Record<string, unknown>>(
      'SELECT * FROM funding_operations WHERE id = $1',
      [body.id],
    );
    const stored = JSON.stringify(rows[0], (_key, value: unknown) =>
      typeof value === 'bigint' ? value.toString() : value,
    );
    expect(stored).not.toContain(number);
    expect(stored).not.toContain(PAYEE_NAME);

    // History: the hold, its posting and the fee, described with the account and the note.
    const history = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/transactions?type=bank_transfer',
      headers: holder.headers,
    });
    expect(history.statusCode, history.body).toBe(200);
    const items = history.json<{
      transactions: {
        id: string;
        status: string;
        amount: { amount: string };
        counterparty: { displayName: string } | null;
        note: string | null;
        fundingId: string | null;
        label: { 'zh-CN': string };
      }[];
    }>().transactions;
    // One entry: the posted transfer (the hold it settled is its timeline's first step).
    expect(items.map((item) => item.status)).toEqual(['succeeded']);
    expect(items[0]).toMatchObject({
      amount: { amount: '50000' },
      counterparty: { displayName: `*明 · 中国工商银行 (${number.slice(-4)})` },
      note: '房租',
      fundingId: body.id,
      label: { 'zh-CN': '转账到银行卡' },
    });
    const fees = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/transactions?type=fee',
      headers: holder.headers,
    });
    expect(
      fees.json<{ transactions: { amount: { amount: string }; fundingId: string }[] }>().transactions[0],
    ).toMatchObject({ amount: { amount: '50' }, fundingId: body.id });
    const receipt = await subject.app.inject({
      method: 'GET',
      url: `/v1/me/transactions/${items[0]!.id}/receipt.pdf`,
      headers: holder.headers,
    });
    expect(receipt.statusCode).toBe(200);
    expect(receipt.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('refuses bad input with its own code, and nothing moves', async () => {
    const holder = await fundedHolder(100n);
    const good = cardNumber();
    const cases: [Record<string, string>, string, Record<string, unknown>?][] = [
      [{ bankCode: 'NOPE' }, 'BANK_CODE_UNKNOWN'],
      [{ accountNumber: '12345' }, 'BANK_ACCOUNT_NUMBER_INVALID', { reason: 'format' }],
      [{ accountNumber: '6222 0212 3456 789a' }, 'BANK_ACCOUNT_NUMBER_INVALID', { reason: 'format' }],
      [{ accountNumber: '6222021234567895' }, 'BANK_ACCOUNT_NUMBER_INVALID', { reason: 'checksum' }],
      [{ accountName: '李' }, 'ACCOUNT_NAME_INVALID'],
      [{ accountName: '李明2' }, 'ACCOUNT_NAME_INVALID'],
      [{ amount: '100000001' }, 'FUNDING_AMOUNT_INVALID'],
      [{ amount: '12.5' }, 'VALIDATION_FAILED'],
    ];
    for (const [change, code, details] of cases) {
      const payload = { accountNumber: good, amount: '1000', ...change };
      const previewed = await quote(holder, payload);
      expect(previewed.statusCode, `${JSON.stringify(change)} ${previewed.body}`).toBe(400);
      expect(previewed.json()).toMatchObject({ error: { code, ...(details ? { details } : {}) } });
      const sent = await bankTransfer(holder, {
        accountNumber: payload.accountNumber,
        amount: payload.amount,
        ...(change.bankCode ? { bankCode: change.bankCode } : {}),
        ...(change.accountName ? { accountName: change.accountName } : {}),
      });
      expect(sent.json(), JSON.stringify(change)).toMatchObject({ error: { code } });
    }
    const noKey = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/bank-transfers',
      headers: holder.headers,
      payload: { bankCode: 'ICBC', accountNumber: good, accountName: PAYEE_NAME, amount: cny('100') },
    });
    expect(noKey.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REQUIRED' } });
    const unconfirmed = await bankTransfer(holder, {
      accountNumber: good,
      amount: '100',
      confirmation: null,
    });
    expect(unconfirmed.json()).toMatchObject({
      error: { code: 'FACTOR_NOT_ACCEPTED', details: { accepted: ['pin'] } },
    });
    const wrongPin = await bankTransfer(holder, {
      accountNumber: good,
      amount: '100',
      confirmation: { pin: '999999' },
    });
    expect(wrongPin.json()).toMatchObject({ error: { code: 'PIN_INCORRECT' } });
    // ¥100.00 in the wallet: ¥100.00 plus its ¥0.10 fee is more than that.
    const short = await bankTransfer(holder, { accountNumber: good, amount: '10000' });
    expect(short.statusCode).toBe(422);
    expect(short.json()).toMatchObject({ error: { code: 'INSUFFICIENT_FUNDS' } });
    // T2's single payment: 50,000.00
    const single = await quote(holder, { accountNumber: good, amount: '5000001' });
    expect(single.json()).toMatchObject({
      refusal: { code: 'LIMIT_EXCEEDED', details: { limit: 'single' } },
    });
    expect((await bankTransfer(holder, { accountNumber: good, amount: '5000001' })).json()).toMatchObject({
      error: { code: 'LIMIT_EXCEEDED', details: { limit: 'single' } },
    });
    expect(await walletBalance(subject, holder)).toEqual({ balance: '10000', available: '10000' });
    expect(await accountBalance(good)).toBe(OPENING_CARD_BALANCE);

    // T0 (phone only) may not send money out of the wallet.
    const t0 = await holderWithPin(subject, TEST_PIN);
    const refused = await bankTransfer(t0, { accountNumber: good, amount: '100' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: 'KYC_TIER_TOO_LOW' } });
    expect((await quote(t0, { accountNumber: good, amount: '100' })).json()).toMatchObject({
      error: { code: 'KYC_TIER_TOO_LOW' },
    });
    // Every refusal came before the operation's row, but the short balance: the ledger refused its hold.
    const { rows } = await subject.database.pool.query<{ state: string; failure_code: string }>(
      `SELECT state, failure_code FROM funding_operations WHERE user_id = ANY($1::uuid[]) AND kind = 'bank_transfer'`,
      [[holder.userId, t0.userId]],
    );
    expect(rows).toEqual([{ state: 'failed', failure_code: 'INSUFFICIENT_FUNDS' }]);
  });

  it('counts toward the daily limit together with top-ups, atomically in the ledger', async () => {
    const { holder, cardId } = await holderWithCard(subject);
    // T2: 50,000.00 a payment, 100,000.00 a day. Top-ups count toward the day too: one today,
    // one tomorrow (the session kept alive in between), so the wallet holds more than is left.
    expect((await fund(subject, holder, { kind: 'top-ups', cardId, amount: '5000000' })).statusCode).toBe(
      201,
    );
    subject.clock.advance(12 * 3600);
    await walletBalance(subject, holder);
    subject.clock.advance(12 * 3600);
    expect((await fund(subject, holder, { kind: 'top-ups', cardId, amount: '5000000' })).statusCode).toBe(
      201,
    );
    const first = await bankTransfer(holder, { accountNumber: cardNumber(), amount: '4900000' });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ fee: { amount: '2500' } }); // 0.1% capped at 25.00
    const over = await bankTransfer(holder, { accountNumber: cardNumber(), amount: '100001' });
    expect(over.statusCode).toBe(422);
    expect(over.json()).toMatchObject({
      error: { code: 'LIMIT_EXCEEDED', details: { limit: 'daily', remaining: { amount: '100000' } } },
    });
    expect(await walletBalance(subject, holder)).toEqual({ balance: '5097500', available: '5097500' });
  });

  it('the same Idempotency-Key 20 times at once makes one transfer; another body with it is refused', async () => {
    const holder = await fundedHolder();
    const number = cardNumber();
    const key = newKey();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => bankTransfer(holder, { accountNumber: number, amount: '12345', key })),
    );
    const codes = responses.map((r) => r.statusCode);
    expect(codes.filter((code) => code === 201).length).toBeGreaterThanOrEqual(1);
    expect(
      codes.every((code) => code === 201 || code === 409),
      codes.join(),
    ).toBe(true);
    const again = await bankTransfer(holder, { accountNumber: number, amount: '12345', key });
    expect(again.statusCode).toBe(201);
    const other = await bankTransfer(holder, { accountNumber: number, amount: '12346', key });
    expect(other.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    const { rows } = await subject.database.pool.query(
      `SELECT id FROM funding_operations WHERE user_id = $1 AND kind = 'bank_transfer'`,
      [holder.userId],
    );
    expect(rows).toHaveLength(1);
    expect(await walletBalance(subject, holder)).toEqual({
      balance: String(200000 - 12345 - 12),
      available: String(200000 - 12345 - 12),
    });
    expect(await accountBalance(number)).toBe(OPENING_CARD_BALANCE + 12_345n);
  });
});

describe('failed and refunded', () => {
  it('0028: the bank refuses the name at once → FUNDING_DECLINED, the money is back, status refunded', async () => {
    const holder = await fundedHolder();
    const number = cardNumber('0028', '622848');
    const response = await bankTransfer(holder, { accountNumber: number, amount: '30000', bankCode: 'ABC' });
    expect(response.statusCode).toBe(422);
    const error = response.json<{ error: { code: string; details: { reason: string; fundingId: string } } }>()
      .error;
    expect(error).toMatchObject({ code: 'FUNDING_DECLINED', details: { reason: 'NAME_MISMATCH' } });
    const view = await fundingOf(holder, error.details.fundingId);
    expect(view.status).toBe('refunded');
    expect(view.timeline.map((t) => [t.state, t.status])).toEqual([
      ['created', 'processing'],
      ['held', 'processing'],
      ['bank_pending', 'processing'],
      ['voiding', 'failed'],
      ['failed', 'refunded'],
    ]);
    expect(await walletBalance(subject, holder)).toEqual({ balance: '200000', available: '200000' });
    expect(await accountBalance(number)).toBe(OPENING_CARD_BALANCE);
    expect(await notificationKinds(subject.app, holder)).toContain('funding.bank_transfer_failed');
    // History shows the release (the hold is the first step of its timeline).
    const history = await subject.app.inject({
      method: 'GET',
      url: '/v1/me/transactions?type=bank_transfer',
      headers: holder.headers,
    });
    expect(history.json<{ transactions: { status: string }[] }>().transactions.map((t) => t.status)).toEqual([
      'released',
    ]);
  });

  it('0085: a closed account → ACCOUNT_INVALID, refunded', async () => {
    const holder = await fundedHolder();
    const response = await bankTransfer(holder, {
      accountNumber: cardNumber('0085', '622909'),
      amount: '100',
    });
    expect(response.json()).toMatchObject({
      error: { code: 'FUNDING_DECLINED', details: { reason: 'ACCOUNT_INVALID' } },
    });
    expect(await walletBalance(subject, holder)).toEqual({ balance: '200000', available: '200000' });
  });

  it('0051: processing (202), then the bank fails it later → the worker refunds', async () => {
    const holder = await fundedHolder();
    const number = cardNumber('0051', '621799');
    const response = await bankTransfer(holder, { accountNumber: number, amount: '20000', bankCode: 'PSBC' });
    expect(response.statusCode, response.body).toBe(202);
    const id = response.json<FundingJson>().id;
    expect(response.json()).toMatchObject({ status: 'processing' });
    expect(await walletBalance(subject, holder)).toEqual({ balance: '200000', available: '179980' });
    await recoverNow(subject); // an hour later: the bank's pending delay has passed
    const view = await fundingOf(holder, id);
    expect(view.status).toBe('refunded');
    expect(view.timeline.map((t) => t.status)).toEqual([
      'processing',
      'processing',
      'processing',
      'failed',
      'refunded',
    ]);
    expect(await walletBalance(subject, holder)).toEqual({ balance: '200000', available: '200000' });
    expect(await accountBalance(number)).toBe(OPENING_CARD_BALANCE);
  });

  it('0044: processing (202), then succeeded', async () => {
    const holder = await fundedHolder();
    const number = cardNumber('0044', '621483');
    const response = await bankTransfer(holder, { accountNumber: number, amount: '20000', bankCode: 'CMB' });
    expect(response.statusCode).toBe(202);
    await recoverNow(subject);
    expect((await fundingOf(holder, response.json<FundingJson>().id)).status).toBe('succeeded');
    expect(await walletBalance(subject, holder)).toEqual({ balance: '179980', available: '179980' });
    expect(await accountBalance(number)).toBe(OPENING_CARD_BALANCE + 20_000n);
  });
});

describe('crash points of a bank transfer and the recovery worker', () => {
  async function crashing(hooks: typeof subject.hooks, number = cardNumber()) {
    const holder = await fundedHolder();
    Object.assign(subject.hooks, hooks);
    const response = await bankTransfer(holder, { accountNumber: number, amount: '7700' });
    return { holder, number, response };
  }
  const AFTER = { balance: String(200000 - 7700 - 10), available: String(200000 - 7700 - 10) };
  const UNTOUCHED = { balance: '200000', available: '200000' };

  it('after the hold, before the bank call: refunded, nothing reached the account', async () => {
    const { holder, number, response } = await crashing({ afterHold: crash });
    expect(response.statusCode).toBe(500);
    expect((await walletBalance(subject, holder)).available).toBe(AFTER.available);
    await recoverNow(subject);
    expect((await fundingOf(holder, await lastOperationId(holder))).status).toBe('refunded');
    expect(await walletBalance(subject, holder)).toEqual(UNTOUCHED);
    expect(await accountBalance(number)).toBe(OPENING_CARD_BALANCE);
  });

  it('marked bank_pending, bank never called: the worker sends it once', async () => {
    const { holder, number, response } = await crashing({ beforeBankCall: crash });
    expect(response.statusCode).toBe(500);
    await recoverNow(subject);
    await recoverNow(subject);
    expect((await fundingOf(holder, await lastOperationId(holder))).status).toBe('succeeded');
    expect(await walletBalance(subject, holder)).toEqual(AFTER);
    expect(await accountBalance(number)).toBe(OPENING_CARD_BALANCE + 7700n);
  });

  it('after the bank call (answer lost in our process): the worker asks the bank and posts', async () => {
    const { holder, number, response } = await crashing({ afterBankCall: crash });
    expect(response.statusCode).toBe(500);
    expect(await accountBalance(number)).toBe(OPENING_CARD_BALANCE + 7700n);
    await recoverNow(subject);
    expect(await walletBalance(subject, holder)).toEqual(AFTER);
    expect(await accountBalance(number)).toBe(OPENING_CARD_BALANCE + 7700n);
  });

  it('before the post: the worker posts amount and fee exactly once', async () => {
    const { holder, number, response } = await crashing({ beforePost: crash });
    expect(response.statusCode).toBe(500);
    delete subject.hooks.beforePost;
    await recoverNow(subject);
    await recoverNow(subject);
    expect(await walletBalance(subject, holder)).toEqual(AFTER);
    expect(await accountBalance(number)).toBe(OPENING_CARD_BALANCE + 7700n);
  });

  it('0036: the bank times out but succeeded → processing, then posted', async () => {
    const { holder, number, response } = await crashing({}, cardNumber('0036', '621661'));
    expect(response.statusCode).toBe(202);
    await recoverNow(subject);
    expect(await walletBalance(subject, holder)).toEqual(AFTER);
    expect(await accountBalance(number)).toBe(OPENING_CARD_BALANCE + 7700n);
  });

  it('0077: the bank times out and failed → refunded', async () => {
    const { holder, number, response } = await crashing({}, cardNumber('0077', '622690'));
    expect(response.statusCode).toBe(202);
    await recoverNow(subject);
    expect((await fundingOf(holder, await lastOperationId(holder))).status).toBe('refunded');
    expect(await walletBalance(subject, holder)).toEqual(UNTOUCHED);
    expect(await accountBalance(number)).toBe(OPENING_CARD_BALANCE);
  });
});

describe('reconciliation of bank transfers', () => {
  it('matches credit_account lines with our transfers and finds a planted difference', async () => {
    const holder = await fundedHolder();
    const sent = await bankTransfer(holder, { accountNumber: cardNumber(), amount: '4200' });
    const declined = await bankTransfer(holder, {
      accountNumber: cardNumber('0028', '622848'),
      amount: '4300',
    });
    expect(sent.statusCode).toBe(201);
    expect(declined.statusCode).toBe(422);
    const sentId = sent.json<FundingJson>().id;
    const store = new FundingStore(subject.database.pool);
    const date = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(subject.clock.now());
    const reconcile = () => reconcileFunding({ store, bank: subject.bank, date, now: subject.clock.now() });

    const clean = await reconcile();
    expect(clean.otherLines).toBe(0);
    const flagged = [...clean.missing, ...clean.extra, ...clean.amountMismatch, ...clean.statusMismatch].map(
      (item) => item.operationId,
    );
    expect(flagged).not.toContain(sentId);
    expect(clean.bankLines).toBeGreaterThanOrEqual(2);

    await subject.database.pool.query('UPDATE funding_operations SET amount_minor = 4201 WHERE id = $1', [
      sentId,
    ]);
    try {
      const report = await reconcile();
      expect(report.amountMismatch.map((item) => [item.operationId, item.kind])).toContainEqual([
        sentId,
        'credit_account',
      ]);
    } finally {
      await subject.database.pool.query('UPDATE funding_operations SET amount_minor = 4200 WHERE id = $1', [
        sentId,
      ]);
    }
  });
});
