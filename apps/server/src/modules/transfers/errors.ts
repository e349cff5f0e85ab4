import type { ErrorMapping } from '../../errors.ts';

/** The transfers module's error codes; merged into the server's table in apps/server/src/errors.ts. */
export type TransfersErrorCode =
  | 'PAYEE_NOT_FOUND'
  | 'PAYEE_CLOSED'
  | 'CANNOT_PAY_YOURSELF'
  | 'INSUFFICIENT_FUNDS'
  | 'ACCOUNT_FROZEN'
  | 'RECEIVE_CODE_INVALID'
  | 'QR_AMOUNT_MISMATCH'
  | 'PAYMENT_REQUEST_NOT_FOUND'
  | 'PAYMENT_REQUEST_ALREADY_PAID'
  | 'PAYMENT_REQUEST_EXPIRED'
  | 'PAYMENT_REQUEST_CANCELLED'
  | 'PAYMENT_REQUEST_IN_PROGRESS';

export const TRANSFERS_ERRORS: Record<TransfersErrorCode, ErrorMapping> = {
  PAYEE_NOT_FOUND: { status: 404, message: 'No wallet has this mobile number or receive code.' },
  PAYEE_CLOSED: { status: 422, message: "The payee's wallet is closed and cannot receive money." },
  CANNOT_PAY_YOURSELF: { status: 422, message: 'You cannot transfer money to your own wallet.' },
  INSUFFICIENT_FUNDS: { status: 422, message: 'Your balance is not enough for this payment.' },
  ACCOUNT_FROZEN: { status: 403, message: 'This wallet is frozen: it may receive money but not pay.' },
  RECEIVE_CODE_INVALID: { status: 400, message: 'This is not a Qianbao receive code.' },
  QR_AMOUNT_MISMATCH: { status: 422, message: 'The receive code fixes another amount.' },
  PAYMENT_REQUEST_NOT_FOUND: { status: 404, message: 'No such payment request.' },
  PAYMENT_REQUEST_ALREADY_PAID: { status: 409, message: 'This payment request has been paid already.' },
  PAYMENT_REQUEST_EXPIRED: { status: 410, message: 'This payment request has expired.' },
  PAYMENT_REQUEST_CANCELLED: { status: 410, message: 'The requester cancelled this payment request.' },
  PAYMENT_REQUEST_IN_PROGRESS: {
    status: 409,
    message: 'Someone is paying this request right now; try again in a moment.',
    retryAfterSeconds: 2,
  },
};
