/**
 * The disputes module's domain events (outbox, ADR 0015). A merchant payment's dispute names its
 * merchant (`merchantId`): the developers module turns these into the merchant's webhooks
 * `dispute.opened` and `dispute.closed` (developers/webhook-events.ts); the notifications module
 * the holder's notices (`DISPUTE_NOTICES`).
 */
import { formatMoney, money } from '@qianbao/money';
import type { OutboxEvent } from '../../outbox/index.ts';
import type { NoticeRenderers } from '../notifications/index.ts';

export const DISPUTE_EVENTS = {
  /** A holder opened a dispute. */
  opened: 'disputes.opened',
  /** A dispute ended: `status` resolved_refunded, resolved_rejected or withdrawn. */
  closed: 'disputes.closed',
} as const;

export type DisputeEventType = (typeof DISPUTE_EVENTS)[keyof typeof DISPUTE_EVENTS];

/** A dispute event's payload (service.ts `disputeEvent`): what the holder's notice needs of it. */
interface DisputeNoticePayload {
  disputeId: string;
  userId: string;
  status: string;
  amount: { amount: string; currency: string };
  refund: { amount: string; currency: string } | null;
  decisionReason: string | null;
}

const shown = (value: { amount: string; currency: string }) =>
  formatMoney(money(BigInt(value.amount), value.currency));

/**
 * The holder is told that their dispute was received and how it ended (refunded with the amount,
 * not upheld with the operator's reason, or withdrawn). Each notice opens the dispute's page.
 */
export const DISPUTE_NOTICES: NoticeRenderers = {
  [DISPUTE_EVENTS.opened]: (event: OutboxEvent) => {
    const payload = event.payload as unknown as DisputeNoticePayload;
    const amount = shown(payload.amount);
    return [
      {
        userId: payload.userId,
        notice: {
          kind: 'disputes.opened',
          params: { disputeId: payload.disputeId },
          title: { 'zh-CN': '申诉已提交', en: 'Dispute received' },
          body: {
            'zh-CN': `我们已收到您对 ${amount} 这笔交易的申诉，客服会尽快处理。`,
            en: `We have received your dispute of the ${amount} payment; customer service will look into it shortly.`,
          },
        },
      },
    ];
  },
  [DISPUTE_EVENTS.closed]: (event: OutboxEvent) => {
    const payload = event.payload as unknown as DisputeNoticePayload;
    const amount = shown(payload.amount);
    const params = { disputeId: payload.disputeId, status: payload.status };
    if (payload.status === 'resolved_refunded' && payload.refund) {
      const refund = shown(payload.refund);
      return [
        {
          userId: payload.userId,
          notice: {
            kind: 'disputes.refunded',
            params,
            title: { 'zh-CN': '申诉已退款', en: 'Dispute refunded' },
            body: {
              'zh-CN': `您对 ${amount} 这笔交易的申诉已处理，${refund} 已退回您的钱包。`,
              en: `Your dispute of the ${amount} payment is resolved: ${refund} was refunded to your wallet.`,
            },
            ...(payload.refund.currency === 'CNY' ? { amountMinor: BigInt(payload.refund.amount) } : {}),
          },
        },
      ];
    }
    if (payload.status === 'resolved_rejected') {
      const reason = payload.decisionReason ?? '';
      return [
        {
          userId: payload.userId,
          notice: {
            kind: 'disputes.rejected',
            params,
            title: { 'zh-CN': '申诉未通过', en: 'Dispute not upheld' },
            body: {
              'zh-CN': `您对 ${amount} 这笔交易的申诉未通过${reason ? `：${reason}` : '。'}`,
              en: `Your dispute of the ${amount} payment was not upheld${reason ? `: ${reason}` : '.'}`,
            },
          },
        },
      ];
    }
    // Withdrawn by the holder: they did it themselves, nothing to tell.
    return [];
  },
};
