/** Inbox notices of the merchants module, in every language of the app. */
import type { NotificationInput } from '../notifications/service.ts';

export function merchantPaidNotice(input: {
  amount: string;
  merchant: string;
  transferId: string;
}): NotificationInput {
  return {
    kind: 'merchants.paid',
    params: { amount: input.amount, merchant: input.merchant, transferId: input.transferId },
    title: { 'zh-CN': `付款成功 ${input.amount}`, en: `Paid ${input.amount}` },
    body: {
      'zh-CN': `已向 ${input.merchant} 付款 ${input.amount}`,
      en: `You paid ${input.amount} to ${input.merchant}.`,
    },
  };
}

export function paymentReceivedNotice(input: {
  amount: string;
  from: string;
  merchantOrderId: string;
}): NotificationInput {
  return {
    kind: 'merchants.payment_received',
    params: { amount: input.amount, from: input.from, merchantOrderId: input.merchantOrderId },
    title: { 'zh-CN': `收款到账 ${input.amount}`, en: `Payment received: ${input.amount}` },
    body: {
      'zh-CN': `${input.from} 付款 ${input.amount}，订单号 ${input.merchantOrderId}`,
      en: `${input.from} paid ${input.amount} (order ${input.merchantOrderId}).`,
    },
  };
}

export function refundReceivedNotice(input: {
  amount: string;
  merchant: string;
  transferId: string;
}): NotificationInput {
  return {
    kind: 'merchants.refunded',
    params: { amount: input.amount, merchant: input.merchant, transferId: input.transferId },
    title: { 'zh-CN': `退款到账 ${input.amount}`, en: `Refund received: ${input.amount}` },
    body: {
      'zh-CN': `${input.merchant} 退款 ${input.amount}，已退回您的钱包`,
      en: `${input.merchant} refunded ${input.amount} to your wallet.`,
    },
  };
}

export function chargeToConfirmNotice(input: {
  amount: string;
  merchant: string;
  chargeId: string;
}): NotificationInput {
  return {
    kind: 'merchants.charge_to_confirm',
    params: { amount: input.amount, merchant: input.merchant, chargeId: input.chargeId },
    title: { 'zh-CN': `请确认付款 ${input.amount}`, en: `Confirm a payment of ${input.amount}` },
    body: {
      'zh-CN': `${input.merchant} 扫了您的付款码，收款 ${input.amount}。请在 60 秒内输入支付密码确认，或拒绝。`,
      en: `${input.merchant} scanned your payment code for ${input.amount}. Confirm with your PIN within 60 seconds, or decline.`,
    },
  };
}

export function settledNotice(input: {
  amount: string;
  merchant: string;
  cardLast4: string;
  settlementId: string;
}): NotificationInput {
  return {
    kind: 'merchants.settled',
    params: {
      amount: input.amount,
      merchant: input.merchant,
      cardLast4: input.cardLast4,
      settlementId: input.settlementId,
    },
    title: { 'zh-CN': `结算到账 ${input.amount}`, en: `Settled: ${input.amount}` },
    body: {
      'zh-CN': `${input.merchant} 的 ${input.amount} 已结算到尾号 ${input.cardLast4} 的银行卡`,
      en: `${input.amount} of ${input.merchant} was paid to your card ending ${input.cardLast4}.`,
    },
  };
}

export function settlementFailedNotice(input: {
  amount: string;
  merchant: string;
  cardLast4: string;
  settlementId: string;
  reason: string;
}): NotificationInput {
  return {
    kind: 'merchants.settlement_failed',
    params: {
      amount: input.amount,
      merchant: input.merchant,
      cardLast4: input.cardLast4,
      settlementId: input.settlementId,
      reason: input.reason,
    },
    title: { 'zh-CN': `结算未成功 ${input.amount}`, en: `Settlement failed: ${input.amount}` },
    body: {
      'zh-CN': `${input.merchant} 结算到尾号 ${input.cardLast4} 的银行卡未成功，${input.amount} 仍在商户余额中`,
      en: `${input.amount} of ${input.merchant} could not be paid to your card ending ${input.cardLast4}; it stays in the merchant's balance.`,
    },
  };
}

/** The owner's notice of the decision on a company merchant's application. */
export function merchantReviewedNotice(input: {
  name: string;
  approved: boolean;
  reason: string | null;
}): NotificationInput {
  return input.approved
    ? {
        kind: 'merchants.approved',
        params: { name: input.name },
        title: { 'zh-CN': '商户审核通过', en: 'Your merchant is approved' },
        body: {
          'zh-CN': `${input.name} 已通过审核，现在可以收款了`,
          en: `${input.name} is approved and can take payments now.`,
        },
      }
    : {
        kind: 'merchants.rejected',
        params: { name: input.name, reason: input.reason },
        title: { 'zh-CN': '商户审核未通过', en: 'Your merchant was not approved' },
        body: {
          'zh-CN': `${input.name} 未通过审核${input.reason ? `：${input.reason}` : ''}`,
          en: `${input.name} was not approved${input.reason ? `: ${input.reason}` : '.'}`,
        },
      };
}
