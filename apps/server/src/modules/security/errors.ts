import type { ErrorMapping } from '../../errors.ts';

/**
 * The payment-security module's error codes, merged into `ERRORS` by apps/server/src/errors.ts
 * and documented in docs/api/errors.md.
 */
export type SecurityErrorCode =
  | 'PIN_NOT_SET'
  | 'PIN_INCORRECT'
  | 'PIN_TOO_SIMPLE'
  | 'PAYMENTS_LOCKED'
  | 'FACTOR_NOT_ACCEPTED'
  | 'PASSKEY_NOT_FOUND'
  | 'PASSKEY_LIMIT_REACHED'
  | 'PASSKEY_VERIFICATION_FAILED'
  | 'CHALLENGE_EXPIRED'
  | 'ORIGIN_NOT_ALLOWED'
  | 'TOTP_ALREADY_ENABLED'
  | 'TOTP_NOT_ENABLED'
  | 'TOTP_SETUP_EXPIRED'
  | 'TOTP_INVALID'
  | 'TOTP_REUSED'
  | 'RECOVERY_CODE_INVALID'
  | 'PASSWORD_FREE_LIMIT_TOO_HIGH';

export const SECURITY_ERRORS: Record<SecurityErrorCode, ErrorMapping> = {
  PIN_NOT_SET: { status: 409, message: 'Set a transaction PIN first.' },
  PIN_INCORRECT: { status: 422, message: 'The transaction PIN is wrong.' },
  PIN_TOO_SIMPLE: {
    status: 422,
    message: 'This PIN is too easy to guess (repeated digits, a sequence, or your birth date).',
  },
  PAYMENTS_LOCKED: {
    status: 403,
    message: 'Too many wrong PINs or codes: payments are locked for a while.',
  },
  FACTOR_NOT_ACCEPTED: {
    status: 422,
    message: 'This payment needs another confirmation (see details.accepted).',
  },
  PASSKEY_NOT_FOUND: { status: 404, message: 'No such passkey.' },
  PASSKEY_LIMIT_REACHED: {
    status: 409,
    message: 'This wallet has the most passkeys allowed; remove one first.',
  },
  PASSKEY_VERIFICATION_FAILED: { status: 422, message: 'The passkey response could not be verified.' },
  CHALLENGE_EXPIRED: {
    status: 422,
    message: 'The challenge has expired or was already used; ask for new options.',
  },
  ORIGIN_NOT_ALLOWED: { status: 403, message: 'Passkeys work only from the wallet’s own web address.' },
  TOTP_ALREADY_ENABLED: { status: 409, message: 'Two-step verification is already on.' },
  TOTP_NOT_ENABLED: { status: 409, message: 'Two-step verification is not on.' },
  TOTP_SETUP_EXPIRED: {
    status: 409,
    message: 'No two-step setup is waiting (expired or too many wrong codes); start again.',
  },
  TOTP_INVALID: { status: 422, message: 'The authenticator code is wrong.' },
  TOTP_REUSED: { status: 422, message: 'This authenticator code was already used; wait for the next one.' },
  RECOVERY_CODE_INVALID: { status: 422, message: 'The recovery code is wrong or was already used.' },
  PASSWORD_FREE_LIMIT_TOO_HIGH: {
    status: 422,
    message: 'The password-free limit is above the most allowed (see details.maxAmount).',
  },
};
