/**
 * Settlement (issue 12, "After the payment"): a merchant's balance paid out to the settlement
 * card its owner named — on demand, or by the daily job (T+1) — through the bank adapter, two-phase
 * and crash-safe exactly as funding's withdrawal (modules/funding/service.ts):
 *
 *   created ──hold──▶ held ──▶ bank_pending ──bank succeeded──▶ succeeded (post)
 *      │               │            │
 *      └─▶ failed      └─▶ voiding ◀┘ bank failed / unavailable ──void──▶ failed
 *
 * The row is written before anything else; every step is a compare-and-set on its state, so the
 * request, the daily job and the recovery job (on several instances) can race without paying out
 * twice. Only whoever moves the row to `bank_pending` calls the bank; after that only the bank's
 * answer (or `getOperation`) decides. The bank's operation id and every ledger id derive from the
 * settlement id, itself derived from the Idempotency-Key (on demand) or from (merchant, day)
 * (daily): a retry repeats, never duplicates. One settlement per merchant runs at a time (a
 * partial unique index): each pays out what the balance has, a second would race it for it.
 */
import type { FastifyBaseLogger } from 'fastify';
import { TransferFlags, derivedId, isUuid } from '@qianbao/ledger';
import type { Ledger, TransferInput } from '@qianbao/ledger';
import {
  BankRequestError,
  BankTimeoutError,
  BankUnavailableError,
  maskCardParts,
} from '../../adapters/bank/index.ts';
import type { BankAdapter, BankOutcome } from '../../adapters/bank/index.ts';
import { AppError, ERRORS } from '../../errors.ts';
import type { ErrorCode } from '../../errors.ts';
import { moneyPayload } from '../../outbox/index.ts';
import type { NewEvent } from '../../outbox/index.ts';
import { primaryFailure } from '../../payments/index.ts';
import type { PaymentAuthorizer } from '../../payments/index.ts';
import { shanghaiDate } from '../../platform/calendar.ts';
import { TransferCodes } from '../../platform/codes.ts';
import { bankNameOf } from '../cards/index.ts';
import type { CardsService } from '../cards/index.ts';
import { bankSettlementAccountId } from '../funding/accounts.ts';
import { settlementEnded } from './events.ts';
import type {
  SettlementRow,
  SettlementState,
  SettlementStore,
  SettlingMerchant,
} from './settlement-store.ts';

export const SETTLEMENT_CURRENCY = 'CNY';
/** The most one bank operation carries (as funding's): a larger balance settles in several. */
export const MAX_SETTLEMENT_MINOR = 100_000_000n;
/** Unfinished settlements idle this long belong to the recovery job (a live request is faster). */
const RECOVERY_GRACE_SECONDS = 60;
const RECOVERY_BATCH = 50;
const MAX_LEASE_SECONDS = 600;
/** The daily job reads merchants in pages of this many, and stops after this many in one run. */
const DAILY_PAGE = 200;
const MAX_DAILY_MERCHANTS = 10_000;
const MAX_LIST = 100;

/**
 * Test seams at the crash points: a hook that throws stops the run there exactly as a crash
 * would (the row stays where it was; the recovery job finishes it).
 */
export interface SettlementHooks {
  /** The row is written `created`; nothing is held yet. */
  afterRow?: (settlementId: string) => void | Promise<void>;
  /** The ledger hold is committed; the row still says `created`. */
  afterHold?: (settlementId: string) => void | Promise<void>;
  /** The row says `bank_pending`; the bank has not been called. */
  beforeBankCall?: (settlementId: string) => void | Promise<void>;
  /** The bank answered (the answer is then lost); the hold is not posted or voided yet. */
  afterBankCall?: (settlementId: string, outcome: BankOutcome) => void | Promise<void>;
}

/** What the owner sees: `processing` until the bank answers, then `succeeded` or `failed`. */
export type SettlementStatus = 'processing' | 'succeeded' | 'failed';

export interface SettlementView {
  id: string;
  trigger: SettlementRow['trigger'];
  /** The day the daily job settled (Asia/Shanghai); null on demand. */
  businessDate: string | null;
  status: SettlementStatus;
  amountMinor: bigint;
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
  timeline: { state: SettlementState; status: SettlementStatus; at: string; note?: string }[];
}

