/**
 * The events a merchant's webhook endpoints may subscribe to, and the body each delivery carries
 * (docs/developers.md "Webhooks"). Pure: an outbox event of the merchants module in, the merchant
 * it concerns and the public event out — or null for events no endpoint is told of. The body is
 * what the merchant's server parses; the outbox payload (with payer ids, owner ids) never leaves.
 *
 *   { "id": "evt_…", "type": "payment.succeeded", "created": "2026-12-06T…Z", "data": { … } }
 */
import type { OutboxEvent } from '../../outbox/index.ts';

export const WEBHOOK_EVENT_TYPES = [
  'payment.succeeded',
  'payment.failed',
  'order.expired',
  'refund.succeeded',
  'settlement.paid',
  'settlement.failed',
  'dispute.opened',
  'dispute.closed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The outbox's event types that become webhooks (merchants/events.ts MERCHANT_EVENTS). */
export const SOURCE_EVENTS: Record<string, WebhookEventType> = {
  'merchant.payment_succeeded': 'payment.succeeded',
  'merchant.charge_failed': 'payment.failed',
  'merchant.order_expired': 'order.expired',
  'merchant.refund_succeeded': 'refund.succeeded',
  'merchant.settlement_succeeded': 'settlement.paid',
  'merchant.settlement_failed': 'settlement.failed',
  // A holder disputed a payment to the merchant, and how it ended (modules/disputes, docs/disputes.md).
  'disputes.opened': 'dispute.opened',
  'disputes.closed': 'dispute.closed',
};

/** A test delivery an owner asks for from the portal or the API. */
export const PING_EVENT = 'webhook.ping';

export interface WebhookEvent {
  id: string;
  type: WebhookEventType | typeof PING_EVENT;
  merchantId: string;
  created: string;
  data: Record<string, unknown>;
}

/** The public event of an outbox event, or null when endpoints are not told of it. */
export function webhookEventOf(event: OutboxEvent): WebhookEvent | null {
  const type = SOURCE_EVENTS[event.type];
  if (!type) return null;
  const p = event.payload as Record<string, unknown>;
  const merchantId = p['merchantId'];
  if (typeof merchantId !== 'string') return null;
  const base = {
    id: `evt_${event.id.replaceAll('-', '')}`,
    type,
    merchantId,
    created: event.createdAt.toISOString(),
  };
  switch (type) {
    case 'payment.succeeded':
      return {
        ...base,
        data: {
          merchantOrderId: p['merchantOrderId'],
          orderId: p['orderId'],
          amount: p['amount'],
          status: 'paid',
        },
      };
    case 'payment.failed':
      // A till's charge of a payment code that ended without money; its order is closed.
      return {
        ...base,
        data: {
          merchantOrderId: p['merchantOrderId'],
          orderId: p['orderId'],
          chargeId: p['chargeId'],
          amount: p['amount'],
          status: 'failed',
          code: p['code'],
        },
      };
    case 'order.expired':
      return {
        ...base,
        data: {
          merchantOrderId: p['merchantOrderId'],
          orderId: p['orderId'],
          amount: p['amount'],
          status: 'expired',
          expiredAt: p['expiredAt'],
        },
      };
    case 'refund.succeeded':
      return {
        ...base,
        data: {
          merchantOrderId: p['merchantOrderId'],
          orderId: p['orderId'],
          merchantRefundId: p['merchantRefundId'],
          refundId: p['refundId'],
          amount: p['refund'],
          status: 'succeeded',
        },
      };
    case 'dispute.opened':
    case 'dispute.closed':
      // Only a merchant payment's dispute names a merchant (others have no merchantId: no webhook).
      return {
        ...base,
        data: {
          disputeId: p['disputeId'],
          merchantOrderId: p['merchantOrderId'],
          orderId: p['orderId'],
          reason: p['reason'],
          amount: p['amount'],
          status: p['status'],
          refundMethod: p['refundMethod'] ?? null,
          refund: p['refund'] ?? null,
        },
      };
    case 'settlement.paid':
    case 'settlement.failed':
      return {
        ...base,
        data: {
          settlementId: p['settlementId'],
          amount: p['amount'],
          cardLast4: p['cardLast4'],
          status: type === 'settlement.paid' ? 'paid' : 'failed',
          failure: p['failure'] ?? null,
        },
      };
  }
}

/**
 * The JSON body a delivery sends (the same bytes on every attempt: it is stored once). To a
 * partner's connected endpoint (ADR 0023) it names the merchant the event concerns,
 * `merchantId`: the id the partner's requests send in `Qianbao-Merchant`.
 */
export function bodyOf(event: WebhookEvent, forPartnerOf: string | null = null): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    created: event.created,
    ...(forPartnerOf === null ? {} : { merchantId: forPartnerOf }),
    data: event.data,
  });
}
