import type { ErrorMapping } from '../errors.ts';

/** The payment resource's error codes (intents.ts); merged into the server's table in ../errors.ts. */
export type PaymentsErrorCode =
  | 'PAYMENT_NOT_FOUND'
  | 'PAYMENT_IN_PROGRESS'
  | 'PAYMENT_EXPIRED'
  | 'PAYMENT_CANCELED'
  | 'PAYMENT_NOT_CANCELABLE';

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
};
