/**
 * Wallet-to-wallet transfers (capability C6): by mobile number, by a personal receive code, and
 * by paying a payment request. Each is ONE single-phase ledger transfer from the payer's wallet
 * to the payee's, carrying the payer's tier limits, the password-free allowance (when it
 * applies) and the payee's balance cap, so every limit is enforced atomically with the money.
 * The rows here only say who paid whom and why; balances live in the ledger.
 */
import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import type pg from 'pg';
import { TransferFlags, derivedId, isUuid, newId } from '@qianbao/ledger';
import type { Ledger, Transfer, TransferLimit, TransferOutcome } from '@qianbao/ledger';
import { AppError } from '../../errors.ts';
import { TransferCodes } from '../../platform/codes.ts';
import { ledgerRefusal, settled } from '../../payments/index.ts';
import type { PaymentAuthorizer, ReviewOutcome, SettledHold } from '../../payments/index.ts';
import type { IdentityService, User } from '../identity/index.ts';
import { maskPhone } from '../identity/index.ts';
import type { KycService, TierLimits } from '../kyc/index.ts';
import { limitNameOfKey, maskName, payeeBalanceCap, usedToday } from '../kyc/index.ts';
import type { Refusal } from '../kyc/index.ts';
import type { OutboxWake } from '../../outbox/index.ts';
import type { ConfirmationFactor, ConfirmationInput, SecurityService } from '../security/index.ts';
import { TransfersStore } from './store.ts';
import type {
  PaymentRequestRow,
  PaymentRequestStatus,
  TransferKind,
  TransferRow,
  TransferStatus,
} from './store.ts';

/** Ledger transfer codes (why the money moved) of this module. */
export const TRANSFER_CURRENCY = 'CNY';
export const MAX_NOTE_LENGTH = 50;
/** Payment requests live at most 7 days. */
export const MAX_PAYMENT_REQUEST_MINUTES = 7 * 24 * 60;
/** Larger than any tier allows in one payment; keeps amounts far from counter overflow. */
export const MAX_TRANSFER_MINOR = 100_000_000_00n;
const RECEIVE_SCHEME = 'qianbao:';
const RECEIVE_TOKEN_BYTES = 16;
/** A payer that finds a request being paid waits this long for the outcome before answering 409. */
const CLAIM_WAIT_MS = 3000;
const CLAIM_POLL_MS = 50;
/** A claim this old belongs to a process that died between the claim and the ledger. */
const STALE_CLAIM_MS = 60_000;

export type PayeeReference = { toPhone: string } | { toQr: string };

/** `{}`: no factor (a password-free payment); otherwise exactly one factor. */
export type ConfirmationBody = ConfirmationInput | Record<string, never>;

export interface TransfersServiceDeps {
  pool: pg.Pool;
  /** Read only: the money moves through `payments.move`. */
  ledger: Pick<Ledger, 'getTransfer' | 'listTransfers' | 'getBalance' | 'getAccount'>;
  identity: Pick<IdentityService, 'getUser' | 'findUserByPhone'>;
  kyc: Pick<KycService, 'limitsFor' | 'legalNameOf'>;
  security: Pick<SecurityService, 'requiredFactor' | 'verifyConfirmation'>;
  /** The steps before the ledger (limits, risk, factor and confirmation), as for every payment. */
  payments: Pick<PaymentAuthorizer, 'authorize' | 'preview' | 'move' | 'holdForReview'>;
  /** Woken after a record and its event commit (outbox/): the notices follow from the event. */
  events: OutboxWake;
  /** `QIANBAO_PUBLIC_URL`: payment request links point at the web app there. */
  publicUrl: string;
  now: () => Date;
  log: { warn(object: object, message: string): void };
}

export interface Payee {
  user: User;
  /** `*明` when real-name verified, else `138****8000`. */
  displayName: string;
  via: 'phone' | 'qr';
  /** The amount a receive code fixes, if it does. */
  fixedAmountMinor: bigint | null;
}

export interface LimitLeft {
  max: bigint | null;
  /** null: no limit, or not known without reading further back than the preview does. */
  remaining: bigint | null;
}

export interface TransferPreview {
  payee: { displayName: string; realNameVerified: boolean };
  amountMinor: bigint;
  currency: string;
  fixedAmountMinor: bigint | null;
  confirmation: { factor: ConfirmationFactor; accepted: ConfirmationFactor[]; reason: string };
  /** What to pass to POST /v1/me/confirmations/options (passkey binding), given the key. */
  payment: { id: string; amountMinor: bigint; currency: string; payee: string } | null;
  limits: { single: LimitLeft; daily: LimitLeft; yearly: LimitLeft; passwordFreeDaily: LimitLeft | null };
  /**
   * Why the payment would be refused if confirmed now (the single or daily limit, the payer's
   * balance, the payee's balance cap), as an error body says it; null: nothing known refuses it.
   */
  refusal: Refusal | null;
}

