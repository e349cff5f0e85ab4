import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '@qianbao/db';
import { createTestDatabase } from '../../../../../test/support/database.ts';
import type { TestDatabase } from '../../../../../test/support/database.ts';
import { SecretBox } from '../../crypto/secret-box.ts';
import { BankRequestError, BankTimeoutError, BankUnavailableError } from './bank.ts';
import type { BankOutcome } from './bank.ts';
import { bankSandboxMigrations } from './migrations.ts';
import { CARD_NUMBER_PURPOSE, SANDBOX_DEFAULT_OPENING_BALANCE_MINOR, SandboxBank } from './sandbox.ts';
import type { SandboxBankOptions } from './sandbox.ts';
import { ManualClock, sandboxCardNumber } from './testing.ts';

let db: TestDatabase;
const box = new SecretBox(randomBytes(32));
const banks: SandboxBank[] = [];
/** Every card or account number these tests hand the bank: none may appear in clear in a table. */
const numbersUsed = new Set<string>();

function makeBank(options: Partial<SandboxBankOptions> = {}): SandboxBank {
  const bank = new SandboxBank({
    pool: db.pool,
    secretBox: box,
    latencyMs: { min: 0, max: 0 },
    timeoutAfterMs: 0,
    pendingDelayMs: 60_000,
    ...options,
  });
  banks.push(bank);
  return bank;
}

function card(bin?: string, last4?: string): string {
  const number = sandboxCardNumber(bin, last4);
  numbersUsed.add(number);
  return number;
}

function opId(): string {
  return `op-${randomUUID()}`;
}

async function tokenOf(bank: SandboxBank, number: string): Promise<string> {
  return (await bank.tokeniseCard(number)).cardToken;
}

async function operationRow(operationId: string): Promise<{ status: string; failure_reason: string | null }> {
  const { rows } = await db.pool.query<{ status: string; failure_reason: string | null }>(
    'SELECT status, failure_reason FROM bank_sandbox_operations WHERE operation_id = $1',
    [operationId],
  );
  return rows[0]!;
}

const debit = (bank: SandboxBank, cardToken: string, amountMinor: bigint, operationId = opId()) =>
  bank.debitCard({ operationId, cardToken, amountMinor, currency: 'CNY', description: 'Qianbao top-up' });
const credit = (bank: SandboxBank, cardToken: string, amountMinor: bigint, operationId = opId()) =>
  bank.creditCard({ operationId, cardToken, amountMinor, currency: 'CNY' });

beforeAll(async () => {
  db = await createTestDatabase(12);
  // Idempotent: skipped once the lead adds bankSandboxMigrations to the global list.
  await migrate(db.pool, bankSandboxMigrations);
});

afterAll(async () => {
  for (const bank of banks) await bank.close();
  await db.drop();
});

describe('tokenisation', () => {
  it('gives one stable token per card number, with the BIN and last 4', async () => {
    const bank = makeBank();
    const number = card('622588');
    const first = await bank.tokeniseCard(number);
    expect(first).toEqual({
      cardToken: expect.stringMatching(/^bct_[A-Za-z0-9_-]{32}$/) as unknown,
      last4: number.slice(-4),
      bin: '622588',
    });
    const spaced = number.replace(/(\d{4})(?=\d)/g, '$1 ');
    const again = await Promise.all(Array.from({ length: 5 }, () => bank.tokeniseCard(spaced)));
    for (const token of again) expect(token).toEqual(first);
    expect(await bank.balanceOf(first.cardToken)).toBe(SANDBOX_DEFAULT_OPENING_BALANCE_MINOR);
  });

  it('refuses a number that fails Luhn, without echoing it', async () => {
    const bank = makeBank();
    const error = await bank.tokeniseCard('6222021234567895').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BankRequestError);
    expect((error as BankRequestError).code).toBe('INVALID_REQUEST');
    expect((error as Error).message).not.toContain('6222021234567895');
  });
});

