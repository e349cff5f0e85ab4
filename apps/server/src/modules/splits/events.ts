/**
 * The splits module's domain events (outbox/, ADR 0015), each appended in the transaction that
 * makes the change it reports (store.ts), and the inbox notices they give:
 *
 * - `split.requested`       a named split was made: each named participant is asked for their
 *                           share (the organiser's own share asks nobody)
 * - `split.share_paid`      a share was paid: the organiser is told who paid (and when it was the
 *                           last share, that the split is complete); the payer gets a receipt
 * - `split.reminded`        one per participant not yet paid, at the organiser's request
 * - `split.share_refunded`  the organiser gave a paid share back: the participant is told, and the
 *                           organiser gets a receipt
 */
import { formatMoney, money } from '@qianbao/money';
import { moneyPayload } from '../../outbox/index.ts';
import type { NewEvent, OutboxEvent } from '../../outbox/index.ts';
import type { NotificationInput } from '../notifications/service.ts';
import type { EventNotice, NoticeRenderers } from '../notifications/index.ts';
import type { ShareRow, SplitRow } from './store.ts';

export const SPLIT_EVENTS = {
  requested: 'split.requested',
  sharePaid: 'split.share_paid',
  reminded: 'split.reminded',
  shareRefunded: 'split.share_refunded',
} as const;

export interface SplitSharePayload {
  [key: string]: string | boolean | { amount: string; currency: string };
  splitId: string;
  shareId: string;
  title: string;
  organiserUserId: string;
  organiserDisplay: string;
  participantUserId: string;
  participantDisplay: string;
  amount: { amount: string; currency: string };
  /** split.share_paid: this payment completed the split. */
  last: boolean;
}

function payloadOf(split: SplitRow, share: ShareRow, last = false): SplitSharePayload {
  if (!share.participant_user_id) throw new Error(`share ${share.id} has no participant`);
  return {
    splitId: split.id,
    shareId: share.id,
    title: split.title,
    organiserUserId: split.organiser_user_id,
    organiserDisplay: split.organiser_display,
    participantUserId: share.participant_user_id,
    participantDisplay: share.participant_display ?? '***',
    amount: moneyPayload(share.amount_minor, split.currency),
    last,
  };
}

function eventOf(type: string, split: SplitRow, payload: SplitSharePayload, at: Date): NewEvent {
  return { type, aggregateType: 'split', aggregateId: split.id, payload, createdAt: at };
}

export function splitSharePaid(split: SplitRow, share: ShareRow, last: boolean, at: Date): NewEvent {
  return eventOf(SPLIT_EVENTS.sharePaid, split, payloadOf(split, share, last), at);
}

export function splitRequested(split: SplitRow, share: ShareRow, at: Date): NewEvent {
  return eventOf(SPLIT_EVENTS.requested, split, payloadOf(split, share), at);
}

export function splitReminded(split: SplitRow, share: ShareRow, at: Date): NewEvent {
  return eventOf(SPLIT_EVENTS.reminded, split, payloadOf(split, share), at);
}

export function splitShareRefunded(split: SplitRow, share: ShareRow, at: Date): NewEvent {
  return eventOf(SPLIT_EVENTS.shareRefunded, split, payloadOf(split, share), at);
}

function notice(input: {
  kind: string;
  params: Record<string, string | null>;
  zh: [string, string];
  en: [string, string];
  amountMinor?: bigint;
}): NotificationInput {
  return {
    kind: input.kind,
    params: input.params,
    title: { 'zh-CN': input.zh[0], en: input.en[0] },
    body: { 'zh-CN': input.zh[1], en: input.en[1] },
    ...(input.amountMinor === undefined ? {} : { amountMinor: input.amountMinor }),
  };
}

function shown(p: SplitSharePayload) {
  const amountMinor = BigInt(p.amount.amount);
  return { amountMinor, text: formatMoney(money(amountMinor, p.amount.currency)) };
}

