import type { FastifyBaseLogger } from 'fastify';
import { TransferFlags, derivedId } from '@qianbao/ledger';
import type { Ledger, TransferInput, TransferLimit } from '@qianbao/ledger';
import {
  BankRequestError,
  BankTimeoutError,
  BankUnavailableError,
  maskCardParts,
} from '../../adapters/bank/index.ts';
import type { BankAdapter, BankOutcome } from '../../adapters/bank/index.ts';
import type { FundingConfig } from '../../config.ts';
import type { SecretBox } from '../../crypto/secret-box.ts';
import { AppError, ERRORS } from '../../errors.ts';
import type { ErrorCode } from '../../errors.ts';
import { bankNameOf } from '../cards/index.ts';
import type { CardsService } from '../cards/index.ts';
import { payeeBalanceCap } from '../kyc/index.ts';
import type { KycService, Refusal } from '../kyc/index.ts';
import type { ConfirmationInput, SecurityService } from '../security/index.ts';
import type { ConfirmationFactor, FactorDecision } from '../security/index.ts';
import { TransferCodes } from '../../platform/codes.ts';
import { ledgerRefusal, settled } from '../../payments/index.ts';
import type { Authorization, PaymentAuthorizer } from '../../payments/index.ts';
import { bankSettlementAccountId, feeIncomeAccountId } from './accounts.ts';
import { shanghaiMonth } from '../../platform/calendar.ts';
import { bankTransferFee, withdrawalFee } from './fees.ts';
import type { BankTransferFeePolicy, WithdrawalFeePolicy } from './fees.ts';
import {
  bankAccountPayee,
  maskAccountNumber,
  openBankAccount,
  parseBankAccount,
  sealBankAccount,
} from './bank-account.ts';
import type { BankAccountInput } from './bank-account.ts';
import type { FundingStore } from './store.ts';
import type { FundingKind, FundingState, OperationRow, TimelineEntry } from './store.ts';

export const FUNDING_CURRENCY = 'CNY';
/** The sandbox bank's (and a typical bank's) most per operation: 1,000,000.00. */
export const MAX_FUNDING_AMOUNT_MINOR = 100_000_000n;
const RECOVERY_BATCH = 50;
const MAX_LEASE_SECONDS = 600;

/**
 * Test seams at the crash points of a top-up or withdrawal: a hook that throws stops the request
 * there exactly as a crash would (the row stays where it was; the recovery worker finishes it).
 */
export interface FundingHooks {
  /** The ledger hold is committed; the operation row still says `created`. */
  afterHold?: (operationId: string) => void | Promise<void>;
  /** The row says `bank_pending`; the bank has not been called. */
  beforeBankCall?: (operationId: string) => void | Promise<void>;
  /** The bank answered (the answer is then lost). */
  afterBankCall?: (operationId: string, outcome: BankOutcome) => void | Promise<void>;
  /** The bank succeeded; the hold is not posted yet. */
  beforePost?: (operationId: string) => void | Promise<void>;
  /** A withdrawal has read this month's withdrawn total; its row is not written yet. */
  afterWithdrawnRead?: (operationId: string) => void | Promise<void>;
}

/**
 * What the holder sees: `processing` until the bank answers, then `succeeded` or `failed`. A bank
 * transfer whose money was held and then given back (the bank refused it, or it was interrupted)
 * ends `refunded`, after a `failed` step in its timeline.
 */
export type FundingStatus = 'processing' | 'succeeded' | 'failed' | 'refunded';

export interface FundingView {
  id: string;
  kind: FundingKind;
  status: FundingStatus;
  amountMinor: bigint;
  feeMinor: bigint;
  currency: string;
  /** Top-up and withdrawal: the bound card; null for a bank transfer. */
  card: {
    id: string;
    maskedNumber: string;
    last4: string;
    bankCode: string;
    bankName: { zh: string; en: string };
  } | null;
  /** Bank transfer: the account (masked); null otherwise. */
  account: {
    maskedNumber: string;
    last4: string;
    bankCode: string;
    bankName: { zh: string; en: string };
    name: string;
  } | null;
  note: string | null;
  failure: { code: string; details: Record<string, unknown> } | null;
  bankReference: string | null;
  createdAt: Date;
  completedAt: Date | null;
  timeline: (TimelineEntry & { status: FundingStatus })[];
}

/** How the holder will confirm: the factor to ask for and those accepted (never password-free). */
export interface ConfirmationPlan {
  factor: ConfirmationFactor;
  accepted: ConfirmationFactor[];
  reason: string;
}

/** The payment a passkey signs (POST /v1/me/confirmations/options), known before the request. */
export interface FundingPayment {
  id: string;
  amountMinor: bigint;
  currency: string;
  payee: string;
}