describe('four-factor verification', () => {
  const person = { holderName: '张三', idNumber: '11010519491231002X', phone: '13800138000' };

  it('matches a well-formed request and refuses bad ones', async () => {
    const bank = makeBank();
    const number = card();
    const match = await bank.verifyCard({ ...person, cardNumber: number });
    expect(match.result).toBe('MATCH');
    expect(match.bankReference).toMatch(/^SBV\d{8}[0-9A-F]{12}$/);
    expect((await bank.verifyCard({ ...person, cardNumber: '6222021234567895' })).result).toBe(
      'CARD_INVALID',
    );
    expect((await bank.verifyCard({ ...person, cardNumber: number, holderName: '测试不符' })).result).toBe(
      'MISMATCH',
    );
    expect((await bank.verifyCard({ ...person, cardNumber: number, phone: '12345' })).result).toBe(
      'MISMATCH',
    );
    await expect(
      bank.verifyCard({ ...person, cardNumber: number, holderName: 'x'.repeat(101) }),
    ).rejects.toThrow(BankRequestError);
  });

  it('answers by the magic endings', async () => {
    const bank = makeBank();
    const cases = [
      ['0010', 'CARD_FROZEN'],
      ['0028', 'MISMATCH'],
      ['0069', 'UNAVAILABLE'],
      ['0085', 'CARD_INVALID'],
      ['0093', 'MATCH'],
      ['0036', 'MATCH'],
    ] as const;
    for (const [last4, result] of cases) {
      expect((await bank.verifyCard({ ...person, cardNumber: card('621700', last4) })).result).toBe(result);
    }
  });
});

describe('money', () => {
  it('top-up moves money from the card to the settlement account; withdrawal and transfer back', async () => {
    const bank = makeBank();
    const token = await tokenOf(bank, card());
    const settlementBefore = await bank.settlementBalance();

    const topUp = await debit(bank, token, 12_345n);
    expect(topUp).toEqual({
      status: 'succeeded',
      bankReference: expect.stringMatching(/^SBX\d{8}/) as unknown,
    });
    expect(await bank.balanceOf(token)).toBe(SANDBOX_DEFAULT_OPENING_BALANCE_MINOR - 12_345n);
    expect(await bank.settlementBalance()).toBe(settlementBefore + 12_345n);

    expect((await credit(bank, token, 345n)).status).toBe('succeeded');
    expect(await bank.balanceOf(token)).toBe(SANDBOX_DEFAULT_OPENING_BALANCE_MINOR - 12_000n);

    const account = '1100 2233 4455 6677';
    numbersUsed.add(account.replaceAll(' ', ''));
    const operationId = opId();
    const transfer = await bank.creditBankAccount({
      operationId,
      accountNumber: account,
      accountName: '李四',
      bankCode: 'ABC',
      amountMinor: 5_000n,
      currency: 'CNY',
    });
    expect(transfer.status).toBe('succeeded');
    expect(await bank.settlementBalance()).toBe(settlementBefore + 12_000n - 5_000n);
    const accounts = await bank.listAccountsEndingIn('6677');
    expect(accounts).toEqual([
      expect.objectContaining({ number: '**** 6677', kind: 'account', balanceMinor: 5_000n }),
    ]);

    expect(await bank.getOperation(operationId)).toMatchObject({
      operationId,
      kind: 'credit_account',
      status: 'succeeded',
      amountMinor: 5_000n,
      currency: 'CNY',
      bankReference: transfer.bankReference,
    });
    expect(await bank.getOperation('never-sent')).toBeNull();
  });

  it('a transfer to a card number credits that card', async () => {
    const bank = makeBank();
    const number = card('621483');
    const token = await tokenOf(bank, number);
    const outcome = await bank.creditBankAccount({
      operationId: opId(),
      accountNumber: number,
      accountName: '王五',
      bankCode: 'CMB',
      amountMinor: 100n,
      currency: 'CNY',
    });
    expect(outcome.status).toBe('succeeded');
    expect(await bank.balanceOf(token)).toBe(SANDBOX_DEFAULT_OPENING_BALANCE_MINOR + 100n);
  });

  it('declines by rule: limits, currency, unknown card, unroutable account', async () => {
    const bank = makeBank();
    const token = await tokenOf(bank, card());
    expect(await debit(bank, token, 66_666n)).toMatchObject({
      status: 'failed',
      failureReason: 'LIMIT_EXCEEDED',
    });
    expect(await debit(bank, token, 100_000_001n)).toMatchObject({
      status: 'failed',
      failureReason: 'LIMIT_EXCEEDED',
    });
    await credit(bank, token, 100_000_000n);
    expect((await debit(bank, token, 100_000_000n)).status).toBe('succeeded');
    expect(
      await bank.debitCard({
        operationId: opId(),
        cardToken: token,
        amountMinor: 100n,
        currency: 'USD',
        description: '',
      }),
    ).toMatchObject({ status: 'failed', failureReason: 'CURRENCY_UNSUPPORTED' });
    const unknown = `bct_${'A'.repeat(32)}`;
    expect(await debit(bank, unknown, 100n)).toMatchObject({
      status: 'failed',
      failureReason: 'CARD_INVALID',
    });
    const transfer = (accountNumber: string, bankCode: string) =>
      bank.creditBankAccount({
        operationId: opId(),
        accountNumber,
        accountName: '李四',
        bankCode,
        amountMinor: 100n,
        currency: 'CNY',
      });
    expect(await transfer('6222021234567895', 'ICBC')).toMatchObject({ failureReason: 'ACCOUNT_INVALID' });
    expect(await transfer('11002233445566', 'NOBANK')).toMatchObject({ failureReason: 'ACCOUNT_INVALID' });
    expect(await bank.balanceOf(token)).toBe(SANDBOX_DEFAULT_OPENING_BALANCE_MINOR);
  });

  it('refuses malformed requests before anything happens', async () => {
    const bank = makeBank();
    const token = await tokenOf(bank, card());
    for (const amountMinor of [0n, -1n, 2n ** 60n]) {
      await expect(debit(bank, token, amountMinor)).rejects.toThrow(BankRequestError);
    }
    await expect(debit(bank, token, 100n, 'bad id with spaces')).rejects.toThrow(BankRequestError);
    await expect(debit(bank, token, 100n, 'x'.repeat(101))).rejects.toThrow(BankRequestError);
    await expect(debit(bank, 'bct_short', 100n)).rejects.toThrow(BankRequestError);
    await expect(
      bank.debitCard({
        operationId: opId(),
        cardToken: token,
        amountMinor: 1n,
        currency: 'CNY',
        description: 'x'.repeat(141),
      }),
    ).rejects.toThrow(BankRequestError);
    await expect(
      bank.creditBankAccount({
        operationId: opId(),
        accountNumber: '12 34',
        accountName: '李四',
        bankCode: 'ICBC',
        amountMinor: 1n,
        currency: 'CNY',
      }),
    ).rejects.toThrow(BankRequestError);
    expect(await bank.balanceOf(token)).toBe(SANDBOX_DEFAULT_OPENING_BALANCE_MINOR);
  });
});

