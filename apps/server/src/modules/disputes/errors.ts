import type { ErrorMapping } from '../../errors.ts';

/** The disputes module's error codes; each has a row in docs/api/errors.md. */
export type DisputesErrorCode =
  | 'DISPUTE_NOT_FOUND'
  | 'DISPUTE_ALREADY_OPEN'
  | 'DISPUTE_NOT_DISPUTABLE'
  | 'DISPUTE_WINDOW_CLOSED'
  | 'DISPUTE_ALREADY_REFUNDED'
  | 'DISPUTE_AMOUNT_INVALID'
  | 'DISPUTE_NOT_ALLOWED_NOW'
  | 'DISPUTE_METHOD_NOT_ALLOWED'
  | 'DISPUTE_EVIDENCE_INVALID'
  | 'DISPUTE_EVIDENCE_LIMIT';

export const DISPUTES_ERRORS: Record<DisputesErrorCode, ErrorMapping> = {
  DISPUTE_NOT_FOUND: { status: 404, message: 'No such dispute.' },
  DISPUTE_ALREADY_OPEN: {
    status: 409,
    message: 'This transaction has an open dispute already.',
  },
  DISPUTE_NOT_DISPUTABLE: {
    status: 422,
    message: 'This transaction cannot be disputed (details.reason says why).',
  },
  DISPUTE_WINDOW_CLOSED: {
    status: 422,
    message: 'This transaction is too old to dispute.',
  },
  DISPUTE_ALREADY_REFUNDED: {
    status: 409,
    message: 'A dispute of this transaction was refunded already.',
  },
  DISPUTE_AMOUNT_INVALID: {
    status: 422,
    message: 'The amount is more than the transaction (or the dispute) is for.',
  },
  DISPUTE_NOT_ALLOWED_NOW: {
    status: 409,
    message: 'The dispute is not in a state that allows this (details.status).',
  },
  DISPUTE_METHOD_NOT_ALLOWED: {
    status: 422,
    message: 'This kind of refund does not fit this transaction (details.allowed).',
  },
  DISPUTE_EVIDENCE_INVALID: {
    status: 422,
    message: 'Evidence must be a JPEG, PNG or PDF file of at most 5 MB.',
  },
  DISPUTE_EVIDENCE_LIMIT: {
    status: 409,
    message: 'A dispute takes at most 5 evidence files.',
  },
};
