/**
 * Merchants (capability C7, issue 12): onboarding, QR codes, orders, payments and refunds. The
 * money moves through the payments pipeline (payments/authorize.ts) like every payment; the
 * rows here say who the merchant is, what was ordered, paid and refunded.
 *
 * - A payment is two linked ledger transfers: the payer's wallet → the merchant's balance (the
 *   amount, with the payer's limit counters), and the merchant's balance → fee income (the
 *   merchant discount rate, fees.ts). Linked: both or neither.
 * - An order is paid once: a payer claims it (open → paying, the next attempt) after the
 *   confirmation, and only the claimer's transfers run, with ids derived from (order, attempt);
 *   a refused attempt gives it back. A static code's payment makes its own order first.
 * - A refund reserves its amount on the order under the order's row lock (never past what was
 *   paid, however many at once), then moves the money: the merchant's balance → the payer's
 *   wallet, and the refund's share of the fee from fee income (fees.ts). The merchant's own
 *   refund number makes it idempotent; a crash after the reservation is finished by the same
 *   request again (the transfer ids are derived from the refund).
 */
import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import { TransferFlags, derivedId, newId } from '@qianbao/ledger';
import type { Ledger, Transfer, TransferInput } from '@qianbao/ledger';
import { moneyPayload } from '../../outbox/index.ts';
import { AppError } from '../../errors.ts';
import { ledgerRefusal, primaryFailure } from '../../payments/index.ts';
import type { PaymentAuthorizer, PaymentKind } from '../../payments/index.ts';
import type { AccountDirectory } from '../../platform/accounts.ts';
import { TransferCodes } from '../../platform/codes.ts';
import type { Refusal } from '../kyc/index.ts';
import type { ConfirmationFactor, ConfirmationInput } from '../security/index.ts';
import { feeIncomeAccountId } from '../funding/accounts.ts';
import { paymentSucceeded, refundSucceeded } from './events.ts';
import type { MerchantPaymentPayload } from './events.ts';
import { paymentFee, rateOf, refundedFee } from './fees.ts';
import type { FeePolicy } from './fees.ts';
import { merchantQrPayload, readMerchantQr } from './qr.ts';
import type { MerchantRow, MerchantsStore, OrderRow, RefundRow } from './store.ts';

export const MERCHANT_CURRENCY = 'CNY';
/** A dynamic code lives 2 hours unless the merchant says otherwise; at most 7 days. */
const DEFAULT_ORDER_MINUTES = 120;
const MAX_ORDER_MINUTES = 7 * 24 * 60;
/** A static code's payment makes its order for the moment of paying. */
const STATIC_ORDER_MINUTES = 15;
/** A claim this old belongs to a process that died between the claim and the ledger. */
const STALE_CLAIM_MS = 60_000;

export interface MerchantsServiceDeps {
  store: MerchantsStore;
  /** Read only: the money moves through `payments.move`. */
  ledger: Pick<Ledger, 'getTransfer' | 'getBalance'>;
  accounts: Pick<AccountDirectory, 'open'>;
  identity: { getUser(userId: string): Promise<{ realNameVerified: boolean } | null> };
  /** How a holder appears to others (`*明`, or the masked number): the transfers module's rule. */
  displayNameOf(userId: string): Promise<string>;
  payments: Pick<PaymentAuthorizer, 'authorize' | 'preview' | 'move'>;
  feePolicy: FeePolicy;
  now: () => Date;
}

export interface MerchantView {
  id: string;
  kind: MerchantRow['kind'];
  status: MerchantRow['status'];
  name: string;
  city: string;
  mcc: string;
  /** The merchant's balance (takings not yet settled), from the ledger. */
  balanceMinor: bigint;
  currency: string;
  feeRateBp: number;
  createdAt: Date;
}

export interface OrderView {
  id: string;
  merchantOrderId: string;
  channel: OrderRow['channel'];
  /** `expired`: open past its expiry (nobody paid it). */
  status: OrderRow['status'] | 'expired';
  amountMinor: bigint;
  currency: string;
  description: string | null;
  merchantName: string;
  payerDisplay: string | null;
  feeMinor: bigint;
  refundedMinor: bigint;
  /** The payer's ledger transfer (what the payer's history knows the payment by). */
  transferId: string | null;
  paidAt: Date | null;
  expiresAt: Date;
  createdAt: Date;
}