describe('magic cards', () => {
  it('…0002 opens at 0.00: top-ups decline INSUFFICIENT_FUNDS until money arrives', async () => {
    const bank = makeBank();
    const token = await tokenOf(bank, card('622202', '0002'));
    expect(await bank.balanceOf(token)).toBe(0n);
    expect(await debit(bank, token, 100n)).toMatchObject({
      status: 'failed',
      failureReason: 'INSUFFICIENT_FUNDS',
    });
    expect((await credit(bank, token, 150n)).status).toBe('succeeded');
    expect((await debit(bank, token, 100n)).status).toBe('succeeded');
    expect(await debit(bank, token, 51n)).toMatchObject({ failureReason: 'INSUFFICIENT_FUNDS' });
    expect(await bank.balanceOf(token)).toBe(50n);
  });

  it('…0010 and …0093 are frozen; …0085 is cancelled; nothing moves', async () => {
    const bank = makeBank();
    for (const [last4, reason] of [
      ['0010', 'CARD_FROZEN'],
      ['0093', 'CARD_FROZEN'],
      ['0085', 'CARD_INVALID'],
    ] as const) {
      const token = await tokenOf(bank, card('621700', last4));
      expect(await debit(bank, token, 100n)).toMatchObject({ status: 'failed', failureReason: reason });
      expect(await credit(bank, token, 100n)).toMatchObject({ status: 'failed', failureReason: reason });
      expect(await bank.balanceOf(token)).toBe(SANDBOX_DEFAULT_OPENING_BALANCE_MINOR);
    }
  });

  it('…0028 is the wrong name for a transfer to a bank account; …0085 a closed account', async () => {
    const bank = makeBank();
    const transfer = (accountNumber: string) =>
      bank.creditBankAccount({
        operationId: opId(),
        accountNumber,
        accountName: '李四',
        bankCode: 'ABC',
        amountMinor: 100n,
        currency: 'CNY',
      });
    expect(await transfer(card('622848', '0028'))).toMatchObject({
      status: 'failed',
      failureReason: 'NAME_MISMATCH',
    });
    numbersUsed.add('3300998877660028');
    expect(await transfer('3300998877660028')).toMatchObject({ failureReason: 'NAME_MISMATCH' });
    expect(await transfer(card('622848', '0085'))).toMatchObject({ failureReason: 'ACCOUNT_INVALID' });
  });

  it('…0036 times out although the money moved; getOperation and a replay say succeeded', async () => {
    const bank = makeBank();
    const token = await tokenOf(bank, card('621661', '0036'));
    const operationId = opId();
    const error = await debit(bank, token, 700n, operationId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BankTimeoutError);
    expect((error as BankTimeoutError).operationId).toBe(operationId);
    expect(await bank.balanceOf(token)).toBe(SANDBOX_DEFAULT_OPENING_BALANCE_MINOR - 700n);
    const operation = await bank.getOperation(operationId);
    expect(operation).toMatchObject({ status: 'succeeded', amountMinor: 700n, kind: 'debit_card' });
    expect(await debit(bank, token, 700n, operationId)).toEqual({
      status: 'succeeded',
      bankReference: operation!.bankReference,
    });
    expect(await bank.balanceOf(token)).toBe(SANDBOX_DEFAULT_OPENING_BALANCE_MINOR - 700n);
  });

  it('…0077 times out and the operation failed; nothing moved', async () => {
    const bank = makeBank();
    const token = await tokenOf(bank, card('622690', '0077'));
    const operationId = opId();
    await expect(credit(bank, token, 900n, operationId)).rejects.toBeInstanceOf(BankTimeoutError);
    expect(await bank.getOperation(operationId)).toMatchObject({
      status: 'failed',
      failureReason: 'DECLINED',
    });
    expect(await bank.balanceOf(token)).toBe(SANDBOX_DEFAULT_OPENING_BALANCE_MINOR);
  });

  it('…0069: the bank is unavailable, the request never arrives', async () => {
    const bank = makeBank();
    const number = card('622262', '0069');
    const token = await tokenOf(bank, number);
    const operationId = opId();
    const error = await debit(bank, token, 100n, operationId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BankUnavailableError);
    expect((error as BankUnavailableError).retryAfterSeconds).toBeGreaterThan(0);
    expect(await bank.getOperation(operationId)).toBeNull();
    await expect(
      bank.sendCardSmsCode({ cardNumber: number, phone: '13800138000', purpose: 'bind' }),
    ).rejects.toThrow(BankUnavailableError);
    expect(await bank.balanceOf(token)).toBe(SANDBOX_DEFAULT_OPENING_BALANCE_MINOR);
  });

  it('…0044 answers pending and the timer completes it', async () => {
    const bank = makeBank({ pendingDelayMs: 50 });
    const token = await tokenOf(bank, card('621483', '0044'));
    const operationId = opId();
    const outcome = await debit(bank, token, 1_000n, operationId);
    expect(outcome.status).toBe('pending');
    expect(await bank.balanceOf(token)).toBe(SANDBOX_DEFAULT_OPENING_BALANCE_MINOR);
    // Read the table, not getOperation (which would complete it lazily): the timer must do it.
    const deadline = Date.now() + 5_000;
    while ((await operationRow(operationId)).status === 'pending' && Date.now() < deadline) await sleep(20);
    expect(await operationRow(operationId)).toEqual({ status: 'succeeded', failure_reason: null });
    expect(await bank.balanceOf(token)).toBe(SANDBOX_DEFAULT_OPENING_BALANCE_MINOR - 1_000n);
    expect(await bank.getOperation(operationId)).toMatchObject({
      status: 'succeeded',
      bankReference: outcome.bankReference,
    });
  });

  it('…0044 completes lazily after a restart, once, at its scheduled time', async () => {
    const clock = new ManualClock();
    const before = makeBank({ now: clock.now, pendingDelayMs: 60_000 });
    const token = await tokenOf(before, card('621483', '0044'));
    const operationId = opId();
    expect((await credit(before, token, 2_500n, operationId)).status).toBe('pending');
    await before.close(); // the process stops; its timer never fires

    const after = makeBank({ now: clock.now, pendingDelayMs: 60_000 });
    expect(await after.getOperation(operationId)).toMatchObject({ status: 'pending', completedAt: null });
    clock.advance(61_000);
    const results = await Promise.all(Array.from({ length: 10 }, () => after.getOperation(operationId)));
    for (const result of results) expect(result).toMatchObject({ status: 'succeeded' });
    const completedAt = results[0]!.completedAt!;
    expect(completedAt.getTime() - results[0]!.createdAt.getTime()).toBe(60_000);
    expect(await after.balanceOf(token)).toBe(SANDBOX_DEFAULT_OPENING_BALANCE_MINOR + 2_500n);
    expect(await credit(after, token, 2_500n, operationId)).toMatchObject({ status: 'succeeded' });
    expect(await after.balanceOf(token)).toBe(SANDBOX_DEFAULT_OPENING_BALANCE_MINOR + 2_500n);
  });

  it('…0051 answers pending, then fails DECLINED; nothing moves', async () => {
    const clock = new ManualClock();
    const bank = makeBank({ now: clock.now, pendingDelayMs: 10_000 });
    const token = await tokenOf(bank, card('621799', '0051'));
    const operationId = opId();
    expect((await debit(bank, token, 300n, operationId)).status).toBe('pending');
    expect((await bank.getOperation(operationId))?.status).toBe('pending');
    clock.advance(10_000);
    expect(await bank.getOperation(operationId)).toMatchObject({
      status: 'failed',
      failureReason: 'DECLINED',
    });
    expect(await bank.balanceOf(token)).toBe(SANDBOX_DEFAULT_OPENING_BALANCE_MINOR);
  });

  it('completeOverdue resolves every due pending operation', async () => {
    const clock = new ManualClock();
    const bank = makeBank({ now: clock.now, pendingDelayMs: 5_000 });
    const token = await tokenOf(bank, card('621483', '0044'));
    const ids = Array.from({ length: 3 }, () => opId());
    for (const id of ids) await debit(bank, token, 10n, id);
    await bank.close();
    clock.advance(5_000);
    expect(await bank.completeOverdue()).toBeGreaterThanOrEqual(3);
    for (const id of ids) expect((await operationRow(id)).status).toBe('succeeded');
    expect(await bank.balanceOf(token)).toBe(SANDBOX_DEFAULT_OPENING_BALANCE_MINOR - 30n);
  });
});

