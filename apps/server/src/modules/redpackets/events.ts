/**
 * The red-packets module's domain events (outbox/, ADR 0015), each appended in the transaction
 * that makes the change it reports (store.ts), and the inbox notices they give:
 *
 * - `red_packet.sent`      the funding transfer moved, the packet is open: the sender's notice, and
 *                          the recipient's for a one-to-one packet (a group's link is shared by hand)
 * - `red_packet.claimed`   a share was credited: the claimer's notice; the sender's when it was the
 *                          last share (or a one-to-one packet was opened)
 * - `red_packet.refunded`  expired: what nobody claimed is back in the sender's wallet
 */
import { formatMoney, money } from '@qianbao/money';
import { moneyPayload } from '../../outbox/index.ts';
import type { NewEvent, OutboxEvent } from '../../outbox/index.ts';
import type { NotificationInput } from '../notifications/service.ts';
import type { EventNotice, NoticeRenderers } from '../notifications/index.ts';
import type { ClaimRow, PacketRow } from './store.ts';

export const RED_PACKET_EVENTS = {
  sent: 'red_packet.sent',
  claimed: 'red_packet.claimed',
  refunded: 'red_packet.refunded',
} as const;

export interface RedPacketPayload {
  [key: string]: string | boolean | null | { amount: string; currency: string };
  packetId: string;
  kind: PacketRow['kind'];
  senderUserId: string;
  senderDisplay: string;
  recipientUserId: string | null;
  recipientDisplay: string | null;
  greeting: string;
  total: { amount: string; currency: string };
  /** JSON carries no numbers in events: a decimal string. */
  shareCount: string;
}

export interface RedPacketClaimedPayload extends RedPacketPayload {
  claimId: string;
  claimerUserId: string;
  claimerDisplay: string;
  amount: { amount: string; currency: string };
  /** This claim took the last share. */
  last: boolean;
}

export interface RedPacketRefundedPayload extends RedPacketPayload {
  refund: { amount: string; currency: string };
}

function payloadOf(packet: PacketRow): RedPacketPayload {
  return {
    packetId: packet.id,
    kind: packet.kind,
    senderUserId: packet.sender_user_id,
    senderDisplay: packet.sender_display,
    recipientUserId: packet.recipient_user_id,
    recipientDisplay: packet.recipient_display,
    greeting: packet.greeting,
    total: moneyPayload(packet.total_minor, packet.currency),
    shareCount: String(packet.share_count),
  };
}

export function redPacketSent(packet: PacketRow, at: Date): NewEvent {
  return {
    type: RED_PACKET_EVENTS.sent,
    aggregateType: 'red_packet',
    aggregateId: packet.id,
    payload: payloadOf(packet),
    createdAt: at,
  };
}

export function redPacketClaimed(packet: PacketRow, claim: ClaimRow, at: Date): NewEvent {
  const payload: RedPacketClaimedPayload = {
    ...payloadOf(packet),
    claimId: claim.id,
    claimerUserId: claim.claimer_user_id,
    claimerDisplay: claim.claimer_display,
    amount: moneyPayload(claim.amount_minor, packet.currency),
    last: packet.remaining_count === 0,
  };
  return {
    type: RED_PACKET_EVENTS.claimed,
    aggregateType: 'red_packet',
    aggregateId: packet.id,
    payload,
    createdAt: at,
  };
}

export function redPacketRefunded(packet: PacketRow, at: Date): NewEvent {
  const payload: RedPacketRefundedPayload = {
    ...payloadOf(packet),
    refund: moneyPayload(packet.refund_minor ?? 0n, packet.currency),
  };
  return {
    type: RED_PACKET_EVENTS.refunded,
    aggregateType: 'red_packet',
    aggregateId: packet.id,
    payload,
    createdAt: at,
  };
}

const shown = (value: { amount: string; currency: string }) => ({
  amountMinor: BigInt(value.amount),
  text: formatMoney(money(BigInt(value.amount), value.currency)),
});

function notice(input: {
  kind: string;
  params: Record<string, string | null>;
  zh: [string, string];
  en: [string, string];
}): NotificationInput {
  return {
    kind: input.kind,
    params: input.params,
    title: { 'zh-CN': input.zh[0], en: input.en[0] },
    body: { 'zh-CN': input.zh[1], en: input.en[1] },
  };
}