export interface SettlementCardView {
  id: string;
  maskedNumber: string;
  last4: string;
  bankCode: string;
  bankName: { zh: string; en: string };
}

export interface SettlementServiceDeps {
  store: SettlementStore;
  /** Read only: the money moves through `payments.move`. */
  ledger: Pick<Ledger, 'getTransfer' | 'getBalance'>;
  bank: BankAdapter;
  cards: Pick<CardsService, 'list' | 'cardForFunding'>;
  /** The pipeline's ledger step: the one way money moves. */
  payments: Pick<PaymentAuthorizer, 'move'>;
  now: () => Date;
  log: FastifyBaseLogger;
  hooks?: SettlementHooks;
}

export class SettlementService {
  constructor(private readonly deps: SettlementServiceDeps) {}

  // ---- the settlement card ----------------------------------------------------------------------

  /** Name one of the owner's own active debit cards as the merchant's settlement card. */
  async setSettlementCard(input: { merchantId: string; cardId: string }): Promise<SettlementCardView> {
    const merchant = await this.merchantOf(input.merchantId);
    const card = (await this.deps.cards.list(merchant.owner_user_id)).find((c) => c.id === input.cardId);
    // Another holder's card is as unknown as a card that does not exist.
    if (!card) throw new AppError('CARD_NOT_FOUND');
    if (card.cardType !== 'debit') {
      throw new AppError('SETTLEMENT_CARD_INVALID', { details: { reason: 'NOT_DEBIT' } });
    }
    await this.deps.store.setSettlementCard(merchant.id, card.id);
    return {
      id: card.id,
      maskedNumber: card.maskedNumber,
      last4: card.last4,
      bankCode: card.bankCode,
      bankName: card.bankName,
    };
  }

  /** The settlement card, or null when none is named or the one named was unbound. */
  async settlementCard(merchantId: string): Promise<SettlementCardView | null> {
    const merchant = await this.merchantOf(merchantId);
    if (merchant.settlement_card_id === null) return null;
    const card = (await this.deps.cards.list(merchant.owner_user_id)).find(
      (c) => c.id === merchant.settlement_card_id,
    );
    return card
      ? {
          id: card.id,
          maskedNumber: card.maskedNumber,
          last4: card.last4,
          bankCode: card.bankCode,
          bankName: card.bankName,
        }
      : null;
  }

  // ---- settling ---------------------------------------------------------------------------------

  /**
   * On demand: settle `amountMinor` (or, null, the whole available balance up to one bank
   * operation's most) to the settlement card now. Answers `succeeded` or `processing` (the bank's
   * answer is pending or lost: the recovery job finishes it); throws the failure otherwise. The
   * same `settlementId` again answers the same settlement, carried on if a crash left it between
   * the hold and the bank call.
   */
  async settle(input: {
    merchantId: string;
    settlementId: string;
    amountMinor: bigint | null;
  }): Promise<SettlementView> {
    const existing = await this.deps.store.get(input.settlementId);
    if (existing) return this.respond(await this.continueRetried(existing));
    const merchant = await this.merchantOf(input.merchantId);
    // Test money never leaves for a bank (ADR 0022).
    if (merchant.test_of)
      throw new AppError('TEST_MODE_UNSUPPORTED', { details: { feature: 'settlements' } });
    if (merchant.status !== 'active') throw new AppError('MERCHANT_NOT_ACTIVE');
    const available = await this.availableOf(merchant);
    const amountMinor = input.amountMinor ?? minBigint(available, MAX_SETTLEMENT_MINOR);
    if (available <= 0n) throw new AppError('SETTLEMENT_NOTHING_TO_SETTLE');
    if (amountMinor > available) {
      throw new AppError('SETTLEMENT_EXCEEDS_BALANCE', {
        details: { available: moneyPayload(available, SETTLEMENT_CURRENCY) },
      });
    }
    const row = await this.begin({ merchant, id: input.settlementId, amountMinor, businessDate: null });
    return this.respond(row);
  }

