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
 *   request again (the transfer ids are derived from the refund). Before the reservation the
 *   refund is judged by the risk engine as a refund (`payments.judgeRefund`): refused, nothing
 *   is reserved.
 */
import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import { TransferFlags, derivedId, isUuid, newId } from '@qianbao/ledger';
import type { Ledger, Transfer, TransferInput } from '@qianbao/ledger';
import { moneyPayload } from '../../outbox/index.ts';
import { AppError, ERRORS } from '../../errors.ts';
import type { ErrorCode } from '../../errors.ts';
import { ledgerRefusal, primaryFailure } from '../../payments/index.ts';
import type { PaymentAuthorizer, PaymentKind } from '../../payments/index.ts';
import type { AccountDirectory } from '../../platform/accounts.ts';
import { shanghaiDate, shanghaiDay } from '../../platform/calendar.ts';
import { TransferCodes } from '../../platform/codes.ts';
import type { Refusal } from '../kyc/index.ts';
import type { ConfirmationFactor, ConfirmationInput, PaymentToConfirm } from '../security/index.ts';
import { feeIncomeAccountId } from '../funding/accounts.ts';
import { derivedAccountId } from '../../platform/accounts.ts';
import {
  TEST_PAYER_DISPLAY,
  testChargeStep,
  testCodeSecretIdOf,
  testOwnerIdOf,
  testPayerAccount,
  testPayerOfCode,
  testPayerOfUser,
  testPayerUserIdOf,
  twinIdOf,
} from './test-mode.ts';
import type { TestPayer } from './test-mode.ts';
import { chargeAwaitingConfirmation, paymentSucceeded, refundSucceeded } from './events.ts';
import type { MerchantPaymentPayload } from './events.ts';
import { paymentFee, rateOf, refundedFee } from './fees.ts';
import type { FeePolicy } from './fees.ts';
import { merchantQrPayload, readMerchantQr } from './qr.ts';
import type { PaymentCodes } from './payment-codes.ts';
import type { ChargeRow, ChargeStatus, MerchantRow, MerchantsStore, OrderRow, RefundRow } from './store.ts';

export const MERCHANT_CURRENCY = 'CNY';
/** A dynamic code lives 2 hours unless the merchant says otherwise; at most 7 days. */
const DEFAULT_ORDER_MINUTES = 120;
const MAX_ORDER_MINUTES = 7 * 24 * 60;
/** A static code's payment makes its order for the moment of paying. */
const STATIC_ORDER_MINUTES = 15;
/** A claim this old belongs to a process that died between the claim and the ledger. */
const STALE_CLAIM_MS = 60_000;
/** A payment code's charge above the password-free limit waits this long for the payer. */
const CHARGE_CONFIRM_SECONDS = 60;
/** A code charge's order outlives the confirmation by a margin (a confirm started at 59 s ends). */
const CODE_ORDER_MINUTES = 5;
const PENDING_CHARGES_LIMIT = 20;
/**
 * What a charge attempted without a factor answers when the payer must confirm it: a factor is
 * needed (above the password-free limit), the risk step wants a stronger one, or today's
 * password-free allowance is spent.
 */
const ASKS_THE_PAYER = new Set<string>(['FACTOR_NOT_ACCEPTED', 'STEP_UP_REQUIRED']);
/** A confirmation that did not prove the payer: the charge waits again (the lockout counts tries). */
const CONFIRMATION_NOT_PROVEN = new Set<string>([
  'FACTOR_NOT_ACCEPTED',
  'PIN_NOT_SET',
  'PIN_INCORRECT',
  'PASSKEY_VERIFICATION_FAILED',
  'CHALLENGE_EXPIRED',
  'TOTP_NOT_ENABLED',
  'TOTP_INVALID',
  'TOTP_REUSED',
  'STEP_UP_REQUIRED',
]);
/** Refusals that say "not now" rather than "no": the charge stays pending for the retry. */
const TRANSIENT = new Set<string>(['ORDER_BEING_PAID', 'RATE_LIMITED', 'SECRET_CHECK_BUSY']);

/** A merchant's discount rate (basis points) set by an approved change at a time; null: none. */
export interface MerchantRateSettings {
  merchantRateAt(input: { merchantId: string; mcc: string }, at: Date): Promise<number | null>;
}