export interface TransferView {
  id: string;
  ledgerTransferId: string;
  kind: TransferKind;
  /** `succeeded` at once, or `under_review` (held) until approved, `rejected` or `expired`. */
  status: TransferStatus;
  direction: 'in' | 'out';
  amountMinor: bigint;
  currency: string;
  note: string | null;
  /** The other side, masked as the viewer may see it. */
  counterparty: { displayName: string };
  /** For filters inside the server; never sent to clients. */
  counterpartyUserId: string;
  payer: { displayName: string };
  payee: { displayName: string };
  paymentRequestId: string | null;
  createdAt: Date;
}

export interface PaymentRequestView {
  id: string;
  amountMinor: bigint;
  currency: string;
  note: string | null;
  requester: { displayName: string };
  status: PaymentRequestStatus | 'expired';
  /** True when the viewer created it. */
  mine: boolean;
  expiresAt: Date;
  createdAt: Date;
  paidAt: Date | null;
  cancelledAt: Date | null;
  /** Passed to POST /v1/me/confirmations/options before paying (passkey binding). */
  payment: { id: string; amountMinor: bigint; currency: string; payee: string };
  link: string;
  qrPayload: string;
}

export interface ReceiveCode {
  payload: string;
  qrSvg: string;
  qrDataUrl: string;
  amountMinor: bigint | null;
  currency: string;
  displayName: string;
}

export class TransfersService {
  private readonly store: TransfersStore;

  constructor(private readonly deps: TransfersServiceDeps) {
    this.store = new TransfersStore(deps.pool, deps.events);
  }

  // ---- payees -----------------------------------------------------------------------------

  /** Who a phone number or receive code pays. Refuses unknown, closed and own wallets. */
  async resolvePayee(input: { payerUserId: string; payee: PayeeReference }): Promise<Payee> {
    let user: User | null;
    let fixedAmountMinor: bigint | null = null;
    let via: Payee['via'];
    if ('toPhone' in input.payee) {
      via = 'phone';
      // Only active holders are found by number; a closed wallet's number says nothing more.
      user = await this.deps.identity.findUserByPhone(input.payee.toPhone);
      if (!user) throw new AppError('PAYEE_NOT_FOUND');
    } else {
      via = 'qr';
      const parsed = parseReceivePayload(input.payee.toQr);
      fixedAmountMinor = parsed.amountMinor;
      const userId = await this.store.findUserByReceiveCode(parsed.token);
      if (!userId) throw new AppError('PAYEE_NOT_FOUND');
      user = await this.deps.identity.getUser(userId);
      // The code was issued to a holder who is no longer active: their wallet was closed.
      if (!user) throw new AppError('PAYEE_CLOSED');
    }
    if (user.id === input.payerUserId) throw new AppError('CANNOT_PAY_YOURSELF');
    return { user, displayName: await this.displayNameOf(user), via, fixedAmountMinor };
  }

  /** How a holder appears to others: `*明` once real-name verified, else the masked number. */
  async displayNameOf(user: User): Promise<string> {
    if (user.realNameVerified) {
      const legalName = await this.deps.kyc.legalNameOf(user.id);
      if (legalName) return maskName(legalName);
    }
    return maskPhone(user.phone);
  }

  // ---- preview and transfer ---------------------------------------------------------------

  async preview(input: {
    payerUserId: string;
    payerWalletAccountId: string;
    payee: PayeeReference;
    amountMinor: bigint;
    /** The Idempotency-Key the client will send with the transfer, to bind a passkey to it. */
    paymentId: string | null;
  }): Promise<TransferPreview> {
    const payee = await this.resolvePayee({ payerUserId: input.payerUserId, payee: input.payee });
    return this.previewPayment({
      kind: 'transfer',
      payerUserId: input.payerUserId,
      payerWalletAccountId: input.payerWalletAccountId,
      payee,
      amountMinor: amountFor(payee, input.amountMinor),
      paymentId: input.paymentId,
    });
  }

  /**
   * Before paying a payment request: how to confirm, what is left of the payer's limits and why
   * it would be refused (the payer's balance, the requester's cap, the limits) — or the request
   * can no longer be paid (paid, cancelled, expired: thrown as when paying it).
   */
  async previewPaymentRequest(input: {
    id: string;
    payerUserId: string;
    payerWalletAccountId: string;
  }): Promise<TransferPreview> {
    const row = await this.findRequest(input.id);
    if (row.requester_user_id === input.payerUserId) throw new AppError('CANNOT_PAY_YOURSELF');
    this.refuseUnpayable(row);
    const requester = await this.deps.identity.getUser(row.requester_user_id);
    if (!requester) throw new AppError('PAYEE_CLOSED');
    return this.previewPayment({
      kind: 'payment_request',
      payerUserId: input.payerUserId,
      payerWalletAccountId: input.payerWalletAccountId,
      payee: { user: requester, displayName: row.requester_display, via: 'phone', fixedAmountMinor: null },
      amountMinor: row.amount_minor,
      // A passkey signs the request id (the client cannot know the attempt), as when paying.
      paymentId: row.id,
    });
  }