  /**
   * The daily job (T+1): every active merchant with a settlement card and a positive balance is
   * settled for the day before the run (Asia/Shanghai) — the whole balance available at the run,
   * so takings of the early hours of today go with yesterday's. The settlement's id derives from
   * (merchant, day): a second run the same day (a retry, the hourly catch-up, another instance)
   * finds it and settles nobody twice.
   */
  async settleDaily(): Promise<{
    businessDate: string;
    merchants: number;
    started: number;
    succeeded: number;
  }> {
    const now = this.deps.now();
    const businessDate = shanghaiDate(new Date(now.getTime() - 24 * 3600 * 1000));
    let afterId: string | null = null;
    let merchants = 0;
    let started = 0;
    let succeeded = 0;
    while (merchants < MAX_DAILY_MERCHANTS) {
      const page = await this.deps.store.settlingMerchants(afterId, DAILY_PAGE);
      if (page.length === 0) break;
      afterId = page[page.length - 1]!.id;
      for (const merchant of page) {
        merchants += 1;
        try {
          const row = await this.settleOneDaily(merchant, businessDate);
          if (row) started += 1;
          if (row?.state === 'succeeded') succeeded += 1;
        } catch (error) {
          // One merchant's trouble (a card unbound, the bank down) must not stop the others.
          this.deps.log.warn(
            { err: error, merchantId: merchant.id, businessDate },
            'daily settlement not started',
          );
        }
      }
    }
    if (merchants >= MAX_DAILY_MERCHANTS) {
      this.deps.log.error(
        { businessDate, merchants },
        'daily settlement stopped at its limit; the next run goes on',
      );
    }
    return { businessDate, merchants, started, succeeded };
  }

  private async settleOneDaily(
    merchant: SettlingMerchant,
    businessDate: string,
  ): Promise<SettlementRow | null> {
    const id = dailySettlementId(merchant.id, businessDate);
    if (await this.deps.store.get(id)) return null;
    const available = await this.availableOf(merchant);
    if (available <= 0n) return null;
    try {
      return await this.begin({
        merchant,
        id,
        amountMinor: minBigint(available, MAX_SETTLEMENT_MINOR),
        businessDate,
      });
    } catch (error) {
      // Another settlement is running (an on-demand one pays out this balance anyway).
      if (error instanceof AppError && error.code === 'SETTLEMENT_IN_PROGRESS') return null;
      throw error;
    }
  }

