/**
 * The merchants module's domain events (outbox/, ADR 0015) and the notices they give. Each is
 * appended by the statement that writes its record (store.ts), so record and event commit
 * together; the inbox subscriber writes the notices from it, with the texts of messages.ts.
 */
import { formatMoney, money } from '@qianbao/money';
import type { NewEvent, OutboxEvent } from '../../outbox/index.ts';
import type { NoticeRenderers } from '../notifications/index.ts';
import {
  chargeToConfirmNotice,
  merchantPaidNotice,
  paymentReceivedNotice,
  refundReceivedNotice,
  settledNotice,
  settlementFailedNotice,
  merchantReviewedNotice,
} from './messages.ts';

export const MERCHANT_EVENTS = {
  paymentSucceeded: 'merchant.payment_succeeded',
  refundSucceeded: 'merchant.refund_succeeded',
  chargeAwaitingConfirmation: 'merchant.charge_awaiting_confirmation',
  settlementSucceeded: 'merchant.settlement_succeeded',
  settlementFailed: 'merchant.settlement_failed',
  reviewed: 'merchant.reviewed',
  orderExpired: 'merchant.order_expired',
  chargeFailed: 'merchant.charge_failed',
} as const;

/** An operator decided on a company merchant's application (company.ts). */
export interface MerchantReviewedPayload {
  [key: string]: string | boolean | null;
  merchantId: string;
  ownerUserId: string;
  name: string;
  approved: boolean;
  reason: string | null;
}

export function merchantReviewed(payload: MerchantReviewedPayload, at: Date): NewEvent {
  return {
    type: MERCHANT_EVENTS.reviewed,
    aggregateType: 'merchant',
    aggregateId: payload.merchantId,
    payload,
    createdAt: at,
  };
}

export interface MerchantPaymentPayload {
  [key: string]: string | null | { amount: string; currency: string };
  orderId: string;
  merchantId: string;
  merchantOrderId: string;
  merchantName: string;
  merchantOwnerUserId: string;
  payerUserId: string;
  payerDisplay: string;
  /** The ledger transfer that paid it (what the payer's history knows it by). */
  transferId: string;
  amount: { amount: string; currency: string };
}

export interface MerchantRefundPayload extends MerchantPaymentPayload {
  refundId: string;
  merchantRefundId: string;
  refund: { amount: string; currency: string };
}

export function paymentSucceeded(payload: MerchantPaymentPayload, at: Date): NewEvent {
  return {
    type: MERCHANT_EVENTS.paymentSucceeded,
    aggregateType: 'merchant_order',
    aggregateId: payload.orderId,
    payload,
    createdAt: at,
  };
}

export function refundSucceeded(payload: MerchantRefundPayload, at: Date): NewEvent {
  return {
    type: MERCHANT_EVENTS.refundSucceeded,
    aggregateType: 'merchant_order',
    aggregateId: payload.orderId,
    payload,
    createdAt: at,
  };
}

/** An open order passed its `expiresAt` unpaid (expiry.ts): nobody can pay it any more. */
export interface OrderExpiredPayload {
  [key: string]: string | { amount: string; currency: string };
  orderId: string;
  merchantId: string;
  merchantOrderId: string;
  channel: string;
  amount: { amount: string; currency: string };
  /** The order's `expiresAt`: when it expired (the event's `createdAt` is when that was noted). */
  expiredAt: string;
}

export function orderExpired(payload: OrderExpiredPayload, at: Date): NewEvent {
  return {
    type: MERCHANT_EVENTS.orderExpired,
    aggregateType: 'merchant_order',
    aggregateId: payload.orderId,
    payload,
    createdAt: at,
  };
}

/**
 * A till's charge of a payment code ended without money (store.ts `endCharge`): refused
 * (`code`: the error code — `INSUFFICIENT_FUNDS`, `RISK_BLOCKED` …), declined by its payer
 * (`CHARGE_DECLINED`) or left unconfirmed past its time (`CHARGE_TIMED_OUT`). Its order is closed.
 */
export interface ChargeFailedPayload {
  [key: string]: string | { amount: string; currency: string };
  chargeId: string;
  orderId: string;
  merchantId: string;
  merchantOrderId: string;
  amount: { amount: string; currency: string };
  /** `declined`, `timed_out` or `failed`: the charge's state. */
  status: string;
  code: string;
}

/** The `code` of a charge that ended without an error code of its own. */
export const CHARGE_ENDING_CODES = { declined: 'CHARGE_DECLINED', timed_out: 'CHARGE_TIMED_OUT' } as const;

export function chargeFailed(payload: ChargeFailedPayload, at: Date): NewEvent {
  return {
    type: MERCHANT_EVENTS.chargeFailed,
    aggregateType: 'merchant_code_charge',
    aggregateId: payload.chargeId,
    payload,
    createdAt: at,
  };
}