describe('idempotency and concurrency', () => {
  it('the same operationId 20 times at once moves money once and answers the same', async () => {
    const bank = makeBank();
    const token = await tokenOf(bank, card());
    const operationId = opId();
    const settlementBefore = await bank.settlementBalance();
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => debit(bank, token, 4_200n, operationId)),
    );
    for (const outcome of outcomes) expect(outcome).toEqual(outcomes[0]);
    expect(outcomes[0]!.status).toBe('succeeded');
    expect(await bank.balanceOf(token)).toBe(SANDBOX_DEFAULT_OPENING_BALANCE_MINOR - 4_200n);
    expect(await bank.settlementBalance()).toBe(settlementBefore + 4_200n);
    const { rows } = await db.pool.query('SELECT 1 FROM bank_sandbox_operations WHERE operation_id = $1', [
      operationId,
    ]);
    expect(rows).toHaveLength(1);
  });

  it('the same operationId 20 times for a transfer to a new account: one account, one movement', async () => {
    const bank = makeBank();
    const accountNumber = '55667788990011';
    numbersUsed.add(accountNumber);
    const operationId = opId();
    const request = {
      operationId,
      accountNumber,
      accountName: '赵六',
      bankCode: 'CCB',
      amountMinor: 777n,
      currency: 'CNY',
    };
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => bank.creditBankAccount(request)));
    for (const outcome of outcomes) expect(outcome).toEqual(outcomes[0]);
    expect(await bank.listAccountsEndingIn('0011')).toEqual([
      expect.objectContaining({ balanceMinor: 777n }),
    ]);
  });

  it('a lost answer replayed 20 times at once: one movement, one timeout at most per first caller', async () => {
    const bank = makeBank();
    const token = await tokenOf(bank, card('621661', '0036'));
    const operationId = opId();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => debit(bank, token, 50n, operationId)),
    );
    const timeouts = results.filter((r) => r.status === 'rejected');
    expect(timeouts).toHaveLength(1);
    expect((timeouts[0] as PromiseRejectedResult).reason).toBeInstanceOf(BankTimeoutError);
    for (const result of results) {
      if (result.status === 'fulfilled') expect(result.value.status).toBe('succeeded');
    }
    expect(await bank.balanceOf(token)).toBe(SANDBOX_DEFAULT_OPENING_BALANCE_MINOR - 50n);
  });

  it('the same operationId with different content is a conflict', async () => {
    const bank = makeBank();
    const token = await tokenOf(bank, card());
    const other = await tokenOf(bank, card());
    const operationId = opId();
    await debit(bank, token, 100n, operationId);
    for (const attempt of [
      () => debit(bank, token, 101n, operationId),
      () => debit(bank, other, 100n, operationId),
      () => credit(bank, token, 100n, operationId),
    ]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BankRequestError);
      expect((error as BankRequestError).code).toBe('OPERATION_CONFLICT');
    }
    expect(await bank.balanceOf(token)).toBe(SANDBOX_DEFAULT_OPENING_BALANCE_MINOR - 100n);
  });

  it('a failure is replayed as the same failure, even after the card could pay', async () => {
    const bank = makeBank();
    const token = await tokenOf(bank, card('622202', '0002'));
    const operationId = opId();
    expect((await debit(bank, token, 100n, operationId)).status).toBe('failed');
    await credit(bank, token, 1_000n);
    expect(await debit(bank, token, 100n, operationId)).toMatchObject({
      failureReason: 'INSUFFICIENT_FUNDS',
    });
    expect(await bank.balanceOf(token)).toBe(1_000n);
  });

  it('balances never go negative: 30 top-ups of 10.00 at once from a card holding 100.00 → exactly 10', async () => {
    const bank = makeBank();
    const token = await tokenOf(bank, card('622202', '0002'));
    await credit(bank, token, 10_000n);
    const outcomes: BankOutcome[] = await Promise.all(
      Array.from({ length: 30 }, () => debit(bank, token, 1_000n)),
    );
    expect(outcomes.filter((o) => o.status === 'succeeded')).toHaveLength(10);
    expect(outcomes.filter((o) => o.failureReason === 'INSUFFICIENT_FUNDS')).toHaveLength(20);
    expect(await bank.balanceOf(token)).toBe(0n);
    const { rows } = await db.pool.query<{ negative: number }>(
      `SELECT (SELECT count(*) FROM bank_sandbox_accounts WHERE balance_minor < 0)
            + (SELECT count(*) FROM bank_sandbox_settlement_accounts WHERE balance_minor < 0) AS negative`,
    );
    expect(Number(rows[0]!.negative)).toBe(0);
  });

  it('withdrawals stop at the settlement account balance', async () => {
    const settlementDb = await createTestDatabase(4);
    try {
      await migrate(settlementDb.pool, bankSandboxMigrations);
      const bank = new SandboxBank({
        pool: settlementDb.pool,
        secretBox: box,
        latencyMs: { min: 0, max: 0 },
        settlementOpeningBalanceMinor: 1_000n,
      });
      const token = await tokenOf(bank, card());
      expect((await credit(bank, token, 600n)).status).toBe('succeeded');
      expect(await credit(bank, token, 600n)).toMatchObject({
        failureReason: 'SETTLEMENT_INSUFFICIENT_FUNDS',
      });
      expect((await debit(bank, token, 200n)).status).toBe('succeeded');
      expect((await credit(bank, token, 600n)).status).toBe('succeeded');
      expect(await bank.settlementBalance()).toBe(0n);
      await bank.close();
    } finally {
      await settlementDb.drop();
    }
  });
});