export interface RefundView {
  id: string;
  merchantRefundId: string;
  merchantOrderId: string;
  status: RefundRow['status'];
  amountMinor: bigint;
  feeMinor: bigint;
  currency: string;
  reason: string | null;
  failure: string | null;
  createdAt: Date;
  settledAt: Date | null;
}

export interface ScannedMerchant {
  kind: Extract<PaymentKind, 'merchant_static' | 'merchant_order'>;
  merchant: { name: string; city: string; mcc: string };
  /** Fixed by a dynamic code; null: the payer types it. */
  amountMinor: bigint | null;
  order: { merchantOrderId: string; description: string | null; expiresAt: Date } | null;
}

export interface MerchantPaymentQuote {
  scanned: ScannedMerchant;
  amountMinor: bigint;
  confirmation: { factor: ConfirmationFactor; accepted: ConfirmationFactor[]; reason: string };
  payment: { id: string; amountMinor: bigint; currency: string; payee: string };
  refusal: Refusal | null;
}

interface Target {
  merchant: MerchantRow;
  scanned: ScannedMerchant;
  /** The dynamic code's order; null for a static code (its payment makes one). */
  order: OrderRow | null;
  amountMinor: bigint;
}

export class MerchantsService {
  constructor(private readonly deps: MerchantsServiceDeps) {}

  // ---- merchants ------------------------------------------------------------------------------

  /**
   * An individual merchant (个体商户), from the holder's wallet: active at once (the holder is
   * real-name verified; the tier's limits are the payers', the merchant takes what they pay).
   */
  async onboard(input: { userId: string; name: string; city: string; mcc: string }): Promise<MerchantView> {
    const user = await this.deps.identity.getUser(input.userId);
    if (!user) throw new AppError('NOT_FOUND');
    if (!user.realNameVerified) throw new AppError('MERCHANT_REAL_NAME_REQUIRED');
    if (await this.deps.store.merchantOfOwner(input.userId)) throw new AppError('MERCHANT_EXISTS');
    const id = newId();
    // Opened first: a crash before the row leaves an empty account nobody owns a code for.
    const balanceAccountId = await this.deps.accounts.open({
      owner: `merchant:${id}`,
      currency: MERCHANT_CURRENCY,
      purpose: 'merchantBalance',
    });
    const row = await this.deps.store.insertMerchant({
      id,
      owner_user_id: input.userId,
      kind: 'individual',
      status: 'active',
      name: input.name,
      city: input.city,
      mcc: input.mcc,
      balance_account_id: balanceAccountId,
      qr_token: randomBytes(15).toString('base64url'),
      created_at: this.deps.now(),
    });
    if (!row) throw new AppError('MERCHANT_EXISTS');
    return this.view(row);
  }

  async mine(userId: string): Promise<MerchantView> {
    return this.view(await this.merchantOf(userId));
  }

  /** The static code: printed once, paid by anyone, the payer types the amount. */
  async staticCode(userId: string): Promise<{ payload: string; qrDataUrl: string }> {
    const merchant = await this.merchantOf(userId);
    return withImage(merchantQrPayload(onCode(merchant)));
  }

  // ---- orders ---------------------------------------------------------------------------------

  /**
   * An order with its dynamic code. The merchant's order number makes it idempotent: the same
   * number with the same amount and description is the same order; with others, ORDER_ID_REUSED.
   */
  async createOrder(input: {
    userId: string;
    merchantOrderId: string;
    amountMinor: bigint;
    description: string | null;
    expiresInMinutes: number | null;
  }): Promise<OrderView & { payload: string; qrDataUrl: string }> {
    const merchant = await this.activeMerchantOf(input.userId);
    const now = this.deps.now();
    const minutes = Math.min(
      Math.max(1, Math.trunc(input.expiresInMinutes ?? DEFAULT_ORDER_MINUTES)),
      MAX_ORDER_MINUTES,
    );
    const { row, created } = await this.deps.store.insertOrder({
      id: newId(),
      merchant_id: merchant.id,
      merchant_order_id: input.merchantOrderId,
      channel: 'dynamic',
      amount_minor: input.amountMinor,
      currency: MERCHANT_CURRENCY,
      description: input.description,
      expires_at: new Date(now.getTime() + minutes * 60_000),
      created_at: now,
    });
    if (
      !created &&
      (row.channel !== 'dynamic' ||
        row.amount_minor !== input.amountMinor ||
        row.description !== input.description)
    ) {
      throw new AppError('ORDER_ID_REUSED');
    }
    const code = merchantQrPayload(onCode(merchant), {
      amountMinor: row.amount_minor,
      merchantOrderId: row.merchant_order_id,
    });
    return { ...this.orderView(row, merchant), ...(await withImage(code)) };
  }