/** A till charged the payer's payment code above the password-free limit: the payer is asked. */
export interface ChargeAwaitingPayload {
  [key: string]: string | { amount: string; currency: string };
  chargeId: string;
  merchantId: string;
  merchantName: string;
  payerUserId: string;
  amount: { amount: string; currency: string };
  confirmBy: string;
}

export function chargeAwaitingConfirmation(payload: ChargeAwaitingPayload, at: Date): NewEvent {
  return {
    type: MERCHANT_EVENTS.chargeAwaitingConfirmation,
    aggregateType: 'merchant_code_charge',
    aggregateId: payload.chargeId,
    payload,
    createdAt: at,
  };
}

/** A settlement ended (settlements.ts): the merchant's owner is told either way. */
export interface SettlementEndedPayload {
  [key: string]: string | null | { amount: string; currency: string };
  settlementId: string;
  merchantId: string;
  merchantName: string;
  merchantOwnerUserId: string;
  cardLast4: string;
  amount: { amount: string; currency: string };
  /** The error code it failed with; null when it succeeded. */
  failure: string | null;
}

export function settlementEnded(payload: SettlementEndedPayload, at: Date): NewEvent {
  return {
    type: payload.failure === null ? MERCHANT_EVENTS.settlementSucceeded : MERCHANT_EVENTS.settlementFailed,
    aggregateType: 'merchant_settlement',
    aggregateId: payload.settlementId,
    payload,
    createdAt: at,
  };
}

const formatted = (value: { amount: string; currency: string }) => {
  const amountMinor = BigInt(value.amount);
  return { amountMinor, amount: formatMoney(money(amountMinor, value.currency)) };
};

/** The payer's and the merchant owner's notices. */
export const MERCHANT_NOTICES: NoticeRenderers = {
  [MERCHANT_EVENTS.reviewed]: (event: OutboxEvent) => {
    const payload = event.payload as MerchantReviewedPayload;
    return [
      {
        userId: payload.ownerUserId,
        notice: merchantReviewedNotice({
          name: payload.name,
          approved: payload.approved,
          reason: payload.reason,
        }),
      },
    ];
  },
  [MERCHANT_EVENTS.paymentSucceeded]: (event: OutboxEvent) => {
    const payload = event.payload as MerchantPaymentPayload;
    const { amount, amountMinor } = formatted(payload.amount);
    return [
      {
        userId: payload.payerUserId,
        notice: {
          ...merchantPaidNotice({ amount, merchant: payload.merchantName, transferId: payload.transferId }),
          amountMinor,
        },
      },
      {
        userId: payload.merchantOwnerUserId,
        notice: {
          ...paymentReceivedNotice({
            amount,
            from: payload.payerDisplay,
            merchantOrderId: payload.merchantOrderId,
          }),
          amountMinor,
        },
      },
    ];
  },
  [MERCHANT_EVENTS.refundSucceeded]: (event: OutboxEvent) => {
    const payload = event.payload as MerchantRefundPayload;
    const { amount, amountMinor } = formatted(payload.refund);
    return [
      {
        userId: payload.payerUserId,
        notice: {
          ...refundReceivedNotice({ amount, merchant: payload.merchantName, transferId: payload.transferId }),
          amountMinor,
        },
      },
    ];
  },
  [MERCHANT_EVENTS.chargeAwaitingConfirmation]: (event: OutboxEvent) => {
    const payload = event.payload as ChargeAwaitingPayload;
    const { amount, amountMinor } = formatted(payload.amount);
    return [
      {
        userId: payload.payerUserId,
        notice: {
          ...chargeToConfirmNotice({ amount, merchant: payload.merchantName, chargeId: payload.chargeId }),
          amountMinor,
        },
      },
    ];
  },
  [MERCHANT_EVENTS.settlementSucceeded]: (event: OutboxEvent) => {
    const payload = event.payload as SettlementEndedPayload;
    const { amount, amountMinor } = formatted(payload.amount);
    const notice = settledNotice({
      amount,
      merchant: payload.merchantName,
      cardLast4: payload.cardLast4,
      settlementId: payload.settlementId,
    });
    return [{ userId: payload.merchantOwnerUserId, notice: { ...notice, amountMinor } }];
  },
  [MERCHANT_EVENTS.settlementFailed]: (event: OutboxEvent) => {
    const payload = event.payload as SettlementEndedPayload;
    const { amount, amountMinor } = formatted(payload.amount);
    const notice = settlementFailedNotice({
      amount,
      merchant: payload.merchantName,
      cardLast4: payload.cardLast4,
      settlementId: payload.settlementId,
      reason: payload.failure ?? 'INTERNAL',
    });
    return [{ userId: payload.merchantOwnerUserId, notice: { ...notice, amountMinor } }];
  },
};