export interface FundingQuote {
  amountMinor: bigint;
  feeMinor: bigint;
  /** What leaves the wallet (withdrawal, bank transfer: amount + fee) or enters it (top-up). */
  totalMinor: bigint;
  currency: string;
  confirmation: ConfirmationPlan;
  /** Given the Idempotency-Key the client will use: the payment a passkey must sign. */
  payment: FundingPayment | null;
  /**
   * Why the operation would be refused if confirmed now (the single or daily limit, the wallet's
   * balance, the wallet's cap), as an error body says it; null: nothing known refuses it.
   */
  refusal: Refusal | null;
}

export interface WithdrawalQuote extends FundingQuote {
  /** Free withdrawal allowance left this month after this one. */
  freeRemainingMinor: bigint;
  /** By when the money reaches the card. */
  arrivesBy: Date;
}

export interface BankTransferQuote extends FundingQuote {
  /** By when the money reaches the account. */
  arrivesBy: Date;
  account: NonNullable<FundingView['account']>;
}

/** How history describes a ledger transfer of a bank transfer (`describeLedgerTransfers`). */
export interface FundingDescription {
  fundingId: string;
  counterparty: { displayName: string };
  note: string | null;
}

export interface FundingServiceDeps {
  store: FundingStore;
  /** Read only: the money moves through `payments.move`. */
  ledger: Pick<Ledger, 'getTransfer' | 'getBalance' | 'listTransfers'>;
  bank: BankAdapter;
  cards: Pick<CardsService, 'cardForFunding'>;
  kyc: Pick<KycService, 'limitsFor'>;
  security: Pick<SecurityService, 'requiredFactor' | 'verifyConfirmation'>;
  /** The steps before the ledger (limits, risk, factor and confirmation), as for every payment. */
  payments: Pick<PaymentAuthorizer, 'authorize' | 'preview' | 'move'>;
  /** Seals the account number and name of a bank transfer; binds confirmations to the account. */
  secrets: Pick<SecretBox, 'seal' | 'open' | 'blindIndex'>;
  config: FundingConfig;
  /** Fees set by approved configuration changes (modules/approvals, ADR 0025); else `config`'s. */
  settings?: FeeSettings;
  now: () => Date;
  log: FastifyBaseLogger;
  hooks?: FundingHooks;
}

/** The fee policies in force at a time by an approved change; null: the configured ones apply. */
export interface FeeSettings {
  withdrawalFeeAt(at: Date): Promise<WithdrawalFeePolicy | null>;
  bankTransferFeeAt(at: Date): Promise<BankTransferFeePolicy | null>;
}

/**
 * Top-up from a bound card, withdrawal to it (capability C5) and transfer to a bank account of
 * any bank (C6), two-phase with the bank:
 *
 *   created ──hold──▶ held ──▶ bank_pending ──bank succeeded──▶ succeeded (post)
 *      │               │            │
 *      └─▶ failed      └─▶ voiding ◀┘ bank failed / unavailable ──void──▶ failed
 *
 * The row is written before anything else; each step is a compare-and-set on its state, so the
 * request and the recovery worker (several instances) can race without moving money twice. Only
 * whoever moved the row to `bank_pending` calls the bank; from then on only the bank's answer
 * (or `getOperation`) decides. The bank operation id and every ledger id derive from the
 * operation id, itself derived from the Idempotency-Key: retries repeat, never duplicate.
 */
export class FundingService {
  constructor(private readonly deps: FundingServiceDeps) {}

  /**
   * A top-up's amount, fee (none) and how to confirm it, before the holder does, with what would
   * refuse it: the single or daily limit, or the wallet's balance cap.
   */
  async quoteTopUp(input: {
    userId: string;
    walletAccountId: string;
    cardId: string;
    amountMinor: bigint;
    paymentId?: string | null;
  }): Promise<FundingQuote> {
    checkAmount(input.amountMinor);
    const payment = cardPayment(input.paymentId ?? null, input.amountMinor, input.cardId);
    // The pipeline's steps without the confirmation (payments/authorize.ts).
    const { factor, refusal } = await this.deps.payments.preview({
      kind: 'top_up',
      payerUserId: input.userId,
      payerWalletAccountId: input.walletAccountId,
      payment,
      checks: () => this.deps.cards.cardForFunding(input),
      credit: 'payer',
    });
    return {
      amountMinor: input.amountMinor,
      feeMinor: 0n,
      totalMinor: input.amountMinor,
      currency: FUNDING_CURRENCY,
      confirmation: confirmationPlanOf(factor),
      payment: input.paymentId ? payment : null,
      refusal,
    };
  }

