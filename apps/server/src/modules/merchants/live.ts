/**
 * The merchant portal's live feed: every payment and refund of a merchant pushed to the portals
 * open for it, on every server process. Fed from the outbox (the event commits with the order's
 * change), pushed through the notifications module's LISTEN/NOTIFY channel under the key
 * `merchant:<id>` — a push, not an inbox row: a portal that missed one refreshes its lists.
 */
import { defineSubscriber } from '../../outbox/index.ts';
import type { OutboxEvent, Subscriber } from '../../outbox/index.ts';
import type { LiveNotifications, Notification } from '../notifications/index.ts';
import { MERCHANT_EVENTS } from './events.ts';
import type { MerchantPaymentPayload, MerchantRefundPayload } from './events.ts';

export const MERCHANT_LIVE_SUBSCRIBER = 'merchants.live';

/** The live key of a merchant's portals. */
export const merchantLiveKey = (merchantId: string): string => `merchant:${merchantId}`;

/** What a portal is told: which order changed, how, and the amount. */
export interface MerchantLiveEvent {
  type: 'payment' | 'refund';
  orderId: string;
  merchantOrderId: string;
  status: 'paid';
  amount: { amount: string; currency: string };
}

const EMPTY = { 'zh-CN': '', en: '' };

export function merchantLiveSubscriber(live: Pick<LiveNotifications, 'publish'>): Subscriber {
  return defineSubscriber({
    name: MERCHANT_LIVE_SUBSCRIBER,
    types: [MERCHANT_EVENTS.paymentSucceeded, MERCHANT_EVENTS.refundSucceeded],
    async handle(event: OutboxEvent) {
      const refund = event.type === MERCHANT_EVENTS.refundSucceeded;
      const payload = event.payload as MerchantPaymentPayload & Partial<MerchantRefundPayload>;
      const params: MerchantLiveEvent = {
        type: refund ? 'refund' : 'payment',
        orderId: payload.orderId,
        merchantOrderId: payload.merchantOrderId,
        status: 'paid',
        amount: refund && payload.refund ? payload.refund : payload.amount,
      };
      const push: Notification = {
        id: event.id,
        kind: event.type,
        params: { ...params },
        title: EMPTY,
        body: EMPTY,
        createdAt: event.createdAt,
        readAt: null,
      };
      await live.publish(merchantLiveKey(payload.merchantId), push);
    },
  });
}
