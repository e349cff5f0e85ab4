/**
 * The approvals module's domain event (outbox/, ADR 0015) and the notice it gives: an approved
 * adjustment that moved money, appended by store.ts in the transaction that marks it applied
 * (once, however often its execution is retried).
 */
import { formatMoney, money } from '@qianbao/money';
import { moneyPayload } from '../../outbox/index.ts';
import type { NewEvent, OutboxEvent } from '../../outbox/index.ts';
import type { NoticeRenderers } from '../notifications/index.ts';
import type { AdjustmentDirection, AdjustmentReason } from './plan.ts';

export const APPROVALS_EVENTS = { adjustmentApplied: 'approvals.adjustment_applied' } as const;

export interface AdjustmentAppliedPayload {
  [key: string]: string | { amount: string; currency: string };
  userId: string;
  adjustmentId: string;
  direction: AdjustmentDirection;
  amount: { amount: string; currency: string };
  reasonCode: AdjustmentReason;
}

export function adjustmentApplied(input: {
  userId: string;
  adjustmentId: string;
  direction: AdjustmentDirection;
  amountMinor: bigint;
  currency: string;
  reasonCode: AdjustmentReason;
  at: Date;
}): NewEvent {
  const payload: AdjustmentAppliedPayload = {
    userId: input.userId,
    adjustmentId: input.adjustmentId,
    direction: input.direction,
    amount: moneyPayload(input.amountMinor, input.currency),
    reasonCode: input.reasonCode,
  };
  return {
    type: APPROVALS_EVENTS.adjustmentApplied,
    aggregateType: 'approvals_adjustment',
    aggregateId: input.adjustmentId,
    payload,
    createdAt: input.at,
  };
}

const REASON_WORDS: Record<AdjustmentReason, { 'zh-CN': string; en: string }> = {
  goodwill: { 'zh-CN': '补偿', en: 'goodwill' },
  correction: { 'zh-CN': '差错更正', en: 'correction' },
  fee_refund: { 'zh-CN': '手续费退还', en: 'fee refund' },
  chargeback_reversal: { 'zh-CN': '拒付冲正', en: 'chargeback reversal' },
};

/** The holder is told of each adjustment of their wallet, with its reason. */
export const APPROVALS_NOTICES: NoticeRenderers = {
  [APPROVALS_EVENTS.adjustmentApplied]: (event: OutboxEvent) => {
    const payload = event.payload as AdjustmentAppliedPayload;
    const minor = BigInt(payload.amount.amount);
    const shown = formatMoney(money(minor, payload.amount.currency));
    const reason = REASON_WORDS[payload.reasonCode];
    const credit = payload.direction === 'credit';
    return [
      {
        userId: payload.userId,
        notice: {
          kind: 'approvals.adjustment',
          params: {
            direction: payload.direction,
            reasonCode: payload.reasonCode,
            amount: payload.amount.amount,
            currency: payload.amount.currency,
          },
          title: credit
            ? { 'zh-CN': '账户调整入账', en: 'Wallet credited by adjustment' }
            : { 'zh-CN': '账户调整扣款', en: 'Wallet debited by adjustment' },
          body: credit
            ? {
                'zh-CN': `客服为您的钱包入账 ${shown}（${reason['zh-CN']}）。`,
                en: `Customer service credited ${shown} to your wallet (${reason.en}).`,
              }
            : {
                'zh-CN': `客服从您的钱包扣除 ${shown}（${reason['zh-CN']}）。如有疑问，请联系客服。`,
                en: `Customer service debited ${shown} from your wallet (${reason.en}). If you have questions, contact customer service.`,
              },
          ...(payload.amount.currency === 'CNY' ? { amountMinor: minor } : {}),
        },
      },
    ];
  },
};