  /**
   * A withdrawal's fee, total and arrival, how to confirm it, and what would refuse it: the
   * single or daily limit, or a wallet balance short of amount + fee.
   */
  async quoteWithdrawal(input: {
    userId: string;
    walletAccountId: string;
    cardId: string;
    amountMinor: bigint;
    paymentId?: string | null;
  }): Promise<WithdrawalQuote> {
    checkAmount(input.amountMinor);
    const now = this.deps.now();
    const payment = cardPayment(input.paymentId ?? null, input.amountMinor, input.cardId);
    // The pipeline's steps without the confirmation (payments/authorize.ts): the same tier and
    // single-limit checks as the withdrawal itself, so the quote never passes what it refuses.
    const fee = settled(this.withdrawalFeeOf(input.userId, input.amountMinor, now));
    const { factor, refusal } = await this.deps.payments.preview({
      kind: 'withdrawal',
      payerUserId: input.userId,
      payerWalletAccountId: input.walletAccountId,
      payment,
      checks: () => this.deps.cards.cardForFunding(input),
      debit: fee().then((withdrawal) => ({
        walletAccountId: input.walletAccountId,
        totalMinor: input.amountMinor + withdrawal.feeMinor,
      })),
    });
    const { feeMinor, freeRemainingAfterMinor } = await fee();
    return {
      amountMinor: input.amountMinor,
      feeMinor,
      totalMinor: input.amountMinor + feeMinor,
      currency: FUNDING_CURRENCY,
      freeRemainingMinor: freeRemainingAfterMinor,
      arrivesBy: new Date(now.getTime() + this.deps.config.withdrawalArrivalMinutes * 60_000),
      confirmation: confirmationPlanOf(factor),
      payment: input.paymentId ? payment : null,
      refusal,
    };
  }

  /**
   * A bank transfer's fee, total, arrival and the account as it will be shown (masked), with how
   * to confirm it. Refuses bad input and a T0 wallet; `refusal` says what else would refuse it
   * (the single or daily limit, a wallet balance short of amount + fee).
   */
  async quoteBankTransfer(input: {
    userId: string;
    walletAccountId: string;
    account: BankAccountInput;
    amountMinor: bigint;
    paymentId?: string | null;
  }): Promise<BankTransferQuote> {
    checkAmount(input.amountMinor);
    const account = parseBankAccount(input.account);
    const feeMinor = await this.bankTransferFeeOf(input.amountMinor, this.deps.now());
    const payment: FundingPayment = {
      id: input.paymentId ?? '',
      amountMinor: input.amountMinor,
      currency: FUNDING_CURRENCY,
      payee: bankAccountPayee(account, this.deps.secrets),
    };
    // The pipeline's steps without the confirmation (payments/authorize.ts).
    const { factor, refusal } = await this.deps.payments.preview({
      kind: 'bank_transfer',
      payerUserId: input.userId,
      payerWalletAccountId: input.walletAccountId,
      payment,
      debit: { walletAccountId: input.walletAccountId, totalMinor: input.amountMinor + feeMinor },
    });
    return {
      amountMinor: input.amountMinor,
      feeMinor,
      totalMinor: input.amountMinor + feeMinor,
      currency: FUNDING_CURRENCY,
      arrivesBy: new Date(this.deps.now().getTime() + this.deps.config.bankTransferArrivalMinutes * 60_000),
      account: accountView(account.bankCode, account.last4, account.maskedName),
      confirmation: confirmationPlanOf(factor),
      payment: input.paymentId ? payment : null,
      refusal,
    };
  }

