/**
 * The disputes module's domain events (outbox, ADR 0015). A merchant payment's dispute names its
 * merchant (`merchantId`): the developers module turns these into the merchant's webhooks
 * `dispute.opened` and `dispute.closed` (developers/webhook-events.ts).
 */
export const DISPUTE_EVENTS = {
  /** A holder opened a dispute. */
  opened: 'disputes.opened',
  /** A dispute ended: `status` resolved_refunded, resolved_rejected or withdrawn. */
  closed: 'disputes.closed',
} as const;

export type DisputeEventType = (typeof DISPUTE_EVENTS)[keyof typeof DISPUTE_EVENTS];
