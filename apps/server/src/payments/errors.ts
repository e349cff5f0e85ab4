import type { ErrorMapping } from '../errors.ts';

/** The payment resource's error codes (intents.ts); merged into the server's table in ../errors.ts. */
export type PaymentsErrorCode =
  | 'PAYMENT_NOT_FOUND'
  | 'PAYMENT_IN_PROGRESS'
  | 'PAYMENT_EXPIRED'
  | 'PAYMENT_CANCELED'
  | 'PAYMENT_NOT_CANCELABLE'
  | 'STEP_UP_REQUIRED'
  | 'RISK_REVIEW_REQUIRED'
  | 'RISK_REVIEW_CLOSED'
  | 'RISK_BLOCKED';

export const PAYMENTS_ERRORS: Record<PaymentsErrorCode, ErrorMapping> = {
  PAYMENT_NOT_FOUND: { status: 404, message: 'No such payment.' },
  PAYMENT_IN_PROGRESS: {
    status: 409,
    message: 'This payment is being confirmed right now; look at it again in a moment.',
    retryAfterSeconds: 1,
  },
  PAYMENT_EXPIRED: {
    status: 410,
    message: 'This payment was not confirmed in time; create it again for a fresh quote.',
  },
  PAYMENT_CANCELED: { status: 410, message: 'This payment was canceled.' },
  PAYMENT_NOT_CANCELABLE: {
    status: 409,
    message: 'Only a payment waiting for its confirmation can be canceled.',
  },
  // The risk step's refusals (risk.ts). A step-up is not a rejection: its answer is not kept for
  // the Idempotency-Key (idempotency.ts), so the same request goes through once it is passed.
  STEP_UP_REQUIRED: {
    status: 403,
    unfinished: true,
    message:
      'This payment needs one more check: pass the challenge with a passkey, an authenticator code or an SMS code, then send the same request again.',
  },
  RISK_REVIEW_REQUIRED: {
    status: 403,
    message: 'This payment needs a review by our risk team and cannot be made now. Contact customer service.',
  },
  RISK_REVIEW_CLOSED: {
    status: 409,
    message:
      'This payment was held for review and its review is closed; nothing more is held. Make a new payment if you still want to pay.',
  },
  RISK_BLOCKED: {
    status: 403,
    message:
      'This payment was refused to protect your account, and your wallet is frozen. Contact customer service, or unfreeze it with an identity check.',
  },
};