  /**
   * Run a top-up or withdrawal as far as it goes now. Answers `succeeded` or `processing` (the
   * bank's answer is pending or lost: the worker finishes it); throws the failure otherwise. The
   * same `operationId` again answers the operation's current state.
   */
  async start(input: {
    kind: 'top_up' | 'withdrawal';
    operationId: string;
    userId: string;
    walletAccountId: string;
    cardId: string;
    amountMinor: bigint;
    confirmation: ConfirmationInput | undefined;
  }): Promise<FundingView> {
    const { deps } = this;
    // A retry (after a crash or a 5xx) finds the row its first run wrote after the confirmation:
    // it carries on from there and answers, never checking or confirming again.
    const existing = await deps.store.get(input.operationId);
    if (existing) return this.respond(await this.continueRetried(existing));
    checkAmount(input.amountMinor);
    // The pipeline's steps (payments/authorize.ts): the tier (a withdrawal needs one that may),
    // the card, the single limit, risk, and the confirmation — never password-free. Own card ↔
    // own wallet does not count toward the yearly limit (domain-rules §1; payments/kinds.ts).
    const {
      checked: card,
      payerLimits: limits,
      ledgerLimits,
      riskInput,
    } = await deps.payments.authorize({
      kind: input.kind,
      payerUserId: input.userId,
      payment: cardPayment(input.operationId, input.amountMinor, input.cardId),
      confirmation: input.confirmation ?? null,
      checks: () => deps.cards.cardForFunding(input),
    });
    const now = deps.now();
    const withdrawalPolicy = input.kind === 'withdrawal' ? await this.withdrawalFeePolicy(now) : null;
    const inserted = await deps.store.insert(
      {
        id: input.operationId,
        user_id: input.userId,
        wallet_account_id: input.walletAccountId,
        kind: input.kind,
        card_id: card.id,
        card_token: card.cardToken,
        card_bin: card.bin,
        card_last4: card.last4,
        card_bank_code: card.bankCode,
        account_number_sealed: null,
        account_name_sealed: null,
        account_last4: null,
        account_bank_code: null,
        account_name_masked: null,
        note: null,
        amount_minor: input.amountMinor,
        fee_minor: 0n,
        currency: FUNDING_CURRENCY,
        bank_operation_id: input.operationId,
        created_at: now,
      },
      // A withdrawal's fee is fixed when its row is written, under a per-holder lock (see store).
      input.kind === 'withdrawal'
        ? {
            month: shanghaiMonth(now),
            afterRead: () => deps.hooks?.afterWithdrawnRead?.(input.operationId),
            feeOf: (withdrawnMinor) =>
              withdrawalFee({
                amountMinor: input.amountMinor,
                withdrawnThisMonthMinor: withdrawnMinor,
                policy: withdrawalPolicy ?? deps.config.withdrawalFee,
              }).feeMinor,
          }
        : undefined,
    );
    if (!inserted) return this.respond((await deps.store.get(input.operationId))!);
    const row = (await deps.store.get(input.operationId))!;
    return this.respond(await this.proceed(row, ledgerLimits, payeeBalanceCap(limits), { riskInput }));
  }

  /**
   * Transfer to a bank account of any bank: the same two phases as a withdrawal (hold amount and
   * fee, call the bank's `creditBankAccount`, post or void), counted toward every limit of the
   * tier including the yearly one (the money leaves the holder's own circle). Answers like
   * `start`.
   */
  async startBankTransfer(input: {
    operationId: string;
    userId: string;
    walletAccountId: string;
    account: BankAccountInput;
    amountMinor: bigint;
    note: string | null;
    confirmation: ConfirmationInput | undefined;
  }): Promise<FundingView> {
    const { deps } = this;
    // A retry (after a crash or a 5xx) finds the row its first run wrote after the confirmation:
    // it carries on from there and answers, never checking or confirming again.
    const existing = await deps.store.get(input.operationId);
    if (existing) return this.respond(await this.continueRetried(existing));
    checkAmount(input.amountMinor);
    const account = parseBankAccount(input.account);
    // The pipeline's steps (payments/authorize.ts), counted toward every limit of the tier
    // including the yearly one: the money leaves the holder's own circle.
    const { ledgerLimits, riskInput } = await deps.payments.authorize({
      kind: 'bank_transfer',
      payerUserId: input.userId,
      payment: {
        id: input.operationId,
        amountMinor: input.amountMinor,
        currency: FUNDING_CURRENCY,
        payee: bankAccountPayee(account, deps.secrets),
      },
      confirmation: input.confirmation ?? null,
    });
    const now = deps.now();
    const sealed = sealBankAccount(account, deps.secrets);
    const inserted = await deps.store.insert({
      id: input.operationId,
      user_id: input.userId,
      wallet_account_id: input.walletAccountId,
      kind: 'bank_transfer',
      card_id: null,
      card_token: null,
      card_bin: null,
      card_last4: null,
      card_bank_code: null,
      account_number_sealed: sealed.numberSealed,
      account_name_sealed: sealed.nameSealed,
      account_last4: account.last4,
      account_bank_code: account.bankCode,
      account_name_masked: account.maskedName,
      note: input.note,
      amount_minor: input.amountMinor,
      fee_minor: await this.bankTransferFeeOf(input.amountMinor, now),
      currency: FUNDING_CURRENCY,
      bank_operation_id: input.operationId,
      created_at: now,
    });
    if (!inserted) return this.respond((await deps.store.get(input.operationId))!);
    const row = (await deps.store.get(input.operationId))!;
    return this.respond(await this.proceed(row, ledgerLimits, undefined, { riskInput }));
  }