  private async previewPayment(input: {
    kind: 'transfer' | 'payment_request';
    payerUserId: string;
    payerWalletAccountId: string;
    payee: Payee;
    amountMinor: bigint;
    paymentId: string | null;
  }): Promise<TransferPreview> {
    const { payee, amountMinor } = input;
    const payeeRef = `user:${payee.user.id}`;
    const now = this.deps.now();
    // The pipeline's steps without the confirmation (payments/authorize.ts): how to confirm and
    // what would refuse it — the payer's balance, the payee's cap, the limits.
    const preview = await this.deps.payments.preview({
      kind: input.kind,
      payerUserId: input.payerUserId,
      payerWalletAccountId: input.payerWalletAccountId,
      payment: { id: input.paymentId ?? '', amountMinor, currency: TRANSFER_CURRENCY, payee: payeeRef },
      debit: { walletAccountId: input.payerWalletAccountId, totalMinor: amountMinor },
      credit: this.deps.kyc.limitsFor(payee.user.id).then((payeeLimits) => ({
        walletAccountId: payee.user.walletAccountId,
        capMinor: payeeBalanceCap(payeeLimits),
        own: false,
      })),
    });
    const { factor: decision, payerLimits: tier, refusal } = preview;
    const used = await usedToday({
      ledger: this.deps.ledger,
      walletAccountId: input.payerWalletAccountId,
      keys: [...preview.tierLimits, ...decision.ledgerLimits],
      now,
    });
    const left = (limit: TransferLimit | undefined): LimitLeft => {
      if (!limit) return { max: null, remaining: null };
      const spent = used.get(limit.key);
      return { max: limit.max, remaining: spent === undefined ? null : clampZero(limit.max - spent) };
    };
    const daily = preview.tierLimits.find((limit) => limitNameOfKey(limit.key) === 'daily');
    const yearly = preview.tierLimits.find((limit) => limitNameOfKey(limit.key) === 'yearly');
    const passwordFree = decision.ledgerLimits[0];
    const single = tier.singlePaymentMinor;
    return {
      payee: { displayName: payee.displayName, realNameVerified: payee.user.realNameVerified },
      amountMinor,
      currency: TRANSFER_CURRENCY,
      fixedAmountMinor: payee.fixedAmountMinor,
      confirmation: { factor: decision.factor, accepted: decision.accepted, reason: decision.reason },
      payment: input.paymentId
        ? { id: input.paymentId, amountMinor, currency: TRANSFER_CURRENCY, payee: payeeRef }
        : null,
      limits: {
        single: { max: single, remaining: single },
        daily: left(daily),
        // A year of transfers is too much to read for a preview: the ledger still enforces it.
        yearly: { max: yearly?.max ?? null, remaining: null },
        passwordFreeDaily: passwordFree ? left(passwordFree) : null,
      },
      refusal,
    };
  }

  /**
   * Move money to another wallet. `paymentId` is the ledger transfer id (derived from the
   * Idempotency-Key, so a retry after a crash makes the same transfer once).
   */
  async transfer(input: {
    payerUserId: string;
    payerWalletAccountId: string;
    payee: PayeeReference;
    amountMinor: bigint;
    note: string | null;
    confirmation: ConfirmationBody;
    paymentId: string;
    /** The key's earlier run ended unanswered (`isResumption`): its transfer may exist. */
    resumed: boolean;
  }): Promise<TransferView> {
    // Before any check or confirmation: if the money moved, the answer is that success.
    const moved = input.resumed ? await this.deps.ledger.getTransfer(input.paymentId) : null;
    if (moved) {
      const record = await this.finishMoved({
        transfer: moved,
        payerUserId: input.payerUserId,
        payerWalletAccountId: input.payerWalletAccountId,
        kind: 'toPhone' in input.payee ? 'phone' : 'qr',
        note: input.note,
        paymentRequest: null,
      });
      return viewOf(record, input.payerUserId);
    }
    // The payer's facts are fetched while the payee is looked up.
    const payerFacts = this.payerFacts(input.payerUserId);
    const payee = await this.resolvePayee({ payerUserId: input.payerUserId, payee: input.payee });
    const amountMinor = amountFor(payee, input.amountMinor);
    const record = await this.pay({
      payerFacts,
      payerUserId: input.payerUserId,
      payerWalletAccountId: input.payerWalletAccountId,
      payee: payee.user,
      payeeDisplay: payee.displayName,
      amountMinor,
      note: input.note,
      confirmation: input.confirmation,
      confirmationPaymentId: input.paymentId,
      ledgerTransferId: input.paymentId,
      code: TransferCodes.p2p,
      kind: payee.via,
      paymentRequestId: null,
    });
    return viewOf(record, input.payerUserId);
  }

