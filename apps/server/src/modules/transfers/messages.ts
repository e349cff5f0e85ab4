/** Inbox notices of the transfers module, in every language of the app. */
import type { NotificationInput } from '../notifications/service.ts';

export function transferReceivedNotice(input: {
  amount: string;
  from: string;
  transferId: string;
  note: string | null;
}): NotificationInput {
  const note = input.note ? `：${input.note}` : '';
  return {
    kind: 'transfers.received',
    params: { amount: input.amount, from: input.from, transferId: input.transferId, note: input.note },
    title: { 'zh-CN': `收到转账 ${input.amount}`, en: `Received ${input.amount}` },
    body: {
      'zh-CN': `收到转账 ${input.amount} 来自 ${input.from}${note}`,
      en: `You received ${input.amount} from ${input.from}${input.note ? `: ${input.note}` : ''}.`,
    },
  };
}

export function transferSentNotice(input: {
  amount: string;
  to: string;
  transferId: string;
}): NotificationInput {
  return {
    kind: 'transfers.sent',
    params: { amount: input.amount, to: input.to, transferId: input.transferId },
    title: { 'zh-CN': `转账成功 ${input.amount}`, en: `Sent ${input.amount}` },
    body: {
      'zh-CN': `已向 ${input.to} 转账 ${input.amount}`,
      en: `You sent ${input.amount} to ${input.to}.`,
    },
  };
}

/** The payer's notice of a transfer held for review (payments/review.ts). */
export function transferHeldNotice(input: {
  amount: string;
  to: string;
  transferId: string;
}): NotificationInput {
  return {
    kind: 'transfers.held',
    params: { amount: input.amount, to: input.to, transferId: input.transferId },
    title: { 'zh-CN': `转账审核中 ${input.amount}`, en: `Under review: ${input.amount}` },
    body: {
      'zh-CN': `为保护您的资金安全，向 ${input.to} 的转账 ${input.amount} 正在审核，款项已暂时冻结，审核后通知您`,
      en: `To protect your money, your transfer of ${input.amount} to ${input.to} is being reviewed. The money is held until then; we will tell you the outcome.`,
    },
  };
}

/** The payer's notice of a held transfer that was not approved (rejected, or not reviewed in time). */
export function transferReturnedNotice(input: {
  amount: string;
  to: string;
  transferId: string;
  expired: boolean;
}): NotificationInput {
  const why = input.expired
    ? { zh: '未能在时限内完成审核', en: 'could not be reviewed in time' }
    : { zh: '未通过审核', en: 'was not approved' };
  return {
    kind: 'transfers.returned',
    params: { amount: input.amount, to: input.to, transferId: input.transferId, expired: input.expired },
    title: { 'zh-CN': `转账已退回 ${input.amount}`, en: `Returned: ${input.amount}` },
    body: {
      'zh-CN': `向 ${input.to} 的转账 ${input.amount} ${why.zh}，款项已退回您的钱包`,
      en: `Your transfer of ${input.amount} to ${input.to} ${why.en}; the money is back in your wallet.`,
    },
  };
}
