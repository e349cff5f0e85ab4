import { describe, expect, it } from 'vitest';
import { DISPUTE_STATUSES, DISPUTED_KINDS, REFUND_METHODS, isOpen, transition } from './states.ts';
import type { DisputeStatus, DisputeStep } from './states.ts';

const STEPS: DisputeStep[] = [
  { type: 'take' },
  { type: 'ask_merchant' },
  { type: 'merchant_answered' },
  ...REFUND_METHODS.map((method) => ({ type: 'refund' as const, method })),
  { type: 'refund_moved' },
  { type: 'refund_failed' },
  { type: 'reject' },
  { type: 'withdraw' },
];

/** Every allowed step of a merchant payment's dispute, as `from --step--> to`. */
const MERCHANT_PAYMENT = [
  'opened --take--> investigating',
  'opened --withdraw--> withdrawn',
  'investigating --take--> investigating',
  'investigating --ask_merchant--> awaiting_merchant',
  'investigating --refund:merchant_refund--> refunding',
  'investigating --refund:chargeback--> refunding',
  'investigating --reject--> resolved_rejected',
  'investigating --withdraw--> withdrawn',
  'awaiting_merchant --take--> awaiting_merchant',
  'awaiting_merchant --merchant_answered--> investigating',
  'awaiting_merchant --refund:merchant_refund--> refunding',
  'awaiting_merchant --refund:chargeback--> refunding',
  'awaiting_merchant --reject--> resolved_rejected',
  'awaiting_merchant --withdraw--> withdrawn',
  'refunding --refund_moved--> resolved_refunded',
  'refunding --refund_failed--> investigating',
];

function allowedSteps(kind: (typeof DISPUTED_KINDS)[number]): string[] {
  const out: string[] = [];
  for (const from of DISPUTE_STATUSES) {
    for (const step of STEPS) {
      const result = transition(from, kind, step);
      const name = step.type === 'refund' ? `refund:${step.method}` : step.type;
      if (result.ok) out.push(`${from} --${name}--> ${result.to}`);
    }
  }
  return out;
}

describe('the dispute states', () => {
  it('allows exactly the documented steps of a merchant payment’s dispute', () => {
    expect(allowedSteps('merchant_payment')).toEqual(MERCHANT_PAYMENT);
  });

  it('refunds anything else only from goodwill, and never asks a merchant', () => {
    const expected = [
      'opened --take--> investigating',
      'opened --withdraw--> withdrawn',
      'investigating --take--> investigating',
      'investigating --refund:goodwill--> refunding',
      'investigating --reject--> resolved_rejected',
      'investigating --withdraw--> withdrawn',
      // never reached without a merchant to ask, and harmless if it were
      'awaiting_merchant --take--> awaiting_merchant',
      'awaiting_merchant --merchant_answered--> investigating',
      'awaiting_merchant --refund:goodwill--> refunding',
      'awaiting_merchant --reject--> resolved_rejected',
      'awaiting_merchant --withdraw--> withdrawn',
      'refunding --refund_moved--> resolved_refunded',
      'refunding --refund_failed--> investigating',
    ];
    for (const kind of DISPUTED_KINDS.filter((k) => k !== 'merchant_payment')) {
      expect(allowedSteps(kind)).toEqual(expected);
    }
    expect(transition('investigating', 'transfer', { type: 'refund', method: 'chargeback' })).toEqual({
      ok: false,
      code: 'DISPUTE_METHOD_NOT_ALLOWED',
      allowed: ['goodwill'],
    });
  });

  it('ends nothing twice: a closed dispute takes no step at all', () => {
    const closed: DisputeStatus[] = ['resolved_refunded', 'resolved_rejected', 'withdrawn'];
    for (const from of closed) {
      expect(isOpen(from)).toBe(false);
      for (const kind of DISPUTED_KINDS) {
        for (const step of STEPS) expect(transition(from, kind, step).ok, `${from} ${step.type}`).toBe(false);
      }
    }
    // A refund under way cannot be withdrawn, rejected or decided again.
    for (const step of STEPS.filter((s) => s.type !== 'refund_moved' && s.type !== 'refund_failed')) {
      expect(transition('refunding', 'merchant_payment', step).ok).toBe(false);
    }
  });
});
