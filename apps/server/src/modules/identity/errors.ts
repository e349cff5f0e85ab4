import type { ErrorMapping } from '../../errors.ts';

/**
 * The identity module's error codes. The table is `Record<IdentityErrorCode, …>`: a code added to
 * the union without a row fails to compile; `apps/server/src/errors.ts` merges it into `ERRORS`.
 * Each code is documented in docs/api/errors.md (a test checks).
 */
export type IdentityErrorCode =
  | 'INVALID_PHONE'
  | 'PHONE_ALREADY_REGISTERED'
  | 'SMS_CODE_INVALID'
  | 'SMS_CODE_EXPIRED'
  | 'SMS_CODE_ATTEMPTS_EXCEEDED'
  | 'SMS_RESEND_TOO_SOON'
  | 'SMS_DELIVERY_FAILED'
  | 'WEAK_PASSWORD'
  | 'INVALID_CREDENTIALS'
  | 'WRONG_PASSWORD'
  | 'PASSWORD_LOGIN_LOCKED'
  | 'NEW_DEVICE_VERIFICATION_REQUIRED'
  | 'SESSION_EXPIRED'
  | 'ID_NUMBER_REQUIRED'
  | 'ID_NUMBER_MISMATCH';

export const IDENTITY_ERRORS: Record<IdentityErrorCode, ErrorMapping> = {
  INVALID_PHONE: { status: 400, message: 'Not a mainland China mobile number.' },
  PHONE_ALREADY_REGISTERED: {
    status: 409,
    message: 'This mobile number already has a wallet; sign in or reset the password.',
  },
  SMS_CODE_INVALID: { status: 422, message: 'The SMS code is wrong.' },
  SMS_CODE_EXPIRED: { status: 422, message: 'The SMS code has expired; request a new one.' },
  SMS_CODE_ATTEMPTS_EXCEEDED: {
    status: 422,
    message: 'Too many wrong tries: this SMS code no longer works; request a new one.',
  },
  SMS_RESEND_TOO_SOON: { status: 429, message: 'A code was sent moments ago; wait before asking again.' },
  SMS_DELIVERY_FAILED: {
    status: 503,
    message: 'The text message could not be sent; try again later.',
    retryAfterSeconds: 30,
  },
  WEAK_PASSWORD: { status: 422, message: 'This password is too easy to guess.' },
  INVALID_CREDENTIALS: { status: 401, message: 'Wrong mobile number or password.' },
  WRONG_PASSWORD: { status: 403, message: 'The current password is wrong.' },
  PASSWORD_LOGIN_LOCKED: {
    status: 403,
    message: 'Too many wrong passwords: password sign-in is locked for a while; sign in with an SMS code.',
  },
  NEW_DEVICE_VERIFICATION_REQUIRED: {
    status: 403,
    message: 'First sign-in on this device: confirm with an SMS code (purpose new_device).',
  },
  SESSION_EXPIRED: { status: 401, message: 'The session has expired; sign in again.' },
  ID_NUMBER_REQUIRED: {
    status: 422,
    message: 'This wallet is real-name verified: the ID number is needed too.',
  },
  ID_NUMBER_MISMATCH: { status: 422, message: 'The ID number does not match this wallet.' },
};
