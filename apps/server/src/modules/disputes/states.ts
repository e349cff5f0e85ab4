/**
 * A dispute's states and the one function that says which step may follow which (docs/disputes.md
 * has the diagram). Pure: the store applies it to the row it holds locked, so whatever the number
 * of requests at once, each step is taken from the state it was allowed from, once.
 *
 *   opened ──take──▶ investigating ──ask_merchant──▶ awaiting_merchant
 *     │                 ▲   │                            │
 *     │                 │   └──────merchant_answered◀────┘
 *     │                 │
 *     │      refund_failed        refund (investigating or awaiting_merchant)
 *     │                 │   ┌──────────────────────────────┐
 *     │                 └── refunding ──refund_moved──▶ resolved_refunded
 *     │
 *     ├─ withdraw (holder; opened, investigating, awaiting_merchant) ─▶ withdrawn
 *     └─ reject (investigating or awaiting_merchant) ─▶ resolved_rejected
 */

export const DISPUTE_STATUSES = [
  'opened',
  'investigating',
  'awaiting_merchant',
  'refunding',
  'resolved_refunded',
  'resolved_rejected',
  'withdrawn',
] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

/** Statuses of a dispute still open: at most one per transaction (a partial unique index). */
export const OPEN_STATUSES = ['opened', 'investigating', 'awaiting_merchant', 'refunding'] as const;

/** The reasons a holder may give. */
export const DISPUTE_REASONS = [
  'not_received',
  'not_as_described',
  'duplicate',
  'unauthorized',
  'amount_wrong',
  'other',
] as const;
export type DisputeReason = (typeof DISPUTE_REASONS)[number];

/** What kind of movement was disputed (decides who can pay the refund). */
export const DISPUTED_KINDS = [
  'merchant_payment',
  'transfer',
  'top_up',
  'withdrawal',
  'bank_transfer',
] as const;
export type DisputedKind = (typeof DISPUTED_KINDS)[number];

/**
 * How a refund is paid:
 * - `merchant_refund`: the merchant's refund (it agreed, or the operator refunds on its behalf);
 * - `chargeback`: the same refund path, forced on the merchant by the operator's decision;
 * - `goodwill`: the operator's own money (dispute goodwill account), when there is no merchant to
 *   charge — a transfer between holders is never clawed back without the recipient's consent.
 */
export const REFUND_METHODS = ['merchant_refund', 'chargeback', 'goodwill'] as const;
export type RefundMethod = (typeof REFUND_METHODS)[number];

export function refundMethodsOf(kind: DisputedKind): readonly RefundMethod[] {
  return kind === 'merchant_payment' ? ['merchant_refund', 'chargeback'] : ['goodwill'];
}

export type DisputeStep =
  | { type: 'take' }
  | { type: 'ask_merchant' }
  | { type: 'merchant_answered' }
  | { type: 'refund'; method: RefundMethod }
  | { type: 'refund_moved' }
  | { type: 'refund_failed' }
  | { type: 'reject' }
  | { type: 'withdraw' };

export type Transition =
  | { ok: true; to: DisputeStatus }
  | { ok: false; code: 'DISPUTE_NOT_ALLOWED_NOW' }
  | { ok: false; code: 'DISPUTE_METHOD_NOT_ALLOWED'; allowed: readonly RefundMethod[] };

const NOT_NOW: Transition = { ok: false, code: 'DISPUTE_NOT_ALLOWED_NOW' };

/** Where `step` takes a dispute of `kind` in `from`, or why it may not be taken. */
export function transition(from: DisputeStatus, kind: DisputedKind, step: DisputeStep): Transition {
  const deciding = from === 'investigating' || from === 'awaiting_merchant';
  switch (step.type) {
    case 'take':
      // Taking a dispute someone else took is a hand-over: the state stays.
      return from === 'opened'
        ? { ok: true, to: 'investigating' }
        : deciding
          ? { ok: true, to: from }
          : NOT_NOW;
    case 'ask_merchant':
      if (kind !== 'merchant_payment') return NOT_NOW;
      return from === 'investigating' ? { ok: true, to: 'awaiting_merchant' } : NOT_NOW;
    case 'merchant_answered':
      return from === 'awaiting_merchant' ? { ok: true, to: 'investigating' } : NOT_NOW;
    case 'refund': {
      if (!deciding) return NOT_NOW;
      const allowed = refundMethodsOf(kind);
      if (!allowed.includes(step.method)) return { ok: false, code: 'DISPUTE_METHOD_NOT_ALLOWED', allowed };
      return { ok: true, to: 'refunding' };
    }
    case 'refund_moved':
      return from === 'refunding' ? { ok: true, to: 'resolved_refunded' } : NOT_NOW;
    case 'refund_failed':
      return from === 'refunding' ? { ok: true, to: 'investigating' } : NOT_NOW;
    case 'reject':
      return deciding ? { ok: true, to: 'resolved_rejected' } : NOT_NOW;
    case 'withdraw':
      return from === 'opened' || deciding ? { ok: true, to: 'withdrawn' } : NOT_NOW;
  }
}

export function isOpen(status: DisputeStatus): boolean {
  return (OPEN_STATUSES as readonly string[]).includes(status);
}
