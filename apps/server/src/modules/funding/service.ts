import type { FastifyBaseLogger } from 'fastify';
import { TransferFlags, derivedId } from '@qianbao/ledger';
import type { Ledger, TransferInput, TransferLimit, TransferOutcome } from '@qianbao/ledger';
import {
  BankRequestError,
  BankTimeoutError,
  BankUnavailableError,
  maskCardParts,
} from '../../adapters/bank/index.ts';
import type { BankAdapter, BankOutcome } from '../../adapters/bank/index.ts';
import type { FundingConfig } from '../../config.ts';
import { AppError, ERRORS } from '../../errors.ts';
import type { ErrorCode } from '../../errors.ts';
import { bankNameOf } from '../cards/index.ts';
import type { CardsService } from '../cards/index.ts';
import { limitExceededError, payeeBalanceCap, planPaymentLimits } from '../kyc/index.ts';
import type { KycService } from '../kyc/index.ts';
import type { NotificationsService } from '../notifications/service.ts';
import type { ConfirmationInput, SecurityService } from '../security/index.ts';
import { FundingTransferCodes, bankSettlementAccountId, feeIncomeAccountId } from './accounts.ts';
import { shanghaiMonth, withdrawalFee } from './fees.ts';
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

export type FundingStatus = 'processing' | 'succeeded' | 'failed';

export interface FundingView {
  id: string;
  kind: FundingKind;
  status: FundingStatus;
  amountMinor: bigint;
  feeMinor: bigint;
  currency: string;
  card: {
    id: string;
    maskedNumber: string;
    last4: string;
    bankCode: string;
    bankName: { zh: string; en: string };
  };
  failure: { code: string; details: Record<string, unknown> } | null;
  bankReference: string | null;
  createdAt: Date;
  completedAt: Date | null;
  timeline: (TimelineEntry & { status: FundingStatus })[];
}

export interface WithdrawalQuote {
  amountMinor: bigint;
  feeMinor: bigint;
  totalMinor: bigint;
  currency: string;
  /** Free withdrawal allowance left this month after this one. */
  freeRemainingMinor: bigint;
  /** By when the money reaches the card. */
  arrivesBy: Date;
}

export interface FundingServiceDeps {
  store: FundingStore;
  ledger: Pick<Ledger, 'createTransfers' | 'getTransfer'>;
  bank: BankAdapter;
  cards: Pick<CardsService, 'cardForFunding'>;
  kyc: Pick<KycService, 'limitsFor'>;
  security: Pick<SecurityService, 'requiredFactor' | 'verifyConfirmation'>;
  notifications: Pick<NotificationsService, 'notify'>;
  config: FundingConfig;
  now: () => Date;
  log: FastifyBaseLogger;
  hooks?: FundingHooks;
}