  /** From a freshly written row: hold, call the bank, post or void — as far as it goes now. */
  private async proceed(
    created: OperationRow,
    ledgerLimits: TransferLimit[],
    walletCap: bigint | undefined,
    authorization: Pick<Authorization<unknown>, 'riskInput'>,
  ): Promise<OperationRow> {
    const { deps } = this;
    const row = created;
    // 1. Hold in the ledger.
    const held = await deps.payments.move(this.holdTransfers(row, ledgerLimits, walletCap), authorization);
    if (held.some((outcome) => outcome.result !== 'ok' && outcome.result !== 'exists')) {
      const refusal = ledgerRefusal(held, { credit: row.kind === 'top_up' ? 'own' : 'other' });
      const failure = { code: refusal.code, details: refusal.details ?? {} };
      const failed = await deps.store.transition({
        id: row.id,
        from: ['created'],
        to: 'failed',
        at: deps.now(),
        note: failure.code,
        failure,
      });
      return failed ?? (await deps.store.get(row.id))!;
    }
    await deps.hooks?.afterHold?.(row.id);
    const marked = await deps.store.transition({ id: row.id, from: ['created'], to: 'held', at: deps.now() });
    if (!marked) {
      // The worker gave up on the row before our hold landed: release it ourselves.
      await this.voidHolds(row);
      return (await deps.store.get(row.id))!;
    }
    return this.callBank(marked);
  }

  /**
   * A request retried with the key of an operation that exists (its first run was confirmed and
   * then crashed or answered 5xx): carry it on if the crash left it between the hold and the
   * bank call — the hold is there, the holder still wants it — else answer where it is (the
   * bank's answer and anything before the hold belong to the recovery worker).
   */
  private async continueRetried(row: OperationRow): Promise<OperationRow> {
    const { deps } = this;
    let current = row;
    if (current.state === 'created' && (await deps.ledger.getTransfer(ledgerIds(current.id).hold))) {
      current =
        (await deps.store.transition({
          id: current.id,
          from: ['created'],
          to: 'held',
          at: deps.now(),
          note: 'resumed by a retry',
        })) ?? (await deps.store.get(current.id))!;
    }
    return current.state === 'held' ? this.callBank(current) : current;
  }

  /** From `held`: move the row to bank_pending, call the bank, post or void. */
  private async callBank(held: OperationRow): Promise<OperationRow> {
    const { deps } = this;
    // 2. Only whoever moves the row to bank_pending calls the bank.
    const row = await deps.store.transition({
      id: held.id,
      from: ['held'],
      to: 'bank_pending',
      at: deps.now(),
    });
    if (!row) return (await deps.store.get(held.id))!;
    await deps.hooks?.beforeBankCall?.(row.id);

    // 3. The bank, outside any database transaction.
    let outcome: BankOutcome;
    try {
      outcome = await this.sendToBank(row);
    } catch (error) {
      if (error instanceof BankTimeoutError) {
        deps.log.warn({ fundingId: row.id }, 'bank answer lost; the recovery worker will ask the bank');
        return row;
      }
      if (error instanceof BankUnavailableError || error instanceof BankRequestError) {
        // The request never reached the bank, or was refused as is: nothing moved there.
        const code: ErrorCode =
          error instanceof BankUnavailableError ? 'BANK_UNAVAILABLE' : 'FUNDING_DECLINED';
        const reason = error instanceof BankRequestError ? error.code : 'BANK_UNAVAILABLE';
        return this.failAndVoid(row, { code, details: { reason } });
      }
      throw error;
    }
    await deps.hooks?.afterBankCall?.(row.id, outcome);
    return this.applyOutcome(row, outcome);
  }

  async get(input: { userId: string; id: string }): Promise<FundingView> {
    const row = await this.deps.store.get(input.id);
    if (!row || row.user_id !== input.userId) throw new AppError('FUNDING_NOT_FOUND');
    return viewOf(row);
  }

  isCardBusy(cardId: string): Promise<boolean> {
    return this.deps.store.hasUnfinishedOnCard(cardId);
  }

  /**
   * One pass of the recovery worker: claim unfinished operations idle for the grace period and
   * finish each (ask the bank, then post or void). Safe to run on several instances at once.
   */
  async recover(limit = RECOVERY_BATCH): Promise<{ claimed: number; finished: number }> {
    const now = this.deps.now();
    const rows = await this.deps.store.claimUnfinished({
      limit,
      now,
      idleBefore: new Date(now.getTime() - this.deps.config.recoveryGraceSeconds * 1000),
      leaseUntil: new Date(now.getTime() + 30_000),
    });
    let finished = 0;
    for (const row of rows) {
      try {
        const after = await this.resume(row);
        if (after.state === 'succeeded' || after.state === 'failed') finished += 1;
        else await this.backOff(after);
      } catch (error) {
        this.deps.log.error({ err: error, fundingId: row.id }, 'funding recovery failed; will retry');
        await this.backOff(row);
      }
    }
    return { claimed: rows.length, finished };
  }

  private async backOff(row: OperationRow): Promise<void> {
    const seconds = Math.min(5 * 2 ** Math.min(row.attempts, 10), MAX_LEASE_SECONDS);
    await this.deps.store.extendClaim(row.id, new Date(this.deps.now().getTime() + seconds * 1000));
  }