/** The notices of red packets, in every language of the app. */
export const RED_PACKET_NOTICES: NoticeRenderers = {
  [RED_PACKET_EVENTS.sent]: (event: OutboxEvent) => {
    const p = event.payload as RedPacketPayload;
    const total = shown(p.total);
    const params = { packetId: p.packetId, amount: total.text, greeting: p.greeting };
    const notices: EventNotice[] = [
      {
        userId: p.senderUserId,
        notice: {
          ...notice({
            kind: 'redpackets.sent',
            params: { ...params, to: p.recipientDisplay },
            zh: [
              `红包已发出 ${total.text}`,
              p.recipientDisplay
                ? `你给 ${p.recipientDisplay} 发了红包 ${total.text}：${p.greeting}`
                : `你发了 ${p.shareCount} 个红包，共 ${total.text}：${p.greeting}`,
            ],
            en: [
              `Red packet sent: ${total.text}`,
              p.recipientDisplay
                ? `You sent ${p.recipientDisplay} a red packet of ${total.text}: ${p.greeting}`
                : `You sent ${p.shareCount} red packet shares, ${total.text} in all: ${p.greeting}`,
            ],
          }),
          amountMinor: total.amountMinor,
        },
      },
    ];
    if (p.recipientUserId) {
      // The amount is the surprise: the recipient sees it when opening the packet.
      notices.push({
        userId: p.recipientUserId,
        notice: {
          ...notice({
            kind: 'redpackets.received',
            params: { packetId: p.packetId, from: p.senderDisplay, greeting: p.greeting },
            zh: [`${p.senderDisplay} 给你发了一个红包`, `${p.greeting}（24 小时内打开领取）`],
            en: [`${p.senderDisplay} sent you a red packet`, `${p.greeting} (open it within 24 hours)`],
          }),
        },
      });
    }
    return notices;
  },
  [RED_PACKET_EVENTS.claimed]: (event: OutboxEvent) => {
    const p = event.payload as RedPacketClaimedPayload;
    const amount = shown(p.amount);
    const notices: EventNotice[] = [
      {
        userId: p.claimerUserId,
        notice: {
          ...notice({
            kind: 'redpackets.claimed',
            params: { packetId: p.packetId, amount: amount.text, from: p.senderDisplay },
            zh: [`领取红包 ${amount.text}`, `你领取了 ${p.senderDisplay} 的红包 ${amount.text}`],
            en: [
              `Red packet: ${amount.text}`,
              `You received ${amount.text} from ${p.senderDisplay}'s red packet.`,
            ],
          }),
          amountMinor: amount.amountMinor,
        },
      },
    ];
    if (p.last) {
      const total = shown(p.total);
      notices.push({
        userId: p.senderUserId,
        notice: {
          ...notice({
            kind: 'redpackets.finished',
            params: { packetId: p.packetId, amount: total.text },
            zh:
              p.kind === 'single'
                ? [`${p.claimerDisplay} 已领取你的红包`, `${p.claimerDisplay} 领取了你的红包 ${total.text}`]
                : [`你的红包已被领完`, `${p.shareCount} 个红包共 ${total.text}，已被领完`],
            en:
              p.kind === 'single'
                ? [
                    `${p.claimerDisplay} opened your red packet`,
                    `${p.claimerDisplay} received ${total.text}.`,
                  ]
                : [
                    'Your red packet is all claimed',
                    `All ${p.shareCount} shares (${total.text}) have been claimed.`,
                  ],
          }),
        },
      });
    }
    return notices;
  },
  [RED_PACKET_EVENTS.refunded]: (event: OutboxEvent) => {
    const p = event.payload as RedPacketRefundedPayload;
    const refund = shown(p.refund);
    return [
      {
        userId: p.senderUserId,
        notice: {
          ...notice({
            kind: 'redpackets.refunded',
            params: { packetId: p.packetId, amount: refund.text },
            zh: [`红包退款 ${refund.text}`, `你的红包未领完的 ${refund.text} 已退回钱包`],
            en: [
              `Red packet refund: ${refund.text}`,
              `${refund.text} nobody claimed from your red packet is back in your wallet.`,
            ],
          }),
          amountMinor: refund.amountMinor,
        },
      },
    ];
  },
};
