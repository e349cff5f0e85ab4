import { randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { SecretBox } from '../../crypto/secret-box.ts';
import { isCalendarDate, shanghaiDate, shanghaiDay } from '../../platform/calendar.ts';
import { BankRequestError, BankTimeoutError, BankUnavailableError } from './bank.ts';
import type {
  BankAdapter,
  BankFailureReason,
  BankOperation,
  BankOperationKind,
  BankOperationStatus,
  BankOutcome,
  CardSmsCodeResult,
  CardToken,
  CardVerification,
  CreditBankAccountRequest,
  CreditCardRequest,
  DebitCardRequest,
  SendCardSmsCodeRequest,
  SettlementLine,
  VerifyCardRequest,
} from './bank.ts';
import { isBankCode, lookupBin } from './bins.ts';
import { luhnValid, maskCardParts, normaliseAccountNumber, parseCardNumber } from './card-number.ts';
import { LIMIT_EXCEEDED_MAGIC_AMOUNT_MINOR, magicOf } from './magic.ts';
import type { Completion, Magic } from './magic.ts';
import { CARD_NUMBER_PURPOSE } from './migrations.ts';

/** SecretBox purpose of card and account numbers, for both the sealed form and the blind index. */
export { CARD_NUMBER_PURPOSE };
/** The sandbox bank keeps accounts in one currency. */
export const SANDBOX_CURRENCY = 'CNY';
/** The bank's limit for one operation: 1,000,000.00. Above it: LIMIT_EXCEEDED. */
export const SANDBOX_MAX_AMOUNT_MINOR = 100_000_000n;
export const SANDBOX_DEFAULT_OPENING_BALANCE_MINOR = 10_000_000n;
export const SANDBOX_DEFAULT_SETTLEMENT_OPENING_BALANCE_MINOR = 100_000_000_000n;
export const SANDBOX_SMS_CODE_TTL_MS = 5 * 60_000;
export const SANDBOX_SMS_MAX_ATTEMPTS = 5;
export const SANDBOX_SMS_MAX_PER_CARD_PER_HOUR = 10;
export const MAX_SETTLEMENT_LINES = 100_000;
export const MAX_SANDBOX_ROWS_PER_READ = 200;

/** An amount beyond this is a programmer error, not a bank answer. */
const MAX_AMOUNT_ARGUMENT = BigInt(Number.MAX_SAFE_INTEGER);
const OPERATION_ID = /^[A-Za-z0-9._:-]{1,100}$/;
const CARD_TOKEN = /^bct_[A-Za-z0-9_-]{32}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY_MS = 24 * 3600_000;
const HOUR_MS = 3600_000;
const SMS_RETENTION_MS = 7 * DAY_MS;
/** Timers beyond this many are not set: lazy completion (getOperation, completeOverdue) covers them. */
const MAX_TIMERS = 10_000;
const OVERDUE_BATCH = 100;
const MAX_OVERDUE_BATCHES = 100;
const UNAVAILABLE_RETRY_AFTER_SECONDS = 30;
/** Advisory-lock class of the per-card SMS limit ('bank'). */
const SMS_LOCK_CLASS = 0x62616e6b;

export interface SandboxBankOptions {
  pool: pg.Pool;
  secretBox: SecretBox;
  now?: () => Date;
  /** Each call waits a random time in this range first. Default 50–300 ms; 0 in tests. */
  latencyMs?: { min: number; max: number };
  /** How long a lost answer keeps the caller waiting before BankTimeoutError. Default 2,000 ms. */
  timeoutAfterMs?: number;
  /** How long an asynchronous (pending) operation takes to complete. Default 5,000 ms. */
  pendingDelayMs?: number;
  /** Balance of a new card. Default 100,000.00. */
  openingBalanceMinor?: bigint;
  /** Opening balance of the wallet's settlement account at the bank. Default 1,000,000,000.00. */
  settlementOpeningBalanceMinor?: bigint;
  /** Failures of background completions (they stay pending and complete lazily). */
  onError?: (error: unknown) => void;
}

export interface SandboxBankSmsCode {
  verificationId: string;
  /** Masked: `6222 **** **** 7894`. */
  card: string;
  cardLast4: string;
  phone: string;
  purpose: 'bind';
  code: string;
  status: 'sent' | 'confirmed' | 'locked';
  attempts: number;
  createdAt: Date;
  expiresAt: Date;
}

export interface SandboxBankAccountView {
  /** Masked: `6222 **** **** 7894`, or `**** 1234` for an account that is not a card. */
  number: string;
  kind: 'card' | 'account';
  bankCode: string | null;
  bankNameZh: string | null;
  balanceMinor: bigint;
  currency: string;
  createdAt: Date;
}

interface OperationRow {
  operation_id: string;
  bank_reference: string;
  kind: BankOperationKind;
  account_token: string | null;
  target_index: Buffer | null;
  bank_code: string | null;
  account_name: string | null;
  amount_minor: bigint | string;
  currency: string;
  status: BankOperationStatus;
  failure_reason: BankFailureReason | null;
  completion: Completion;
  created_at: Date;
  complete_at: Date | null;
  completed_at: Date | null;
}

interface MoneyRequest {
  kind: BankOperationKind;
  operationId: string;
  amountMinor: bigint;
  currency: string;
  description: string | null;
  cardToken: string | null;
  accountNumber: string | null;
  accountName: string | null;
  bankCode: string | null;
}

interface Target {
  /** The account to move money on; null until found (or when the number was refused). */
  accountToken: string | null;
  /** credit_account: the blind index of the number. */
  targetIndex: Buffer | null;
  last4: string | null;
  failure: BankFailureReason | null;
}

/**
 * The sandbox bank: a bank core in miniature with its own tables (`bank_sandbox_*`), never a
 * shortcut into the wallet's ledger. Per-card balances, the wallet's settlement account, an
 * operations table keyed by the wallet's operationId, realistic latency, lost answers,
 * asynchronous completions, declines chosen by magic card numbers (magic.ts,
 * docs/bank-sandbox.md), a daily settlement file, and the bank's own SMS codes.
 *
 * Every state lives in the database: an operation left pending by a process that stopped is
 * completed by the next one (lazily by `getOperation`, `settlementFile` or `completeOverdue`).
 */
export class SandboxBank implements BankAdapter {
  readonly name = 'sandbox';

  private readonly pool: pg.Pool;
  private readonly box: SecretBox;
  private readonly now: () => Date;
  private readonly latencyMs: { min: number; max: number };
  private readonly timeoutAfterMs: number;
  private readonly pendingDelayMs: number;
  private readonly openingBalanceMinor: bigint;
  private readonly settlementOpeningBalanceMinor: bigint;
  private readonly onError: (error: unknown) => void;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly completions = new Set<Promise<void>>();
  private settlementReady: Promise<void> | null = null;
  private closed = false;

  constructor(options: SandboxBankOptions) {
    this.pool = options.pool;
    this.box = options.secretBox;
    this.now = options.now ?? (() => new Date());
    this.latencyMs = options.latencyMs ?? { min: 50, max: 300 };
    this.timeoutAfterMs = options.timeoutAfterMs ?? 2_000;
    this.pendingDelayMs = options.pendingDelayMs ?? 5_000;
    this.openingBalanceMinor = options.openingBalanceMinor ?? SANDBOX_DEFAULT_OPENING_BALANCE_MINOR;
    this.settlementOpeningBalanceMinor =
      options.settlementOpeningBalanceMinor ?? SANDBOX_DEFAULT_SETTLEMENT_OPENING_BALANCE_MINOR;
    this.onError = options.onError ?? (() => {});
    const { min, max } = this.latencyMs;
    if (!(Number.isInteger(min) && Number.isInteger(max) && min >= 0 && max >= min && max <= 60_000)) {
      throw new RangeError('latencyMs must be whole milliseconds with 0 <= min <= max <= 60000');
    }
    for (const [label, value] of [
      ['timeoutAfterMs', this.timeoutAfterMs],
      ['pendingDelayMs', this.pendingDelayMs],
    ] as const) {
      if (!Number.isInteger(value) || value < 0 || value > 24 * HOUR_MS) {
        throw new RangeError(`${label} must be whole milliseconds between 0 and one day`);
      }
    }
    if (this.openingBalanceMinor < 0n || this.settlementOpeningBalanceMinor < 0n) {
      throw new RangeError('opening balances must not be negative');
    }
  }

  /** Stop the completion timers and wait for completions under way (pending ones stay in the DB). */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.completions]);
  }

  // Cards ---------------------------------------------------------------------------------------

  async tokeniseCard(cardNumber: string): Promise<CardToken> {
    const digits = parseCardNumber(requireString(cardNumber, 'cardNumber', 40));
    if (digits === null) throw invalid('cardNumber is not a valid card number (13–19 digits, Luhn)');
    await this.latency();
    const account = await this.ensureAccount(digits);
    return { cardToken: account.token, last4: digits.slice(-4), bin: digits.slice(0, 6) };
  }

  async verifyCard(request: VerifyCardRequest): Promise<CardVerification> {
    const cardNumber = requireString(request.cardNumber, 'cardNumber', 40);
    const holderName = requireString(request.holderName, 'holderName', 100);
    const idNumber = requireString(request.idNumber, 'idNumber', 32);
    const phone = requireString(request.phone, 'phone', 32);
    await this.latency();
    const bankReference = newReference('SBV', this.now());
    const digits = parseCardNumber(cardNumber);
    if (digits === null) return { result: 'CARD_INVALID', bankReference };
    const magic = magicOf(digits.slice(-4));
    if (magic.verify !== 'MATCH') return { result: magic.verify, bankReference };
    const name = holderName.trim();
    // 测试不符 is the identity sandbox's magic wrong name too (docs/kyc.md).
    if (name === '' || name === '测试不符' || idNumber.trim() === '' || normaliseMobile(phone) === null) {
      return { result: 'MISMATCH', bankReference };
    }
    return { result: 'MATCH', bankReference };
  }

  async sendCardSmsCode(request: SendCardSmsCodeRequest): Promise<{ verificationId: string }> {
    const digits = parseCardNumber(requireString(request.cardNumber, 'cardNumber', 40));
    if (digits === null) throw invalid('cardNumber is not a valid card number (13–19 digits, Luhn)');
    const phone = normaliseMobile(requireString(request.phone, 'phone', 32));
    if (phone === null) throw invalid('phone is not a mainland mobile number');
    if (request.purpose !== 'bind') throw invalid('purpose must be bind');
    await this.latency();
    if (magicOf(digits.slice(-4)).unavailable)
      throw new BankUnavailableError(UNAVAILABLE_RETRY_AFTER_SECONDS);

    const index = this.index(digits);
    const verificationId = randomUUID();
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const now = this.now();
    await this.transaction(async (client) => {
      // One sender per card at a time, so the hourly limit holds under concurrency.
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
        SMS_LOCK_CLASS,
        index.toString('hex'),
      ]);
      const recent = await client.query<{ sent: number; oldest: Date | null }>(
        `SELECT count(*)::int AS sent, min(created_at) AS oldest FROM bank_sandbox_sms_codes
          WHERE number_index = $1 AND created_at > $2`,
        [index, new Date(now.getTime() - HOUR_MS)],
      );
      const { sent, oldest } = recent.rows[0]!;
      if (sent >= SANDBOX_SMS_MAX_PER_CARD_PER_HOUR) {
        const waitMs = (oldest?.getTime() ?? now.getTime()) + HOUR_MS - now.getTime();
        throw new BankRequestError(
          'SMS_RATE_LIMITED',
          `at most ${SANDBOX_SMS_MAX_PER_CARD_PER_HOUR} codes per card per hour`,
          Math.max(1, Math.ceil(waitMs / 1000)),
        );
      }
      await client.query(
        `INSERT INTO bank_sandbox_sms_codes
           (verification_id, number_index, card_bin, card_last4, phone, purpose, code, status, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'sent', $8, $9)`,
        [
          verificationId,
          index,
          digits.slice(0, 6),
          digits.slice(-4),
          phone,
          request.purpose,
          code,
          now,
          new Date(now.getTime() + SANDBOX_SMS_CODE_TTL_MS),
        ],
      );
      await client.query('DELETE FROM bank_sandbox_sms_codes WHERE created_at < $1', [
        new Date(now.getTime() - SMS_RETENTION_MS),
      ]);
    });
    return { verificationId };
  }

  async confirmCardSmsCode(request: { verificationId: string; code: string }): Promise<CardSmsCodeResult> {
    const verificationId = requireString(request.verificationId, 'verificationId', 64);
    const code = requireString(request.code, 'code', 32);
    await this.latency();
    if (!UUID.test(verificationId)) return 'expired';
    const now = this.now();
    return this.transaction(async (client) => {
      const { rows } = await client.query<{
        code: string;
        attempts: number;
        status: string;
        expires_at: Date;
      }>(
        `SELECT code, attempts, status, expires_at FROM bank_sandbox_sms_codes
          WHERE verification_id = $1 FOR UPDATE`,
        [verificationId],
      );
      const row = rows[0];
      if (!row || row.status !== 'sent' || row.expires_at.getTime() <= now.getTime()) return 'expired';
      if (sameSecret(code.trim(), row.code)) {
        await client.query(
          `UPDATE bank_sandbox_sms_codes SET status = 'confirmed' WHERE verification_id = $1`,
          [verificationId],
        );
        return 'ok';
      }
      const attempts = row.attempts + 1;
      await client.query(
        'UPDATE bank_sandbox_sms_codes SET attempts = $2, status = $3 WHERE verification_id = $1',
        [verificationId, attempts, attempts >= SANDBOX_SMS_MAX_ATTEMPTS ? 'locked' : 'sent'],
      );
      return 'wrong';
    });
  }

  // Money ---------------------------------------------------------------------------------------

  async debitCard(request: DebitCardRequest): Promise<BankOutcome> {
    return await this.execute({
      ...moneyFields(request),
      kind: 'debit_card',
      description: requireString(request.description, 'description', 140),
      cardToken: requireCardToken(request.cardToken),
      accountNumber: null,
      accountName: null,
      bankCode: null,
    });
  }

  async creditCard(request: CreditCardRequest): Promise<BankOutcome> {
    return await this.execute({
      ...moneyFields(request),
      kind: 'credit_card',
      description: null,
      cardToken: requireCardToken(request.cardToken),
      accountNumber: null,
      accountName: null,
      bankCode: null,
    });
  }

  async creditBankAccount(request: CreditBankAccountRequest): Promise<BankOutcome> {
    const accountNumber = normaliseAccountNumber(requireString(request.accountNumber, 'accountNumber', 64));
    if (accountNumber === null) throw invalid('accountNumber must be 8–32 digits');
    const accountName = requireString(request.accountName, 'accountName', 100).trim();
    if (accountName === '') throw invalid('accountName is required');
    const bankCode = requireString(request.bankCode, 'bankCode', 10);
    if (!/^[A-Z]{2,10}$/.test(bankCode)) throw invalid('bankCode must be 2–10 capital letters');
    return await this.execute({
      ...moneyFields(request),
      kind: 'credit_account',
      description: null,
      cardToken: null,
      accountNumber,
      accountName,
      bankCode,
    });
  }

  async getOperation(operationId: string): Promise<BankOperation | null> {
    if (typeof operationId !== 'string' || !OPERATION_ID.test(operationId)) return null;
    await this.latency();
    const row = await this.readOperation(operationId);
    return row === null ? null : toOperation(await this.completeIfDue(row));
  }

  async settlementFile(date: string): Promise<SettlementLine[]> {
    const start = shanghaiDayStart(date);
    if (start === null) throw invalid('date must be a calendar day, YYYY-MM-DD');
    await this.latency();
    await this.completeOverdue();
    const { rows } = await this.pool.query<OperationRow>(
      `SELECT * FROM bank_sandbox_operations
        WHERE completed_at >= $1 AND completed_at < $2
        ORDER BY completed_at, operation_id
        LIMIT $3`,
      [start, new Date(start.getTime() + DAY_MS), MAX_SETTLEMENT_LINES + 1],
    );
    if (rows.length > MAX_SETTLEMENT_LINES) {
      throw new Error(`the settlement file for ${date} has more than ${MAX_SETTLEMENT_LINES} lines`);
    }
    return rows.map((row) => ({
      operationId: row.operation_id,
      bankReference: row.bank_reference,
      kind: row.kind,
      amountMinor: BigInt(row.amount_minor),
      currency: row.currency,
      status: row.status === 'succeeded' ? 'succeeded' : 'failed',
      settledAt: row.completed_at!,
    }));
  }

  /**
   * Complete every pending operation that is due (what the bank would have done had this
   * process been running). Bounded: at most 10,000 per call. Returns how many it completed.
   */
  async completeOverdue(): Promise<number> {
    let completed = 0;
    for (let batch = 0; batch < MAX_OVERDUE_BATCHES; batch++) {
      const { rows } = await this.pool.query<{ operation_id: string }>(
        `SELECT operation_id FROM bank_sandbox_operations
          WHERE status = 'pending' AND complete_at <= $1
          ORDER BY complete_at, operation_id LIMIT $2`,
        [this.now(), OVERDUE_BATCH],
      );
      for (const { operation_id } of rows) {
        const row = await this.completePending(operation_id, false);
        if (row !== null && row.status !== 'pending') completed += 1;
      }
      if (rows.length < OVERDUE_BATCH) break;
    }
    return completed;
  }

  // Sandbox views (dev routes, tests) -----------------------------------------------------------

  /** A card's balance by its token; null for an unknown token. */
  async balanceOf(cardToken: string): Promise<bigint | null> {
    const { rows } = await this.pool.query<{ balance_minor: bigint | string }>(
      'SELECT balance_minor FROM bank_sandbox_accounts WHERE account_token = $1',
      [cardToken],
    );
    return rows[0] ? BigInt(rows[0].balance_minor) : null;
  }

  /** The wallet's settlement account at the bank. */
  async settlementBalance(currency = SANDBOX_CURRENCY): Promise<bigint> {
    await this.ensureSettlementAccount();
    const { rows } = await this.pool.query<{ balance_minor: bigint | string }>(
      'SELECT balance_minor FROM bank_sandbox_settlement_accounts WHERE currency = $1',
      [currency],
    );
    return rows[0] ? BigInt(rows[0].balance_minor) : 0n;
  }

  /** The bank's SMS codes, newest first. */
  async listSmsCodes(query: { cardLast4?: string | null; limit: number }): Promise<SandboxBankSmsCode[]> {
    const limit = clampLimit(query.limit);
    const { rows } = await this.pool.query<{
      verification_id: string;
      card_bin: string;
      card_last4: string;
      phone: string;
      purpose: 'bind';
      code: string;
      status: 'sent' | 'confirmed' | 'locked';
      attempts: number;
      created_at: Date;
      expires_at: Date;
    }>(
      `SELECT verification_id, card_bin, card_last4, phone, purpose, code, status, attempts, created_at, expires_at
         FROM bank_sandbox_sms_codes
        WHERE ($1::text IS NULL OR card_last4 = $1)
        ORDER BY created_at DESC, verification_id DESC
        LIMIT $2`,
      [query.cardLast4 ?? null, limit],
    );
    return rows.map((row) => ({
      verificationId: row.verification_id,
      card: maskCardParts({ bin: row.card_bin, last4: row.card_last4 }),
      cardLast4: row.card_last4,
      phone: row.phone,
      purpose: row.purpose,
      code: row.code,
      status: row.status,
      attempts: row.attempts,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    }));
  }

  /** Cards and accounts whose number ends in these 4 digits, newest first. */
  async listAccountsEndingIn(last4: string, limit = 20): Promise<SandboxBankAccountView[]> {
    if (!/^\d{4}$/.test(last4)) return [];
    const { rows } = await this.pool.query<{
      kind: 'card' | 'account';
      bin: string | null;
      last4: string;
      balance_minor: bigint | string;
      currency: string;
      created_at: Date;
    }>(
      `SELECT kind, bin, last4, balance_minor, currency, created_at FROM bank_sandbox_accounts
        WHERE last4 = $1 ORDER BY created_at DESC, account_token LIMIT $2`,
      [last4, clampLimit(limit)],
    );
    return rows.map((row) => {
      const issuer = row.bin === null ? null : lookupBin(row.bin);
      return {
        number: maskCardParts({ bin: row.bin, last4: row.last4 }),
        kind: row.kind,
        bankCode: issuer?.bankCode ?? null,
        bankNameZh: issuer?.bankNameZh ?? null,
        balanceMinor: BigInt(row.balance_minor),
        currency: row.currency,
        createdAt: row.created_at,
      };
    });
  }

  // Internals -----------------------------------------------------------------------------------

  private async execute(request: MoneyRequest): Promise<BankOutcome> {
    await this.latency();
    const target = await this.resolveTarget(request);
    const magic = magicOf(target.last4);
    // The request never reaches the bank: nothing is recorded, a retry may later succeed.
    if (magic.unavailable) throw new BankUnavailableError(UNAVAILABLE_RETRY_AFTER_SECONDS);
    const failure = immediateFailure(request, target, magic);
    if (failure === null && request.kind === 'credit_account') {
      target.accountToken = (await this.ensureAccount(request.accountNumber!)).token;
    }
    const completion: Completion = failure === null ? magic.completion : 'immediate';
    await this.ensureSettlementAccount();

    const now = this.now();
    const bankReference = newReference('SBX', now);
    // The unique operation_id is the idempotency: a concurrent call with the same id waits on
    // this insert and then finds the row, so money moves once whatever the number of callers.
    const outcome = await this.transaction(async (client): Promise<BankOutcome | null> => {
      const inserted = await client.query(
        `INSERT INTO bank_sandbox_operations
           (operation_id, bank_reference, kind, account_token, target_index, bank_code, account_name, description,
            amount_minor, currency, status, failure_reason, completion, created_at, complete_at, completed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         ON CONFLICT (operation_id) DO NOTHING
         RETURNING operation_id`,
        [
          request.operationId,
          bankReference,
          request.kind,
          target.accountToken,
          target.targetIndex,
          request.bankCode,
          request.accountName,
          request.description,
          request.amountMinor,
          request.currency,
          failure === null ? 'pending' : 'failed',
          failure,
          completion,
          now,
          completion === 'immediate' ? null : new Date(now.getTime() + this.pendingDelayMs),
          failure === null ? null : now,
        ],
      );
      if (inserted.rowCount !== 1) return null;
      if (failure !== null) return { status: 'failed', failureReason: failure, bankReference };
      if (completion !== 'immediate') return { status: 'pending', bankReference };
      const declined = await this.move(client, request.kind, target.accountToken!, request.amountMinor);
      await client.query(
        `UPDATE bank_sandbox_operations SET status = $2, failure_reason = $3, completed_at = $4
          WHERE operation_id = $1`,
        [request.operationId, declined === null ? 'succeeded' : 'failed', declined, now],
      );
      return declined === null
        ? { status: 'succeeded', bankReference }
        : { status: 'failed', failureReason: declined, bankReference };
    });
    if (outcome === null) return this.replay(request, target);
    if (completion !== 'immediate') this.schedule(request.operationId);
    if (magic.answerLost) {
      if (this.timeoutAfterMs > 0) await sleep(this.timeoutAfterMs);
      throw new BankTimeoutError(request.operationId);
    }
    return outcome;
  }

  /** The same operationId again: the first outcome (or the current status), never a second movement. */
  private async replay(request: MoneyRequest, target: Target): Promise<BankOutcome> {
    const row = await this.readOperation(request.operationId);
    if (row === null) throw new Error(`operation ${request.operationId} vanished`);
    const same =
      row.kind === request.kind &&
      BigInt(row.amount_minor) === request.amountMinor &&
      row.currency === request.currency &&
      (request.kind === 'credit_account'
        ? row.target_index !== null &&
          target.targetIndex !== null &&
          row.target_index.equals(target.targetIndex) &&
          row.bank_code === request.bankCode &&
          row.account_name === request.accountName
        : row.account_token === request.cardToken);
    if (!same) {
      throw new BankRequestError('OPERATION_CONFLICT', 'this operationId was used for a different operation');
    }
    return outcomeOf(await this.completeIfDue(row));
  }

  private async resolveTarget(request: MoneyRequest): Promise<Target> {
    if (request.kind === 'credit_account') {
      const number = request.accountNumber!;
      const looksLikeCard = /^62\d{11,17}$/.test(number);
      const refused = !isBankCode(request.bankCode!) || (looksLikeCard && !luhnValid(number));
      return {
        accountToken: null,
        targetIndex: this.index(number),
        last4: number.slice(-4),
        failure: refused ? 'ACCOUNT_INVALID' : null,
      };
    }
    const { rows } = await this.pool.query<{ last4: string }>(
      `SELECT last4 FROM bank_sandbox_accounts WHERE account_token = $1 AND kind = 'card'`,
      [request.cardToken],
    );
    return {
      accountToken: request.cardToken,
      targetIndex: null,
      last4: rows[0]?.last4 ?? null,
      failure: rows[0] ? null : 'CARD_INVALID',
    };
  }

  /**
   * Move the money inside the caller's transaction: the card (or account) row, then the
   * settlement row, always in that order, each locked. Null when it moved, else the decline.
   */
  private async move(
    client: pg.PoolClient,
    kind: BankOperationKind,
    accountToken: string,
    amountMinor: bigint,
  ): Promise<BankFailureReason | null> {
    const account = await client.query<{ balance_minor: bigint | string }>(
      'SELECT balance_minor FROM bank_sandbox_accounts WHERE account_token = $1 FOR UPDATE',
      [accountToken],
    );
    if (!account.rows[0]) return kind === 'credit_account' ? 'ACCOUNT_INVALID' : 'CARD_INVALID';
    const settlement = await client.query<{ balance_minor: bigint | string }>(
      'SELECT balance_minor FROM bank_sandbox_settlement_accounts WHERE currency = $1 FOR UPDATE',
      [SANDBOX_CURRENCY],
    );
    if (!settlement.rows[0]) throw new Error('the settlement account is missing');
    const accountBalance = BigInt(account.rows[0].balance_minor);
    const settlementBalance = BigInt(settlement.rows[0].balance_minor);
    const inbound = kind === 'debit_card';
    if (inbound && accountBalance < amountMinor) return 'INSUFFICIENT_FUNDS';
    if (!inbound && settlementBalance < amountMinor) return 'SETTLEMENT_INSUFFICIENT_FUNDS';
    const now = this.now();
    await client.query(
      'UPDATE bank_sandbox_accounts SET balance_minor = $2, updated_at = $3 WHERE account_token = $1',
      [accountToken, inbound ? accountBalance - amountMinor : accountBalance + amountMinor, now],
    );
    await client.query(
      'UPDATE bank_sandbox_settlement_accounts SET balance_minor = $2, updated_at = $3 WHERE currency = $1',
      [SANDBOX_CURRENCY, inbound ? settlementBalance + amountMinor : settlementBalance - amountMinor, now],
    );
    return null;
  }

  private async completeIfDue(row: OperationRow): Promise<OperationRow> {
    if (row.status !== 'pending' || row.complete_at === null) return row;
    if (row.complete_at.getTime() > this.now().getTime()) return row;
    return (await this.completePending(row.operation_id, false)) ?? row;
  }

  /**
   * Bring a pending operation to its end, once: the row lock makes the timer, a lazy reader and
   * another process agree. `force` (the timer) completes it even if the clock says not yet due.
   * It completes at its scheduled time, whenever it is observed, so the day it lands in the
   * settlement file does not depend on when someone asked.
   */
  private async completePending(operationId: string, force: boolean): Promise<OperationRow | null> {
    return this.transaction(async (client) => {
      const { rows } = await client.query<OperationRow>(
        'SELECT * FROM bank_sandbox_operations WHERE operation_id = $1 FOR UPDATE',
        [operationId],
      );
      const row = rows[0];
      if (!row || row.status !== 'pending' || row.complete_at === null) return row ?? null;
      if (!force && row.complete_at.getTime() > this.now().getTime()) return row;
      if (row.account_token === null) throw new Error(`pending operation ${operationId} has no account`);
      const declined =
        row.completion === 'pending_fails'
          ? 'DECLINED'
          : await this.move(client, row.kind, row.account_token, BigInt(row.amount_minor));
      const updated = await client.query<OperationRow>(
        `UPDATE bank_sandbox_operations SET status = $2, failure_reason = $3, completed_at = complete_at
          WHERE operation_id = $1 RETURNING *`,
        [operationId, declined === null ? 'succeeded' : 'failed', declined],
      );
      return updated.rows[0]!;
    });
  }

  private schedule(operationId: string): void {
    if (this.closed || this.timers.size >= MAX_TIMERS || this.timers.has(operationId)) return;
    const timer = setTimeout(() => {
      this.timers.delete(operationId);
      if (this.closed) return;
      const completion = this.completePending(operationId, true).then(
        () => {},
        (error: unknown) => this.onError(error),
      );
      this.completions.add(completion);
      void completion.finally(() => this.completions.delete(completion));
    }, this.pendingDelayMs);
    timer.unref();
    this.timers.set(operationId, timer);
  }

  private async readOperation(operationId: string): Promise<OperationRow | null> {
    const { rows } = await this.pool.query<OperationRow>(
      'SELECT * FROM bank_sandbox_operations WHERE operation_id = $1',
      [operationId],
    );
    return rows[0] ?? null;
  }

  /** The card or account of this number, made on first sight (with its opening balance). */
  private async ensureAccount(digits: string): Promise<{ token: string }> {
    const index = this.index(digits);
    const found = await this.pool.query<{ account_token: string }>(
      'SELECT account_token FROM bank_sandbox_accounts WHERE number_index = $1',
      [index],
    );
    if (found.rows[0]) return { token: found.rows[0].account_token };
    const isCard = /^\d{13,19}$/.test(digits) && luhnValid(digits);
    const opening = !isCard || magicOf(digits.slice(-4)).zeroOpeningBalance ? 0n : this.openingBalanceMinor;
    const now = this.now();
    const inserted = await this.pool.query<{ account_token: string }>(
      `INSERT INTO bank_sandbox_accounts
         (account_token, number_index, number_sealed, kind, bin, last4, balance_minor, currency, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
       ON CONFLICT (number_index) DO NOTHING
       RETURNING account_token`,
      [
        `bct_${randomBytes(24).toString('base64url')}`,
        index,
        this.box.seal(digits, CARD_NUMBER_PURPOSE),
        isCard ? 'card' : 'account',
        isCard ? digits.slice(0, 6) : null,
        digits.slice(-4),
        opening,
        SANDBOX_CURRENCY,
        now,
      ],
    );
    if (inserted.rows[0]) return { token: inserted.rows[0].account_token };
    // Another caller made it first.
    const again = await this.pool.query<{ account_token: string }>(
      'SELECT account_token FROM bank_sandbox_accounts WHERE number_index = $1',
      [index],
    );
    return { token: again.rows[0]!.account_token };
  }

  private ensureSettlementAccount(): Promise<void> {
    this.settlementReady ??= this.pool
      .query(
        `INSERT INTO bank_sandbox_settlement_accounts (currency, balance_minor, updated_at)
         VALUES ($1, $2, $3) ON CONFLICT (currency) DO NOTHING`,
        [SANDBOX_CURRENCY, this.settlementOpeningBalanceMinor, this.now()],
      )
      .then(
        () => {},
        (error: unknown) => {
          this.settlementReady = null;
          throw error;
        },
      );
    return this.settlementReady;
  }

  private index(digits: string): Buffer {
    return this.box.blindIndex(digits, CARD_NUMBER_PURPOSE);
  }

  private async latency(): Promise<void> {
    const { min, max } = this.latencyMs;
    if (max > 0) await sleep(min + randomInt(0, max - min + 1));
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}