  /** The checks and the ledger transfer shared by direct transfers and payment requests. */
  private async pay(input: {
    payerUserId: string;
    payerWalletAccountId: string;
    payee: User;
    payeeDisplay: string;
    amountMinor: bigint;
    note: string | null;
    confirmation: ConfirmationBody;
    confirmationPaymentId: string;
    ledgerTransferId: string;
    code: number;
    kind: TransferKind;
    paymentRequestId: string | null;
    /** Called after the checks, right before the ledger: a payment request takes its claim here. */
    beforeLedger?: () => Promise<string>;
    /** The ledger transfer's user data: a payment request names the key that paid it. */
    userData?: string;
    /** The payer's limits and display name, if the caller started fetching them already. */
    payerFacts?: PayerFacts;
  }): Promise<TransferRow> {
    const { payerUserId, amountMinor } = input;
    const now = this.deps.now();
    const payment = {
      id: input.confirmationPaymentId,
      amountMinor,
      currency: TRANSFER_CURRENCY,
      payee: `user:${input.payee.id}`,
    };
    const given = Object.keys(input.confirmation).length > 0;
    // The facts the checks need are fetched at once (each read is shared with concurrent
    // payments); the pipeline still decides the refusals one by one, in its order.
    const { limits: payerLimits, display: payerDisplay } = input.payerFacts ?? this.payerFacts(payerUserId);
    const payeeLimits = settled(this.deps.kyc.limitsFor(input.payee.id));
    const authorization = await this.deps.payments.authorize({
      kind: input.paymentRequestId === null ? 'transfer' : 'payment_request',
      payerUserId,
      payment,
      confirmation: given ? (input.confirmation as ConfirmationInput) : null,
      payerLimits: payerLimits(),
    });
    const cap = payeeBalanceCap(await payeeLimits());
    const ledgerTransferId = input.beforeLedger ? await input.beforeLedger() : input.ledgerTransferId;
    const transfer = {
      id: ledgerTransferId,
      debitAccountId: input.payerWalletAccountId,
      creditAccountId: input.payee.walletAccountId,
      amount: amountMinor,
      currency: TRANSFER_CURRENCY,
      code: input.code,
      limits: authorization.ledgerLimits,
      ...(cap === undefined ? {} : { creditBalanceCap: cap }),
      ...(input.userData === undefined ? {} : { userData: input.userData }),
    };
    let outcome: TransferOutcome | undefined;
    if (authorization.review) {
      // Held for review (payments/review.ts): a case opens and the money is held, not paid. Only
      // a direct transfer's kind holds (a payment request's claim cannot wait for a person).
      if (input.beforeLedger) throw new Error('a payment request is never held for review');
      ({ outcome } = await this.deps.payments.holdForReview(transfer, authorization));
    } else {
      [outcome] = await this.deps.payments.move([transfer], authorization);
    }
    if (!outcome) throw new Error('the ledger answered no outcome');
    if (outcome.result !== 'ok' && outcome.result !== 'exists')
      throw ledgerRefusal([outcome], { credit: 'other' });
    const proposed: TransferRow = {
      id: newId(),
      ledger_transfer_id: ledgerTransferId,
      kind: input.kind,
      status: authorization.review ? 'under_review' : 'succeeded',
      payer_user_id: payerUserId,
      payee_user_id: input.payee.id,
      payer_display: await payerDisplay(),
      payee_display: input.payeeDisplay,
      amount_minor: amountMinor,
      currency: TRANSFER_CURRENCY,
      note: input.note,
      payment_request_id: input.paymentRequestId,
      created_at: outcome.transfer ? dateOfMicros(outcome.transfer.timestamp) : now,
    };
    // The money has moved (or had moved: `exists`). The record and its `transfer.succeeded`
    // event commit together (the notices follow from the event, at least once and never twice);
    // a crash before them leaves both to the retry (`finishMoved`).
    return this.store.insertTransfer(proposed);
  }

  /**
   * The resumption step of every payment (a request whose key's earlier run ended without a
   * kept answer): if the ledger has the transfer that run made, write its record (once: unique
   * per ledger transfer) with its event, which the notices follow, and answer it — no check or
   * confirmation runs again, so no PIN try is spent and no refusal is stored for money that
   * moved. When the transfer does not exist, the request simply runs as a new one.
   */
  private async finishMoved(input: {
    transfer: Transfer;
    payerUserId: string;
    payerWalletAccountId: string;
    kind: TransferKind;
    note: string | null;
    /** Paying a request: the request, whose requester is the payee, and the attempt to settle. */
    paymentRequest: PaymentRequestRow | null;
  }): Promise<TransferRow> {
    const { transfer } = input;
    if (transfer.debitAccountId !== input.payerWalletAccountId) {
      throw new Error(`transfer ${transfer.id} was derived for this payer but debits another account`);
    }
    const [existing] = await this.store.findByLedgerIds([transfer.id]);
    let record = existing;
    if (!record) {
      const request = input.paymentRequest;
      const payeeUserId = request ? request.requester_user_id : await this.ownerOf(transfer.creditAccountId);
      const payee = await this.deps.identity.getUser(payeeUserId);
      const proposed: TransferRow = {
        id: newId(),
        ledger_transfer_id: transfer.id,
        kind: input.kind,
        // A hold is a transfer held for review: written this late (its run died before the
        // record), it may have been settled meanwhile — the ledger says how (heldStatus).
        status: transfer.flags & TransferFlags.pending ? await this.heldStatus(transfer.id) : 'succeeded',
        payer_user_id: input.payerUserId,
        payee_user_id: payeeUserId,
        payer_display: await this.payerDisplayOf(input.payerUserId),
        payee_display: request ? request.requester_display : payee ? await this.displayNameOf(payee) : '***',
        amount_minor: transfer.amount,
        currency: transfer.currency,
        note: input.note,
        payment_request_id: request?.id ?? null,
        created_at: dateOfMicros(transfer.timestamp),
      };
      // The run that moved the money died before its record: record and event are written now.
      record = await this.store.insertTransfer(proposed);
    }
    const request = input.paymentRequest;
    if (request && request.status === 'paying') {
      await this.store.markPaymentRequestPaid({
        id: request.id,
        attempt: request.attempt,
        payerUserId: input.payerUserId,
        ledgerTransferId: transfer.id,
        now: this.deps.now(),
      });
    }
    return record;
  }