  /** Finish an unfinished operation from whatever state a crash (or a lost answer) left it in. */
  private async resume(row: OperationRow): Promise<OperationRow> {
    const { deps } = this;
    switch (row.state) {
      case 'created': {
        const hold = await deps.ledger.getTransfer(ledgerIds(row.id).hold);
        if (!hold) {
          const failed = await deps.store.transition({
            id: row.id,
            from: ['created'],
            to: 'failed',
            at: deps.now(),
            note: 'interrupted before the hold',
            failure: { code: 'FUNDING_INTERRUPTED', details: {} },
          });
          return failed ?? (await deps.store.get(row.id))!;
        }
        const held = await deps.store.transition({
          id: row.id,
          from: ['created'],
          to: 'held',
          at: deps.now(),
          note: 'recovered',
        });
        return held ? this.resume(held) : (await deps.store.get(row.id))!;
      }
      case 'held':
        // The bank was never called (only the bank_pending owner calls it): cancel.
        return this.failAndVoid(row, { code: 'FUNDING_INTERRUPTED', details: {} }, ['held']);
      case 'voiding':
        return this.finishVoid(row);
      case 'bank_pending': {
        let outcome: BankOutcome | null = await deps.bank.getOperation(row.bank_operation_id);
        if (outcome === null) {
          // The request never reached the bank (a crash just before it): send it now. The
          // operation id makes it idempotent should the first one still arrive.
          try {
            outcome = await this.sendToBank(row);
          } catch (error) {
            if (error instanceof BankTimeoutError || error instanceof BankUnavailableError) return row;
            throw error;
          }
        }
        return this.applyOutcome(row, outcome);
      }
      case 'succeeded':
      case 'failed':
        return row;
    }
  }

  private async applyOutcome(row: OperationRow, outcome: BankOutcome): Promise<OperationRow> {
    const { deps } = this;
    if (outcome.status === 'pending') return row;
    if (outcome.status === 'succeeded') {
      await deps.hooks?.beforePost?.(row.id);
      await this.postHolds(row);
      const done = await deps.store.transition({
        id: row.id,
        from: ['bank_pending'],
        to: 'succeeded',
        at: deps.now(),
        bankReference: outcome.bankReference,
      });
      return done ?? (await deps.store.get(row.id))!;
    }
    return this.failAndVoid(row, {
      code: 'FUNDING_DECLINED',
      details: { reason: outcome.failureReason },
      bankReference: outcome.bankReference,
    });
  }

  /** bank_pending (or held) → voiding → void the holds → failed. */
  private async failAndVoid(
    row: OperationRow,
    failure: { code: ErrorCode; details: Record<string, unknown>; bankReference?: string },
    from: FundingState[] = ['bank_pending'],
  ): Promise<OperationRow> {
    const voiding = await this.deps.store.transition({
      id: row.id,
      from,
      to: 'voiding',
      at: this.deps.now(),
      note: failure.code,
      failure: { code: failure.code, details: failure.details },
      ...(failure.bankReference ? { bankReference: failure.bankReference } : {}),
    });
    const current = voiding ?? (await this.deps.store.get(row.id))!;
    return current.state === 'voiding' ? this.finishVoid(current) : current;
  }

  private async finishVoid(row: OperationRow): Promise<OperationRow> {
    await this.voidHolds(row);
    const failed = await this.deps.store.transition({
      id: row.id,
      from: ['voiding'],
      to: 'failed',
      at: this.deps.now(),
    });
    return failed ?? (await this.deps.store.get(row.id))!;
  }

  private sendToBank(row: OperationRow): Promise<BankOutcome> {
    const money = {
      operationId: row.bank_operation_id,
      amountMinor: row.amount_minor,
      currency: row.currency,
    };
    if (row.kind === 'bank_transfer') {
      // Opened only here, for the bank call; never logged.
      const account = openBankAccount(
        { numberSealed: row.account_number_sealed!, nameSealed: row.account_name_sealed! },
        this.deps.secrets,
      );
      return this.deps.bank.creditBankAccount({ ...money, ...account, bankCode: row.account_bank_code! });
    }
    const common = { ...money, cardToken: row.card_token! };
    return row.kind === 'top_up'
      ? this.deps.bank.debitCard({ ...common, description: `Qianbao top-up ${row.id.slice(-12)}` })
      : this.deps.bank.creditCard(common);
  }