export interface MerchantsServiceDeps {
  store: MerchantsStore;
  /** Read only: the money moves through `payments.move`. */
  ledger: Pick<Ledger, 'getTransfer' | 'getBalance'>;
  accounts: Pick<AccountDirectory, 'open'>;
  identity: {
    getUser(userId: string): Promise<{ realNameVerified: boolean; walletAccountId: string } | null>;
  };
  /** How a holder appears to others (`*明`, or the masked number): the transfers module's rule. */
  displayNameOf(userId: string): Promise<string>;
  payments: Pick<PaymentAuthorizer, 'authorize' | 'preview' | 'move' | 'movedOrFenced' | 'judgeRefund'>;
  feePolicy: FeePolicy;
  /**
   * Discount rates set by approved configuration changes (modules/approvals, ADR 0025): the
   * merchant's own, its category's or the default in force at a time; null: `feePolicy` applies.
   */
  settings?: MerchantRateSettings;
  /** Finds the secret and step of a scanned payment code (payment-codes.ts). */
  codes: Pick<PaymentCodes, 'verify'>;
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

/** The portal's dashboard (`summary`). */
export interface MerchantSummary {
  currency: string;
  balanceMinor: bigint;
  /** Oldest first; the last is today. */
  days: { date: string; takingsMinor: bigint; payments: number; refundsMinor: bigint }[];
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

export interface ChargeView {
  id: string;
  /**
   * `pending` while the payment runs (or its run died: the till's retry with the same
   * Idempotency-Key finishes it); `awaiting_confirmation` until the payer confirms or declines,
   * at most 60 s; then `succeeded`, `declined`, `timed_out` or `failed` (`failure` says why).
   */
  status: ChargeStatus;
  failure: string | null;
  merchantName: string;
  merchantOrderId: string;
  amountMinor: bigint;
  currency: string;
  description: string | null;
  confirmBy: Date | null;
  /** What a passkey signs to confirm it (the payer's side). */
  payment: PaymentToConfirm;
  order: OrderView;
  createdAt: Date;
  updatedAt: Date;
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

  /** The module's clock (tests move it). */
  now(): Date {
    return this.deps.now();
  }

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

  async get(merchantId: string): Promise<MerchantView> {
    return this.view(await this.merchantOf(merchantId));
  }

  /** The static code: printed once, paid by anyone, the payer types the amount. */
  async staticCode(merchantId: string): Promise<{ payload: string; qrDataUrl: string }> {
    const merchant = await this.merchantOf(merchantId);
    return withImage(merchantQrPayload(onCode(merchant)));
  }

  // ---- orders ---------------------------------------------------------------------------------