  // ---- transfers held for review ----------------------------------------------------------

  /**
   * Settle a transfer held for review (payments/review.ts; the risk module calls it through
   * `HeldPayments` when an operator decides or the case expires): post the hold (approve) or void
   * it, with ids derived from the hold (a repeat is the same ledger transfer), then the record
   * and its event (`transfer.succeeded` — both sides' notices — or `transfer.returned`). Answers
   * what the ledger did: the hold resolved the other way already (the ledger's own timeout) is
   * answered as it was resolved.
   */
  async settleHeld(input: { movementId: string; outcome: ReviewOutcome }): Promise<SettledHold> {
    const hold = await this.deps.ledger.getTransfer(input.movementId);
    if (!hold) return 'nothing_held';
    if (!(hold.flags & TransferFlags.pending)) throw new Error(`transfer ${hold.id} is not a hold`);
    const ids = heldIds(hold.id);
    const approve = input.outcome === 'approve';
    const [outcome] = await this.deps.payments.move([
      {
        id: approve ? ids.post : ids.void,
        pendingId: hold.id,
        code: hold.code,
        flags: approve ? TransferFlags.postPending : TransferFlags.voidPending,
        // What was decided, for a record written after this (heldStatus).
        userData: `review:${input.outcome}`,
      },
    ]);
    let done: 'posted' | 'voided';
    if (outcome?.result === 'ok' || outcome?.result === 'exists') done = approve ? 'posted' : 'voided';
    else if (outcome?.result === 'pendingAlreadyResolved' || outcome?.result === 'pendingExpired')
      done = (await this.deps.ledger.getTransfer(ids.post)) ? 'posted' : 'voided';
    else throw new Error(`transfer ${hold.id}: settling the hold failed: ${outcome?.result ?? 'no outcome'}`);
    const status: TransferStatus =
      done === 'posted' ? 'succeeded' : input.outcome === 'reject' ? 'rejected' : 'expired';
    await this.store.settleHeld({ ledgerTransferId: hold.id, status, at: this.deps.now() });
    return done;
  }

  /** Where a held transfer stands in the ledger: posted, voided (rejected or expired), or still held. */
  private async heldStatus(holdId: string): Promise<TransferStatus> {
    const ids = heldIds(holdId);
    if (await this.deps.ledger.getTransfer(ids.post)) return 'succeeded';
    const voided = await this.deps.ledger.getTransfer(ids.void);
    if (voided) return voided.userData === 'review:expire' ? 'expired' : 'rejected';
    return 'under_review';
  }

  /** A held transfer's record as its payer sees it now (the payment resource's refresh). */
  async heldView(input: { payerUserId: string; ledgerTransferId: string }): Promise<TransferView | null> {
    const [row] = await this.store.findByLedgerIds([input.ledgerTransferId]);
    return row && row.payer_user_id === input.payerUserId ? viewOf(row, input.payerUserId) : null;
  }

  /** The holder a wallet account belongs to (`ownerRef` `user:<id>`). */
  private async ownerOf(walletAccountId: string): Promise<string> {
    const account = await this.deps.ledger.getAccount(walletAccountId);
    const match = /^user:(.+)$/.exec(account?.ownerRef ?? '');
    if (!match) throw new Error(`account ${walletAccountId} belongs to no holder`);
    return match[1]!;
  }

  /** What a payment needs to know of its payer, fetched at once (see `settled`). */
  private payerFacts(payerUserId: string): PayerFacts {
    return {
      limits: settled(this.deps.kyc.limitsFor(payerUserId)),
      display: settled(this.payerDisplayOf(payerUserId)),
    };
  }

  /** How the payer appears on the record and the payee's notice. */
  private async payerDisplayOf(payerUserId: string): Promise<string> {
    const payer = await this.deps.identity.getUser(payerUserId);
    return payer ? this.displayNameOf(payer) : '***';
  }

  // ---- records, for the history module ----------------------------------------------------

  /**
   * This module's records of these ledger transfers, each as its viewer (payer or payee) sees
   * it, in one query (the history projection describes many holders' transfers together):
   * keyed `<viewerUserId>:<ledgerTransferId>`; a viewer who is neither side gets nothing.
   */
  async describeMany(
    items: readonly { viewerUserId: string; ledgerTransferId: string }[],
  ): Promise<Map<string, TransferView>> {
    const ids = [...new Set(items.map((item) => item.ledgerTransferId).filter(isUuid))];
    const rows = new Map((await this.store.findByLedgerIds(ids)).map((row) => [row.ledger_transfer_id, row]));
    const views = new Map<string, TransferView>();
    for (const { viewerUserId, ledgerTransferId } of items) {
      const row = rows.get(ledgerTransferId);
      if (!row || (row.payer_user_id !== viewerUserId && row.payee_user_id !== viewerUserId)) continue;
      views.set(`${viewerUserId}:${ledgerTransferId}`, viewOf(row, viewerUserId));
    }
    return views;
  }