  private holdTransfers(
    row: OperationRow,
    limits: TransferLimit[],
    walletCap: bigint | undefined,
  ): TransferInput[] {
    const ids = ledgerIds(row.id);
    const settlement = bankSettlementAccountId(row.currency);
    const userData = `funding:${row.id}`;
    if (row.kind === 'top_up') {
      return [
        {
          id: ids.hold,
          debitAccountId: settlement,
          creditAccountId: row.wallet_account_id,
          amount: row.amount_minor,
          currency: row.currency,
          code: TransferCodes.topUp,
          flags: TransferFlags.pending,
          userData,
          limits,
          ...(walletCap === undefined ? {} : { creditBalanceCap: walletCap }),
        },
      ];
    }
    const codes = transferCodesOf(row.kind);
    const hasFee = row.fee_minor > 0n;
    const transfers: TransferInput[] = [
      {
        id: ids.hold,
        debitAccountId: row.wallet_account_id,
        creditAccountId: settlement,
        amount: row.amount_minor,
        currency: row.currency,
        code: codes.main,
        flags: TransferFlags.pending | (hasFee ? TransferFlags.linked : 0),
        userData,
        limits,
      },
    ];
    if (hasFee) {
      transfers.push({
        id: ids.feeHold,
        debitAccountId: row.wallet_account_id,
        creditAccountId: feeIncomeAccountId(row.currency),
        amount: row.fee_minor,
        currency: row.currency,
        code: codes.fee,
        flags: TransferFlags.pending,
        userData,
      });
    }
    return transfers;
  }

  private postHolds(row: OperationRow): Promise<void> {
    return this.resolveHolds(row, 'post');
  }

  private voidHolds(row: OperationRow): Promise<void> {
    return this.resolveHolds(row, 'void');
  }

  /** Post or void the hold (and the linked fee hold) with ids derived from the operation: idempotent. */
  private async resolveHolds(row: OperationRow, how: 'post' | 'void'): Promise<void> {
    const ids = ledgerIds(row.id);
    const flag = how === 'post' ? TransferFlags.postPending : TransferFlags.voidPending;
    const codes = transferCodesOf(row.kind);
    const hasFee = row.fee_minor > 0n;
    // A bank transfer's post and void name the operation too, so history can describe every
    // movement of it (top-ups and withdrawals keep what they have always written).
    const userData = row.kind === 'bank_transfer' ? { userData: `funding:${row.id}` } : {};
    const transfers: TransferInput[] = [
      {
        id: how === 'post' ? ids.post : ids.void,
        pendingId: ids.hold,
        code: codes.main,
        flags: flag | (hasFee ? TransferFlags.linked : 0),
        ...userData,
      },
    ];
    if (hasFee) {
      transfers.push({
        id: how === 'post' ? ids.feePost : ids.feeVoid,
        pendingId: ids.feeHold,
        code: codes.fee,
        flags: flag,
        ...userData,
      });
    }
    const outcomes = await this.deps.payments.move(transfers);
    const bad = outcomes.find((outcome) => outcome.result !== 'ok' && outcome.result !== 'exists');
    // A hold of ours resolved the other way, or missing, is a broken invariant: stop loudly.
    if (bad) throw new Error(`funding ${row.id}: ${how} of the hold failed: ${bad.result}`);
  }

  private async bankTransferFeeOf(amountMinor: bigint, now: Date): Promise<bigint> {
    const policy = (await this.deps.settings?.bankTransferFeeAt(now)) ?? this.deps.config.bankTransferFee;
    return bankTransferFee({ amountMinor, policy });
  }

  private async withdrawalFeePolicy(now: Date): Promise<WithdrawalFeePolicy> {
    return (await this.deps.settings?.withdrawalFeeAt(now)) ?? this.deps.config.withdrawalFee;
  }

  /**
   * History's view of ledger transfers this module made for bank transfers (those carrying
   * `funding:<id>` as user data), for the holder who owns them: the account as the holder typed
   * it (masked) and the note. Other transfers are left to history's code table.
   */
  async describeLedgerTransfers(input: {
    viewerUserId: string;
    transfers: readonly { id: string; userData: string | null }[];
  }): Promise<Map<string, FundingDescription>> {
    const idOf = (userData: string | null) => {
      const match = /^funding:([0-9a-f-]{36})$/.exec(userData ?? '');
      return match ? match[1]! : null;
    };
    const ids = [...new Set(input.transfers.map((t) => idOf(t.userData)).filter((id) => id !== null))];
    const rows = new Map(
      (await this.deps.store.getMany(ids))
        .filter((row) => row.user_id === input.viewerUserId && row.kind === 'bank_transfer')
        .map((row) => [row.id, row]),
    );
    const described = new Map<string, FundingDescription>();
    for (const transfer of input.transfers) {
      const row = rows.get(idOf(transfer.userData) ?? '');
      if (!row) continue;
      const bank = bankNameOf(row.account_bank_code!);
      described.set(transfer.id, {
        fundingId: row.id,
        counterparty: { displayName: `${row.account_name_masked} · ${bank.zh} (${row.account_last4})` },
        note: row.note,
      });
    }
    return described;
  }