/** The notices of splits, in every language of the app. */
export const SPLIT_NOTICES: NoticeRenderers = {
  [SPLIT_EVENTS.sharePaid]: (event: OutboxEvent) => {
    const p = event.payload as SplitSharePayload;
    const { amountMinor, text } = shown(p);
    const params = { splitId: p.splitId, title: p.title, amount: text };
    const notices: EventNotice[] = [
      {
        userId: p.organiserUserId,
        notice: notice({
          kind: 'splits.share_paid',
          params: { ...params, from: p.participantDisplay },
          zh: [
            `AA 收款到账 ${text}`,
            `${p.participantDisplay} 支付了「${p.title}」的 ${text}${p.last ? '，全部已付清' : ''}`,
          ],
          en: [
            `Split bill: ${text} received`,
            `${p.participantDisplay} paid ${text} for "${p.title}"${p.last ? '. Everyone has paid.' : '.'}`,
          ],
          amountMinor,
        }),
      },
      {
        userId: p.participantUserId,
        notice: notice({
          kind: 'splits.paid',
          params: { ...params, to: p.organiserDisplay },
          zh: [`AA 付款 ${text}`, `你向 ${p.organiserDisplay} 支付了「${p.title}」的 ${text}`],
          en: [`Split bill: ${text} paid`, `You paid ${p.organiserDisplay} ${text} for "${p.title}".`],
          amountMinor,
        }),
      },
    ];
    return notices;
  },
  [SPLIT_EVENTS.requested]: (event: OutboxEvent) => {
    const p = event.payload as SplitSharePayload;
    const { text } = shown(p);
    return [
      {
        userId: p.participantUserId,
        notice: notice({
          kind: 'splits.requested',
          params: { splitId: p.splitId, title: p.title, amount: text, from: p.organiserDisplay },
          zh: [`${p.organiserDisplay} 发起了 AA 收款`, `「${p.title}」你的份额 ${text}，点开支付`],
          en: [
            `${p.organiserDisplay} split a bill with you`,
            `Your share of "${p.title}" is ${text}. Open to pay.`,
          ],
        }),
      },
    ];
  },
  [SPLIT_EVENTS.reminded]: (event: OutboxEvent) => {
    const p = event.payload as SplitSharePayload;
    const { text } = shown(p);
    return [
      {
        userId: p.participantUserId,
        notice: notice({
          kind: 'splits.reminder',
          params: { splitId: p.splitId, title: p.title, amount: text, from: p.organiserDisplay },
          zh: [`${p.organiserDisplay} 提醒你 AA 付款`, `「${p.title}」你的份额 ${text} 还未支付`],
          en: [
            `${p.organiserDisplay} reminds you to pay`,
            `Your share of "${p.title}", ${text}, is not paid yet.`,
          ],
        }),
      },
    ];
  },
  [SPLIT_EVENTS.shareRefunded]: (event: OutboxEvent) => {
    const p = event.payload as SplitSharePayload;
    const { amountMinor, text } = shown(p);
    const params = { splitId: p.splitId, title: p.title, amount: text };
    return [
      {
        userId: p.participantUserId,
        notice: notice({
          kind: 'splits.refunded',
          params: { ...params, from: p.organiserDisplay },
          zh: [`AA 退款 ${text}`, `${p.organiserDisplay} 退还了你在「${p.title}」支付的 ${text}`],
          en: [
            `Split bill refund: ${text}`,
            `${p.organiserDisplay} gave back the ${text} you paid for "${p.title}".`,
          ],
          amountMinor,
        }),
      },
      {
        userId: p.organiserUserId,
        notice: notice({
          kind: 'splits.refund_sent',
          params: { ...params, to: p.participantDisplay },
          zh: [`AA 退款已退回 ${text}`, `你向 ${p.participantDisplay} 退还了「${p.title}」的 ${text}`],
          en: [
            `Split bill refund sent: ${text}`,
            `You gave ${p.participantDisplay} back ${text} for "${p.title}".`,
          ],
          amountMinor,
        }),
      },
    ];
  },
};