  /**
   * An order with its dynamic code. The merchant's order number makes it idempotent: the same
   * number with the same amount and description is the same order; with others, ORDER_ID_REUSED.
   */
  async createOrder(input: {
    merchantId: string;
    merchantOrderId: string;
    amountMinor: bigint;
    description: string | null;
    expiresInMinutes: number | null;
  }): Promise<OrderView & { payload: string; qrDataUrl: string }> {
    const merchant = await this.activeMerchantOf(input.merchantId);
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

  /**
   * An order as its hosted checkout page shows it to anyone holding the checkout's link (checkout.ts):
   * the merchant's name, the amount, what for, where it stands — and, while it can be paid, its
   * code, which the page pays with (kind `merchant_order`).
   */
  async checkoutOrder(
    orderId: string,
  ): Promise<(OrderView & { payload: string | null; testMode: boolean }) | null> {
    const order = await this.deps.store.orderById(orderId);
    const merchant = order ? await this.deps.store.merchant(order.merchant_id) : null;
    if (!order || !merchant) return null;
    const view = this.orderView(order, merchant);
    const payable = view.status === 'open' && merchant.status === 'active';
    return {
      ...view,
      testMode: merchant.test_of !== null,
      // A test order has no code a wallet could pay: only the test payers pay it.
      payload:
        payable && !merchant.test_of
          ? merchantQrPayload(onCode(merchant), {
              amountMinor: order.amount_minor,
              merchantOrderId: order.merchant_order_id,
            })
          : null,
    };
  }

  /**
   * Order query, with its refunds. `createdFrom`: a cashier sees today's orders only — an older
   * one is ORDER_NOT_FOUND to it, as orders of another merchant are.
   */
  async getOrder(input: {
    merchantId: string;
    merchantOrderId: string;
    createdFrom?: Date | null;
  }): Promise<OrderView & { refunds: RefundView[] }> {
    const merchant = await this.merchantOf(input.merchantId);
    const order = await this.orderOf(merchant, input.merchantOrderId);
    if (input.createdFrom && order.created_at < input.createdFrom) throw new AppError('ORDER_NOT_FOUND');
    const refunds = await this.deps.store.refundsOf(order.id);
    return { ...this.orderView(order, merchant), refunds: refunds.map((r) => refundView(r, order)) };
  }

  /**
   * A page of orders, newest first, with the filters given; `nextCursor` continues after its last
   * (null: no more). A cursor is opaque to callers (its last order's time and id).
   */
  async listOrders(input: {
    merchantId: string;
    limit: number;
    cursor?: string | null;
    from?: Date | null;
    to?: Date | null;
    status?: OrderView['status'] | null;
    channel?: OrderRow['channel'] | null;
    numberPrefix?: string | null;
  }): Promise<{ orders: OrderView[]; nextCursor: string | null }> {
    const merchant = await this.merchantOf(input.merchantId);
    const limit = Math.min(Math.max(1, Math.trunc(input.limit)), 100);
    const rows = await this.deps.store.orders({
      merchantId: merchant.id,
      limit: limit + 1,
      before: input.cursor ? cursorOf(input.cursor) : null,
      from: input.from ?? null,
      to: input.to ?? null,
      status: input.status ?? null,
      channel: input.channel ?? null,
      numberPrefix: input.numberPrefix ?? null,
      now: this.deps.now(),
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      orders: page.map((row) => this.orderView(row, merchant)),
      nextCursor:
        rows.length > limit && last
          ? Buffer.from(`${last.created_at.toISOString()}|${last.id}`).toString('base64url')
          : null,
    };
  }

  /**
   * The portal's dashboard: takings, payments and refunds of each of the last `days` days
   * (Asia/Shanghai, today last, every day present), and the balance not yet settled.
   */
  async summary(input: { merchantId: string; days: number }): Promise<MerchantSummary> {
    const merchant = await this.merchantOf(input.merchantId);
    const days = Math.min(Math.max(1, Math.trunc(input.days)), 90);
    const today = shanghaiDate(this.deps.now());
    const dates: string[] = [];
    for (let back = days - 1; back >= 0; back--) {
      dates.push(shanghaiDate(new Date(shanghaiDay(today).from.getTime() - back * 86_400_000 + 43_200_000)));
    }
    const from = shanghaiDay(dates[0]!).from;
    const found = new Map(
      (await this.deps.store.dailyTakings(merchant.id, from)).map((row) => [row.day, row]),
    );
    const balance = await this.deps.ledger.getBalance(merchant.balance_account_id);
    return {
      currency: MERCHANT_CURRENCY,
      balanceMinor: balance?.postedBalance ?? 0n,
      days: dates.map((date) => {
        const row = found.get(date);
        return {
          date,
          takingsMinor: row?.takingsMinor ?? 0n,
          payments: row?.payments ?? 0,
          refundsMinor: row?.refundsMinor ?? 0n,
        };
      }),
    };
  }

  /** Close an order nobody paid: its code pays nothing from now on. */
  async closeOrder(input: { merchantId: string; merchantOrderId: string }): Promise<OrderView> {
    const merchant = await this.merchantOf(input.merchantId);
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
    return this.payOrder({
      merchant,
      order,
      payerUserId: input.payerUserId,
      payerWalletAccountId: input.payerWalletAccountId,
      kind: target.scanned.kind,
      payment: this.paymentOf(target, input.paymentId),
      confirmation: input.confirmation,
      resumed: input.resumed,
    });
  }

  // ---- the payment code (付款码) at a till ---------------------------------------------------

  /**
   * A till charges the payment code it scanned: the code checked (ours, its secret active, the
   * step within ±1), then taken once with its order (store.ts `insertCharge`: of any number of
   * tills at once, one), then paid as the payer without a factor. Within the payer's
   * password-free limit (and today's allowance) it succeeds at once; otherwise it waits for the
   * payer's confirmation (`awaiting_confirmation`, the payer told); refused by the pipeline or
   * the ledger it `failed` and the refusal is thrown with `details.chargeId`. `chargeId` is
   * derived from the till's Idempotency-Key: a retry after a crash finds and finishes it.
   */
  async chargeCode(input: {
    merchantId: string;
    chargeId: string;
    paymentCode: string;
    amountMinor: bigint;
    merchantOrderId: string;
    description: string | null;
  }): Promise<ChargeView> {
    const merchant = await this.activeMerchantOf(input.merchantId);
    const own = await this.deps.store.charge(input.chargeId);
    if (own) return this.continueCharge(merchant, own);
    const now = this.deps.now();
    const { secret, step } = merchant.test_of
      ? await this.testCode(merchant, input.paymentCode, input.chargeId, now)
      : await this.deps.codes.verify(input.paymentCode);
    if (secret.user_id === merchant.owner_user_id) throw new AppError('CANNOT_PAY_YOURSELF');
    const inserted = await this.deps.store.insertCharge({
      charge: {
        id: input.chargeId,
        merchant_id: merchant.id,
        order_id: derivedId(`merchants:code-order:${input.chargeId}`),
        secret_id: secret.id,
        step,
        payer_user_id: secret.user_id,
      },
      order: {
        merchant_order_id: input.merchantOrderId,
        amount_minor: input.amountMinor,
        currency: MERCHANT_CURRENCY,
        description: input.description,
        expires_at: new Date(now.getTime() + CODE_ORDER_MINUTES * 60_000),
      },
      now,
    });
    if ('codeUsed' in inserted) throw new AppError('PAYMENT_CODE_USED');
    if ('orderTaken' in inserted) throw new AppError('ORDER_ID_REUSED');
    if ('existing' in inserted) return this.continueCharge(merchant, inserted.existing);
    const { charge, order } = inserted.created;
    return this.attemptCharge({ merchant, charge, order, confirmation: null });
  }

  /**
   * A test twin's till charges a test payment code (test-mode.ts `TEST_PAYMENT_CODES`): the code
   * names its test payer; the charge names that payer's stand-in secret and a step of its own.
   */
  private async testCode(
    merchant: MerchantRow,
    code: string,
    chargeId: string,
    now: Date,
  ): Promise<{ secret: { id: string; user_id: string }; step: number }> {
    const payer = testPayerOfCode(code);
    if (!payer) throw new AppError('TEST_MODE_PAYMENT_CODE');
    const secret = {
      id: testCodeSecretIdOf(merchant.id, payer),
      user_id: testPayerUserIdOf(merchant.id, payer),
    };
    await this.deps.store.ensureTestCodeSecret({ ...secret, now });
    return { secret, step: testChargeStep(chargeId) };
  }

  /** The merchant's charge (its query, polled while awaiting the payer). */
  async merchantCharge(input: { merchantId: string; chargeId: string }): Promise<ChargeView> {
    const merchant = await this.merchantOf(input.merchantId);
    const charge = isUuid(input.chargeId) ? await this.deps.store.charge(input.chargeId) : null;
    if (!charge || charge.merchant_id !== merchant.id) throw new AppError('CHARGE_NOT_FOUND');
    return this.chargeView(merchant, await this.refreshed(merchant, charge));
  }

  /** The merchant's charge of an order, by the merchant's order number. */
  async merchantChargeOfOrder(input: { merchantId: string; merchantOrderId: string }): Promise<ChargeView> {
    const merchant = await this.merchantOf(input.merchantId);
    const order = await this.orderOf(merchant, input.merchantOrderId);
    const charge = await this.deps.store.chargeOfOrder(order.id);
    if (!charge) throw new AppError('CHARGE_NOT_FOUND');
    return this.chargeView(merchant, await this.refreshed(merchant, charge));
  }

  /** The payer's charges waiting for a confirmation now (those past their time end here). */
  async pendingCharges(payerUserId: string): Promise<ChargeView[]> {
    const rows = await this.deps.store.awaitingCharges(payerUserId, PENDING_CHARGES_LIMIT);
    const views: ChargeView[] = [];
    for (const row of rows) {
      const merchant = (await this.deps.store.merchant(row.merchant_id))!;
      const charge = await this.refreshed(merchant, row);
      if (charge.status === 'awaiting_confirmation') views.push(await this.chargeView(merchant, charge));
    }
    return views;
  }

  async payerCharge(input: { payerUserId: string; chargeId: string }): Promise<ChargeView> {
    const { merchant, charge } = await this.chargeOfPayer(input);
    return this.chargeView(merchant, charge);
  }

  /**
   * The payer confirms a charge with the PIN or a passkey: the charge is taken (so a decline or
   * the timeout cannot end it meanwhile), then paid through the same path with the confirmation.
   * A confirmation that proves nothing (a wrong PIN) leaves it waiting, with its deadline.
   */
  async confirmCharge(input: {
    payerUserId: string;
    chargeId: string;
    confirmation: ConfirmationInput;
  }): Promise<ChargeView> {
    const { merchant, charge } = await this.chargeOfPayer(input);
    if (charge.status === 'succeeded') return this.chargeView(merchant, charge);
    const now = this.deps.now();
    const taken = await this.deps.store.takeChargeToConfirm({
      id: charge.id,
      payerUserId: input.payerUserId,
      now,
      staleBefore: new Date(now.getTime() - STALE_CLAIM_MS),
    });
    if (!taken) {
      const current = await this.refreshed(merchant, (await this.deps.store.charge(charge.id))!);
      throw new AppError('CHARGE_NOT_AWAITING', { details: { status: current.status } });
    }
    const order = (await this.deps.store.orderById(taken.order_id))!;
    return this.attemptCharge({ merchant, charge: taken, order, confirmation: input.confirmation });
  }

  /** The payer declines a charge: nothing moves, and its order is closed. */
  async declineCharge(input: { payerUserId: string; chargeId: string }): Promise<ChargeView> {
    const { merchant, charge } = await this.chargeOfPayer(input);
    if (charge.status === 'declined') return this.chargeView(merchant, charge);
    const ended = await this.deps.store.endCharge({
      id: charge.id,
      ending: { to: 'declined', payerUserId: input.payerUserId },
      now: this.deps.now(),
    });
    if (ended) return this.chargeView(merchant, ended);
    const current = await this.refreshed(merchant, (await this.deps.store.charge(charge.id))!);
    if (current.status === 'declined') return this.chargeView(merchant, current);
    throw new AppError('CHARGE_NOT_AWAITING', { details: { status: current.status } });
  }

  /** The till's retry of a charge it made: answered as it stands, a pending one run again. */
  private async continueCharge(merchant: MerchantRow, found: ChargeRow): Promise<ChargeView> {
    if (found.merchant_id !== merchant.id) throw new Error(`charge ${found.id} is another merchant's`);
    const charge = await this.refreshed(merchant, found);
    if (charge.status === 'failed') throw chargeFailure(charge, charge.failure!, undefined);
    if (charge.status !== 'pending') return this.chargeView(merchant, charge);
    const order = (await this.deps.store.orderById(charge.order_id))!;
    return this.attemptCharge({ merchant, charge, order, confirmation: null });
  }

  /**
   * One attempt to pay a charge's order as its payer (`payOrder`, resumed: an earlier attempt of
   * the same charge may have moved the money), and the charge's state from its answer.
   */
  private async attemptCharge(input: {
    merchant: MerchantRow;
    charge: ChargeRow;
    order: OrderRow;
    confirmation: ConfirmationInput | null;
  }): Promise<ChargeView> {
    const { merchant, charge, order, confirmation } = input;
    const testPayer = merchant.test_of ? testPayerOfUser(merchant.id, charge.payer_user_id) : null;
    const payer = testPayer ? null : await this.deps.identity.getUser(charge.payer_user_id);
    if (!testPayer && !payer) {
      throw new Error(`charge ${charge.id}: its payer ${charge.payer_user_id} does not exist`);
    }
    try {
      await this.payOrder({
        merchant,
        order,
        payerUserId: charge.payer_user_id,
        payerWalletAccountId: testPayer
          ? testPayerAccount(merchant.id, testPayer, order.currency)
          : payer!.walletAccountId,
        kind: 'merchant_code',
        payment: chargePayment(merchant, charge, order),
        confirmation,
        resumed: true,
        testPayer: testPayer !== null,
      });
    } catch (error) {
      if (!(error instanceof AppError) || ERRORS[error.code].status >= 500 || TRANSIENT.has(error.code)) {
        throw error;
      }
      const now = this.deps.now();
      if (confirmation === null && asksThePayer(error)) {
        const confirmBy = new Date(now.getTime() + CHARGE_CONFIRM_SECONDS * 1000);
        const awaiting = await this.deps.store.chargeAwaiting({
          id: charge.id,
          confirmBy,
          now,
          event: chargeAwaitingConfirmation(
            {
              chargeId: charge.id,
              merchantId: merchant.id,
              merchantName: merchant.name,
              payerUserId: charge.payer_user_id,
              amount: moneyPayload(order.amount_minor, order.currency),
              confirmBy: confirmBy.toISOString(),
            },
            now,
          ),
        });
        return this.chargeView(merchant, awaiting ?? (await this.deps.store.charge(charge.id))!);
      }
      if (confirmation !== null && CONFIRMATION_NOT_PROVEN.has(error.code)) {
        await this.deps.store.chargeAwaitingAgain({ id: charge.id, now });
        throw error;
      }
      await this.deps.store.endCharge({ id: charge.id, ending: { to: 'failed', failure: error.code }, now });
      throw chargeFailure(charge, error.code, error);
    }
    const succeeded = await this.deps.store.chargeSucceeded({ id: charge.id, now: this.deps.now() });
    return this.chargeView(merchant, succeeded ?? (await this.deps.store.charge(charge.id))!);
  }

  /**
   * The charge as it stands now. Nothing is held while a charge awaits its payer, so its timeout
   * needs no job: the first read past `confirm_by` writes it `timed_out` (and closes its order),
   * and until then every read and confirm treats it as past. A pending charge whose run died
   * after the money moved is finished from the ledger.
   */
  private async refreshed(merchant: MerchantRow, charge: ChargeRow): Promise<ChargeRow> {
    const now = this.deps.now();
    if (charge.status === 'awaiting_confirmation' && charge.confirm_by! <= now) {
      const ended = await this.deps.store.endCharge({ id: charge.id, ending: { to: 'timed_out' }, now });
      return ended ?? (await this.deps.store.charge(charge.id))!;
    }
    if (charge.status === 'pending' && now.getTime() - charge.updated_at.getTime() > STALE_CLAIM_MS) {
      const order = (await this.deps.store.orderById(charge.order_id))!;
      let paid = order.status === 'paid';
      if (order.status === 'paying') {
        const moved = await this.deps.ledger.getTransfer(orderTransferIds(order.id, order.attempt).payment);
        if (moved) {
          await this.finishPaid(merchant, order, moved, charge.payer_user_id);
          paid = true;
        }
      }
      if (paid) return (await this.deps.store.chargeSucceeded({ id: charge.id, now })) ?? charge;
    }
    return charge;
  }

  private async chargeOfPayer(input: {
    payerUserId: string;
    chargeId: string;
  }): Promise<{ merchant: MerchantRow; charge: ChargeRow }> {
    const found = isUuid(input.chargeId) ? await this.deps.store.charge(input.chargeId) : null;
    if (!found || found.payer_user_id !== input.payerUserId) throw new AppError('CHARGE_NOT_FOUND');
    const merchant = (await this.deps.store.merchant(found.merchant_id))!;
    return { merchant, charge: await this.refreshed(merchant, found) };
  }

  private async chargeView(merchant: MerchantRow, charge: ChargeRow): Promise<ChargeView> {
    const order = (await this.deps.store.orderById(charge.order_id))!;
    const timedOut = charge.status === 'awaiting_confirmation' && charge.confirm_by! <= this.deps.now();
    return {
      id: charge.id,
      status: timedOut ? 'timed_out' : charge.status,
      failure: charge.failure,
      merchantName: merchant.name,
      merchantOrderId: order.merchant_order_id,
      amountMinor: order.amount_minor,
      currency: order.currency,
      description: order.description,
      confirmBy: charge.confirm_by,
      payment: chargePayment(merchant, charge, order),
      order: this.orderView(order, merchant),
      createdAt: charge.created_at,
      updatedAt: charge.updated_at,
    };
  }

  // ---- refunds --------------------------------------------------------------------------------

  async refund(input: {
    merchantId: string;
    merchantOrderId: string;
    merchantRefundId: string;
    amountMinor: bigint;
    reason: string | null;
  }): Promise<RefundView> {
    const merchant = await this.merchantOf(input.merchantId);
    const order = await this.orderOf(merchant, input.merchantOrderId);
    const id = newId();
    await this.judgeRefund(merchant, order, { ...input, id });
    const reserved = await this.deps.store.reserveRefund({
      orderId: order.id,
      merchantRefundId: input.merchantRefundId,
      id,
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

  /**
   * The risk step of a refund, before its reservation: a refused refund (RISK_BLOCKED,
   * RISK_REVIEW_REQUIRED) reserves nothing and leaves no row. A refund that exists already under
   * this number is not judged again — the reservation answers it as before (the same refund, or
   * REFUND_ID_REUSED) — nor is one the reservation would refuse anyway (the order unpaid, more
   * than is left): those are answered by the reservation, under the order's lock, as before.
   */
  private async judgeRefund(
    merchant: MerchantRow,
    order: OrderRow,
    input: { merchantRefundId: string; amountMinor: bigint; id: string },
  ): Promise<void> {
    if (order.status !== 'paid' || order.paid_at === null || order.payer_user_id === null) return;
    if (input.amountMinor > order.amount_minor - order.refunded_minor) return;
    if (await this.deps.store.refund(order.id, input.merchantRefundId)) return;
    await this.deps.payments.judgeRefund({
      merchantId: merchant.id,
      merchantOwnerUserId: merchant.owner_user_id,
      refundId: input.id,
      amountMinor: input.amountMinor,
      currency: order.currency,
      orderPaidMinor: order.amount_minor,
      orderRefundedMinor: order.refunded_minor,
      orderPaidAt: order.paid_at,
      payerUserId: order.payer_user_id,
    });
  }

  async getRefund(input: {
    merchantId: string;
    merchantOrderId: string;
    merchantRefundId: string;
  }): Promise<RefundView> {
    const merchant = await this.merchantOf(input.merchantId);
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
    // The payer gets the refund as one transfer (one entry in its history, one receipt): the
    // merchant's balance → the payer's wallet, the whole amount. The fee's share goes back to the
    // merchant first, linked, so the two happen together or not at all: fee income → merchant.
    const transfers: TransferInput[] = [];
    if (refund.fee_minor > 0n) {
      transfers.push({
        id: ids.fee,
        debitAccountId: feeAccountOf(merchant, order.currency),
        creditAccountId: merchant.balance_account_id,
        amount: refund.fee_minor,
        currency: order.currency,
        code: TransferCodes.merchantRefundFee,
        flags: TransferFlags.linked,
        userData,
      });
    }
    transfers.push({
      id: ids.refund,
      debitAccountId: merchant.balance_account_id,
      creditAccountId: paid.debitAccountId,
      amount: refund.amount_minor,
      currency: order.currency,
      code: TransferCodes.merchantRefund,
      userData,
    });
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
    // A test order's code pays with test money only (ADR 0022); the ledger would refuse it too.
    if (merchant.test_of) throw new AppError('TEST_MODE_ORDER');
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

  /**
   * Pay this order as this payer with this confirmation: the one path of every merchant payment
   * (a QR code's, a payment code's). The pipeline's steps (`authorize`), then the payer claims the
   * order and one ledger request moves the amount and the fee, linked, with ids derived from
   * (order, attempt); refused by the ledger, the order is open again. `resumed`: an earlier run of
   * the same payment ended unanswered and may have moved the money — answered from the ledger then.
   */
  private async payOrder(input: {
    merchant: MerchantRow;
    order: OrderRow;
    payerUserId: string;
    payerWalletAccountId: string;
    kind: PaymentKind;
    /** What the confirmation binds (a passkey signs exactly this). */
    payment: PaymentToConfirm;
    confirmation: ConfirmationInput | null;
    resumed: boolean;
    /** A test payer of a test twin (test-mode.ts): test money, so no payer to authorize. */
    testPayer?: boolean;
  }): Promise<OrderView> {
    const { merchant, order } = input;
    // Paid already by this payer (a repeat), or this payer's attempt moved the money and its
    // run died before the record: answered as paid, with no check or confirmation again.
    if (order.status === 'paid' && order.payer_user_id === input.payerUserId)
      return this.orderView(order, merchant);
    if (input.resumed && order.status === 'paying' && order.claimed_by === input.payerUserId) {
      const moved = await this.deps.ledger.getTransfer(orderTransferIds(order.id, order.attempt).payment);
      if (moved) return this.finishPaid(merchant, order, moved, input.payerUserId);
    }
    this.refuseUnpayable(order);
    const authorization = input.testPayer
      ? undefined
      : await this.deps.payments.authorize({
          kind: input.kind,
          payerUserId: input.payerUserId,
          payment: input.payment,
          confirmation: input.confirmation,
        });
    const userData = `merchant-order:${order.id}`;
    const payment = {
      debitAccountId: input.payerWalletAccountId,
      creditAccountId: merchant.balance_account_id,
      amount: order.amount_minor,
      currency: MERCHANT_CURRENCY,
      code: TransferCodes.merchantPayment,
      userData,
    };
    const claimed = await this.claim(order, input.payerUserId, payment);
    const ids = orderTransferIds(order.id, claimed.attempt);
    const feeMinor = paymentFee(claimed.amount_minor, await this.rateOf(merchant));
    const transfers: TransferInput[] = [
      {
        ...payment,
        id: ids.payment,
        flags: feeMinor > 0n ? TransferFlags.linked : 0,
        ...(authorization ? { limits: authorization.ledgerLimits } : {}),
      },
    ];
    if (feeMinor > 0n) {
      transfers.push({
        id: ids.fee,
        debitAccountId: merchant.balance_account_id,
        creditAccountId: feeAccountOf(merchant, MERCHANT_CURRENCY),
        amount: feeMinor,
        currency: MERCHANT_CURRENCY,
        code: TransferCodes.merchantFee,
        userData,
      });
    }
    const outcomes = await this.deps.payments.move(transfers, authorization);
    if (!outcomes.every((o) => o.result === 'ok' || o.result === 'exists')) {
      await this.deps.store.release({ id: order.id, attempt: claimed.attempt });
      // Another run took the claim over and fenced this attempt's transfer (`claim`): it pays.
      const current = (await this.deps.store.orderById(order.id))!;
      if (current.attempt !== claimed.attempt) throw new AppError('ORDER_BEING_PAID');
      throw ledgerRefusal(outcomes, { credit: 'other', currency: MERCHANT_CURRENCY });
    }
    const moved = outcomes[0]!.transfer ?? (await this.deps.ledger.getTransfer(ids.payment));
    if (!moved) throw new Error(`order ${order.id}: the payment moved but cannot be read`);
    // The fee that moved is the one this request sent, as the ledger committed it: the attempt is
    // this claim's own, so no other fee transfer can carry its id. None sent: none moved.
    const feeMoved = feeMinor > 0n ? outcomes.find((o) => o.id === ids.fee)?.transfer : null;
    return this.finishPaid(merchant, claimed, moved, input.payerUserId, feeMoved);
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
    if (order.expired_at !== null || order.expires_at.getTime() <= this.deps.now().getTime())
      throw new AppError('ORDER_EXPIRED');
  }

  /**
   * Take the order for this payer. A claim whose run died (stale), or this payer's own (a retry
   * after a crash), is taken over — but only once its attempt's transfer is fenced
   * (`movedOrFenced`: burnt in the ledger unless it moved), so a run of it still on its way can
   * never move the money a second time under the old attempt's ids. `payment`: this payer's
   * transfer, whose fields the fence borrows.
   */
  private async claim(
    order: OrderRow,
    payerUserId: string,
    payment: Omit<TransferInput, 'id'>,
  ): Promise<OrderRow> {
    const now = this.deps.now();
    const claimed = await this.deps.store.claim({ id: order.id, payerUserId, now });
    if (claimed) return claimed;
    const current = (await this.deps.store.orderById(order.id))!;
    if (current.status === 'paying' && current.claimed_at) {
      const stale = now.getTime() - current.claimed_at.getTime() > STALE_CLAIM_MS;
      const own = current.claimed_by === payerUserId;
      if (
        (stale || own) &&
        !(await this.deps.payments.movedOrFenced({
          ...payment,
          id: orderTransferIds(order.id, current.attempt).payment,
        }))
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
    /** The fee transfer this run moved (null: none), when known; else read from the ledger. */
    knownFee?: Transfer | null,
  ): Promise<OrderView> {
    const now = this.deps.now();
    // The fee is what moved: the rate in force may have changed since (an approved change).
    const feeMoved =
      knownFee !== undefined
        ? knownFee
        : await this.deps.ledger.getTransfer(orderTransferIds(order.id, order.attempt).fee);
    const payerDisplay = merchant.test_of ? TEST_PAYER_DISPLAY : await this.deps.displayNameOf(payerUserId);
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

  /** Live merchants whose name contains the text, with their owners (the operator console's search). */
  async findLiveByName(
    text: string,
    limit: number,
  ): Promise<{ id: string; name: string; ownerUserId: string }[]> {
    const trimmed = text.trim();
    if (trimmed.length === 0) return [];
    const rows = await this.deps.store.liveMerchantsNamed(trimmed, Math.min(Math.max(1, limit), 50));
    return rows.map((row) => ({ id: row.id, name: row.name, ownerUserId: row.owner_user_id }));
  }

  /** Company merchants waiting for review (the operator console's dashboard). */
  pendingReviewCount(): Promise<number> {
    return this.deps.store.countPendingReviews();
  }

  /** The holder who owns the merchant (told of what concerns the merchant as a whole). */
  async ownerOf(merchantId: string): Promise<string> {
    const merchant = await this.merchantOf(merchantId);
    return merchant.test_of ? this.ownerOf(merchant.test_of) : merchant.owner_user_id;
  }

  // ---- test mode (test-mode.ts, ADR 0022) -------------------------------------------------------

  /**
   * The merchant's test twin, made the first time it is asked for (any number of requests at once
   * make one: its id and its accounts' ids are derived from the live merchant's). Its accounts are
   * test money: the ledger refuses any transfer between them and a live account.
   */
  async testTwin(liveMerchantId: string): Promise<MerchantRow> {
    const existing = await this.deps.store.twinOf(liveMerchantId);
    if (existing) return existing;
    const live = await this.merchantOf(liveMerchantId);
    if (live.test_of) return live;
    const id = twinIdOf(live.id);
    const owner = `merchant:${id}` as const;
    const [balanceAccountId] = await Promise.all(
      (['testMerchantBalance', 'testFeeIncome', 'testPayer', 'testPayerEmpty'] as const).map((purpose) =>
        this.deps.accounts.open({ owner, currency: MERCHANT_CURRENCY, purpose }),
      ),
    );
    return this.deps.store.insertTwin({
      id,
      owner_user_id: testOwnerIdOf(live.id),
      kind: 'individual',
      status: 'active',
      name: live.name,
      city: live.city,
      mcc: live.mcc,
      balance_account_id: balanceAccountId!,
      qr_token: randomBytes(15).toString('base64url'),
      created_at: this.deps.now(),
      test_of: live.id,
    });
  }

  /** The twin of a live merchant if it has one; null before its first test key. */
  async testTwinIfAny(liveMerchantId: string): Promise<MerchantRow | null> {
    return this.deps.store.twinOf(liveMerchantId);
  }

  /** Whether a merchant is a test twin (its API is test mode). */
  async isTestMode(merchantId: string): Promise<boolean> {
    return (await this.merchantOf(merchantId)).test_of !== null;
  }

  /**
   * Pay a test twin's order as one of its test payers (the hosted checkout's test buttons): the
   * same payment as a holder's — the order claimed once, the amount and the fee moved by the
   * pipeline's ledger step, the order paid, `payment.succeeded` — from a test account, with no
   * payer to authorize. `insufficient_funds` pays from the empty test payer, so the ledger itself
   * refuses it. Repeating it answers the paid order.
   */
  async payAsTestPayer(input: { orderId: string; payer: TestPayer }): Promise<OrderView> {
    const order = await this.deps.store.orderById(input.orderId);
    const merchant = order ? await this.deps.store.merchant(order.merchant_id) : null;
    if (!order || !merchant) throw new AppError('ORDER_NOT_FOUND');
    if (!merchant.test_of) throw new AppError('TEST_MODE_ONLY');
    const payerUserId = testPayerUserIdOf(merchant.id, input.payer);
    return this.payOrder({
      merchant,
      order,
      payerUserId,
      payerWalletAccountId: testPayerAccount(merchant.id, input.payer, order.currency),
      kind: 'merchant_order',
      payment: {
        id: derivedId(`merchants:test-payment:${order.id}:${input.payer}`),
        amountMinor: order.amount_minor,
        currency: order.currency,
        payee: `merchant:${merchant.id}`,
      },
      confirmation: null,
      resumed: true,
      testPayer: true,
    });
  }

  private async merchantOf(merchantId: string): Promise<MerchantRow> {
    const merchant = await this.deps.store.merchant(merchantId);
    if (!merchant) throw new AppError('MERCHANT_NOT_FOUND');
    return merchant;
  }

  private async activeMerchantOf(merchantId: string): Promise<MerchantRow> {
    const merchant = await this.merchantOf(merchantId);
    if (merchant.status !== 'active') throw new AppError('MERCHANT_NOT_ACTIVE');
    return merchant;
  }

  private async orderOf(merchant: MerchantRow, merchantOrderId: string): Promise<OrderRow> {
    const order = await this.deps.store.order(merchant.id, merchantOrderId);
    if (!order) throw new AppError('ORDER_NOT_FOUND');
    return order;
  }

  /** The merchant's discount rate in force now (basis points): an approved change's, else configured. */
  private async rateOf(merchant: Pick<MerchantRow, 'id' | 'mcc'>): Promise<number> {
    const changed = await this.deps.settings?.merchantRateAt(
      { merchantId: merchant.id, mcc: merchant.mcc },
      this.deps.now(),
    );
    return changed ?? rateOf(this.deps.feePolicy, merchant.mcc);
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
      feeRateBp: await this.rateOf(row),
      createdAt: row.created_at,
    };
  }

  private orderView(row: OrderRow, merchant: MerchantRow): OrderView {
    const expired =
      (row.status === 'open' || row.status === 'paying') &&
      (row.expires_at <= this.deps.now() || row.expired_at !== null);
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

/** Where a merchant's discount fees go: the operator's fee income, or a twin's test fees. */
function feeAccountOf(merchant: MerchantRow, currency: string): string {
  return merchant.test_of
    ? derivedAccountId({ owner: `merchant:${merchant.id}`, currency, purpose: 'testFeeIncome' })
    : feeIncomeAccountId(currency);
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

/** What a charge's confirmation binds: the charge itself (its id, amount and merchant). */
function chargePayment(merchant: MerchantRow, charge: ChargeRow, order: OrderRow): PaymentToConfirm {
  return {
    id: charge.id,
    amountMinor: order.amount_minor,
    currency: order.currency,
    payee: `merchant:${merchant.id}`,
  };
}

function asksThePayer(error: AppError): boolean {
  if (ASKS_THE_PAYER.has(error.code)) return true;
  // Today's password-free allowance is spent: the payer confirms with the PIN instead.
  return error.code === 'LIMIT_EXCEEDED' && error.details?.limit === 'passwordFreeDaily';
}

/** The refusal of a charge's payment, as the till is told it: with the charge's id. */
function chargeFailure(charge: ChargeRow, code: string, cause: AppError | undefined): AppError {
  return new AppError(code as ErrorCode, {
    ...(cause ? { message: cause.message, cause } : {}),
    details: { ...(cause?.details ?? {}), chargeId: charge.id },
  });
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A page cursor (`listOrders`): its last order's time and id. A damaged one: VALIDATION_FAILED. */
function cursorOf(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  // Ours are `toISOString()` of a row's time: a date JavaScript takes but PostgreSQL cannot
  // (year 275760) is not one of ours.
  const createdAt = new Date(ISO_INSTANT.test(at ?? '') ? at! : '');
  if (!id || !isUuid(id) || Number.isNaN(createdAt.getTime()))
    throw new AppError('VALIDATION_FAILED', { details: { cursor: 'not one of ours' } });
  return { createdAt, id };
}