  async getOrder(input: {
    userId: string;
    merchantOrderId: string;
  }): Promise<OrderView & { refunds: RefundView[] }> {
    const merchant = await this.merchantOf(input.userId);
    const order = await this.orderOf(merchant, input.merchantOrderId);
    const refunds = await this.deps.store.refundsOf(order.id);
    return { ...this.orderView(order, merchant), refunds: refunds.map((r) => refundView(r, order)) };
  }

  async listOrders(input: { userId: string; limit: number }): Promise<OrderView[]> {
    const merchant = await this.merchantOf(input.userId);
    const rows = await this.deps.store.orders(
      merchant.id,
      Math.min(Math.max(1, Math.trunc(input.limit)), 100),
    );
    return rows.map((row) => this.orderView(row, merchant));
  }

  /** Close an order nobody paid: its code pays nothing from now on. */
  async closeOrder(input: { userId: string; merchantOrderId: string }): Promise<OrderView> {
    const merchant = await this.merchantOf(input.userId);
    const order = await this.orderOf(merchant, input.merchantOrderId);
    const closed = await this.deps.store.close({ id: order.id, now: this.deps.now() });
    if (closed) return this.orderView(closed, merchant);
    const now = (await this.deps.store.orderById(order.id))!;
    if (now.status === 'closed') return this.orderView(now, merchant);
    throw new AppError('ORDER_NOT_CLOSABLE', { details: { status: now.status } });
  }

  // ---- paying ---------------------------------------------------------------------------------

  /** What a scanned code is, before any amount or PIN: the merchant, and the amount if fixed. */
  async scan(input: { payerUserId: string; qr: string }): Promise<ScannedMerchant> {
    return (await this.target({ ...input, amountMinor: null, forQuote: true, kind: null })).scanned;
  }

  /** The quote of paying a code: how to confirm, what would refuse it (payments `preview`). */
  async quote(input: {
    payerUserId: string;
    payerWalletAccountId: string;
    qr: string;
    amountMinor: bigint | null;
    paymentId: string;
    /** The payment resource's kind: the code must be of it. */
    kind: ScannedMerchant['kind'];
  }): Promise<MerchantPaymentQuote> {
    const target = await this.target({ ...input, forQuote: false });
    const payment = this.paymentOf(target, input.paymentId);
    const preview = await this.deps.payments.preview({
      kind: target.scanned.kind,
      payerUserId: input.payerUserId,
      payerWalletAccountId: input.payerWalletAccountId,
      payment,
      debit: { walletAccountId: input.payerWalletAccountId, totalMinor: target.amountMinor },
    });
    const { factor } = preview;
    return {
      scanned: target.scanned,
      amountMinor: target.amountMinor,
      confirmation: { factor: factor.factor, accepted: factor.accepted, reason: factor.reason },
      payment,
      refusal: preview.refusal,
    };
  }