function immediateFailure(request: MoneyRequest, target: Target, magic: Magic): BankFailureReason | null {
  if (request.currency !== SANDBOX_CURRENCY) return 'CURRENCY_UNSUPPORTED';
  if (target.failure !== null) return target.failure;
  const magicFailure = request.kind === 'credit_account' ? magic.accountFailure : magic.cardFailure;
  if (magicFailure !== null) return magicFailure;
  if (request.amountMinor > SANDBOX_MAX_AMOUNT_MINOR) return 'LIMIT_EXCEEDED';
  if (request.amountMinor === LIMIT_EXCEEDED_MAGIC_AMOUNT_MINOR) return 'LIMIT_EXCEEDED';
  return null;
}

function moneyFields(request: { operationId: string; amountMinor: bigint; currency: string }): {
  operationId: string;
  amountMinor: bigint;
  currency: string;
} {
  const operationId = requireString(request.operationId, 'operationId', 100);
  if (!OPERATION_ID.test(operationId))
    throw invalid('operationId must be 1–100 characters of A–Z a–z 0–9 . _ : -');
  if (typeof request.amountMinor !== 'bigint') throw invalid('amountMinor must be a bigint');
  if (request.amountMinor <= 0n || request.amountMinor > MAX_AMOUNT_ARGUMENT) {
    throw invalid('amountMinor must be positive and at most 2^53 - 1');
  }
  const currency = requireString(request.currency, 'currency', 3);
  if (!/^[A-Z]{3}$/.test(currency)) throw invalid('currency must be an ISO 4217 code');
  return { operationId, amountMinor: request.amountMinor, currency };
}