describe('the daily settlement file', () => {
  it('lists the operations completed on the Asia/Shanghai calendar day', async () => {
    const clock = new ManualClock();
    const bank = makeBank({ now: clock.now, pendingDelayMs: 60_000 });
    const token = await tokenOf(bank, card());
    const asyncToken = await tokenOf(bank, card('621483', '0044'));

    clock.set('2025-02-28T16:00:00.000Z'); // 2025-03-01 00:00 in Shanghai
    const first = await debit(bank, token, 1_000n, 'settle-1');
    clock.set('2025-03-01T08:00:00.000Z');
    const declined = await debit(bank, token, 66_666n, 'settle-2');
    clock.set('2025-03-01T15:59:30.000Z'); // 23:59:30 in Shanghai: completes at 00:00:30 the next day
    expect((await credit(bank, asyncToken, 300n, 'settle-3')).status).toBe('pending');
    clock.set('2025-03-01T15:59:59.999Z');
    const last = await credit(bank, token, 400n, 'settle-4');
    clock.set('2025-03-01T16:00:00.000Z'); // 2025-03-02 00:00 in Shanghai
    const nextDay = await debit(bank, token, 500n, 'settle-5');
    clock.set('2025-03-02T03:00:00.000Z');

    const file = await bank.settlementFile('2025-03-01');
    expect(file).toEqual([
      {
        operationId: 'settle-1',
        bankReference: first.bankReference,
        kind: 'debit_card',
        amountMinor: 1_000n,
        currency: 'CNY',
        status: 'succeeded',
        settledAt: new Date('2025-02-28T16:00:00.000Z'),
      },
      expect.objectContaining({
        operationId: 'settle-2',
        status: 'failed',
        bankReference: declined.bankReference,
      }),
      expect.objectContaining({
        operationId: 'settle-4',
        kind: 'credit_card',
        bankReference: last.bankReference,
      }),
    ]);
    expect(await bank.settlementFile('2025-03-02')).toEqual([
      expect.objectContaining({ operationId: 'settle-5', bankReference: nextDay.bankReference }),
      expect.objectContaining({
        operationId: 'settle-3',
        status: 'succeeded',
        amountMinor: 300n,
        settledAt: new Date('2025-03-01T16:00:30.000Z'),
      }),
    ]);
    expect(await bank.settlementFile('2025-02-28')).toEqual([]);
    for (const bad of ['2025-02-30', '2025-3-1', 'yesterday']) {
      await expect(bank.settlementFile(bad)).rejects.toThrow(BankRequestError);
    }
  });
});