  // ---- receive codes ----------------------------------------------------------------------

  /** The holder's personal receive code, optionally with a fixed amount. */
  async receiveCode(input: { userId: string; amountMinor: bigint | null }): Promise<ReceiveCode> {
    const user = await this.deps.identity.getUser(input.userId);
    if (!user) throw new AppError('NOT_FOUND');
    const token =
      (await this.store.findReceiveCodeByUser(input.userId)) ??
      (await this.store.ensureReceiveCode({
        userId: input.userId,
        token: randomBytes(RECEIVE_TOKEN_BYTES).toString('base64url'),
        now: this.deps.now(),
      }));
    const payload = receivePayload({ token, amountMinor: input.amountMinor });
    const qrSvg = await QRCode.toString(payload, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return {
      payload,
      qrSvg,
      qrDataUrl: `data:image/svg+xml;base64,${Buffer.from(qrSvg).toString('base64')}`,
      amountMinor: input.amountMinor,
      currency: TRANSFER_CURRENCY,
      displayName: await this.displayNameOf(user),
    };
  }

  // ---- payment requests -------------------------------------------------------------------

  async createPaymentRequest(input: {
    userId: string;
    amountMinor: bigint;
    note: string | null;
    expiresInMinutes: number;
  }): Promise<PaymentRequestView & { qrSvg: string; qrDataUrl: string }> {
    const user = await this.deps.identity.getUser(input.userId);
    if (!user) throw new AppError('NOT_FOUND');
    const now = this.deps.now();
    const minutes = Math.min(Math.max(1, Math.trunc(input.expiresInMinutes)), MAX_PAYMENT_REQUEST_MINUTES);
    const row = await this.store.insertPaymentRequest({
      id: newId(),
      requester_user_id: input.userId,
      requester_display: await this.displayNameOf(user),
      amount_minor: input.amountMinor,
      currency: TRANSFER_CURRENCY,
      note: input.note,
      expires_at: new Date(now.getTime() + minutes * 60_000),
      created_at: now,
    });
    const view = this.requestView(row, input.userId);
    const qrSvg = await QRCode.toString(view.qrPayload, {
      type: 'svg',
      errorCorrectionLevel: 'M',
      margin: 2,
    });
    return {
      ...view,
      qrSvg,
      qrDataUrl: `data:image/svg+xml;base64,${Buffer.from(qrSvg).toString('base64')}`,
    };
  }

  async getPaymentRequest(input: { id: string; viewerUserId: string }): Promise<PaymentRequestView> {
    const row = await this.findRequest(input.id);
    return this.requestView(await this.settleStaleClaim(row), input.viewerUserId);
  }

  async listPaymentRequests(input: { userId: string; limit: number }): Promise<PaymentRequestView[]> {
    const rows = await this.store.listPaymentRequests({
      userId: input.userId,
      limit: Math.min(Math.max(1, Math.trunc(input.limit)), 100),
    });
    return rows.map((row) => this.requestView(row, input.userId));
  }

  async cancelPaymentRequest(input: { id: string; userId: string }): Promise<PaymentRequestView> {
    const row = await this.findRequest(input.id);
    if (row.requester_user_id !== input.userId) throw new AppError('PAYMENT_REQUEST_NOT_FOUND');
    const cancelled = await this.store.cancelPaymentRequest({
      id: input.id,
      userId: input.userId,
      now: this.deps.now(),
    });
    if (!cancelled) this.refuseUnpayable(await this.findRequest(input.id));
    return this.requestView(cancelled ?? row, input.userId);
  }

  /**
   * Pay a request. It settles once: a payer first claims it (open → paying, next attempt), and
   * only the claimer's ledger transfer runs, with an id derived from (request, attempt). Payers
   * who find it being paid wait for the outcome: paid → PAYMENT_REQUEST_ALREADY_PAID; the
   * attempt failed (e.g. that payer's funds) → they try to claim it themselves.
   */
  async payPaymentRequest(input: {
    id: string;
    payerUserId: string;
    payerWalletAccountId: string;
    confirmation: ConfirmationBody;
    /** Derived from the Idempotency-Key: the ledger transfer carries it, naming the key that paid. */
    paymentId: string;
    /** The key's earlier run ended unanswered (`isResumption`): it may have paid the request. */
    resumed: boolean;
  }): Promise<TransferView> {
    const row = await this.findRequest(input.id);
    const keyTag = `payment:${input.paymentId}`;
    // Before any check or confirmation (paid, expired… included): if this key's earlier run
    // paid the request, the answer is that success.
    const moved = input.resumed ? await this.transferOfKey(row, input.payerUserId, keyTag) : null;
    if (moved) {
      const record = await this.finishMoved({
        transfer: moved,
        payerUserId: input.payerUserId,
        payerWalletAccountId: input.payerWalletAccountId,
        kind: 'payment_request',
        note: row.note,
        paymentRequest: row,
      });
      return viewOf(record, input.payerUserId);
    }
    if (row.requester_user_id === input.payerUserId) throw new AppError('CANNOT_PAY_YOURSELF');
    this.refuseUnpayable(row);
    const requester = await this.deps.identity.getUser(row.requester_user_id);
    if (!requester) throw new AppError('PAYEE_CLOSED');
    const attempt: { claimed: PaymentRequestRow | null } = { claimed: null };
    try {
      const record = await this.pay({
        payerUserId: input.payerUserId,
        payerWalletAccountId: input.payerWalletAccountId,
        payee: requester,
        payeeDisplay: row.requester_display,
        amountMinor: row.amount_minor,
        note: row.note,
        confirmation: input.confirmation,
        // The client binds a passkey to the request id (it cannot know the attempt).
        confirmationPaymentId: row.id,
        ledgerTransferId: row.id,
        code: TransferCodes.paymentRequest,
        kind: 'payment_request',
        paymentRequestId: row.id,
        beforeLedger: async () => {
          attempt.claimed = await this.claim(row.id, input.payerUserId);
          return requestTransferId(row.id, attempt.claimed.attempt);
        },
        userData: keyTag,
      });
      const paid = attempt.claimed;
      if (paid) {
        await this.store.markPaymentRequestPaid({
          id: row.id,
          attempt: paid.attempt,
          payerUserId: input.payerUserId,
          ledgerTransferId: record.ledger_transfer_id,
          now: this.deps.now(),
        });
      }
      return viewOf(record, input.payerUserId);
    } catch (error) {
      const failed = attempt.claimed;
      // Given back to other payers only if this attempt moved no money: after the ledger (a
      // failed record, say) the request stays `paying`, for this key's retry to finish.
      if (failed && !(await this.deps.ledger.getTransfer(requestTransferId(row.id, failed.attempt)))) {
        await this.store.releasePaymentRequest({ id: row.id, attempt: failed.attempt });
      }
      throw error;
    }
  }

  /**
   * The ledger transfer with which this payer's key (`keyTag`) paid the request, if it did: the
   * request's settled transfer, or the one of the attempt the payer claimed.
   */
  private async transferOfKey(
    row: PaymentRequestRow,
    payerUserId: string,
    keyTag: string,
  ): Promise<Transfer | null> {
    const id =
      row.status === 'paid' && row.paid_by === payerUserId
        ? row.ledger_transfer_id
        : row.status === 'paying' && row.claimed_by === payerUserId
          ? requestTransferId(row.id, row.attempt)
          : null;
    const transfer = id ? await this.deps.ledger.getTransfer(id) : null;
    return transfer?.userData === keyTag ? transfer : null;
  }

  private async claim(id: string, payerUserId: string): Promise<PaymentRequestRow> {
    const deadline = Date.now() + CLAIM_WAIT_MS;
    for (;;) {
      const claimed = await this.store.claimPaymentRequest({ id, payerUserId, now: this.deps.now() });
      if (claimed) return claimed;
      const row = await this.settleStaleClaim(await this.findRequest(id));
      this.refuseUnpayable(row);
      if (row.status === 'paying' && this.isStale(row)) {
        const taken = await this.store.claimPaymentRequest({
          id,
          payerUserId,
          now: this.deps.now(),
          staleAttempt: row.attempt,
        });
        if (taken) return taken;
      }
      if (Date.now() >= deadline) throw new AppError('PAYMENT_REQUEST_IN_PROGRESS');
      await sleep(CLAIM_POLL_MS);
    }
  }

  private isStale(row: PaymentRequestRow): boolean {
    return row.claimed_at !== null && this.deps.now().getTime() - row.claimed_at.getTime() > STALE_CLAIM_MS;
  }

  /**
   * A claim whose process died: if its ledger transfer happened, finish the request as paid;
   * otherwise it stays `paying` and the next payer takes it over (`claim`).
   */
  private async settleStaleClaim(row: PaymentRequestRow): Promise<PaymentRequestRow> {
    if (row.status !== 'paying' || !this.isStale(row) || !row.claimed_by) return row;
    const transfer = await this.deps.ledger.getTransfer(requestTransferId(row.id, row.attempt));
    if (!transfer) return row;
    await this.recordRecoveredPayment(row, transfer);
    return this.findRequest(row.id);
  }

  private async recordRecoveredPayment(row: PaymentRequestRow, transfer: Transfer): Promise<void> {
    const payer = row.claimed_by ? await this.deps.identity.getUser(row.claimed_by) : null;
    await this.store.insertTransfer({
      id: newId(),
      ledger_transfer_id: transfer.id,
      kind: 'payment_request',
      status: 'succeeded',
      payer_user_id: row.claimed_by!,
      payee_user_id: row.requester_user_id,
      payer_display: payer ? await this.displayNameOf(payer) : '***',
      payee_display: row.requester_display,
      amount_minor: transfer.amount,
      currency: transfer.currency,
      note: row.note,
      payment_request_id: row.id,
      created_at: dateOfMicros(transfer.timestamp),
    });
    await this.store.markPaymentRequestPaid({
      id: row.id,
      attempt: row.attempt,
      payerUserId: row.claimed_by!,
      ledgerTransferId: transfer.id,
      now: this.deps.now(),
    });
  }

  private refuseUnpayable(row: PaymentRequestRow): void {
    if (row.status === 'paid') throw new AppError('PAYMENT_REQUEST_ALREADY_PAID');
    if (row.status === 'cancelled') throw new AppError('PAYMENT_REQUEST_CANCELLED');
    if (row.expires_at <= this.deps.now()) throw new AppError('PAYMENT_REQUEST_EXPIRED');
  }

  private async findRequest(id: string): Promise<PaymentRequestRow> {
    const row = isUuid(id) ? await this.store.findPaymentRequest(id) : null;
    if (!row) throw new AppError('PAYMENT_REQUEST_NOT_FOUND');
    return row;
  }

  private requestView(row: PaymentRequestRow, viewerUserId: string): PaymentRequestView {
    const expired = row.status !== 'paid' && row.status !== 'cancelled' && row.expires_at <= this.deps.now();
    return {
      id: row.id,
      amountMinor: row.amount_minor,
      currency: row.currency,
      note: row.note,
      requester: { displayName: row.requester_display },
      status: expired ? 'expired' : row.status,
      mine: row.requester_user_id === viewerUserId,
      expiresAt: row.expires_at,
      createdAt: row.created_at,
      paidAt: row.paid_at,
      cancelledAt: row.cancelled_at,
      payment: {
        id: row.id,
        amountMinor: row.amount_minor,
        currency: row.currency,
        payee: `user:${row.requester_user_id}`,
      },
      link: `${this.deps.publicUrl}/pay/requests/${row.id}`,
      qrPayload: `qianbao://request?id=${row.id}`,
    };
  }
}

// ---- helpers ----------------------------------------------------------------------------

/** `qianbao://pay?to=<token>[&amount=<minor>&currency=CNY]` */
export function receivePayload(input: { token: string; amountMinor: bigint | null }): string {
  const amount =
    input.amountMinor === null ? '' : `&amount=${input.amountMinor}&currency=${TRANSFER_CURRENCY}`;
  return `qianbao://pay?to=${input.token}${amount}`;
}

export function parseReceivePayload(payload: string): { token: string; amountMinor: bigint | null } {
  let url: URL;
  try {
    url = new URL(payload.trim());
  } catch {
    throw new AppError('RECEIVE_CODE_INVALID');
  }
  if (url.protocol !== RECEIVE_SCHEME || url.hostname !== 'pay') {
    const requestId =
      url.protocol === RECEIVE_SCHEME && url.hostname === 'request' ? url.searchParams.get('id') : null;
    throw new AppError('RECEIVE_CODE_INVALID', {
      details: requestId ? { paymentRequestId: requestId } : {},
    });
  }
  const token = url.searchParams.get('to') ?? '';
  const amount = url.searchParams.get('amount');
  const currency = url.searchParams.get('currency') ?? TRANSFER_CURRENCY;
  if (!/^[A-Za-z0-9_-]{22}$/.test(token) || currency !== TRANSFER_CURRENCY) {
    throw new AppError('RECEIVE_CODE_INVALID');
  }
  if (amount !== null && (!/^\d{1,15}$/.test(amount) || BigInt(amount) <= 0n)) {
    throw new AppError('RECEIVE_CODE_INVALID');
  }
  return { token, amountMinor: amount === null ? null : BigInt(amount) };
}

function amountFor(payee: Payee, amountMinor: bigint): bigint {
  if (payee.fixedAmountMinor !== null && payee.fixedAmountMinor !== amountMinor) {
    throw new AppError('QR_AMOUNT_MISMATCH', { details: { amount: moneyJson(payee.fixedAmountMinor) } });
  }
  return amountMinor;
}

/** The ledger transfer id of one attempt to pay a request. */
/** The ledger ids of a held transfer's post and void, derived from the hold: a repeat is the same transfer. */
export function heldIds(holdId: string): { post: string; void: string } {
  return {
    post: derivedId(`transfers:review-post:${holdId}`),
    void: derivedId(`transfers:review-void:${holdId}`),
  };
}

export function requestTransferId(requestId: string, attempt: number): string {
  return derivedId(`transfers:payment-request:${requestId}:${attempt}`);
}

function viewOf(row: TransferRow, viewerUserId: string): TransferView {
  const out = row.payer_user_id === viewerUserId;
  return {
    id: row.ledger_transfer_id,
    ledgerTransferId: row.ledger_transfer_id,
    kind: row.kind,
    status: row.status,
    direction: out ? 'out' : 'in',
    amountMinor: row.amount_minor,
    currency: row.currency,
    note: row.note,
    counterparty: { displayName: out ? row.payee_display : row.payer_display },
    counterpartyUserId: out ? row.payee_user_id : row.payer_user_id,
    payer: { displayName: row.payer_display },
    payee: { displayName: row.payee_display },
    paymentRequestId: row.payment_request_id,
    createdAt: row.created_at,
  };
}

export function moneyJson(amountMinor: bigint, currency = TRANSFER_CURRENCY) {
  return { amount: amountMinor.toString(), currency };
}

function clampZero(value: bigint): bigint {
  return value < 0n ? 0n : value;
}

export function dateOfMicros(micros: bigint): Date {
  return new Date(Number(micros / 1000n));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface PayerFacts {
  limits: () => Promise<TierLimits>;
  display: () => Promise<string>;
}
