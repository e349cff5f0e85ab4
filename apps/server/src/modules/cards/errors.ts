import type { ErrorMapping } from '../../errors.ts';

/** The cards module's error codes; merged into the server's table in apps/server/src/errors.ts. */
export type CardsErrorCode =
  | 'CARD_NUMBER_INVALID'
  | 'CARD_TYPE_NOT_SUPPORTED'
  | 'CARD_VERIFICATION_FAILED'
  | 'CARD_VERIFICATION_NOT_FOUND'
  | 'CARD_VERIFICATIONS_EXCEEDED'
  | 'CARD_ALREADY_BOUND'
  | 'CARD_LIMIT_REACHED'
  | 'CARD_SMS_CODE_INVALID'
  | 'CARD_SMS_RATE_LIMITED'
  | 'CARD_NOT_FOUND'
  | 'CARD_BUSY'
  | 'BANK_UNAVAILABLE';

export const CARDS_ERRORS: Record<CardsErrorCode, ErrorMapping> = {
  CARD_NUMBER_INVALID: { status: 400, message: 'Not a valid bank card number.' },
  CARD_TYPE_NOT_SUPPORTED: {
    status: 422,
    message: 'Only debit cards of the supported banks can be bound (not credit cards).',
  },
  CARD_VERIFICATION_FAILED: {
    status: 422,
    message: 'The bank could not verify this card with your name, ID number and phone.',
  },
  CARD_VERIFICATION_NOT_FOUND: {
    status: 404,
    message: 'This card verification is unknown, used or expired; start again.',
  },
  CARD_VERIFICATIONS_EXCEEDED: {
    status: 429,
    message: 'Too many card verifications today; try again tomorrow.',
    retryAfterSeconds: 3600,
  },
  CARD_ALREADY_BOUND: { status: 409, message: 'This card is already bound to your wallet.' },
  CARD_LIMIT_REACHED: { status: 409, message: 'You have bound the most cards allowed; unbind one first.' },
  CARD_SMS_CODE_INVALID: { status: 422, message: "The bank's SMS code is wrong or expired." },
  CARD_SMS_RATE_LIMITED: {
    status: 429,
    message: 'The bank has sent too many codes for this card; try again later.',
    retryAfterSeconds: 600,
  },
  CARD_NOT_FOUND: { status: 404, message: 'No such card.' },
  CARD_BUSY: {
    status: 409,
    message: 'A top-up or withdrawal on this card is still in progress; try again when it has finished.',
  },
  BANK_UNAVAILABLE: {
    status: 503,
    message: 'The bank is unavailable right now; nothing was done. Try again in a few minutes.',
    retryAfterSeconds: 60,
  },
};