describe("the bank's SMS codes", () => {
  const phone = '+86 138 0013 8000';

  async function latestCode(bank: SandboxBank, last4: string): Promise<string> {
    return (await bank.listSmsCodes({ cardLast4: last4, limit: 1 }))[0]!.code;
  }

  it('sends random codes; a wrong one is wrong, the right one works once', async () => {
    const bank = makeBank();
    const number = card();
    const last4 = number.slice(-4);
    const codes = new Set<string>();
    let verificationId = '';
    for (let i = 0; i < 4; i++) {
      ({ verificationId } = await bank.sendCardSmsCode({ cardNumber: number, phone, purpose: 'bind' }));
      codes.add(await latestCode(bank, last4));
    }
    expect(codes.size).toBeGreaterThan(1);
    const code = await latestCode(bank, last4);
    expect(code).toMatch(/^\d{6}$/);
    const listed = (await bank.listSmsCodes({ cardLast4: last4, limit: 1 }))[0]!;
    expect(listed).toMatchObject({ verificationId, phone: '13800138000', card: `6222 **** **** ${last4}` });
    const wrong = code === '000000' ? '000001' : '000000';
    expect(await bank.confirmCardSmsCode({ verificationId, code: wrong })).toBe('wrong');
    expect(await bank.confirmCardSmsCode({ verificationId, code })).toBe('ok');
    expect(await bank.confirmCardSmsCode({ verificationId, code })).toBe('expired');
    expect(await bank.confirmCardSmsCode({ verificationId: randomUUID(), code })).toBe('expired');
    expect(await bank.confirmCardSmsCode({ verificationId: 'not-an-id', code })).toBe('expired');
  });

  it('codes expire after 5 minutes', async () => {
    const clock = new ManualClock();
    const bank = makeBank({ now: clock.now });
    const number = card();
    const { verificationId } = await bank.sendCardSmsCode({ cardNumber: number, phone, purpose: 'bind' });
    const code = await latestCode(bank, number.slice(-4));
    clock.advance(5 * 60_000);
    expect(await bank.confirmCardSmsCode({ verificationId, code })).toBe('expired');
  });

  it('5 wrong tries lock the code', async () => {
    const bank = makeBank();
    const number = card();
    const { verificationId } = await bank.sendCardSmsCode({ cardNumber: number, phone, purpose: 'bind' });
    const code = await latestCode(bank, number.slice(-4));
    const wrong = code === '999999' ? '999998' : '999999';
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => bank.confirmCardSmsCode({ verificationId, code: wrong })),
    );
    expect(answers.filter((a) => a === 'wrong')).toHaveLength(5);
    expect(answers.filter((a) => a === 'expired')).toHaveLength(3);
    expect(await bank.confirmCardSmsCode({ verificationId, code })).toBe('expired');
    expect((await bank.listSmsCodes({ cardLast4: number.slice(-4), limit: 1 }))[0]).toMatchObject({
      status: 'locked',
      attempts: 5,
    });
  });

  it('at most 10 codes per card per hour, and malformed requests are refused', async () => {
    const clock = new ManualClock();
    const bank = makeBank({ now: clock.now });
    const number = card();
    await Promise.all(
      Array.from({ length: 10 }, () => bank.sendCardSmsCode({ cardNumber: number, phone, purpose: 'bind' })),
    );
    const error = await bank
      .sendCardSmsCode({ cardNumber: number, phone, purpose: 'bind' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BankRequestError);
    expect((error as BankRequestError).code).toBe('SMS_RATE_LIMITED');
    expect((error as BankRequestError).retryAfterSeconds).toBe(3600);
    clock.advance(3600_000);
    await expect(bank.sendCardSmsCode({ cardNumber: number, phone, purpose: 'bind' })).resolves.toBeTruthy();
    await expect(
      bank.sendCardSmsCode({ cardNumber: '6222021234567895', phone, purpose: 'bind' }),
    ).rejects.toThrow(BankRequestError);
    await expect(
      bank.sendCardSmsCode({ cardNumber: number, phone: '12345', purpose: 'bind' }),
    ).rejects.toThrow(BankRequestError);
  });
});