/**
 * Top-up from a bound card and withdrawal to it (capability C5), two-phase with the bank:
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

  async quoteWithdrawal(input: {
    userId: string;
    cardId: string;
    amountMinor: bigint;
  }): Promise<WithdrawalQuote> {
    checkAmount(input.amountMinor);
    const limits = await this.deps.kyc.limitsFor(input.userId);
    if (!limits.mayWithdraw) throw new AppError('KYC_TIER_TOO_LOW', { details: { tier: limits.tier } });
    await this.deps.cards.cardForFunding(input);
    const now = this.deps.now();
    const fee = await this.withdrawalFeeOf(input.userId, input.amountMinor, now);
    return {
      amountMinor: input.amountMinor,
      feeMinor: fee.feeMinor,
      totalMinor: input.amountMinor + fee.feeMinor,
      currency: FUNDING_CURRENCY,
      freeRemainingMinor: fee.freeRemainingAfterMinor,
      arrivesBy: new Date(now.getTime() + this.deps.config.withdrawalArrivalMinutes * 60_000),
    };
  }

  /**
   * Run a top-up or withdrawal as far as it goes now. Answers `succeeded` or `processing` (the
   * bank's answer is pending or lost: the worker finishes it); throws the failure otherwise. The
   * same `operationId` again answers the operation's current state.
   */
  async start(input: {
    kind: FundingKind;
    operationId: string;
    userId: string;
    walletAccountId: string;
    cardId: string;
    amountMinor: bigint;
    confirmation: ConfirmationInput | undefined;
  }): Promise<FundingView> {
    const { deps } = this;
    const existing = await deps.store.get(input.operationId);
    if (existing) return this.respond(existing);
    checkAmount(input.amountMinor);
    const limits = await deps.kyc.limitsFor(input.userId);
    if (input.kind === 'withdrawal' && !limits.mayWithdraw) {
      throw new AppError('KYC_TIER_TOO_LOW', { details: { tier: limits.tier } });
    }
    const card = await deps.cards.cardForFunding(input);
    const now = deps.now();
    // Own card ↔ own wallet: not counted toward the yearly limit (domain-rules §1).
    const plan = planPaymentLimits({
      payerUserId: input.userId,
      payerLimits: limits,
      amountMinor: input.amountMinor,
      now,
      countsTowardYear: false,
    });
    if (plan.refusal) {
      throw limitExceededError({
        key: 'single',
        maxMinor: plan.refusal.maxMinor,
        remainingMinor: plan.refusal.maxMinor,
      });
    }

    // Every top-up and withdrawal is confirmed (PIN, passkey, TOTP), never password-free.
    const payment = {
      id: input.operationId,
      amountMinor: input.amountMinor,
      currency: FUNDING_CURRENCY,
      payee: `card:${card.id}`,
    };
    const decision = await deps.security.requiredFactor({
      userId: input.userId,
      amountMinor: payment.amountMinor,
      currency: payment.currency,
      payee: payment.payee,
      allowPasswordFree: false,
    });
    if (!input.confirmation) {
      throw new AppError('FACTOR_NOT_ACCEPTED', {
        details: { accepted: [...decision.accepted], given: null },
      });
    }
    const confirmed = await deps.security.verifyConfirmation({
      userId: input.userId,
      payment,
      accepted: decision.accepted,
      factor: input.confirmation,
    });
    if (!confirmed.ok) throw confirmed.error;

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
                policy: deps.config.withdrawalFee,
              }).feeMinor,
          }
        : undefined,
    );
    if (!inserted) return this.respond((await deps.store.get(input.operationId))!);
    let row = (await deps.store.get(input.operationId))!;

    // 1. Hold in the ledger.
    const ledgerLimits = [...plan.ledgerLimits, ...decision.ledgerLimits];
    const held = await deps.ledger.createTransfers(
      this.holdTransfers(row, ledgerLimits, payeeBalanceCap(limits)),
    );
    if (held.some((outcome) => outcome.result !== 'ok' && outcome.result !== 'exists')) {
      const failure = holdFailure(held);
      const failed = await deps.store.transition({
        id: row.id,
        from: ['created'],
        to: 'failed',
        at: deps.now(),
        note: failure.code,
        failure,
      });
      return this.respond(failed ?? (await deps.store.get(row.id))!);
    }
    await deps.hooks?.afterHold?.(row.id);
    const marked = await deps.store.transition({ id: row.id, from: ['created'], to: 'held', at: deps.now() });
    if (!marked) {
      // The worker gave up on the row before our hold landed: release it ourselves.
      await this.voidHolds(row);
      return this.respond((await deps.store.get(row.id))!);
    }
    // 2. Only whoever moves the row to bank_pending calls the bank.
    const claimed = await deps.store.transition({
      id: row.id,
      from: ['held'],
      to: 'bank_pending',
      at: deps.now(),
    });
    if (!claimed) return this.respond((await deps.store.get(row.id))!);
    row = claimed;
    await deps.hooks?.beforeBankCall?.(row.id);

    // 3. The bank, outside any database transaction.
    let outcome: BankOutcome;
    try {
      outcome = await this.sendToBank(row);
    } catch (error) {
      if (error instanceof BankTimeoutError) {
        deps.log.warn({ fundingId: row.id }, 'bank answer lost; the recovery worker will ask the bank');
        return this.respond(row);
      }
      if (error instanceof BankUnavailableError || error instanceof BankRequestError) {
        // The request never reached the bank, or was refused as is: nothing moved there.
        const code: ErrorCode =
          error instanceof BankUnavailableError ? 'BANK_UNAVAILABLE' : 'FUNDING_DECLINED';
        const reason = error instanceof BankRequestError ? error.code : 'BANK_UNAVAILABLE';
        return this.respond(await this.failAndVoid(row, { code, details: { reason } }));
      }
      throw error;
    }
    await deps.hooks?.afterBankCall?.(row.id, outcome);
    return this.respond(await this.applyOutcome(row, outcome));
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
          if (failed) await this.notifyOutcome(failed);
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
      if (done) await this.notifyOutcome(done);
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
    if (failed) await this.notifyOutcome(failed);
    return failed ?? (await this.deps.store.get(row.id))!;
  }

  private sendToBank(row: OperationRow): Promise<BankOutcome> {
    const common = {
      operationId: row.bank_operation_id,
      cardToken: row.card_token,
      amountMinor: row.amount_minor,
      currency: row.currency,
    };
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
          code: FundingTransferCodes.topUp,
          flags: TransferFlags.pending,
          userData,
          limits,
          ...(walletCap === undefined ? {} : { creditBalanceCap: walletCap }),
        },
      ];
    }
    const hasFee = row.fee_minor > 0n;
    const transfers: TransferInput[] = [
      {
        id: ids.hold,
        debitAccountId: row.wallet_account_id,
        creditAccountId: settlement,
        amount: row.amount_minor,
        currency: row.currency,
        code: FundingTransferCodes.withdrawal,
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
        code: FundingTransferCodes.withdrawalFee,
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
    const mainCode = row.kind === 'top_up' ? FundingTransferCodes.topUp : FundingTransferCodes.withdrawal;
    const hasFee = row.fee_minor > 0n;
    const transfers: TransferInput[] = [
      {
        id: how === 'post' ? ids.post : ids.void,
        pendingId: ids.hold,
        code: mainCode,
        flags: flag | (hasFee ? TransferFlags.linked : 0),
      },
    ];
    if (hasFee) {
      transfers.push({
        id: how === 'post' ? ids.feePost : ids.feeVoid,
        pendingId: ids.feeHold,
        code: FundingTransferCodes.withdrawalFee,
        flags: flag,
      });
    }
    const outcomes = await this.deps.ledger.createTransfers(transfers);
    const bad = outcomes.find((outcome) => outcome.result !== 'ok' && outcome.result !== 'exists');
    // A hold of ours resolved the other way, or missing, is a broken invariant: stop loudly.
    if (bad) throw new Error(`funding ${row.id}: ${how} of the hold failed: ${bad.result}`);
  }

  private async withdrawalFeeOf(userId: string, amountMinor: bigint, now: Date) {
    const month = shanghaiMonth(now);
    const withdrawn = await this.deps.store.withdrawnBetween(userId, month.from, month.to);
    return withdrawalFee({
      amountMinor,
      withdrawnThisMonthMinor: withdrawn,
      policy: this.deps.config.withdrawalFee,
    });
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

  private async notifyOutcome(row: OperationRow): Promise<void> {
    const ok = row.state === 'succeeded';
    const amount = yuan(row.amount_minor);
    const topUp = row.kind === 'top_up';
    const reason =
      typeof row.failure_details?.reason === 'string' ? row.failure_details.reason : row.failure_code;
    await this.deps.notifications.notify(row.user_id, {
      kind: `funding.${row.kind}_${ok ? 'succeeded' : 'failed'}`,
      amountMinor: row.amount_minor,
      params: {
        fundingId: row.id,
        amount: row.amount_minor.toString(),
        fee: row.fee_minor.toString(),
        currency: row.currency,
        last4: row.card_last4,
        reason: ok ? null : reason,
      },
      title: topUp
        ? ok
          ? { 'zh-CN': '充值成功', en: 'Top-up completed' }
          : { 'zh-CN': '充值失败', en: 'Top-up failed' }
        : ok
          ? { 'zh-CN': '提现成功', en: 'Withdrawal completed' }
          : { 'zh-CN': '提现失败', en: 'Withdrawal failed' },
      body: topUp
        ? ok
          ? {
              'zh-CN': `已从尾号 ${row.card_last4} 的银行卡充值 ${amount}。`,
              en: `${amount} was added from your card ending ${row.card_last4}.`,
            }
          : {
              'zh-CN': `充值 ${amount} 未成功，资金未变动。`,
              en: `The top-up of ${amount} failed; no money moved.`,
            }
        : ok
          ? {
              'zh-CN': `${amount} 已提现至尾号 ${row.card_last4} 的银行卡。`,
              en: `${amount} was sent to your card ending ${row.card_last4}.`,
            }
          : {
              'zh-CN': `提现 ${amount} 未成功，资金已退回钱包。`,
              en: `The withdrawal of ${amount} failed; the money is back in your wallet.`,
            },
    });
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

/** The first real failure of a hold request (not the `linkedEventFailed` of its partner). */
function holdFailure(outcomes: TransferOutcome[]): { code: ErrorCode; details: Record<string, unknown> } {
  const primary =
    outcomes.find((o) => o.result !== 'ok' && o.result !== 'exists' && o.result !== 'linkedEventFailed') ??
    outcomes[0]!;
  const result =
    primary.result === 'idAlreadyFailed' ? (primary.failedWith ?? primary.result) : primary.result;
  if (result === 'insufficientFunds') return { code: 'INSUFFICIENT_FUNDS', details: {} };
  if (result === 'limitExceeded') {
    if (!primary.limit) return { code: 'LIMIT_EXCEEDED', details: {} };
    const error = limitExceededError({
      key: primary.limit.key,
      maxMinor: primary.limit.max,
      remainingMinor: primary.limit.remaining,
    });
    return { code: error.code, details: error.details ?? {} };
  }
  if (result === 'exceedsBalanceCap') {
    return {
      code: 'PAYEE_BALANCE_CAP_EXCEEDED',
      details: { remaining: (primary.balanceCapRemaining ?? 0n).toString() },
    };
  }
  // Anything else (an unknown account, a bad id) is a programmer error: fail loudly.
  throw new Error(`funding hold failed unexpectedly: ${result}`);
}

function statusOf(state: FundingState): FundingStatus {
  return state === 'succeeded' ? 'succeeded' : state === 'failed' ? 'failed' : 'processing';
}

function viewOf(row: OperationRow): FundingView {
  return {
    id: row.id,
    kind: row.kind,
    status: statusOf(row.state),
    amountMinor: row.amount_minor,
    feeMinor: row.fee_minor,
    currency: row.currency,
    card: {
      id: row.card_id,
      maskedNumber: maskCardParts({ bin: row.card_bin, last4: row.card_last4 }),
      last4: row.card_last4,
      bankCode: row.card_bank_code,
      bankName: bankNameOf(row.card_bank_code),
    },
    failure:
      row.state === 'failed'
        ? { code: row.failure_code ?? 'INTERNAL', details: row.failure_details ?? {} }
        : null,
    bankReference: row.bank_reference,
    createdAt: row.created_at,
    completedAt: row.completed_at,
    timeline: row.timeline.map((entry) => ({ ...entry, status: statusOf(entry.state) })),
  };
}

/** `¥1,234.56` for notification texts. */
export function yuan(minor: bigint): string {
  const sign = minor < 0n ? '-' : '';
  const abs = minor < 0n ? -minor : minor;
  const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}¥${whole}.${(abs % 100n).toString().padStart(2, '0')}`;
}
