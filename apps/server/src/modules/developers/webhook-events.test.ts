/**
 * The public events of webhooks (webhook-events.ts), pure: which outbox events become which
 * webhook, and the `data` each carries — what a merchant's server parses, nothing of the payer.
 */
import { describe, expect, it } from 'vitest';
import type { OutboxEvent } from '../../outbox/index.ts';
import { MERCHANT_EVENTS } from '../merchants/events.ts';
import { DISPUTE_EVENTS } from '../disputes/events.ts';
import { SOURCE_EVENTS, WEBHOOK_EVENT_TYPES, bodyOf, webhookEventOf } from './webhook-events.ts';

const MERCHANT_ID = '0193a0c4-7f00-7000-8000-00000000c0de';
const CREATED = new Date('2026-12-06T04:05:06.789Z');

function outboxEvent(type: string, payload: Record<string, unknown>): OutboxEvent {
  return {
    id: '0193a0c4-7f00-7000-8000-000000000001',
    type,
    aggregateType: 'merchant_order',
    aggregateId: 'agg',
    payload: payload as OutboxEvent['payload'],
    createdAt: CREATED,
  };
}

const amount = { amount: '3800', currency: 'CNY' };

describe('webhook events', () => {
  it('every event an endpoint may choose comes from one merchant event, and each of those is one', () => {
    expect(Object.values(SOURCE_EVENTS).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
    for (const source of Object.keys(SOURCE_EVENTS))
      expect([...Object.values(MERCHANT_EVENTS), ...Object.values(DISPUTE_EVENTS)], source).toContain(source);
  });

  it('a till charge that ended without money is payment.failed with the order, the amount and the code', () => {
    const event = webhookEventOf(
      outboxEvent(MERCHANT_EVENTS.chargeFailed, {
        chargeId: 'c-1',
        orderId: 'o-1',
        merchantId: MERCHANT_ID,
        merchantOrderId: 'TILL-0001',
        amount,
        status: 'failed',
        code: 'INSUFFICIENT_FUNDS',
        payerUserId: 'never-leaves',
      }),
    );
    expect(event).toEqual({
      id: 'evt_0193a0c47f0070008000000000000001',
      type: 'payment.failed',
      merchantId: MERCHANT_ID,
      created: '2026-12-06T04:05:06.789Z',
      data: {
        merchantOrderId: 'TILL-0001',
        orderId: 'o-1',
        chargeId: 'c-1',
        amount,
        status: 'failed',
        code: 'INSUFFICIENT_FUNDS',
      },
    });
    expect(bodyOf(event!)).not.toContain('never-leaves');
  });

  it('an order past its time is order.expired with when it expired', () => {
    const event = webhookEventOf(
      outboxEvent(MERCHANT_EVENTS.orderExpired, {
        orderId: 'o-2',
        merchantId: MERCHANT_ID,
        merchantOrderId: 'WEB-0002',
        channel: 'dynamic',
        amount,
        expiredAt: '2026-12-06T04:00:00.000Z',
      }),
    );
    expect(event).toMatchObject({
      type: 'order.expired',
      merchantId: MERCHANT_ID,
      data: {
        merchantOrderId: 'WEB-0002',
        orderId: 'o-2',
        amount,
        status: 'expired',
        expiredAt: '2026-12-06T04:00:00.000Z',
      },
    });
    expect(JSON.parse(bodyOf(event!))).toEqual({
      id: event!.id,
      type: 'order.expired',
      created: '2026-12-06T04:05:06.789Z',
      data: event!.data,
    });
  });

  it('events no endpoint is told of, and events without a merchant, give none', () => {
    expect(
      webhookEventOf(outboxEvent(MERCHANT_EVENTS.chargeAwaitingConfirmation, { merchantId: MERCHANT_ID })),
    ).toBeNull();
    expect(webhookEventOf(outboxEvent('transfer.succeeded', { merchantId: MERCHANT_ID }))).toBeNull();
    expect(webhookEventOf(outboxEvent(MERCHANT_EVENTS.orderExpired, { orderId: 'o-3' }))).toBeNull();
  });
});