  /**
   * Pay a code. `paymentId` is the payment's attempt (the payment resource's): a static code's
   * order is derived from it, so a repeat pays the same order; `resumed`: the attempt's earlier
   * run ended unanswered and may have paid.
   */
  async pay(input: {
    payerUserId: string;
    payerWalletAccountId: string;
    qr: string;
    amountMinor: bigint | null;
    confirmation: ConfirmationInput | null;
    paymentId: string;
    resumed: boolean;
    kind: ScannedMerchant['kind'];
  }): Promise<OrderView> {
    const target = await this.target({ ...input, forQuote: false });
    const { merchant } = target;
    let order = target.order;
    if (!order) {
      const now = this.deps.now();
      order = (
        await this.deps.store.insertOrder({
          id: derivedId(`merchants:static-order:${input.paymentId}`),
          merchant_id: merchant.id,
          merchant_order_id: staticOrderNumber(now),
          channel: 'static',
          amount_minor: target.amountMinor,
          currency: MERCHANT_CURRENCY,
          description: null,
          expires_at: new Date(now.getTime() + STATIC_ORDER_MINUTES * 60_000),
          created_at: now,
        })
      ).row;
      if (order.merchant_id !== merchant.id || order.amount_minor !== target.amountMinor) {
        throw new AppError('PAYMENT_IN_PROGRESS');
      }
    }
    // Paid already by this payer (a repeat), or this payer's attempt moved the money and its
    // run died before the record: answered as paid, with no check or confirmation again.
    if (order.status === 'paid' && order.payer_user_id === input.payerUserId)
      return this.orderView(order, merchant);
    if (input.resumed && order.status === 'paying' && order.claimed_by === input.payerUserId) {
      const moved = await this.deps.ledger.getTransfer(orderTransferIds(order.id, order.attempt).payment);
      if (moved) return this.finishPaid(merchant, order, moved, input.payerUserId);
    }
    this.refuseUnpayable(order);
    const payment = this.paymentOf(target, input.paymentId);
    const authorization = await this.deps.payments.authorize({
      kind: target.scanned.kind,
      payerUserId: input.payerUserId,
      payment,
      confirmation: input.confirmation,
    });
    const claimed = await this.claim(order, input.payerUserId);
    const ids = orderTransferIds(order.id, claimed.attempt);
    const feeMinor = paymentFee(claimed.amount_minor, rateOf(this.deps.feePolicy, merchant.mcc));
    const userData = `merchant-order:${order.id}`;
    const transfers: TransferInput[] = [
      {
        id: ids.payment,
        debitAccountId: input.payerWalletAccountId,
        creditAccountId: merchant.balance_account_id,
        amount: claimed.amount_minor,
        currency: MERCHANT_CURRENCY,
        code: TransferCodes.merchantPayment,
        flags: feeMinor > 0n ? TransferFlags.linked : 0,
        limits: authorization.ledgerLimits,
        userData,
      },
    ];
    if (feeMinor > 0n) {
      transfers.push({
        id: ids.fee,
        debitAccountId: merchant.balance_account_id,
        creditAccountId: feeIncomeAccountId(MERCHANT_CURRENCY),
        amount: feeMinor,
        currency: MERCHANT_CURRENCY,
        code: TransferCodes.merchantFee,
        userData,
      });
    }
    const outcomes = await this.deps.payments.move(transfers, authorization);
    if (!outcomes.every((o) => o.result === 'ok' || o.result === 'exists')) {
      await this.deps.store.release({ id: order.id, attempt: claimed.attempt });
      throw ledgerRefusal(outcomes, { credit: 'other', currency: MERCHANT_CURRENCY });
    }
    const moved = outcomes[0]!.transfer ?? (await this.deps.ledger.getTransfer(ids.payment));
    if (!moved) throw new Error(`order ${order.id}: the payment moved but cannot be read`);
    return this.finishPaid(merchant, claimed, moved, input.payerUserId);
  }

  // ---- refunds --------------------------------------------------------------------------------

  async refund(input: {
    userId: string;
    merchantOrderId: string;
    merchantRefundId: string;
    amountMinor: bigint;
    reason: string | null;
  }): Promise<RefundView> {
    const merchant = await this.merchantOf(input.userId);
    const order = await this.orderOf(merchant, input.merchantOrderId);
    const reserved = await this.deps.store.reserveRefund({
      orderId: order.id,
      merchantRefundId: input.merchantRefundId,
      id: newId(),
      amountMinor: input.amountMinor,
      reason: input.reason,
      now: this.deps.now(),
      feeOf: (locked) =>
        refundedFee({
          amountMinor: locked.amount_minor,
          feeMinor: locked.fee_minor,
          refundedBeforeMinor: locked.refunded_minor,
          refundMinor: input.amountMinor,
        }),
    });
    if ('notPaid' in reserved)
      throw new AppError('ORDER_NOT_PAID', { details: { status: reserved.notPaid } });
    if ('exceeds' in reserved) {
      throw new AppError('REFUND_EXCEEDS_PAID', {
        details: { remaining: { amount: reserved.exceeds.toString(), currency: order.currency } },
      });
    }
    const { refund, created } = reserved;
    if (!created && (refund.amount_minor !== input.amountMinor || refund.reason !== input.reason)) {
      throw new AppError('REFUND_ID_REUSED');
    }
    if (refund.status !== 'pending') return refundView(refund, order);
    return this.moveRefund(merchant, order, refund);
  }

