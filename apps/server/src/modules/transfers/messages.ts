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