describe('latency', () => {
  it('waits within the configured range', async () => {
    const bank = makeBank({ latencyMs: { min: 40, max: 60 } });
    const started = performance.now();
    await bank.getOperation(opId());
    expect(performance.now() - started).toBeGreaterThanOrEqual(39);
    expect(() => makeBank({ latencyMs: { min: 10, max: 5 } })).toThrow(RangeError);
  });
});

// Last: every number used above, in any table of the sandbox bank.
describe('card numbers at rest', () => {
  it('no table holds a card or account number in clear; the sealed form opens to it', async () => {
    expect(numbersUsed.size).toBeGreaterThan(20);
    const { rows: tables } = await db.pool.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE tablename LIKE 'bank\\_sandbox\\_%'`,
    );
    expect(tables.length).toBe(4);
    let scanned = 0;
    for (const { tablename } of tables) {
      const { rows } = await db.pool.query<{ row: string }>(
        `SELECT row_to_json(t)::text AS row FROM ${tablename} t`,
      );
      for (const { row } of rows) {
        scanned += 1;
        for (const number of numbersUsed) expect(row).not.toContain(number);
      }
    }
    expect(scanned).toBeGreaterThan(50);
    const { rows: sealed } = await db.pool.query<{ number_sealed: string; last4: string }>(
      'SELECT number_sealed, last4 FROM bank_sandbox_accounts',
    );
    for (const { number_sealed, last4 } of sealed) {
      const number = box.open(number_sealed, CARD_NUMBER_PURPOSE);
      expect(number.endsWith(last4)).toBe(true);
      expect(numbersUsed.has(number)).toBe(true);
    }
  });
});