  private async withdrawalFeeOf(userId: string, amountMinor: bigint, now: Date) {
    const month = shanghaiMonth(now);
    const [withdrawn, policy] = await Promise.all([
      this.deps.store.withdrawnBetween(userId, month.from, month.to),
      this.withdrawalFeePolicy(now),
    ]);
    return withdrawalFee({ amountMinor, withdrawnThisMonthMinor: withdrawn, policy });
  }

  /** Succeeded and processing answer the view; a failure is thrown as its stored code. */
  private respond(row: OperationRow): FundingView {
    if (row.state === 'failed') {
      const code =
        row.failure_code !== null && row.failure_code in ERRORS
          ? (row.failure_code as ErrorCode)
          : 'INTERNAL';
      throw new AppError(code, { details: { ...(row.failure_details ?? {}), fundingId: row.id } });
    }
    return viewOf(row);
  }
}

export function ledgerIds(operationId: string) {
  const of = (part: string) => derivedId(`funding:${operationId}:${part}`);
  return {
    hold: of('hold'),
    feeHold: of('fee-hold'),
    post: of('post'),
    feePost: of('fee-post'),
    void: of('void'),
    feeVoid: of('fee-void'),
  };
}

function checkAmount(amountMinor: bigint): void {
  if (amountMinor <= 0n || amountMinor > MAX_FUNDING_AMOUNT_MINOR)
    throw new AppError('FUNDING_AMOUNT_INVALID');
}

function statusOf(state: FundingState): FundingStatus {
  return state === 'succeeded' ? 'succeeded' : state === 'failed' ? 'failed' : 'processing';
}

/**
 * A bank transfer that reached `failed` after `voiding` had its money held and given back: to the
 * holder that is `refunded`, and the `voiding` step is when it `failed`.
 */
function refunded(row: OperationRow): boolean {
  return (
    row.kind === 'bank_transfer' &&
    row.state === 'failed' &&
    row.timeline.some((entry) => entry.state === 'voiding')
  );
}

function viewOf(row: OperationRow): FundingView {
  const wasRefunded = refunded(row);
  return {
    id: row.id,
    kind: row.kind,
    status: wasRefunded ? 'refunded' : statusOf(row.state),
    amountMinor: row.amount_minor,
    feeMinor: row.fee_minor,
    currency: row.currency,
    card:
      row.card_id === null
        ? null
        : {
            id: row.card_id,
            maskedNumber: maskCardParts({ bin: row.card_bin, last4: row.card_last4 ?? '' }),
            last4: row.card_last4 ?? '',
            bankCode: row.card_bank_code ?? '',
            bankName: bankNameOf(row.card_bank_code ?? ''),
          },
    account:
      row.kind === 'bank_transfer'
        ? accountView(row.account_bank_code!, row.account_last4!, row.account_name_masked!)
        : null,
    note: row.note,
    failure:
      row.state === 'failed'
        ? { code: row.failure_code ?? 'INTERNAL', details: row.failure_details ?? {} }
        : null,
    bankReference: row.bank_reference,
    createdAt: row.created_at,
    completedAt: row.completed_at,
    timeline: row.timeline.map((entry) => ({
      ...entry,
      status: !wasRefunded
        ? statusOf(entry.state)
        : entry.state === 'failed'
          ? 'refunded'
          : entry.state === 'voiding'
            ? 'failed'
            : statusOf(entry.state),
    })),
  };
}

function accountView(
  bankCode: string,
  last4: string,
  maskedName: string,
): NonNullable<FundingView['account']> {
  return {
    maskedNumber: maskAccountNumber(last4),
    last4,
    bankCode,
    bankName: bankNameOf(bankCode),
    name: maskedName,
  };
}

/** A top-up's or withdrawal's payment to confirm: to the bound card. */
function cardPayment(id: string | null, amountMinor: bigint, cardId: string): FundingPayment {
  return { id: id ?? '', amountMinor, currency: FUNDING_CURRENCY, payee: `card:${cardId}` };
}

function transferCodesOf(kind: FundingKind): { main: number; fee: number } {
  switch (kind) {
    case 'top_up':
      return { main: TransferCodes.topUp, fee: TransferCodes.withdrawalFee };
    case 'withdrawal':
      return { main: TransferCodes.withdrawal, fee: TransferCodes.withdrawalFee };
    case 'bank_transfer':
      return { main: TransferCodes.bankTransfer, fee: TransferCodes.bankTransferFee };
  }
}

export { yuan } from './events.ts';

/** How the holder will confirm, as a quote says it (funding is never password-free). */
function confirmationPlanOf(decision: FactorDecision): ConfirmationPlan {
  return { factor: decision.factor, accepted: [...decision.accepted], reason: decision.reason };
}