  async getRefund(input: {
    userId: string;
    merchantOrderId: string;
    merchantRefundId: string;
  }): Promise<RefundView> {
    const merchant = await this.merchantOf(input.userId);
    const order = await this.orderOf(merchant, input.merchantOrderId);
    const refund = await this.deps.store.refund(order.id, input.merchantRefundId);
    if (!refund) throw new AppError('REFUND_NOT_FOUND');
    // A refund left pending (its run died after the reservation): finished now.
    if (
      refund.status === 'pending' &&
      this.deps.now().getTime() - refund.created_at.getTime() > STALE_CLAIM_MS
    ) {
      return this.moveRefund(merchant, order, refund);
    }
    return refundView(refund, order);
  }

  /** The reserved refund's money, with ids derived from it (a repeat is the same transfers). */
  private async moveRefund(merchant: MerchantRow, order: OrderRow, refund: RefundRow): Promise<RefundView> {
    const paid = order.ledger_transfer_id
      ? await this.deps.ledger.getTransfer(order.ledger_transfer_id)
      : null;
    if (!paid) throw new Error(`order ${order.id} is paid but its transfer cannot be read`);
    const ids = refundTransferIds(refund.id);
    const userData = `merchant-refund:${refund.id}`;
    const fromMerchant = refund.amount_minor - refund.fee_minor;
    const transfers: TransferInput[] = [];
    if (fromMerchant > 0n) {
      transfers.push({
        id: ids.refund,
        debitAccountId: merchant.balance_account_id,
        creditAccountId: paid.debitAccountId,
        amount: fromMerchant,
        currency: order.currency,
        code: TransferCodes.merchantRefund,
        flags: refund.fee_minor > 0n ? TransferFlags.linked : 0,
        userData,
      });
    }
    if (refund.fee_minor > 0n) {
      transfers.push({
        id: ids.fee,
        debitAccountId: feeIncomeAccountId(order.currency),
        creditAccountId: paid.debitAccountId,
        amount: refund.fee_minor,
        currency: order.currency,
        code: TransferCodes.merchantRefundFee,
        userData,
      });
    }
    // The pipeline's ledger step; a refund returns money the payer paid, so no limit or cap of
    // the payer's applies to it.
    const outcomes = await this.deps.payments.move(transfers);
    const now = this.deps.now();
    if (outcomes.every((o) => o.result === 'ok' || o.result === 'exists')) {
      const settled = await this.deps.store.refundSucceeded({
        id: refund.id,
        now,
        event: refundSucceeded(
          {
            ...(await this.paymentPayload(merchant, order)),
            refundId: refund.id,
            merchantRefundId: refund.merchant_refund_id,
            refund: moneyPayload(refund.amount_minor, order.currency),
          },
          now,
        ),
      });
      return refundView(
        settled ?? (await this.deps.store.refund(order.id, refund.merchant_refund_id))!,
        order,
      );
    }
    const failure = primaryFailure(outcomes);
    const result =
      failure?.result === 'idAlreadyFailed' ? (failure.failedWith ?? failure.result) : failure?.result;
    if (result !== 'insufficientFunds') {
      throw new Error(`refund ${refund.id}: the ledger refused it: ${result ?? 'no outcome'}`);
    }
    await this.deps.store.refundFailed({ id: refund.id, failure: 'MERCHANT_BALANCE_INSUFFICIENT', now });
    throw new AppError('MERCHANT_BALANCE_INSUFFICIENT');
  }

  // ---- inside ---------------------------------------------------------------------------------

