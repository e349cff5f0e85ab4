/**
 * The sender's live view of a packet: each claim and the refund pushed to the sender's open page
 * on every server process. Fed from the outbox (the event commits with the claim's record), pushed
 * through the notifications' LISTEN/NOTIFY channel under `red-packet:<id>` — a push, not a
 * record: a page that missed one reads the packet again (as merchants/live.ts does for shops).
 */
import { defineSubscriber } from '../../outbox/index.ts';
import type { OutboxEvent, Subscriber } from '../../outbox/index.ts';
import type { LiveNotifications, Notification } from '../notifications/index.ts';
import { RED_PACKET_EVENTS } from './events.ts';
import type { RedPacketClaimedPayload, RedPacketPayload } from './events.ts';

export const RED_PACKET_LIVE_SUBSCRIBER = 'redpackets.live';

/** The live key of one packet's sender's pages. */
export const redPacketLiveKey = (packetId: string): string => `red-packet:${packetId}`;

const EMPTY = { 'zh-CN': '', en: '' };

export function redPacketLiveSubscriber(live: Pick<LiveNotifications, 'publish'>): Subscriber {
  return defineSubscriber({
    name: RED_PACKET_LIVE_SUBSCRIBER,
    types: [RED_PACKET_EVENTS.claimed, RED_PACKET_EVENTS.refunded],
    async handle(event: OutboxEvent) {
      const payload = event.payload as RedPacketPayload & Partial<RedPacketClaimedPayload>;
      const claimed = event.type === RED_PACKET_EVENTS.claimed;
      const push: Notification = {
        id: event.id,
        kind: event.type,
        params: claimed
          ? {
              type: 'claimed',
              claimer: payload.claimerDisplay ?? null,
              amount: payload.amount ?? null,
              last: payload.last ?? false,
            }
          : { type: 'refunded' },
        title: EMPTY,
        body: EMPTY,
        createdAt: event.createdAt,
        readAt: null,
      };
      await live.publish(redPacketLiveKey(payload.packetId), push);
    },
  });
}