function requireCardToken(value: string): string {
  const token = requireString(value, 'cardToken', 64);
  if (!CARD_TOKEN.test(token)) throw invalid('cardToken is not a sandbox card token');
  return token;
}

function requireString(value: unknown, field: string, maxLength: number): string {
  if (typeof value !== 'string') throw invalid(`${field} must be a string`);
  if (value.length > maxLength) throw invalid(`${field} must be at most ${maxLength} characters`);
  return value;
}

function invalid(message: string): BankRequestError {
  return new BankRequestError('INVALID_REQUEST', message);
}

/** Domain-rules §2: strip +86 / 0086 / 86, then 1[3-9] and 9 digits. */
function normaliseMobile(input: string): string | null {
  let digits = input.replace(/[\s-]/g, '');
  if (digits.startsWith('+86')) digits = digits.slice(3);
  else if (digits.startsWith('0086')) digits = digits.slice(4);
  else if (digits.startsWith('86') && digits.length === 13) digits = digits.slice(2);
  return /^1[3-9]\d{9}$/.test(digits) ? digits : null;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function clampLimit(limit: number): number {
  return Number.isFinite(limit) ? Math.min(Math.max(1, Math.trunc(limit)), MAX_SANDBOX_ROWS_PER_READ) : 1;
}

/** `SBX20250101` + 12 hex digits: the day (Asia/Shanghai) and randomness. */
function newReference(prefix: 'SBX' | 'SBV', now: Date): string {
  const day = shanghaiDate(now).replaceAll('-', '');
  return `${prefix}${day}${randomBytes(6).toString('hex').toUpperCase()}`;
}

/** Midnight in Asia/Shanghai of a `YYYY-MM-DD` day; null if not a day. */
export function shanghaiDayStart(date: string): Date | null {
  return typeof date === 'string' && isCalendarDate(date) ? shanghaiDay(date).from : null;
}

function outcomeOf(row: OperationRow): BankOutcome {
  if (row.status === 'failed') {
    return { status: 'failed', failureReason: row.failure_reason!, bankReference: row.bank_reference };
  }
  return { status: row.status, bankReference: row.bank_reference };
}

function toOperation(row: OperationRow): BankOperation {
  return {
    ...outcomeOf(row),
    operationId: row.operation_id,
    kind: row.kind,
    amountMinor: BigInt(row.amount_minor),
    currency: row.currency,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}