  private async target(input: {
    payerUserId: string;
    qr: string;
    amountMinor: bigint | null;
    forQuote: boolean;
    /** The kind the payment was made as (null: any, when only scanning). */
    kind: ScannedMerchant['kind'] | null;
  }): Promise<Target> {
    const code = readMerchantQr(input.qr);
    const kind = code.initiation === 'static' ? 'merchant_static' : 'merchant_order';
    if (input.kind !== null && input.kind !== kind) {
      throw new AppError('MERCHANT_QR_INVALID', { details: { reason: 'KIND', kind } });
    }
    const merchant = await this.deps.store.merchantOfToken(code.token);
    if (!merchant) throw new AppError('MERCHANT_NOT_FOUND');
    if (merchant.status !== 'active') throw new AppError('MERCHANT_NOT_ACTIVE');
    if (merchant.owner_user_id === input.payerUserId) throw new AppError('CANNOT_PAY_YOURSELF');
    const shown = { name: merchant.name, city: merchant.city, mcc: merchant.mcc };
    if (code.initiation === 'static') {
      if (input.amountMinor === null && !input.forQuote) throw new AppError('MERCHANT_AMOUNT_REQUIRED');
      return {
        merchant,
        order: null,
        amountMinor: input.amountMinor ?? 0n,
        scanned: { kind: 'merchant_static', merchant: shown, amountMinor: null, order: null },
      };
    }
    const order = code.merchantOrderId
      ? await this.deps.store.order(merchant.id, code.merchantOrderId)
      : null;
    if (!order || order.channel !== 'dynamic') throw new AppError('ORDER_NOT_FOUND');
    if (code.amountMinor !== null && code.amountMinor !== order.amount_minor) {
      throw new AppError('MERCHANT_QR_INVALID', { details: { reason: 'AMOUNT' } });
    }
    if (input.amountMinor !== null && input.amountMinor !== order.amount_minor) {
      throw new AppError('QR_AMOUNT_MISMATCH');
    }
    this.refuseUnpayable(order);
    return {
      merchant,
      order,
      amountMinor: order.amount_minor,
      scanned: {
        kind: 'merchant_order',
        merchant: shown,
        amountMinor: order.amount_minor,
        order: {
          merchantOrderId: order.merchant_order_id,
          description: order.description,
          expiresAt: order.expires_at,
        },
      },
    };
  }

  /** What the confirmation binds (a passkey signs exactly this). */
  private paymentOf(target: Target, paymentId: string) {
    return {
      id: paymentId,
      amountMinor: target.amountMinor,
      currency: MERCHANT_CURRENCY,
      payee: `merchant:${target.merchant.id}`,
    };
  }

  /** Closed, expired, paid by someone, or being paid right now: refused before any PIN. */
  private refuseUnpayable(order: OrderRow): void {
    if (order.status === 'paid') throw new AppError('ORDER_ALREADY_PAID');
    if (order.status === 'closed') throw new AppError('ORDER_CLOSED');
    if (order.expires_at.getTime() <= this.deps.now().getTime()) throw new AppError('ORDER_EXPIRED');
  }

  /** Take the order for this payer; a claim whose process died (no transfer) is taken over. */
  private async claim(order: OrderRow, payerUserId: string): Promise<OrderRow> {
    const now = this.deps.now();
    const claimed = await this.deps.store.claim({ id: order.id, payerUserId, now });
    if (claimed) return claimed;
    const current = (await this.deps.store.orderById(order.id))!;
    if (current.status === 'paying' && current.claimed_at) {
      const stale = now.getTime() - current.claimed_at.getTime() > STALE_CLAIM_MS;
      const own = current.claimed_by === payerUserId;
      if (
        (stale || own) &&
        !(await this.deps.ledger.getTransfer(orderTransferIds(order.id, current.attempt).payment))
      ) {
        const taken = await this.deps.store.claim({
          id: order.id,
          payerUserId,
          now,
          staleAttempt: current.attempt,
        });
        if (taken) return taken;
      }
      throw new AppError('ORDER_BEING_PAID');
    }
    this.refuseUnpayable(current);
    throw new AppError('ORDER_BEING_PAID');
  }

  private async finishPaid(
    merchant: MerchantRow,
    order: OrderRow,
    moved: Transfer,
    payerUserId: string,
  ): Promise<OrderView> {
    const now = this.deps.now();
    const feeMinor = paymentFee(order.amount_minor, rateOf(this.deps.feePolicy, merchant.mcc));
    const feeMoved =
      feeMinor > 0n
        ? await this.deps.ledger.getTransfer(orderTransferIds(order.id, order.attempt).fee)
        : null;
    const payerDisplay = await this.deps.displayNameOf(payerUserId);
    const paid = {
      ...order,
      payer_user_id: payerUserId,
      payer_display: payerDisplay,
      ledger_transfer_id: moved.id,
    };
    const row = await this.deps.store.markPaid({
      id: order.id,
      attempt: order.attempt,
      payerUserId,
      payerDisplay,
      ledgerTransferId: moved.id,
      feeMinor: feeMoved?.amount ?? 0n,
      now,
      event: paymentSucceeded(await this.paymentPayload(merchant, paid), now),
    });
    return this.orderView(row ?? (await this.deps.store.orderById(order.id))!, merchant);
  }

