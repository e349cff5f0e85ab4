import type { ErrorMapping } from '../../errors.ts';

/** The KYC module's error codes; merged into the server's table in apps/server/src/errors.ts. */
export type KycErrorCode =
  | 'INVALID_ID_NUMBER'
  | 'INVALID_LEGAL_NAME'
  | 'REAL_NAME_MISMATCH'
  | 'REAL_NAME_ALREADY_VERIFIED'
  | 'ID_NUMBER_ALREADY_USED'
  | 'VERIFIER_UNAVAILABLE'
  | 'VERIFICATION_ATTEMPTS_EXCEEDED'
  | 'REAL_NAME_REQUIRED'
  | 'DOCUMENT_INVALID'
  | 'REVIEW_ALREADY_PENDING'
  | 'REVIEW_ALREADY_DECIDED'
  | 'KYC_TIER_TOO_LOW'
  | 'LIMIT_EXCEEDED'
  | 'PAYEE_BALANCE_CAP_EXCEEDED';

export const KYC_ERRORS: Record<KycErrorCode, ErrorMapping> = {
  INVALID_ID_NUMBER: { status: 400, message: 'Not a valid resident ID number.' },
  INVALID_LEGAL_NAME: { status: 400, message: 'Enter the legal name exactly as on the ID card.' },
  REAL_NAME_MISMATCH: { status: 422, message: 'The name and ID number do not match.' },
  REAL_NAME_ALREADY_VERIFIED: { status: 409, message: 'This wallet is already real-name verified.' },
  ID_NUMBER_ALREADY_USED: { status: 409, message: 'This ID number is already verified on another wallet.' },
  VERIFIER_UNAVAILABLE: {
    status: 503,
    message: 'The identity check is unavailable right now; try again in a few minutes.',
    retryAfterSeconds: 60,
  },
  VERIFICATION_ATTEMPTS_EXCEEDED: {
    status: 429,
    message: 'Too many identity checks today; try again tomorrow.',
    retryAfterSeconds: 3600,
  },
  REAL_NAME_REQUIRED: { status: 403, message: 'Verify your real name first.' },
  DOCUMENT_INVALID: { status: 400, message: 'Upload JPEG or PNG photos of at most 5 MB.' },
  REVIEW_ALREADY_PENDING: { status: 409, message: 'Your documents are already waiting for review.' },
  REVIEW_ALREADY_DECIDED: { status: 409, message: 'This review has already been decided.' },
  KYC_TIER_TOO_LOW: { status: 403, message: 'Your verification level does not allow this; verify further.' },
  LIMIT_EXCEEDED: { status: 422, message: 'This payment would pass one of your limits.' },
  PAYEE_BALANCE_CAP_EXCEEDED: { status: 422, message: "The payee's wallet cannot hold that much." },
};