  /** Write the row, then hold, call the bank, post or void — as far as it goes now. */
  private async begin(input: {
    merchant: SettlingMerchant;
    id: string;
    amountMinor: bigint;
    businessDate: string | null;
  }): Promise<SettlementRow> {
    const { deps } = this;
    const { merchant } = input;
    if (merchant.settlement_card_id === null) throw new AppError('SETTLEMENT_CARD_REQUIRED');
    const card = await deps.cards
      .cardForFunding({ userId: merchant.owner_user_id, cardId: merchant.settlement_card_id })
      .catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'CARD_NOT_FOUND') {
          throw new AppError('SETTLEMENT_CARD_REQUIRED', { details: { reason: 'UNBOUND' } });
        }
        throw error;
      });
    const written = await deps.store.insert({
      id: input.id,
      merchant_id: merchant.id,
      trigger: input.businessDate === null ? 'on_demand' : 'daily',
      business_date: input.businessDate,
      card_id: card.id,
      card_token: card.cardToken,
      card_bin: card.bin,
      card_last4: card.last4,
      card_bank_code: card.bankCode,
      amount_minor: input.amountMinor,
      currency: SETTLEMENT_CURRENCY,
      bank_operation_id: input.id,
      created_at: deps.now(),
    });
    if (!written.inserted) {
      if ('existing' in written) return this.continueRetried(written.existing);
      throw new AppError('SETTLEMENT_IN_PROGRESS', { details: { settlementId: written.busyWith.id } });
    }
    await deps.hooks?.afterRow?.(input.id);
    return this.proceed(written.row, merchant.balance_account_id);
  }

  /** From a freshly written row: hold, then the bank. */
  private async proceed(row: SettlementRow, balanceAccountId: string): Promise<SettlementRow> {
    const { deps } = this;
    // 1. Hold: the merchant's balance → the bank settlement account, pending.
    const held = await deps.payments.move([holdTransfer(row, balanceAccountId)]);
    if (held.some((outcome) => outcome.result !== 'ok' && outcome.result !== 'exists')) {
      const failure = primaryFailure(held);
      const result =
        failure?.result === 'idAlreadyFailed' ? (failure.failedWith ?? failure.result) : failure?.result;
      // Only a balance spent meanwhile (a refund between the read and the hold) is expected.
      if (result !== 'insufficientFunds') {
        throw new Error(`settlement ${row.id}: the ledger refused the hold: ${result ?? 'no outcome'}`);
      }
      const failed = await this.transition(row, {
        from: ['created'],
        to: 'failed',
        note: 'SETTLEMENT_EXCEEDS_BALANCE',
        failure: { code: 'SETTLEMENT_EXCEEDS_BALANCE', details: {} },
      });
      return failed ?? (await this.reread(row));
    }
    await deps.hooks?.afterHold?.(row.id);
    const marked = await this.transition(row, { from: ['created'], to: 'held' });
    if (!marked) {
      // The recovery job gave up on the row before our hold landed: release it ourselves.
      await this.resolveHold(row, 'void');
      return this.reread(row);
    }
    return this.callBank(marked);
  }

  /**
   * The same settlement asked for again (a retry after a crash or a 5xx): carried on if the
   * crash left it between the hold and the bank call, else answered where it is (the bank's
   * answer, and a row without its hold, belong to the recovery job).
   */
  private async continueRetried(row: SettlementRow): Promise<SettlementRow> {
    let current = row;
    if (
      current.state === 'created' &&
      (await this.deps.ledger.getTransfer(settlementLedgerIds(row.id).hold))
    ) {
      current =
        (await this.transition(current, { from: ['created'], to: 'held', note: 'resumed by a retry' })) ??
        (await this.reread(current));
    }
    return current.state === 'held' ? this.callBank(current) : current;
  }

  /** From `held`: take the row to bank_pending, call the bank, post or void. */
  private async callBank(held: SettlementRow): Promise<SettlementRow> {
    const { deps } = this;
    // 2. Only whoever moves the row to bank_pending calls the bank.
    const row = await this.transition(held, { from: ['held'], to: 'bank_pending' });
    if (!row) return this.reread(held);
    await deps.hooks?.beforeBankCall?.(row.id);
    // 3. The bank, outside any database transaction.
    let outcome: BankOutcome;
    try {
      outcome = await this.sendToBank(row);
    } catch (error) {
      if (error instanceof BankTimeoutError) {
        deps.log.warn({ settlementId: row.id }, 'bank answer lost; the recovery job will ask the bank');
        return row;
      }
      if (error instanceof BankUnavailableError || error instanceof BankRequestError) {
        // The request never reached the bank, or was refused as it was: nothing moved there.
        const code: ErrorCode =
          error instanceof BankUnavailableError ? 'BANK_UNAVAILABLE' : 'SETTLEMENT_DECLINED';
        const reason = error instanceof BankRequestError ? error.code : 'BANK_UNAVAILABLE';
        return this.failAndVoid(row, { code, details: { reason } });
      }
      throw error;
    }
    await deps.hooks?.afterBankCall?.(row.id, outcome);
    return this.applyOutcome(row, outcome);
  }

  private async applyOutcome(row: SettlementRow, outcome: BankOutcome): Promise<SettlementRow> {
    if (outcome.status === 'pending') return row;
    if (outcome.status === 'succeeded') {
      await this.resolveHold(row, 'post');
      const done = await this.transition(row, {
        from: ['bank_pending'],
        to: 'succeeded',
        bankReference: outcome.bankReference,
      });
      return done ?? (await this.reread(row));
    }
    return this.failAndVoid(row, {
      code: 'SETTLEMENT_DECLINED',
      details: { reason: outcome.failureReason },
      bankReference: outcome.bankReference,
    });
  }

  /** bank_pending (or held) → voiding → void the hold → failed. */
  private async failAndVoid(
    row: SettlementRow,
    failure: { code: ErrorCode; details: Record<string, unknown>; bankReference?: string },
    from: SettlementState[] = ['bank_pending'],
  ): Promise<SettlementRow> {
    const voiding = await this.transition(row, {
      from,
      to: 'voiding',
      note: failure.code,
      failure: { code: failure.code, details: failure.details },
      ...(failure.bankReference ? { bankReference: failure.bankReference } : {}),
    });
    const current = voiding ?? (await this.reread(row));
    return current.state === 'voiding' ? this.finishVoid(current) : current;
  }

  private async finishVoid(row: SettlementRow): Promise<SettlementRow> {
    await this.resolveHold(row, 'void');
    return (await this.transition(row, { from: ['voiding'], to: 'failed' })) ?? (await this.reread(row));
  }

  // ---- recovery ---------------------------------------------------------------------------------

  /**
   * One pass of the recovery job: claim unfinished settlements idle for the grace period and
   * finish each from where a crash (or a lost answer) left it. Safe on several instances at once.
   */
  async recover(limit = RECOVERY_BATCH): Promise<{ claimed: number; finished: number }> {
    const now = this.deps.now();
    const rows = await this.deps.store.claimUnfinished({
      limit,
      now,
      idleBefore: new Date(now.getTime() - RECOVERY_GRACE_SECONDS * 1000),
      leaseUntil: new Date(now.getTime() + 30_000),
    });
    let finished = 0;
    for (const row of rows) {
      try {
        const after = await this.resume(row);
        if (after.state === 'succeeded' || after.state === 'failed') finished += 1;
        else await this.backOff(after);
      } catch (error) {
        this.deps.log.error({ err: error, settlementId: row.id }, 'settlement recovery failed; will retry');
        await this.backOff(row);
      }
    }
    return { claimed: rows.length, finished };
  }

  private async backOff(row: SettlementRow): Promise<void> {
    const seconds = Math.min(5 * 2 ** Math.min(row.attempts, 10), MAX_LEASE_SECONDS);
    await this.deps.store.extendClaim(row.id, new Date(this.deps.now().getTime() + seconds * 1000));
  }

  private async resume(row: SettlementRow): Promise<SettlementRow> {
    const { deps } = this;
    switch (row.state) {
      case 'created': {
        if (!(await deps.ledger.getTransfer(settlementLedgerIds(row.id).hold))) {
          const failed = await this.transition(row, {
            from: ['created'],
            to: 'failed',
            note: 'interrupted before the hold',
            failure: { code: 'SETTLEMENT_INTERRUPTED', details: {} },
          });
          return failed ?? (await this.reread(row));
        }
        const held = await this.transition(row, { from: ['created'], to: 'held', note: 'recovered' });
        return held ? this.resume(held) : this.reread(row);
      }
      case 'held':
        // The bank was never called (only the bank_pending owner calls it): give the money back.
        return this.failAndVoid(row, { code: 'SETTLEMENT_INTERRUPTED', details: {} }, ['held']);
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

  // ---- reading ----------------------------------------------------------------------------------

  async get(input: { merchantId: string; id: string }): Promise<SettlementView> {
    const merchant = await this.merchantOf(input.merchantId);
    // Not a UUID is no settlement (the column is uuid: PostgreSQL would refuse the text).
    const row = isUuid(input.id) ? await this.deps.store.get(input.id) : null;
    if (!row || row.merchant_id !== merchant.id) throw new AppError('SETTLEMENT_NOT_FOUND');
    return viewOf(row);
  }

  async list(input: { merchantId: string; limit: number; before: Date | null }): Promise<SettlementView[]> {
    const merchant = await this.merchantOf(input.merchantId);
    const rows = await this.deps.store.list(merchant.id, {
      limit: Math.min(Math.max(1, input.limit), MAX_LIST),
      before: input.before,
    });
    return rows.map(viewOf);
  }

  // ---- inside -----------------------------------------------------------------------------------

  private sendToBank(row: SettlementRow): Promise<BankOutcome> {
    return this.deps.bank.creditCard({
      operationId: row.bank_operation_id,
      cardToken: row.card_token,
      amountMinor: row.amount_minor,
      currency: row.currency,
    });
  }

  /** Post or void the hold, with ids derived from the settlement: idempotent. */
  private async resolveHold(row: SettlementRow, how: 'post' | 'void'): Promise<void> {
    const ids = settlementLedgerIds(row.id);
    const outcomes = await this.deps.payments.move([
      {
        id: how === 'post' ? ids.post : ids.void,
        pendingId: ids.hold,
        code: TransferCodes.merchantSettlement,
        flags: how === 'post' ? TransferFlags.postPending : TransferFlags.voidPending,
        // Named on the post too: the merchant's statement finds the settlement by it.
        userData: settlementUserData(row.id),
      },
    ]);
    const bad = outcomes.find((outcome) => outcome.result !== 'ok' && outcome.result !== 'exists');
    // A hold of ours resolved the other way, or missing, is a broken invariant: stop loudly.
    if (bad) throw new Error(`settlement ${row.id}: ${how} of the hold failed: ${bad.result}`);
  }

  /** A compare-and-set; a terminal state carries the owner's notice (its event) with it. */
  private async transition(
    row: SettlementRow,
    input: {
      from: SettlementState[];
      to: SettlementState;
      note?: string;
      bankReference?: string;
      failure?: { code: string; details: Record<string, unknown> };
    },
  ): Promise<SettlementRow | null> {
    return this.deps.store.transition({
      id: row.id,
      at: this.deps.now(),
      ...input,
      eventOf: (moved) => this.endedEvent(moved),
    });
  }

  private async endedEvent(row: SettlementRow): Promise<NewEvent> {
    const merchant = await this.deps.store.merchant(row.merchant_id);
    if (!merchant) throw new Error(`settlement ${row.id}: its merchant is gone`);
    return settlementEnded(
      {
        settlementId: row.id,
        merchantId: merchant.id,
        merchantName: merchant.name,
        merchantOwnerUserId: merchant.owner_user_id,
        cardLast4: row.card_last4,
        amount: moneyPayload(row.amount_minor, row.currency),
        failure: row.state === 'failed' ? (row.failure_code ?? 'INTERNAL') : null,
      },
      this.deps.now(),
    );
  }

  private async reread(row: SettlementRow): Promise<SettlementRow> {
    const current = await this.deps.store.get(row.id);
    if (!current) throw new Error(`settlement ${row.id} vanished`);
    return current;
  }

  /** What the merchant can settle now: posted takings less what is held (a running settlement). */
  private async availableOf(merchant: SettlingMerchant): Promise<bigint> {
    const balance = await this.deps.ledger.getBalance(merchant.balance_account_id);
    return balance?.availableBalance ?? 0n;
  }

  private async merchantOf(merchantId: string): Promise<SettlingMerchant> {
    const merchant = await this.deps.store.merchant(merchantId);
    if (!merchant) throw new AppError('MERCHANT_NOT_FOUND');
    return merchant;
  }

  /** Succeeded and processing answer the view; a failure is thrown as its stored code. */
  private respond(row: SettlementRow): SettlementView {
    if (row.state === 'failed') {
      const code =
        row.failure_code !== null && row.failure_code in ERRORS
          ? (row.failure_code as ErrorCode)
          : 'INTERNAL';
      throw new AppError(code, { details: { ...(row.failure_details ?? {}), settlementId: row.id } });
    }
    return viewOf(row);
  }
}

/** The ledger ids of a settlement: derived, so any retry makes the same transfers. */
export function settlementLedgerIds(settlementId: string): { hold: string; post: string; void: string } {
  const of = (part: string) => derivedId(`merchants:settlement:${settlementId}:${part}`);
  return { hold: of('hold'), post: of('post'), void: of('void') };
}

/** The daily job's settlement of a merchant for a day: the same id on every run and instance. */
export function dailySettlementId(merchantId: string, businessDate: string): string {
  return derivedId(`merchants:settlement:daily:${merchantId}:${businessDate}`);
}

export function settlementUserData(settlementId: string): string {
  return `merchant-settlement:${settlementId}`;
}

/** The hold: the merchant's balance → the bank settlement account, pending until the bank answers. */
function holdTransfer(row: SettlementRow, balanceAccountId: string): TransferInput {
  return {
    id: settlementLedgerIds(row.id).hold,
    debitAccountId: balanceAccountId,
    creditAccountId: bankSettlementAccountId(row.currency),
    amount: row.amount_minor,
    currency: row.currency,
    code: TransferCodes.merchantSettlement,
    flags: TransferFlags.pending,
    userData: settlementUserData(row.id),
  };
}

function minBigint(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function statusOf(state: SettlementState): SettlementStatus {
  return state === 'succeeded' ? 'succeeded' : state === 'failed' ? 'failed' : 'processing';
}

export function viewOf(row: SettlementRow): SettlementView {
  return {
    id: row.id,
    trigger: row.trigger,
    businessDate: row.business_date,
    status: statusOf(row.state),
    amountMinor: row.amount_minor,
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