  private async paymentPayload(merchant: MerchantRow, order: OrderRow): Promise<MerchantPaymentPayload> {
    return {
      orderId: order.id,
      merchantId: merchant.id,
      merchantOrderId: order.merchant_order_id,
      merchantName: merchant.name,
      merchantOwnerUserId: merchant.owner_user_id,
      payerUserId: order.payer_user_id ?? '',
      payerDisplay:
        order.payer_display ??
        (order.payer_user_id ? await this.deps.displayNameOf(order.payer_user_id) : ''),
      transferId: order.ledger_transfer_id ?? '',
      amount: moneyPayload(order.amount_minor, order.currency),
    };
  }

  private async merchantOf(userId: string): Promise<MerchantRow> {
    const merchant = await this.deps.store.merchantOfOwner(userId);
    if (!merchant) throw new AppError('MERCHANT_NOT_FOUND');
    return merchant;
  }

  private async activeMerchantOf(userId: string): Promise<MerchantRow> {
    const merchant = await this.merchantOf(userId);
    if (merchant.status !== 'active') throw new AppError('MERCHANT_NOT_ACTIVE');
    return merchant;
  }

  private async orderOf(merchant: MerchantRow, merchantOrderId: string): Promise<OrderRow> {
    const order = await this.deps.store.order(merchant.id, merchantOrderId);
    if (!order) throw new AppError('ORDER_NOT_FOUND');
    return order;
  }

  private async view(row: MerchantRow): Promise<MerchantView> {
    const balance = await this.deps.ledger.getBalance(row.balance_account_id);
    return {
      id: row.id,
      kind: row.kind,
      status: row.status,
      name: row.name,
      city: row.city,
      mcc: row.mcc,
      balanceMinor: balance?.postedBalance ?? 0n,
      currency: MERCHANT_CURRENCY,
      feeRateBp: rateOf(this.deps.feePolicy, row.mcc),
      createdAt: row.created_at,
    };
  }

  private orderView(row: OrderRow, merchant: MerchantRow): OrderView {
    const expired = (row.status === 'open' || row.status === 'paying') && row.expires_at <= this.deps.now();
    return {
      id: row.id,
      merchantOrderId: row.merchant_order_id,
      channel: row.channel,
      status: expired && row.status === 'open' ? 'expired' : row.status,
      amountMinor: row.amount_minor,
      currency: row.currency,
      description: row.description,
      merchantName: merchant.name,
      payerDisplay: row.payer_display,
      feeMinor: row.fee_minor,
      refundedMinor: row.refunded_minor,
      transferId: row.ledger_transfer_id,
      paidAt: row.paid_at,
      expiresAt: row.expires_at,
      createdAt: row.created_at,
    };
  }
}

function refundView(row: RefundRow, order: OrderRow): RefundView {
  return {
    id: row.id,
    merchantRefundId: row.merchant_refund_id,
    merchantOrderId: order.merchant_order_id,
    status: row.status,
    amountMinor: row.amount_minor,
    feeMinor: row.fee_minor,
    currency: order.currency,
    reason: row.reason,
    failure: row.failure,
    createdAt: row.created_at,
    settledAt: row.settled_at,
  };
}

function onCode(merchant: MerchantRow) {
  return { name: merchant.name, city: merchant.city, mcc: merchant.mcc, qrToken: merchant.qr_token };
}

async function withImage(payload: string): Promise<{ payload: string; qrDataUrl: string }> {
  const svg = await QRCode.toString(payload, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { payload, qrDataUrl: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
}

/** The ledger ids of an order's attempt: derived, so a repeat is the same transfers. */
export function orderTransferIds(orderId: string, attempt: number): { payment: string; fee: string } {
  return {
    payment: derivedId(`merchants:order:${orderId}:${attempt}`),
    fee: derivedId(`merchants:order-fee:${orderId}:${attempt}`),
  };
}

export function refundTransferIds(refundId: string): { refund: string; fee: string } {
  return {
    refund: derivedId(`merchants:refund:${refundId}`),
    fee: derivedId(`merchants:refund-fee:${refundId}`),
  };
}

/** A static code's order number: `S` + time + random, 21 characters. */
function staticOrderNumber(now: Date): string {
  return `S${now.getTime().toString(36)}${randomBytes(6).toString('base64url')}`;
}
