import type { ErrorMapping } from '../../errors.ts';

/** The funding module's error codes; merged into the server's table in apps/server/src/errors.ts. */
export type FundingErrorCode =
  | 'FUNDING_NOT_FOUND'
  | 'FUNDING_DECLINED'
  | 'FUNDING_INTERRUPTED'
  | 'FUNDING_AMOUNT_INVALID'
  | 'RECONCILIATION_DATE_INVALID'
  | 'BANK_CODE_UNKNOWN'
  | 'BANK_ACCOUNT_NUMBER_INVALID'
  | 'ACCOUNT_NAME_INVALID';

export const FUNDING_ERRORS: Record<FundingErrorCode, ErrorMapping> = {
  FUNDING_NOT_FOUND: { status: 404, message: 'No such top-up, withdrawal or bank transfer.' },
  FUNDING_DECLINED: {
    status: 422,
    message: 'The bank declined the operation (see details.reason); no money moved.',
  },
  FUNDING_INTERRUPTED: {
    status: 409,
    message: 'The operation was interrupted before the bank saw it and was cancelled; start again.',
  },
  FUNDING_AMOUNT_INVALID: {
    status: 400,
    message: 'The amount must be a whole number of fen from 1 to 100000000 (1,000,000.00).',
  },
  RECONCILIATION_DATE_INVALID: { status: 400, message: 'Give a past or current date as YYYY-MM-DD.' },
  BANK_CODE_UNKNOWN: {
    status: 400,
    message: 'We cannot send money to this bank; choose one from GET /v1/banks.',
  },
  BANK_ACCOUNT_NUMBER_INVALID: {
    status: 400,
    message:
      'The account number must be 8 to 32 digits; a UnionPay card number (62…) must pass its check digit (details.reason).',
  },
  ACCOUNT_NAME_INVALID: {
    status: 400,
    message: "Give the account holder's name as on their ID: 2 to 30 Chinese or Latin letters, · and spaces.",
  },
};
